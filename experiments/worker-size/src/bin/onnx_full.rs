//! tract-onnx with every ONNX operator registered (what the worker does).
use tract_onnx::prelude::*;
use wasm_bindgen::prelude::*;

fn main() {}

#[wasm_bindgen]
pub fn run(model: &[u8], input: &[f32], photo: &[u8]) -> Vec<f32> {
    let image = playground_core::photo::decode(photo).unwrap();
    let model = tract_onnx::onnx().model_for_read(&mut std::io::Cursor::new(model)).unwrap();
    let plan = model
        .with_input_fact(0, f32::fact([1, 1, 28, 28]).into())
        .unwrap()
        .into_optimized()
        .unwrap()
        .into_runnable()
        .unwrap();
    let tensor = Tensor::from_shape(&[1usize, 1, 28, 28], input).unwrap();
    let outputs = plan.run(tvec!(tensor.into_tvalue())).unwrap();
    let mut values: Vec<f32> = outputs[0].to_plain_array_view::<f32>().unwrap().iter().copied().collect();
    values.push(image.width() as f32);
    values
}
