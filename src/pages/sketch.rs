use crate::components::guess_list::GuessList;
use crate::components::known_classes::KnownClasses;
use crate::components::model_input_view::ModelInputView;
use crate::components::sketch_canvas::SketchCanvas;
use crate::components::status_bar::ModelStatusBar;
use crate::hooks::{use_classify_strokes, use_model, use_undo_key};
use crate::state::app::AppState;
use crate::state::sketch::{SketchAction, SketchState};
use playground_core::sketch::Stroke;
use yew::prelude::*;

pub const MODEL: &str = playground_core::registry::SKETCH;

/// Draw, and the model guesses live.
#[component]
pub fn SketchPage() -> Html {
    let app = use_context::<UseReducerHandle<AppState>>().expect("App provides AppState");
    let state = use_reducer(SketchState::default);
    // Answers from the worker land in this page's reducer, which drops stale ones.
    let line = use_model(MODEL, {
        let dispatcher = state.dispatcher();
        Callback::from(move |(id, reply)| dispatcher.dispatch(SketchAction::Answer(id, reply)))
    });
    use_classify_strokes(&line, state.strokes.clone());
    let ready = line.ready;
    let on_stroke = {
        let dispatcher = state.dispatcher();
        Callback::from(move |stroke: Stroke| dispatcher.dispatch(SketchAction::Commit(stroke)))
    };
    let on_drawing = {
        let (strokes, line) = (state.strokes.clone(), line.clone());
        Callback::from(move |partial: Stroke| {
            if line.ready {
                line.classify_strokes(strokes.iter().cloned().chain([partial]).collect());
            }
        })
    };
    let undo = {
        let (dispatcher, line) = (state.dispatcher(), line.clone());
        Callback::from(move |_| dispatcher.dispatch(SketchAction::Undo { next: line.next_id() }))
    };
    use_undo_key({
        let (dispatcher, line) = (state.dispatcher(), line.clone());
        Callback::from(move |_| dispatcher.dispatch(SketchAction::Undo { next: line.next_id() }))
    });
    let clear = {
        let (dispatcher, line) = (state.dispatcher(), line.clone());
        Callback::from(move |_| dispatcher.dispatch(SketchAction::Clear { next: line.next_id() }))
    };

    let labels = app.known_labels(MODEL);
    let placeholder = if state.strokes.is_empty() {
        "Draw something: I will guess as you draw."
    } else if ready {
        "Thinking…"
    } else {
        "Waiting for the model…"
    };
    let guesses = state.prediction.as_ref().map(|p| p.answer.top.clone()).unwrap_or_default();
    let (pixels, side) = match &state.prediction {
        Some(p) if !state.strokes.is_empty() => (p.view.pixels.clone(), p.view.side),
        _ => (Vec::new(), 28),
    };
    let empty = state.strokes.is_empty();

    html! {
        <>
        <ModelStatusBar model={MODEL} />
        <div class="sketch-page">
            <div class="board">
                <SketchCanvas strokes={state.strokes.clone()} on_stroke={on_stroke} on_drawing={on_drawing} />
                <div class="tools">
                    <button onclick={undo} disabled={empty} title="Undo (Ctrl+Z)" data-testid="undo">{ "Undo" }</button>
                    <button onclick={clear} disabled={empty} data-testid="clear">{ "Clear" }</button>
                </div>
            </div>
            <aside class="side">
                <h2>{ "I see…" }</h2>
                <GuessList guesses={guesses} placeholder={placeholder} seq={state.prediction_id}
                    not_sure={state.prediction.as_ref().is_some_and(|p| p.answer.not_sure)} />
                if let Some(error) = &state.error {
                    <p class="error" role="alert" data-testid="sketch-error">{ error }</p>
                }
                // Shown once there is a drawing: an empty black square looked broken.
                if let Some(p) = state.prediction.as_ref().filter(|_| !empty) {
                    <ModelInputView pixels={pixels} side={side} />
                    <p class="timing" data-testid="timing">{ format!("Guessed in {:.1} ms, on this device", p.millis) }</p>
                }
                if !labels.is_empty() {
                    <KnownClasses labels={labels} />
                }
            </aside>
        </div>
        </>
    }
}
