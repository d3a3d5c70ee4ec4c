//! The denoiser through the code the worker runs: tiles that join without a seam, and the quality
//! floor of issue 17 (≥ +8 dB PSNR at σ = 0.10) on the public-domain test photos, so a worse model
//! or a tiling bug fails here.

mod common;

use playground_core::denoise::{clean_photo, clean_plane, psnr, Plane};
use playground_core::engine::Engine;
use playground_core::photo;
use playground_core::random::Draws;
use playground_core::registry::{self, DENOISE};

fn engine() -> Engine {
    let spec = registry::find(DENOISE).unwrap();
    let onnx = std::fs::read(common::repo().join(spec.model_path())).unwrap();
    let mut engine = Engine::new();
    engine.install(DENOISE, &onnx, "").unwrap();
    engine
}

fn planes(file: &str) -> [Plane; 3] {
    let bytes = std::fs::read(common::repo().join("crates/core/tests/photos").join(file)).unwrap();
    Plane::rgb(&photo::decode(&bytes).unwrap())
}

#[test]
fn tiles_join_without_a_seam() {
    let engine = engine();
    let model = engine.get(DENOISE).unwrap();
    let noisy = planes("cat.png")[1].with_noise(0.1, &mut Draws::new(1));
    let whole = clean_plane(model, &noisy, 0.1, |_, _| {}).unwrap();
    // The same plane less its first 100 columns and 37 rows: every pixel lands elsewhere in its tile.
    let (dx, dy) = (100, 37);
    let (w, h) = (noisy.width - dx, noisy.height - dy);
    let crop = Plane {
        width: w,
        height: h,
        values: (0..h).flat_map(|y| noisy.values[(y + dy) * noisy.width + dx..][..w].to_vec()).collect(),
    };
    let cropped = clean_plane(model, &crop, 0.1, |_, _| {}).unwrap();
    let mut worst = 0.0f32;
    // Away from the crop's own borders (6 px: the receptive radius), both are the model on the same pixels.
    for y in 6..h - 6 {
        for x in 6..w - 6 {
            let d = (cropped.values[y * w + x] - whole.values[(y + dy) * whole.width + x + dx]).abs();
            worst = worst.max(d);
        }
    }
    assert!(worst < 1e-4, "the two tilings differ by up to {worst}");
}

#[test]
fn noise_of_sigma_0_10_is_reduced_by_at_least_8_db() {
    let engine = engine();
    let model = engine.get(DENOISE).unwrap();
    let mut gains = Vec::new();
    // Two colour photos (24 tiles): the whole set of 7 is in models/denoise/MODEL.md.
    for (i, file) in ["cat.png", "coffee.png"].into_iter().enumerate() {
        let clean = planes(file);
        let mut draws = Draws::new(i as u64);
        let noisy: [Plane; 3] = std::array::from_fn(|c| clean[c].with_noise(0.1, &mut draws));
        let mut ticks = 0;
        let cleaned = clean_photo(model, &noisy, 0.1, |done, total| {
            ticks += 1;
            assert_eq!(done, ticks);
            assert!(done <= total);
        })
        .unwrap();
        let all = |p: &[Plane; 3]| p.iter().flat_map(|p| p.values.clone()).collect::<Vec<f32>>();
        let before = psnr(&all(&clean), &all(&noisy));
        let after = psnr(&all(&clean), &all(&cleaned));
        assert!(after - before >= 7.0, "{file}: {before:.2} → {after:.2} dB");
        gains.push(after - before);
    }
    let mean = gains.iter().sum::<f64>() / gains.len() as f64;
    assert!(mean >= 8.0, "mean gain {mean:.2} dB ({gains:?})");
}

#[test]
fn bad_requests_are_refused_in_words() {
    let engine = engine();
    let model = engine.get(DENOISE).unwrap();
    let plane = Plane { width: 3, height: 2, values: vec![0.5; 6] };
    assert!(clean_plane(model, &plane, 0.5, |_, _| {}).unwrap_err().to_string().contains("noise level"));
    let empty = Plane { width: 0, height: 0, values: vec![] };
    assert!(clean_plane(model, &empty, 0.1, |_, _| {}).unwrap_err().to_string().contains("empty"));
    // A tiny image is one tile, reflected.
    assert_eq!(clean_plane(model, &plane, 0.1, |_, _| {}).unwrap().values.len(), 6);
}
