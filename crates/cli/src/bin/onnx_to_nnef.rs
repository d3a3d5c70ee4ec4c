//! `onnx-to-nnef MODELS_DIR OUT_DIR`: every registry model as the workers load it (registry
//! `served_path`): tract's converted from `model.onnx` into `model.nnef.tar`, the plain CNNs'
//! `model.onnx` copied as it is; beside it its labels or vocabulary (registry `labels_path`),
//! copied (`scripts/build.sh` runs it into `dist/models/`).
//! The archive is typed for the registry's input facts; see `playground_core::session`.

use playground_core::registry::{Runtime, MODELS};
use playground_core::session::onnx_to_nnef;
use std::path::PathBuf;

fn main() {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [models, out] = args.as_slice() else {
        eprintln!("usage: onnx-to-nnef MODELS_DIR OUT_DIR");
        std::process::exit(2);
    };
    for spec in MODELS {
        let source = models.join(spec.id).join("model.onnx");
        let result = std::fs::read(&source)
            .map_err(|e| e.to_string())
            .and_then(|onnx| match spec.runtime {
                Runtime::Cnn => Ok(onnx),
                Runtime::Tract => onnx_to_nnef(&onnx, &spec.input.facts()).map_err(|e| e.to_string()),
            })
            .and_then(|nnef| {
                let target = out
                    .join(PathBuf::from(spec.served_path()).strip_prefix("models").expect("under models/"));
                std::fs::create_dir_all(target.parent().expect("has a parent")).map_err(|e| e.to_string())?;
                std::fs::write(&target, &nnef).map_err(|e| e.to_string())?;
                if let Some(path) = spec.labels_path() {
                    let name = PathBuf::from(path).file_name().expect("a file").to_owned();
                    std::fs::copy(models.join(spec.id).join(&name), out.join(spec.id).join(&name))
                        .map_err(|e| format!("{}: {e}", name.to_string_lossy()))?;
                }
                Ok((target, nnef.len()))
            });
        match result {
            Ok((target, bytes)) => eprintln!("{} → {} ({bytes} bytes)", source.display(), target.display()),
            Err(e) => {
                eprintln!("{}: {e}", source.display());
                std::process::exit(1);
            }
        }
    }
}
