//! A tract-onnx session: parse an ONNX model once, optimize it for a fixed input shape, run it
//! many times.

use crate::{Error, Result};
use std::sync::Arc;
use tract_onnx::prelude::*;

pub struct Session {
    plan: Arc<TypedRunnableModel>,
    input_shape: Vec<usize>,
    output_len: usize,
}

impl Session {
    /// Parses `onnx` and plans it for `input_shape`. Declaring the concrete shape before
    /// `into_optimized` lets tract pick its fastest kernels (3–5× faster than a decluttered
    /// plan) and turns a wrong-shape model into an error here rather than at run time.
    pub fn from_onnx(onnx: &[u8], input_shape: &[usize]) -> Result<Self> {
        let model = tract_onnx::onnx()
            .model_for_read(&mut std::io::Cursor::new(onnx))
            .map_err(|e| Error::ModelParse(root_cause(&e)))?;
        Self::plan(model, input_shape)
    }

    /// [`Session::from_onnx`] for a protobuf already decoded (and checked by
    /// [`crate::inspect`]), so a person's model is not decoded twice. The declared input shape
    /// is replaced by `input_shape`, so symbolic dims (batch, height, width) are fine as long as
    /// the outputs become fixed once the input is.
    pub fn from_proto(proto: &tract_onnx::pb::ModelProto, input_shape: &[usize]) -> Result<Self> {
        let model =
            tract_onnx::onnx().model_for_proto_model(proto).map_err(|e| Error::ModelParse(root_cause(&e)))?;
        Self::plan(model, input_shape)
    }

    fn plan(model: InferenceModel, input_shape: &[usize]) -> Result<Self> {
        if model.inputs.len() != 1 || model.outputs.is_empty() {
            return Err(Error::ModelShape(format!(
                "expected one input and at least one output, found {} inputs and {} outputs",
                model.inputs.len(),
                model.outputs.len()
            )));
        }
        let typed = model
            .with_input_fact(0, f32::fact(input_shape).into())
            .and_then(|m| m.into_optimized())
            .map_err(|e| {
                Error::ModelShape(format!("it cannot take a {input_shape:?} f32 input ({})", root_cause(&e)))
            })?;
        let output_fact = typed.output_fact(0).map_err(|e| Error::ModelShape(root_cause(&e)))?;
        let output_len =
            output_fact.shape.as_concrete().map(|dims| dims.iter().product()).ok_or_else(|| {
                Error::ModelShape(format!("its output shape {:?} is not fixed", output_fact.shape))
            })?;
        let plan = typed.into_runnable().map_err(|e| Error::ModelShape(root_cause(&e)))?;
        Ok(Session { plan, input_shape: input_shape.to_vec(), output_len })
    }

    pub fn input_shape(&self) -> &[usize] {
        &self.input_shape
    }

    /// Number of values in the first output (the class count for a classifier).
    pub fn output_len(&self) -> usize {
        self.output_len
    }

    /// Runs the model on `input` (row-major, `input_shape` elements) and returns the first
    /// output flattened.
    pub fn run(&self, input: &[f32]) -> Result<Vec<f32>> {
        let expected: usize = self.input_shape.iter().product();
        if input.len() != expected {
            return Err(Error::BadInput(format!("expected {expected} input values, got {}", input.len())));
        }
        let tensor =
            Tensor::from_shape(&self.input_shape, input).map_err(|e| Error::Inference(root_cause(&e)))?;
        let outputs =
            self.plan.run(tvec!(tensor.into_tvalue())).map_err(|e| Error::Inference(root_cause(&e)))?;
        let view = outputs[0].to_plain_array_view::<f32>().map_err(|e| Error::Inference(root_cause(&e)))?;
        Ok(view.iter().copied().collect())
    }
}

/// tract's errors nest context; the innermost cause is the one that reads well.
pub(crate) fn root_cause(e: &TractError) -> String {
    let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
    chain.join(": ")
}
