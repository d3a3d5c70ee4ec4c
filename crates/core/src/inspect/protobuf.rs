//! Reading a file's protobuf as ONNX, and saying why it is none when it is not (empty, cut,
//! random bytes, another protobuf).

use super::card::*;
use crate::{Error, Result};
use prost::Message;
use tract_onnx::pb::{tensor_proto::DataLocation, GraphProto, ModelProto, TensorProto};

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
        (Err(_), Walk::Complete) => "the file starts like an ONNX model but its content is damaged".into(),
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

/// Calls `f` on `graph` and on every subgraph of its nodes' attributes, depth first. prost
/// refuses messages nested over 100 deep, so the recursion is bounded.
pub(super) fn for_each_graph<'a>(graph: &'a GraphProto, f: &mut dyn FnMut(&'a GraphProto)) {
    f(graph);
    for node in &graph.node {
        for attr in &node.attribute {
            for g in attr.g.iter().chain(&attr.graphs) {
                for_each_graph(g, f);
            }
        }
    }
}

pub(super) fn is_external(t: &TensorProto) -> bool {
    t.data_location == Some(DataLocation::External as i32)
}
