"""Reference WordPiece ids for the Rust tokenizer's test (crates/core/tests/wordpiece.rs).

    PYTHONPATH=/tmp/pylib-sent /usr/bin/python3 models/train/make_tokenizer_ref.py \
        --data ../shared/data/text --vocab ../shared/models/bert-vocab/vocab.txt \
        --out crates/core/tests/data/wordpiece_ref.json

The reference is Hugging Face `tokenizers` (PyPI 0.22.1, pinned by setup_sentiment.sh) `BertWordPieceTokenizer`
with BERT-uncased settings (clean text, Chinese characters split, strip accents, lower case), the tokenizer
all-MiniLM-L6-v2 was trained with. Each case: the text and its ids WITHOUT [CLS] / [SEP] and without padding
or truncation (`add_special_tokens=False`), plus the tokens for reading. Sentences: every 25th TRAINING line of
each sentence_polarity file (lower-cased and space-tokenised already; the evaluation split's last 1,000 lines
of each file are not used) and the hand-written cases below (capitals, accents, glued punctuation, numbers,
emoji, CJK, over-long words, odd whitespace and control characters).
"""
from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sentiment_common as sc  # noqa: E402

TRICKY = [
    "Café naïve",
    "CAFÉ NAÏVE RÉSUMÉ",
    "I don't like it!!",
    "don't!!",
    "Wow...this is GREAT?!",
    "The U.S.A. isn't the U.K.",
    "Hello, World.",
    "  leading and trailing spaces   ",
    "tabs\tbetween\twords",
    "new\nlines\r\nand\rreturns",
    "multiple     spaces    inside",
    "",
    "   ",
    "a",
    "1234567890",
    "It cost $3.50 (about €3) in 2023; 50% off!",
    "3.14159 and 2,000,000 and 1st 2nd 3rd 4th",
    "Phone: +1-555-0100, ext. #42",
    "I love it 😍😍 so much 👍",
    "great🎬movie",
    "🎬",
    "emoji with skin tone 👍🏽 and flag 🇫🇷",
    "中文测试：这部电影很好看！",
    "日本語の映画はとても良かった",
    "한국어 영화 정말 좋아요",
    "mixed中文and English",
    "Ελληνικά και русский текст",
    "Ünïcödé äccénts éverywhere: àèìòù âêîôû ç ñ ß ø å æ œ",
    "İstanbul and ǅemal and ﬁne ligature",
    "Straße groß",
    "naïve coöperate façade rôle",
    "x" * 101,
    "y" * 100,
    "supercalifragilisticexpialidocious",
    "antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
    "a" + "b" * 150 + " short",
    "unbelievably unforgettable unwatchable",
    "it's a 10/10 — must-see!",
    "em—dash en–dash hyphen-ated",
    "“smart quotes” and ‘single’ «guillemets»",
    "ellipsis… and bullets • and middots ·",
    "C++ and C# and F# are languages",
    "user@example.com http://example.com/path?q=1&r=2",
    "<b>html</b> &amp; entities",
    "back\\slash and /forward/ slash",
    "under_score and tilde~ and caret^ and pipe|",
    "control\x00char\x07here\x1f",
    "zero\u200bwidth\u200djoiner and soft\u00adhyphen",
    "non\u00a0breaking\u2003em space\u3000ideographic space",
    "replacement \ufffd char",
    "combining e\u0301 acute and n\u0303 tilde",
    "Ångström ﬀ ǆ ™ ½ ² ℃",
    "ＦＵＬＬＷＩＤＴＨ ｌｅｔｔｅｒｓ and ｈａｌｆ",
    "Arabic: هذا الفيلم رائع",
    "Hebrew: הסרט הזה נהדר",
    "Hindi: यह फिल्म बहुत अच्छी है",
    "Thai: หนังเรื่องนี้ดีมาก",
    "THE MOVIE WAS ABSOLUTELY TERRIBLE!!!",
    "The Movie Was Absolutely Wonderful.",
    "not good. not bad. just ok.",
    "?!?!",
    "...",
    "'quoted' \"double\" `back`",
    "ALLCAPSWORDWITHNOSPACES",
    "CamelCaseWordsLikeThis",
    "snake_case_words_like_this",
    "numbers123mixed456with789letters",
    "can't won't shouldn't y'all ma'am o'clock",
    "rock 'n' roll",
    "Mr. Smith's 3rd film, 'The End', was a hit.",
    "a [MASK] token and [CLS] and [SEP] as text",
    "##hash ##tags and #hashtag",
    "@mention and &&& and ***",
    "¡Qué película tan buena! ¿Verdad?",
    "Ça va? Très bien, merci.",
    "Mañana será otro día",
    "Zürich, München, Köln",
    "naïveté and déjà vu",
    "Pokémon",
    "東京 Tokyo 北京 Beijing",
    "\u4e00\u9fff\u3400\u20000 CJK range edges",
    "math ∑ ∫ √ ≤ ≥ ≠ ∞",
    "currency ¥ £ ¢ ₹ ₩",
    "arrows → ← ↑ ↓ and box ─ │",
    "§ ¶ † ‡ ° ±",
    "word\u0000\u0000word",
    "trailing tab\t",
    "\ttab first",
    "smile 🥲 face",
    "new 🫠 emoji",
    "a\U000E0001b tag character",
    "x\uE000y private use",
    "x\u0378y unassigned",
    "a[CLS]b glued special token",
    "a [cls] b lower-case special token",
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--vocab", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    import tokenizers

    tok = sc.tokenizer(args.vocab)
    texts = []
    for name in ("rt-polarity.pos", "rt-polarity.neg"):
        lines = sc.read_lines(os.path.join(args.data, "sentence_polarity", name))[: -sc.EVAL_PER_CLASS]
        texts.extend(lines[::25])
    texts.extend(TRICKY)
    cases = []
    for text, enc in zip(texts, tok.encode_batch(texts, add_special_tokens=False)):
        cases.append({"text": text, "ids": enc.ids, "tokens": enc.tokens})
    out = {"about": f"HF tokenizers {tokenizers.__version__} BertWordPieceTokenizer (lowercase, strip_accents, "
                    "clean_text, handle_chinese_chars) on ../shared/models/bert-vocab/vocab.txt; ids WITHOUT "
                    "[CLS]/[SEP], no padding, no truncation; made by models/train/make_tokenizer_ref.py",
           "cases": cases}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(out, f, indent=0, ensure_ascii=False)
        f.write("\n")
    print(f"{args.out}: {len(cases)} cases")


if __name__ == "__main__":
    main()
