//! "How fast is this device?": the share page times the sketch and photo models in the page's
//! worker (`Request::Benchmark`) and says so in one line of text that people at a meetup can
//! paste side by side. Only the wording and the arithmetic live here; the timing is the
//! worker's (`Engine::benchmark`), the same as `scripts/bench.sh` reads.

use crate::registry::{DOODLENET, PHOTO, SKETCH};
use crate::sketch::Stroke;

/// The input a model is timed on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sample {
    /// [`house`].
    Drawing,
    /// The page's sample photo.
    Photo,
}

/// What is timed, in order: registry model, the name shown, its input, runs (enough for a stable
/// median, few enough for a phone: about 2 s there for the photo model).
pub const TIMED: &[(&str, &str, Sample, u32)] = &[
    (SKETCH, "sketch", Sample::Drawing, 50),
    (DOODLENET, "DoodleNet", Sample::Drawing, 50),
    (PHOTO, "photo", Sample::Photo, 10),
];

/// The sketch models' input: a house with a door, in canvas pixels.
pub fn house() -> Vec<Stroke> {
    vec![
        vec![[10.0, 80.0], [10.0, 200.0], [170.0, 200.0], [170.0, 80.0], [10.0, 80.0]],
        vec![[10.0, 80.0], [90.0, 12.0], [170.0, 80.0]],
        vec![[70.0, 200.0], [70.0, 140.0], [110.0, 140.0], [110.0, 200.0]],
    ]
}

/// The median of `values` (the mean of the middle two for an even count); `None` for none.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len() % 2 == 1 { sorted[mid] } else { (sorted[mid - 1] + sorted[mid]) / 2.0 })
}

/// One model's times on this device, in milliseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Timing {
    /// The name shown, e.g. "sketch".
    pub model: String,
    /// Median of the bare inferences.
    pub infer_ms: f64,
    /// Median of the whole answers (input made ready, inference, top guesses).
    pub answer_ms: f64,
    pub runs: usize,
    /// How many threads the inference ran on (the photo model's in a cross-origin isolated page).
    pub threads: u32,
}

impl Timing {
    /// From the worker's reply: every run's time, bare and whole.
    pub fn from_runs(model: &str, infer_ms: &[f64], answer_ms: &[f64], threads: u32) -> Option<Timing> {
        Some(Timing {
            model: model.to_string(),
            infer_ms: median(infer_ms)?,
            answer_ms: median(answer_ms)?,
            runs: infer_ms.len(),
            threads,
        })
    }
}

/// " on 2 threads" where the inference ran on more than one, else nothing.
pub fn on_threads(timing: &Timing) -> String {
    if timing.threads > 1 {
        format!(" on {} threads", timing.threads)
    } else {
        String::new()
    }
}

/// Milliseconds as people compare them: three significant figures at most ("0.70", "39.3",
/// "175").
pub fn ms(value: f64) -> String {
    if value < 10.0 {
        format!("{value:.2} ms")
    } else if value < 100.0 {
        format!("{value:.1} ms")
    } else {
        format!("{value:.0} ms")
    }
}

/// The browser and its major version from a user agent ("Chrome 131", "Safari 18.1",
/// "Firefox 133"); "a browser" when none is recognised. Order matters: Edge, Opera and Samsung
/// Internet also say "Chrome", and every Chromium says "Safari".
pub fn browser(user_agent: &str) -> String {
    const NAMES: &[(&str, &str)] = &[
        ("EdgA/", "Edge"),
        ("EdgiOS/", "Edge"),
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("FxiOS/", "Firefox"),
        ("Firefox/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("HeadlessChrome/", "Headless Chrome"),
        ("Chrome/", "Chrome"),
        ("Version/", "Safari"),
    ];
    for (token, name) in NAMES {
        if let Some(at) = user_agent.find(token) {
            let version = &user_agent[at + token.len()..];
            let end = version.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(version.len());
            // Major version, plus the minor one for Safari, whose releases are x.y.
            let parts: Vec<&str> = version[..end].split('.').filter(|p| !p.is_empty()).collect();
            let shown = if *name == "Safari" {
                parts.iter().take(2).copied().collect::<Vec<_>>().join(".")
            } else {
                parts.first().copied().unwrap_or("").to_string()
            };
            return if shown.is_empty() { name.to_string() } else { format!("{name} {shown}") };
        }
    }
    "a browser".to_string()
}

/// The operating system from a user agent ("Android 14", "iOS 17.1", "Windows", "macOS",
/// "ChromeOS", "Linux"); "" when none is recognised.
pub fn system(user_agent: &str) -> String {
    if let Some(at) = user_agent.find("Android") {
        let rest = user_agent[at + "Android".len()..].trim_start();
        let version: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
        return if version.is_empty() { "Android".into() } else { format!("Android {version}") };
    }
    if ["iPhone", "iPad", "iPod"].iter().any(|d| user_agent.contains(d)) {
        let version = user_agent
            .find(" OS ")
            .map(|at| {
                let rest = &user_agent[at + 4..];
                rest.chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '_')
                    .collect::<String>()
                    .replace('_', ".")
            })
            .unwrap_or_default();
        return if version.is_empty() { "iOS".into() } else { format!("iOS {version}") };
    }
    let known = [("Windows", "Windows"), ("CrOS", "ChromeOS"), ("Mac OS X", "macOS"), ("Linux", "Linux")];
    known
        .iter()
        .find(|(token, _)| user_agent.contains(token))
        .map(|(_, name)| name.to_string())
        .unwrap_or_default()
}

/// The line people copy: the device, then each model's median bare inference.
/// "ML playground speed on Chrome 131, Android 14, 8 cores: sketch 0.70 ms, DoodleNet 0.55 ms,
/// photo 39.3 ms (median inference, in the page's worker)".
pub fn summary(user_agent: &str, cores: u32, timings: &[Timing]) -> String {
    let mut device = vec![browser(user_agent)];
    device.extend(Some(system(user_agent)).filter(|s| !s.is_empty()));
    if cores > 0 {
        device.push(format!("{cores} {}", if cores == 1 { "core" } else { "cores" }));
    }
    let models: Vec<String> =
        timings.iter().map(|t| format!("{} {}{}", t.model, ms(t.infer_ms), on_threads(t))).collect();
    format!(
        "ML playground speed on {}: {} (median inference, in the page's worker)",
        device.join(", "),
        models.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROME_ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36";
    const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1";
    const FIREFOX_WINDOWS: &str =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
    const EDGE_MAC: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70";
    const SAMSUNG: &str = "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/27.0 Chrome/125.0.0.0 Mobile Safari/537.36";
    const HEADLESS: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36";

    #[test]
    fn medians() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[f64::NAN]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[5.0, f64::INFINITY, 1.0]), Some(3.0));
    }

    #[test]
    fn browsers_and_systems_are_named() {
        let named = |ua| (browser(ua), system(ua));
        assert_eq!(named(CHROME_ANDROID), ("Chrome 131".into(), "Android 14".into()));
        assert_eq!(named(SAFARI_IPHONE), ("Safari 17.1".into(), "iOS 17.1.2".into()));
        assert_eq!(named(FIREFOX_WINDOWS), ("Firefox 133".into(), "Windows".into()));
        assert_eq!(named(EDGE_MAC), ("Edge 131".into(), "macOS".into()));
        assert_eq!(named(SAMSUNG), ("Samsung Internet 27".into(), "Android 13".into()));
        assert_eq!(named(HEADLESS), ("Headless Chrome 156".into(), "Linux".into()));
        assert_eq!(named(""), ("a browser".into(), "".into()));
        assert_eq!(named("Chrome/"), ("Chrome".into(), "".into()));
    }

    #[test]
    fn the_line_names_the_device_and_each_model() {
        let timings = [
            Timing::from_runs("sketch", &[0.8, 0.7, 0.6], &[1.5, 1.4, 1.3], 1).unwrap(),
            Timing::from_runs("photo", &[39.31, 40.0], &[45.0, 46.0], 2).unwrap(),
        ];
        assert_eq!(timings[0].runs, 3);
        assert_eq!(
            summary(CHROME_ANDROID, 8, &timings),
            "ML playground speed on Chrome 131, Android 14, 8 cores: sketch 0.70 ms, photo 39.7 ms \
             on 2 threads (median inference, in the page's worker)"
        );
        assert!(summary("", 1, &timings).starts_with("ML playground speed on a browser, 1 core: "));
        assert!(summary("", 0, &timings).starts_with("ML playground speed on a browser: "));
        assert_eq!(Timing::from_runs("sketch", &[], &[1.0], 1), None);
    }

    #[test]
    fn milliseconds_keep_three_figures() {
        assert_eq!(ms(0.704), "0.70 ms");
        assert_eq!(ms(39.31), "39.3 ms");
        assert_eq!(ms(175.4), "175 ms");
    }
}
