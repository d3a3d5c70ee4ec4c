//! tract-onnx with only two ONNX operators registered: how much of tract the linker can drop
//! when the ONNX front end does not name every operator (a lower bound for a slim registry).
use tract_onnx::prelude::*;
use tract_onnx::tract_hir::ops::{activations::Clip, cnn::Conv, expandable::expand};
use wasm_bindgen::prelude::*;

#[path = "../common.rs"]
mod common;

fn main() {}

fn two_ops() -> tract_onnx::Onnx {
    let mut ops = tract_onnx::model::OnnxOpRegister::default();
    ops.insert("Relu", |_, _| Ok((expand(Clip::new(Some(0.0), None)), vec![])));
    ops.insert("Conv", |_, _| Ok((expand(Conv::default()), vec![])));
    tract_onnx::Onnx { op_register: ops, ..Default::default() }
}

#[wasm_bindgen]
pub fn run(model: &[u8], input: &[f32], photo: &[u8]) -> Vec<f32> {
    let model = two_ops().model_for_read(&mut std::io::Cursor::new(model)).unwrap();
    let typed = model.with_input_fact(0, f32::fact([1, 1, 28, 28]).into()).unwrap().into_typed().unwrap();
    common::optimize_and_run(typed, input, photo)
}
