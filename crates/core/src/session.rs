//! A tract session: load a model once, optimize it for a fixed input shape, run it many times.
//!
//! The demos' worker reads NNEF (tract-nnef only): the registry's `.onnx` files are converted
//! ahead of time by [`onnx_to_nnef`] (`scripts/build.sh` runs the CLI's `onnx-to-nnef`), which
//! keeps tract's ONNX front end out of that worker. With the `onnx` feature a session also reads
//! ONNX directly (the playground's worker, the CLI, the tests).

use crate::input::{Elem, Feed, InputFact};
use crate::{Error, Result};
use std::sync::Arc;
use tract_nnef::prelude::*;

pub struct Session {
    plan: Arc<TypedRunnableModel>,
    inputs: Vec<InputFact>,
    output_len: usize,
}

fn datum_type(elem: Elem) -> DatumType {
    match elem {
        Elem::F32 => f32::datum_type(),
        Elem::I64 => i64::datum_type(),
    }
}

/// tract's fact for one of our inputs.
#[cfg(feature = "onnx")]
fn typed_fact(input: &InputFact) -> TypedFact {
    TypedFact::dt_shape(datum_type(input.elem), &*input.shape)
}

/// How an input list reads in messages: "[1, 28, 28] f32, [1, 64] i64".
fn describe(inputs: &[InputFact]) -> String {
    let one = |i: &InputFact| format!("{:?} {}", i.shape, if i.elem == Elem::F32 { "f32" } else { "i64" });
    inputs.iter().map(one).collect::<Vec<_>>().join(", ")
}

/// Whether `bytes` look like an NNEF archive (a tar: "ustar" at offset 257) rather than ONNX.
pub fn is_nnef(bytes: &[u8]) -> bool {
    bytes.get(257..262) == Some(b"ustar".as_slice())
}

impl Session {
    /// Reads a model in either format: NNEF always, ONNX with the `onnx` feature.
    pub fn from_bytes(bytes: &[u8], inputs: &[InputFact]) -> Result<Self> {
        if is_nnef(bytes) {
            return Self::from_nnef(bytes, inputs);
        }
        #[cfg(feature = "onnx")]
        return Self::from_onnx(bytes, inputs);
        #[cfg(not(feature = "onnx"))]
        Err(Error::ModelParse("this build reads NNEF models only (an .nnef.tar), not ONNX".into()))
    }

    /// Loads an NNEF archive written by [`onnx_to_nnef`]: its input facts are already
    /// concrete, and must be `inputs`.
    pub fn from_nnef(bytes: &[u8], inputs: &[InputFact]) -> Result<Self> {
        let model = crate::nnef::read(bytes).map_err(|e| Error::ModelParse(root_cause(&e)))?;
        inputs_match(model.inputs.len(), model.outputs.len(), inputs)?;
        for (i, input) in inputs.iter().enumerate() {
            let fact = model.input_fact(i).map_err(|e| Error::ModelShape(root_cause(&e)))?;
            if fact.shape.as_concrete() != Some(&input.shape) || fact.datum_type != datum_type(input.elem) {
                return Err(Error::ModelShape(format!(
                    "it takes a {fact:?} input, not {}",
                    describe(std::slice::from_ref(input))
                )));
            }
        }
        let decluttered = model.into_decluttered().map_err(|e| Error::ModelShape(root_cause(&e)))?;
        Self::plan(decluttered, inputs)
    }

    /// Optimizes a decluttered model for this CPU, with our rewrites before and after tract's.
    fn plan(mut typed: TypedModel, inputs: &[InputFact]) -> Result<Self> {
        inputs_match(typed.inputs.len(), typed.outputs.len(), inputs)?;
        let shape_error = |e: TractError| Error::ModelShape(root_cause(&e));
        playground_fast_ops::speed_up_decluttered(&mut typed).map_err(shape_error)?;
        typed.optimize().map_err(shape_error)?; // `into_optimized` without a second declutter
        playground_fast_ops::speed_up(&mut typed).map_err(shape_error)?;
        let output_fact = typed.output_fact(0).map_err(|e| Error::ModelShape(root_cause(&e)))?;
        let output_len =
            output_fact.shape.as_concrete().map(|dims| dims.iter().product()).ok_or_else(|| {
                Error::ModelShape(format!("its output shape {:?} is not fixed", output_fact.shape))
            })?;
        let plan = typed.into_runnable().map_err(|e| Error::ModelShape(root_cause(&e)))?;
        Ok(Session { plan, inputs: inputs.to_vec(), output_len })
    }

    /// The matrix-product kernels the plan runs, by name (`wasm_f32_8x8`, `playground_f32_4x8`, …).
    pub fn matrix_kernels(&self) -> std::collections::BTreeSet<String> {
        use tract_nnef::tract_core::ops::matmul::optimized::OptMatMul;
        let ops = self.plan.model().nodes.iter().filter_map(|n| n.op_as::<OptMatMul>());
        ops.flat_map(|op| op.mmm.iter().map(|k| k.name().to_string())).collect()
    }

    /// Number of values in the first output (the class count for a classifier).
    pub fn output_len(&self) -> usize {
        self.output_len
    }

    /// Runs the model on `feeds` (one per input, row-major, in its fact's shape and type) and
    /// returns the first output flattened.
    pub fn run(&self, feeds: &[Feed]) -> Result<Vec<f32>> {
        on_pool(|| flat(&self.outputs(feeds)?[0]))
    }

    /// [`Session::run`], every output flattened, in the model's output order (all must be f32:
    /// a person's model with an int64 second output runs through `run`, which reads only the first).
    pub fn run_all(&self, feeds: &[Feed]) -> Result<Vec<Vec<f32>>> {
        on_pool(|| self.outputs(feeds)?.iter().map(flat).collect())
    }

    fn outputs(&self, feeds: &[Feed]) -> Result<TVec<TValue>> {
        if feeds.len() != self.inputs.len() {
            return Err(Error::BadInput(format!(
                "expected {} inputs, got {}",
                self.inputs.len(),
                feeds.len()
            )));
        }
        let mut values = TVec::new();
        for (feed, fact) in feeds.iter().zip(&self.inputs) {
            let expected: usize = fact.shape.iter().product();
            let (len, tensor) = match (feed, fact.elem) {
                (Feed::F32(v), Elem::F32) => (v.len(), Tensor::from_shape(&fact.shape, v)),
                (Feed::I64(v), Elem::I64) => (v.len(), Tensor::from_shape(&fact.shape, v)),
                _ => {
                    return Err(Error::BadInput(format!(
                        "an input of the wrong type for {}",
                        describe(&self.inputs)
                    )))
                }
            };
            if len != expected {
                return Err(Error::BadInput(format!("expected {expected} input values, got {len}")));
            }
            values.push(tensor.map_err(|e| Error::Inference(root_cause(&e)))?.into_tvalue());
        }
        self.plan.run(values).map_err(|e| Error::Inference(root_cause(&e)))
    }
}

/// Hands tract's matrix products (and its other parallel loops) to rayon's global pool from now
/// on: the browser's threaded worker calls it once wasm-bindgen-rayon has built that pool. Until
/// then, and in every build without the `threads` feature, they run on the calling thread.
///
/// Each matrix product is split in 4 chunks per thread, so that rayon evens out threads that
/// progress unevenly (say, two threads on one core's two hyperthreads).
/// That is tract's own choice on a machine whose last-level cache it knows to be 2 MB or more;
/// in wasm it knows none, takes the machine for a small-cache one and splits products whose
/// operands pass 1.5 MB in one chunk per thread: most of the photo model's. The photo model on
/// 2 threads in Chromium: 39.3 → 34.8 ms (median; BENCHMARKS.md, "Goal 2, later on 2026-12-02").
#[cfg(feature = "threads")]
pub fn use_thread_pool() {
    use tract_linalg::multithread::{set_default_executor, Executor};
    tract_linalg::knobs::TRACT_MMM_CHUNKS_PER_THREAD.set(Some(4));
    set_default_executor(Executor::RayonGlobal);
}

/// Whether [`use_thread_pool`] was called.
#[cfg(feature = "threads")]
fn pooled() -> bool {
    matches!(
        tract_linalg::multithread::current_tract_executor(),
        tract_linalg::multithread::Executor::RayonGlobal
    )
}

/// How many threads a session's inference runs on: the pool's, once [`use_thread_pool`] was called.
pub fn threads() -> usize {
    #[cfg(feature = "threads")]
    if pooled() {
        return rayon::current_num_threads();
    }
    1
}

/// Runs `f`, a whole inference, on the pool once [`use_thread_pool`] was called. From a thread
/// outside the pool every parallel loop would wake the pool's threads and then wait to be woken
/// itself (in wasm, one `Atomics.wait` round trip per operator); from inside it, the loops share
/// work with threads that are already awake.
fn on_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    #[cfg(feature = "threads")]
    if pooled() {
        let done = &std::sync::atomic::AtomicBool::new(false);
        return rayon::scope(|scope| {
            let owner = rayon::current_thread_index();
            for _ in 1..rayon::current_num_threads() {
                scope.spawn(move |_| keep_awake(done, owner));
            }
            let result = f();
            done.store(true, std::sync::atomic::Ordering::Release);
            result
        });
    }
    f()
}

/// Keeps one of the pool's threads awake for the length of an inference, taking the work the
/// inference's parallel loops share out as soon as it is there. A thread that went to sleep between
/// two operators would be woken for the next (in a browser, `Atomics.notify`), and by then the
/// inference's own thread had done most of it. Spinning costs a core while the model runs, as
/// ONNX Runtime Web's pool does. A keeper that lands on the inference's own thread (which runs
/// queued jobs while it waits inside a loop) returns at once: that thread must get back to it.
#[cfg(feature = "threads")]
fn keep_awake(done: &std::sync::atomic::AtomicBool, owner: Option<usize>) {
    if rayon::current_thread_index() == owner {
        return;
    }
    while !done.load(std::sync::atomic::Ordering::Acquire) {
        if rayon::yield_now() != Some(rayon::Yield::Executed) {
            std::hint::spin_loop();
        }
    }
}

fn flat(output: &TValue) -> Result<Vec<f32>> {
    let view = output.to_plain_array_view::<f32>().map_err(|e| Error::Inference(root_cause(&e)))?;
    Ok(view.iter().copied().collect())
}

#[cfg(feature = "onnx")]
mod onnx {
    use super::{as_int8_per_channel, describe, inputs_match, root_cause, typed_fact, Session};
    use crate::input::InputFact;
    use crate::{Error, Result};
    use tract_onnx::prelude::*;

    impl Session {
        /// Parses `onnx` and plans it for `inputs`. Declaring the concrete shapes before
        /// `into_optimized` lets tract pick its fastest kernels (3–5× faster than a decluttered
        /// plan) and turns a wrong-shape model into an error here rather than at run time.
        pub fn from_onnx(onnx: &[u8], inputs: &[InputFact]) -> Result<Self> {
            Self::plan_onnx(read(onnx)?, inputs)
        }

        /// [`Session::from_onnx`] for a protobuf already decoded (and checked by
        /// [`crate::inspect`]), so a person's model is not decoded twice. The declared input
        /// shapes are replaced by `inputs`, so symbolic dims (batch, height, width) are fine
        /// as long as the outputs become fixed once the inputs are.
        pub fn from_proto(proto: &tract_onnx::pb::ModelProto, inputs: &[InputFact]) -> Result<Self> {
            let model = tract_onnx::onnx()
                .model_for_proto_model(proto)
                .map_err(|e| Error::ModelParse(root_cause(&e)))?;
            Self::plan_onnx(model, inputs)
        }

        fn plan_onnx(model: InferenceModel, inputs: &[InputFact]) -> Result<Self> {
            Self::plan(typed(model, inputs)?, inputs)
        }
    }

    fn read(onnx: &[u8]) -> Result<InferenceModel> {
        tract_onnx::onnx()
            .model_for_read(&mut std::io::Cursor::new(onnx))
            .map_err(|e| Error::ModelParse(root_cause(&e)))
    }

    /// The model typed for concrete inputs, decluttered (not yet optimized for a CPU).
    fn typed(mut model: InferenceModel, inputs: &[InputFact]) -> Result<TypedModel> {
        inputs_match(model.inputs.len(), model.outputs.len(), inputs)?;
        let shape_error = |e: TractError| {
            Error::ModelShape(format!("it cannot take {} ({})", describe(inputs), root_cause(&e)))
        };
        for (i, input) in inputs.iter().enumerate() {
            model = model.with_input_fact(i, typed_fact(input).into()).map_err(shape_error)?;
        }
        model.into_typed().and_then(|m| m.into_decluttered()).map_err(shape_error)
    }

    /// Converts an ONNX model into an NNEF archive typed for `inputs`, which
    /// [`Session::from_nnef`] plans without tract's ONNX front end. Only tract-core operators
    /// are written, so a model that needs an ONNX-specific one fails here, not in the browser.
    pub fn onnx_to_nnef(onnx: &[u8], inputs: &[InputFact]) -> Result<Vec<u8>> {
        let model = typed(read(onnx)?, inputs)?;
        let archive = tract_nnef::nnef()
            .write_to_tar_with_config(&model, Vec::new(), false, true)
            .map_err(|e| Error::ModelParse(format!("cannot write it as NNEF: {}", root_cause(&e))))?;
        keep_compact_weights(&archive)
            .map_err(|e| Error::ModelParse(format!("cannot rewrite the NNEF archive: {e}")))
    }

    /// How a weight is stored in the archive when a smaller type holds it.
    enum Compact {
        /// Every value exact in f16: f16, then a cast to f32.
        Half,
        /// int8 per channel times an f32 scale per channel (a DequantizeLinear that tract
        /// folded): i8, cast to f32, times the scales stored beside it.
        Int8 { scale_shape: Vec<usize> },
    }

    /// Stores each weight as the ONNX file stored it when tract folded that away before writing:
    /// f16 when all its values are exact in f16 (a model exported in half precision: the photo
    /// model's archive went from 9 to 16 MB without this), else int8 per channel when it is one
    /// (DoodleNet's dense layers: 2.05 → 0.6 MB). Loading folds the casts again, as it does for
    /// the ONNX file. Works on the archive because tract's writer folds any cast of a constant:
    /// graph.nnef gets the casts, the .dat files the small values.
    fn keep_compact_weights(archive: &[u8]) -> std::result::Result<Vec<u8>, String> {
        use tract_nnef::tensors::{read_tensor, write_tensor};
        let err = |e: &dyn std::fmt::Display| e.to_string();
        let mut graph = None;
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        let mut compacted = Vec::new();
        let mut reader = tar::Archive::new(archive);
        for entry in reader.entries().map_err(|e| err(&e))? {
            let mut entry = entry.map_err(|e| err(&e))?;
            let path = entry.path().map_err(|e| err(&e))?.to_string_lossy().into_owned();
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes).map_err(|e| err(&e))?;
            if path == "graph.nnef" {
                graph = Some(String::from_utf8(bytes).map_err(|e| err(&e))?);
                continue;
            }
            if let Some(label) = path.strip_suffix(".dat") {
                let tensor = read_tensor(bytes.as_slice()).map_err(|e| err(&e))?;
                if tensor.datum_type() == f32::datum_type() && tensor.len() >= 16 {
                    let half = tensor.cast_to::<f16>().map_err(|e| err(&e))?.into_owned();
                    if half.cast_to::<f32>().map_err(|e| err(&e))?.as_ref() == &tensor {
                        bytes.clear();
                        write_tensor(&mut bytes, &half).map_err(|e| err(&e))?;
                        compacted.push((label.to_string(), Compact::Half));
                    } else if let Some((q, scales)) = as_int8_per_channel(&tensor) {
                        bytes.clear();
                        write_tensor(&mut bytes, &q).map_err(|e| err(&e))?;
                        let mut scale_bytes = Vec::new();
                        write_tensor(&mut scale_bytes, &scales).map_err(|e| err(&e))?;
                        files.push((format!("{label}_scale.dat"), scale_bytes));
                        let scale_shape = scales.shape().to_vec();
                        compacted.push((label.to_string(), Compact::Int8 { scale_shape }));
                    }
                }
            }
            files.push((path, bytes));
        }
        let mut graph = graph.ok_or("no graph.nnef in the archive")?;
        for (label, compact) in &compacted {
            // `  NAME = variable<scalar>(label = "LABEL", shape = [...]);` as tract writes it; a
            // label's leading "/" is not part of its file name.
            let at = ["", "/"]
                .iter()
                .find_map(|slash| graph.find(&format!("variable<scalar>(label = \"{slash}{label}\",")))
                .ok_or_else(|| format!("no variable for {label}"))?;
            let line_start = graph[..at].rfind('\n').map_or(0, |i| i + 1);
            let line_end = at + graph[at..].find('\n').ok_or("unterminated line")?;
            let line = graph[line_start..line_end].to_string();
            let (name, rest) = line.split_once(" = ").ok_or_else(|| format!("unexpected line {line}"))?;
            let (indent, name) = (&name[..name.len() - name.trim_start().len()], name.trim_start());
            let replaced = match compact {
                Compact::Half => format!(
                    "{indent}{name}_f16 = {rest}\n{indent}{name} = tract_core_cast({name}_f16, to = \"f32\");"
                ),
                Compact::Int8 { scale_shape } => format!(
                    "{indent}{name}_i8 = {rest}\n\
                     {indent}{name}_scale = variable<scalar>(label = \"{label}_scale\", shape = {scale_shape:?});\n\
                     {indent}{name} = mul(tract_core_cast({name}_i8, to = \"f32\"), {name}_scale);"
                ),
            };
            graph.replace_range(line_start..line_end, &replaced);
        }
        if !compacted.is_empty() && !graph.contains("extension tract_registry tract_core;") {
            return Err("graph.nnef does not declare the tract_core registry".into());
        }
        let mut out = tar::Builder::new(Vec::new());
        for (path, bytes) in std::iter::once(("graph.nnef".to_string(), graph.into_bytes())).chain(files) {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            header.set_mtime(315_532_800); // as tract's deterministic mode: 1 Jan 1980
            out.append_data(&mut header, &path, bytes.as_slice()).map_err(|e| err(&e))?;
        }
        out.into_inner().map_err(|e| err(&e))
    }
}

#[cfg(feature = "onnx")]
pub use onnx::onnx_to_nnef;

/// `w` as int8 values times one f32 scale per channel (along any axis of a matrix), if
/// that is what it is: the scale is the channel's largest magnitude / 127 and every value must
/// come back within a millionth of that magnitude (the rounding of tract's own `q · scale`).
#[cfg(feature = "onnx")]
fn as_int8_per_channel(w: &Tensor) -> Option<(Tensor, Tensor)> {
    let shape = w.shape().to_vec();
    let plain = w.try_as_plain_ram().ok()?;
    let values = plain.as_slice::<f32>().ok()?;
    let axes = (0..shape.len()).filter(|&a| shape[a] > 1 && shape.iter().filter(|&&d| d > 1).count() > 1);
    axes.into_iter().find_map(|axis| {
        let channels = shape[axis];
        let inner: usize = shape[axis + 1..].iter().product();
        let channel = |i: usize| (i / inner) % channels;
        let mut largest = vec![0f32; channels];
        for (i, v) in values.iter().enumerate() {
            largest[channel(i)] = largest[channel(i)].max(v.abs());
        }
        let scales: Vec<f32> = largest.iter().map(|&m| if m > 0.0 { m / 127.0 } else { 1.0 }).collect();
        let mut q = Vec::with_capacity(values.len());
        for (i, &v) in values.iter().enumerate() {
            let (scale, m) = (scales[channel(i)], largest[channel(i)]);
            let k = (v / scale).round();
            if !(-127.0..=127.0).contains(&k) || (k * scale - v).abs() > 1e-6 * m {
                return None;
            }
            q.push(k as i8);
        }
        let mut scale_shape = vec![1; shape.len()];
        scale_shape[axis] = channels;
        Some((
            tract_ndarray::ArrayD::from_shape_vec(shape.clone(), q).ok()?.into_tensor(),
            tract_ndarray::ArrayD::from_shape_vec(scale_shape, scales).ok()?.into_tensor(),
        ))
    })
}

/// A session feeds every input it was planned for and reads the first output.
fn inputs_match(inputs: usize, outputs: usize, planned: &[InputFact]) -> Result<()> {
    if inputs != planned.len() || outputs == 0 {
        return Err(Error::ModelShape(format!(
            "expected {} input(s) and at least one output, found {inputs} inputs and {outputs} outputs",
            planned.len()
        )));
    }
    Ok(())
}

/// tract's errors nest context; the innermost cause is the one that reads well.
pub(crate) fn root_cause(e: &TractError) -> String {
    let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
    chain.join(": ")
}
