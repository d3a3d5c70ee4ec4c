//! The photo path natively: golden photos (public-domain, `tests/photos/`) against the Python
//! reference's preprocessing and predictions (`expected.json`), and every kind of bad upload
//! (`tests/photos/bad/`, each with its words in `bad/expected.json`) getting a clear error, and
//! valid but unusual ones (`tests/photos/unusual/`) a correct answer; both made by `bad/make_bad.py`.

mod common;

use image::{ImageBuffer, ImageFormat, Rgb, RgbImage};
use playground_core::engine::Engine;
use playground_core::input::{InputSpec, ModelInput, Prepared};
use playground_core::photo;
use playground_core::registry::{self, PHOTO};
use serde_json::Value;
use std::io::Cursor;
use std::sync::OnceLock;

fn dir() -> std::path::PathBuf {
    common::repo().join("crates/core/tests/photos")
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut engine = Engine::new();
        let repo = common::repo();
        let labels = std::fs::read_to_string(repo.join("models/photo/labels.txt")).unwrap();
        engine
            .install("photo", &std::fs::read(repo.join("models/photo/model.onnx")).unwrap(), &labels)
            .unwrap();
        engine
    })
}

/// The worker's path for a photo: the registry model's spec.
fn prepare_photo(bytes: &[u8]) -> playground_core::Result<Prepared> {
    engine().prepare(PHOTO, &ModelInput::Photo(bytes.to_vec()))
}

fn infer(tensor: &[f32], k: usize) -> playground_core::Result<Vec<playground_core::postprocess::Guess>> {
    Ok(engine().answer(PHOTO, tensor, k)?.top)
}

fn spec() -> InputSpec {
    registry::find(PHOTO).unwrap().input.pixels().unwrap().clone()
}

fn expected() -> Vec<(String, Value)> {
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("expected.json")).unwrap()).unwrap();
    v["photos"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

#[test]
fn registry_constants_match_the_models_preprocess_json() {
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo().join("models/photo/preprocess.json")).unwrap(),
    )
    .unwrap();
    let spec = spec();
    assert_eq!(json["size"], spec.side);
    assert_eq!(json["resize_shorter_to"], spec.resize_to.unwrap());
    for c in 0..3 {
        assert_eq!(json["mean"][c].as_f64().unwrap() as f32, spec.mean[c]);
        assert_eq!(json["std"][c].as_f64().unwrap() as f32, spec.std[c]);
    }
}

#[test]
fn preprocessing_matches_the_python_reference() {
    let spec = spec();
    for (name, case) in expected() {
        let image = photo::decode(&std::fs::read(dir().join(&name)).unwrap()).unwrap();
        assert_eq!(
            image.dimensions(),
            (case["decoded_wh"][0].as_u64().unwrap() as u32, case["decoded_wh"][1].as_u64().unwrap() as u32)
        );
        let crop = photo::crop_for_model(&image, spec.side, spec.resize_to.unwrap());
        // PNG decoding is exact everywhere, so PNGs must match to the bit. JPEG decoders are not
        // bit-exact (zune-jpeg here, libjpeg in PIL): a few grey levels of slack there.
        let exact = name.ends_with(".png");
        let sum: u64 = crop.as_raw().iter().map(|&v| u64::from(v)).sum();
        let want = case["crop_u8_sum"].as_u64().unwrap();
        let slack = if exact { 0 } else { want / 1000 };
        assert!(sum.abs_diff(want) <= slack, "{name}: cropped pixel sum {sum} vs reference {want}");
        let tensor =
            spec.prepare(&ModelInput::Photo(std::fs::read(dir().join(&name)).unwrap())).unwrap().tensor;
        for probe in case["probes"].as_array().unwrap() {
            let (c, y, x) =
                (probe["c"].as_u64().unwrap(), probe["y"].as_u64().unwrap(), probe["x"].as_u64().unwrap());
            let value = tensor[(c * 224 * 224 + y * 224 + x) as usize];
            let want = probe["value"].as_f64().unwrap() as f32;
            let slack = if exact { 0.0 } else { 4.0 / 128.0 };
            assert!((value - want).abs() <= slack, "{name} probe {probe}: {value}");
        }
    }
}

#[test]
fn golden_photos_get_the_reference_top_1() {
    for (name, case) in expected() {
        let prepared = prepare_photo(&std::fs::read(dir().join(&name)).unwrap()).unwrap();
        let top = infer(&prepared.tensor, 5).unwrap();
        let want = &case["top5_model"][0];
        assert_eq!(top[0].label, want["label"].as_str().unwrap(), "{name}: {top:?}");
        let p = want["prob"].as_f64().unwrap() as f32;
        assert!((top[0].probability - p).abs() < 0.01, "{name}: p {} vs {p}", top[0].probability);
    }
}

/// The files of a fixture folder (not its scripts or expectations), sorted.
fn cases(folder: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir().join(folder))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".py") && !n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

fn error_of(file: &str) -> String {
    let bytes = std::fs::read(dir().join("bad").join(file)).unwrap();
    prepare_photo(&bytes).err().unwrap_or_else(|| panic!("{file} must be refused")).to_string()
}

#[test]
fn bad_files_get_clear_messages() {
    // Every file in bad/ has its words in bad/expected.json, and every entry has its file.
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("bad/expected.json")).unwrap()).unwrap();
    let files = cases("bad");
    let listed: Vec<&String> = expected.as_object().unwrap().keys().filter(|k| !k.starts_with('_')).collect();
    assert_eq!(listed, files.iter().collect::<Vec<_>>(), "bad/ and bad/expected.json disagree");
    assert!(files.len() >= 4, "{files:?}");
    for file in files {
        let says = expected[&file]["says"].as_str().unwrap();
        let error = error_of(&file);
        assert!(error.contains(says), "{file}: {error:?} does not say {says:?}");
    }
    assert_eq!(error_of("empty.jpg"), "the file is empty");
}

#[test]
fn unusual_but_valid_files_are_classified() {
    let files = cases("unusual");
    assert!(files.len() >= 2, "{files:?}");
    for file in files {
        let prepared = prepare_photo(&std::fs::read(dir().join("unusual").join(&file)).unwrap()).unwrap();
        assert_eq!(prepared.view.pixels.len(), 224 * 224 * 3);
        let top = infer(&prepared.tensor, 5).unwrap();
        // Each is the cat photo (CMYK, grey at 16 bits, or the first frame of an animated WebP whose
        // second frame is blue): a cat label must stay in the top 5.
        assert!(top.iter().any(|g| g.label.contains("cat") || g.label.contains("Mau")), "{file}: {top:?}");
    }
}

#[test]
fn a_huge_photo_is_downscaled() {
    // 12 megapixels, like a phone photo.
    let image: RgbImage =
        ImageBuffer::from_fn(4000, 3000, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
    let mut jpeg = Vec::new();
    image.write_to(&mut Cursor::new(&mut jpeg), ImageFormat::Jpeg).unwrap();
    let prepared = prepare_photo(&jpeg).unwrap();
    assert_eq!((prepared.view.side, prepared.view.pixels.len()), (224, 224 * 224 * 3));
}

#[test]
fn exif_orientation_is_applied() {
    // A 40×20 JPEG with EXIF orientation 6 ("rotate 90° clockwise") must come out 20×40.
    let image: RgbImage = ImageBuffer::from_pixel(40, 20, Rgb([200, 10, 10]));
    let mut jpeg = Vec::new();
    image.write_to(&mut Cursor::new(&mut jpeg), ImageFormat::Jpeg).unwrap();
    let exif: Vec<u8> = [
        b"Exif\0\0".as_slice(),
        b"MM\0\x2a\0\0\0\x08", // big-endian TIFF header, first IFD at 8
        &[0, 1],               // one entry
        &[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0], // Orientation, SHORT, 1, value 6
        &[0, 0, 0, 0],         // no next IFD
    ]
    .concat();
    let mut with_exif = jpeg[..2].to_vec(); // SOI
    with_exif.extend([0xFF, 0xE1]);
    with_exif.extend(((exif.len() + 2) as u16).to_be_bytes());
    with_exif.extend(&exif);
    with_exif.extend(&jpeg[2..]);
    assert_eq!(photo::decode(&with_exif).unwrap().dimensions(), (20, 40));
}

#[test]
fn a_photo_for_the_sketch_model_is_refused_clearly() {
    let e = engine().prepare("photo", &ModelInput::Strokes(vec![vec![[0.0, 0.0]]])).err().unwrap();
    assert!(e.to_string().contains("takes photos, not drawings"), "{e}");
}

fn png(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).unwrap();
    out
}

fn jpeg(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image.write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg).unwrap();
    out
}

#[test]
fn strips_of_any_aspect_ratio_are_classified_without_a_huge_resize() {
    // A 20000×1 PNG is a few hundred bytes; resizing its shorter side to 256 before cropping
    // asked for a 5 120 000 × 256 image (and 20 000 × 1 024 × 1 024 in the playground).
    for (w, h) in [(20_000, 1), (1, 20_000), (20_000, 3), (7, 19_999), (300, 1)] {
        let strip: RgbImage = ImageBuffer::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 99]));
        let bytes = png(&strip);
        let prepared = engine().prepare(PHOTO, &ModelInput::Photo(bytes.clone())).unwrap();
        assert_eq!(prepared.view.pixels.len(), 224 * 224 * 3, "{w}×{h}");
        let top = engine().answer(PHOTO, &prepared.tensor, 5).unwrap().top;
        assert_eq!(top.len(), 5);
        for side in [28, 1024] {
            let crop = photo::crop_for_model(&photo::decode(&bytes).unwrap(), side, side);
            assert_eq!(crop.dimensions(), (side, side), "{w}×{h} at {side}");
        }
    }
}

#[test]
fn a_long_strip_keeps_its_centre() {
    // Cutting the strip before resizing must keep what the model would have seen: the middle.
    let strip: RgbImage = ImageBuffer::from_fn(9_000, 30, |x, _| {
        if (4_490..4_510).contains(&x) {
            Rgb([255, 0, 0])
        } else {
            Rgb([0, 0, 255])
        }
    });
    let crop = photo::crop_for_model(&strip, 224, 256);
    let centre = crop.get_pixel(112, 112);
    assert!(centre[0] > 200 && centre[2] < 50, "{centre:?}");
}

#[test]
fn a_motion_photo_is_classified_from_its_jpeg_part() {
    // Phones append the video (an MP4, here 300 kB of it) after the JPEG's end marker.
    let cat = photo::decode(&std::fs::read(dir().join("cat.png")).unwrap()).unwrap();
    let still = jpeg(&cat);
    let mut motion = still.clone();
    motion.extend(b"\0\0\0\x18ftypmp42\0\0\0\0isommp42");
    motion.extend((0..300_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    let (a, b) = (prepare_photo(&still).unwrap(), prepare_photo(&motion).unwrap());
    assert_eq!(a.view, b.view);
    // A JPEG cut before its end is still refused, whatever follows inside it.
    let e = prepare_photo(&still[..still.len() * 2 / 3]).err().unwrap().to_string();
    assert!(e.contains("truncated"), "{e}");
}

#[test]
fn an_animated_gif_is_read_from_its_first_frame() {
    use image::codecs::gif::{GifEncoder, Repeat};
    use image::{Delay, Frame, RgbaImage};
    let frame = |c: [u8; 4]| {
        Frame::from_parts(
            RgbaImage::from_pixel(64, 48, image::Rgba(c)),
            0,
            0,
            Delay::from_numer_denom_ms(100, 1),
        )
    };
    let mut gif = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut gif);
        encoder.set_repeat(Repeat::Infinite).unwrap();
        encoder
            .encode_frames([frame([250, 10, 10, 255]), frame([10, 10, 250, 255]), frame([10, 250, 10, 255])])
            .unwrap();
    }
    let image = photo::decode(&gif).unwrap();
    assert_eq!(image.dimensions(), (64, 48));
    let p = image.get_pixel(10, 10);
    assert!(p[0] > 200 && p[2] < 50, "first frame is red, got {p:?}");
    assert!(prepare_photo(&gif).is_ok());
}

/// A JPEG with an APP1 "Exif" segment holding `tiff` inserted after SOI.
fn with_exif(jpeg: &[u8], tiff: &[u8]) -> Vec<u8> {
    let exif = [b"Exif\0\0".as_slice(), tiff].concat();
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((exif.len() + 2) as u16).to_be_bytes());
    out.extend(&exif);
    out.extend(&jpeg[2..]);
    out
}

#[test]
fn broken_exif_is_ignored() {
    let still = jpeg(&ImageBuffer::from_pixel(40, 20, Rgb([200, 10, 10])));
    for tiff in [
        b"garbage, not TIFF at all".as_slice(),
        b"MM\0\x2a\xff\xff\xff\xf0",   // first IFD far past the end
        b"II\x2a\0\x08\0\0\0\xff\xff", // 65 535 entries, none there
        b"MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x09\0\0", // orientation 9 (no such value)
        b"",
    ] {
        let image = photo::decode(&with_exif(&still, tiff)).unwrap_or_else(|e| panic!("{tiff:?}: {e}"));
        assert_eq!(image.dimensions(), (40, 20), "{tiff:?}");
    }
}
