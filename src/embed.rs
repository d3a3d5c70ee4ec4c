//! Embed mode: `embed.html?demo=sketch|photo|game&theme=light|dark&origin=…` shows one demo,
//! fitted to its iframe, and posts each prediction to the host page (see README, "Embed").
//!
//! The URL parsing and the message are plain Rust, tested natively; [`post_to_host`] is the
//! only part that touches the browser.

use crate::pages::{self, Page};
use playground_core::postprocess::Guess;
use playground_core::registry;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbedConfig {
    /// The embeddable page's name (`pages::PAGES`, `embed`).
    pub demo: &'static str,
    /// `Some("light" | "dark")` forces a theme; `None` follows the reader's system setting.
    pub theme: Option<&'static str>,
    /// Where predictions are posted: the `origin` parameter (set by embed.js to the host
    /// page's origin) or, failing that, the origin of the embedding page (the referrer).
    /// `None`: nothing is posted. Never `*`: a drawing's guesses go only to the page the
    /// author named.
    pub target_origin: Option<String>,
}

impl EmbedConfig {
    pub fn page(&self) -> &'static Page {
        pages::embeddable(self.demo).expect("parse accepts embeddable pages only")
    }
}

/// Reads embed mode from the page's path and query. `None` when this is not `embed.html`;
/// `Some(Err(message))` for a parameter the embedding author got wrong.
pub fn parse(pathname: &str, search: &str, referrer: &str) -> Option<Result<EmbedConfig, String>> {
    if !pathname.ends_with("/embed.html") && pathname != "embed.html" {
        return None;
    }
    Some(parse_query(search, referrer))
}

fn parse_query(search: &str, referrer: &str) -> Result<EmbedConfig, String> {
    let (mut demo, mut theme, mut model, mut origin) = (&pages::PAGES[0], None, None, None);
    for pair in search.trim_start_matches('?').split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(value);
        match key {
            "demo" => {
                demo = pages::embeddable(&value).ok_or_else(|| {
                    let names: Vec<&str> =
                        pages::PAGES.iter().filter_map(|p| Some(p.embed.as_ref()?.name)).collect();
                    let (last, rest) = names.split_last().expect("some pages are embeddable");
                    format!("unknown demo \"{value}\": use {} or {last}", rest.join(", "))
                })?
            }
            "theme" => {
                theme = match value.as_str() {
                    "light" => Some("light"),
                    "dark" => Some("dark"),
                    "" | "auto" => None,
                    other => return Err(format!("unknown theme \"{other}\": use light or dark")),
                }
            }
            "model" => model = Some(value),
            "origin" => {
                origin = Some(web_origin(&value).ok_or_else(|| {
                    format!("origin \"{value}\" is not a web origin like https://blog.example")
                })?)
            }
            _ => {}
        }
    }
    if let Some(model) = model {
        let spec = registry::find(&model).map_err(|e| e.to_string())?;
        let runs = demo.model.unwrap_or_default();
        if spec.id != runs {
            return Err(format!("the {} demo runs the \"{runs}\" model, not \"{model}\"", name(demo)));
        }
    }
    let target_origin = origin.or_else(|| web_origin(referrer));
    Ok(EmbedConfig { demo: name(demo), theme, target_origin })
}

fn name(page: &Page) -> &'static str {
    page.embed.as_ref().map_or("", |e| e.name)
}

/// `scheme://host[:port]` of an http(s) URL, or `None`.
fn web_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next()?;
    let valid = !host.is_empty()
        && !host.contains('@')
        && host.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
    valid.then(|| format!("{scheme}://{}", host.to_ascii_lowercase()))
}

fn percent_decode(s: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| Some(hex(bytes[i + 1])? * 16 + hex(bytes[i + 2])?))
            .flatten();
        match (escaped, bytes[i]) {
            (Some(b), _) => {
                out.push(b);
                i += 3;
                continue;
            }
            (None, b'+') => out.push(b' '),
            (None, b) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The message a host page receives for each answer (documented in the README).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PredictionMessage<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub demo: &'static str,
    pub model: &'a str,
    pub seq: u64,
    pub top: &'a [Guess],
}

impl<'a> PredictionMessage<'a> {
    pub fn new(demo: &'static str, model: &'a str, seq: u64, top: &'a [Guess]) -> Self {
        PredictionMessage { kind: "playground:prediction", demo, model, seq, top }
    }
}

/// Posts `message` to the parent window, only to `target_origin`.
pub fn post_to_host(message: &impl Serialize, target_origin: &str) {
    let Some(window) = web_sys::window() else { return };
    let Ok(Some(parent)) = window.parent() else { return };
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    if let Ok(value) = message.serialize(&serializer) {
        let _ = parent.post_message(&value, target_origin);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_embed_html_is_embed_mode() {
        assert_eq!(parse("/", "?demo=photo", ""), None);
        assert_eq!(parse("/index.html", "", ""), None);
        assert!(parse("/sub/embed.html", "", "").is_some());
    }

    #[test]
    fn reads_demo_theme_and_origin() {
        let c = parse("/embed.html", "?demo=photo&theme=dark&origin=https%3A%2F%2FBlog.example%3A8443", "")
            .unwrap()
            .unwrap();
        assert_eq!(c.demo, "photo");
        assert_eq!(c.theme, Some("dark"));
        assert_eq!(c.target_origin.as_deref(), Some("https://blog.example:8443"));
    }

    #[test]
    fn defaults_to_sketch_and_the_referrers_origin() {
        let c = parse("/embed.html", "", "http://127.0.0.1:9000/post/1?x=y").unwrap().unwrap();
        assert_eq!(c.demo, "sketch");
        assert_eq!(c.theme, None);
        assert_eq!(c.target_origin.as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(parse("/embed.html", "", "").unwrap().unwrap().target_origin, None);
    }

    #[test]
    fn mistakes_are_explained() {
        let err = |q: &str| parse("/embed.html", q, "").unwrap().unwrap_err();
        assert_eq!(
            err("?demo=video"),
            "unknown demo \"video\": use sketch, game, photo, clean, feel or write"
        );
        assert!(err("?theme=pink").contains("unknown theme"));
        assert!(err("?origin=*").contains("not a web origin"));
        assert!(err("?origin=javascript:alert(1)").contains("not a web origin"));
        assert!(err("?model=resnet").contains("unknown model"));
        assert!(err("?demo=sketch&model=photo").contains("runs the \"sketch\" model"));
        assert!(parse("/embed.html", "?demo=game&model=sketch", "").unwrap().is_ok());
    }

    #[test]
    fn the_message_is_plain_json() {
        let top = [Guess { label: "cat".into(), probability: 0.5 }];
        let json = serde_json::to_string(&PredictionMessage::new("sketch", "sketch", 3, &top)).unwrap();
        assert_eq!(
            json,
            r#"{"type":"playground:prediction","demo":"sketch","model":"sketch","seq":3,"top":[{"label":"cat","probability":0.5}]}"#
        );
    }
}
