//! tract-nnef alone: models converted from ONNX to NNEF ahead of time, no ONNX front end.
use tract_nnef::prelude::*;
use wasm_bindgen::prelude::*;

fn main() {}

#[wasm_bindgen]
pub fn run(model: &[u8], input: &[f32], photo: &[u8]) -> Vec<f32> {
    let image = playground_core::photo::decode(photo).unwrap();
    let model = tract_nnef::nnef().model_for_read(&mut std::io::Cursor::new(model)).unwrap();
    let plan = model.into_optimized().unwrap().into_runnable().unwrap();
    let tensor = Tensor::from_shape(&[1usize, 1, 28, 28], input).unwrap();
    let outputs = plan.run(tvec!(tensor.into_tvalue())).unwrap();
    let mut values: Vec<f32> = outputs[0].to_plain_array_view::<f32>().unwrap().iter().copied().collect();
    values.push(image.width() as f32);
    values
}
