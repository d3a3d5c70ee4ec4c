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
use image::imageops::FilterType;
use image::RgbImage;

pub use crate::input::{CleanOptions, MAX_SIGMA};

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

/// A cleaning under way: planes of one size, cleaned one tile at a time ([`Cleaning::step`]), so
/// the worker can report progress and read a cancel between two tiles.
pub struct Cleaning {
    spec: TileSpec,
    sigma: f32,
    planes: Vec<Plane>,
    /// Tile origins in the padded plane, along x and y.
    xs: Vec<usize>,
    ys: Vec<usize>,
    out: Vec<Vec<f32>>,
    done: usize,
    /// Channel 0: the tile; channel 1: the noise level everywhere.
    input: Vec<f32>,
}

impl Cleaning {
    /// Checks the request; nothing runs yet.
    pub fn new(model: &Model, planes: Vec<Plane>, sigma: f32) -> Result<Self> {
        let spec = tiles_of(model)?;
        if !(0.0..=MAX_SIGMA).contains(&sigma) {
            return Err(Error::BadInput(format!("a noise level of {sigma}: it must be 0 to {MAX_SIGMA}")));
        }
        let first = planes.first().ok_or_else(|| Error::BadInput("an empty image".into()))?;
        let (w, h) = (first.width, first.height);
        if w == 0 || h == 0 || planes.iter().any(|p| (p.width, p.height, p.values.len()) != (w, h, w * h)) {
            return Err(Error::BadInput("an empty image".into()));
        }
        let step = spec.tile - 2 * spec.margin;
        let (xs, ys) =
            (starts(w + 2 * spec.margin, spec.tile, step), starts(h + 2 * spec.margin, spec.tile, step));
        let out = vec![vec![0.0f32; w * h]; planes.len()];
        Ok(Cleaning {
            spec,
            sigma,
            planes,
            xs,
            ys,
            out,
            done: 0,
            input: vec![sigma; 2 * spec.tile * spec.tile],
        })
    }

    /// Model runs done so far, and in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.done, self.planes.len() * self.xs.len() * self.ys.len())
    }

    pub fn finished(&self) -> bool {
        let (done, total) = self.progress();
        done == total
    }

    /// Runs the next tile (nothing once finished).
    pub fn step(&mut self, model: &Model) -> Result<()> {
        if self.finished() {
            return Ok(());
        }
        let TileSpec { tile, margin } = self.spec;
        let per_plane = self.xs.len() * self.ys.len();
        let (p, k) = (self.done / per_plane, self.done % per_plane);
        let (tx, ty) = (self.xs[k % self.xs.len()], self.ys[k / self.xs.len()]);
        let plane = &self.planes[p];
        let (w, h) = (plane.width, plane.height);
        for r in 0..tile {
            let row = reflect((ty + r) as isize - margin as isize, h) * w;
            for c in 0..tile {
                self.input[r * tile + c] =
                    plane.values[row + reflect((tx + c) as isize - margin as isize, w)];
            }
        }
        let cleaned = model.run_feeds(&[Feed::F32(&self.input)])?;
        // Tile row r is photo row ty + r − margin; its interior lands at ty.. in the photo.
        let step = tile - 2 * margin;
        let out = &mut self.out[p];
        for r in margin..tile - margin {
            let y = ty + r - margin;
            if y >= h {
                break;
            }
            let (from, to) = (r * tile + margin, y * w + tx);
            let n = step.min(w - tx.min(w));
            out[to..to + n].copy_from_slice(&cleaned[from..from + n]);
        }
        self.done += 1;
        Ok(())
    }

    /// The cleaned planes, in the order given (`None` until every tile has run).
    pub fn result(self) -> Option<Vec<Plane>> {
        let (w, h) = (self.planes[0].width, self.planes[0].height);
        self.finished()
            .then(|| self.out.into_iter().map(|values| Plane { width: w, height: h, values }).collect())
    }

    /// The noise level it removes.
    pub fn sigma(&self) -> f32 {
        self.sigma
    }
}

/// `planes` cleaned of noise of standard deviation `sigma` at once; `on_tile(done, total)` after each tile.
fn clean_all(
    model: &Model,
    planes: Vec<Plane>,
    sigma: f32,
    mut on_tile: impl FnMut(usize, usize),
) -> Result<Vec<Plane>> {
    let mut cleaning = Cleaning::new(model, planes, sigma)?;
    while !cleaning.finished() {
        cleaning.step(model)?;
        let (done, total) = cleaning.progress();
        on_tile(done, total);
    }
    Ok(cleaning.result().expect("every tile ran"))
}

/// `plane` cleaned of noise of standard deviation `sigma`; `on_tile(done, total)` after each tile.
pub fn clean_plane(
    model: &Model,
    plane: &Plane,
    sigma: f32,
    on_tile: impl FnMut(usize, usize),
) -> Result<Plane> {
    Ok(clean_all(model, vec![plane.clone()], sigma, on_tile)?.remove(0))
}

/// A colour photo cleaned plane by plane; `on_tile(done, total)` counts the tiles of all three.
pub fn clean_photo(
    model: &Model,
    planes: &[Plane; 3],
    sigma: f32,
    on_tile: impl FnMut(usize, usize),
) -> Result<[Plane; 3]> {
    Ok(clean_all(model, planes.to_vec(), sigma, on_tile)?.try_into().expect("three planes"))
}

/// The noise level of a plane, guessed from its finest diagonal detail (Donoho's estimator: the
/// median absolute Haar HH coefficient / 0.6745), which in photos is mostly noise. Clipped to
/// what the model was trained for. Measured in `tests/denoise.rs`.
pub fn estimate_sigma(plane: &Plane) -> f32 {
    let (w, h) = (plane.width, plane.height);
    let v = &plane.values;
    let mut details: Vec<f32> = (0..h / 2)
        .flat_map(|y| (0..w / 2).map(move |x| (2 * y * w + 2 * x, (2 * y + 1) * w + 2 * x)))
        .map(|(a, b)| ((v[a] - v[a + 1] - v[b] + v[b + 1]) / 2.0).abs())
        .collect();
    if details.is_empty() {
        return 0.0;
    }
    let mid = details.len() / 2;
    let (_, median, _) = details.select_nth_unstable_by(mid, f32::total_cmp);
    (*median / 0.6745).clamp(0.0, MAX_SIGMA)
}

/// Photos above this many pixels are shrunk to it before cleaning: a 12-megapixel phone photo
/// would take half a minute in the browser, and a screen shows no more.
pub const MAX_CLEAN_PIXELS: u32 = 4_000_000;

/// A photo on its way to being cleaned: the noisy photo the model reads (what the page shows as
/// "before"), and the cleaning under way.
pub struct PhotoCleaning {
    pub before: RgbImage,
    /// Its size before it was shrunk to [`MAX_CLEAN_PIXELS`], if it was.
    pub shrunk_from: Option<(u32, u32)>,
    pub cleaning: Cleaning,
}

impl PhotoCleaning {
    /// The noisy photo and the cleaned one, once every tile has run.
    pub fn finish(self) -> Option<(RgbImage, RgbImage)> {
        let planes: [Plane; 3] = self.cleaning.result()?.try_into().ok()?;
        Some((self.before, Plane::to_rgb(&planes)))
    }
}

/// Decodes `bytes` (limits, orientation: [`crate::photo::decode`]), shrinks, adds the grain and
/// sets up the cleaning: the worker's path and the tests'.
pub fn start(model: &Model, bytes: &[u8], options: CleanOptions) -> Result<PhotoCleaning> {
    tiles_of(model)?;
    if !(0.0..=MAX_SIGMA).contains(&options.grain) {
        return Err(Error::BadInput(format!("grain of {}: it must be 0 to {MAX_SIGMA}", options.grain)));
    }
    // Before the photo is decoded: a bad request costs nothing.
    if let Some(s) = options.strength.filter(|s| !(0.0..=MAX_SIGMA).contains(s)) {
        return Err(Error::BadInput(format!("a noise level of {s}: it must be 0 to {MAX_SIGMA}")));
    }
    let photo = crate::photo::decode(bytes)?;
    let (w, h) = photo.dimensions();
    let pixels = u64::from(w) * u64::from(h);
    let (photo, shrunk_from) = if pixels > u64::from(MAX_CLEAN_PIXELS) {
        let scale = (f64::from(MAX_CLEAN_PIXELS) / pixels as f64).sqrt();
        let (nw, nh) = (((f64::from(w) * scale) as u32).max(1), ((f64::from(h) * scale) as u32).max(1));
        (image::imageops::resize(&photo, nw, nh, FilterType::Triangle), Some((w, h)))
    } else {
        (photo, None)
    };
    let mut planes = Plane::rgb(&photo);
    if options.grain > 0.0 {
        let mut draws = Draws::new(options.seed);
        planes = planes.map(|p| p.with_noise(options.grain, &mut draws));
    }
    // The grainy photo as 8-bit pixels, like a real one: what is shown is what is cleaned.
    let before = Plane::to_rgb(&planes);
    let planes = Plane::rgb(&before);
    let sigma = match options.strength {
        Some(s) => s,
        None => {
            let estimates = planes.iter().map(estimate_sigma).collect::<Vec<_>>();
            estimates.iter().sum::<f32>() / 3.0
        }
    };
    let cleaning = Cleaning::new(model, planes.to_vec(), sigma)?;
    Ok(PhotoCleaning { before, shrunk_from, cleaning })
}

/// A photo's pixels as RGBA bytes (opaque), the layout of a canvas's `ImageData`.
pub fn rgba(image: &RgbImage) -> Vec<u8> {
    image.pixels().flat_map(|p| [p[0], p[1], p[2], 255]).collect()
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
    }

    #[test]
    fn psnr_of_a_known_error() {
        let a = vec![0.5f32; 100];
        let b = vec![0.6f32; 100];
        assert!((psnr(&a, &b) - 20.0).abs() < 1e-4);
    }
}
