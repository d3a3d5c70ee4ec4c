//! tract-nnef alone: models converted from ONNX to NNEF ahead of time, no ONNX front end.
use tract_nnef::prelude::*;
use wasm_bindgen::prelude::*;

#[path = "../common.rs"]
mod common;

fn main() {}

#[wasm_bindgen]
pub fn run(model: &[u8], input: &[f32], photo: &[u8]) -> Vec<f32> {
    let model = tract_nnef::nnef().model_for_read(&mut std::io::Cursor::new(model)).unwrap();
    common::optimize_and_run(model, input, photo)
}
