//! How a class label reads inside a sentence, on screen and aloud: "an apple", "a house",
//! "pants", "the moon", "The Mona Lisa" ("Oh, I know — it's a apple!" was the bug).
//! Labels are Quick, Draw!'s 345 words; `tests/noun_phrases.txt` holds the phrase of every
//! one, read by a person, and the test below holds this code to it.

/// Plurals and mass nouns: no article ("it's pants", "it's grass").
const NO_ARTICLE: &[&str] = &[
    "animal migration",
    "asparagus",
    "binoculars",
    "bread",
    "broccoli",
    "camouflage",
    "drums",
    "eyeglasses",
    "flip flops",
    "grapes",
    "grass",
    "headphones",
    "ice cream",
    "lightning",
    "matches",
    "pants",
    "peas",
    "pliers",
    "rain",
    "rollerskates",
    "scissors",
    "shorts",
    "stairs",
    "stitches",
    "toothpaste",
    "underwear",
    "yoga",
];
/// One of a kind: "the sun", "the moon", "the ocean".
const THE: &[&str] = &["moon", "ocean", "sun"];
/// Words whose first letter does not say whether their sound is a vowel.
const AN_BY_SOUND: &[&str] = &["hour", "honest", "heir"];
const A_BY_SOUND: &[&str] = &["uni", "use", "one", "euro", "ukulele"];

/// `label` as a noun phrase with the article English puts before it.
pub fn noun_phrase(label: &str) -> String {
    let lower = label.to_lowercase();
    // Photo labels may carry their own article ("a cat having a striped coat").
    let has_article = ["the ", "a ", "an "].iter().any(|a| lower.starts_with(a));
    if has_article || NO_ARTICLE.contains(&lower.as_str()) {
        return label.to_string();
    }
    if THE.contains(&lower.as_str()) {
        return format!("the {label}");
    }
    let vowel_letter = lower.starts_with(['a', 'e', 'i', 'o', 'u']);
    let vowel_sound = if vowel_letter {
        !A_BY_SOUND.iter().any(|p| lower.starts_with(p))
    } else {
        AN_BY_SOUND.iter().any(|p| lower.starts_with(p))
    };
    format!("{} {label}", if vowel_sound { "an" } else { "a" })
}

/// Two or more labels joined as a person says them: "a cloud or the moon",
/// "a cat, a dog or a tiger".
pub fn either(labels: &[&str]) -> String {
    let phrases: Vec<String> = labels.iter().map(|l| noun_phrase(l)).collect();
    match phrases.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every label of both sketch models, against the phrase a person wrote down for it.
    #[test]
    fn every_label_reads_as_written_in_the_list() {
        let expected: std::collections::HashMap<&str, &str> = include_str!("../tests/noun_phrases.txt")
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| l.split_once('\t').expect("label<TAB>phrase"))
            .collect();
        let labels = include_str!("../../../models/doodlenet/labels.txt")
            .lines()
            .chain(include_str!("../../../models/sketch/labels.txt").lines())
            .filter(|l| !l.is_empty());
        let mut wrong = Vec::new();
        let mut count = 0;
        for label in labels {
            count += 1;
            let want = expected.get(label).unwrap_or_else(|| panic!("{label:?} is not in noun_phrases.txt"));
            if noun_phrase(label) != *want {
                wrong.push(format!("{label}: {} (want {want})", noun_phrase(label)));
            }
        }
        assert!(count >= 345 + 64, "labels read: {count}");
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn the_cases_by_kind() {
        assert_eq!(noun_phrase("apple"), "an apple");
        assert_eq!(noun_phrase("hourglass"), "an hourglass");
        assert_eq!(noun_phrase("house"), "a house");
        assert_eq!(noun_phrase("unicorn"), "a unicorn");
        assert_eq!(noun_phrase("The Mona Lisa"), "The Mona Lisa");
        assert_eq!(noun_phrase("flip flops"), "flip flops");
        assert_eq!(noun_phrase("moon"), "the moon");
        assert_eq!(noun_phrase("a cat having a striped coat"), "a cat having a striped coat");
        assert_eq!(noun_phrase("axe"), "an axe");
    }

    #[test]
    fn lists_read_as_spoken() {
        assert_eq!(either(&["cloud", "moon"]), "a cloud or the moon");
        assert_eq!(either(&["cat", "owl", "pants"]), "a cat, an owl or pants");
        assert_eq!(either(&["axe"]), "an axe");
        assert_eq!(either(&[]), "");
    }
}
