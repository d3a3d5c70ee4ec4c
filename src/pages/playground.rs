//! Bring your own model: a person's `.onnx` (and labels) is read in the worker, described
//! as a card, and, if it takes an image, run on a drawing or a photo. Nothing is uploaded;
//! a model can be kept in this browser (IndexedDB) and removed.

use crate::components::guess_list::GuessList;
use crate::components::model_input_view::ModelInputView;
use crate::components::sketch_canvas::SketchCanvas;
use crate::inference::{Inference, OnReply};
use crate::model_store::{self, Kept};
use crate::state::playground::{ModelFile, PlaygroundAction, PlaygroundPhase, PlaygroundState};
use js_sys::Uint8Array;
use playground_core::input::{ChannelOrder, InputSpec, Layout, ModelInput, Scale};
use playground_core::inspect::{check_model_size, format_shape, ModelCard, TensorInfo};
use playground_core::photo::check_photo_size;
use playground_core::postprocess::Scores;
use playground_core::registry::ModelKey;
use playground_core::sketch::Stroke;
use std::rc::Rc;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{Blob, File, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// A labels file is a few KB; anything this big is a wrong pick.
const MAX_LABELS_BYTES: f64 = 5.0 * 1_048_576.0;

async fn read(file: &File) -> Result<Vec<u8>, String> {
    JsFuture::from(file.array_buffer())
        .await
        .map(|b| Uint8Array::new(&b).to_vec())
        .map_err(|_| format!("{} could not be read", file.name()))
}

fn mb(bytes: u64) -> String {
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

fn card_view(card: &ModelCard) -> Html {
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

/// The shipped sketch model and its labels, offered as a sample (fetched only when asked for).
const SAMPLE_MODEL: &str = "./models/sketch/model.onnx";
const SAMPLE_LABELS: &str = "./models/sketch/labels.txt";

/// A click on a hidden file input (which opens the browser's picker).
fn click(input: &NodeRef) -> Callback<MouseEvent> {
    let input = input.clone();
    Callback::from(move |_| {
        if let Some(el) = input.cast::<HtmlInputElement>() {
            el.click();
        }
    })
}

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
struct SpecFormProps {
    spec: InputSpec,
    on_change: Callback<InputSpec>,
}

/// How pixels become the model's input; defaults were guessed from the input's shape.
#[component]
fn SpecForm(props: &SpecFormProps) -> Html {
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

#[component]
pub fn PlaygroundPage() -> Html {
    let inference = use_context::<Inference>().expect("App provides Inference");
    let state = use_reducer(PlaygroundState::default);
    let kept = use_state(Vec::<Kept>::new);
    let model_input = use_node_ref();
    let labels_input = use_node_ref();
    let photo_input = use_node_ref();
    let store_error = use_state(|| None::<String>);
    // Replies to this page's requests land in the reducer.
    let on_reply: OnReply = {
        let dispatcher = state.dispatcher();
        Callback::from(move |(id, reply)| dispatcher.dispatch(PlaygroundAction::Reply(id, reply)))
    };
    // A worker restart takes the person's model with it.
    {
        let (inference, dispatcher) = (inference.clone(), state.dispatcher());
        use_effect_with((), move |_| {
            let sub = inference.0.on_restart(Callback::from(move |why| {
                dispatcher.dispatch(PlaygroundAction::WorkerRestarted(why))
            }));
            // Fetch the worker build that reads ONNX now, while the person picks a file.
            inference.0.use_onnx_build();
            move || drop(sub)
        });
    }
    let refresh_kept = {
        let (kept, store_error) = (kept.clone(), store_error.clone());
        Rc::new(move || {
            let (kept, store_error) = (kept.clone(), store_error.clone());
            spawn_local(async move {
                match model_store::list().await {
                    Ok(list) => kept.set(list),
                    Err(e) => store_error.set(Some(e)),
                }
            });
        })
    };
    {
        let refresh_kept = refresh_kept.clone();
        use_effect_with((), move |_| refresh_kept());
    }

    // The person's model file itself (a `File`, or a `Blob` from the kept models): the page
    // never reads it; the worker does (InferenceService::inspect / load_custom).
    let model_file = use_mut_ref(|| None::<Blob>);
    // A model is loaded as soon as its card says it can run: one step, not two. Its settings
    // can still be changed and the model reloaded with them.
    let load_when_inspected = use_mut_ref(|| false);
    let open_model: Rc<dyn Fn(String, Blob)> = {
        let (inference, dispatcher, model_file, auto, on_reply) = (
            inference.clone(),
            state.dispatcher(),
            model_file.clone(),
            load_when_inspected.clone(),
            on_reply.clone(),
        );
        Rc::new(move |name, blob: Blob| {
            *model_file.borrow_mut() = Some(blob.clone());
            *auto.borrow_mut() = true;
            let file = ModelFile { name, size: blob.size() as u64 };
            let inspect = inference.0.inspect(blob, on_reply.clone());
            dispatcher.dispatch(PlaygroundAction::Picked { file, inspect });
        })
    };
    let on_pick_model = {
        let (open_model, dispatcher) = (open_model.clone(), state.dispatcher());
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            input.set_value("");
            // A huge file is refused from its size, before it is read.
            if let Err(e) = check_model_size(file.size() as u64) {
                dispatcher.dispatch(PlaygroundAction::Refused(format!("{}: {e}", file.name())));
                return;
            }
            open_model(file.name(), file.into());
        })
    };
    let on_pick_labels = {
        let dispatcher = state.dispatcher();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            input.set_value("");
            if file.size() > MAX_LABELS_BYTES {
                dispatcher.dispatch(PlaygroundAction::Refused(format!(
                    "{} is too big for a labels file",
                    file.name()
                )));
                return;
            }
            let dispatcher = dispatcher.clone();
            spawn_local(async move {
                match read(&file).await.and_then(|b| {
                    String::from_utf8(b).map_err(|_| format!("{} is not UTF-8 text", file.name()))
                }) {
                    Ok(text) => dispatcher.dispatch(PlaygroundAction::Labels(file.name(), text)),
                    Err(e) => dispatcher.dispatch(PlaygroundAction::Refused(e)),
                }
            });
        })
    };
    let load = {
        let (inference, state, model_file, on_reply) =
            (inference.clone(), state.clone(), model_file.clone(), on_reply.clone());
        Callback::from(move |()| {
            let (Some(file), Some(spec)) = (model_file.borrow().clone(), state.spec.clone()) else { return };
            if let Err(e) = spec.validate() {
                state.dispatch(PlaygroundAction::Refused(e.to_string()));
                return;
            }
            let labels = state.labels.as_ref().map(|(_, t)| t.clone());
            let load = inference.0.load_own(file, labels, spec, on_reply.clone());
            state.dispatch(PlaygroundAction::LoadRequested { load });
        })
    };
    {
        let (load, auto, runnable) = (
            load.clone(),
            load_when_inspected.clone(),
            state.spec.is_some() && state.card.as_ref().is_some_and(|c| c.runnable()),
        );
        use_effect_with(state.phase, move |phase| {
            // Once per picked file, when its card arrives.
            if *phase == PlaygroundPhase::Inspected && std::mem::take(&mut *auto.borrow_mut()) && runnable {
                load.emit(());
            }
        });
    }
    // "Try our sketch model": the shipped one, as if it were a person's file.
    let try_sample = {
        let (open_model, dispatcher) = (open_model.clone(), state.dispatcher());
        Callback::from(move |_| {
            let (open_model, dispatcher) = (open_model.clone(), dispatcher.clone());
            spawn_local(async move {
                let labels = crate::fetch::text(SAMPLE_LABELS).await;
                match crate::fetch::blob(SAMPLE_MODEL).await {
                    Some(model) => {
                        open_model("sketch model.onnx".into(), model);
                        if let Some(text) = labels {
                            dispatcher.dispatch(PlaygroundAction::Labels("sketch labels.txt".into(), text));
                        }
                    }
                    None => dispatcher.dispatch(PlaygroundAction::Refused(
                        "The sample model could not be fetched (it needs a connection the first time)."
                            .into(),
                    )),
                }
            });
        })
    };
    let classify = {
        let (inference, on_reply) = (inference.clone(), on_reply.clone());
        Rc::new(move |input: ModelInput| {
            inference.0.run(ModelKey::Own, input, on_reply.clone());
        })
    };
    // Re-run on the drawing whenever it changes (and once the model is ready).
    {
        let classify = classify.clone();
        use_effect_with((state.strokes.clone(), state.phase), move |(strokes, phase)| {
            if *phase == PlaygroundPhase::Ready && !strokes.is_empty() {
                classify(ModelInput::Strokes(strokes.to_vec()));
            }
        });
    }
    let on_stroke = {
        let dispatcher = state.dispatcher();
        Callback::from(move |s: Stroke| dispatcher.dispatch(PlaygroundAction::Stroke(s)))
    };
    let on_pick_photo = {
        let (classify, dispatcher, inference) = (classify.clone(), state.dispatcher(), inference.clone());
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            input.set_value("");
            // A huge file is refused unread, as on the photo page.
            if let Err(e) = check_photo_size(file.size() as u64) {
                dispatcher.dispatch(PlaygroundAction::Refused(format!("{} {e}", file.name())));
                return;
            }
            let (classify, dispatcher) = (classify.clone(), dispatcher.clone());
            dispatcher.dispatch(PlaygroundAction::ClearInput { next: inference.0.next_id() });
            spawn_local(async move {
                match read(&file).await {
                    Ok(bytes) => classify(ModelInput::Photo(bytes)),
                    Err(e) => dispatcher.dispatch(PlaygroundAction::Refused(e)),
                }
            });
        })
    };
    let keep = {
        let (state, refresh_kept, store_error, model_file) =
            (state.clone(), refresh_kept.clone(), store_error.clone(), model_file.clone());
        Callback::from(move |_| {
            let (Some(file), Some(blob)) = (state.file.clone(), model_file.borrow().clone()) else { return };
            let labels = state.labels.as_ref().map(|(_, t)| t.clone());
            let (refresh_kept, store_error) = (refresh_kept.clone(), store_error.clone());
            spawn_local(async move {
                // A second model of the same file name is kept beside the first ("model (2).onnx").
                match model_store::save(&file.name, &blob, labels).await {
                    Ok(_) => refresh_kept(),
                    Err(e) => store_error.set(Some(e)),
                }
            });
        })
    };

    let kept_list = kept.iter().map(|k| {
        let open = {
            let (name, open_model, dispatcher, store_error) =
                (k.name.clone(), open_model.clone(), state.dispatcher(), store_error.clone());
            Callback::from(move |_| {
                let (name, open_model, dispatcher, store_error) =
                    (name.clone(), open_model.clone(), dispatcher.clone(), store_error.clone());
                spawn_local(async move {
                    match model_store::load(&name).await {
                        Ok(m) => {
                            // The model first: its labels replace whatever the page had.
                            open_model(name.clone(), m.file);
                            if let Some(labels) = m.labels {
                                dispatcher
                                    .dispatch(PlaygroundAction::Labels(format!("{name} labels"), labels));
                            }
                        }
                        Err(e) => store_error.set(Some(e)),
                    }
                });
            })
        };
        let remove = {
            let (name, refresh_kept, store_error) =
                (k.name.clone(), refresh_kept.clone(), store_error.clone());
            Callback::from(move |_| {
                let (name, refresh_kept, store_error) =
                    (name.clone(), refresh_kept.clone(), store_error.clone());
                spawn_local(async move {
                    match model_store::remove(&name).await {
                        Ok(()) => refresh_kept(),
                        Err(e) => store_error.set(Some(e)),
                    }
                });
            })
        };
        html! {
            <li data-testid="kept-model" data-name={k.name.clone()}>
                <span>{ format!("{} ({})", k.name, mb(k.size)) }</span>
                <button onclick={open} data-testid="kept-open">{ "Open" }</button>
                <button onclick={remove} data-testid="kept-remove">{ "Remove" }</button>
            </li>
        }
    });

    let (model_input, labels_input, photo_input) =
        (model_input.clone(), labels_input.clone(), photo_input.clone());
    let status = match state.phase {
        PlaygroundPhase::Empty => None,
        PlaygroundPhase::Inspecting => Some("Reading the model…".to_string()),
        PlaygroundPhase::Inspected => None,
        PlaygroundPhase::Loading => Some("Planning the model with tract…".to_string()),
        PlaygroundPhase::Ready => Some(format!("Model ready (planned in {:.0} ms).", state.load_millis)),
    };
    let runnable = state.card.as_ref().is_some_and(|c| c.runnable());
    let name = state.file.as_ref().map(|f| f.name.clone()).unwrap_or_default();

    html! {
        <div class="playground" data-testid="playground" data-phase={format!("{:?}", state.phase).to_lowercase()}>
            <section class="side">
                <h2>{ "Your own ONNX model" }</h2>
                <p class="placeholder">{ "The file is read by this page and run in your browser: nothing is uploaded." }</p>
                // Buttons, not the browser's file inputs: their "No file chosen" contradicted the
                // model shown below once one came from the kept list or the sample.
                <div class="pickers">
                    <button onclick={click(&model_input)} data-testid="choose-model">{ "Choose a model (.onnx)" }</button>
                    <input ref={model_input.clone()} type="file" accept=".onnx,application/octet-stream" onchange={on_pick_model} data-testid="model-file" hidden=true />
                    <button onclick={click(&labels_input)} data-testid="choose-labels">{ "Add labels (.txt, optional)" }</button>
                    <input ref={labels_input.clone()} type="file" accept=".txt,text/plain" onchange={on_pick_labels} data-testid="labels-file" hidden=true />
                    <button onclick={try_sample} data-testid="try-sample">{ "Try our sketch model" }</button>
                </div>
                if !name.is_empty() { <p data-testid="model-name">{ format!("Model: {name}") }</p> }
                if let Some((labels_name, text)) = &state.labels {
                    <p data-testid="labels-name">{ format!("Labels: {labels_name} ({} lines)", text.lines().filter(|l| !l.trim().is_empty()).count()) }</p>
                }
                if let Some(status) = status { <p class="status" data-testid="playground-status">{ status }</p> }
                if let Some(error) = &state.error { <p class="error" role="alert" data-testid="playground-error">{ error }</p> }
                if state.file.is_some() && state.phase != PlaygroundPhase::Inspecting {
                    <button onclick={keep} data-testid="keep">{ "Keep in this browser" }</button>
                }
                if !kept.is_empty() {
                    <h3>{ "Kept in this browser" }</h3>
                    <ul class="kept">{ for kept_list }</ul>
                }
                if let Some(e) = &*store_error { <p class="error" data-testid="store-error">{ e }</p> }
            </section>
            if let Some(card) = &state.card { { card_view(card) } }
            if let (Some(spec), true) = (&state.spec, runnable) {
                <section class="side">
                    <SpecForm spec={spec.clone()} on_change={{
                        let dispatcher = state.dispatcher();
                        Callback::from(move |s| dispatcher.dispatch(PlaygroundAction::Spec(s)))
                    }} />
                    <button onclick={load.reform(|_: MouseEvent| ())} disabled={state.phase == PlaygroundPhase::Loading} data-testid="load-custom">
                        { if state.phase == PlaygroundPhase::Ready { "Reload with these settings" } else { "Load the model" } }
                    </button>
                </section>
            }
            if runnable && state.spec.is_none() {
                <p class="note side" data-testid="not-image">{ "Its input does not look like an image (N×C×H×W or N×H×W×C with 1 or 3 channels), so this page cannot feed it a drawing or a photo." }</p>
            }
            if state.phase == PlaygroundPhase::Ready {
                <div class="sketch-page">
                    <div class="board">
                        <SketchCanvas strokes={state.strokes.clone()} on_stroke={on_stroke} on_drawing={Callback::noop()} />
                        <div class="tools">
                            <button onclick={{ let (d, inference) = (state.dispatcher(), inference.clone()); Callback::from(move |_| d.dispatch(PlaygroundAction::ClearInput { next: inference.0.next_id() })) }} data-testid="clear">{ "Clear" }</button>
                            <button onclick={click(&photo_input)} data-testid="choose-custom-photo">{ "Or a photo…" }</button>
                            <input ref={photo_input.clone()} type="file" accept="image/*" onchange={on_pick_photo} data-testid="custom-photo" hidden=true />
                        </div>
                    </div>
                    <aside class="side">
                        <h2>{ "Output" }</h2>
                        if let Some((id, p)) = &state.output {
                            <GuessList guesses={p.answer.top.clone()} placeholder="" seq={*id} />
                            <p class="timing" data-testid="custom-scores">{ match p.answer.scores {
                                Scores::Probabilities => "The outputs are probabilities (shown as they are).",
                                Scores::Independent => "The outputs lie in 0…1 but do not sum to 1: independent scores, shown as they are.",
                                Scores::Softmax => "The outputs looked like logits: softmax applied.",
                                Scores::Raw => "Raw values (not probabilities).",
                            } }{ format!(" {:.1} ms in the worker.", p.millis) }</p>
                            <details>
                                <summary>{ format!("Raw output ({} values)", p.answer.output_len) }</summary>
                                <p class="raw" data-testid="custom-raw">{ p.answer.values.iter().take(50).map(|v| format!("{v:.4}")).collect::<Vec<_>>().join(", ") }</p>
                            </details>
                            <ModelInputView pixels={p.view.pixels.clone()} side={p.view.side} channels={p.view.channels} />
                        } else {
                            <p class="placeholder">{ "Draw, or pick a photo: the model's answer appears here." }</p>
                        }
                    </aside>
                </div>
            }
        </div>
    }
}
