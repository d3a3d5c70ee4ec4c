//! A person's own ONNX model, run on a sketch or a photo: how to turn pixels into its input
//! ([`InputSpec`], guessed from the [`ModelCard`] and adjustable in the UI), the planned
//! session, and outputs read without knowing what the model was trained for.

use crate::inspect::ModelCard;
use crate::postprocess::Guess;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

#[cfg(feature = "onnx")]
pub use run::CustomModel;

/// Largest input side accepted: a 1024×1024×3 f32 input is 12 MB, plenty for a classifier.
pub const MAX_SIDE: u32 = 1024;
/// [`Output::values`] holds at most this many values (a segmentation output has millions).
pub const MAX_VALUES: usize = 1000;
/// torchvision's ImageNet normalisation, the one most PyTorch classifiers are exported with
/// (torchvision.models docs: "mean=[0.485, 0.456, 0.406] and std=[0.229, 0.224, 0.225]").
pub const IMAGENET_MEAN: [f32; 3] = [0.485, 0.456, 0.406];
pub const IMAGENET_STD: [f32; 3] = [0.229, 0.224, 0.225];

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
}

impl InputSpec {
    /// Defaults for the card's image input: the scale it guessed, ImageNet's mean and std for
    /// a 0..1 colour input, inverted pixels for a grey one. `None` if the input is no image.
    pub fn guess(card: &ModelCard) -> Option<InputSpec> {
        let g = card.image_input.as_ref()?;
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
        })
    }

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
        let used = usize::from(self.channels);
        if self.mean[..used].iter().any(|m| !m.is_finite())
            || self.std[..used].iter().any(|s| !s.is_finite() || *s == 0.0)
        {
            return Err(Error::BadInput("the mean and std must be numbers, and the std not 0".into()));
        }
        Ok(())
    }

    /// 8-bit pixels, `channels` interleaved (RGB order), → the model's tensor.
    #[cfg(feature = "onnx")]
    fn to_tensor(&self, pixels: &[u8]) -> Vec<f32> {
        let c = usize::from(self.channels);
        let plane = pixels.len() / c;
        let mut tensor = vec![0.0; pixels.len()];
        for (i, px) in pixels.chunks_exact(c).enumerate() {
            for k in 0..c {
                // Model channel k reads view channel k (RGB) or 2 − k (BGR).
                let source = if self.channel_order == ChannelOrder::Bgr && c == 3 { 2 - k } else { k };
                let p = f32::from(px[source]);
                let v = match self.scale {
                    Scale::ZeroToOne => p / 255.0,
                    Scale::MinusOneToOne => p / 127.5 - 1.0,
                    Scale::Raw255 => p,
                };
                let at = match self.layout {
                    Layout::Nchw => k * plane + i,
                    Layout::Nhwc => i * c + k,
                };
                tensor[at] = (v - self.mean[k]) / self.std[k];
            }
        }
        tensor
    }
}

/// How [`Output::top`]'s numbers were made from the raw values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scores {
    /// The values lie in 0..1 and sum to 1: shown as they are.
    Probabilities,
    /// The values lie in 0..1 but do not sum to 1 (sigmoid outputs, one per label): shown
    /// as they are.
    Independent,
    /// Softmax applied: the values looked like logits.
    Softmax,
    /// Shown as they are, not probabilities: a single value outside 0..1, or NaN / infinity.
    Raw,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Output {
    /// The first output, flattened: its first [`MAX_VALUES`] values.
    pub values: Vec<f32>,
    /// How many values the first output has in all.
    pub output_len: usize,
    pub scores: Scores,
    /// The best [`crate::protocol::TOP_K`], with the labels given or "#index".
    pub top: Vec<Guess>,
}

/// Planning and running: the worker's side (the UI only needs the types).
#[cfg(feature = "onnx")]
mod run {
    use super::*;
    use crate::engine::Prepared;
    use crate::inspect::{self, Dim};
    use crate::photo::{self, ImageSpec};
    use crate::postprocess::softmax;
    use crate::registry::parse_labels;
    use crate::session::Session;
    use crate::sketch::{self, Stroke};

    /// A person's model, planned for one input shape.
    pub struct CustomModel {
        session: Session,
        spec: InputSpec,
        labels: Vec<String>,
        card: ModelCard,
    }

    impl CustomModel {
        /// Checks `spec` against the model's input, plans the model for it (dynamic dims fixed
        /// by the spec) and checks the labels, if any, against the output size.
        pub fn load(onnx: &[u8], spec: InputSpec, labels_txt: Option<&str>) -> Result<Self> {
            spec.validate()?;
            let mut proto = inspect::decode(onnx)?;
            let card = inspect::describe(&proto, onnx.len() as u64);
            let input = match card.inputs.as_slice() {
                [one] => one,
                [] => return Err(Error::ModelShape("it has no input".into())),
                many => {
                    let names: Vec<&str> = many.iter().map(|i| i.name.as_str()).collect();
                    return Err(Error::ModelShape(format!(
                        "it has {} inputs ({}); the playground feeds one image",
                        many.len(),
                        names.join(", ")
                    )));
                }
            };
            if input.elem_type != "f32" {
                return Err(Error::ModelShape(format!(
                    "its input \"{}\" takes {} values; the playground feeds f32 pixels",
                    input.name, input.elem_type
                )));
            }
            let shape = spec.shape();
            let Some(dims) = &input.shape else {
                return Err(Error::ModelShape(format!(
                    "its input \"{}\" has a dynamic shape that does not even give its rank, so there is \
                     no telling how to feed it an image",
                    input.name
                )));
            };
            let fits = dims.len() == 4
                && dims.iter().zip(shape).all(|(d, s)| match d {
                    Dim::Fixed(d) => *d == s as u64,
                    Dim::Symbolic(_) => true,
                });
            if !fits {
                return Err(Error::ModelShape(format!(
                    "its input \"{}\" is {}; these settings make {}",
                    input.name,
                    inspect::format_shape(dims),
                    inspect::format_shape(&shape.map(|s| Dim::Fixed(s as u64)))
                )));
            }
            if !card.unsupported_ops.is_empty() {
                return Err(Error::ModelParse(format!(
                    "tract has no implementation of {}",
                    card.unsupported_ops.join(", ")
                )));
            }
            inspect::check_for_tract(&proto).map_err(Error::ModelParse)?;
            inspect::normalize_for_tract(&mut proto);
            let session =
                inspect::catch_tract_panic(|| Session::from_proto(&proto, &shape), Error::ModelParse)?;
            let labels = labels_txt.map(parse_labels).unwrap_or_default();
            if labels_txt.is_some() && labels.len() != session.output_len() {
                return Err(Error::LabelMismatch { labels: labels.len(), outputs: session.output_len() });
            }
            Ok(CustomModel { session, spec, labels, card })
        }

        pub fn spec(&self) -> &InputSpec {
            &self.spec
        }

        /// The labels given at load (empty if none).
        pub fn labels(&self) -> &[String] {
            &self.labels
        }

        pub fn output_len(&self) -> usize {
            self.session.output_len()
        }

        /// The card of the file (without tract's verdict: loading is that verdict).
        pub fn card(&self) -> &ModelCard {
            &self.card
        }

        /// Strokes → the model's input: the Quick Draw rendering (see [`crate::sketch`]) at the
        /// spec's side, so a 28×28 one-channel spec gives exactly the shipped sketch model's input.
        pub fn prepare_strokes(&self, strokes: &[Stroke]) -> Result<Prepared> {
            let ink = sketch::rasterize_at(&sketch::simplify(strokes)?, self.spec.side);
            // The rendering is light ink on black; as drawn (and as a photo of it) it is dark on
            // white, which `invert` flips back.
            let grey: Vec<u8> = ink.into_iter().map(|v| if self.spec.invert { v } else { 255 - v }).collect();
            let view = match self.spec.channels {
                1 => grey,
                _ => grey.iter().flat_map(|&v| [v; 3]).collect(),
            };
            Ok(self.prepared(view))
        }

        /// Photo bytes → the model's input: decoded with [`photo::decode`]'s limits, oriented,
        /// shorter side resized to the spec's side and centre-cropped (the whole shorter side stays
        /// in view), grey if the model takes one channel.
        pub fn prepare_photo(&self, bytes: &[u8]) -> Result<Prepared> {
            let side = self.spec.side;
            let crop = ImageSpec { size: side, resize_shorter_to: side, mean: [0.0; 3], std: [1.0; 3] };
            let rgb = photo::crop_for_model(&photo::decode(bytes)?, &crop);
            let mut view = match self.spec.channels {
                1 => image::imageops::grayscale(&rgb).into_raw(),
                _ => rgb.into_raw(),
            };
            if self.spec.invert {
                view.iter_mut().for_each(|v| *v = 255 - *v);
            }
            Ok(self.prepared(view))
        }

        /// The view (what the model sees, 8-bit, RGB order) with its tensor.
        fn prepared(&self, view: Vec<u8>) -> Prepared {
            Prepared {
                tensor: self.spec.to_tensor(&view),
                view,
                side: self.spec.side,
                channels: self.spec.channels,
            }
        }

        /// Runs the model on a prepared tensor; see [`Scores`] for how the top-k is scored.
        pub fn run(&self, tensor: &[f32]) -> Result<Output> {
            let values = inspect::catch_tract_panic(|| self.session.run(tensor), Error::Inference)?;
            let (scored, scores) = score(&values);
            let top = top_guesses(&scored, &self.labels);
            Ok(Output {
                output_len: values.len(),
                values: values.into_iter().take(MAX_VALUES).collect(),
                scores,
                top,
            })
        }
    }

    /// The best [`crate::protocol::TOP_K`], best first, ties in output order, named by `labels`
    /// or "#index". Only those are sorted: a segmentation model's output has millions of values.
    pub(super) fn top_guesses(scored: &[f32], labels: &[String]) -> Vec<Guess> {
        let best_first = |&a: &usize, &b: &usize| scored[b].total_cmp(&scored[a]).then(a.cmp(&b));
        let mut order: Vec<usize> = (0..scored.len()).collect();
        let k = crate::protocol::TOP_K.min(order.len());
        if k < order.len() {
            order.select_nth_unstable_by(k, best_first);
            order.truncate(k);
        }
        order.sort_by(best_first);
        order
            .into_iter()
            .map(|i| Guess {
                label: labels.get(i).cloned().unwrap_or_else(|| format!("#{i}")),
                probability: scored[i],
            })
            .collect()
    }

    /// Softmax only when the values do not already read as probabilities.
    pub(super) fn score(values: &[f32]) -> (Vec<f32>, Scores) {
        let unit = |v: &f32| (0.0..=1.0).contains(v);
        if values.iter().any(|v| !v.is_finite()) || (values.len() == 1 && !unit(&values[0])) {
            return (values.to_vec(), Scores::Raw);
        }
        if values.iter().all(unit) {
            // f32 sums of many probabilities drift by ~1e-6 per term.
            let sum: f64 = values.iter().map(|&v| f64::from(v)).sum();
            let kind = if (sum - 1.0).abs() <= 1e-3 { Scores::Probabilities } else { Scores::Independent };
            return (values.to_vec(), kind);
        }
        (softmax(values), Scores::Softmax)
    }
}

#[cfg(all(test, feature = "onnx"))]
mod tests {
    use super::run::{score, top_guesses};
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
    fn scores_say_what_was_done() {
        assert_eq!(score(&[0.2, 0.8]).1, Scores::Probabilities);
        assert_eq!(score(&[0.9, 0.8]).1, Scores::Independent);
        let (p, kind) = score(&[2.0, -1.0]);
        assert_eq!(kind, Scores::Softmax);
        assert!((p[0] + p[1] - 1.0).abs() < 1e-6);
        assert_eq!(score(&[3.5]).1, Scores::Raw);
        assert_eq!(score(&[f32::NAN, 1.0]).1, Scores::Raw);
    }

    #[test]
    fn top_guesses_are_the_best_in_order() {
        let scored: Vec<f32> = (0..1000).map(|i| ((i * 37) % 1000) as f32).collect();
        let top = top_guesses(&scored, &["zero".to_string()]);
        let values: Vec<f32> = top.iter().map(|g| g.probability).collect();
        assert_eq!(values, [999.0, 998.0, 997.0, 996.0, 995.0]);
        assert!(top.iter().all(|g| g.label.starts_with('#')));
        // Ties keep output order; fewer values than k; labels used when given.
        let labels: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let names: Vec<String> =
            top_guesses(&[0.5, 0.5, 0.9], &labels).into_iter().map(|g| g.label).collect();
        assert_eq!(names, ["c", "a", "b"]);
        assert!(top_guesses(&[], &labels).is_empty());
    }

    #[test]
    fn bad_specs_are_refused() {
        assert!(InputSpec { channels: 2, ..spec(Layout::Nchw, 1) }.validate().is_err());
        assert!(InputSpec { side: 0, ..spec(Layout::Nchw, 1) }.validate().is_err());
        assert!(InputSpec { side: MAX_SIDE + 1, ..spec(Layout::Nchw, 1) }.validate().is_err());
        assert!(InputSpec { std: [0.0; 3], ..spec(Layout::Nchw, 1) }.validate().is_err());
        assert!(spec(Layout::Nhwc, 3).validate().is_ok());
    }
}
