//! "How to feed it": the settings that turn pixels into the model's input, guessed from its
//! card and changed by the person.

use playground_core::input::{ChannelOrder, InputSpec, Layout, Scale};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// "0.5" (every channel) or "0.485, 0.456, 0.406"; anything else keeps `old`.
fn parse_three(text: &str, old: [f32; 3]) -> [f32; 3] {
    let values: Vec<f32> = text.split(',').filter_map(|x| x.trim().parse().ok()).collect();
    match values[..] {
        [a] => [a; 3],
        [a, b, c] => [a, b, c],
        _ => old,
    }
}

#[derive(Properties, PartialEq)]
pub(super) struct SpecFormProps {
    pub spec: InputSpec,
    pub on_change: Callback<InputSpec>,
}

/// How pixels become the model's input; defaults were guessed from the input's shape.
#[component]
pub(super) fn SpecForm(props: &SpecFormProps) -> Html {
    let spec = props.spec.clone();
    let select = |id: &'static str, value: &str, options: &[(&str, &str)], set: fn(&mut InputSpec, &str)| {
        let (spec, on_change) = (spec.clone(), props.on_change.clone());
        let onchange = Callback::from(move |e: Event| {
            let mut next = spec.clone();
            set(&mut next, &e.target_unchecked_into::<HtmlSelectElement>().value());
            on_change.emit(next);
        });
        html! {
            <select {onchange} data-testid={id}>
                { for options.iter().map(|(v, text)| html! { <option value={v.to_string()} selected={*v == value}>{ *text }</option> }) }
            </select>
        }
    };
    let text = |id: &'static str, value: String, set: fn(&mut InputSpec, &str)| {
        let (spec, on_change) = (spec.clone(), props.on_change.clone());
        let onchange = Callback::from(move |e: Event| {
            let mut next = spec.clone();
            set(&mut next, &e.target_unchecked_into::<HtmlInputElement>().value());
            on_change.emit(next);
        });
        html! { <input type="text" {value} {onchange} data-testid={id} size="18" /> }
    };
    let three = |v: [f32; 3]| format!("{}, {}, {}", v[0], v[1], v[2]);
    html! {
        <fieldset class="spec" data-testid="spec-form">
            <legend>{ "How to feed it" }</legend>
            <label>{ "Layout " }{ select("spec-layout", match spec.layout { Layout::Nchw => "nchw", Layout::Nhwc => "nhwc" },
                &[("nchw", "N×C×H×W (PyTorch)"), ("nhwc", "N×H×W×C (TensorFlow)")],
                |s, v| s.layout = if v == "nhwc" { Layout::Nhwc } else { Layout::Nchw }) }</label>
            <label>{ "Size " }{ text("spec-side", spec.side.to_string(), |s, v| if let Ok(n) = v.trim().parse() { s.side = n }) }</label>
            <label>{ "Channels " }{ select("spec-channels", &spec.channels.to_string(), &[("1", "1 (grey)"), ("3", "3 (colour)")],
                |s, v| s.channels = if v == "1" { 1 } else { 3 }) }</label>
            if spec.channels == 3 { <label>{ "Order " }{ select("spec-order", match spec.channel_order { ChannelOrder::Rgb => "rgb", ChannelOrder::Bgr => "bgr" },
                &[("rgb", "RGB"), ("bgr", "BGR")], |s, v| s.channel_order = if v == "bgr" { ChannelOrder::Bgr } else { ChannelOrder::Rgb }) }</label> }
            <label>{ "Scale " }{ select("spec-scale", match spec.scale { Scale::ZeroToOne => "01", Scale::MinusOneToOne => "11", Scale::Raw255 => "255" },
                &[("01", "0…1 (p/255)"), ("11", "−1…1"), ("255", "0…255")],
                |s, v| s.scale = match v { "11" => Scale::MinusOneToOne, "255" => Scale::Raw255, _ => Scale::ZeroToOne }) }</label>
            <label>{ "Mean " }{ text("spec-mean", three(spec.mean), |s, v| s.mean = parse_three(v, s.mean)) }</label>
            <label>{ "Std " }{ text("spec-std", three(spec.std), |s, v| s.std = parse_three(v, s.std)) }</label>
            <label class="check">
                <input type="checkbox" checked={spec.invert} data-testid="spec-invert" onchange={{
                    let (spec, on_change) = (spec.clone(), props.on_change.clone());
                    Callback::from(move |e: Event| {
                        let mut next = spec.clone();
                        next.invert = e.target_unchecked_into::<HtmlInputElement>().checked();
                        on_change.emit(next);
                    })
                }} />
                { " Invert (light ink on dark, like MNIST / Quick Draw)" }
            </label>
        </fieldset>
    }
}
