use crate::app::Inference;
use crate::components::guess_list::GuessList;
use crate::components::model_input_view::ModelInputView;
use crate::components::sketch_canvas::SketchCanvas;
use crate::components::status_bar::ModelStatusBar;
use crate::state::{AppState, ModelStatus, SketchAction, SketchState};
use playground_core::protocol::Seq;
use playground_core::sketch::Stroke;
use std::cell::Cell;
use std::rc::Rc;
use yew::prelude::*;

pub const MODEL: &str = "sketch";

/// Draw, and the model guesses live.
#[component]
pub fn SketchPage() -> Html {
    let inference = use_context::<Inference>().expect("App provides Inference");
    let app = use_context::<UseReducerHandle<AppState>>().expect("App provides AppState");
    let state = use_reducer(SketchState::default);
    let last_seq: Rc<Cell<Seq>> = use_memo((), |_| Cell::new(0));
    let ready = app.model_ready(MODEL);

    // Answers from the worker land in this page's reducer, which drops stale ones.
    {
        let (inference, dispatcher) = (inference.clone(), state.dispatcher());
        use_effect_with((), move |_| {
            inference.0.load(MODEL);
            let subscription =
                inference.0.subscribe(Callback::from(move |r| dispatcher.dispatch(SketchAction::Answer(r))));
            move || drop(subscription)
        });
    }
    let classify = {
        let (inference, last_seq) = (inference.clone(), last_seq.clone());
        Rc::new(move |strokes: Vec<Stroke>| {
            let seq = last_seq.get() + 1;
            last_seq.set(seq);
            inference.0.classify_sketch(seq, MODEL, strokes);
        })
    };
    // Guess after each stroke, and again when the model becomes ready (first load, restart).
    {
        let classify = classify.clone();
        use_effect_with((state.strokes.clone(), ready), move |(strokes, ready)| {
            if *ready && !strokes.is_empty() {
                classify(strokes.to_vec());
            }
        });
    }
    let on_stroke = {
        let dispatcher = state.dispatcher();
        Callback::from(move |stroke: Stroke| dispatcher.dispatch(SketchAction::Commit(stroke)))
    };
    let on_drawing = {
        let (strokes, classify) = (state.strokes.clone(), classify.clone());
        Callback::from(move |partial: Stroke| {
            if ready {
                classify(strokes.iter().cloned().chain([partial]).collect());
            }
        })
    };
    let undo = {
        let (dispatcher, last_seq) = (state.dispatcher(), last_seq.clone());
        Callback::from(move |_| dispatcher.dispatch(SketchAction::Undo { next_seq: last_seq.get() + 1 }))
    };
    let clear = {
        let (dispatcher, last_seq) = (state.dispatcher(), last_seq.clone());
        Callback::from(move |_| dispatcher.dispatch(SketchAction::Clear { next_seq: last_seq.get() + 1 }))
    };

    let labels = match app.models.get(MODEL) {
        Some(ModelStatus::Ready { labels, .. }) => labels.join(", "),
        _ => String::new(),
    };
    let placeholder = if state.strokes.is_empty() {
        "Draw something: I will guess as you draw."
    } else if ready {
        "Thinking…"
    } else {
        "Waiting for the model…"
    };
    let guesses = state.prediction.as_ref().map(|p| p.top.clone()).unwrap_or_default();
    let (pixels, side) = match &state.prediction {
        Some(p) if !state.strokes.is_empty() => (p.input.clone(), p.input_side),
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
                    <button onclick={undo} disabled={empty} data-testid="undo">{ "Undo" }</button>
                    <button onclick={clear} disabled={empty} data-testid="clear">{ "Clear" }</button>
                </div>
            </div>
            <aside class="side">
                <h2>{ "I see…" }</h2>
                <GuessList guesses={guesses} placeholder={placeholder} seq={state.prediction.as_ref().map_or(0, |p| p.seq)} />
                if let Some(error) = &state.error {
                    <p class="error" role="alert" data-testid="sketch-error">{ error }</p>
                }
                if let Some(p) = state.prediction.as_ref().filter(|_| !empty) {
                    <p class="timing" data-testid="timing">{ format!("{:.1} ms in the worker", p.millis) }</p>
                }
                <ModelInputView pixels={pixels} side={side} />
                if !labels.is_empty() {
                    <details class="known">
                        <summary>{ "What can I recognise?" }</summary>
                        <p>{ labels }</p>
                    </details>
                }
            </aside>
        </div>
        </>
    }
}
