//! The model card: what a person's ONNX file holds, as plain serde data that crosses the
//! worker boundary (postcard: no skipped fields, no untagged enums). Builds without tract: the
//! UI needs these types.

use crate::input::{ChannelOrder, InputSpec, Layout, Scale, IMAGENET_MEAN, IMAGENET_STD};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// Larger files are refused before they are read (the UI checks `File.size`).
pub const MAX_MODEL_BYTES: u64 = 200 * 1024 * 1024;

/// Default sides when the model leaves height and width open: 224 is the ImageNet convention,
/// 28 the MNIST / Quick Draw one (a one-channel input is most likely a sketch or a digit).
#[cfg_attr(not(feature = "onnx"), allow(dead_code))]
const DEFAULT_PHOTO_SIDE: u32 = 224;
#[cfg_attr(not(feature = "onnx"), allow(dead_code))]
const DEFAULT_SKETCH_SIDE: u32 = 28;

/// One dimension of a tensor as the file declares it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Dim {
    Fixed(u64),
    /// A named dimension ("batch", "height"), or "?" when the file leaves it unnamed.
    Symbolic(String),
}

/// `[1, 3, height, width]`: a shape as the card and messages show it.
pub fn format_shape(dims: &[Dim]) -> String {
    let parts: Vec<String> = dims
        .iter()
        .map(|d| match d {
            Dim::Fixed(n) => n.to_string(),
            Dim::Symbolic(name) => name.clone(),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// A graph input or output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TensorInfo {
    pub name: String,
    /// "f32", "u8", "i64"…, "unknown" when the file gives no type.
    pub elem_type: String,
    /// `None` when the file does not even give the rank.
    pub shape: Option<Vec<Dim>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpCount {
    pub op_type: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opset {
    /// "" is the standard ONNX domain ("ai.onnx").
    pub domain: String,
    pub version: i64,
}

/// The weights: the model's initializers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// Number of values (the product of each initializer's dims).
    pub count: u64,
    /// Their size in memory: count × element size (string bytes for string tensors).
    pub bytes: u64,
    pub tensors: u64,
    /// Initializers stored in a separate file, which a single uploaded .onnx does not include.
    pub external_tensors: u64,
}

/// How the single input looks like an image: enough to build a [`InputSpec`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageGuess {
    pub layout: Layout,
    /// 1 or 3.
    pub channels: u8,
    pub side: u32,
    /// false when height and width are symbolic and `side` is a default.
    pub side_fixed: bool,
    pub scale: Scale,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelCard {
    pub file_bytes: u64,
    pub ir_version: i64,
    pub producer_name: String,
    pub producer_version: String,
    pub opsets: Vec<Opset>,
    /// Graph inputs that are not initializers (old exporters list the weights as inputs).
    pub inputs: Vec<TensorInfo>,
    pub outputs: Vec<TensorInfo>,
    /// Nodes, subgraphs (If, Loop, Scan bodies) included.
    pub node_count: u64,
    /// By op type, most frequent first, then by name.
    pub ops: Vec<OpCount>,
    pub params: Params,
    /// Op types that tract's ONNX register does not know, sorted.
    pub unsupported_ops: Vec<String>,
    /// `None` when tract parsed and typed the model (batch dims fixed to 1); otherwise why not,
    /// as tract says it.
    pub tract_error: Option<String>,
    /// Sentences for a person: dynamic dims, external weights, untested opsets.
    pub notes: Vec<String>,
    pub image_input: Option<ImageGuess>,
}

impl ModelCard {
    pub fn runnable(&self) -> bool {
        self.tract_error.is_none()
    }

    /// How to feed the card's image input, by default: the scale it guessed, ImageNet's mean
    /// and std for a 0..1 colour input, inverted pixels for a grey one. `None` if the input is
    /// no image.
    pub fn input_spec(&self) -> Option<InputSpec> {
        let g = self.image_input.as_ref()?;
        let imagenet = g.channels == 3 && g.scale == Scale::ZeroToOne;
        Some(InputSpec {
            layout: g.layout,
            side: g.side,
            channels: g.channels,
            channel_order: ChannelOrder::Rgb,
            scale: g.scale,
            mean: if imagenet { IMAGENET_MEAN } else { [0.0; 3] },
            std: if imagenet { IMAGENET_STD } else { [1.0; 3] },
            invert: g.channels == 1,
            resize_to: None,
        })
    }
}

/// Refuses files over [`MAX_MODEL_BYTES`] (and empty ones) from their size alone.
pub fn check_model_size(len: u64) -> Result<()> {
    if len == 0 {
        return Err(Error::NotOnnx("the file is empty".into()));
    }
    if len > MAX_MODEL_BYTES {
        return Err(Error::ModelTooLarge { bytes: len, limit: MAX_MODEL_BYTES });
    }
    Ok(())
}

/// A rank-4 input with 1 or 3 channels first (N×C×H×W) or last (N×H×W×C), batch 1 or open,
/// and square or open height and width.
#[cfg_attr(not(feature = "onnx"), allow(dead_code))]
pub(super) fn guess_image(input: &TensorInfo) -> Option<ImageGuess> {
    let [n, d1, d2, d3] = input.shape.as_deref()? else { return None };
    let channels = |d: &Dim| match d {
        Dim::Fixed(c @ (1 | 3)) => Some(*c as u8),
        _ => None,
    };
    if matches!(n, Dim::Fixed(b) if *b != 1) {
        return None;
    }
    // Both ends 1 or 3 (1×3×3×3): ONNX models are mostly PyTorch's, so channels first.
    let (layout, channels, h, w) = match (channels(d1), channels(d3)) {
        (Some(c), _) => (Layout::Nchw, c, d2, d3),
        (None, Some(c)) => (Layout::Nhwc, c, d1, d2),
        (None, None) => return None,
    };
    let (side, side_fixed) = match (h, w) {
        (Dim::Fixed(h), Dim::Fixed(w)) if h == w => (u32::try_from(*h).ok()?, true),
        (Dim::Fixed(_), Dim::Fixed(_)) => return None,
        // One side fixed: the other follows it.
        (Dim::Fixed(s), _) | (_, Dim::Fixed(s)) => (u32::try_from(*s).ok()?, false),
        _ if channels == 1 => (DEFAULT_SKETCH_SIDE, false),
        _ => (DEFAULT_PHOTO_SIDE, false),
    };
    if side == 0 {
        return None;
    }
    // One channel: MNIST / Quick Draw scale 0..1. Three channels first: torchvision's 0..1
    // (the mean and std go with it, see InputSpec::guess). Three channels last: TensorFlow /
    // Keras MobileNet's −1..1.
    let scale = match (layout, channels) {
        (Layout::Nhwc, 3) => Scale::MinusOneToOne,
        _ => Scale::ZeroToOne,
    };
    Some(ImageGuess { layout, channels, side, side_fixed, scale })
}
