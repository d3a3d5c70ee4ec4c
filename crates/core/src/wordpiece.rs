//! BERT's uncased WordPiece tokenizer: a sentence → the token ids a BERT-style encoder reads
//! (`[CLS] pieces [SEP]`), and for each token the word of the sentence it came from, so a page
//! can show what the model looked at word by word.
//!
//! It reproduces Hugging Face `tokenizers`' `BertWordPieceTokenizer` with the uncased settings
//! all-MiniLM-L6-v2 uses (checked id for id on 443 sentences: `tests/wordpiece.rs`, fixture made
//! by `models/train/make_tokenizer_ref.py`):
//!
//! 1. the special tokens `[PAD] [UNK] [CLS] [SEP] [MASK]`, written literally, are taken whole
//!    (as `tokenizers` does for its added tokens; `[cls]` is not one);
//! 2. clean text: NUL, U+FFFD and "other" characters (Cc except tab/newline/return, Cf, Co)
//!    are dropped, whitespace becomes a space;
//! 3. CJK ideographs become words of their own;
//! 4. strip accents: NFD, then nonspacing marks (Mn) dropped; then lower case;
//! 5. split on whitespace and around punctuation (ASCII 33–47, 58–64, 91–96, 123–126 and the
//!    Unicode P* categories), each mark a word;
//! 6. each word, greedy longest match first from the vocabulary, continuations prefixed `##`;
//!    a word longer than 100 characters, or one that cannot be covered, is one `[UNK]`.
//!
//! Not the `tokenizers` crate: it brings onig (C) or fancy-regex, rayon and serde models for
//! every tokenizer family, far too much code for the browser worker for one uncased vocabulary.
//! This is pure Rust with two small table crates (`unicode-normalization` for NFD,
//! `unicode-general-category` for Mn / P* / C*), no tract, so the app can use it too.

use crate::{Error, Result};
use std::collections::HashMap;
use std::ops::Range;
use unicode_general_category::{get_general_category, GeneralCategory as G};

/// Words longer than this (in characters, after normalisation) are one `[UNK]` (BERT's limit).
pub const MAX_WORD_CHARS: usize = 100;
const SPECIALS: [&str; 5] = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

/// A WordPiece vocabulary: one token a line, the line number its id.
pub struct Vocab {
    ids: HashMap<String, i64>,
    tokens: Vec<String>,
    pub pad: i64,
    pub unk: i64,
    pub cls: i64,
    pub sep: i64,
}

/// A sentence as the encoder reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoding {
    /// `[CLS]`, the word pieces, `[SEP]`: at most the `max_len` asked for, without padding.
    pub ids: Vec<i64>,
    /// For each id, the index in `words` of the word it is part of; `None` for `[CLS]` and `[SEP]`.
    pub word_of: Vec<Option<usize>>,
    /// Byte range in the text of each word that has at least one token in `ids` (a punctuation
    /// mark is a word of its own; a CJK ideograph too).
    pub words: Vec<Range<usize>>,
    /// Whether word pieces were left out to fit `max_len`.
    pub truncated: bool,
}

impl Encoding {
    /// `ids` padded with `pad` to `len`, and the attention mask (1 for a token, 0 for padding).
    pub fn padded(&self, len: usize, pad: i64) -> (Vec<i64>, Vec<i64>) {
        let mut ids = self.ids.clone();
        let mut mask = vec![1; ids.len()];
        ids.resize(len.max(ids.len()), pad);
        mask.resize(ids.len(), 0);
        (ids, mask)
    }
}

impl Vocab {
    /// Reads a `vocab.txt` (BERT's: 30,522 lines). It must hold the special tokens.
    pub fn from_text(text: &str) -> Result<Vocab> {
        let tokens: Vec<String> = text.lines().map(|l| l.trim_end_matches('\r').to_string()).collect();
        let mut ids = HashMap::with_capacity(tokens.len());
        for (i, token) in tokens.iter().enumerate() {
            ids.entry(token.clone()).or_insert(i as i64);
        }
        let find = |t: &str| {
            ids.get(t).copied().ok_or_else(|| Error::BadInput(format!("the vocabulary has no {t} token")))
        };
        Ok(Vocab {
            pad: find("[PAD]")?,
            unk: find("[UNK]")?,
            cls: find("[CLS]")?,
            sep: find("[SEP]")?,
            ids,
            tokens,
        })
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The token of an id (`##`-prefixed for a continuation).
    pub fn token(&self, id: i64) -> Option<&str> {
        usize::try_from(id).ok().and_then(|i| self.tokens.get(i)).map(String::as_str)
    }

    /// The id of a token, if the vocabulary has it.
    pub fn id(&self, token: &str) -> Option<i64> {
        self.ids.get(token).copied()
    }

    /// `[CLS]`, the text's word pieces, `[SEP]`, at most `max_len` ids in all (≥ 2): pieces past
    /// `max_len - 2` are left out and `truncated` set.
    pub fn encode(&self, text: &str, max_len: usize) -> Encoding {
        let keep = max_len.saturating_sub(2);
        let mut enc =
            Encoding { ids: vec![self.cls], word_of: vec![None], words: Vec::new(), truncated: false };
        for (range, word) in words(text) {
            let pieces = match word {
                Word::Special(token) => vec![self.ids[token]],
                Word::Text(chars) => self.pieces(&chars),
            };
            let room = keep - (enc.ids.len() - 1);
            if pieces.len() > room {
                enc.truncated = true;
            }
            let taken = pieces.len().min(room);
            if taken > 0 {
                enc.ids.extend_from_slice(&pieces[..taken]);
                enc.word_of.extend(std::iter::repeat_n(Some(enc.words.len()), taken));
                enc.words.push(range);
            }
            if enc.truncated {
                break;
            }
        }
        enc.ids.push(self.sep);
        enc.word_of.push(None);
        enc
    }

    /// One word's pieces, greedy longest match first; `[UNK]` alone if it cannot be covered.
    fn pieces(&self, chars: &[char]) -> Vec<i64> {
        if chars.len() > MAX_WORD_CHARS {
            return vec![self.unk];
        }
        let mut out = Vec::new();
        let mut start = 0;
        let mut candidate = String::new();
        while start < chars.len() {
            let mut found = None;
            for end in (start + 1..=chars.len()).rev() {
                candidate.clear();
                if start > 0 {
                    candidate.push_str("##");
                }
                candidate.extend(&chars[start..end]);
                if let Some(&id) = self.ids.get(candidate.as_str()) {
                    found = Some((id, end));
                    break;
                }
            }
            match found {
                Some((id, end)) => {
                    out.push(id);
                    start = end;
                }
                None => return vec![self.unk],
            }
        }
        out
    }
}

enum Word {
    Special(&'static str),
    /// The word's characters after normalisation.
    Text(Vec<char>),
}

/// The text's words in order with their byte ranges: special tokens whole, the rest cleaned,
/// normalised and split on whitespace and punctuation.
fn words(text: &str) -> Vec<(Range<usize>, Word)> {
    let mut out = Vec::new();
    let mut rest = 0;
    // Where each special token next occurs at or after `rest` (None: nowhere), looked up again
    // only once `rest` has passed it: a pasted text full of one special is read once, not once
    // per occurrence of it.
    let mut found: [Option<Option<usize>>; SPECIALS.len()] = [None; SPECIALS.len()];
    while rest < text.len() {
        for (i, s) in SPECIALS.iter().enumerate() {
            let stale = match found[i] {
                None => true,
                Some(Some(at)) => at < rest,
                Some(None) => false,
            };
            if stale {
                found[i] = Some(text[rest..].find(s).map(|at| rest + at));
            }
        }
        let next = SPECIALS
            .iter()
            .zip(&found)
            .filter_map(|(s, at)| at.flatten().map(|at| (at, *s)))
            .min_by_key(|&(at, s)| (at, std::cmp::Reverse(s.len())));
        let end = next.map_or(text.len(), |(at, _)| at);
        split_plain(text, rest..end, &mut out);
        match next {
            Some((at, special)) => {
                out.push((at..at + special.len(), Word::Special(special)));
                rest = at + special.len();
            }
            None => rest = text.len(),
        }
    }
    out
}

/// Steps 2–5 on `text[range]`.
fn split_plain(text: &str, range: Range<usize>, out: &mut Vec<(Range<usize>, Word)>) {
    let mut word: Vec<char> = Vec::new();
    let mut span: Option<Range<usize>> = None;
    let flush =
        |word: &mut Vec<char>, span: &mut Option<Range<usize>>, out: &mut Vec<(Range<usize>, Word)>| {
            if let Some(span) = span.take() {
                if !word.is_empty() {
                    out.push((span, Word::Text(std::mem::take(word))));
                }
            }
            word.clear();
        };
    let mut normalised = Vec::new();
    for (at, c) in text[range.clone()].char_indices() {
        let at = range.start + at;
        let here = at..at + c.len_utf8();
        if c == '\0' || c == '\u{fffd}' || is_control(c) {
            continue;
        }
        if is_whitespace(c) {
            flush(&mut word, &mut span, out);
            continue;
        }
        if is_cjk(c) {
            flush(&mut word, &mut span, out);
            out.push((here, Word::Text(vec![c])));
            continue;
        }
        normalised.clear();
        unicode_normalization::char::decompose_canonical(c, |d| {
            if get_general_category(d) != G::NonspacingMark {
                normalised.extend(d.to_lowercase());
            }
        });
        for &n in &normalised {
            if is_whitespace(n) {
                flush(&mut word, &mut span, out);
            } else if is_punctuation(n) {
                flush(&mut word, &mut span, out);
                out.push((here.clone(), Word::Text(vec![n])));
            } else {
                word.push(n);
                span = Some(span.map_or(here.clone(), |s| s.start..here.end));
            }
        }
    }
    flush(&mut word, &mut span, out);
}

/// Whitespace as `tokenizers` counts it: Rust's `char::is_whitespace` (tab, newline and return
/// included).
fn is_whitespace(c: char) -> bool {
    c.is_whitespace()
}

/// The characters clean-text drops: control (but tab, newline, return are whitespace), format,
/// private use. Unassigned code points stay (and make their word `[UNK]`).
fn is_control(c: char) -> bool {
    !matches!(c, '\t' | '\n' | '\r')
        && matches!(get_general_category(c), G::Control | G::Format | G::PrivateUse | G::Surrogate)
}

/// BERT's punctuation: every ASCII non-alphanumeric printable character and the Unicode P*
/// categories.
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(
            get_general_category(c),
            G::ConnectorPunctuation
                | G::DashPunctuation
                | G::OpenPunctuation
                | G::ClosePunctuation
                | G::InitialPunctuation
                | G::FinalPunctuation
                | G::OtherPunctuation
        )
}

/// The CJK Unified Ideographs blocks BERT splits into single characters (not Japanese kana or
/// Korean hangul, which are written with spaces).
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF
        | 0x3400..=0x4DBF
        | 0x20000..=0x2A6DF
        | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F
        | 0x2B820..=0x2CEAF
        | 0xF900..=0xFAFF
        | 0x2F800..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocab {
        let tokens =
            "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\nfilm\nis\ngreat\n!\nun\n##watch\n##able\ncafe\n,\n中";
        Vocab::from_text(tokens).unwrap()
    }

    #[test]
    fn words_map_back_to_the_text() {
        let v = vocab();
        let text = "The  FILM is unwatchable!! Café,中";
        let e = v.encode(text, 64);
        assert_eq!(e.ids, vec![2, 5, 6, 7, 10, 11, 12, 9, 9, 13, 14, 15, 3]);
        let words: Vec<&str> = e.words.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(words, ["The", "FILM", "is", "unwatchable", "!", "!", "Café", ",", "中"]);
        assert_eq!(e.word_of[4..7], [Some(3), Some(3), Some(3)]);
        assert_eq!((e.word_of[0], e.word_of[12]), (None, None));
        assert!(!e.truncated);
    }

    #[test]
    fn long_text_is_truncated_to_max_len() {
        let v = vocab();
        let e = v.encode("the film is great the film is great", 6);
        assert_eq!(e.ids, vec![2, 5, 6, 7, 8, 3]);
        assert!(e.truncated);
        let e = v.encode("unwatchable", 4); // a word cut between its pieces keeps what fits
        assert_eq!(e.ids, vec![2, 10, 11, 3]);
        assert_eq!(e.words.len(), 1);
        let (ids, mask) = v.encode("great", 8).padded(5, v.pad);
        assert_eq!((ids, mask), (vec![2, 8, 3, 0, 0], vec![1, 1, 1, 0, 0]));
    }

    #[test]
    fn unknown_and_over_long_words_are_one_unk() {
        let v = vocab();
        assert_eq!(v.encode("greatx", 8).ids, vec![2, 1, 3]);
        assert_eq!(v.encode(&"a".repeat(101), 8).ids, vec![2, 1, 3]);
        assert!(Vocab::from_text("a\nb").is_err());
    }
}
