//! The one rule by which every page decides whether an answer still belongs on screen.

use playground_core::protocol::RequestId;

/// An answer shows if it was asked about the page's current input (at or after `floor`) and is
/// newer than the one shown. Request ids grow, so a slow answer never overwrites a fresher
/// one, and nothing asked before the input changed (cleared, undone, another photo, the next
/// round) comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fresh {
    floor: RequestId,
    shown: RequestId,
}

impl Fresh {
    /// Whether the answer to request `id` may show; if so it becomes the one shown.
    pub fn admit(&mut self, id: RequestId) -> bool {
        let fresh = id >= self.floor && id > self.shown;
        if fresh {
            self.shown = id;
        }
        fresh
    }

    /// Whether an answer to `id` would show now, without showing it: progress on its way to
    /// a final answer.
    pub fn would_admit(&self, id: RequestId) -> bool {
        id >= self.floor && id > self.shown
    }

    /// The input changed: only requests from `next` on (the id the next request will get)
    /// are about it.
    pub fn input_changed(&mut self, next: RequestId) {
        self.floor = next;
    }

    /// The id of the answer on screen (0: none yet).
    pub fn shown(&self) -> RequestId {
        self.shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn older_answers_and_answers_about_an_old_input_are_stale() {
        let mut f = Fresh::default();
        assert!(f.admit(2));
        assert!(!f.admit(1), "older than the one shown");
        assert!(!f.admit(2), "shown already");
        f.input_changed(5);
        assert!(!f.admit(4), "asked before the input changed");
        assert!(f.would_admit(5) && f.would_admit(5), "peeking admits nothing");
        assert!(f.admit(5) && f.shown() == 5);
        assert!(f.admit(7), "a later request may answer first");
        assert!(!f.admit(6));
    }
}
