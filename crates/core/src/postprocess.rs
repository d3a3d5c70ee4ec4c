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

/// The `k` most probable labels, best first. Ties keep label order, so results are stable.
pub fn top_k(probabilities: &[f32], labels: &[String], k: usize) -> Vec<Guess> {
    let mut order: Vec<usize> = (0..probabilities.len().min(labels.len())).collect();
    order.sort_by(|&a, &b| probabilities[b].total_cmp(&probabilities[a]).then(a.cmp(&b)));
    order
        .into_iter()
        .take(k)
        .map(|i| Guess { label: labels[i].clone(), probability: probabilities[i] })
        .collect()
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
    fn top_k_larger_than_classes_returns_all() {
        let labels = vec!["x".to_string(), "y".to_string()];
        assert_eq!(top_k(&[0.5, 0.5], &labels, 5).len(), 2);
    }
}
