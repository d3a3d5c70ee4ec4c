//! Fuzz: damaged and malformed models never make `inspect`, `CustomModel::load` or the plain-CNN
//! runner (`cnn::Net`, which reads the sketch page's models) panic (a panic aborts the wasm worker). Seeds: the shipped sketch model and the fixtures of
//! `tests/models/`. Two mutators:
//! - bytes: bit flips, byte overwrites, big varints, cuts, deletions, insertions, splices
//!   (half of them near the ends of the file, where a model's graph and inputs are written);
//! - structure: edits of the decoded protobuf (op types, node inputs and outputs, attributes,
//!   initializer dims and types, input shapes, output names, opsets), re-encoded, which reach
//!   tract's graph building rather than stopping at the protobuf decoder.
//!
//! `FUZZ_CASES` (default 1500 per mutator, about 10 s) and `FUZZ_SEED` set the run; a panicking
//! (or > 5 s) input is saved under `target/tmp/fuzz-panics/`; `FUZZ_REPLAY=<absolute path>` runs
//! one file (the ignored `replay` test: `-- --ignored replay`), `FUZZ_ONLY=<case>` one case of a run.

mod common;

use playground_core::cnn::Net;
use playground_core::input::{InputSpec, ModelInput};
use playground_core::inspect::inspect;
use playground_core::model::Model;
use prost::Message;
use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tract_onnx::pb;

/// splitmix64: tiny, seedable, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds =
        vec![("sketch".to_string(), std::fs::read(common::repo().join("models/sketch/model.onnx")).unwrap())];
    for name in ["nchw_conv.onnx", "nhwc.onnx", "dynamic.onnx", "unsupported_op.onnx", "external_data.onnx"] {
        let path = common::repo().join("crates/core/tests/models").join(name);
        seeds.push((name.to_string(), std::fs::read(path).unwrap()));
    }
    seeds
}

/// Where a mutation lands: half anywhere, half within 4 KB of either end.
fn position(rng: &mut Rng, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    if rng.below(2) == 0 {
        return rng.below(len);
    }
    let near = rng.below(len.min(4096));
    if rng.below(2) == 0 {
        near
    } else {
        len - 1 - near
    }
}

fn mutate_bytes(rng: &mut Rng, seeds: &[(String, Vec<u8>)], data: &mut Vec<u8>) {
    for _ in 0..=rng.below(4) {
        let at = position(rng, data.len());
        match rng.below(8) {
            0 if !data.is_empty() => data[at] ^= 1 << rng.below(8),
            1 if !data.is_empty() => {
                let random = rng.next() as u8;
                data[at] = *rng.pick(&[0, 1, 0x7f, 0x80, 0xff, random]);
            }
            2 => {
                // A 10-byte varint of 2^63: huge lengths and dims.
                let end = (at + 10).min(data.len());
                data.splice(at..end, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
            }
            3 => data.truncate(at),
            4 => {
                let end = (at + 1 + rng.below(64)).min(data.len());
                data.drain(at..end);
            }
            5 => {
                let bytes: Vec<u8> = (0..1 + rng.below(16)).map(|_| rng.next() as u8).collect();
                data.splice(at..at, bytes);
            }
            _ => {
                let other = &rng.pick(seeds).1;
                let from = position(rng, other.len());
                let chunk = &other[from..(from + 1 + rng.below(256)).min(other.len())];
                if rng.below(2) == 0 {
                    data.splice(at..at, chunk.iter().copied());
                } else {
                    let end = (at + chunk.len()).min(data.len());
                    data.splice(at..end, chunk.iter().copied());
                }
            }
        }
    }
}

const INTS: [i64; 13] = [0, 1, -1, 2, 3, 4, 7, 28, 255, 1 << 20, 1 << 31, i64::MAX, i64::MIN];

fn mutate_structure(rng: &mut Rng, ops: &[String], proto: &mut pb::ModelProto) {
    use pb::tensor_shape_proto::dimension::Value;
    let graph = proto.graph.get_or_insert_with(Default::default);
    let names: Vec<String> = graph
        .node
        .iter()
        .flat_map(|n| n.input.iter().chain(&n.output))
        .chain(graph.initializer.iter().map(|t| &t.name))
        .cloned()
        .chain(["".to_string(), "nowhere".to_string()])
        .collect();
    for _ in 0..=rng.below(3) {
        let n = graph.node.len();
        match rng.below(12) {
            0 if n > 0 => graph.node[rng.below(n)].op_type = rng.pick(ops).clone(),
            1 if n > 0 => {
                let node = &mut graph.node[rng.below(n)];
                match rng.below(4) {
                    0 if !node.input.is_empty() => {
                        node.input.remove(rng.below(node.input.len()));
                    }
                    1 => node.input.push(rng.pick(&names).clone()),
                    2 if !node.input.is_empty() => {
                        let i = rng.below(node.input.len());
                        node.input[i] = rng.pick(&names).clone();
                    }
                    _ => node.output.push(rng.pick(&names).clone()),
                }
            }
            2 if n > 0 => {
                graph.node.remove(rng.below(n));
            }
            3 if n > 0 => {
                let node = &mut graph.node[rng.below(n)];
                if node.attribute.is_empty() || rng.below(4) == 0 {
                    let name = rng.pick(&["axis", "kernel_shape", "pads", "strides", "perm", "to", "value"]);
                    node.attribute.push(pb::AttributeProto { name: name.to_string(), ..Default::default() });
                }
                let k = rng.below(node.attribute.len());
                let attr = &mut node.attribute[k];
                match rng.below(6) {
                    0 => attr.i = *rng.pick(&INTS),
                    1 => attr.ints = (0..rng.below(6)).map(|_| *rng.pick(&INTS)).collect(),
                    2 => attr.f = *rng.pick(&[0.0, -1.0, f32::NAN, f32::INFINITY, 1e30]),
                    3 => attr.r#type = rng.below(16) as i32,
                    4 => {
                        attr.t =
                            Some(pb::TensorProto { data_type: rng.below(17) as i32, ..Default::default() })
                    }
                    _ => {
                        node.attribute.remove(k);
                    }
                }
            }
            4 if !graph.initializer.is_empty() => {
                let k = rng.below(graph.initializer.len());
                let t = &mut graph.initializer[k];
                match rng.below(5) {
                    0 if !t.dims.is_empty() => {
                        let d = rng.below(t.dims.len());
                        t.dims[d] = *rng.pick(&INTS);
                    }
                    1 => t.dims.push(*rng.pick(&INTS)),
                    2 => t.data_type = rng.below(25) as i32,
                    3 => t.raw_data.truncate(rng.below(t.raw_data.len() + 1)),
                    _ => {
                        t.float_data = t
                            .raw_data
                            .chunks_exact(4)
                            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
                            .collect();
                        t.raw_data.clear();
                    }
                }
            }
            5 | 6 if !graph.input.is_empty() => {
                let k = rng.below(graph.input.len());
                let Some(pb::type_proto::Value::TensorType(t)) =
                    graph.input[k].r#type.get_or_insert_with(Default::default).value.as_mut()
                else {
                    continue;
                };
                match rng.below(4) {
                    0 => t.elem_type = rng.below(25) as i32,
                    1 => t.shape = None,
                    _ => {
                        let shape = t.shape.get_or_insert_with(Default::default);
                        if shape.dim.is_empty() || rng.below(4) == 0 {
                            shape.dim.push(Default::default());
                        }
                        let d = rng.below(shape.dim.len());
                        shape.dim[d].value = Some(match rng.below(3) {
                            0 => Value::DimParam(
                                rng.pick(&["N", "batch", "unk__1", "?", "2*N", "h+1"]).to_string(),
                            ),
                            _ => Value::DimValue(*rng.pick(&INTS)),
                        });
                    }
                }
            }
            7 if !graph.output.is_empty() => {
                let k = rng.below(graph.output.len());
                graph.output[k].name = rng.pick(&names).clone();
            }
            8 => {
                graph.output.push(pb::ValueInfoProto { name: rng.pick(&names).clone(), ..Default::default() })
            }
            9 if !graph.input.is_empty() => {
                graph.input.remove(rng.below(graph.input.len()));
            }
            10 => {
                let version = *rng.pick(&[0, 1, 7, 9, 11, 13, 17, 18, 19, 21, 99]);
                match proto.opset_import.first_mut() {
                    Some(o) => o.version = version,
                    None => {
                        proto.opset_import.push(pb::OperatorSetIdProto { domain: String::new(), version })
                    }
                }
                return;
            }
            _ if n > 1 => {
                // Duplicate a node: two producers of one name.
                let node = graph.node[rng.below(n)].clone();
                graph.node.insert(rng.below(n), node);
            }
            _ => {}
        }
    }
}

thread_local! {
    /// Some while `exercise` runs: the message of the last panic.
    static LAST_PANIC: RefCell<Option<Option<String>>> = const { RefCell::new(None) };
}

/// Panics inside [`exercise`] are recorded (message and place) instead of printed: expected
/// ones would flood the output, and the report lists them. Others print as usual.
fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if LAST_PANIC.with(|p| p.borrow().is_none()) {
                return default(info);
            }
            let place = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(Some(format!("{place}: {message}"))));
        }));
    });
}

/// A model whose input is no image is still planned for something: the Quick Draw raster.
fn fallback_spec() -> InputSpec {
    playground_core::registry::QUICK_DRAW_RASTER
}

/// What a panic did: escaped our API (a bug here), or was caught at its boundary (natively;
/// on wasm32 it would have aborted the worker: a tract bug to report).
enum Panic {
    Escaped(String),
    Caught(String),
}

/// Runs both entry points on `bytes`, and a prepared input through the model if it loads.
fn exercise(bytes: &[u8]) -> Option<Panic> {
    quiet_panics();
    LAST_PANIC.with(|p| *p.borrow_mut() = Some(None));
    let result = catch_unwind(AssertUnwindSafe(|| {
        let spec = inspect(bytes).ok().and_then(|card| card.input_spec()).unwrap_or_else(fallback_spec);
        if let Ok(model) = Model::from_onnx_file(bytes, spec, None) {
            let prepared = model.prepare(&ModelInput::Strokes(vec![vec![[0.0, 0.0], [30.0, 40.0]]])).unwrap();
            let _ = model.run(&prepared.tensor);
        }
        if let Ok(net) = Net::from_onnx(bytes, &[1, 1, 28, 28]) {
            let _ = net.run(&[0.5; 784]);
        }
    }));
    let message = LAST_PANIC.with(|p| p.borrow_mut().take()).flatten();
    match (result, message) {
        (Err(_), message) => Some(Panic::Escaped(message.unwrap_or_default())),
        (Ok(()), Some(message)) => Some(Panic::Caught(message)),
        (Ok(()), None) => None,
    }
}

struct Report {
    cases: u64,
    /// (saved input, message): panics that escaped our API.
    escaped: Vec<(PathBuf, String)>,
    /// Panics in tract caught at our boundary: each would abort the wasm worker.
    caught: Vec<(PathBuf, String)>,
}

fn run(label: &str, mut mutate: impl FnMut(&mut Rng) -> Vec<u8>) -> Report {
    let cases = env_or("FUZZ_CASES", 1500);
    let seed = env_or("FUZZ_SEED", 1);
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-panics");
    let mut rng = Rng(seed ^ (label.len() as u64 * 0x1234_5678));
    // FUZZ_ONLY=<case>: make every input as usual but run that one only (to reproduce it).
    let only = std::env::var("FUZZ_ONLY").ok().and_then(|v| v.parse::<u64>().ok());
    let mut report = Report { cases, escaped: Vec::new(), caught: Vec::new() };
    let mut slowest = (Duration::ZERO, 0);
    let save = |name: String, bytes: &[u8]| {
        std::fs::create_dir_all(&out).unwrap();
        let path = out.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let start = Instant::now();
    for case in 0..cases {
        let bytes = mutate(&mut rng);
        if only.is_some_and(|o| o != case) {
            continue;
        }
        let t = Instant::now();
        let panic = exercise(&bytes);
        let took = t.elapsed();
        slowest = slowest.max((took, case));
        // Slow inputs are worth a look too: the worker's watchdog gives up after 10 s.
        if took > Duration::from_secs(5) {
            let path = save(format!("{label}-seed{seed}-case{case}-slow.onnx"), &bytes);
            eprintln!("fuzz {label}: case {case} took {:.1} s: {}", took.as_secs_f64(), path.display());
        }
        let Some(panic) = panic else { continue };
        let path = save(format!("{label}-seed{seed}-case{case}.onnx"), &bytes);
        match panic {
            Panic::Escaped(message) => report.escaped.push((path, message)),
            Panic::Caught(message) => report.caught.push((path, message)),
        }
    }
    eprintln!(
        "fuzz {label}: {cases} cases in {:.1} s, slowest case {} ({:.0} ms); tract panics caught at our \
         boundary (fatal on wasm32): {}; panics escaping our API: {}",
        start.elapsed().as_secs_f64(),
        slowest.1,
        slowest.0.as_secs_f64() * 1e3,
        report.caught.len(),
        report.escaped.len()
    );
    report
}

/// Fails on panics that escape our API; lists the caught ones (and fails on them too with
/// FUZZ_STRICT=1), one line per place in tract's source.
fn assert_no_panics(report: Report) {
    let listing = |panics: &[(PathBuf, String)]| {
        let mut places = std::collections::BTreeMap::<&str, (usize, &PathBuf)>::new();
        for (path, message) in panics {
            places.entry(message.as_str()).or_insert((0, path)).0 += 1;
        }
        places
            .iter()
            .map(|(m, (n, path))| format!("{n:5} × {m}\n        e.g. {}", path.display()))
            .collect::<Vec<_>>()
    };
    if !report.caught.is_empty() {
        eprintln!("tract panics caught at our boundary:\n{}", listing(&report.caught).join("\n"));
    }
    let strict = env_or("FUZZ_STRICT", 0) == 1;
    assert!(
        report.escaped.is_empty() && (!strict || report.caught.is_empty()),
        "of {} inputs, {} panicked through our API (rerun one with FUZZ_REPLAY=<file>):\n{}",
        report.cases,
        report.escaped.len(),
        listing(&report.escaped).join("\n")
    );
}

#[test]
fn byte_mutations_never_panic() {
    let seeds = seeds();
    assert_no_panics(run("bytes", |rng| {
        let mut data = rng.pick(&seeds).1.clone();
        mutate_bytes(rng, &seeds, &mut data);
        data
    }));
}

#[test]
fn structural_mutations_never_panic() {
    let seeds = seeds();
    let protos: Vec<pb::ModelProto> =
        seeds.iter().map(|(_, b)| pb::ModelProto::decode(&b[..]).unwrap()).collect();
    let mut ops: Vec<String> = tract_onnx::onnx().op_register.0.keys().cloned().collect();
    ops.sort();
    ops.push("Det".into());
    assert_no_panics(run("structure", |rng| {
        let mut proto = rng.pick(&protos).clone();
        mutate_structure(rng, &ops, &mut proto);
        proto.encode_to_vec()
    }));
}

/// Only with something to replay: `FUZZ_REPLAY=<file> cargo test --test fuzz -- --ignored replay`.
#[test]
#[ignore = "needs FUZZ_REPLAY=<file> (run with --ignored)"]
fn replay() {
    let path = std::env::var_os("FUZZ_REPLAY").expect("FUZZ_REPLAY=<absolute path of the input to replay>");
    let bytes = std::fs::read(&path).unwrap();
    match exercise(&bytes) {
        None => {}
        Some(Panic::Caught(m)) => panic!("caught at our boundary, fatal on wasm32: {m}"),
        Some(Panic::Escaped(m)) => panic!("escaped our API: {m}"),
    }
}
