//! Photos → the model's input tensor: decode (JPEG, PNG, WebP, GIF first frame) with limits,
//! apply the EXIF orientation, resize the shorter side, centre-crop, normalise. Runs in the
//! worker, never on the UI thread.

use crate::{Error, Result};
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};
use std::io::Cursor;

/// How a model wants its photos (values cited in the registry entry that uses them).
#[derive(Debug, Clone, PartialEq)]
pub struct ImageSpec {
    /// Side of the square input.
    pub size: u32,
    /// The shorter side is resized to this before the centre crop.
    pub resize_shorter_to: u32,
    /// Per-channel (R, G, B) mean and std, applied to the 8-bit values (0..=255) as
    /// `(v - mean) / std` in f32, the same arithmetic as the Python reference.
    pub mean: [f32; 3],
    pub std: [f32; 3],
}

/// Files larger than this are refused before decoding (the UI refuses them before reading).
pub const MAX_FILE_BYTES: usize = 40 << 20;
/// Refused from the header alone: a 50 000 × 50 000 "decompression bomb" claims 2.5 G pixels.
pub const MAX_PIXELS: u64 = 50_000_000;
/// A side limit too, so a 1 × 40 M strip cannot slip under the pixel limit.
const MAX_SIDE: u32 = 20_000;

const FORMATS: [ImageFormat; 4] = [ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::WebP, ImageFormat::Gif];

/// A decoded photo, upright, as 8-bit RGB.
pub fn decode(bytes: &[u8]) -> Result<RgbImage> {
    if bytes.is_empty() {
        return Err(Error::BadInput("the file is empty".into()));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Error::BadInput(format!(
            "the file is {} MB; the limit is {} MB",
            bytes.len() >> 20,
            MAX_FILE_BYTES >> 20
        )));
    }
    let unsupported = || Error::BadInput("this is not a JPEG, PNG, WebP or GIF image".into());
    let format = image::guess_format(bytes).map_err(|_| unsupported())?;
    if !FORMATS.contains(&format) {
        return Err(unsupported());
    }
    // JPEG decoders fill a cut-off scan with grey and carry on; a person should hear that the
    // file is incomplete instead. A whole JPEG ends with the EOI marker (FF D9), at most
    // followed by a little padding; the entropy-coded data before it cannot contain FF D9.
    if format == ImageFormat::Jpeg
        && !bytes[bytes.len().saturating_sub(1024)..].windows(2).any(|w| w == [0xFF, 0xD9])
    {
        return Err(Error::BadInput("the JPEG file is truncated (it has no end marker)".into()));
    }
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
    let orientation = decoder.orientation().map_err(broken)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(broken)?;
    image.apply_orientation(orientation);
    Ok(image.to_rgb8())
}

/// Resize the shorter side to `spec.resize_shorter_to` (bilinear: `FilterType::Triangle`),
/// then centre-crop `spec.size` × `spec.size`. This is the image the model sees.
pub fn crop_for_model(image: &RgbImage, spec: &ImageSpec) -> RgbImage {
    let (w, h) = image.dimensions();
    // Integer rounding (half up) of side × target / shorter, as models/photo/preprocess.json
    // specifies, so native, wasm and the Python reference agree to the pixel.
    let (short, target) = (u64::from(w.min(h)), u64::from(spec.resize_shorter_to));
    let scaled = |side: u32| (((u64::from(side) * target * 2 + short) / (2 * short)) as u32).max(spec.size);
    let (nw, nh) = (scaled(w), scaled(h));
    let resized = image::imageops::resize(image, nw, nh, FilterType::Triangle);
    let (x, y) = ((nw - spec.size) / 2, (nh - spec.size) / 2);
    image::imageops::crop_imm(&resized, x, y, spec.size, spec.size).to_image()
}

/// NCHW f32: (value − mean) / std per channel, on 8-bit values.
pub fn to_tensor(image: &RgbImage, spec: &ImageSpec) -> Vec<f32> {
    let plane = (image.width() * image.height()) as usize;
    let mut tensor = vec![0.0; 3 * plane];
    for (i, px) in image.pixels().enumerate() {
        for c in 0..3 {
            tensor[c * plane + i] = (f32::from(px[c]) - spec.mean[c]) / spec.std[c];
        }
    }
    tensor
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        RgbImage::new(width, height).write_to(&mut Cursor::new(&mut out), ImageFormat::Png).unwrap();
        out
    }

    const SPEC: ImageSpec = ImageSpec { size: 4, resize_shorter_to: 4, mean: [127.5; 3], std: [127.5; 3] };

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
        let crop = crop_for_model(&img, &SPEC);
        assert_eq!(crop.dimensions(), (4, 4));
    }

    #[test]
    fn tensor_is_nchw_and_normalised() {
        let mut img = RgbImage::new(4, 4);
        img.put_pixel(1, 0, image::Rgb([255, 0, 128]));
        let t = to_tensor(&img, &SPEC);
        assert_eq!(t.len(), 48);
        assert_eq!(t[1], 1.0); // R plane, pixel 1
        assert_eq!(t[16 + 1], -1.0); // G plane
        assert!((t[32 + 1] - (128.0 - 127.5) / 127.5).abs() < 1e-6); // B plane
    }
}
