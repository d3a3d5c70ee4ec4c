//! Writing with a character-level language model ([`InputKind::Chars`]): the window of ids it
//! reads, the next character drawn at a temperature, and the loss it is measured by. The model
//! answers at every position of its window (its attention is causal), so the text is written from
//! the window's start and the answer read at its last character; past the window, the window
//! slides.

use crate::input::{Feed, InputKind};
use crate::model::Model;
use crate::postprocess::softmax;
use crate::random::Draws;
use crate::registry::Task;
use crate::{Error, Result};

/// Most characters one request may ask for: a page streams longer texts as several requests, so
/// it shows them as they come and can stop between two.
pub const MAX_COUNT: usize = 256;
/// Hottest temperature accepted: beyond it the text is noise.
pub const MAX_TEMPERATURE: f32 = 2.0;
/// What an empty prompt starts from: a line break, as a speech does.
const EMPTY_PROMPT: &str = "\n";

/// The id of `c` in `vocabulary`; a character the vocabulary lacks is read as a space (or its
/// first character), so any typed text can be continued.
fn id_of(vocabulary: &[String], c: char) -> usize {
    let mut buffer = [0u8; 4];
    let c = c.encode_utf8(&mut buffer) as &str;
    vocabulary.iter().position(|v| v == c).or_else(|| vocabulary.iter().position(|v| v == " ")).unwrap_or(0)
}

/// The window `model` reads for the end of `text`: the ids of its last `window` characters
/// written from the start (the rest 0), and how many there are.
pub fn window_ids(vocabulary: &[String], text: &str, window: usize) -> (Vec<i64>, usize) {
    let chars: Vec<char> = text.chars().collect();
    let tail = &chars[chars.len().saturating_sub(window)..];
    let mut ids = vec![0i64; window];
    for (slot, &c) in ids.iter_mut().zip(tail) {
        *slot = id_of(vocabulary, c) as i64;
    }
    (ids, tail.len())
}

/// The index drawn from `logits` at `temperature` (0: the likeliest, always).
pub fn draw(logits: &[f32], temperature: f32, draws: &mut Draws) -> usize {
    let best = logits.iter().enumerate().fold(0, |b, (i, &v)| if v > logits[b] { i } else { b });
    if temperature <= 0.0 {
        return best;
    }
    let scaled: Vec<f32> = logits.iter().map(|&v| v / temperature).collect();
    let mut left = draws.uniform() as f32;
    for (i, p) in softmax(&scaled).into_iter().enumerate() {
        left -= p;
        if left < 0.0 {
            return i;
        }
    }
    best // the probabilities' rounding left a sliver past their sum
}

fn char_model(model: &Model) -> Result<usize> {
    match (model.task, &model.input) {
        (Some(Task::Write), InputKind::Chars(spec)) => Ok(spec.window),
        _ => Err(Error::BadInput(format!("model \"{}\" does not write text", model.name))),
    }
}

/// The next-character logits after `text` (empty: after a line break).
pub fn next_logits(model: &Model, text: &str) -> Result<Vec<f32>> {
    let window = char_model(model)?;
    let text = if text.is_empty() { EMPTY_PROMPT } else { text };
    let (ids, len) = window_ids(&model.labels, text, window);
    let all = model.run_feeds(&[Feed::I64(&ids)])?;
    let vocabulary = model.labels.len();
    Ok(all[(len - 1) * vocabulary..len * vocabulary].to_vec())
}

/// `count` characters that follow `text`, drawn at `temperature` from `seed`.
pub fn write(model: &Model, text: &str, count: usize, temperature: f32, seed: u64) -> Result<String> {
    let window = char_model(model)?;
    if count > MAX_COUNT {
        return Err(Error::BadInput(format!("{count} characters at once: at most {MAX_COUNT}")));
    }
    if !(0.0..=MAX_TEMPERATURE).contains(&temperature) {
        return Err(Error::BadInput(format!(
            "a temperature of {temperature}: it must be 0 to {MAX_TEMPERATURE}"
        )));
    }
    let mut draws = Draws::new(seed);
    // Only the window's worth of a long text is ever read.
    let skip = text.chars().count().saturating_sub(window);
    let mut context: String = text.chars().skip(skip).collect();
    let mut written = String::new();
    for _ in 0..count {
        let next = &model.labels[draw(&next_logits(model, &context)?, temperature, &mut draws)];
        written.push_str(next);
        context.push_str(next);
    }
    Ok(written)
}

/// Mean cross-entropy of `text` under `model`, in nats per character: read in consecutive
/// windows, each character predicted from those before it in its window (as
/// models/train/train_chargpt.py measures the evaluation split).
pub fn mean_loss(model: &Model, text: &str) -> Result<f64> {
    let window = char_model(model)?;
    let (vocabulary, labels) = (model.labels.len(), &model.labels);
    let chars: Vec<char> = text.chars().collect();
    let mut total = 0.0;
    let mut scored = 0usize;
    for start in (0..chars.len().saturating_sub(1)).step_by(window) {
        let end = (start + window).min(chars.len() - 1);
        let piece: String = chars[start..end].iter().collect();
        let (ids, len) = window_ids(labels, &piece, window);
        let logits = model.run_feeds(&[Feed::I64(&ids)])?;
        for (position, &target) in chars[start + 1..=end].iter().enumerate().take(len) {
            let row = &logits[position * vocabulary..(position + 1) * vocabulary];
            // −log softmax, in f64: a rare character's probability would lose digits in f32.
            let top = row.iter().copied().fold(f32::MIN, f32::max);
            let log_sum = f64::from(top) + row.iter().map(|&v| f64::from(v - top).exp()).sum::<f64>().ln();
            total += log_sum - f64::from(row[id_of(labels, target)]);
            scored += 1;
        }
    }
    if scored == 0 {
        return Err(Error::BadInput("no text to measure".into()));
    }
    Ok(total / scored as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab(s: &str) -> Vec<String> {
        s.chars().map(String::from).collect()
    }

    #[test]
    fn the_window_holds_the_end_of_the_text_from_its_start() {
        let v = vocab(" abc");
        assert_eq!(window_ids(&v, "ab", 4), (vec![1, 2, 0, 0], 2));
        assert_eq!(window_ids(&v, "abcab", 3), (vec![3, 1, 2], 3));
        // é is not in the vocabulary: read as a space
        assert_eq!(window_ids(&v, "aé", 3), (vec![1, 0, 0], 2));
    }

    #[test]
    fn draws_follow_the_temperature() {
        let logits = [0.0, 2.0, 1.0];
        let mut d = Draws::new(1);
        assert!((0..50).all(|_| draw(&logits, 0.0, &mut d) == 1));
        let mut counts = [0; 3];
        for _ in 0..3000 {
            counts[draw(&logits, 1.0, &mut d)] += 1;
        }
        // softmax(0, 2, 1) = 0.090, 0.665, 0.245
        assert!((counts[1] as f64 / 3000.0 - 0.665).abs() < 0.04, "{counts:?}");
        assert!((counts[0] as f64 / 3000.0 - 0.090).abs() < 0.03, "{counts:?}");
        let sequence = |seed| {
            let mut d = Draws::new(seed);
            (0..40).map(|_| draw(&logits, 1.0, &mut d)).collect::<Vec<_>>()
        };
        assert_eq!(sequence(7), sequence(7));
        assert_ne!(sequence(7), sequence(8));
    }
}
