//! The "how does this sentence feel?" page: the sentence last asked about, the model's answer
//! for it, and each word's part as it comes (P(positive) with the word left out, asked for a
//! few words at a time after the answer, so the next keystroke is never kept waiting).

use crate::state::fresh::Fresh;
use playground_core::protocol::{Feeling, Reply, RequestId};
use std::rc::Rc;
use yew::Reducible;

/// Words left out per request: ~4 model runs, about a tenth of a second.
pub const LEAVE_OUT_CHUNK: usize = 4;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct FeelState {
    /// Only answers about the sentence last asked about show.
    pub fresh: Fresh,
    /// The sentence last asked about.
    pub asked: String,
    /// The answer shown, and the sentence it is about.
    pub feeling: Option<Rc<Feeling>>,
    pub text: String,
    /// P(positive) with each word of `feeling` left out, in word order, as they come.
    pub without: Vec<f32>,
    pub error: Option<String>,
}

impl FeelState {
    /// The next words to leave out, while some are left.
    pub fn next_words(&self) -> Option<Vec<u32>> {
        let total = self.feeling.as_ref()?.words.len();
        let from = self.without.len();
        (from < total && self.error.is_none())
            .then(|| (from..total.min(from + LEAVE_OUT_CHUNK)).map(|w| w as u32).collect())
    }

    /// Each word read, with its part: how much it moves the log-odds of "positive" (its
    /// log-odds with the word, less without; `None` until worked out). Log-odds, not
    /// probability: at 99.9% sure, a word that triples the odds moves the probability by 0.002.
    pub fn parts(&self) -> Vec<(String, Option<f32>)> {
        let Some(feeling) = &self.feeling else { return Vec::new() };
        feeling
            .words
            .iter()
            .enumerate()
            .map(|(i, &(a, b))| {
                let word = self.text.get(a as usize..b as usize).unwrap_or("?").to_string();
                (word, self.without.get(i).map(|&w| log_odds(feeling.positive) - log_odds(w)))
            })
            .collect()
    }
}

/// ln(p / (1 − p)), kept finite.
pub fn log_odds(p: f32) -> f32 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

pub enum FeelAction {
    /// The sentence was sent as request `next`.
    Asked {
        next: RequestId,
        text: String,
    },
    /// The sentence is empty: nothing to ask; `next` is the id the next request gets.
    Cleared {
        next: RequestId,
    },
    Answer(RequestId, Reply),
}

impl Reducible for FeelState {
    type Action = FeelAction;

    fn reduce(self: Rc<Self>, action: FeelAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            FeelAction::Asked { next: id, text } => {
                next.fresh.input_changed(id);
                next.asked = text;
            }
            FeelAction::Cleared { next: id } => {
                next.fresh.input_changed(id);
                next.asked.clear();
                next.feeling = None;
                next.text.clear();
                next.without.clear();
                next.error = None;
            }
            FeelAction::Answer(id, Reply::Felt(feeling)) if next.fresh.admit(id) => {
                next.feeling = Some(Rc::new(feeling));
                next.text = next.asked.clone();
                next.without.clear();
                next.error = None;
            }
            // Only the words next in line: a reply asked before the answer it follows (a worker
            // restart re-asks the sentence) would put other words' values on these.
            FeelAction::Answer(id, Reply::LeftOut { words, positive, .. })
                if words.first() == Some(&(next.without.len() as u32)) && next.fresh.admit(id) =>
            {
                next.without.extend(positive);
            }
            FeelAction::Answer(id, Reply::Failed(message)) if next.fresh.admit(id) => {
                next.error = Some(message);
            }
            FeelAction::Answer(..) => return self,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use playground_core::protocol::Token;

    fn felt(text: &str, positive: f32) -> Reply {
        let mut words = Vec::new();
        let mut at = 0;
        for w in text.split(' ') {
            words.push((at as u32, (at + w.len()) as u32));
            at += w.len() + 1;
        }
        let tokens = vec![Token { text: "[CLS]".into(), word: None }];
        Reply::Felt(Feeling {
            positive,
            words,
            tokens,
            attention: vec![1.0],
            heads: 1,
            truncated: false,
            millis: 1.0,
        })
    }

    fn left_out(from: u32, positive: &[f32]) -> Reply {
        let words = (from..from + positive.len() as u32).collect();
        Reply::LeftOut { words, positive: positive.to_vec(), millis: 1.0 }
    }

    #[test]
    fn each_words_part_is_asked_for_a_few_at_a_time_after_the_answer() {
        let s = Rc::new(FeelState::default())
            .reduce(FeelAction::Asked { next: 1, text: "not bad at all , really".into() });
        assert_eq!(s.next_words(), None, "nothing before the answer");
        let s = s.reduce(FeelAction::Answer(1, felt("not bad at all , really", 0.8)));
        assert_eq!(s.next_words(), Some(vec![0, 1, 2, 3]));
        let s = s.reduce(FeelAction::Answer(2, left_out(0, &[0.3, 0.9, 0.8, 0.75])));
        assert_eq!(s.next_words(), Some(vec![4, 5]));
        // Asked before a restart re-asked the sentence: words 0 and 1 again, from a later id.
        let s = s.reduce(FeelAction::Answer(3, left_out(0, &[0.1, 0.1])));
        assert_eq!(s.without.len(), 4, "not the words next in line");
        let s = s.reduce(FeelAction::Answer(4, left_out(4, &[0.8, 0.8])));
        assert_eq!(s.next_words(), None);
        let parts = s.parts();
        assert_eq!(parts[0].0, "not");
        // 0.8 with "not", 0.3 without: odds 4 against 3/7, ln(28/3).
        assert!((parts[0].1.unwrap() - (28.0f32 / 3.0).ln()).abs() < 1e-4, "{parts:?}");
        assert!(parts[1].1.unwrap() < 0.0, "\"bad\" pulls towards negative");
    }

    #[test]
    fn a_new_sentence_drops_what_comes_for_the_old_one_and_an_empty_one_clears() {
        let s = Rc::new(FeelState::default()).reduce(FeelAction::Asked { next: 1, text: "good".into() });
        let s = s.reduce(FeelAction::Answer(1, felt("good", 0.9)));
        let s = s.reduce(FeelAction::Asked { next: 3, text: "bad".into() });
        let s = s.reduce(FeelAction::Answer(2, left_out(0, &[0.1])));
        assert!(s.without.is_empty(), "the old sentence's parts are dropped");
        assert_eq!(s.text, "good", "its answer stays until the new one comes");
        let s = s.reduce(FeelAction::Answer(3, felt("bad", 0.1)));
        assert_eq!((s.text.as_str(), s.feeling.as_ref().unwrap().positive), ("bad", 0.1));
        let s = s.reduce(FeelAction::Cleared { next: 4 });
        assert!(s.feeling.is_none() && s.parts().is_empty());
        let s = s.reduce(FeelAction::Asked { next: 5, text: "x".into() });
        let s = s.reduce(FeelAction::Answer(5, Reply::Failed("the model is not loaded yet".into())));
        assert!(s.error.is_some() && s.next_words().is_none());
    }
}
