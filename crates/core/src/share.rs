//! The "join from your phone" QR code: the page's own URL as an SVG, made here in Rust (no
//! third-party service ever sees the URL).

use crate::{Error, Result};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// The QR code of `url` as a standalone SVG (dark modules on white, with the quiet zone).
/// Error correction level M: readable from a projector at an angle, still small.
pub fn qr_svg(url: &str) -> Result<String> {
    Ok(code(url)?
        .render::<svg::Color>()
        .min_dimensions(256, 256)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .quiet_zone(true)
        .build())
}

/// The code's modules, row-major (`true` = dark), and its width in modules.
pub fn qr_modules(url: &str) -> Result<(usize, Vec<bool>)> {
    let code = code(url)?;
    let width = code.width();
    Ok((width, code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect()))
}

fn code(url: &str) -> Result<QrCode> {
    QrCode::with_error_correction_level(url, EcLevel::M)
        .map_err(|e| Error::BadInput(format!("cannot make a QR code of this URL: {e}")))
}

/// Whether a page's host name can only be opened on the machine itself (127.0.0.1,
/// localhost, ::1): a QR code of it sends phones nowhere.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost") || host == "::1" || host.starts_with("127.")
}

/// The origins in `scripts/serve.py`'s `lan-addresses.json` (`{"origins": [...]}`): only
/// http(s) ones; anything unreadable is none.
pub fn lan_origins(json: &str) -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Lan {
        origins: Vec<String>,
    }
    let origins = serde_json::from_str::<Lan>(json).map(|l| l.origins).unwrap_or_default();
    origins.into_iter().filter(|o| o.starts_with("http://") || o.starts_with("https://")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders the modules at 4 px each with a 4-module quiet zone and reads them back.
    fn read_back(url: &str) -> String {
        let (width, modules) = qr_modules(url).unwrap();
        let (scale, quiet) = (4, 4);
        let side = (width + 2 * quiet) * scale;
        let mut grid = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
            let (mx, my) = ((x / scale) as isize - quiet as isize, (y / scale) as isize - quiet as isize);
            let dark = mx >= 0
                && my >= 0
                && (mx as usize) < width
                && (my as usize) < width
                && modules[my as usize * width + mx as usize];
            if dark {
                0
            } else {
                255
            }
        });
        let grids = grid.detect_grids();
        assert_eq!(grids.len(), 1);
        grids[0].decode().unwrap().1
    }

    #[test]
    fn the_code_reads_back_as_the_url() {
        for url in ["http://127.0.0.1:8080/", "https://example.org/playground/index.html#/photo"] {
            assert_eq!(read_back(url), url);
        }
    }

    #[test]
    fn the_svg_is_an_svg_of_the_code() {
        let svg = qr_svg("http://127.0.0.1:8080/").unwrap();
        assert!(svg.starts_with("<?xml") && svg.contains("<svg") && svg.contains("#000000"));
    }

    #[test]
    fn loopback_hosts_are_told_apart_from_lan_ones() {
        for host in ["127.0.0.1", "localhost", "[::1]", "127.0.1.1", "app.localhost"] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in ["192.168.1.20", "meetup.example", "10.0.0.7", "localhost.example"] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn lan_origins_are_read_and_only_web_ones_kept() {
        let json =
            r#"{"origins": ["http://192.168.1.20:8080", "javascript:alert(1)", "https://meetup.example"]}"#;
        assert_eq!(lan_origins(json), ["http://192.168.1.20:8080", "https://meetup.example"]);
        assert!(lan_origins("<!doctype html>").is_empty());
    }
}
