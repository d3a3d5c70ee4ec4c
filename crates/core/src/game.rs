//! The Quick Draw game's rules that need no browser: which classes make fair prompts, and
//! drawing six of them without repeats.

use crate::sketch::Stroke;
use crate::{words, Error, Result};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Rounds per game and seconds per round (as in Google's Quick, Draw!).
pub const ROUNDS: usize = 6;
pub const ROUND_SECONDS: f64 = 20.0;
/// A class is a prompt only if the model gets at least this share of its held-out drawings
/// right (top-1): asking for a class the model rarely recognises is not a fair round.
pub const MIN_HELDOUT_TOP1: f64 = 0.90;

/// Classes whose held-out top-1 in `eval_json` (models/sketch/eval.json, written by
/// models/train/evaluate.py) is at least `min_top1`, sorted.
pub fn playable_classes(eval_json: &str, min_top1: f64) -> Result<Vec<String>> {
    let eval: serde_json::Value =
        serde_json::from_str(eval_json).map_err(|e| Error::BadInput(format!("eval.json: {e}")))?;
    let per_class = eval["heldout"]["per_class"]
        .as_object()
        .ok_or_else(|| Error::BadInput("eval.json has no heldout.per_class".into()))?;
    let mut classes: Vec<String> = per_class
        .iter()
        .filter(|(_, v)| v["top1"].as_f64().is_some_and(|t| t >= min_top1))
        .map(|(k, _)| k.clone())
        .collect();
    classes.sort();
    Ok(classes)
}

/// `n` different prompts (fewer if there are fewer classes), by a partial Fisher–Yates
/// shuffle driven by `random` (uniform in 0..1; the page passes `Math.random`).
pub fn pick_prompts(classes: &[String], n: usize, mut random: impl FnMut() -> f64) -> Vec<String> {
    let mut pool = classes.to_vec();
    let n = n.min(pool.len());
    for i in 0..n {
        let j = i + ((random() * (pool.len() - i) as f64) as usize).min(pool.len() - i - 1);
        pool.swap(i, j);
    }
    pool.truncate(n);
    pool
}

/// A teacher's prompt list (`#/game?prompts=a,b,…`, also inside an embed): only names of
/// classes the model knows (`known`), each once, at most [`ROUNDS`]. Anything else in the
/// URL (text for the page to say aloud, markup) is dropped.
pub fn prompts_from_list(list: &str, known: &[String]) -> Vec<String> {
    let mut prompts: Vec<String> = Vec::new();
    for name in list.split(',').map(str::trim) {
        if prompts.len() < ROUNDS && !prompts.iter().any(|p| p == name) && known.iter().any(|k| k == name) {
            prompts.push(name.to_string());
        }
    }
    prompts
}

/// What the game says when the model names the prompt: "Oh, I know — it's an apple!"
pub fn won_line(prompt: &str) -> String {
    format!("Oh, I know — it's {}!", words::noun_phrase(prompt))
}

/// What the game says when a round ends unguessed, with what the model thought instead
/// (its best guesses when the round ended, best first; none: it had no guess).
pub fn missed_line(skipped: bool, thought: &[&str]) -> String {
    let head = if skipped { "Skipped." } else { "Sorry, I couldn't guess it." };
    match thought {
        [] => head.to_string(),
        _ => format!("{head} I thought it was {}.", words::either(thought)),
    }
}

/// The model's guess while a person draws: "I see a cat, or a tiger…".
pub fn live_line(top: &[&str], not_sure: bool) -> String {
    match top {
        [] => "…".to_string(),
        [a, ..] if not_sure => format!("Not sure yet… {}?", words::noun_phrase(a)),
        [a] => format!("I see {}", words::noun_phrase(a)),
        [a, b, ..] => format!("I see {}, or {}…", words::noun_phrase(a), words::noun_phrase(b)),
    }
}

/// The final score: "I recognised 4 of your 6 drawings".
pub fn score_line(recognised: usize, rounds: usize) -> String {
    let drawings = if rounds == 1 { "drawing" } else { "drawings" };
    format!("I recognised {recognised} of your {rounds} {drawings}")
}

/// "How others drew it": a few real Quick, Draw! drawings per class, shown beside the
/// player's own at the end of a game (models/sketch/examples.json, written by
/// models/train/make_examples.py; CC BY 4.0, `credit` says by whom).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Examples {
    pub credit: String,
    pub classes: BTreeMap<String, Vec<Example>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Example {
    /// Google's simplified strokes (0..255), each `[[x…], [y…]]`.
    Strokes { strokes: Vec<[Vec<f32>; 2]> },
    /// A 28×28 dataset bitmap as a PNG data URL, dark ink on white.
    Png { png: String },
}

impl Examples {
    pub fn parse(json: &str) -> Result<Self> {
        serde_json::from_str(json).map_err(|e| Error::BadInput(format!("examples.json: {e}")))
    }
}

impl Example {
    /// The drawing as the page's strokes (points), if it is one.
    pub fn points(&self) -> Option<Vec<Stroke>> {
        match self {
            Example::Strokes { strokes } => Some(
                strokes.iter().map(|[xs, ys]| xs.iter().zip(ys).map(|(&x, &y)| [x, y]).collect()).collect(),
            ),
            Example::Png { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_has_drawings_by_others_within_the_budget() {
        let json = include_str!("../../../models/sketch/examples.json");
        assert!(json.len() < 200_000, "examples.json is {} bytes (budget 200 KB)", json.len());
        let examples = Examples::parse(json).unwrap();
        assert!(examples.credit.contains("CC BY 4.0"));
        for label in include_str!("../../../models/sketch/labels.txt").lines().filter(|l| !l.is_empty()) {
            let drawings = examples.classes.get(label).unwrap_or_else(|| panic!("no examples of {label}"));
            assert_eq!(drawings.len(), 3, "{label}");
            for d in drawings {
                match d {
                    Example::Png { png } => assert!(png.starts_with("data:image/png;base64,"), "{label}"),
                    Example::Strokes { .. } => {
                        let points = d.points().unwrap();
                        assert!(
                            !points.is_empty()
                                && points.iter().flatten().all(|p| (0.0..=255.0).contains(&p[0]))
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_game_speaks_in_sentences() {
        assert_eq!(won_line("apple"), "Oh, I know — it's an apple!");
        assert_eq!(won_line("The Mona Lisa"), "Oh, I know — it's The Mona Lisa!");
        assert_eq!(won_line("flip flops"), "Oh, I know — it's flip flops!");
        assert_eq!(
            missed_line(false, &["cloud", "moon"]),
            "Sorry, I couldn't guess it. I thought it was a cloud or the moon."
        );
        assert_eq!(missed_line(true, &[]), "Skipped.");
        assert_eq!(live_line(&["octopus", "pants"], false), "I see an octopus, or pants…");
        assert_eq!(live_line(&["eye"], true), "Not sure yet… an eye?");
        assert_eq!(score_line(1, 1), "I recognised 1 of your 1 drawing");
    }

    #[test]
    fn a_prompt_list_keeps_only_known_classes() {
        let known: Vec<String> = ["cat", "house", "apple"].map(String::from).to_vec();
        assert_eq!(prompts_from_list(" house,cat ,house,, dog", &known), ["house", "cat"]);
        assert!(prompts_from_list("<img src=x onerror=alert(1)>,Buy crypto now", &known).is_empty());
        let many = ["cat"; 3].join(",") + ",house,apple";
        assert_eq!(prompts_from_list(&many, &known).len(), 3);
    }

    const EVAL: &str = r#"{"heldout": {"per_class": {
        "cat": {"top1": 0.885}, "house": {"top1": 0.97}, "apple": {"top1": 0.94}, "dog": {"top1": 0.75}}}}"#;

    #[test]
    fn only_well_recognised_classes_are_prompts() {
        assert_eq!(playable_classes(EVAL, 0.9).unwrap(), ["apple", "house"]);
    }

    #[test]
    fn the_shipped_eval_gives_enough_prompts_for_a_game() {
        let eval = include_str!("../../../models/sketch/eval.json");
        let classes = playable_classes(eval, MIN_HELDOUT_TOP1).unwrap();
        assert!(classes.len() >= ROUNDS, "{classes:?}");
        assert!(!classes.contains(&"dog".to_string()), "dog is at 33% held-out top-1");
    }

    #[test]
    fn prompts_never_repeat_whatever_the_random_source() {
        let classes: Vec<String> = (0..10).map(|i| format!("c{i}")).collect();
        for r in [0.0, 0.5, 0.999_999, 1.0] {
            let picked = pick_prompts(&classes, ROUNDS, || r);
            let mut unique = picked.clone();
            unique.sort();
            unique.dedup();
            assert_eq!((picked.len(), unique.len()), (ROUNDS, ROUNDS));
        }
        assert_eq!(pick_prompts(&classes[..2], ROUNDS, || 0.3).len(), 2);
    }
}
