//! Photos → the image a model sees: decode (JPEG, PNG, WebP, GIF first frame) with limits,
//! apply the EXIF orientation, resize the shorter side, centre-crop ([`crate::input`] normalises). Runs in the
//! worker, never on the UI thread.

#[cfg(feature = "photos")]
use crate::{Error, Result};
#[cfg(feature = "photos")]
use image::imageops::FilterType;
#[cfg(feature = "photos")]
use image::metadata::Orientation;
#[cfg(feature = "photos")]
use image::{DynamicImage, GenericImageView, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};
#[cfg(feature = "photos")]
use std::io::Cursor;

/// Files larger than this are refused before decoding (the UI refuses them before reading).
pub const MAX_FILE_BYTES: usize = 40 << 20;
/// The pages' check before reading a photo file (so a huge one is refused unread): the
/// reason, to follow the file's name.
pub fn check_photo_size(bytes: u64) -> std::result::Result<(), String> {
    if bytes > MAX_FILE_BYTES as u64 {
        return Err(format!(
            "is {:.0} MB; photos up to {} MB are accepted",
            bytes as f64 / 1_048_576.0,
            MAX_FILE_BYTES >> 20
        ));
    }
    Ok(())
}

/// Refused from the header alone: a 50 000 × 50 000 "decompression bomb" claims 2.5 G pixels.
pub const MAX_PIXELS: u64 = 50_000_000;
#[cfg(feature = "photos")]
/// A side limit too, so a 1 × 40 M strip cannot slip under the pixel limit.
const MAX_SIDE: u32 = 20_000;

#[cfg(feature = "photos")]
const FORMATS: [ImageFormat; 4] = [ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::WebP, ImageFormat::Gif];

#[cfg(feature = "photos")]
/// A decoded photo, upright, as 8-bit RGB.
pub fn decode(bytes: &[u8]) -> Result<RgbImage> {
    if bytes.is_empty() {
        return Err(Error::BadInput("the file is empty".into()));
    }
    // The pages check the size before reading ([`check_photo_size`]); this is the same check
    // for bytes that came another way (the CLI, the benchmark hook).
    check_photo_size(bytes.len() as u64).map_err(|e| Error::BadInput(format!("the file {e}")))?;
    let unsupported = || Error::BadInput("this is not a JPEG, PNG, WebP or GIF image".into());
    let format = image::guess_format(bytes).map_err(|_| unsupported())?;
    if !FORMATS.contains(&format) {
        return Err(unsupported());
    }
    // JPEG decoders fill a cut-off scan with grey and carry on; a person should hear that the
    // file is incomplete instead. Whatever follows the image's end marker (a phone's "motion
    // photo" appends its video there) is not part of the picture and is left out.
    let bytes = match format {
        ImageFormat::Jpeg => match jpeg_end(bytes) {
            Some(end) => &bytes[..end],
            None => return Err(Error::BadInput("the JPEG file is truncated (it has no end marker)".into())),
        },
        _ => bytes,
    };
    let reader = || {
        let mut r = ImageReader::with_format(Cursor::new(bytes), format);
        let mut limits = Limits::default();
        limits.max_image_width = Some(MAX_SIDE);
        limits.max_image_height = Some(MAX_SIDE);
        limits.max_alloc = Some(512 << 20);
        r.limits(limits);
        r
    };
    let broken = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => Error::BadInput(format!("the image is too large to decode ({e})")),
        other => Error::BadInput(format!("the {format:?} file is damaged or truncated ({other})")),
    };
    // The header alone says how big the picture claims to be: refuse bombs before decoding.
    let limit = || format!("the limit is {} megapixels", MAX_PIXELS / 1_000_000);
    let (width, height) =
        ImageReader::with_format(Cursor::new(bytes), format).into_dimensions().map_err(|e| match e {
            // On wasm32 the decoder's own size arithmetic overflows first for such headers.
            image::ImageError::Limits(_) => {
                Error::BadInput(format!("the image claims too many pixels; {}", limit()))
            }
            other => broken(other),
        })?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS || width.max(height) > MAX_SIDE {
        return Err(Error::BadInput(format!("the image claims {width}×{height} pixels; {}", limit())));
    }
    let mut decoder = reader().into_decoder().map_err(broken)?;
    // EXIF is optional metadata: when it cannot be read the photo is shown as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    // Animated GIF and WebP decode their first frame here.
    let image = DynamicImage::from_decoder(decoder).map_err(broken)?;
    // At most two full-size copies are alive at once (decoded → 8-bit RGB, then RGB → turned),
    // each within MAX_PIXELS; everything after works on the crop.
    let mut image = DynamicImage::ImageRgb8(image.into_rgb8());
    image.apply_orientation(orientation);
    Ok(image.into_rgb8())
}

#[cfg(feature = "photos")]
/// The offset just past a JPEG's end-of-image marker, found by walking its segments (so an
/// EXIF thumbnail's own end marker inside APP1 does not count), or `None` when the file stops
/// before it.
fn jpeg_end(bytes: &[u8]) -> Option<usize> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut i = 2;
    loop {
        // A marker: one or more 0xFF (fill bytes), then its code. Stray bytes between segments
        // are skipped, as decoders do.
        i += bytes.get(i..)?.iter().position(|&b| b == 0xFF)?;
        while *bytes.get(i)? == 0xFF {
            i += 1;
        }
        let code = bytes[i];
        i += 1;
        match code {
            0xD9 => return Some(i),
            0x01 | 0xD0..=0xD7 => continue, // no length field
            _ => {
                let length = usize::from(u16::from_be_bytes([*bytes.get(i)?, *bytes.get(i + 1)?]));
                if length < 2 || i + length > bytes.len() {
                    return None;
                }
                i += length;
                if code == 0xDA {
                    // Entropy-coded data runs until a marker other than a restart (0xD0..=0xD7)
                    // or a stuffed 0xFF 0x00.
                    loop {
                        i += bytes.get(i..)?.iter().position(|&b| b == 0xFF)?;
                        match *bytes.get(i + 1)? {
                            0x00 | 0xD0..=0xD7 => i += 2,
                            0xFF => i += 1,
                            _ => break,
                        }
                    }
                }
            }
        }
    }
}

#[cfg(feature = "photos")]
/// Resize the shorter side to `resize_to` (bilinear: `FilterType::Triangle`), then centre-crop
/// `size` × `size`. This is the image the model sees.
///
/// A long strip (a 20 000 × 1 PNG is a few hundred bytes) is first cut to a centred window
/// whose resized long side is at most [`MAX_RESIZED_ASPECT`] × the model's side, so the
/// resized image stays small whatever the aspect ratio; ordinary photos never hit that cut and
/// go through unchanged (the goldens compare them bit for bit with the Python reference).
pub fn crop_for_model(image: &RgbImage, size: u32, resize_to: u32) -> RgbImage {
    let (w, h) = image.dimensions();
    let (short, long) = (w.min(h), w.max(h));
    let target = resize_to.max(1);
    let max_long = MAX_RESIZED_ASPECT * size.max(target);
    let window = (u64::from(short) * u64::from(max_long) / u64::from(target)).max(u64::from(short));
    if u64::from(long) > window {
        let window = window as u32;
        let (x, y, cw, ch) =
            if w > h { ((w - window) / 2, 0, window, h) } else { (0, (h - window) / 2, w, window) };
        return resize_and_crop(&*image::imageops::crop_imm(image, x, y, cw, ch), size, resize_to);
    }
    resize_and_crop(image, size, resize_to)
}

#[cfg(feature = "photos")]
/// How much longer than the model's side the resized image may be (see [`crop_for_model`]):
/// 2 keeps every photo up to 2:1 on the exact reference path.
pub const MAX_RESIZED_ASPECT: u32 = 2;

#[cfg(feature = "photos")]
fn resize_and_crop<I: GenericImageView<Pixel = image::Rgb<u8>>>(
    image: &I,
    size: u32,
    resize_to: u32,
) -> RgbImage {
    let (w, h) = image.dimensions();
    // Integer rounding (half up) of side × target / shorter, as models/photo/preprocess.json
    // specifies, so native, wasm and the Python reference agree to the pixel.
    let (short, target) = (u64::from(w.min(h)), u64::from(resize_to));
    let scaled = |side: u32| (((u64::from(side) * target * 2 + short) / (2 * short)) as u32).max(size);
    let (nw, nh) = (scaled(w), scaled(h));
    let resized = image::imageops::resize(image, nw, nh, FilterType::Triangle);
    let (x, y) = ((nw - size) / 2, (nh - size) / 2);
    image::imageops::crop_imm(&resized, x, y, size, size).to_image()
}

#[cfg(all(test, feature = "photos"))]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        RgbImage::new(width, height).write_to(&mut Cursor::new(&mut out), ImageFormat::Png).unwrap();
        out
    }

    #[test]
    fn a_photo_file_over_the_limit_is_refused_before_reading() {
        assert_eq!(check_photo_size(MAX_FILE_BYTES as u64), Ok(()));
        assert_eq!(check_photo_size(100 << 20), Err("is 100 MB; photos up to 40 MB are accepted".into()));
        // decode() applies the same check to bytes that came another way.
        let e = decode(&vec![0; MAX_FILE_BYTES + 1]).unwrap_err().to_string();
        assert_eq!(e, "the file is 40 MB; photos up to 40 MB are accepted");
    }

    #[test]
    fn empty_and_foreign_files_are_refused_by_name() {
        assert!(decode(&[]).unwrap_err().to_string().contains("empty"));
        assert!(decode(b"%PDF-1.7 not an image").unwrap_err().to_string().contains("not a JPEG"));
    }

    #[test]
    fn truncated_files_are_refused() {
        let bytes = png(64, 64);
        let e = decode(&bytes[..bytes.len() / 2]).unwrap_err().to_string();
        assert!(e.contains("damaged or truncated"), "{e}");
    }

    #[test]
    fn crop_is_square_and_centred() {
        let mut img = RgbImage::new(8, 4);
        img.put_pixel(4, 2, image::Rgb([255, 0, 0]));
        let crop = crop_for_model(&img, 4, 4);
        assert_eq!(crop.dimensions(), (4, 4));
    }
}
