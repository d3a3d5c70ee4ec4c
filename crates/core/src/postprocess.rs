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
    fn top_k_is_sorted_and_truncated() {
        let labels: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        let top = top_k(&[0.1, 0.4, 0.2, 0.3], &labels, 3);
        let names: Vec<&str> = top.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(names, ["b", "d", "c"]);
    }

    #[test]
    fn top_k_larger_than_classes_returns_all() {
        let labels = vec!["x".to_string(), "y".to_string()];
        assert_eq!(top_k(&[0.5, 0.5], &labels, 5).len(), 2);
    }
}
