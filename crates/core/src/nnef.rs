//! Reads the NNEF archives that `session::onnx_to_nnef` writes from the registry's models, with
//! only the tract-core operators those archives use. tract's own reader (`tract_nnef::nnef()`)
//! registers every tract-core operator, and a registration links the operator's code into the
//! worker whether a model uses it or not: FFTs (the rustfft crate), recurrent cells, scans,
//! quantized convolutions… (BENCHMARKS.md, "the demos' worker without tract's unused operators").
//!
//! The operators here are read exactly as tract-nnef 0.23 reads them (the `*_load` functions
//! are its own, copied). An archive that uses another one fails with tract's error for an
//! unknown operator; core `tests/nnef.rs` loads every registry model's archive through here.

use std::collections::HashMap;
use tract_nnef::ast::{Document, ProtoModel};
use tract_nnef::internal::*;
use tract_nnef::tract_core::ops::array::{Gather, GatherNd};
use tract_nnef::tract_core::ops::cast::{cast, Cast};
use tract_nnef::tract_core::ops::math::{Erf, IsNan};
use tract_nnef::tract_core::ops::nn::RmsNorm;

/// The model in an archive: `graph.nnef` and its `.dat` tensors, nothing else.
pub fn read(archive: &[u8]) -> TractResult<TypedModel> {
    let framework = framework();
    let mut doc: Option<Document> = None;
    let mut tensors = HashMap::new();
    for entry in tar::Archive::new(archive).entries()? {
        let mut entry = entry?;
        let path = entry.path()?.to_string_lossy().trim_start_matches("./").to_owned();
        if path == "graph.nnef" {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut entry, &mut text)?;
            doc = Some(tract_nnef::ast::parse::parse_document(&text)?);
        } else if let Some(id) = path.strip_suffix(".dat") {
            let tensor =
                tract_nnef::tensors::read_tensor(&mut entry).with_context(|| format!("reading {path}"))?;
            tensors.insert(Identifier::from(id), Arc::new(tensor));
        } else if !path.is_empty() && !path.ends_with('/') {
            bail!("unexpected file {path} in the archive");
        }
    }
    let doc = doc.context("no graph.nnef in the archive")?;
    let proto = ProtoModel { doc, tensors, quantization: None, resources: HashMap::new() };
    proto.validate()?;
    framework.model_for_proto_model(&proto)
}

/// NNEF's standard operators (tract-nnef's `tract_nnef` registry) and the tract-core ones below,
/// under tract-core's registry name, which the archives declare (`extension tract_registry tract_core`).
fn framework() -> Nnef {
    let mut core = Registry::new("tract_core");
    core.register_unit_element_wise("tract_core_erf", &Erf {});
    core.register_unit_element_wise("tract_core_is_nan", &IsNan {});
    core.register_primitive(
        "tract_core_cast",
        &[TypeName::Scalar.tensor().named("input"), TypeName::String.named("to")],
        &[("output", TypeName::Scalar.tensor())],
        cast_load,
    );
    core.register_primitive(
        "tract_core_external",
        &[TypeName::String.named("datum_type"), TypeName::Integer.array().named("shape")],
        &[("output", TypeName::Any.tensor())],
        external_load,
    );
    core.register_primitive(
        "tract_core_gather",
        &[
            TypeName::Scalar.tensor().named("input"),
            TypeName::Scalar.tensor().named("indices"),
            TypeName::Integer.named("axis"),
        ],
        &[("output", TypeName::Scalar.tensor())],
        gather_load,
    );
    core.register_primitive(
        "tract_core_gather_nd",
        &[
            TypeName::Scalar.tensor().named("input"),
            TypeName::Scalar.tensor().named("indices"),
            TypeName::Integer.named("batch_dims"),
        ],
        &[("output", TypeName::Scalar.tensor())],
        gather_nd_load,
    );
    core.register_primitive(
        "tract_core_rms_norm",
        &[
            TypeName::Scalar.tensor().named("input"),
            TypeName::Integer.named("axis"),
            TypeName::Scalar.named("eps").default(1e-6f32),
        ],
        &[("output", TypeName::Scalar.tensor())],
        rms_norm_load,
    );
    Nnef {
        stdlib: tract_nnef::framework::stdlib(),
        registries: vec![tract_nnef::ops::tract_nnef(), core],
        resource_loaders: vec![],
        allow_extended_identifier_syntax: false,
        extern_all_constants: false,
    }
}

fn cast_load(builder: &mut ModelBuilder, invocation: &ResolvedInvocation) -> TractResult<Value> {
    let input = invocation.named_arg_as(builder, "input")?;
    let to: DatumType = invocation.named_arg_as::<String>(builder, "to")?.parse()?;
    builder.wire(Cast { to }, &[input])
}

fn external_load(builder: &mut ModelBuilder, invocation: &ResolvedInvocation) -> TractResult<Value> {
    let shape: TVec<TDim> =
        builder.allowing_new_symbols(|builder| invocation.named_arg_as(builder, "shape"))?;
    let dt: DatumType = invocation.named_arg_as::<String>(builder, "datum_type")?.parse()?;
    Ok(Value::Wire(builder.model.add_source("", dt.fact(&*shape))?))
}

fn gather_load(builder: &mut ModelBuilder, invocation: &ResolvedInvocation) -> TractResult<Value> {
    let input = invocation.named_arg_as(builder, "input")?;
    let indices = invocation.named_arg_as(builder, "indices")?;
    let output_type: Option<DatumType> =
        invocation.optional_named_arg_as::<String>(builder, "datum_type")?.map(|s| s.parse()).transpose()?;
    let indices = builder.wire_as_outlets(cast(i64::datum_type()), &[indices])?[0];
    let axis = invocation.named_arg_as(builder, "axis")?;
    builder.wire(Gather { axis, output_type }, &[input, indices])
}

fn gather_nd_load(builder: &mut ModelBuilder, invocation: &ResolvedInvocation) -> TractResult<Value> {
    let input = invocation.named_arg_as(builder, "input")?;
    let indices = invocation.named_arg_as(builder, "indices")?;
    let indices = builder.wire_as_outlets(cast(i64::datum_type()), &[indices])?[0];
    let batch_dims = invocation.named_arg_as(builder, "batch_dims")?;
    builder.wire(GatherNd::new(batch_dims), &[input, indices])
}

fn rms_norm_load(builder: &mut ModelBuilder, invocation: &ResolvedInvocation) -> TractResult<Value> {
    let input = invocation.named_arg_as(builder, "input")?;
    let axis: usize = invocation.named_arg_as(builder, "axis")?;
    let eps = invocation.named_arg_as(builder, "eps")?;
    builder.wire(RmsNorm { axis, eps }, &[input])
}
