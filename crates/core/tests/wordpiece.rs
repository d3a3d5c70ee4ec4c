//! The WordPiece tokenizer against Hugging Face `tokenizers` (the fixture
//! `tests/data/wordpiece_ref.json`, made by `models/train/make_tokenizer_ref.py`): sentence
//! polarity lines and hand-written hard cases (capitals, accents, glued punctuation, numbers,
//! emoji, CJK, words over 100 characters, odd whitespace, control characters) get the same ids.

mod common;

use playground_core::wordpiece::Vocab;
use serde_json::Value;

fn vocab() -> Vocab {
    let text = std::fs::read_to_string(common::repo().join("models/sentiment/vocab.txt")).unwrap();
    Vocab::from_text(&text).unwrap()
}

fn fixture() -> Vec<(String, Vec<i64>)> {
    let path = common::repo().join("crates/core/tests/data/wordpiece_ref.json");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let case = |c: &Value| {
        let ids = c["ids"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
        (c["text"].as_str().unwrap().to_string(), ids)
    };
    json["cases"].as_array().unwrap().iter().map(case).collect()
}

#[test]
fn ids_equal_hugging_face_tokenizers_on_every_reference_sentence() {
    let vocab = vocab();
    assert_eq!(vocab.len(), 30_522);
    assert_eq!((vocab.pad, vocab.unk, vocab.cls, vocab.sep), (0, 100, 101, 102));
    let cases = fixture();
    assert!(cases.len() >= 400, "{} cases", cases.len());
    let mut wrong = Vec::new();
    for (text, expected) in &cases {
        // The fixture has no [CLS]/[SEP] and is not truncated.
        let ids = vocab.encode(text, usize::MAX).ids;
        let (first, inner, last) = (ids[0], &ids[1..ids.len() - 1], ids[ids.len() - 1]);
        assert_eq!((first, last), (vocab.cls, vocab.sep));
        if inner != expected.as_slice() {
            let tokens =
                |ids: &[i64]| ids.iter().map(|&i| vocab.token(i).unwrap().to_string()).collect::<Vec<_>>();
            wrong.push(format!("{text:?}\n  ours   {:?}\n  theirs {:?}", tokens(inner), tokens(expected)));
        }
    }
    assert!(wrong.is_empty(), "{} of {} differ:\n{}", wrong.len(), cases.len(), wrong.join("\n"));
}

#[test]
fn every_token_maps_back_to_a_word_of_the_text() {
    let vocab = vocab();
    for (text, _) in fixture() {
        let enc = vocab.encode(&text, 64);
        assert!(enc.ids.len() <= 64);
        assert_eq!(enc.ids.len(), enc.word_of.len());
        for (id, word) in enc.ids.iter().zip(&enc.word_of) {
            match word {
                None => assert!(*id == vocab.cls || *id == vocab.sep),
                Some(w) => assert!(text.get(enc.words[*w].clone()).is_some_and(|s| !s.trim().is_empty())),
            }
        }
        // words in order, not overlapping
        assert!(enc.words.windows(2).all(|w| w[0].end <= w[1].start), "{text:?}");
    }
}
