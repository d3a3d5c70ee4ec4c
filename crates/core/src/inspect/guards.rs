//! Before tract sees a model: refusing the malformed graphs that make tract 0.23 panic instead
//! of returning an error, and catching the rest natively. On wasm32 a panic aborts the worker:
//! tests/inspect.rs lists the known inputs that still do.

use super::protobuf::{for_each_graph, is_external};
use std::collections::{HashMap, HashSet};
use tract_onnx::model::OnnxOpRegister;
use tract_onnx::pb::{self, GraphProto, ModelProto};

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
    let ranks: HashMap<&str, usize> = g.initializer.iter().map(|t| (t.name.as_str(), t.dims.len())).collect();
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
        check_window(node, rank).map_err(|e| format!("the node \"{name}\" ({}) has {e}", node.op_type))?;
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
