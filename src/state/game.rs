//! The Quick Draw game: prompts, the drawing of the current round, and the rounds played.

use crate::state::fresh::Fresh;
use playground_core::postprocess::Guess;
use playground_core::protocol::{Reply, RequestId};
use playground_core::sketch::Stroke;
use std::rc::Rc;
use yew::Reducible;

/// The least confidence at which the prompt as the model's top guess wins a game round: a
/// scribble whose best guess happens to be the prompt at 15% is no win. Finished drawings clear
/// it: the 124 of 131 Quick, Draw! drawings of the exupery set (never used in training) that the
/// sketch model names right all score ≥ 0.3 (≥ 0.5: 98%), by `sketch-classify`.
const WIN_CONFIDENCE: f32 = 0.3;
/// One finished round of the game.
#[derive(Debug, Clone, PartialEq)]
pub struct Round {
    pub prompt: String,
    pub strokes: Rc<Vec<Stroke>>,
    pub guessed: bool,
    /// The player moved on before the time was up.
    pub skipped: bool,
    /// The model's best guesses when the round ended, best first.
    pub top: Vec<Guess>,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum GamePhase {
    #[default]
    Intro,
    Drawing,
    /// The round just ended; its result is the last of `results`.
    RoundOver,
    Finished,
}

/// The Quick Draw game: prompts, the drawing of the current round, and the rounds played.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GameState {
    pub phase: GamePhase,
    pub prompts: Vec<String>,
    pub round: usize,
    pub strokes: Rc<Vec<Stroke>>,
    pub fresh: Fresh,
    pub top: Vec<Guess>,
    /// The model is not sure of `top` (nothing is said aloud, the page says "not sure").
    pub not_sure: bool,
    pub results: Vec<Round>,
    /// The stroke being drawn, as last sent for a live guess: a round can be won before the
    /// pen lifts, and the gallery must show what the model saw.
    pub live: Option<Stroke>,
}

pub enum GameAction {
    /// `next`, here and below: the id the next request will get (answers to earlier ones are
    /// about another drawing).
    Start {
        prompts: Vec<String>,
        next: RequestId,
    },
    Drawing(Stroke),
    Commit(Stroke),
    Answer(RequestId, Reply),
    /// Start the drawing of this round over; answers for the old drawing are stale.
    Clear {
        next: RequestId,
    },
    /// End this round unguessed, now.
    Skip,
    TimeUp,
    Next {
        next: RequestId,
    },
}

impl GameState {
    pub fn prompt(&self) -> Option<&str> {
        self.prompts.get(self.round).map(String::as_str)
    }

    fn end_round(&mut self, guessed: bool, skipped: bool) {
        let mut strokes = self.strokes.clone();
        if let Some(live) = self.live.take() {
            Rc::make_mut(&mut strokes).push(live);
        }
        self.results.push(Round {
            prompt: self.prompt().unwrap_or_default().to_string(),
            strokes,
            guessed,
            skipped,
            top: self.top.iter().take(2).cloned().collect(),
        });
        self.phase = GamePhase::RoundOver;
    }
}

impl Reducible for GameState {
    type Action = GameAction;

    fn reduce(self: Rc<Self>, action: GameAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            GameAction::Start { prompts, next: id } => {
                next =
                    GameState { phase: GamePhase::Drawing, prompts, fresh: self.fresh, ..Default::default() };
                next.fresh.input_changed(id);
            }
            GameAction::Drawing(stroke) if self.phase == GamePhase::Drawing => next.live = Some(stroke),
            GameAction::Commit(stroke) if self.phase == GamePhase::Drawing && !stroke.is_empty() => {
                Rc::make_mut(&mut next.strokes).push(stroke);
                next.live = None;
            }
            GameAction::Answer(id, Reply::Prediction(p))
                if self.phase == GamePhase::Drawing && next.fresh.admit(id) =>
            {
                next.top = p.answer.top;
                next.not_sure = p.answer.not_sure;
                let top = next.top.first();
                if top.is_some_and(|g| {
                    Some(g.label.as_str()) == self.prompt() && g.probability >= WIN_CONFIDENCE
                }) {
                    next.end_round(true, false);
                }
            }
            GameAction::Clear { next: id } if self.phase == GamePhase::Drawing => {
                next.strokes = Rc::default();
                next.live = None;
                next.top.clear();
                next.not_sure = false;
                next.fresh.input_changed(id);
            }
            GameAction::Skip if self.phase == GamePhase::Drawing => next.end_round(false, true),
            GameAction::TimeUp if self.phase == GamePhase::Drawing => next.end_round(false, false),
            GameAction::Next { next: id } if self.phase == GamePhase::RoundOver => {
                next.round += 1;
                next.strokes = Rc::default();
                next.top.clear();
                next.not_sure = false;
                next.live = None;
                next.fresh.input_changed(id);
                next.phase =
                    if next.round >= next.prompts.len() { GamePhase::Finished } else { GamePhase::Drawing };
            }
            _ => return self,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::sketch::tests::{prediction, prediction_at};

    #[test]
    fn a_game_ends_a_round_when_the_prompt_is_the_top_guess_or_time_is_up() {
        let s = Rc::new(GameState::default());
        let s = s.reduce(GameAction::Start { prompts: vec!["house".into(), "cat".into()], next: 1 });
        assert_eq!((s.phase, s.prompt()), (GamePhase::Drawing, Some("house")));
        let s = s.reduce(GameAction::Commit(vec![[0.0, 0.0], [1.0, 1.0]]));
        let s = s.reduce(GameAction::Answer(1, prediction("book")));
        assert_eq!(s.phase, GamePhase::Drawing, "a wrong guess goes on");
        let s = s.reduce(GameAction::Answer(2, prediction_at("house", 0.2)));
        assert_eq!(s.phase, GamePhase::Drawing, "the prompt as a hesitant top guess goes on");
        let s = s.reduce(GameAction::Drawing(vec![[5.0, 5.0], [6.0, 9.0]]));
        let s = s.reduce(GameAction::Answer(3, prediction("house")));
        assert_eq!(s.phase, GamePhase::RoundOver);
        assert!(s.results[0].guessed);
        assert_eq!(s.results[0].strokes.len(), 2, "the stroke still being drawn is part of the drawing");
        let s = s.reduce(GameAction::TimeUp);
        assert_eq!(s.results.len(), 1, "time running out after a win changes nothing");
        let s = s.reduce(GameAction::Next { next: 4 });
        assert_eq!((s.phase, s.prompt(), s.strokes.len()), (GamePhase::Drawing, Some("cat"), 0));
        let s = s.reduce(GameAction::Answer(3, prediction("cat")));
        assert_eq!(s.phase, GamePhase::Drawing, "an answer about the previous drawing is stale");
        let s = s.reduce(GameAction::TimeUp);
        assert!(!s.results[1].guessed);
        let s = s.reduce(GameAction::Next { next: 5 });
        assert_eq!(s.phase, GamePhase::Finished);
    }

    #[test]
    fn a_round_can_be_cleared_and_skipped() {
        let s = Rc::new(GameState::default());
        let s = s.reduce(GameAction::Start { prompts: vec!["house".into(), "cat".into()], next: 1 });
        let s = s.reduce(GameAction::Commit(vec![[0.0, 0.0], [1.0, 1.0]]));
        let s = s.reduce(GameAction::Clear { next: 2 });
        assert!(s.strokes.is_empty() && s.top.is_empty());
        let s = s.reduce(GameAction::Answer(1, prediction("house")));
        assert_eq!(s.phase, GamePhase::Drawing, "an answer about the cleared drawing cannot win the round");
        let s = s.reduce(GameAction::Answer(2, prediction("cloud")));
        let s = s.reduce(GameAction::Skip);
        assert_eq!(s.phase, GamePhase::RoundOver);
        let round = &s.results[0];
        assert!(round.skipped && !round.guessed);
        assert_eq!(round.top.iter().map(|g| g.label.as_str()).collect::<Vec<_>>(), ["cloud"]);
        assert_eq!(s.reduce(GameAction::Skip).results.len(), 1, "a skip between rounds does nothing");
    }

    #[test]
    fn a_game_keeps_quiet_about_a_guess_the_model_is_not_sure_of() {
        let s = Rc::new(GameState::default());
        let s = s.reduce(GameAction::Start { prompts: vec!["house".into(), "cat".into()], next: 1 });
        let mut unsure = prediction("book");
        if let Reply::Prediction(p) = &mut unsure {
            p.answer.not_sure = true;
        }
        let s = s.reduce(GameAction::Answer(1, unsure));
        assert!(s.not_sure && s.phase == GamePhase::Drawing);
        let s = s.reduce(GameAction::Answer(2, prediction("bed")));
        assert!(!s.not_sure, "the next sure answer clears it");
        let s = s.reduce(GameAction::TimeUp).reduce(GameAction::Next { next: 3 });
        assert!(!s.not_sure && s.top.is_empty());
    }
}
