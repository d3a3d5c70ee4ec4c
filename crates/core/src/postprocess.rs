//! Turning raw model outputs into what people read: probabilities and the top-k labels.

use serde::{Deserialize, Serialize};

/// One guess: a label and its probability in 0..=1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Guess {
    pub label: String,
    pub probability: f32,
}

/// Numerically stable softmax (subtracting the max keeps `exp` from overflowing).
pub fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = logits.iter().map(|&x| (x - max).exp()).collect();
    let sum: f32 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

/// Entropy in nats: 0 when one class has it all, ln(n) when n classes share it evenly.
pub fn entropy(probabilities: &[f32]) -> f32 {
    -probabilities.iter().filter(|&&p| p > 0.0).map(|&p| p * p.ln()).sum::<f32>()
}

/// "Not sure" from two models that see the same input (a narrow and a wide one, as in [`widen`]): a
/// linear rule on four signs of their probabilities, `weights · [H(narrow), ln max(narrow),
/// H(wide), ln max(wide)] > above` (H: [`entropy`]). A drawing of another of the wide model's
/// classes spreads the narrow model's probabilities but not the wide one's; a scribble spreads
/// both, and leaves the wide model a long tail (an entropy high for its top probability).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NotSure {
    pub weights: [f32; 4],
    pub above: f32,
}

impl NotSure {
    pub fn says(&self, narrow: &[f32], wide: &[f32]) -> bool {
        let top = |p: &[f32]| p.iter().copied().fold(f32::MIN_POSITIVE, f32::max).ln();
        let signs = [entropy(narrow), top(narrow), entropy(wide), top(wide)];
        signs.iter().zip(self.weights).map(|(s, w)| s * w).sum::<f32>() > self.above
    }
}

/// How many guesses an answer holds.
pub const TOP_K: usize = 5;
/// [`Answer::values`] holds at most this many values (a segmentation output has millions).
pub const MAX_VALUES: usize = 1000;

/// The `k` best scores, best first, ties in output order (so results are stable), named by
/// `labels` or "#index". Only those are sorted: a segmentation model's output has millions.
pub fn top_k(scores: &[f32], labels: &[String], k: usize) -> Vec<Guess> {
    let best_first = |&a: &usize, &b: &usize| scores[b].total_cmp(&scores[a]).then(a.cmp(&b));
    let mut order: Vec<usize> = (0..scores.len()).collect();
    let k = k.min(order.len());
    if k < order.len() {
        order.select_nth_unstable_by(k, best_first);
        order.truncate(k);
    }
    order.sort_by(best_first);
    order
        .into_iter()
        .map(|i| Guess {
            label: labels.get(i).cloned().unwrap_or_else(|| format!("#{i}")),
            probability: scores[i],
        })
        .collect()
}

/// How a model's raw output becomes the scores of [`Answer::top`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scores {
    /// The values lie in 0..1 and sum to 1: shown as they are.
    Probabilities,
    /// The values lie in 0..1 but do not sum to 1 (sigmoid outputs, one per label): shown
    /// as they are.
    Independent,
    /// Softmax applied: the values are logits (the registry's models), or looked like them.
    Softmax,
    /// Shown as they are, not probabilities: a single value outside 0..1, or NaN / infinity.
    Raw,
}

/// How a model's outputs are scored: known (the registry's classifiers output logits), or read
/// from the values (a person's model, trained for who knows what).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scoring {
    Softmax,
    Detect,
}

impl Scoring {
    pub fn score(self, values: &[f32]) -> (Vec<f32>, Scores) {
        match self {
            Scoring::Softmax => (softmax(values), Scores::Softmax),
            Scoring::Detect => detect(values),
        }
    }
}

/// Softmax only when the values do not already read as probabilities.
fn detect(values: &[f32]) -> (Vec<f32>, Scores) {
    let unit = |v: &f32| (0.0..=1.0).contains(v);
    if values.iter().any(|v| !v.is_finite()) || (values.len() == 1 && !unit(&values[0])) {
        return (values.to_vec(), Scores::Raw);
    }
    if values.iter().all(unit) {
        // f32 sums of many probabilities drift by ~1e-6 per term.
        let sum: f64 = values.iter().map(|&v| f64::from(v)).sum();
        let kind = if (sum - 1.0).abs() <= 1e-3 { Scores::Probabilities } else { Scores::Independent };
        return (values.to_vec(), kind);
    }
    (softmax(values), Scores::Softmax)
}

/// What a model says of one input: every model's answer, registry or a person's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// Best first.
    pub top: Vec<Guess>,
    /// Too unsure to name a guess: probably none of the classes, or an unfinished drawing (registry
    /// `not_sure_above` for a model alone; widened, [`NotSure`] on both models' probabilities).
    pub not_sure: bool,
    pub scores: Scores,
    /// The model's first output, flattened: its first [`MAX_VALUES`] raw values.
    pub values: Vec<f32>,
    /// How many values that output has in all.
    pub output_len: usize,
}

/// Probabilities raised to `1 / temperature` and renormalised: below 1 the likeliest take more of
/// the mass, above 1 less; the order stays. At 1 (or at a temperature that is not a positive
/// number, which would reverse or lose the order) they are returned as they are.
pub fn sharpen(probabilities: &[f32], temperature: f32) -> Vec<f32> {
    if temperature == 1.0 || !(temperature > 0.0 && temperature.is_finite()) {
        return probabilities.to_vec();
    }
    let powered: Vec<f32> = probabilities.iter().map(|p| p.powf(1.0 / temperature)).collect();
    let sum: f32 = powered.iter().sum();
    if sum > 0.0 && sum.is_finite() {
        powered.iter().map(|p| p / sum).collect()
    } else {
        probabilities.to_vec()
    }
}

/// One distribution over the wide model's labels from two models that see the same input: a
/// narrow one (fewer classes, more accurate on them) and a wide one (every class). The wide model
/// says how likely the drawing is one of the narrow model's classes (their summed probability
/// `m`, weighed by `prior`: odds `prior · m : 1 − m`); the narrow model says which of them:
/// `∝ prior · m · narrow[c]` for its classes, `∝ wide[c]` for the rest. The result sums to one,
/// and among the narrow classes the order is the narrow model's. A narrow label the wide model
/// lacks keeps its share under its own name, appended.
pub fn widen(
    narrow: &[f32],
    narrow_labels: &[String],
    wide: &[f32],
    wide_labels: &[String],
    prior: f32,
) -> (Vec<f32>, Vec<String>) {
    let mut labels = wide_labels.to_vec();
    let mut probabilities = wide.to_vec();
    let at: Vec<Option<usize>> =
        narrow_labels.iter().map(|l| wide_labels.iter().position(|w| w == l)).collect();
    let inside: f32 = at.iter().flatten().map(|&i| wide[i]).sum();
    let total = prior * inside + (1.0 - inside);
    let (mass, rest) = (prior * inside / total, 1.0 / total);
    probabilities.iter_mut().for_each(|p| *p *= rest);
    for ((p, label), i) in narrow.iter().zip(narrow_labels).zip(at) {
        match i {
            Some(i) => probabilities[i] = mass * p,
            None => {
                labels.push(label.clone());
                probabilities.push(mass * p);
            }
        }
    }
    (probabilities, labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_sums_to_one_and_keeps_order() {
        let p = softmax(&[1.0, 3.0, 2.0]);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(p[1] > p[2] && p[2] > p[0]);
    }

    #[test]
    fn softmax_survives_huge_logits() {
        let p = softmax(&[1000.0, 0.0]);
        assert!((p[0] - 1.0).abs() < 1e-6 && p[1].is_finite());
    }

    #[test]
    fn entropy_is_zero_when_sure_and_ln_n_when_even() {
        assert_eq!(entropy(&[1.0, 0.0]), 0.0);
        assert!((entropy(&[0.25; 4]) - 4f32.ln()).abs() < 1e-6);
    }

    #[test]
    fn top_k_is_sorted_and_truncated() {
        let labels: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        let top = top_k(&[0.1, 0.4, 0.2, 0.3], &labels, 3);
        let names: Vec<&str> = top.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(names, ["b", "d", "c"]);
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn widening_keeps_the_narrow_order_inside_and_the_wide_mass_outside() {
        let narrow_labels = names(&["cat", "dog"]);
        let wide_labels = names(&["ant", "cat", "dog", "eel"]);
        // The wide model prefers dog, the narrow one cat: cat wins among the two, with their mass.
        let (p, labels) = widen(&[0.9, 0.1], &narrow_labels, &[0.1, 0.2, 0.4, 0.3], &wide_labels, 1.0);
        assert_eq!(labels, wide_labels);
        let expected = [0.1, 0.54, 0.06, 0.3];
        assert!(p.iter().zip(expected).all(|(a, b)| (a - b).abs() < 1e-6), "{p:?}");
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        // A drawing the wide model places outside the narrow classes keeps its wide answer.
        let (p, _) = widen(&[0.9, 0.1], &narrow_labels, &[0.05, 0.0, 0.05, 0.9], &wide_labels, 1.0);
        assert_eq!(top_k(&p, &wide_labels, 1)[0].label, "eel");
        // A prior of 3 turns odds 0.05 : 0.95 for the narrow classes into 0.15 : 0.95.
        let (p, _) = widen(&[0.9, 0.1], &narrow_labels, &[0.05, 0.0, 0.05, 0.9], &wide_labels, 3.0);
        assert!((p[1] - 0.9 * 0.15 / 1.1).abs() < 1e-6 && (p[3] - 0.9 / 1.1).abs() < 1e-6, "{p:?}");
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        // A narrow label the wide model lacks is kept.
        let (p, labels) =
            widen(&[0.5, 0.5], &names(&["cat", "yak"]), &[0.2, 0.4, 0.2, 0.2], &wide_labels, 1.0);
        assert_eq!(labels.last().unwrap(), "yak");
        assert_eq!(p.len(), 5);
        assert!((p[1] - 0.2).abs() < 1e-6 && (p[4] - 0.2).abs() < 1e-6, "cat's mass split in two: {p:?}");
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn sharpening_keeps_the_order_and_the_sum() {
        let p = sharpen(&[0.6, 0.3, 0.1], 0.5);
        let expected = [0.36 / 0.46, 0.09 / 0.46, 0.01 / 0.46];
        assert!(p.iter().zip(expected).all(|(a, b)| (a - b).abs() < 1e-6), "{p:?}");
        assert_eq!(sharpen(&[0.6, 0.3, 0.1], 1.0), [0.6, 0.3, 0.1]);
        // Nothing to share (all zero, or underflow): the input as it is, never NaN.
        assert_eq!(sharpen(&[0.0, 0.0], 0.5), [0.0, 0.0]);
        assert_eq!(sharpen(&[1e-30, 1e-30], 0.1), [1e-30, 1e-30]);
        for bad in [0.0, -0.5, f32::NAN, f32::INFINITY] {
            assert_eq!(sharpen(&[0.6, 0.3, 0.1], bad), [0.6, 0.3, 0.1]);
        }
    }

    #[test]
    fn not_sure_weighs_both_models_signs() {
        let rule = NotSure { weights: [1.0, 0.0, 1.0, 0.0], above: 2.0 };
        let even = [0.25; 4];
        // ln 4 + ln 4 = 2.77 > 2; one of them sure: 1.39 + 0 is not.
        assert!(rule.says(&even, &even));
        assert!(!rule.says(&even, &[1.0, 0.0, 0.0, 0.0]));
        // The top probability's log: ln 0.25 · 2 = −2.77 pulls the even pair below 2.
        let tail = NotSure { weights: [1.0, 1.0, 1.0, 1.0], above: 0.1 };
        assert!(!tail.says(&even, &even));
        // Zeros and an empty list do not make it NaN.
        assert!(!rule.says(&[0.0, 0.0], &[]));
    }

    #[test]
    fn scores_say_what_was_done() {
        let detect = |v: &[f32]| Scoring::Detect.score(v);
        assert_eq!(detect(&[0.2, 0.8]).1, Scores::Probabilities);
        assert_eq!(detect(&[0.9, 0.8]).1, Scores::Independent);
        let (p, kind) = detect(&[2.0, -1.0]);
        assert_eq!(kind, Scores::Softmax);
        assert!((p[0] + p[1] - 1.0).abs() < 1e-6);
        assert_eq!(detect(&[3.5]).1, Scores::Raw);
        assert_eq!(detect(&[f32::NAN, 1.0]).1, Scores::Raw);
        assert_eq!(Scoring::Softmax.score(&[0.2, 0.8]).1, Scores::Softmax);
    }

    #[test]
    fn top_k_is_the_best_in_order_named_or_numbered() {
        let scored: Vec<f32> = (0..1000).map(|i| ((i * 37) % 1000) as f32).collect();
        let top = top_k(&scored, &["zero".to_string()], TOP_K);
        let values: Vec<f32> = top.iter().map(|g| g.probability).collect();
        assert_eq!(values, [999.0, 998.0, 997.0, 996.0, 995.0]);
        assert!(top.iter().all(|g| g.label.starts_with('#')));
        // Ties keep output order; fewer values than k; labels used when given.
        let labels: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let names: Vec<String> =
            top_k(&[0.5, 0.5, 0.9], &labels, TOP_K).into_iter().map(|g| g.label).collect();
        assert_eq!(names, ["c", "a", "b"]);
        assert!(top_k(&[], &labels, TOP_K).is_empty());
    }

    #[test]
    fn top_k_larger_than_classes_returns_all() {
        let labels = vec!["x".to_string(), "y".to_string()];
        assert_eq!(top_k(&[0.5, 0.5], &labels, 5).len(), 2);
    }
}
