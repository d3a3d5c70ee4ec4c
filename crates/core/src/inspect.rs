//! "Bring your own ONNX model": what a file holds, read from its protobuf, and whether tract
//! can run it. The card crosses the worker boundary (postcard), so every type here is plain
//! serde data: no skipped fields, no untagged enums. The types and the size check build without
//! the `engine` feature (the UI needs them); reading a model needs tract.
//!
//! The protobuf is decoded once, here; [`crate::custom`] plans the same decoded model. Before
//! tract sees a model, `check_for_tract` refuses the malformed graphs that make tract 0.23 panic
//! instead of returning an error, and `catch_tract_panic` catches the rest natively. On wasm32 a
//! panic aborts the worker: tests/inspect.rs lists the known inputs that still do.

use crate::custom::{Layout, Scale};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

#[cfg(feature = "onnx")]
pub use read::inspect;
#[cfg(feature = "onnx")]
pub(crate) use read::{catch_tract_panic, check_for_tract, decode, describe, normalize_for_tract};

/// Larger files are refused before they are read (the UI checks `File.size`).
pub const MAX_MODEL_BYTES: u64 = 200 * 1024 * 1024;

/// Default sides when the model leaves height and width open: 224 is the ImageNet convention,
/// 28 the MNIST / Quick Draw one (a one-channel input is most likely a sketch or a digit).
#[cfg_attr(not(feature = "onnx"), allow(dead_code))]
const DEFAULT_PHOTO_SIDE: u32 = 224;
#[cfg_attr(not(feature = "onnx"), allow(dead_code))]
const DEFAULT_SKETCH_SIDE: u32 = 28;

/// One dimension of a tensor as the file declares it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Dim {
    Fixed(u64),
    /// A named dimension ("batch", "height"), or "?" when the file leaves it unnamed.
    Symbolic(String),
}

/// `[1, 3, height, width]`: a shape as the card and messages show it.
pub fn format_shape(dims: &[Dim]) -> String {
    let parts: Vec<String> = dims
        .iter()
        .map(|d| match d {
            Dim::Fixed(n) => n.to_string(),
            Dim::Symbolic(name) => name.clone(),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// A graph input or output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TensorInfo {
    pub name: String,
    /// "f32", "u8", "i64"…, "unknown" when the file gives no type.
    pub elem_type: String,
    /// `None` when the file does not even give the rank.
    pub shape: Option<Vec<Dim>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpCount {
    pub op_type: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opset {
    /// "" is the standard ONNX domain ("ai.onnx").
    pub domain: String,
    pub version: i64,
}

/// The weights: the model's initializers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// Number of values (the product of each initializer's dims).
    pub count: u64,
    /// Their size in memory: count × element size (string bytes for string tensors).
    pub bytes: u64,
    pub tensors: u64,
    /// Initializers stored in a separate file, which a single uploaded .onnx does not include.
    pub external_tensors: u64,
}

/// How the single input looks like an image: enough to build a [`crate::custom::InputSpec`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageGuess {
    pub layout: Layout,
    /// 1 or 3.
    pub channels: u8,
    pub side: u32,
    /// false when height and width are symbolic and `side` is a default.
    pub side_fixed: bool,
    pub scale: Scale,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelCard {
    pub file_bytes: u64,
    pub ir_version: i64,
    pub producer_name: String,
    pub producer_version: String,
    pub opsets: Vec<Opset>,
    /// Graph inputs that are not initializers (old exporters list the weights as inputs).
    pub inputs: Vec<TensorInfo>,
    pub outputs: Vec<TensorInfo>,
    /// Nodes, subgraphs (If, Loop, Scan bodies) included.
    pub node_count: u64,
    /// By op type, most frequent first, then by name.
    pub ops: Vec<OpCount>,
    pub params: Params,
    /// Op types that tract's ONNX register does not know, sorted.
    pub unsupported_ops: Vec<String>,
    /// `None` when tract parsed and typed the model (batch dims fixed to 1); otherwise why not,
    /// as tract says it.
    pub tract_error: Option<String>,
    /// Sentences for a person: dynamic dims, external weights, untested opsets.
    pub notes: Vec<String>,
    pub image_input: Option<ImageGuess>,
}

impl ModelCard {
    pub fn runnable(&self) -> bool {
        self.tract_error.is_none()
    }
}

/// Refuses files over [`MAX_MODEL_BYTES`] (and empty ones) from their size alone.
pub fn check_model_size(len: u64) -> Result<()> {
    if len == 0 {
        return Err(Error::NotOnnx("the file is empty".into()));
    }
    if len > MAX_MODEL_BYTES {
        return Err(Error::ModelTooLarge { bytes: len, limit: MAX_MODEL_BYTES });
    }
    Ok(())
}

/// A rank-4 input with 1 or 3 channels first (N×C×H×W) or last (N×H×W×C), batch 1 or open,
/// and square or open height and width.
#[cfg_attr(not(feature = "onnx"), allow(dead_code))]
fn guess_image(input: &TensorInfo) -> Option<ImageGuess> {
    let [n, d1, d2, d3] = input.shape.as_deref()? else { return None };
    let channels = |d: &Dim| match d {
        Dim::Fixed(c @ (1 | 3)) => Some(*c as u8),
        _ => None,
    };
    if matches!(n, Dim::Fixed(b) if *b != 1) {
        return None;
    }
    // Both ends 1 or 3 (1×3×3×3): ONNX models are mostly PyTorch's, so channels first.
    let (layout, channels, h, w) = match (channels(d1), channels(d3)) {
        (Some(c), _) => (Layout::Nchw, c, d2, d3),
        (None, Some(c)) => (Layout::Nhwc, c, d1, d2),
        (None, None) => return None,
    };
    let (side, side_fixed) = match (h, w) {
        (Dim::Fixed(h), Dim::Fixed(w)) if h == w => (u32::try_from(*h).ok()?, true),
        (Dim::Fixed(_), Dim::Fixed(_)) => return None,
        // One side fixed: the other follows it.
        (Dim::Fixed(s), _) | (_, Dim::Fixed(s)) => (u32::try_from(*s).ok()?, false),
        _ if channels == 1 => (DEFAULT_SKETCH_SIDE, false),
        _ => (DEFAULT_PHOTO_SIDE, false),
    };
    if side == 0 {
        return None;
    }
    // One channel: MNIST / Quick Draw scale 0..1. Three channels first: torchvision's 0..1
    // (the mean and std go with it, see InputSpec::guess). Three channels last: TensorFlow /
    // Keras MobileNet's −1..1.
    let scale = match (layout, channels) {
        (Layout::Nhwc, 3) => Scale::MinusOneToOne,
        _ => Scale::ZeroToOne,
    };
    Some(ImageGuess { layout, channels, side, side_fixed, scale })
}

/// Reading the protobuf and asking tract: the worker's side (the UI only needs the types).
#[cfg(feature = "onnx")]
mod read {
    use super::*;
    use crate::session::root_cause;
    use prost::Message;
    use std::collections::{BTreeMap, HashMap, HashSet};
    use tract_onnx::model::OnnxOpRegister;
    use tract_onnx::pb::{self, tensor_proto::DataLocation, GraphProto, ModelProto, TensorProto};
    use tract_onnx::prelude::*;

    /// Everything the card says, tract's verdict included. Errors only when the bytes are no ONNX
    /// model at all; a model tract cannot run still gets its card, with `tract_error` set.
    pub fn inspect(bytes: &[u8]) -> Result<ModelCard> {
        let mut proto = decode(bytes)?;
        let mut card = describe(&proto, bytes.len() as u64);
        card.tract_error = try_tract(&mut proto).err();
        Ok(card)
    }

    /// The decoded protobuf, or a clear reason why these bytes are no ONNX model.
    pub(crate) fn decode(bytes: &[u8]) -> Result<ModelProto> {
        check_model_size(bytes.len() as u64)?;
        let decoded = match ModelProto::decode(bytes) {
            Ok(proto) if proto.graph.is_some() => return Ok(proto),
            other => other.map(drop),
        };
        if is_tensor(bytes) {
            return Err(Error::NotOnnx(
                "it holds a single tensor (an ONNX TensorProto, as in test-data folders), not a model".into(),
            ));
        }
        Err(Error::NotOnnx(match (decoded, walk_model_fields(bytes)) {
            (Ok(_), _) => "it is a valid protobuf file, but it has no graph, which every model has".into(),
            (Err(_), Walk::Cut) => {
                "the file is truncated: it starts like an ONNX model but ends in the middle of it \
                 (was the download or copy cut short?)"
                    .into()
            }
            (Err(_), Walk::Complete) => {
                "the file starts like an ONNX model but its content is damaged".into()
            }
            (Err(_), Walk::Foreign) => "it is not in the protobuf format ONNX models use".into(),
        }))
    }

    /// A serialized TensorProto decodes as one, with a data type and some data. (Decoded as a
    /// ModelProto it fails or has no graph: its fields 1 and 2 have other wire types.)
    fn is_tensor(bytes: &[u8]) -> bool {
        TensorProto::decode(bytes).is_ok_and(|t| {
            (1..=23).contains(&t.data_type)
                && (!t.raw_data.is_empty()
                    || !t.float_data.is_empty()
                    || !t.int32_data.is_empty()
                    || !t.int64_data.is_empty()
                    || !t.double_data.is_empty()
                    || !t.uint64_data.is_empty()
                    || !t.string_data.is_empty())
        })
    }

    /// How the top-level protobuf fields of a file read as a ModelProto's.
    enum Walk {
        /// Every field is a ModelProto field with its wire type, and the last one ends at the end.
        Complete,
        /// Same, but the last field runs past the end of the file: a truncated model.
        Cut,
        /// Something else.
        Foreign,
    }

    /// Walks the top-level fields (tag, length) without decoding their content, to tell a cut
    /// model from random bytes. Every ONNX writer (onnx's Python package, hence PyTorch, tf2onnx)
    /// writes `ir_version`, field 1, first.
    fn walk_model_fields(bytes: &[u8]) -> Walk {
        const VARINT: u64 = 0;
        const LEN: u64 = 2;
        // ModelProto's field numbers and wire types (onnx.proto).
        let wire_type_of = |field: u64| match field {
            1 | 5 => Some(VARINT),
            2 | 3 | 4 | 6 | 7 | 8 | 14 | 20 | 25 => Some(LEN),
            _ => None,
        };
        let mut at = 0;
        // The first field must be a plausible ir_version (IR 1 to 20).
        if varint(bytes, &mut at) != Some(1 << 3 | VARINT) {
            return Walk::Foreign;
        }
        match varint(bytes, &mut at) {
            None => return Walk::Cut,
            Some(v) if !(1..=20).contains(&v) => return Walk::Foreign,
            Some(_) => {}
        }
        while at < bytes.len() {
            let Some(key) = varint(bytes, &mut at) else { return Walk::Cut };
            let (field, wire) = (key >> 3, key & 7);
            if wire_type_of(field) != Some(wire) {
                return Walk::Foreign;
            }
            let len = match varint(bytes, &mut at) {
                None => return Walk::Cut,
                Some(_) if wire == VARINT => 0,
                Some(len) => len,
            };
            match usize::try_from(len).ok().and_then(|len| at.checked_add(len)) {
                Some(end) if end <= bytes.len() => at = end,
                _ => return Walk::Cut,
            }
        }
        Walk::Complete
    }

    /// A protobuf varint at `*at`, or `None` if the bytes end inside it (or it is over 10 bytes).
    fn varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
        let mut value = 0u64;
        for shift in 0..10 {
            let byte = *bytes.get(*at)?;
            *at += 1;
            value |= u64::from(byte & 0x7f) << (7 * shift);
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    /// The card's fields that come from the protobuf alone (no tract): fast, and never fails.
    pub(crate) fn describe(proto: &ModelProto, file_bytes: u64) -> ModelCard {
        let empty = GraphProto::default();
        let graph = proto.graph.as_ref().unwrap_or(&empty);
        let initializers: HashSet<&str> = graph.initializer.iter().map(|t| t.name.as_str()).collect();
        let inputs: Vec<TensorInfo> =
            graph.input.iter().filter(|i| !initializers.contains(i.name.as_str())).map(tensor_info).collect();
        let outputs: Vec<TensorInfo> = graph.output.iter().map(tensor_info).collect();

        let mut counts = BTreeMap::<&str, u64>::new();
        let mut node_count = 0;
        for_each_graph(graph, &mut |g| {
            for node in &g.node {
                *counts.entry(node.op_type.as_str()).or_default() += 1;
                node_count += 1;
            }
        });
        let register = tract_onnx::onnx().op_register;
        let unsupported_ops: Vec<String> =
            counts.keys().filter(|op| !register.0.contains_key(**op)).map(|op| op.to_string()).collect();
        let mut ops: Vec<OpCount> = counts
            .into_iter()
            .map(|(op_type, count)| OpCount { op_type: op_type.to_string(), count })
            .collect();
        ops.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.op_type.cmp(&b.op_type)));

        let mut params = Params { count: 0, bytes: 0, tensors: 0, external_tensors: 0 };
        for t in &graph.initializer {
            let count =
                t.dims.iter().try_fold(1u64, |n, &d| n.checked_mul(u64::try_from(d).ok()?)).unwrap_or(0);
            let bytes = if t.data_type == pb::tensor_proto::DataType::String as i32 {
                t.string_data.iter().map(|s| s.len() as u64).sum()
            } else {
                count.saturating_mul(elem_bits(t.data_type)).div_ceil(8)
            };
            params.count = params.count.saturating_add(count);
            params.bytes = params.bytes.saturating_add(bytes);
            params.tensors += 1;
            params.external_tensors += u64::from(is_external(t));
        }

        let mut notes = Vec::new();
        for input in &inputs {
            let open: Vec<&str> = input
                .shape
                .iter()
                .flatten()
                .filter_map(|d| match d {
                    Dim::Symbolic(name) => Some(name.as_str()),
                    Dim::Fixed(_) => None,
                })
                .collect();
            if input.shape.is_none() {
                notes.push(format!(
                    "The input \"{}\" does not declare its shape, not even its rank.",
                    input.name
                ));
            } else if !open.is_empty() {
                notes.push(format!(
                    "The input \"{}\" has dynamic dimensions ({}); they are fixed when the model is loaded.",
                    input.name,
                    open.join(", ")
                ));
            }
        }
        if params.external_tensors > 0 {
            notes.push(format!(
                "{} of the {} weight tensors are stored in a separate file (ONNX external data), which \
                 an uploaded .onnx file does not include: save the model as one file.",
                params.external_tensors, params.tensors
            ));
        }
        let opsets: Vec<Opset> = proto
            .opset_import
            .iter()
            .map(|o| Opset { domain: o.domain.clone(), version: o.version })
            .collect();
        // tract's own statement (tract-onnx model.rs): tested against operator sets 9 to 18.
        if let Some(o) = opsets.iter().find(|o| o.domain.is_empty() || o.domain == "ai.onnx") {
            if !(9..=18).contains(&o.version) {
                notes.push(format!(
                    "The model uses ONNX opset {}; tract is tested with opsets 9 to 18, so it may or may not run.",
                    o.version
                ));
            }
        }
        let image_input = match inputs.as_slice() {
            [only] => guess_image(only),
            _ => None,
        };
        ModelCard {
            file_bytes,
            ir_version: proto.ir_version,
            producer_name: proto.producer_name.clone(),
            producer_version: proto.producer_version.clone(),
            opsets,
            inputs,
            outputs,
            node_count,
            ops,
            params,
            unsupported_ops,
            tract_error: None,
            notes,
            image_input,
        }
    }

    /// Calls `f` on `graph` and on every subgraph of its nodes' attributes, depth first. prost
    /// refuses messages nested over 100 deep, so the recursion is bounded.
    fn for_each_graph<'a>(graph: &'a GraphProto, f: &mut dyn FnMut(&'a GraphProto)) {
        f(graph);
        for node in &graph.node {
            for attr in &node.attribute {
                for g in attr.g.iter().chain(&attr.graphs) {
                    for_each_graph(g, f);
                }
            }
        }
    }

    fn is_external(t: &TensorProto) -> bool {
        t.data_location == Some(DataLocation::External as i32)
    }

    fn tensor_info(v: &pb::ValueInfoProto) -> TensorInfo {
        use pb::tensor_shape_proto::dimension::Value;
        let tensor =
            v.r#type.as_ref().and_then(|t| t.value.as_ref()).map(|pb::type_proto::Value::TensorType(t)| t);
        TensorInfo {
            name: v.name.clone(),
            elem_type: tensor.map_or_else(|| "unknown".into(), |t| elem_type_name(t.elem_type)),
            shape: tensor.and_then(|t| t.shape.as_ref()).map(|s| {
                s.dim
                    .iter()
                    .map(|d| match &d.value {
                        Some(Value::DimValue(v)) if *v >= 0 => Dim::Fixed(*v as u64),
                        Some(Value::DimParam(name)) if !name.is_empty() => Dim::Symbolic(name.clone()),
                        _ => Dim::Symbolic("?".into()),
                    })
                    .collect()
            }),
        }
    }

    /// ONNX TensorProto.DataType → the short names Rust and numpy people read.
    fn elem_type_name(t: i32) -> String {
        let name = match t {
            1 => "f32",
            2 => "u8",
            3 => "i8",
            4 => "u16",
            5 => "i16",
            6 => "i32",
            7 => "i64",
            8 => "string",
            9 => "bool",
            10 => "f16",
            11 => "f64",
            12 => "u32",
            13 => "u64",
            14 => "complex64",
            15 => "complex128",
            16 => "bf16",
            17 => "f8e4m3fn",
            18 => "f8e4m3fnuz",
            19 => "f8e5m2",
            20 => "f8e5m2fnuz",
            21 => "u4",
            22 => "i4",
            23 => "f4e2m1",
            other => return format!("unknown ({other})"),
        };
        name.into()
    }

    /// Bits per element of an ONNX data type (0 for strings and unknown types).
    fn elem_bits(t: i32) -> u64 {
        match t {
            2 | 3 | 9 | 17..=20 => 8,
            4 | 5 | 10 | 16 => 16,
            1 | 6 | 12 => 32,
            7 | 11 | 13 | 14 => 64,
            15 => 128,
            21..=23 => 4,
            _ => 0,
        }
    }

    /// Refuses, with a sentence, the malformed models that make tract 0.23 panic rather than
    /// return an error; found by the fuzz test (tests/fuzz.rs), which lists what is left.
    pub(crate) fn check_for_tract(proto: &ModelProto) -> Result<(), String> {
        let Some(graph) = &proto.graph else { return Err("the model has no graph".into()) };
        let register = tract_onnx::onnx().op_register;
        let mut problem = None;
        for_each_graph(graph, &mut |g| {
            if problem.is_none() {
                problem = check_graph(g, &register).err();
            }
        });
        if let Some(p) = problem {
            return Err(p);
        }
        // tract would say "no model path was specified in the parsing context"; say why.
        if graph.initializer.iter().any(is_external) {
            return Err("its weights are stored in a separate file (ONNX external data), which an uploaded \
                        .onnx file does not include: save the model as one file"
                .into());
        }
        Ok(())
    }

    fn check_graph(g: &GraphProto, register: &OnnxOpRegister) -> Result<(), String> {
        // tract-onnx's parse_graph indexes its name table with each output name: an output
        // that nothing defines panics. "" is never defined: it means "no value".
        let defined: HashSet<&str> = g
            .input
            .iter()
            .map(|v| v.name.as_str())
            .chain(g.initializer.iter().map(|t| t.name.as_str()))
            .chain(g.node.iter().flat_map(|n| n.input.iter().chain(&n.output)).map(String::as_str))
            .filter(|name| !name.is_empty())
            .collect();
        if let Some(o) = g.output.iter().find(|o| !defined.contains(o.name.as_str())) {
            return Err(format!("the graph output \"{}\" is not computed by any node", o.name));
        }
        // tract-onnx panics ("FIXME, raw tensor loading") on string tensors stored as raw
        // bytes, which ONNX forbids anyway.
        let tensors = g
            .initializer
            .iter()
            .chain(g.node.iter().flat_map(|n| n.attribute.iter().flat_map(|a| a.t.iter().chain(&a.tensors))));
        for t in tensors {
            if t.data_type == pb::tensor_proto::DataType::String as i32 && !t.raw_data.is_empty() {
                return Err(format!(
                    "the string tensor \"{}\" is stored as raw bytes, which ONNX forbids",
                    t.name
                ));
            }
        }
        // Weight ranks give the spatial rank of a Conv that has no kernel_shape attribute.
        let ranks: HashMap<&str, usize> =
            g.initializer.iter().map(|t| (t.name.as_str(), t.dims.len())).collect();
        // Ops tract does not know become placeholders that check nothing, and fail later.
        for node in g.node.iter().filter(|n| register.0.contains_key(&n.op_type)) {
            check_node(node, &ranks)?;
        }
        Ok(())
    }

    /// Most tract ops read their inputs and first output by index without checking that they
    /// exist, so a node missing a required one panics.
    fn check_node(node: &pb::NodeProto, initializer_ranks: &HashMap<&str, usize>) -> Result<(), String> {
        let name = if node.name.is_empty() { &node.op_type } else { &node.name };
        let needed = min_inputs(&node.op_type);
        let given = node.input.iter().take_while(|i| !i.is_empty()).count();
        if given < needed {
            return Err(format!(
                "the node \"{name}\" ({}) has {given} of the {needed} inputs it needs",
                node.op_type
            ));
        }
        if node.output.first().is_none_or(|o| o.is_empty()) {
            return Err(format!("the node \"{name}\" ({}) has no output", node.op_type));
        }
        // tract indexes the input shape with each value of perm.
        if let Some(perm) =
            node.attribute.iter().find(|a| a.name == "perm").filter(|_| node.op_type == "Transpose")
        {
            let mut sorted = perm.ints.clone();
            sorted.sort_unstable();
            if sorted.iter().enumerate().any(|(i, &p)| p != i as i64) {
                return Err(format!(
                    "the node \"{name}\" (Transpose) has perm {:?}, which is no order of axes",
                    perm.ints
                ));
            }
        }
        if CONV_AND_POOL.contains(&node.op_type.as_str()) {
            // Conv, ConvTranspose, ConvInteger: weights second; QLinearConv: fourth.
            let weights = if node.op_type == "QLinearConv" { 3 } else { 1 };
            let rank = (!node.op_type.ends_with("Pool"))
                .then(|| node.input.get(weights).and_then(|w| initializer_ranks.get(w.as_str())))
                .flatten()
                .map(|r| r.saturating_sub(2));
            check_window(node, rank)
                .map_err(|e| format!("the node \"{name}\" ({}) has {e}", node.op_type))?;
        }
        Ok(())
    }

    /// The fewest inputs an op takes, over all its ONNX versions (so no valid model of any
    /// opset is refused). Made with the onnx Python package:
    /// `min(s.min_input for s in onnx.defs.get_all_schemas_with_history() if s.name == op)`
    /// for tract's ops, plus ONNX Runtime's contrib ops that tract implements (BiasGelu,
    /// SkipLayerNormalization) and ops newer than onnx 1.12 (Bitwise*, GroupNormalization).
    fn min_inputs(op: &str) -> usize {
        match op {
            "Constant" | "RandomNormal" | "RandomUniform" => 0,
            "QLinearConv" | "QLinearMatMul" => 8,
            "BatchNormalization" | "MelWeightMatrix" => 5,
            "GRU"
            | "LSTM"
            | "RNN"
            | "InstanceNormalization"
            | "OneHot"
            | "Range"
            | "Scatter"
            | "ScatterElements"
            | "ScatterND"
            | "Where"
            | "GroupNormalization"
            | "SkipLayerNormalization" => 3,
            "Add"
            | "And"
            | "ArrayFeatureExtractor"
            | "BitShift"
            | "CastLike"
            | "Compress"
            | "Conv"
            | "ConvInteger"
            | "ConvTranspose"
            | "CumSum"
            | "DequantizeLinear"
            | "Div"
            | "Equal"
            | "Expand"
            | "Gather"
            | "GatherElements"
            | "GatherND"
            | "Gemm"
            | "Greater"
            | "GreaterOrEqual"
            | "GridSample"
            | "LayerNormalization"
            | "Less"
            | "LessOrEqual"
            | "MatMul"
            | "MatMulInteger"
            | "Mod"
            | "Mul"
            | "NonMaxSuppression"
            | "Or"
            | "PRelu"
            | "Pow"
            | "QuantizeLinear"
            | "STFT"
            | "Sub"
            | "Tile"
            | "Xor"
            | "BitwiseAnd"
            | "BitwiseOr"
            | "BitwiseXor"
            | "BiasGelu" => 2,
            _ => 1,
        }
    }

    const CONV_AND_POOL: [&str; 7] =
        ["Conv", "ConvTranspose", "ConvInteger", "QLinearConv", "MaxPool", "AveragePool", "LpPool"];
    /// Beyond any real kernel, stride or padding; keeps tract's window arithmetic from
    /// overflowing.
    const MAX_WINDOW: i64 = 1 << 16;

    /// tract indexes strides, dilations and pads by spatial axis, and divides by the stride:
    /// their lengths must agree and their values be sane.
    fn check_window(node: &pb::NodeProto, spatial_rank: Option<usize>) -> Result<(), String> {
        let ints = |name: &str| node.attribute.iter().find(|a| a.name == name).map(|a| a.ints.as_slice());
        let mut rank = spatial_rank;
        for (attr, per_axis, least) in [
            ("kernel_shape", 1, 1),
            ("strides", 1, 1),
            ("dilations", 1, 1),
            ("pads", 2, 0),
            ("output_padding", 1, 0),
        ] {
            let Some(values) = ints(attr) else { continue };
            if let Some(v) = values.iter().find(|v| !(least..=MAX_WINDOW).contains(*v)) {
                return Err(format!("{attr} {v}, outside {least}..={MAX_WINDOW}"));
            }
            let axes = values.len() / per_axis;
            if values.len() % per_axis != 0 || rank.is_some_and(|r| r != axes) {
                return Err(format!(
                    "{attr} of {} values, which does not match its weights or its other window attributes",
                    values.len()
                ));
            }
            rank = Some(axes);
        }
        if rank == Some(0) {
            return Err("an empty kernel".into());
        }
        Ok(())
    }

    /// Drops trailing "" inputs and outputs of every node. ONNX writes "" for an omitted
    /// optional value, so this changes nothing, but tract counts the names: a Conv with inputs
    /// (x, w, "") panics looking for its bias.
    pub(crate) fn normalize_for_tract(proto: &mut ModelProto) {
        fn graph(g: &mut GraphProto) {
            for node in &mut g.node {
                while node.input.last().is_some_and(|i| i.is_empty()) {
                    node.input.pop();
                }
                while node.output.last().is_some_and(|o| o.is_empty()) {
                    node.output.pop();
                }
                for attr in &mut node.attribute {
                    attr.g.iter_mut().chain(&mut attr.graphs).for_each(graph);
                }
            }
        }
        if let Some(g) = proto.graph.as_mut() {
            graph(g);
        }
    }

    /// Runs tract under `catch_unwind`, for the panics [`check_for_tract`] does not foresee.
    /// This only helps native builds: on wasm32 a panic aborts, and the worker dies.
    pub(crate) fn catch_tract_panic<T, E>(
        f: impl FnOnce() -> Result<T, E>,
        crashed: impl FnOnce(String) -> E,
    ) -> Result<T, E> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|payload| {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(crashed(format!("tract crashed on it ({message}); the model is probably malformed")))
        })
    }

    /// Parses and types the model with tract, batch dims fixed to 1; tract's error as text.
    fn try_tract(proto: &mut ModelProto) -> Result<(), String> {
        check_for_tract(proto)?;
        normalize_for_tract(proto);
        fix_batch_dims(proto);
        catch_tract_panic(
            || {
                let model = tract_onnx::onnx().model_for_proto_model(proto).map_err(|e| root_cause(&e))?;
                model.into_typed().and_then(|m| m.into_decluttered()).map(drop).map_err(|e| root_cause(&e))
            },
            |crash| crash,
        )
    }

    /// Sets an open first dim of every rank ≥ 2 input to 1: what the playground feeds, and what
    /// lets tract resolve shapes that depend on the batch.
    fn fix_batch_dims(proto: &mut ModelProto) {
        use pb::tensor_shape_proto::dimension::Value;
        let Some(graph) = proto.graph.as_mut() else { return };
        let initializers: HashSet<String> = graph.initializer.iter().map(|t| t.name.clone()).collect();
        for input in graph.input.iter_mut().filter(|i| !initializers.contains(&i.name)) {
            let Some(pb::type_proto::Value::TensorType(t)) =
                input.r#type.as_mut().and_then(|t| t.value.as_mut())
            else {
                continue;
            };
            if let Some(shape) = t.shape.as_mut().filter(|s| s.dim.len() >= 2) {
                if !matches!(shape.dim[0].value, Some(Value::DimValue(v)) if v >= 0) {
                    shape.dim[0].value = Some(Value::DimValue(1));
                }
            }
        }
    }
}
