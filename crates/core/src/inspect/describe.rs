//! The card's fields read from the protobuf (no tract), and tract's verdict on the model.

use super::card::*;
use super::guards::{catch_tract_panic, check_for_tract, normalize_for_tract};
use super::protobuf::{decode, for_each_graph, is_external};
use crate::session::root_cause;
use crate::Result;
use std::collections::{BTreeMap, HashSet};
use tract_onnx::pb::{self, GraphProto, ModelProto};
use tract_onnx::prelude::*;

/// Everything the card says, tract's verdict included. Errors only when the bytes are no ONNX
/// model at all; a model tract cannot run still gets its card, with `tract_error` set.
pub fn inspect(bytes: &[u8]) -> Result<ModelCard> {
    let mut proto = decode(bytes)?;
    let mut card = describe(&proto, bytes.len() as u64);
    card.tract_error = try_tract(&mut proto).err();
    Ok(card)
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
    let mut ops: Vec<OpCount> =
        counts.into_iter().map(|(op_type, count)| OpCount { op_type: op_type.to_string(), count }).collect();
    ops.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.op_type.cmp(&b.op_type)));

    let mut params = Params { count: 0, bytes: 0, tensors: 0, external_tensors: 0 };
    for t in &graph.initializer {
        let count = t.dims.iter().try_fold(1u64, |n, &d| n.checked_mul(u64::try_from(d).ok()?)).unwrap_or(0);
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
            notes
                .push(format!("The input \"{}\" does not declare its shape, not even its rank.", input.name));
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
    let opsets: Vec<Opset> =
        proto.opset_import.iter().map(|o| Opset { domain: o.domain.clone(), version: o.version }).collect();
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
        let Some(pb::type_proto::Value::TensorType(t)) = input.r#type.as_mut().and_then(|t| t.value.as_mut())
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
