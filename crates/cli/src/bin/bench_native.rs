//! `bench-native`: the native tract ceiling for the speed race (`tests/e2e/bench/race.js`).
//! Loads every `models/<id>/model.onnx` of the registry with the same [`Session`] the browser
//! worker uses, planned for the registry input shape, warms it up and times bare inferences
//! with `std::time::Instant` on one thread. Prints one JSON line per (model, input):
//!
//! ```text
//! bench-native [--models DIR] [--strokes FILE.json] [--photo FILE] [--dump DIR]
//!              [--seconds S] [--min-runs N] [--max-runs N] [--warmup N]
//! {"model":"sketch","input":"real","input_shape":[1,1,28,28],"load_ms":..,"runs":..,
//!  "median_ms":..,"p90_ms":..,"mean_ms":..,"min_ms":..,"top1":..}
//! ```
//!
//! Inputs: `real` is the tensor the worker would prepare from `--strokes` (a JSON array of
//! strokes, each `[[x, y], ...]`, for sketch models) or from `--photo` (image bytes, for photo
//! models), through the same `Engine::prepare`; `random` is a deterministic pseudo-random
//! tensor (uniform in [-1, 1), xorshift32, seed 1) and `random2` the same with seed 2 (latency
//! must not depend on values; timing both checks it). `--dump DIR` writes each tensor as
//! little-endian f32 to `DIR/<model>.<input>.f32` so another runtime can be fed the very same
//! values.

use playground_core::engine::Engine;
use playground_core::input::{Feed, ModelInput};
use playground_core::registry::{Task, MODELS};
use playground_core::session::Session;
use playground_core::sketch::Stroke;
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

const USAGE: &str = "usage: bench-native [--models DIR] [--strokes FILE.json] [--photo FILE] [--dump DIR] \
[--seconds S] [--min-runs N] [--max-runs N] [--warmup N] [--only ID]";

struct Args {
    models: PathBuf,
    strokes: Option<PathBuf>,
    photo: Option<PathBuf>,
    dump: Option<PathBuf>,
    seconds: f64,
    min_runs: usize,
    max_runs: usize,
    warmup: usize,
    only: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        models: PathBuf::from("models"),
        strokes: None,
        photo: None,
        dump: None,
        seconds: 3.0,
        min_runs: 30,
        max_runs: 5000,
        warmup: 10,
        only: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"));
        let num = |v: String| v.parse::<f64>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--models" => a.models = value()?.into(),
            "--strokes" => a.strokes = Some(value()?.into()),
            "--photo" => a.photo = Some(value()?.into()),
            "--dump" => a.dump = Some(value()?.into()),
            "--seconds" => a.seconds = num(value()?)?,
            "--min-runs" => a.min_runs = num(value()?)? as usize,
            "--max-runs" => a.max_runs = num(value()?)? as usize,
            "--warmup" => a.warmup = num(value()?)? as usize,
            "--only" => a.only = Some(value()?),
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(a)
}

/// xorshift32 → uniform f32 in [-1, 1); the same sequence on every platform.
fn pseudo_random(len: usize, seed: u32) -> Vec<f32> {
    let mut x = seed.max(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0
        })
        .collect()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench-native: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    if let Some(dir) = &args.dump {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    for spec in MODELS {
        if args.only.as_deref().is_some_and(|o| o != spec.id) {
            continue;
        }
        let dir = args.models.join(spec.id);
        let onnx_path = dir.join("model.onnx");
        // Image models: the text model's speed is its characters per second (scripts/bench.sh).
        let (true, Some(pixels)) = (onnx_path.exists(), spec.input.pixels()) else {
            continue;
        };
        let onnx = std::fs::read(&onnx_path).map_err(|e| format!("{}: {e}", onnx_path.display()))?;
        let labels = std::fs::read_to_string(dir.join("labels.txt")).unwrap_or_default();
        let started = Instant::now();
        let session =
            Session::from_onnx(&onnx, &spec.input.facts()).map_err(|e| format!("{}: {e}", spec.id))?;
        let load_ms = ms(started.elapsed());

        // The real input, prepared exactly as the worker prepares it.
        let real: Option<Vec<f32>> = match (&spec.task, &args.strokes, &args.photo) {
            (Task::Sketch, Some(file), _) => {
                let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
                let strokes: Vec<Stroke> =
                    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
                Some(prepare(spec.id, &onnx, &labels, ModelInput::Strokes(strokes))?)
            }
            (Task::Photo, _, Some(file)) => {
                let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
                Some(prepare(spec.id, &onnx, &labels, ModelInput::Photo(bytes))?)
            }
            _ => None,
        };
        let len: usize = pixels.shape().iter().product();
        let mut inputs: Vec<(&str, Vec<f32>)> = Vec::new();
        if let Some(t) = real {
            inputs.push(("real", t));
        }
        inputs.push(("random", pseudo_random(len, 1)));
        inputs.push(("random2", pseudo_random(len, 2)));

        for (name, tensor) in &inputs {
            if let Some(dir) = &args.dump {
                let bytes: Vec<u8> = tensor.iter().flat_map(|v| v.to_le_bytes()).collect();
                let file = dir.join(format!("{}.{name}.f32", spec.id));
                std::fs::write(&file, bytes).map_err(|e| format!("{}: {e}", file.display()))?;
            }
            let mut output = Vec::new();
            for _ in 0..args.warmup {
                output = session.run(&[Feed::F32(tensor)]).map_err(|e| e.to_string())?;
            }
            let mut times = Vec::new();
            let budget = Instant::now();
            while times.len() < args.max_runs
                && (times.len() < args.min_runs || budget.elapsed().as_secs_f64() < args.seconds)
            {
                let t = Instant::now();
                let out = session.run(&[Feed::F32(tensor)]).map_err(|e| e.to_string())?;
                times.push(ms(t.elapsed()));
                std::hint::black_box(&out);
            }
            let top1 = output
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|(i, _)| i)
                .unwrap_or_default();
            let mean = times.iter().sum::<f64>() / times.len() as f64;
            times.sort_by(f64::total_cmp);
            let line = json!({
                "model": spec.id,
                "input": name,
                "input_shape": pixels.shape(),
                "load_ms": load_ms,
                "runs": times.len(),
                "median_ms": percentile(&times, 0.5),
                "p90_ms": percentile(&times, 0.9),
                "mean_ms": mean,
                "min_ms": times[0],
                "top1": top1,
                "output_head": &output[..output.len().min(5)],
            });
            println!("{line}");
        }
    }
    Ok(())
}

fn prepare(id: &str, onnx: &[u8], labels: &str, input: ModelInput) -> Result<Vec<f32>, String> {
    let mut engine = Engine::new();
    engine.install(id, onnx, labels).map_err(|e| e.to_string())?;
    Ok(engine.prepare(id, &input).map_err(|e| e.to_string())?.tensor)
}
