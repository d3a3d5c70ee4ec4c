//! What the worker owes the page, by request id: who asked, since when it has been waiting,
//! which model a crash is blamed on. Pure bookkeeping for `inference.rs`, tested natively.
//!
//! The worker runs one thing at a time, so a request waits behind the ones asked before it:
//! its clock restarts whenever an earlier request settles, and it is given at least the
//! patience of any earlier request still owed (a person's big model can take a minute to plan).

use playground_core::protocol::RequestId;
use playground_core::registry::ModelKey;

/// Past this many worker deaths in a row blamed on one model, that model is given up on (the
/// worker goes on with the others); past this many with nobody to blame, the page gives up.
pub const CRASH_BUDGET: u32 = 5;

struct Owed<C> {
    to: C,
    model: Option<ModelKey>,
    timeout_ms: f64,
    /// The last sign of life about this request: asked, the worker ready, progress, or an
    /// earlier request settled.
    heard_at: f64,
}

/// What a worker's death means.
/// Every debt dies with the worker (nothing it owed will come).
#[derive(Debug, PartialEq)]
pub struct Death {
    /// Models that crashed the worker more than [`CRASH_BUDGET`] times in a row: load them no more.
    pub given_up: Vec<ModelKey>,
    /// Deaths nobody can be blamed for exceed the budget: stop restarting.
    pub broken: bool,
}

// Vecs, not maps: a handful of entries, kept in id order since ids only grow (and no B-tree code
// in the app's wasm for them).
pub struct Ledger<C> {
    next_id: RequestId,
    owed: Vec<(RequestId, Owed<C>)>,
    /// Deaths in a row blamed on each model (reset by its next success).
    crashes: Vec<(ModelKey, u32)>,
    /// Deaths in a row with nothing to blame (reset by any success).
    unblamed: u32,
}

impl<C> Default for Ledger<C> {
    fn default() -> Self {
        Ledger { next_id: 1, owed: Vec::new(), crashes: Vec::new(), unblamed: 0 }
    }
}

impl<C: Clone> Ledger<C> {
    /// The id the next request will get; ids only grow.
    pub fn next_id(&self) -> RequestId {
        self.next_id
    }

    /// A request nobody is owed an answer for (the test hooks' sabotage): just an id.
    pub fn number(&mut self) -> RequestId {
        self.next_id += 1;
        self.next_id - 1
    }

    /// Records a request owed to `to`, answered within `timeout_ms` of the last sign of life.
    pub fn ask(&mut self, to: C, model: Option<ModelKey>, timeout_ms: f64, now: f64) -> RequestId {
        let id = self.number();
        self.owed.push((id, Owed { to, model, timeout_ms, heard_at: now }));
        id
    }

    /// Whom a reply to `id` goes to (`None`: nobody is owed it). A final reply settles the
    /// request, and the ones queued behind it start waiting afresh.
    pub fn reply(&mut self, id: RequestId, is_final: bool, now: f64) -> Option<C> {
        let at = self.owed.iter().position(|(i, _)| *i == id)?;
        self.owed[at].1.heard_at = now;
        let to = self.owed[at].1.to.clone();
        if is_final {
            self.owed.remove(at);
            self.owed[at..].iter_mut().for_each(|(_, o)| o.heard_at = o.heard_at.max(now));
        }
        Some(to)
    }

    /// A request for `model` succeeded: its crashes no longer count, nor do unblamed ones.
    pub fn healthy(&mut self, model: Option<&ModelKey>) {
        if let Some(model) = model {
            self.crashes.retain(|(m, _)| m != model);
        }
        self.unblamed = 0;
    }

    fn get(&self, id: RequestId) -> Option<&Owed<C>> {
        self.owed.iter().find(|(i, _)| *i == id).map(|(_, o)| o)
    }

    pub fn model_of(&self, id: RequestId) -> Option<&ModelKey> {
        self.get(id)?.model.as_ref()
    }

    /// The worker (re)started listening: silence counts from now, not from when the requests
    /// were queued (on a slow connection its wasm alone can take a minute).
    pub fn worker_ready(&mut self, now: f64) {
        self.owed.iter_mut().for_each(|(_, o)| o.heard_at = o.heard_at.max(now));
    }

    /// The oldest request that has waited past its patience, if any: the one the worker
    /// is stuck on.
    pub fn overdue(&self, now: f64) -> Option<RequestId> {
        let mut patience: f64 = 0.0;
        self.owed.iter().find_map(|&(id, ref o)| {
            patience = patience.max(o.timeout_ms);
            (now - o.heard_at > patience).then_some(id)
        })
    }

    /// Whether a request owed to `to` is outstanding.
    pub fn owes(&self, to: &C) -> bool
    where
        C: PartialEq,
    {
        self.owed.iter().any(|(_, o)| o.to == *to)
    }

    /// The worker died while working on `culprit` (the panic says which request, the watchdog
    /// which one hung), or on who knows what (`None`: the oldest owed request is blamed). A
    /// culprit nobody is owed an answer for (the test hooks' sabotage) blames no model.
    pub fn worker_died(&mut self, culprit: Option<RequestId>) -> Death {
        let culprit = culprit.or_else(|| self.owed.first().map(|(id, _)| *id));
        let blamed = culprit.and_then(|id| self.get(id)?.model.clone());
        let mut given_up = Vec::new();
        match blamed {
            Some(model) => {
                let at = self.crashes.iter().position(|(m, _)| *m == model).unwrap_or_else(|| {
                    self.crashes.push((model.clone(), 0));
                    self.crashes.len() - 1
                });
                self.crashes[at].1 += 1;
                if self.crashes[at].1 > CRASH_BUDGET {
                    self.crashes.remove(at);
                    given_up.push(model);
                }
            }
            None => self.unblamed += 1,
        }
        self.forget();
        Death { given_up, broken: self.unblamed > CRASH_BUDGET }
    }

    /// Drops everything owed, blaming nobody (the worker is replaced on purpose).
    pub fn forget(&mut self) {
        self.owed.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str) -> Option<ModelKey> {
        Some(ModelKey::from(id))
    }

    #[test]
    fn replies_go_only_to_whoever_asked() {
        let mut l = Ledger::default();
        let a = l.ask("sketch page", key("sketch"), 10.0, 0.0);
        let b = l.ask("photo page", key("photo"), 10.0, 0.0);
        assert_eq!(l.reply(b, false, 1.0), Some("photo page"), "progress goes to the asker");
        assert_eq!(l.reply(a, true, 1.0), Some("sketch page"));
        assert_eq!(l.reply(a, true, 1.0), None, "a settled request is owed to nobody");
        assert_eq!(l.reply(99, true, 1.0), None, "nor one never asked");
    }

    #[test]
    fn two_inspects_in_flight_are_two_debts_and_a_hang_in_the_second_is_noticed() {
        let mut l = Ledger::default();
        let first = l.ask("playground", None, 90.0, 0.0);
        let second = l.ask("playground", None, 90.0, 0.0);
        assert_eq!(l.reply(first, true, 5.0), Some("playground"));
        assert!(l.owes(&"playground"), "the second is still owed");
        assert_eq!(l.overdue(94.0), None, "its clock restarted when the first settled");
        assert_eq!(l.overdue(96.0), Some(second));
    }

    #[test]
    fn a_request_queued_behind_a_slow_one_gets_its_patience() {
        let mut l = Ledger::default();
        let plan = l.ask("playground", Some(ModelKey::Own), 90.0, 0.0);
        let run = l.ask("page", key("sketch"), 10.0, 1.0);
        assert_eq!(l.overdue(50.0), None, "waiting behind the model being planned");
        l.reply(plan, true, 60.0);
        assert_eq!(l.overdue(69.0), None);
        assert_eq!(l.overdue(71.0), Some(run), "10 s after the worker was free");
    }

    #[test]
    fn silence_counts_from_when_the_worker_is_ready() {
        let mut l = Ledger::default();
        let id = l.ask("page", key("sketch"), 10.0, 0.0);
        l.worker_ready(60.0);
        assert_eq!(l.overdue(65.0), None);
        assert_eq!(l.overdue(71.0), Some(id));
    }

    #[test]
    fn a_model_that_crashes_on_load_beside_one_that_loads_is_given_up_alone() {
        let mut l = Ledger::default();
        for round in 1..=CRASH_BUDGET + 1 {
            // After each restart both are loaded again; the good one loads, the bad one kills.
            let good = l.ask("app", key("sketch"), 10.0, 0.0);
            let bad = l.ask("app", key("bad"), 10.0, 0.0);
            l.reply(good, true, 1.0);
            l.healthy(key("sketch").as_ref());
            let death = l.worker_died(Some(bad));
            assert!(!death.broken);
            let given_up = round > CRASH_BUDGET;
            assert_eq!(
                death.given_up,
                if given_up { vec![ModelKey::from("bad")] } else { vec![] },
                "round {round}"
            );
        }
    }

    #[test]
    fn deaths_nobody_is_blamed_for_end_in_broken_and_any_success_forgives_them() {
        let mut l: Ledger<&str> = Ledger::default();
        for _ in 0..CRASH_BUDGET {
            assert!(!l.worker_died(None).broken);
        }
        l.healthy(None);
        for _ in 0..CRASH_BUDGET {
            assert!(!l.worker_died(None).broken);
        }
        assert!(l.worker_died(None).broken);
    }

    #[test]
    fn a_death_on_a_request_nobody_is_owed_blames_no_model() {
        let mut l = Ledger::default();
        l.ask("page", key("sketch"), 10.0, 0.0);
        let sabotage = l.number();
        assert!(!l.worker_died(Some(sabotage)).broken);
        assert_eq!((l.crashes.len(), l.unblamed), (0, 1));
        l.ask("page", key("sketch"), 10.0, 0.0);
        l.worker_died(None);
        assert_eq!(l.crashes, vec![(ModelKey::from("sketch"), 1)], "unknown: the oldest owed is blamed");
    }

    #[test]
    fn a_death_drops_every_debt_and_blames_the_request_it_died_on() {
        let mut l = Ledger::default();
        let a = l.ask("app", key("sketch"), 10.0, 0.0);
        let b = l.ask("page", key("photo"), 10.0, 0.0);
        assert_eq!(l.worker_died(Some(b)), Death { given_up: vec![], broken: false });
        assert!(!l.owes(&"app") && !l.owes(&"page"), "a debt outlived the worker");
        assert_eq!((l.reply(a, true, 1.0), l.reply(b, true, 1.0)), (None, None));
        assert_eq!(l.crashes, vec![(ModelKey::from("photo"), 1)]);
    }
}
