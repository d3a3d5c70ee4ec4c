//! The plain-CNN runner (`core::cnn`) against tract on the sketch page's two models: the same
//! logits on real drawings, and clear refusals of what it does not run.

mod common;

use playground_core::cnn::Net;
use playground_core::input::{Elem, Feed, InputFact};
use playground_core::session::Session;
use playground_core::Error;

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(common::repo().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

const SKETCH_SHAPE: [usize; 4] = [1, 1, 28, 28];

#[test]
fn the_sketch_models_give_tracts_logits() {
    let facts = [InputFact { shape: SKETCH_SHAPE.to_vec(), elem: Elem::F32 }];
    for id in ["sketch", "doodlenet"] {
        let onnx = read(&format!("models/{id}/model.onnx"));
        let net = Net::from_onnx(&onnx, &SKETCH_SHAPE).unwrap();
        let session = Session::from_onnx(&onnx, &facts).unwrap();
        assert_eq!(net.output_len(), session.output_len(), "{id}");
        let (mut worst, mut rows, mut same_top) = (0f32, 0, 0);
        // The first 10 held-out rows of every class file: real drawings of every class.
        for (_, path) in common::class_files() {
            for row in common::npy_rows(&path).into_iter().take(10) {
                let tensor: Vec<f32> = row.iter().map(|&p| f32::from(p) / 255.0).collect();
                let ours = net.run(&tensor).unwrap();
                let tract = session.run(&[Feed::F32(&tensor)]).unwrap();
                let argmax = |v: &[f32]| (0..v.len()).max_by(|&a, &b| v[a].total_cmp(&v[b])).unwrap();
                same_top += usize::from(argmax(&ours) == argmax(&tract));
                worst = ours.iter().zip(&tract).map(|(a, b)| (a - b).abs()).fold(worst, f32::max);
                rows += 1;
            }
        }
        assert!(rows >= 640, "{id}: {rows} rows");
        // Winograd's transforms round differently from tract's direct convolution.
        assert!(worst < 2e-3, "{id}: logits differ by up to {worst}");
        assert_eq!(same_top, rows, "{id}: a different top class");
    }
}

#[test]
fn what_it_does_not_run_is_refused_by_name() {
    let refusal = |bytes: &[u8]| Net::from_onnx(bytes, &SKETCH_SHAPE).err().expect("must fail").to_string();
    let photo = refusal(&read("models/photo/model.onnx"));
    assert!(photo.contains("which this runner does not run"), "{photo}");
    assert!(refusal(b"definitely not a protobuf").contains("not a readable ONNX file"));
    let sketch = read("models/sketch/model.onnx");
    assert!(matches!(Net::from_onnx(&sketch[..sketch.len() / 2], &SKETCH_SHAPE), Err(Error::NotPlainCnn(_))));
    let wrong = Net::from_onnx(&sketch, &[1, 3, 28, 28]).err().expect("must fail").to_string();
    assert!(wrong.contains("after a layer of") || wrong.contains("convolution"), "{wrong}");
    let net = Net::from_onnx(&sketch, &SKETCH_SHAPE).unwrap();
    assert!(matches!(net.run(&[0.0; 10]), Err(Error::Inference(_))));
}
