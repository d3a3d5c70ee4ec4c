//! What a person gives a model (strokes, a photo, text) and how it becomes the model's tensors.
//! An [`InputKind`] says it for every model: pixels by one [`InputSpec`], for a registry model
//! (`registry::MODELS`) or a person's own file (guessed from its card, adjusted in the
//! playground), with one `prepare` for all; or characters by a [`CharSpec`] (`crate::textgen`).

#[cfg(feature = "photos")]
use crate::photo;
use crate::sketch::{self, Stroke};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// Largest input side accepted: a 1024×1024×3 f32 input is 12 MB, plenty for a classifier.
pub const MAX_SIDE: u32 = 1024;
/// torchvision's ImageNet normalisation, the one most PyTorch classifiers are exported with
/// (torchvision.models docs: "mean=[0.485, 0.456, 0.406] and std=[0.229, 0.224, 0.225]").
pub const IMAGENET_MEAN: [f32; 3] = [0.485, 0.456, 0.406];
pub const IMAGENET_STD: [f32; 3] = [0.229, 0.224, 0.225];

/// What a model reads, and so which tensors it is planned for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum InputKind {
    /// One f32 image tensor made by the spec.
    Pixels(InputSpec),
    /// Character ids in a fixed window (a character-level language model).
    Chars(CharSpec),
    /// Tiles of one image plane with the noise level beside them (a denoiser, `crate::denoise`).
    Tiles(TileSpec),
    /// WordPiece token ids and their attention mask (a BERT-style encoder, `crate::sentiment`).
    Tokens(TokenSpec),
}

/// A BERT-style encoder's input: `input_ids` and `attention_mask`, int64 [1, seq] each:
/// `[CLS]`, the text's word pieces (`crate::wordpiece`), `[SEP]`, padding (mask 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSpec {
    pub seq: usize,
}

/// A denoiser's input: a `tile` × `tile` tile of one plane (values in [0, 1]) and a plane of the
/// noise level, [1, 2, tile, tile] f32; its output the cleaned tile, [1, 1, tile, tile]. `margin`:
/// its receptive radius, the border of each tile that is thrown away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TileSpec {
    pub tile: usize,
    pub margin: usize,
}

/// Largest noise level the denoiser was trained for (pixels in [0, 1]; models/denoise/MODEL.md).
pub const MAX_SIGMA: f32 = 0.2;

/// What the page asks of the denoiser: grain to add first (a demo on a clean photo), and how
/// strongly to clean (`None`: the noise level `denoise::estimate_sigma` reads in the photo).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CleanOptions {
    /// Standard deviation of the Gaussian noise added before cleaning, 0 to [`MAX_SIGMA`].
    pub grain: f32,
    /// The noise draws: the same seed gives the same grain, so changing the strength alone
    /// cleans the same noisy photo.
    pub seed: u64,
    pub strength: Option<f32>,
}

/// One plane of a photo: values in [0, 1], row-major.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plane {
    pub width: usize,
    pub height: usize,
    pub values: Vec<f32>,
}

/// Tiles `from..to` of a cleaning, for a second worker to run (`denoise::Cleaning::share`,
/// `Cleaning::of_share`): both halves of a photo at once on a two-core phone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Share {
    pub planes: Vec<(Plane, f32)>,
    pub from: usize,
    pub to: usize,
}

/// A character-level model's input: `ids` int64 [1, window], one id per character of the text
/// written from the start of the window (the rest padded); its output is the next character's
/// logits at every position, [1, window, vocabulary].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CharSpec {
    pub window: usize,
}

/// The element type of a model input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Elem {
    F32,
    I64,
}

/// One input a session is planned for: its concrete shape and element type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFact {
    pub shape: Vec<usize>,
    pub elem: Elem,
}

/// The values given to one input, row-major, in its fact's type.
#[derive(Debug, Clone, Copy)]
pub enum Feed<'a> {
    F32(&'a [f32]),
    I64(&'a [i64]),
}

impl InputKind {
    /// The inputs a session of this kind is planned for, in the model's input order.
    pub fn facts(&self) -> Vec<InputFact> {
        match self {
            InputKind::Pixels(spec) => vec![InputFact { shape: spec.shape().to_vec(), elem: Elem::F32 }],
            InputKind::Chars(spec) => vec![InputFact { shape: vec![1, spec.window], elem: Elem::I64 }],
            InputKind::Tiles(spec) => {
                vec![InputFact { shape: vec![1, 2, spec.tile, spec.tile], elem: Elem::F32 }]
            }
            InputKind::Tokens(spec) => vec![InputFact { shape: vec![1, spec.seq], elem: Elem::I64 }; 2],
        }
    }

    /// The pixel spec of an image model.
    pub fn pixels(&self) -> Option<&InputSpec> {
        match self {
            InputKind::Pixels(spec) => Some(spec),
            InputKind::Chars(_) | InputKind::Tiles(_) | InputKind::Tokens(_) => None,
        }
    }
}

/// What a person gives a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ModelInput {
    /// Strokes in any coordinate space (canvas pixels).
    Strokes(Vec<Stroke>),
    /// The bytes of a photo file (JPEG, PNG, WebP, GIF), decoded in the worker.
    Photo(Vec<u8>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Layout {
    /// 1 × channels × side × side (PyTorch).
    Nchw,
    /// 1 × side × side × channels (TensorFlow).
    Nhwc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChannelOrder {
    Rgb,
    /// OpenCV and Caffe models.
    Bgr,
}

/// How an 8-bit pixel value p becomes a number, before the mean and std.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scale {
    /// p / 255
    ZeroToOne,
    /// p / 127.5 − 1
    MinusOneToOne,
    /// p
    Raw255,
}

/// How pixels become the model's input: `(scale(p) − mean[c]) / std[c]`, laid out as `layout`.
/// Strokes are drawn with Google's Quick, Draw! raster ([`crate::sketch`]) at `side`; photos are
/// decoded, oriented, resized (shorter side to `resize_to`, or `side`) and centre-cropped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputSpec {
    pub layout: Layout,
    pub side: u32,
    /// 1 (grey) or 3.
    pub channels: u8,
    pub channel_order: ChannelOrder,
    pub scale: Scale,
    /// Per channel, in the model's channel order (after `channel_order`); grey uses [0].
    pub mean: [f32; 3],
    pub std: [f32; 3],
    /// Flip the pixels (255 − p) before scaling. Sketches are drawn dark on white: inverted,
    /// they become light ink on a dark background, as in Quick Draw and MNIST (ink = 1).
    /// Photos: false.
    pub invert: bool,
    /// A photo's shorter side is resized to this before the centre crop (ImageNet's 256 for
    /// 224); `None`: to `side`, so the whole shorter side stays in view.
    pub resize_to: Option<u32>,
}

/// An input made ready for a model: its tensor and the image the model sees.
pub struct Prepared {
    pub tensor: Vec<f32>,
    pub view: View,
}

/// What the model sees, as 8-bit pixels: row-major, `side` × `side`, `channels` interleaved
/// (1 grey or 3 RGB), after `invert`. The pages show it ("what the model sees").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct View {
    pub pixels: Vec<u8>,
    pub side: u32,
    pub channels: u8,
}

impl InputSpec {
    /// The tensor shape this spec produces.
    pub fn shape(&self) -> [usize; 4] {
        let (s, c) = (self.side as usize, usize::from(self.channels));
        match self.layout {
            Layout::Nchw => [1, c, s, s],
            Layout::Nhwc => [1, s, s, c],
        }
    }

    /// Refuses settings no model could take (the UI can check a person's edits with it).
    pub fn validate(&self) -> Result<()> {
        if !matches!(self.channels, 1 | 3) {
            return Err(Error::BadInput(format!(
                "{} channels: only 1 (grey) or 3 (colour) are possible",
                self.channels
            )));
        }
        if !(1..=MAX_SIDE).contains(&self.side) {
            return Err(Error::BadInput(format!(
                "an input side of {}: it must be 1 to {MAX_SIDE}",
                self.side
            )));
        }
        if self.resize_to.is_some_and(|r| r < self.side || r > 2 * MAX_SIDE) {
            return Err(Error::BadInput(format!(
                "photos resized to {:?}: it must be at least the side, {}",
                self.resize_to, self.side
            )));
        }
        let used = usize::from(self.channels);
        if self.mean[..used].iter().any(|m| !m.is_finite())
            || self.std[..used].iter().any(|s| !s.is_finite() || *s == 0.0)
        {
            return Err(Error::BadInput("the mean and std must be numbers, and the std not 0".into()));
        }
        Ok(())
    }

    /// Strokes or photo bytes → the model's tensor and view: the one preprocessing path.
    pub fn prepare(&self, input: &ModelInput) -> Result<Prepared> {
        let pixels = match input {
            ModelInput::Strokes(strokes) => self.draw(strokes)?,
            ModelInput::Photo(bytes) => self.crop(bytes)?,
        };
        Ok(self.prepared(pixels))
    }

    /// A bitmap already in the view's layout (the dataset's 28×28 rows) → tensor and view.
    pub fn prepared(&self, pixels: Vec<u8>) -> Prepared {
        Prepared {
            tensor: self.to_tensor(&pixels),
            view: View { pixels, side: self.side, channels: self.channels },
        }
    }

    /// Strokes → the Quick Draw rendering (see [`crate::sketch`]) at the spec's side, so a 28×28
    /// one-channel spec gives exactly Google's bitmaps.
    fn draw(&self, strokes: &[Stroke]) -> Result<Vec<u8>> {
        let ink = sketch::rasterize_at(&sketch::simplify(strokes)?, self.side);
        // The rendering is light ink on black; as drawn (and as a photo of it) it is dark on
        // white, which `invert` flips back.
        let grey: Vec<u8> = ink.into_iter().map(|v| if self.invert { v } else { 255 - v }).collect();
        Ok(match self.channels {
            1 => grey,
            _ => grey.iter().flat_map(|&v| [v; 3]).collect(),
        })
    }

    /// Photo bytes → decoded with [`photo::decode`]'s limits, oriented, resized and
    /// centre-cropped, grey if the model takes one channel.
    #[cfg(feature = "photos")]
    fn crop(&self, bytes: &[u8]) -> Result<Vec<u8>> {
        let resize_to = self.resize_to.unwrap_or(self.side);
        let rgb = photo::crop_for_model(&photo::decode(bytes)?, self.side, resize_to);
        let mut pixels = match self.channels {
            1 => image::imageops::grayscale(&rgb).into_raw(),
            _ => rgb.into_raw(),
        };
        if self.invert {
            pixels.iter_mut().for_each(|v| *v = 255 - *v);
        }
        Ok(pixels)
    }

    /// Without the `photos` feature (the sketch page's worker, which decodes no photos).
    #[cfg(not(feature = "photos"))]
    fn crop(&self, _bytes: &[u8]) -> Result<Vec<u8>> {
        Err(Error::BadInput(
            "this worker build takes drawings only (the photo pages load the one that decodes photos)".into(),
        ))
    }

    /// 8-bit pixels, `channels` interleaved (RGB order), → the model's tensor.
    pub fn to_tensor(&self, pixels: &[u8]) -> Vec<f32> {
        // One loop per scale and channel, with the choices made outside it: a photo's 150 000
        // values take the same arithmetic as a per-pixel `match` would, without its branches.
        match self.scale {
            Scale::ZeroToOne => self.fill(pixels, |p| p / 255.0),
            Scale::MinusOneToOne => self.fill(pixels, |p| p / 127.5 - 1.0),
            Scale::Raw255 => self.fill(pixels, |p| p),
        }
    }

    fn fill(&self, pixels: &[u8], scale: impl Fn(f32) -> f32) -> Vec<f32> {
        let c = usize::from(self.channels);
        let plane = pixels.len() / c;
        let mut tensor = vec![0.0; plane * c];
        for k in 0..c {
            // Model channel k reads view channel k (RGB) or 2 − k (BGR).
            let source = if self.channel_order == ChannelOrder::Bgr && c == 3 { 2 - k } else { k };
            let (mean, std) = (self.mean[k], self.std[k]);
            let values = pixels[source..].iter().step_by(c).map(|&p| (scale(f32::from(p)) - mean) / std);
            match self.layout {
                Layout::Nchw => {
                    tensor[k * plane..(k + 1) * plane].iter_mut().zip(values).for_each(|(t, v)| *t = v)
                }
                Layout::Nhwc => tensor[k..].iter_mut().step_by(c).zip(values).for_each(|(t, v)| *t = v),
            }
        }
        tensor
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(layout: Layout, channels: u8) -> InputSpec {
        InputSpec {
            layout,
            side: 2,
            channels,
            channel_order: ChannelOrder::Rgb,
            scale: Scale::Raw255,
            mean: [0.0; 3],
            std: [1.0; 3],
            invert: false,
            resize_to: None,
        }
    }

    #[test]
    fn tensor_layouts_and_channel_order() {
        // 2×2 RGB, pixel i = (10i, 10i + 1, 10i + 2).
        let view: Vec<u8> = (0..4u8).flat_map(|i| [10 * i, 10 * i + 1, 10 * i + 2]).collect();
        let nchw = spec(Layout::Nchw, 3).to_tensor(&view);
        assert_eq!(nchw, [0., 10., 20., 30., 1., 11., 21., 31., 2., 12., 22., 32.]);
        let nhwc = spec(Layout::Nhwc, 3).to_tensor(&view);
        assert_eq!(nhwc, view.iter().map(|&v| f32::from(v)).collect::<Vec<_>>());
        let bgr = InputSpec { channel_order: ChannelOrder::Bgr, ..spec(Layout::Nhwc, 3) }.to_tensor(&view);
        assert_eq!(&bgr[..3], &[2., 1., 0.]);
    }

    #[test]
    fn scales_mean_and_std() {
        let s = |scale| InputSpec { scale, mean: [0.5; 3], std: [0.5; 3], ..spec(Layout::Nchw, 1) };
        assert_eq!(s(Scale::ZeroToOne).to_tensor(&[0, 255, 0, 0])[..2], [-1.0, 1.0]);
        assert_eq!(s(Scale::MinusOneToOne).to_tensor(&[0, 255, 0, 0])[..2], [-3.0, 1.0]);
        assert_eq!(s(Scale::Raw255).to_tensor(&[1, 0, 0, 0])[0], 1.0);
    }

    #[test]
    fn photo_normalisation_is_the_reference_arithmetic() {
        // (p − mean) / std per channel on 8-bit values, NCHW: what models/photo/preprocess.json says.
        let s = InputSpec { mean: [127.5; 3], std: [127.5; 3], side: 4, ..spec(Layout::Nchw, 3) };
        let mut view = vec![0u8; 48];
        view[3..6].copy_from_slice(&[255, 0, 128]);
        let t = s.to_tensor(&view);
        assert_eq!(t[1], 1.0); // R plane, pixel 1
        assert_eq!(t[16 + 1], -1.0); // G plane
        assert!((t[32 + 1] - (128.0 - 127.5) / 127.5).abs() < 1e-6); // B plane
    }

    #[test]
    fn bad_specs_are_refused() {
        assert!(InputSpec { channels: 2, ..spec(Layout::Nchw, 1) }.validate().is_err());
        assert!(InputSpec { side: 0, ..spec(Layout::Nchw, 1) }.validate().is_err());
        assert!(InputSpec { side: MAX_SIDE + 1, ..spec(Layout::Nchw, 1) }.validate().is_err());
        assert!(InputSpec { std: [0.0; 3], ..spec(Layout::Nchw, 1) }.validate().is_err());
        assert!(InputSpec { resize_to: Some(1), ..spec(Layout::Nchw, 1) }.validate().is_err());
        assert!(spec(Layout::Nhwc, 3).validate().is_ok());
    }
}
