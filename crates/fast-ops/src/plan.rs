//! The plan rewrite and the two operators; see the crate documentation.

use playground_kernels::{self as kernels, winograd, WinogradTiles};
use tract_nnef::tract_core::internal::*;
use tract_nnef::tract_core::ops::array::{Pad, PadMode};
use tract_nnef::tract_core::ops::cnn::{Conv, KernelFormat, OptMaxPool};
use tract_nnef::tract_core::ops::konst::Const;
use tract_nnef::tract_core::ops::nn::DataFormat;

/// What [`speed_up`] changed in a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SpeedUps {
    /// Nodes evaluated once here instead of at every inference.
    pub folded: usize,
    /// Operators replaced by this module's.
    pub replaced: usize,
}

/// Folds what is constant in `model`, then replaces every operator that has a faster
/// equivalent here.
pub fn speed_up(model: &mut TypedModel) -> TractResult<SpeedUps> {
    let folded = fold_constants(model)?;
    let replaced = replace_operators(model)?;
    if folded + replaced > 0 {
        model.compact()?; // drops the nodes patched out
    }
    Ok(SpeedUps { folded, replaced })
}

/// The largest value folded: a person's model in the playground may be large, and a fold keeps
/// its result in memory for as long as the model is loaded (the photo model's largest: 1000×1280
/// f32, 5.1 MB).
const FOLD_LIMIT_BYTES: usize = 64 << 20;

/// Replaces each node whose inputs are all constants with the value it computes. Walking in
/// evaluation order folds whole chains: a folded node's successors see constant inputs.
fn fold_constants(model: &mut TypedModel) -> TractResult<usize> {
    let mut folded = 0;
    for id in model.eval_order()? {
        let node = model.node(id);
        if node.inputs.is_empty() {
            continue; // sources and constants
        }
        let konsts = model.node_input_facts(id)?.iter().map(|f| f.konst.clone()).collect::<Option<TVec<_>>>();
        let Some(konsts) = konsts else { continue };
        let inputs = konsts.into_iter().map(|k| k.into_tvalue()).collect();
        // None: the op reads its context or keeps state, so its value is not fixed. An error
        // leaves the node to run as tract planned it, as tract's own folding does.
        let Ok(Some(values)) = node.op.eval_out_of_plan(inputs) else { continue };
        if values.iter().map(|v| v.len() * v.datum_type().size_of()).sum::<usize>() > FOLD_LIMIT_BYTES {
            continue;
        }
        let mut patch = TypedModelPatch::default();
        for (slot, value) in values.into_iter().enumerate() {
            let outlet = OutletId::new(id, slot);
            let exotic = model.outlet_fact(outlet)?.exotic_fact.clone();
            let konst = Const::new_with_opt_exotic_fact(value.into_arc_tensor(), exotic)?;
            let wire = patch.wire_node(format!("{}.folded.{slot}", node.name), konst, &[])?[0];
            patch.shunt_outside(model, outlet, wire)?;
        }
        patch.apply(model)?;
        folded += 1;
    }
    Ok(folded)
}

fn replace_operators(model: &mut TypedModel) -> TractResult<usize> {
    let mut replaced = 0;
    for id in model.eval_order()? {
        let node = model.node(id);
        let faster: Option<Box<dyn TypedOp>> = if let Some(pool) = node.op_as::<OptMaxPool>() {
            MaxPool2x2::replacing(pool, model.outlet_fact(node.inputs[0])?)?.map(|op| Box::new(op) as _)
        } else if let Some(pad) = node.op_as::<Pad>() {
            SpatialPad::replacing(pad, model.outlet_fact(node.inputs[0])?)?.map(|op| Box::new(op) as _)
        } else {
            None
        };
        if let Some(op) = faster {
            let inputs = node.inputs.clone();
            TypedModelPatch::replace_single_op(model, node, &inputs, op)?.apply(model)?;
            replaced += 1;
        }
    }
    Ok(replaced)
}

/// `[n, c, h, w]` of a concrete rank-4 f32 fact.
fn nchw_f32(fact: &TypedFact) -> Option<[usize; 4]> {
    if fact.datum_type != f32::datum_type() {
        return None;
    }
    fact.shape.as_concrete()?.try_into().ok()
}

/// The evaluation shared by this module's operators: one f32 NCHW input, one f32 output of the
/// shape `output` gives for the input's, filled by `run(input shape, input, output)`.
fn eval_nchw(
    inputs: TVec<TValue>,
    output: impl FnOnce([usize; 4]) -> TractResult<[usize; 4]>,
    run: impl FnOnce([usize; 4], &[f32], &mut [f32]),
) -> TractResult<TVec<TValue>> {
    let input = args_1!(inputs);
    let shape: [usize; 4] = input.shape().try_into().map_err(|_| format_err!("expected a rank-4 input"))?;
    // SAFETY: every operator's `run` writes the whole output (kernels tests check it).
    let mut target = unsafe { Tensor::uninitialized::<f32>(&output(shape)?)? };
    let source = input.try_as_plain_ram()?;
    let mut plain = target.try_as_plain_ram_mut()?;
    run(shape, source.as_slice::<f32>()?, plain.as_slice_mut::<f32>()?);
    Ok(tvec!(target.into_tvalue()))
}

/// Max over 2×2 windows at stride 2 with no padding before; a trailing odd row or column is
/// dropped (the floor of the shape, as the replaced pool computed it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MaxPool2x2;

impl MaxPool2x2 {
    fn replacing(pool: &OptMaxPool, input: &TypedFact) -> TractResult<Option<Self>> {
        let spec = &pool.pool_spec;
        let Some([_, _, h, w]) = nchw_f32(input) else { return Ok(None) };
        if pool.with_index_outputs.is_some()
            || spec.data_format != DataFormat::NCHW
            || spec.kernel_shape[..] != [2, 2]
            || spec.strides()[..] != [2, 2]
            || spec.dilations()[..] != [1, 1]
        {
            return Ok(None);
        }
        let dims = spec.padding.compute(&[h, w], &[2, 2], &[1, 1], &[2, 2]);
        let unpadded = dims.iter().zip([h, w]).all(|(d, len)| d.pad_before == 0 && d.convoluted == len / 2);
        Ok(unpadded.then_some(MaxPool2x2))
    }
}

impl Op for MaxPool2x2 {
    fn name(&self) -> StaticName {
        "MaxPool2x2".into()
    }
    op_as_typed_op!();
}

impl EvalOp for MaxPool2x2 {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        eval_nchw(
            inputs,
            |[n, c, h, w]| Ok([n, c, h / 2, w / 2]),
            |[_, _, h, w], source, target| kernels::max_pool_2x2(source, target, [h, w]),
        )
    }
}

impl TypedOp for MaxPool2x2 {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let [n, c, h, w] = nchw_f32(inputs[0]).context("MaxPool2x2 takes a concrete f32 NCHW input")?;
        Ok(tvec!(f32::fact([n, c, h / 2, w / 2])))
    }
    as_op!();
}

/// Constant padding of the last two axes of an NCHW f32 tensor.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SpatialPad {
    top: usize,
    bottom: usize,
    left: usize,
    right: usize,
    /// The fill value's bits: f32 is neither `Eq` nor `Hash`, which tract's ops must be.
    value_bits: u32,
}

impl SpatialPad {
    fn replacing(pad: &Pad, input: &TypedFact) -> TractResult<Option<Self>> {
        let PadMode::Constant(value) = &pad.mode else { return Ok(None) };
        if nchw_f32(input).is_none() || pad.pads.len() != 4 || pad.pads[..2] != [(0, 0), (0, 0)] {
            return Ok(None);
        }
        let value = value.cast_to_scalar::<f32>()?;
        let [(top, bottom), (left, right)] = [pad.pads[2], pad.pads[3]];
        Ok(Some(SpatialPad { top, bottom, left, right, value_bits: value.to_bits() }))
    }

    fn padded(&self, [n, c, h, w]: [usize; 4]) -> [usize; 4] {
        [n, c, h + self.top + self.bottom, w + self.left + self.right]
    }
}

impl Op for SpatialPad {
    fn name(&self) -> StaticName {
        "SpatialPad".into()
    }
    op_as_typed_op!();
}

impl EvalOp for SpatialPad {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let value = f32::from_bits(self.value_bits);
        eval_nchw(
            inputs,
            |shape| Ok(self.padded(shape)),
            |[_, _, h, w], source, target| {
                let [_, _, ph, pw] = self.padded([0, 0, h, w]);
                kernels::pad_2d(source, target, [h, w], [self.top, self.left, ph, pw], value)
            },
        )
    }
}

impl TypedOp for SpatialPad {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let shape = nchw_f32(inputs[0]).context("SpatialPad takes a concrete f32 NCHW input")?;
        Ok(tvec!(f32::fact(self.padded(shape))))
    }
    as_op!();
}

/// Whether [`speed_up_decluttered`] swaps convolutions for [`Conv3x3Winograd`]: in wasm with
/// SIMD, where tract runs a convolution through its GEMM kernel. Natively tract's own kernels
/// are used (AVX, direct convolution).
pub const WINOGRAD_CONVOLUTIONS: bool = cfg!(all(target_arch = "wasm32", target_feature = "simd128"));

/// The rewrites of a decluttered model, to run before tract's `optimize` (which would lower a
/// convolution into im2col and matrix products): [`replace_convolutions`] where
/// [`WINOGRAD_CONVOLUTIONS`]. Returns how many operators were replaced. It also keeps
/// `playground-gemm`'s matrix kernel in the build, which `optimize` then picks in wasm.
pub fn speed_up_decluttered(model: &mut TypedModel) -> TractResult<usize> {
    playground_gemm::register();
    let replaced = if WINOGRAD_CONVOLUTIONS { replace_convolutions(model)? } else { 0 };
    if replaced > 0 {
        model.compact()?; // drops the convolutions' weights, so optimizing does not pack them
    }
    Ok(replaced)
}

/// Replaces, in a decluttered plan (before `into_optimized`), each 3×3 stride-1 convolution of
/// an f32 NCHW tensor with constant weights by [`Conv3x3Winograd`], taking in the ReLU that
/// follows it when nothing else reads the convolution. Returns how many were replaced.
///
/// [`speed_up_decluttered`] calls it where it is faster ([`WINOGRAD_CONVOLUTIONS`]).
pub fn replace_convolutions(model: &mut TypedModel) -> TractResult<usize> {
    replace_convolutions_with(model, WinogradTiles::for_shape)
}

/// [`replace_convolutions`] with the transform `tiles` picks for each convolution.
pub fn replace_convolutions_with(
    model: &mut TypedModel,
    tiles: impl Fn(&winograd::Conv3x3) -> WinogradTiles,
) -> TractResult<usize> {
    let mut replaced = 0;
    for id in model.eval_order()? {
        let node = model.node(id);
        let Some(conv) = node.op_as::<Conv>() else { continue };
        let Some(mut op) = Conv3x3Winograd::replacing(conv, &model.node_input_facts(id)?, &tiles)? else {
            continue;
        };
        // The ReLU (max with a constant 0) that alone reads the convolution goes in too.
        let mut last = id;
        if let [only] = model.outlet_successors(OutletId::new(id, 0)) {
            if is_relu_of(model, only.node, OutletId::new(id, 0))? {
                op.shape.relu = true;
                last = only.node;
            }
        }
        let input = node.inputs[0];
        let mut patch = TypedModelPatch::default();
        let tapped = patch.tap_model(model, input)?;
        let wire = patch.wire_node(format!("{}.winograd", node.name), op, &[tapped])?[0];
        patch.shunt_outside(model, OutletId::new(last, 0), wire)?;
        patch.apply(model)?;
        replaced += 1;
    }
    Ok(replaced)
}

/// Whether node `id` is `max(conv, 0)` with a constant zero, as tract declutters ONNX's and
/// NNEF's ReLU, of the same shape as `conv`.
fn is_relu_of(model: &TypedModel, id: usize, conv: OutletId) -> TractResult<bool> {
    let node = model.node(id);
    if node.op.name() != "Max" || node.inputs.len() != 2 || node.outputs.len() != 1 {
        return Ok(false);
    }
    let Some(other) = node.inputs.iter().find(|&&i| i != conv) else { return Ok(false) };
    let zero = model.outlet_fact(*other)?.konst.as_ref().is_some_and(|k| {
        k.len() == 1
            && k.datum_type() == f32::datum_type()
            && k.cast_to_scalar::<f32>().is_ok_and(|v| v == 0.0)
    });
    Ok(zero && model.outlet_fact(OutletId::new(id, 0))?.shape == model.outlet_fact(conv)?.shape)
}

/// A 3×3 stride-1 convolution (+ ReLU) by Winograd's F(2×2, 3×3) or F(4×4, 3×3) ([`WinogradTiles`]);
/// see [`winograd`] and `playground_kernels::winograd4`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Conv3x3Winograd {
    shape: winograd::Conv3x3,
    tiles: WinogradTiles,
    /// The kernel in the transform domain, `[16 or 36, cout, cin]`.
    weights: Arc<Tensor>,
    /// One per output channel.
    bias: Arc<Tensor>,
}

impl Conv3x3Winograd {
    fn replacing(
        conv: &Conv,
        inputs: &[&TypedFact],
        tiles: &impl Fn(&winograd::Conv3x3) -> WinogradTiles,
    ) -> TractResult<Option<Self>> {
        let spec = &conv.pool_spec;
        let Some([_, cin, h, w]) = nchw_f32(inputs[0]) else { return Ok(None) };
        let (Some(kernel), Some(bias)) = (&inputs[1].konst, &inputs[2].konst) else { return Ok(None) };
        let cout = conv.output_channels();
        if conv.q_params.is_some()
            || conv.group != 1
            || conv.kernel_fmt != KernelFormat::OIHW
            || spec.data_format != DataFormat::NCHW
            || spec.kernel_shape[..] != [3, 3]
            || spec.strides()[..] != [1, 1]
            || spec.dilations()[..] != [1, 1]
            || kernel.datum_type() != f32::datum_type()
            || kernel.shape() != [cout, cin, 3, 3]
            || !(bias.len() == 1 || bias.len() == cout)
        {
            return Ok(None);
        }
        let dims = spec.padding.compute(&[h, w], &[3, 3], &[1, 1], &[1, 1]);
        let shape = winograd::Conv3x3 {
            relu: false,
            cin,
            cout,
            h,
            w,
            pad_top: dims[0].pad_before,
            pad_left: dims[1].pad_before,
            oh: dims[0].convoluted,
            ow: dims[1].convoluted,
        };
        let tiles = tiles(&shape);
        let kernel = kernel.try_as_plain_ram()?;
        let kernel = kernel.as_slice::<f32>()?;
        let (weights, positions) = (tiles.weights(kernel, cin, cout), tiles.positions());
        let bias = bias.cast_to::<f32>()?;
        let bias = bias.try_as_plain_ram()?;
        let bias = bias.as_slice::<f32>()?;
        let bias: Vec<f32> = (0..cout).map(|co| bias[co % bias.len()]).collect();
        Ok(Some(Conv3x3Winograd {
            shape,
            tiles,
            weights: tensor1(&weights).into_shape(&[positions, cout, cin])?.into_arc_tensor(),
            bias: tensor1(&bias).into_arc_tensor(),
        }))
    }
}

impl Op for Conv3x3Winograd {
    fn name(&self) -> StaticName {
        "Conv3x3Winograd".into()
    }
    fn info(&self) -> TractResult<Vec<String>> {
        Ok(vec![format!("{:?} {:?}", self.tiles, self.shape)])
    }
    op_as_typed_op!();
}

impl EvalOp for Conv3x3Winograd {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let s = &self.shape;
        let weights = self.weights.try_as_plain_ram()?;
        let bias = self.bias.try_as_plain_ram()?;
        let (weights, bias) = (weights.as_slice::<f32>()?, bias.as_slice::<f32>()?);
        eval_nchw(
            inputs,
            |[n, cin, h, w]| {
                ensure!((cin, h, w) == (s.cin, s.h, s.w), "Conv3x3Winograd planned for another input shape");
                Ok([n, s.cout, s.oh, s.ow])
            },
            |_, source, target| {
                let images = source.chunks_exact(s.cin * s.h * s.w);
                for (image, out) in images.zip(target.chunks_exact_mut(s.cout * s.oh * s.ow)) {
                    self.tiles.conv3x3(image, out, weights, bias, s);
                }
            },
        )
    }
}

impl TypedOp for Conv3x3Winograd {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let [n, ..] = nchw_f32(inputs[0]).context("Conv3x3Winograd takes a concrete f32 NCHW input")?;
        Ok(tvec!(f32::fact([n, self.shape.cout, self.shape.oh, self.shape.ow])))
    }
    as_op!();
}
