//! `playground_fast_ops::speed_up` (which `Session` applies to every plan) must replace only what it can compute exactly, and change no answer:
//! small tract graphs with every kind of pool and pad, then the registry models (whose plans it
//! also folds). `replace_convolutions` (which `Session` applies in wasm) must replace only 3×3
//! stride-1 convolutions, and give tract's output within f32 rounding.
#![cfg(feature = "onnx")]

use playground_core::registry::{self, MODELS};
use playground_core::session::onnx_to_nnef;
use playground_fast_ops::{replace_convolutions, speed_up, SpeedUps};
use std::path::PathBuf;
use tract_nnef::prelude::*;
use tract_nnef::tract_core::ops::array::{Pad, PadMode};
use tract_nnef::tract_core::ops::cnn::{Conv, KernelFormat, MaxPool, PaddingSpec, PoolSpec};
use tract_nnef::tract_core::ops::nn::DataFormat;

fn input(len: usize) -> Vec<f32> {
    (0..len).map(|i| (i as f32 * 0.37).sin() * 0.5 + ((i * 7) % 5) as f32 * 0.1).collect()
}

/// Runs `model` optimized by tract alone and with `speed_up`; returns what `speed_up` changed
/// after checking that both plans give the same output, to the bit.
fn changed_and_same(model: TypedModel, shape: &[usize]) -> SpeedUps {
    let tract_only = model.into_optimized().unwrap();
    let mut ours = tract_only.clone();
    let changed = speed_up(&mut ours).unwrap();
    let x = Tensor::from_shape(shape, &input(shape.iter().product())).unwrap();
    let run = |m: TypedModel| {
        let out = m.into_runnable().unwrap().run(tvec!(x.clone().into_tvalue())).unwrap();
        let view = out[0].to_plain_array_view::<f32>().unwrap();
        (view.shape().to_vec(), view.iter().map(|v| v.to_bits()).collect::<Vec<_>>())
    };
    assert_eq!(run(ours), run(tract_only), "{shape:?}");
    changed
}

fn replaced_and_same(model: TypedModel, shape: &[usize]) -> usize {
    changed_and_same(model, shape).replaced
}

/// A square NCHW window, for a pool or a convolution.
fn spec(kernel: usize, stride: usize, padding: PaddingSpec, cin: usize, cout: usize) -> PoolSpec {
    PoolSpec {
        data_format: DataFormat::NCHW,
        kernel_shape: tvec![kernel, kernel],
        padding,
        dilations: None,
        strides: Some(tvec![stride, stride]),
        input_channels: cin,
        output_channels: cout,
    }
}

fn pool(shape: [usize; 4], kernel: usize, stride: usize, padding: PaddingSpec) -> TypedModel {
    let mut model = TypedModel::default();
    let x = model.add_source("x", f32::fact(shape)).unwrap();
    let spec = spec(kernel, stride, padding, shape[1], shape[1]);
    let y = model.wire_node("pool", MaxPool::new(spec, None), &[x]).unwrap();
    model.select_output_outlets(&y).unwrap();
    model
}

fn pad(shape: [usize; 4], pads: [(usize, usize); 4], mode: PadMode) -> TypedModel {
    let mut model = TypedModel::default();
    let x = model.add_source("x", f32::fact(shape)).unwrap();
    let y = model.wire_node("pad", Pad::new(pads.to_vec(), mode), &[x]).unwrap();
    model.select_output_outlets(&y).unwrap();
    model
}

#[test]
fn two_by_two_pools_at_stride_two_are_replaced_with_the_same_output() {
    for shape in [[1, 24, 28, 28], [1, 3, 7, 9], [2, 5, 6, 4], [1, 1, 2, 3]] {
        assert_eq!(replaced_and_same(pool(shape, 2, 2, PaddingSpec::Valid), &shape), 1, "{shape:?} valid");
        let zeros = PaddingSpec::Explicit(tvec![0, 0], tvec![0, 0]);
        assert_eq!(replaced_and_same(pool(shape, 2, 2, zeros), &shape), 1, "{shape:?} explicit 0");
    }
    let even = [1, 4, 8, 6];
    assert_eq!(replaced_and_same(pool(even, 2, 2, PaddingSpec::SameUpper), &even), 1);
}

#[test]
fn other_pools_keep_tracts_operator() {
    let shape = [1, 3, 7, 9];
    // Same padding on odd sizes reads a padded column; the other windows are not 2×2 at stride 2.
    assert_eq!(replaced_and_same(pool(shape, 2, 2, PaddingSpec::SameUpper), &shape), 0);
    assert_eq!(
        replaced_and_same(pool(shape, 2, 2, PaddingSpec::Explicit(tvec![1, 0], tvec![0, 0])), &shape),
        0
    );
    assert_eq!(replaced_and_same(pool(shape, 2, 1, PaddingSpec::Valid), &shape), 0);
    assert_eq!(replaced_and_same(pool(shape, 3, 2, PaddingSpec::Valid), &shape), 0);
}

#[test]
fn constant_spatial_pads_are_replaced_with_the_same_output() {
    let shape = [2, 3, 5, 4];
    for pads in [[(0, 0), (0, 0), (1, 1), (1, 1)], [(0, 0), (0, 0), (0, 2), (3, 0)]] {
        for value in [0.0f32, -1.5] {
            let mode = PadMode::Constant(Arc::new(value.into()));
            assert_eq!(replaced_and_same(pad(shape, pads, mode), &shape), 1, "{pads:?} {value}");
        }
    }
}

#[test]
fn other_pads_keep_tracts_operator() {
    let shape = [2, 3, 5, 4];
    let zero = || PadMode::Constant(Arc::new(0.0f32.into()));
    assert_eq!(replaced_and_same(pad(shape, [(0, 0), (1, 0), (1, 1), (1, 1)], zero()), &shape), 0);
    assert_eq!(replaced_and_same(pad(shape, [(0, 0), (0, 0), (1, 1), (1, 1)], PadMode::Edge), &shape), 0);
    assert_eq!(replaced_and_same(pad(shape, [(0, 0), (0, 0), (1, 1), (1, 1)], PadMode::Reflect), &shape), 0);
}

/// A registry model as the demos' worker reads it: converted to NNEF.
fn registry_model(path: String) -> TypedModel {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let spec = MODELS.iter().find(|m| m.model_path() == path).unwrap();
    let onnx = std::fs::read(repo.join(&path)).unwrap();
    let nnef = onnx_to_nnef(&onnx, &spec.input.facts()).unwrap();
    tract_nnef::nnef().model_for_read(&mut std::io::Cursor::new(nnef)).unwrap()
}

#[test]
fn registry_models_answer_the_same_with_the_faster_operators() {
    // The image models: these operators take f32 NCHW tensors (a character model has none).
    for (spec, pixels) in MODELS.iter().filter_map(|m| Some((m, m.input.pixels()?))) {
        let changed = changed_and_same(registry_model(spec.model_path()), &pixels.shape());
        match spec.id {
            "sketch" => assert_eq!(changed, SpeedUps { folded: 0, replaced: 8 }, "sketch: 3 pools, 5 pads"),
            // The classifier's f16 weights: their cast to f32 and their packing.
            "photo" => assert_eq!(changed.folded, 2, "photo"),
            _ => {}
        }
    }
}

/// Runs `model` optimized by tract alone and with `replace_convolutions` first; returns how many
/// convolutions it replaced and the largest difference between the two outputs, relative to
/// the largest output.
fn convolutions_replaced(model: TypedModel, shape: &[usize]) -> (usize, f32) {
    let decluttered = model.into_decluttered().unwrap();
    let mut ours = decluttered.clone();
    let replaced = replace_convolutions(&mut ours).unwrap();
    let x = Tensor::from_shape(shape, &input(shape.iter().product())).unwrap();
    let run = |m: TypedModel| {
        let out =
            m.into_optimized().unwrap().into_runnable().unwrap().run(tvec!(x.clone().into_tvalue())).unwrap();
        let view = out[0].to_plain_array_view::<f32>().unwrap();
        (view.shape().to_vec(), view.iter().copied().collect::<Vec<_>>())
    };
    let ((our_shape, ours), (their_shape, theirs)) = (run(ours), run(decluttered));
    assert_eq!(our_shape, their_shape);
    let largest = theirs.iter().fold(0f32, |m, v| m.max(v.abs()));
    let worst = ours.iter().zip(&theirs).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
    (replaced, worst / largest.max(1e-6))
}

/// A convolution `[n, cin, h, w]` → `cout` channels with constant weights and bias, and a ReLU
/// after it (as tract declutters ONNX's: max with a constant 0) if `relu`.
fn conv(
    shape: [usize; 4],
    cout: usize,
    kernel: usize,
    stride: usize,
    group: usize,
    padding: PaddingSpec,
    relu: bool,
) -> TypedModel {
    let mut model = TypedModel::default();
    let x = model.add_source("x", f32::fact(shape)).unwrap();
    let cin = shape[1];
    let weights = input(cout * cin / group * kernel * kernel).iter().map(|v| v - 0.3).collect::<Vec<_>>();
    let weights = Tensor::from_shape(&[cout, cin / group, kernel, kernel], &weights).unwrap();
    let w = model.add_const("w", weights).unwrap();
    let b = model.add_const("b", tensor1(&input(cout + 3)[3..])).unwrap();
    let spec = spec(kernel, stride, padding, cin, cout);
    let op = Conv { pool_spec: spec, kernel_fmt: KernelFormat::OIHW, group, q_params: None };
    let mut y = model.wire_node("conv", op, &[x, w, b]).unwrap();
    if relu {
        let zero = model.add_const("zero", tensor4(&[[[[0f32]]]])).unwrap();
        y = model.wire_node("relu", tract_nnef::tract_core::ops::math::max(), &[y[0], zero]).unwrap();
    }
    model.select_output_outlets(&y).unwrap();
    model
}

#[test]
fn three_by_three_convolutions_at_stride_one_are_replaced_within_rounding() {
    let same = || PaddingSpec::Explicit(tvec![1, 1], tvec![1, 1]);
    for (shape, cout, padding, relu) in [
        ([1, 24, 28, 28], 24, same(), true),
        ([1, 1, 28, 28], 24, same(), false),
        ([1, 5, 9, 17], 7, PaddingSpec::Valid, true),
        ([2, 3, 6, 5], 4, PaddingSpec::SameUpper, false),
        ([1, 4, 11, 3], 6, PaddingSpec::Explicit(tvec![2, 0], tvec![0, 2]), true),
    ] {
        let (replaced, worst) =
            convolutions_replaced(conv(shape, cout, 3, 1, 1, padding.clone(), relu), &shape);
        assert_eq!(replaced, 1, "{shape:?} {padding:?}");
        assert!(worst < 1e-5, "{shape:?} {padding:?}: relative difference {worst}");
    }
}

#[test]
fn other_convolutions_keep_tracts_operator() {
    let shape = [1, 4, 9, 9];
    let same = || PaddingSpec::Explicit(tvec![1, 1], tvec![1, 1]);
    assert_eq!(convolutions_replaced(conv(shape, 8, 3, 2, 1, same(), true), &shape).0, 0, "stride 2");
    assert_eq!(convolutions_replaced(conv(shape, 8, 3, 1, 4, same(), true), &shape).0, 0, "grouped");
    assert_eq!(convolutions_replaced(conv(shape, 8, 5, 1, 1, same(), true), &shape).0, 0, "5×5");
    assert_eq!(convolutions_replaced(conv(shape, 8, 1, 1, 1, PaddingSpec::Valid, true), &shape).0, 0, "1×1");
}

#[test]
fn registry_models_answer_the_same_with_winograd_convolutions() {
    for (spec, pixels) in MODELS.iter().filter_map(|m| Some((m, m.input.pixels()?))) {
        let (replaced, worst) = convolutions_replaced(registry_model(spec.model_path()), &pixels.shape());
        match spec.id {
            "sketch" => assert_eq!(replaced, 5, "sketch: every convolution"),
            // Depthwise, strided or 1×1: none is a plain 3×3 stride-1 convolution.
            "photo" => assert_eq!(replaced, 0, "photo"),
            _ => {}
        }
        assert!(worst < 1e-5, "{}: relative difference {worst}", spec.id);
    }
}

/// The denoiser (six 3×3 convolutions, 2 → 64 → … → 1) on a noisy tile of a photo, by tract
/// and by each Winograd transform: the largest difference in output pixel values (in [0, 1]),
/// against the 1e-4 within which two tilings of a photo must agree (`tests/denoise.rs`) and
/// 1⁄255, an 8-bit step.
#[test]
fn the_denoiser_answers_the_same_with_winograd_convolutions() {
    use playground_core::denoise::Plane;
    use playground_core::random::Draws;
    use playground_fast_ops::{replace_convolutions_with, WinogradTiles};
    let spec = registry::find(registry::DENOISE).unwrap();
    let [n, c, h, w] = spec.input.facts()[0].shape[..] else { panic!("NCHW") };
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let photo = image::open(repo.join("crates/core/tests/photos/cat.png")).unwrap().to_rgb8();
    let green = Plane::rgb(&photo)[1].with_noise(0.1, &mut Draws::new(3));
    let mut x = vec![0.1f32; n * c * h * w];
    for y in 0..h {
        for i in 0..w {
            x[y * w + i] = green.values[(y % green.height) * green.width + i % green.width];
        }
    }
    let x = Tensor::from_shape(&[n, c, h, w], &x).unwrap();
    let decluttered = registry_model(spec.model_path()).into_decluttered().unwrap();
    let run = |m: TypedModel| {
        let out =
            m.into_optimized().unwrap().into_runnable().unwrap().run(tvec!(x.clone().into_tvalue())).unwrap();
        out[0].to_plain_array_view::<f32>().unwrap().iter().copied().collect::<Vec<_>>()
    };
    let theirs = run(decluttered.clone());
    for tiles in [WinogradTiles::Two, WinogradTiles::Four] {
        let mut ours = decluttered.clone();
        assert_eq!(replace_convolutions_with(&mut ours, |_| tiles).unwrap(), 6);
        let ours = run(ours);
        let worst = ours.iter().zip(&theirs).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
        eprintln!("{tiles:?}: largest difference {worst:e}");
        assert!(worst < 2e-5, "{tiles:?}: the outputs differ by up to {worst}");
    }
}
