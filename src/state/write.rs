//! The "write like Shakespeare" page: a prompt continued a few characters per request, so the
//! text streams in and a stop takes effect between two requests.

use crate::state::fresh::Fresh;
use playground_core::protocol::{Reply, RequestId};
use std::rc::Rc;
use yew::Reducible;

/// Characters asked for per request: about a fifth of a second of work, so the text appears as
/// it is written and "Stop" answers at once.
pub const CHUNK: usize = 8;
/// Characters of the text sent with each request: the model reads only its last window (128).
pub const CONTEXT_SENT: usize = 512;

#[derive(Debug, Clone, PartialEq)]
pub struct WriteState {
    /// Only answers to the current writing show.
    pub fresh: Fresh,
    /// The text the model continues, as it was when "Write" was pressed.
    pub prompt: String,
    /// What the model added so far.
    pub written: String,
    /// How many characters it is to add.
    pub target: usize,
    pub temperature: f32,
    /// The seed of the first request; each next one adds its number.
    pub seed: u64,
    pub writing: bool,
    /// Requests answered so far in this writing: the page asks for the next one when it grows.
    pub chunks: u64,
    /// When the writing started and when its last characters came (the page's clock, ms).
    pub started_at: f64,
    pub last_at: f64,
    pub error: Option<String>,
}

impl Default for WriteState {
    fn default() -> Self {
        WriteState {
            fresh: Fresh::default(),
            prompt: String::new(),
            written: String::new(),
            target: 0,
            temperature: 0.8,
            seed: 0,
            writing: false,
            chunks: 0,
            started_at: 0.0,
            last_at: 0.0,
            error: None,
        }
    }
}

/// The next request's characters of context and count, if the writing goes on.
pub struct NextChunk {
    pub text: String,
    pub count: u32,
    pub temperature: f32,
    pub seed: u64,
}

impl WriteState {
    pub fn written_chars(&self) -> usize {
        self.written.chars().count()
    }

    /// What to ask for next, while writing.
    pub fn next_chunk(&self) -> Option<NextChunk> {
        let left = self.target.saturating_sub(self.written_chars());
        if !self.writing || left == 0 {
            return None;
        }
        let all: Vec<char> = self.prompt.chars().chain(self.written.chars()).collect();
        let text = all[all.len().saturating_sub(CONTEXT_SENT)..].iter().collect();
        let (count, seed) = (left.min(CHUNK) as u32, self.seed.wrapping_add(self.chunks));
        Some(NextChunk { text, count, temperature: self.temperature, seed })
    }

    /// Characters per second on this device, from the first request to the last answer
    /// (worker time and messages included: what a person waits).
    pub fn chars_per_second(&self) -> Option<f64> {
        let seconds = (self.last_at - self.started_at) / 1000.0;
        (self.written_chars() > 0 && seconds > 0.0).then(|| self.written_chars() as f64 / seconds)
    }
}

pub enum WriteAction {
    /// "Write": continue `prompt` by `target` characters; `next` is the id its first request gets.
    Start {
        next: RequestId,
        prompt: String,
        target: usize,
        temperature: f32,
        seed: u64,
        now: f64,
    },
    /// "Stop": answers still on their way are dropped.
    Stop {
        next: RequestId,
    },
    Temperature(f32),
    Answer(RequestId, Reply, f64),
}

impl Reducible for WriteState {
    type Action = WriteAction;

    fn reduce(self: Rc<Self>, action: WriteAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            WriteAction::Start { next: id, prompt, target, temperature, seed, now } => {
                next.fresh.input_changed(id);
                next.prompt = prompt;
                next.written.clear();
                next.target = target;
                next.temperature = temperature;
                next.seed = seed;
                next.writing = target > 0;
                next.chunks = 0;
                next.started_at = now;
                next.last_at = now;
                next.error = None;
            }
            WriteAction::Stop { next: id } => {
                next.fresh.input_changed(id);
                next.writing = false;
            }
            // Takes effect from the next request: a person can make a running text bolder.
            WriteAction::Temperature(t) => next.temperature = t,
            WriteAction::Answer(id, Reply::Written { text, .. }, now)
                if next.writing && next.fresh.admit(id) =>
            {
                next.written.push_str(&text);
                next.chunks += 1;
                next.last_at = now;
                next.writing = next.written_chars() < next.target;
            }
            WriteAction::Answer(id, Reply::Failed(message), _) if next.writing && next.fresh.admit(id) => {
                next.writing = false;
                next.error = Some(message);
            }
            WriteAction::Answer(..) => return self,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(text: &str) -> Reply {
        Reply::Written { text: text.into(), millis: 1.0 }
    }

    fn start(target: usize) -> Rc<WriteState> {
        Rc::new(WriteState::default()).reduce(WriteAction::Start {
            next: 1,
            prompt: "ROMEO:".into(),
            target,
            temperature: 0.8,
            seed: 100,
            now: 0.0,
        })
    }

    #[test]
    fn a_text_is_asked_for_chunk_by_chunk_until_it_is_long_enough() {
        let s = start(10);
        let first = s.next_chunk().unwrap();
        assert_eq!((first.text.as_str(), first.count, first.seed), ("ROMEO:", 8, 100));
        let s = s.reduce(WriteAction::Answer(1, written("\nO, she "), 200.0));
        let second = s.next_chunk().unwrap();
        assert_eq!((second.text.as_str(), second.count, second.seed), ("ROMEO:\nO, she ", 2, 101));
        let s = s.reduce(WriteAction::Answer(2, written("do"), 250.0));
        assert!(!s.writing && s.next_chunk().is_none());
        assert_eq!(s.written, "\nO, she do");
        assert_eq!(s.chars_per_second(), Some(40.0));
    }

    #[test]
    fn after_stop_or_a_new_start_late_answers_are_dropped() {
        let s = start(100);
        let s = s.reduce(WriteAction::Stop { next: 2 });
        let s = s.reduce(WriteAction::Answer(1, written("abc"), 10.0));
        assert_eq!(s.written, "", "an answer on its way when Stop was pressed");
        assert!(s.next_chunk().is_none());
        let s = s.reduce(WriteAction::Start {
            next: 5,
            prompt: "A".into(),
            target: 8,
            temperature: 1.0,
            seed: 1,
            now: 0.0,
        });
        let s = s.reduce(WriteAction::Answer(4, written("old"), 10.0));
        assert_eq!(s.written, "");
        let s = s.reduce(WriteAction::Answer(5, Reply::Failed("the model is not loaded yet".into()), 10.0));
        assert!(!s.writing && s.error.is_some());
    }

    #[test]
    fn only_the_end_of_a_long_text_is_sent() {
        let s = Rc::new(WriteState::default()).reduce(WriteAction::Start {
            next: 1,
            prompt: "word ".repeat(10_000),
            target: 8,
            temperature: 0.8,
            seed: 1,
            now: 0.0,
        });
        assert_eq!(s.next_chunk().unwrap().text.chars().count(), CONTEXT_SENT);
    }
}
