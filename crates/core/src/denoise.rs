//! Cleaning a photo with a denoiser that reads one plane and the noise level ([`InputKind::Tiles`]:
//! DnCNN-6N, models/denoise/MODEL.md). A plane of any size is reflected at its borders by the
//! model's receptive radius (`margin`) and cut into overlapping tiles of the model's size; each
//! tile's interior is kept, so the result is the model run on the whole padded plane at once.
//! A colour photo is its three planes, each cleaned alone (luminance only gained 1 dB, not 9.5:
//! MODEL.md).

use crate::input::{Feed, InputKind, TileSpec};
use crate::model::Model;
use crate::random::Draws;
use crate::registry::Task;
use crate::{Error, Result};
use image::RgbImage;

/// Largest noise level the model was trained for (pixels in [0, 1]).
pub const MAX_SIGMA: f32 = 0.2;

/// One plane of a photo: values in [0, 1], row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Plane {
    pub width: usize,
    pub height: usize,
    pub values: Vec<f32>,
}

impl Plane {
    /// The planes R, G, B of a photo.
    pub fn rgb(image: &RgbImage) -> [Plane; 3] {
        let (width, height) = (image.width() as usize, image.height() as usize);
        let raw = image.as_raw();
        std::array::from_fn(|c| Plane {
            width,
            height,
            values: raw[c..].iter().step_by(3).map(|&v| f32::from(v) / 255.0).collect(),
        })
    }

    /// Three planes back into a photo (clipped to [0, 1], rounded).
    pub fn to_rgb(planes: &[Plane; 3]) -> RgbImage {
        let (w, h) = (planes[0].width as u32, planes[0].height as u32);
        let byte = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
        let raw =
            (0..planes[0].values.len()).flat_map(|i| planes.iter().map(move |p| byte(p.values[i]))).collect();
        RgbImage::from_raw(w, h, raw).expect("three planes of one size")
    }

    /// This plane with Gaussian noise of standard deviation `sigma` added (not clipped), drawn from `draws`.
    pub fn with_noise(&self, sigma: f32, draws: &mut Draws) -> Plane {
        Plane {
            values: self.values.iter().map(|&v| v + sigma * draws.normal() as f32).collect(),
            ..self.clone()
        }
    }
}

/// Peak signal-to-noise ratio of `test` against `reference` (values in [0, 1]), in dB.
pub fn psnr(reference: &[f32], test: &[f32]) -> f64 {
    let mse = reference.iter().zip(test).map(|(&a, &b)| f64::from(a - b).powi(2)).sum::<f64>()
        / reference.len() as f64;
    10.0 * (1.0 / mse).log10()
}

/// numpy's "reflect" index (the edge pixel not repeated: −1 → 1), at any distance outside.
fn reflect(i: isize, n: usize) -> usize {
    if n == 1 {
        return 0;
    }
    let period = 2 * (n as isize - 1);
    let j = i.rem_euclid(period);
    (if j >= n as isize { period - j } else { j }) as usize
}

/// Where tiles start along an axis of `n` padded pixels: every `step`, the last flush with the end.
fn starts(n: usize, tile: usize, step: usize) -> Vec<usize> {
    if n <= tile {
        return vec![0];
    }
    let mut s: Vec<usize> = (0..n - tile).step_by(step).collect();
    s.push(n - tile);
    s
}

fn tiles_of(model: &Model) -> Result<TileSpec> {
    match (model.task, &model.input) {
        (Some(Task::Clean), InputKind::Tiles(spec)) => Ok(*spec),
        _ => Err(Error::BadInput(format!("model \"{}\" does not clean photos", model.name))),
    }
}

/// How many model runs cleaning a `width` × `height` plane takes.
pub fn tile_count(spec: TileSpec, width: usize, height: usize) -> usize {
    let step = spec.tile - 2 * spec.margin;
    starts(width + 2 * spec.margin, spec.tile, step).len()
        * starts(height + 2 * spec.margin, spec.tile, step).len()
}

/// `plane` cleaned of noise of standard deviation `sigma`; `on_tile(done, total)` after each tile.
pub fn clean_plane(
    model: &Model,
    plane: &Plane,
    sigma: f32,
    mut on_tile: impl FnMut(usize, usize),
) -> Result<Plane> {
    let TileSpec { tile, margin } = tiles_of(model)?;
    if !(0.0..=MAX_SIGMA).contains(&sigma) {
        return Err(Error::BadInput(format!("a noise level of {sigma}: it must be 0 to {MAX_SIGMA}")));
    }
    let (w, h) = (plane.width, plane.height);
    if w == 0 || h == 0 || plane.values.len() != w * h {
        return Err(Error::BadInput("an empty image".into()));
    }
    let step = tile - 2 * margin;
    let (xs, ys) = (starts(w + 2 * margin, tile, step), starts(h + 2 * margin, tile, step));
    let total = xs.len() * ys.len();
    let mut out = vec![0.0f32; w * h];
    // Channel 0: the tile; channel 1: the noise level everywhere.
    let mut input = vec![sigma; 2 * tile * tile];
    for (k, (&ty, &tx)) in ys.iter().flat_map(|y| xs.iter().map(move |x| (y, x))).enumerate() {
        for r in 0..tile {
            let row = reflect((ty + r) as isize - margin as isize, h) * w;
            for c in 0..tile {
                input[r * tile + c] = plane.values[row + reflect((tx + c) as isize - margin as isize, w)];
            }
        }
        let cleaned = model.run_feeds(&[Feed::F32(&input)])?;
        // Tile row r is photo row ty + r − margin; its interior lands at ty.. in the photo.
        for r in margin..tile - margin {
            let y = ty + r - margin;
            if y >= h {
                break;
            }
            let (from, to) = (r * tile + margin, y * w + tx);
            let n = step.min(w - tx.min(w));
            out[to..to + n].copy_from_slice(&cleaned[from..from + n]);
        }
        on_tile(k + 1, total);
    }
    Ok(Plane { width: w, height: h, values: out })
}

/// A colour photo cleaned plane by plane; `on_tile(done, total)` counts the tiles of all three.
pub fn clean_photo(
    model: &Model,
    planes: &[Plane; 3],
    sigma: f32,
    mut on_tile: impl FnMut(usize, usize),
) -> Result<[Plane; 3]> {
    let per_plane = tile_count(tiles_of(model)?, planes[0].width, planes[0].height);
    let mut cleaned = Vec::with_capacity(3);
    for (i, plane) in planes.iter().enumerate() {
        cleaned
            .push(clean_plane(model, plane, sigma, |done, _| on_tile(i * per_plane + done, 3 * per_plane))?);
    }
    Ok(cleaned.try_into().expect("three planes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reflection_does_not_repeat_the_edge_and_folds_far_indices() {
        let n = 4;
        let got: Vec<usize> = (-5..9).map(|i| reflect(i, n)).collect();
        // numpy: np.pad(np.arange(4), 5, mode="reflect")[:14]
        assert_eq!(got, [1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2]);
        assert_eq!(reflect(-3, 1), 0);
    }

    #[test]
    fn tiles_cover_the_plane_and_the_last_is_flush() {
        assert_eq!(starts(463, 256, 244), [0, 207]);
        assert_eq!(starts(256, 256, 244), [0]);
        assert_eq!(starts(100, 256, 244), [0]);
        assert_eq!(starts(744, 256, 244), [0, 244, 488]);
        assert_eq!(tile_count(TileSpec { tile: 256, margin: 6 }, 451, 300), 4);
    }

    #[test]
    fn psnr_of_a_known_error() {
        let a = vec![0.5f32; 100];
        let b = vec![0.6f32; 100];
        assert!((psnr(&a, &b) - 20.0).abs() < 1e-4);
    }
}
