//! The denoiser through the code the worker runs: tiles that join without a seam, and the quality
//! floor of issue 17 (≥ +8 dB PSNR at σ = 0.10) on the public-domain test photos, so a worse model
//! or a tiling bug fails here.

mod common;

use playground_core::denoise::{
    clean_photo, clean_plane, estimate_sigma, psnr, rgb_from_420, ycbcr_420, CleanOptions, Cleaning, Plane,
    Share, MAX_CLEAN_PIXELS,
};
use playground_core::engine::Engine;
use playground_core::photo;
use playground_core::protocol;
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
    eprintln!("gains at σ 0.10: {gains:.2?} dB");
    assert!(mean >= 8.0, "mean gain {mean:.2} dB ({gains:?})");
}

/// A photo's tiles split between two workers (the second gets its share as the worker
/// protocol's bytes) and joined again: the same planes as one worker's, to the bit.
#[test]
fn a_cleaning_shared_between_two_workers_equals_one_worker_cleaning() {
    let engine = engine();
    let model = engine.get(DENOISE).unwrap();
    let rgb = planes("cat.png");
    let noisy: [Plane; 3] = std::array::from_fn(|c| rgb[c].with_noise(0.1, &mut Draws::new(c as u64)));
    let planes = ycbcr_420(&noisy, 0.1).to_vec();
    let run = |mut c: Cleaning| {
        while !c.finished() {
            c.step(model).unwrap();
        }
        c
    };
    let alone = run(Cleaning::new(model, planes.clone()).unwrap()).result().unwrap();
    let mut first = Cleaning::new(model, planes).unwrap();
    let total = first.progress().1;
    let share = first.share(total / 2 + 1);
    assert_eq!((share.from, share.to), (total / 2 + 1, total));
    assert_eq!(first.progress(), (0, total / 2 + 1));
    let sent: Share = protocol::decode(&protocol::encode(&share)).unwrap();
    let second = run(Cleaning::of_share(model, sent).unwrap());
    assert_eq!(second.progress(), (total - total / 2 - 1, total - total / 2 - 1));
    let mut first = run(first);
    let theirs = second.result().unwrap();
    // Planes of another cleaning are refused.
    assert!(first.absorb(&share, &theirs[..2]).is_err());
    first.absorb(&share, &theirs).unwrap();
    assert!(first.absorb(&share, &theirs).is_err(), "a share is taken back once");
    assert_eq!(first.result().unwrap(), alone);
    let odd = Share { from: 3, to: total + 1, ..share };
    assert!(Cleaning::of_share(model, odd).is_err());
}

/// What YCbCr 4:2:0 costs a clean photo before any cleaning: the chroma detail lost to 2×2 averaging.
#[test]
fn a_photo_survives_ycbcr_420_without_cleaning() {
    for file in ["cat.png", "coffee.png"] {
        let rgb = planes(file);
        let (w, h) = (rgb[0].width, rgb[0].height);
        let back = rgb_from_420(&ycbcr_420(&rgb, 0.1).map(|(p, _)| p), w, h);
        let all = |p: &[Plane; 3]| p.iter().flat_map(|p| p.values.clone()).collect::<Vec<f32>>();
        let db = psnr(&all(&rgb), &all(&back));
        eprintln!("{file}: 4:2:0 round trip {db:.2} dB");
        assert!(db > 36.0, "{file}: {db:.2} dB");
    }
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

#[test]
fn the_noise_level_is_read_from_the_photo() {
    let clean = planes("coffee.png");
    let read = |sigma: f32| {
        let mut draws = Draws::new(5);
        let noisy: Vec<Plane> = clean.iter().map(|p| p.with_noise(sigma, &mut draws)).collect();
        noisy.iter().map(estimate_sigma).sum::<f32>() / 3.0
    };
    let untouched = read(0.0);
    assert!(untouched < 0.02, "a clean photo reads as σ {untouched}");
    for sigma in [0.05, 0.1, 0.2] {
        let got = read(sigma);
        assert!((got - sigma).abs() < 0.15 * sigma, "σ {sigma} reads as {got}");
    }
}

/// The worker's path: bytes in, grain added, strength read from the photo, tiles one by one.
#[test]
fn the_worker_path_cleans_a_photo_file_with_the_strength_it_reads() {
    let engine = engine();
    let bytes = std::fs::read(common::repo().join("crates/core/tests/photos/cat.png")).unwrap();
    let clean = photo::decode(&bytes).unwrap();
    let options = CleanOptions { grain: 0.1, seed: 9, strength: None };
    let mut job = engine.start_cleaning(DENOISE, &bytes, options).unwrap();
    assert_eq!(job.shrunk_from, None);
    let sigma = job.sigma;
    assert!((sigma - 0.1).abs() < 0.015, "read σ {sigma}");
    let mut steps = 0;
    while !job.cleaning.finished() {
        engine.clean_step(DENOISE, &mut job.cleaning).unwrap();
        steps += 1;
    }
    assert_eq!(steps, job.cleaning.progress().1);
    let (before, after) = job.finish().unwrap();
    let bytes_psnr = |a: &image::RgbImage, b: &image::RgbImage| {
        let f = |i: &image::RgbImage| i.as_raw().iter().map(|&v| f32::from(v) / 255.0).collect::<Vec<_>>();
        psnr(&f(a), &f(b))
    };
    let gain = bytes_psnr(&clean, &after) - bytes_psnr(&clean, &before);
    assert!(gain >= 8.0, "{gain:.2} dB");
    // The same seed, the same grain: a new strength cleans the same noisy photo.
    let again =
        engine.start_cleaning(DENOISE, &bytes, CleanOptions { strength: Some(0.05), ..options }).unwrap();
    assert_eq!(again.before, before);
}

#[test]
fn a_photo_over_the_limit_is_shrunk_and_says_so() {
    let engine = engine();
    let (w, h) = (2400, 1800);
    let image = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
    let mut png = Vec::new();
    image.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    let options = CleanOptions { grain: 0.0, seed: 0, strength: Some(0.05) };
    let job = engine.start_cleaning(DENOISE, &png, options).unwrap();
    assert_eq!(job.shrunk_from, Some((w, h)));
    let (bw, bh) = job.before.dimensions();
    assert!(bw * bh <= MAX_CLEAN_PIXELS && bw * bh > MAX_CLEAN_PIXELS * 99 / 100, "{bw}×{bh}");
    assert!((f64::from(bw) / f64::from(bh) - 4.0 / 3.0).abs() < 0.01);
    let refused =
        |bytes: &[u8], options| engine.start_cleaning(DENOISE, bytes, options).err().unwrap().to_string();
    assert!(refused(b"not a photo", options).contains("not a JPEG, PNG"));
    assert!(refused(&png, CleanOptions { grain: 0.9, ..options }).contains("grain"));
    assert!(refused(&png, CleanOptions { strength: Some(-1.0), ..options }).contains("noise level"));
}
