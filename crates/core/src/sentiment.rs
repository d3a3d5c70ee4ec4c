//! How a sentence feels to a BERT-style encoder with a sentiment head ([`InputKind::Tokens`]:
//! all-MiniLM-L6-v2 + a logistic head, models/sentiment/MODEL.md): the WordPiece tokens it reads,
//! the probability it gives "positive", where its first layer looks, and what each word does
//! to the answer (the change when that word is left out of the sentence).

use crate::input::{Feed, InputKind, TokenSpec};
use crate::model::Model;
use crate::postprocess::softmax;
use crate::protocol::{Feeling, Token};
use crate::registry::Task;
use crate::wordpiece::{Encoding, Vocab};
use crate::{Error, Result};

fn encoder_of(model: &Model) -> Result<(TokenSpec, &Vocab)> {
    match (model.task, &model.input, &model.vocab) {
        (Some(Task::Feel), InputKind::Tokens(spec), Some(vocab)) => Ok((*spec, vocab)),
        _ => Err(Error::BadInput(format!("model \"{}\" does not read sentences", model.name))),
    }
}

/// The tokens of `text` and the model's outputs on them: (encoding, P(positive), attention).
fn run(model: &Model, text: &str) -> Result<(Encoding, f32, Vec<f32>)> {
    let (spec, vocab) = encoder_of(model)?;
    let encoding = vocab.encode(text, spec.seq);
    let (ids, mask) = encoding.padded(spec.seq, vocab.pad);
    let mut outputs = model.run_all(&[Feed::I64(&ids), Feed::I64(&mask)])?.into_iter();
    let (logits, attention) = (outputs.next().unwrap_or_default(), outputs.next().unwrap_or_default());
    let positive = softmax(&logits).get(1).copied().ok_or_else(|| {
        Error::Inference(format!("the model gave {} values, not 2 (negative, positive)", logits.len()))
    })?;
    Ok((encoding, positive, attention))
}

fn nothing_to_read(text: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(Error::BadInput("there is no sentence to read: type one".into()));
    }
    Ok(())
}

/// How `text` feels; `millis` is left 0 for the caller's clock.
pub fn feel(model: &Model, text: &str) -> Result<Feeling> {
    nothing_to_read(text)?;
    let seq = encoder_of(model)?.0.seq;
    let (encoding, positive, attention) = run(model, text)?;
    let vocab = model.vocab.as_ref().expect("checked by encoder_of");
    let n = encoding.ids.len();
    if attention.len() % (seq * seq) != 0 || attention.is_empty() {
        return Err(Error::Inference(format!("its attention output has {} values", attention.len())));
    }
    let heads = attention.len() / (seq * seq);
    // Only the tokens read: the rows and columns of padding are left out.
    let attention = (0..heads)
        .flat_map(|h| (0..n).flat_map(move |q| (0..n).map(move |k| (h * seq + q) * seq + k)))
        .map(|i| attention[i])
        .collect();
    let tokens = encoding
        .ids
        .iter()
        .zip(&encoding.word_of)
        .map(|(&id, word)| Token {
            text: vocab.token(id).unwrap_or("[UNK]").to_string(),
            word: word.map(|w| w as u32),
        })
        .collect();
    Ok(Feeling {
        positive,
        words: encoding.words.iter().map(|r| (r.start as u32, r.end as u32)).collect(),
        tokens,
        attention,
        heads: heads as u32,
        truncated: encoding.truncated,
        millis: 0.0,
    })
}

/// The probability of "positive" for `text` with each of `words` (indices into
/// [`Feeling::words`]) left out, one at a time: the word becomes a space (so "isn't" less "'"
/// is "isn t", not a new word), and the text is cut after the last word read (so no word from
/// past the model's length slides in).
pub fn leave_out(model: &Model, text: &str, words: &[u32]) -> Result<Vec<f32>> {
    nothing_to_read(text)?;
    let (spec, vocab) = encoder_of(model)?;
    let ranges = vocab.encode(text, spec.seq).words;
    let read = &text[..ranges.last().map_or(0, |r| r.end)];
    words
        .iter()
        .map(|&w| {
            let range = ranges.get(w as usize).ok_or_else(|| {
                Error::BadInput(format!("word {w} of a sentence of {} words read", ranges.len()))
            })?;
            let without = format!("{} {}", &read[..range.start], &read[range.end..]);
            Ok(run(model, &without)?.1)
        })
        .collect()
}
