//! Cleaning a photo with a denoiser that reads one plane and the noise level ([`InputKind::Tiles`]:
//! a DnCNN distilled from scico's 6N, models/denoise/MODEL.md). A plane of any size is reflected at
//! its borders by the model's receptive radius (`margin`) and cut into overlapping tiles of the
//! model's size; each tile's interior is kept, so the result is the model run on the whole padded
//! plane at once.
//! A colour photo is cleaned as JPEG's YCbCr 4:2:0: Y at full size, Cb and Cr averaged over 2×2
//! pixels (which halves their noise and quarters their tiles), then scaled back up. Against R, G
//! and B cleaned alone that is half the tiles and 1 dB better at σ 0.10 (models/denoise/MODEL.md).

use crate::input::{Feed, InputKind, TileSpec};
use crate::model::Model;
use crate::random::Draws;
use crate::registry::Task;
use crate::{Error, Result};
use image::imageops::FilterType;
use image::RgbImage;

pub use crate::input::{CleanOptions, Plane, Share, MAX_SIGMA};

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

/// One plane to clean, with the noise level it holds.
struct Job {
    plane: Plane,
    sigma: f32,
    /// Tile origins in the padded plane, along x and y.
    xs: Vec<usize>,
    ys: Vec<usize>,
    out: Vec<f32>,
}

impl Job {
    fn tiles(&self) -> usize {
        self.xs.len() * self.ys.len()
    }

    /// Tile `k`'s origin in the padded plane, and the rectangle of the plane its interior
    /// covers: rows, then the first column and how many.
    fn tile(&self, k: usize, spec: TileSpec) -> ((usize, usize), std::ops::Range<usize>, usize, usize) {
        let (tx, ty) = (self.xs[k % self.xs.len()], self.ys[k / self.xs.len()]);
        let step = spec.tile - 2 * spec.margin;
        let (w, h) = (self.plane.width, self.plane.height);
        ((tx, ty), ty.min(h)..(ty + step).min(h), tx, step.min(w - tx.min(w)))
    }
}

/// A cleaning under way: planes of any sizes, each with its noise level, cleaned one tile at a
/// time ([`Cleaning::step`]), so the worker can report progress and read a cancel between two
/// tiles. Tiles are numbered through the planes in order; a cleaning runs `done..end` of them,
/// and may hand the rest to another worker ([`Cleaning::share`]).
pub struct Cleaning {
    spec: TileSpec,
    jobs: Vec<Job>,
    /// The first tile this cleaning runs, the next one, and the one after its last.
    first: usize,
    done: usize,
    end: usize,
    /// Tiles handed to another worker ([`Cleaning::share`]) and not yet absorbed.
    lent: bool,
    /// Channel 0: the tile; channel 1: the noise level everywhere.
    input: Vec<f32>,
}

impl Cleaning {
    /// Checks the request; nothing runs yet.
    pub fn new(model: &Model, planes: Vec<(Plane, f32)>) -> Result<Self> {
        let spec = tiles_of(model)?;
        if planes.is_empty() {
            return Err(Error::BadInput("an empty image".into()));
        }
        let step = spec.tile - 2 * spec.margin;
        let jobs = planes
            .into_iter()
            .map(|(plane, sigma)| {
                if !(0.0..=MAX_SIGMA).contains(&sigma) {
                    return Err(Error::BadInput(format!(
                        "a noise level of {sigma}: it must be 0 to {MAX_SIGMA}"
                    )));
                }
                let (w, h) = (plane.width, plane.height);
                if w == 0 || h == 0 || plane.values.len() != w * h {
                    return Err(Error::BadInput("an empty image".into()));
                }
                let (xs, ys) = (
                    starts(w + 2 * spec.margin, spec.tile, step),
                    starts(h + 2 * spec.margin, spec.tile, step),
                );
                Ok(Job { out: vec![0.0; w * h], plane, sigma, xs, ys })
            })
            .collect::<Result<Vec<_>>>()?;
        let end = jobs.iter().map(Job::tiles).sum();
        Ok(Cleaning {
            spec,
            jobs,
            first: 0,
            done: 0,
            end,
            lent: false,
            input: vec![0.0; 2 * spec.tile * spec.tile],
        })
    }

    /// The cleaning of a share another worker handed over: its tiles only.
    pub fn of_share(model: &Model, share: Share) -> Result<Self> {
        let mut cleaning = Cleaning::new(model, share.planes)?;
        let total = cleaning.end;
        if share.from > share.to || share.to > total {
            return Err(Error::BadInput(format!("tiles {}..{} of {total}", share.from, share.to)));
        }
        (cleaning.first, cleaning.done, cleaning.end) = (share.from, share.from, share.to);
        Ok(cleaning)
    }

    /// Hands the tiles from `from` on to another worker (none before this one has run them);
    /// this cleaning then stops before them, and [`Cleaning::absorb`] takes their result back.
    pub fn share(&mut self, from: usize) -> Share {
        let from = from.clamp(self.done, self.end);
        let planes = self.jobs.iter().map(|j| (j.plane.clone(), j.sigma)).collect();
        let to = std::mem::replace(&mut self.end, from);
        self.lent = true;
        Share { planes, from, to }
    }

    /// The planes another worker cleaned from a [`Share`] of this cleaning (tiles `from..to`):
    /// their tiles' pixels are copied in, and this cleaning counts them as done.
    pub fn absorb(&mut self, share: &Share, cleaned: &[Plane]) -> Result<()> {
        let fits = cleaned.len() == self.jobs.len()
            && cleaned.iter().zip(&self.jobs).all(|(c, j)| c.values.len() == j.out.len());
        if !fits || !self.lent || share.from != self.end || self.done != self.end {
            return Err(Error::BadInput("a share that does not fit this cleaning".into()));
        }
        for t in share.from..share.to {
            let (j, k) = self.locate(t);
            let (_, rows, x, n) = self.jobs[j].tile(k, self.spec);
            let w = self.jobs[j].plane.width;
            for y in rows {
                let at = y * w + x;
                self.jobs[j].out[at..at + n].copy_from_slice(&cleaned[j].values[at..at + n]);
            }
        }
        (self.done, self.end, self.lent) = (share.to, share.to, false);
        Ok(())
    }

    /// Tile `t` as (plane, tile in that plane).
    fn locate(&self, mut t: usize) -> (usize, usize) {
        let mut j = 0;
        while t >= self.jobs[j].tiles() {
            t -= self.jobs[j].tiles();
            j += 1;
        }
        (j, t)
    }

    /// Tiles this cleaning has run, and how many it runs in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.done - self.first, self.end - self.first)
    }

    pub fn finished(&self) -> bool {
        self.done == self.end
    }

    /// Runs the next tile (nothing once finished).
    pub fn step(&mut self, model: &Model) -> Result<()> {
        if self.finished() {
            return Ok(());
        }
        let TileSpec { tile, margin } = self.spec;
        let (j, k) = self.locate(self.done);
        let job = &mut self.jobs[j];
        let ((tx, ty), rows, x, n) = job.tile(k, self.spec);
        let (w, h) = (job.plane.width, job.plane.height);
        let (tile_in, sigma_in) = self.input.split_at_mut(tile * tile);
        sigma_in.fill(job.sigma);
        for r in 0..tile {
            let row = reflect((ty + r) as isize - margin as isize, h) * w;
            for c in 0..tile {
                tile_in[r * tile + c] =
                    job.plane.values[row + reflect((tx + c) as isize - margin as isize, w)];
            }
        }
        let cleaned = model.run_feeds(&[Feed::F32(&self.input)])?;
        // Tile row r is plane row ty + r − margin: its interior row margin lands on row ty.
        for y in rows {
            let from = (y - ty + margin) * tile + margin;
            job.out[y * w + x..][..n].copy_from_slice(&cleaned[from..from + n]);
        }
        self.done += 1;
        Ok(())
    }

    /// The cleaned planes, in the order given (`None` until every tile has run, here or in a
    /// share absorbed). A share's cleaning gives whole planes with only its tiles filled in.
    pub fn result(self) -> Option<Vec<Plane>> {
        (self.finished() && !self.lent).then(|| {
            self.jobs
                .into_iter()
                .map(|job| Plane { width: job.plane.width, height: job.plane.height, values: job.out })
                .collect()
        })
    }
}

/// `planes`, each with its noise level, cleaned at once; `on_tile(done, total)` after each tile.
fn clean_all(
    model: &Model,
    planes: Vec<(Plane, f32)>,
    mut on_tile: impl FnMut(usize, usize),
) -> Result<Vec<Plane>> {
    let mut cleaning = Cleaning::new(model, planes)?;
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
    Ok(clean_all(model, vec![(plane.clone(), sigma)], on_tile)?.remove(0))
}

/// A colour photo (R, G, B) with noise of `sigma` in each, cleaned as YCbCr 4:2:0
/// ([`ycbcr_420`]); `on_tile(done, total)` counts the tiles of all three planes.
pub fn clean_photo(
    model: &Model,
    planes: &[Plane; 3],
    sigma: f32,
    on_tile: impl FnMut(usize, usize),
) -> Result<[Plane; 3]> {
    let cleaned = clean_all(model, ycbcr_420(planes, sigma).to_vec(), on_tile)?;
    Ok(rgb_from_420(&cleaned.try_into().expect("three planes"), planes[0].width, planes[0].height))
}

/// JPEG's (BT.601, full range) RGB → YCbCr rows; Cb and Cr are centred on 0.5.
const YCBCR: [[f32; 3]; 3] =
    [[0.299, 0.587, 0.114], [-0.168_736, -0.331_264, 0.5], [0.5, -0.418_688, -0.081_312]];

/// R, G, B with independent noise of `sigma` each → the planes the model cleans, with their noise
/// levels: Y at full size (σ·‖Y row‖ = 0.669σ), Cb and Cr averaged over 2×2 pixels (edges repeated
/// at an odd size), whose noise is σ·‖row‖ / 2 (≈ 0.31σ and 0.33σ). Natural photos carry little
/// detail in chroma, so the halving costs less than the cleaning gains (MODEL.md: +10.6 dB at σ
/// 0.10 against +9.5 dB for R, G, B cleaned alone, with half the tiles).
pub fn ycbcr_420(rgb: &[Plane; 3], sigma: f32) -> [(Plane, f32); 3] {
    let (w, h) = (rgb[0].width, rgb[0].height);
    let (hw, hh) = (w.div_ceil(2), h.div_ceil(2));
    std::array::from_fn(|c| {
        let m = YCBCR[c];
        let offset = if c == 0 { 0.0 } else { 0.5 };
        let at = |x: usize, y: usize| {
            let i = y.min(h - 1) * w + x.min(w - 1);
            offset + m[0] * rgb[0].values[i] + m[1] * rgb[1].values[i] + m[2] * rgb[2].values[i]
        };
        let norm = m.iter().map(|v| v * v).sum::<f32>().sqrt();
        if c == 0 {
            let values = (0..h).flat_map(|y| (0..w).map(move |x| (x, y))).map(|(x, y)| at(x, y)).collect();
            (Plane { width: w, height: h, values }, sigma * norm)
        } else {
            let values = (0..hh)
                .flat_map(|y| (0..hw).map(move |x| (2 * x, 2 * y)))
                .map(|(x, y)| (at(x, y) + at(x + 1, y) + at(x, y + 1) + at(x + 1, y + 1)) / 4.0)
                .collect();
            (Plane { width: hw, height: hh, values }, sigma * norm / 2.0)
        }
    })
}

/// [`ycbcr_420`]'s planes (cleaned) back to R, G, B of `width` × `height`: Cb and Cr scaled up
/// bilinearly with pixel centres aligned (as torch's `interpolate(align_corners=False)`).
pub fn rgb_from_420(ycc: &[Plane; 3], width: usize, height: usize) -> [Plane; 3] {
    let up = |p: &Plane| -> Vec<f32> {
        // Output pixel i samples input coordinate (i + 0.5) / 2 − 0.5, clamped to the edges.
        let axis = |n_out: usize, n_in: usize| -> Vec<(usize, usize, f32)> {
            (0..n_out)
                .map(|i| {
                    let u = ((i as f32 + 0.5) / 2.0 - 0.5).max(0.0);
                    let i0 = (u as usize).min(n_in - 1);
                    (i0, (i0 + 1).min(n_in - 1), u - i0 as f32)
                })
                .collect()
        };
        let (xs, ys) = (axis(width, p.width), axis(height, p.height));
        let v = &p.values;
        ys.iter()
            .flat_map(|&(y0, y1, fy)| {
                xs.iter().map(move |&(x0, x1, fx)| {
                    let top = v[y0 * p.width + x0] * (1.0 - fx) + v[y0 * p.width + x1] * fx;
                    let bottom = v[y1 * p.width + x0] * (1.0 - fx) + v[y1 * p.width + x1] * fx;
                    top * (1.0 - fy) + bottom * fy
                })
            })
            .collect()
    };
    let (y, cb, cr) = (&ycc[0].values, up(&ycc[1]), up(&ycc[2]));
    // The inverse of YCBCR.
    let rgb = |i: usize| {
        let (y, cb, cr) = (y[i], cb[i] - 0.5, cr[i] - 0.5);
        [y + 1.402 * cr, y - 0.344_136 * cb - 0.714_136 * cr, y + 1.772 * cb]
    };
    let all: Vec<[f32; 3]> = (0..width * height).map(rgb).collect();
    std::array::from_fn(|c| Plane { width, height, values: all.iter().map(|p| p[c]).collect() })
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
    /// The noise level removed, in each of R, G and B.
    pub sigma: f32,
    /// Y, Cb and Cr ([`ycbcr_420`]).
    pub cleaning: Cleaning,
}

impl PhotoCleaning {
    /// The noisy photo and the cleaned one, once every tile has run.
    pub fn finish(self) -> Option<(RgbImage, RgbImage)> {
        let ycc: [Plane; 3] = self.cleaning.result()?.try_into().ok()?;
        let (w, h) = self.before.dimensions();
        Some((self.before, Plane::to_rgb(&rgb_from_420(&ycc, w as usize, h as usize))))
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
    let cleaning = Cleaning::new(model, ycbcr_420(&planes, sigma).to_vec())?;
    Ok(PhotoCleaning { before, shrunk_from, sigma, cleaning })
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
    fn chroma_is_halved_and_a_flat_colour_comes_back_unchanged() {
        let flat = |v: f32| Plane { width: 5, height: 3, values: vec![v; 15] };
        let rgb = [flat(0.8), flat(0.3), flat(0.1)];
        let ycc = ycbcr_420(&rgb, 0.1);
        let sizes: Vec<_> = ycc.iter().map(|(p, _)| (p.width, p.height)).collect();
        assert_eq!(sizes, [(5, 3), (3, 2), (3, 2)]);
        let sigmas: Vec<f32> = ycc.iter().map(|(_, s)| (s * 1e4).round() / 1e4).collect();
        assert_eq!(sigmas, [0.0669, 0.0312, 0.0329]);
        let back = rgb_from_420(&ycc.map(|(p, _)| p), 5, 3);
        for (a, b) in back.iter().zip(&rgb) {
            assert!(a.values.iter().zip(&b.values).all(|(x, y)| (x - y).abs() < 1e-5), "{a:?}");
        }
    }

    #[test]
    fn psnr_of_a_known_error() {
        let a = vec![0.5f32; 100];
        let b = vec![0.6f32; 100];
        assert!((psnr(&a, &b) - 20.0).abs() < 1e-4);
    }
}
