//! tract-onnx with every ONNX operator registered (what the worker did).
use tract_onnx::prelude::*;
use wasm_bindgen::prelude::*;

#[path = "../common.rs"]
mod common;

fn main() {}

#[wasm_bindgen]
pub fn run(model: &[u8], input: &[f32], photo: &[u8]) -> Vec<f32> {
    let model = tract_onnx::onnx().model_for_read(&mut std::io::Cursor::new(model)).unwrap();
    let typed = model.with_input_fact(0, f32::fact([1, 1, 28, 28]).into()).unwrap().into_typed().unwrap();
    common::optimize_and_run(typed, input, photo)
}
