//! Bring your own model: a person's `.onnx` (and labels) is read in the worker, described
//! as a card, and, if it takes an image, run on a drawing or a photo. Nothing is uploaded;
//! a model can be kept in this browser (IndexedDB) and removed.

mod card;
mod kept;
mod settings;

use crate::components::guess_list::GuessList;
use crate::components::model_input_view::ModelInputView;
use crate::components::sketch_canvas::SketchCanvas;
use crate::inference::{Inference, OnReply};
use crate::model_store::{self, Kept};
use crate::state::playground::{ModelFile, PlaygroundAction, PlaygroundPhase, PlaygroundState};
use card::card_view;
use js_sys::Uint8Array;
use kept::kept_models;
use playground_core::input::ModelInput;
use playground_core::inspect::check_model_size;
use playground_core::photo::check_photo_size;
use playground_core::postprocess::Scores;
use playground_core::registry::ModelKey;
use playground_core::sketch::Stroke;
use settings::SpecForm;
use std::rc::Rc;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{Blob, File, HtmlInputElement};
use yew::prelude::*;

/// A labels file is a few KB; anything this big is a wrong pick.
const MAX_LABELS_BYTES: f64 = 5.0 * 1_048_576.0;

async fn read(file: &File) -> Result<Vec<u8>, String> {
    JsFuture::from(file.array_buffer())
        .await
        .map(|b| Uint8Array::new(&b).to_vec())
        .map_err(|_| format!("{} could not be read", file.name()))
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
            inference.0.use_build(crate::client::Build::Onnx);
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

    let open_kept = {
        let (open_model, dispatcher, store_error) =
            (open_model.clone(), state.dispatcher(), store_error.clone());
        Callback::from(move |name: String| {
            let (open_model, dispatcher, store_error) =
                (open_model.clone(), dispatcher.clone(), store_error.clone());
            spawn_local(async move {
                match model_store::load(&name).await {
                    Ok(m) => {
                        // The model first: its labels replace whatever the page had.
                        open_model(name.clone(), m.file);
                        if let Some(labels) = m.labels {
                            dispatcher.dispatch(PlaygroundAction::Labels(format!("{name} labels"), labels));
                        }
                    }
                    Err(e) => store_error.set(Some(e)),
                }
            });
        })
    };
    let remove_kept = {
        let (refresh_kept, store_error) = (refresh_kept.clone(), store_error.clone());
        Callback::from(move |name: String| {
            let (refresh_kept, store_error) = (refresh_kept.clone(), store_error.clone());
            spawn_local(async move {
                match model_store::remove(&name).await {
                    Ok(()) => refresh_kept(),
                    Err(e) => store_error.set(Some(e)),
                }
            });
        })
    };

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
                { kept_models(&kept, &open_kept, &remove_kept) }
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
