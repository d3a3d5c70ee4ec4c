//! The Quick Draw game's rules that need no browser: which classes make fair prompts, and
//! drawing six of them without repeats.

use crate::{Error, Result};

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

#[cfg(test)]
mod tests {
    use super::*;

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
