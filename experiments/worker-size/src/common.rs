//! What every size-experiment program does once its front end has a typed model: decode a
//! photo, optimize and run the model, so the same tract and image code is linked in each.
use tract_nnef::prelude::*;

pub fn optimize_and_run(model: TypedModel, input: &[f32], photo: &[u8]) -> Vec<f32> {
    let image = playground_core::photo::decode(photo).unwrap();
    let plan = model.into_optimized().unwrap().into_runnable().unwrap();
    let tensor = Tensor::from_shape(&[1usize, 1, 28, 28], input).unwrap();
    let outputs = plan.run(tvec!(tensor.into_tvalue())).unwrap();
    let mut values: Vec<f32> = outputs[0].to_plain_array_view::<f32>().unwrap().iter().copied().collect();
    values.push(image.width() as f32);
    values
}
