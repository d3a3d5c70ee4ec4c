//! Native and wasm32 must preprocess identically, to the byte. This test runs on both
//! (`cargo test` natively; `scripts/test.sh` also runs it under wasm32 with +simd128 in Node)
//! and checks digests of the exact model inputs against the same constants.

use playground_core::input::ModelInput;
use playground_core::registry::{self, PHOTO};
use playground_core::sketch;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// FNV-1a, 64 bit: a stable digest with no dependency.
fn fnv(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(0xcbf29ce484222325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3))
}

/// The photo model's registry spec, through the one `prepare` every model takes.
fn photo_digests(bytes: &[u8]) -> (u64, u64) {
    let prepared = registry::find(PHOTO)
        .unwrap()
        .input
        .pixels()
        .unwrap()
        .prepare(&ModelInput::Photo(bytes.to_vec()))
        .unwrap();
    (
        fnv(prepared.view.pixels.iter().copied()),
        fnv(prepared.tensor.iter().flat_map(|v| v.to_bits().to_le_bytes())),
    )
}

#[test]
fn photo_preprocessing_is_byte_identical_on_every_target() {
    let cases: [(&str, &[u8], (u64, u64)); 3] = [
        ("cat.png", include_bytes!("photos/cat.png"), CAT),
        ("rocket.jpg", include_bytes!("photos/rocket.jpg"), ROCKET),
        ("cmyk.jpg", include_bytes!("photos/unusual/cmyk.jpg"), CMYK),
    ];
    let got: Vec<(u64, u64)> = cases.iter().map(|(_, bytes, _)| photo_digests(bytes)).collect();
    for ((name, _, want), got) in cases.iter().zip(&got) {
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn sketch_preprocessing_is_byte_identical_on_every_target() {
    // A house with a door, in canvas pixels, with fractional coordinates as pointer events give.
    let house: Vec<sketch::Stroke> = vec![
        vec![[10.5, 80.25], [10.5, 200.75], [170.0, 200.75], [170.0, 80.25], [10.5, 80.25]],
        vec![[10.5, 80.25], [90.125, 12.0], [170.0, 80.25]],
        vec![[70.0, 200.0], [70.0, 140.5], [110.0, 140.5], [110.0, 200.0]],
        vec![[130.0, 110.0]],
    ];
    let bitmap = sketch::strokes_to_bitmap(&house).unwrap();
    assert_eq!(fnv(bitmap.iter().copied()), HOUSE);
}

// Digests of the native outputs (x86_64), which the wasm32 run must reproduce. If a deliberate
// preprocessing change moves them, update them from the native run's failure message.
const CAT: (u64, u64) = (14096466764566166766, 1988149154783226825);
const ROCKET: (u64, u64) = (6494947883258598765, 4487441262914512363);
const CMYK: (u64, u64) = (7274552945390216083, 14358279298631019041);
const HOUSE: u64 = 15559804330734104043;
