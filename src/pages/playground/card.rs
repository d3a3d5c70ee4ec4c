//! The model card as a person reads it: inputs, outputs, weights, operators, tract's verdict.

use playground_core::inspect::{format_shape, ModelCard, TensorInfo};
use yew::prelude::*;

pub(super) fn mb(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / 1_048_576.0)
    } else {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    }
}

fn shape_text(t: &TensorInfo) -> String {
    match &t.shape {
        None => "rank unknown".into(),
        Some(dims) => format_shape(dims),
    }
}

pub(super) fn card_view(card: &ModelCard) -> Html {
    let tensors = |title: &str, list: &[TensorInfo]| {
        html! {
            <tr><th scope="row">{ title }</th><td>
                { for list.iter().map(|t| html! {
                    <div><code>{ &t.name }</code>{ format!(" {} {}", t.elem_type, shape_text(t)) }</div>
                }) }
            </td></tr>
        }
    };
    let verdict = if card.runnable() {
        html! { <p class="verdict ok" data-testid="card-verdict" data-runnable="true">{ "✓ tract can run this model." }</p> }
    } else {
        let mut why = Vec::new();
        if !card.unsupported_ops.is_empty() {
            why.push(format!("operators tract does not have: {}", card.unsupported_ops.join(", ")));
        }
        if let Some(e) = &card.tract_error {
            why.push(e.clone());
        }
        html! { <p class="verdict error" data-testid="card-verdict" data-runnable="false">{ format!("✗ tract cannot run this model: {}.", why.join("; ")) }</p> }
    };
    let opsets: Vec<String> = card
        .opsets
        .iter()
        .map(|o| format!("{} {}", if o.domain.is_empty() { "ai.onnx" } else { &o.domain }, o.version))
        .collect();
    html! {
        <section class="side card" data-testid="model-card" aria-label="model card">
            <h2>{ "Model card" }</h2>
            { verdict }
            <table class="card-table">
                { tensors("Inputs", &card.inputs) }
                { tensors("Outputs", &card.outputs) }
                <tr><th scope="row">{ "Parameters" }</th><td data-testid="card-params">{ format!("{} ({} in {} tensors)", card.params.count, mb(card.params.bytes), card.params.tensors) }</td></tr>
                <tr><th scope="row">{ "Opset" }</th><td>{ opsets.join(", ") }</td></tr>
                <tr><th scope="row">{ "File" }</th><td>{ format!("{}, IR v{}, made by {} {}", mb(card.file_bytes), card.ir_version, card.producer_name, card.producer_version) }</td></tr>
            </table>
            { for card.notes.iter().map(|n| html! { <p class="note">{ n }</p> }) }
            <details open=true>
                <summary>{ format!("{} operators, {} types", card.node_count, card.ops.len()) }</summary>
                <ul class="ops" data-testid="card-ops">
                    { for card.ops.iter().map(|o| html! { <li><code>{ &o.op_type }</code>{ format!(" × {}", o.count) }</li> }) }
                </ul>
            </details>
        </section>
    }
}
