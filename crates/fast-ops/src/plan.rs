//! The plan rewrite and the two operators; see the crate documentation.

use crate::kernels;
use tract_nnef::tract_core::internal::*;
use tract_nnef::tract_core::ops::array::{Pad, PadMode};
use tract_nnef::tract_core::ops::cnn::OptMaxPool;
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
        let input = args_1!(inputs);
        let &[n, c, h, w] = input.shape() else { bail!("MaxPool2x2 takes a rank-4 input") };
        let (oh, ow) = (h / 2, w / 2);
        let mut output = unsafe { Tensor::uninitialized::<f32>(&[n, c, oh, ow])? };
        let source = input.try_as_plain_ram()?;
        let source = source.as_slice::<f32>()?;
        let mut target = output.try_as_plain_ram_mut()?;
        kernels::max_pool_2x2(source, target.as_slice_mut::<f32>()?, [h, w]);
        Ok(tvec!(output.into_tvalue()))
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
        let input = args_1!(inputs);
        let &[n, c, h, w] = input.shape() else { bail!("SpatialPad takes a rank-4 input") };
        let [_, _, ph, pw] = self.padded([n, c, h, w]);
        let mut output = unsafe { Tensor::uninitialized::<f32>(&[n, c, ph, pw])? };
        let source = input.try_as_plain_ram()?;
        let source = source.as_slice::<f32>()?;
        let mut target = output.try_as_plain_ram_mut()?;
        let value = f32::from_bits(self.value_bits);
        kernels::pad_2d(source, target.as_slice_mut::<f32>()?, [h, w], [self.top, self.left, ph, pw], value);
        Ok(tvec!(output.into_tvalue()))
    }
}

impl TypedOp for SpatialPad {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let shape = nchw_f32(inputs[0]).context("SpatialPad takes a concrete f32 NCHW input")?;
        Ok(tvec!(f32::fact(self.padded(shape))))
    }
    as_op!();
}
