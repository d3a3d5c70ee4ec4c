//! `sketch-classify`: classify Quick, Draw! drawings natively with the same preprocessing and
//! tract session the browser worker uses.
//!
//! ```text
//! sketch-classify [--model models/sketch] < drawings.ndjson
//!     one JSON line per drawing: {"key_id": "...", "top": [["label", probability], ...]}
//! sketch-classify [--model models/sketch] --npy FILE.npy [--rows N]
//!     classifies 28×28 uint8 bitmap rows: {"row": i, "top": [...]}
//! ```
//! `--wide models/doodlenet` also loads the model's wider registry model (`widened_by`), so the
//! answers name any of its classes, as in the browser once both are loaded; `--top N` prints N
//! guesses instead of 5.
//! A line that cannot be classified (bad JSON, empty drawing) gets `{"key_id", "error"}` and the
//! run goes on.

use playground_core::engine::Engine;
use playground_core::postprocess::Guess;
use playground_core::postprocess::TOP_K;
use playground_core::sketch::{Stroke, SIDE};
use serde::Deserialize;
use serde_json::{json, Value};
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str =
    "usage: sketch-classify [--model DIR] [--wide DIR] [--top N] [--npy FILE.npy [--rows N]] < drawings.ndjson";

struct Args {
    model_dir: PathBuf,
    wide_dir: Option<PathBuf>,
    top: usize,
    npy: Option<PathBuf>,
    rows: Option<usize>,
}

fn parse_args() -> Result<Args, String> {
    let mut args =
        Args { model_dir: PathBuf::from("models/sketch"), wide_dir: None, top: TOP_K, npy: None, rows: None };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--model" => args.model_dir = value()?.into(),
            "--wide" => args.wide_dir = Some(value()?.into()),
            "--top" => args.top = value()?.parse().map_err(|e| format!("--top: {e}"))?,
            "--npy" => args.npy = Some(value()?.into()),
            "--rows" => args.rows = Some(value()?.parse().map_err(|e| format!("--rows: {e}"))?),
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("sketch-classify: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let mut engine = Engine::new();
    let id = load(&mut engine, &args.model_dir)?;
    if let Some(wide) = &args.wide_dir {
        load(&mut engine, wide)?;
    }
    let k = args.top;
    let mut out = BufWriter::new(std::io::stdout().lock());
    match &args.npy {
        Some(npy) => {
            let rows = read_npy_u8_rows(npy)?;
            for (i, bitmap) in rows.iter().take(args.rows.unwrap_or(usize::MAX)).enumerate() {
                let line = match engine.classify_bitmap(&id, bitmap, k) {
                    Ok(top) => json!({ "row": i, "top": top_json(&top) }),
                    Err(e) => json!({ "row": i, "error": e.to_string() }),
                };
                writeln!(out, "{line}").map_err(|e| e.to_string())?;
            }
        }
        None => {
            let mut stdin = std::io::stdin().lock();
            while let Some(line) =
                next_line(&mut stdin, MAX_LINE_BYTES).map_err(|e| format!("reading stdin: {e}"))?
            {
                let result = match line {
                    Ok(line) if line.trim().is_empty() => continue,
                    Ok(line) => classify_line(&engine, &id, &line, k),
                    Err(too_long) => json!({ "key_id": Value::Null, "error": too_long }),
                };
                writeln!(out, "{result}").map_err(|e| e.to_string())?;
            }
        }
    }
    out.flush().map_err(|e| e.to_string())
}

/// Longest input line read: a person's drawing is a few kB (the core refuses more than
/// `sketch::MAX_POINTS` points anyway); a line without end must not fill the memory first.
const MAX_LINE_BYTES: usize = 4 << 20;

/// The next line of `input` (`None` at the end), or, for a line longer than `max` bytes, an
/// error message for it, having skipped the rest of it unread into memory.
fn next_line(input: &mut impl BufRead, max: usize) -> std::io::Result<Option<Result<String, String>>> {
    use std::io::Read;
    let mut buf = Vec::new();
    if input.by_ref().take(max as u64 + 1).read_until(b'\n', &mut buf)? == 0 {
        return Ok(None);
    }
    if buf.len() > max && buf.last() != Some(&b'\n') {
        loop {
            let (done, used) = {
                let available = input.fill_buf()?;
                match available.iter().position(|&b| b == b'\n') {
                    Some(i) => (true, i + 1),
                    None => (available.is_empty(), available.len()),
                }
            };
            input.consume(used);
            if done {
                break;
            }
        }
        return Ok(Some(Err(format!("the line is longer than {} MB", max >> 20))));
    }
    Ok(Some(Ok(String::from_utf8_lossy(&buf).into_owned())))
}

/// Installs the model in folder `dir` under the folder's name (a registry id); returns the id.
fn load(engine: &mut Engine, dir: &Path) -> Result<String, String> {
    let id = dir.file_name().and_then(|n| n.to_str()).ok_or("--model must name a model folder")?.to_string();
    let onnx = std::fs::read(dir.join("model.onnx"))
        .map_err(|e| format!("{}: {e}", dir.join("model.onnx").display()))?;
    let labels = std::fs::read_to_string(dir.join("labels.txt"))
        .map_err(|e| format!("{}: {e}", dir.join("labels.txt").display()))?;
    engine.install(&id, &onnx, &labels).map_err(|e| e.to_string())?;
    Ok(id)
}

/// The fields we read of a Quick Draw ndjson line (simplified or raw: a third `t` array is ignored).
#[derive(Deserialize)]
struct Drawing {
    #[serde(default)]
    key_id: Value,
    drawing: Vec<Vec<Vec<f32>>>,
}

fn classify_line(engine: &Engine, id: &str, line: &str, k: usize) -> Value {
    let drawing: Drawing = match serde_json::from_str(line) {
        Ok(d) => d,
        Err(e) => return json!({ "key_id": Value::Null, "error": format!("not a Quick Draw drawing: {e}") }),
    };
    let strokes: Result<Vec<Stroke>, String> = drawing
        .drawing
        .iter()
        .map(|s| match s.as_slice() {
            [xs, ys, ..] if xs.len() == ys.len() => Ok(xs.iter().zip(ys).map(|(&x, &y)| [x, y]).collect()),
            _ => Err("each stroke needs x and y arrays of equal length".to_string()),
        })
        .collect();
    let key_id = match drawing.key_id {
        Value::Number(n) => Value::String(n.to_string()),
        other => other,
    };
    match strokes.and_then(|s| engine.classify_sketch(id, &s, k).map_err(|e| e.to_string())) {
        Ok(top) => json!({ "key_id": key_id, "top": top_json(&top) }),
        Err(e) => json!({ "key_id": key_id, "error": e }),
    }
}

fn top_json(top: &[Guess]) -> Value {
    top.iter().map(|g| json!([g.label, g.probability])).collect()
}

/// Reads a `uint8` .npy of shape (N, 784) or (N, 1, 784). Hand-written: the format is a
/// magic string, a length and a Python-dict header, and we read exactly one dtype.
fn read_npy_u8_rows(path: &Path) -> Result<Vec<Vec<u8>>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let bad = |why: &str| format!("{}: not a uint8 bitmap .npy ({why})", path.display());
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(bad("no .npy magic"));
    }
    let (header_len, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize, 12),
        _ => return Err(bad("unknown version")),
    };
    let header =
        std::str::from_utf8(bytes.get(start..start + header_len).ok_or_else(|| bad("short header"))?)
            .map_err(|_| bad("header is not text"))?;
    if !header.contains("'|u1'") || header.contains("'fortran_order': True") {
        return Err(bad("dtype must be |u1, C order"));
    }
    let data = &bytes[start + header_len..];
    let pixels = SIDE * SIDE;
    if data.len() % pixels != 0 {
        return Err(bad("data is not a whole number of 784-byte rows"));
    }
    Ok(data.chunks(pixels).map(<[u8]>::to_vec).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_line_is_refused_and_the_next_one_read() {
        let input = [vec![b'x'; 3 << 20], b"\n{\"drawing\": []}\n".to_vec()].concat();
        let mut reader = std::io::BufReader::new(input.as_slice());
        assert_eq!(
            next_line(&mut reader, 1 << 20).unwrap(),
            Some(Err("the line is longer than 1 MB".into()))
        );
        assert_eq!(next_line(&mut reader, 1 << 20).unwrap(), Some(Ok("{\"drawing\": []}\n".into())));
        assert_eq!(next_line(&mut reader, 1 << 20).unwrap(), None);
    }
}
