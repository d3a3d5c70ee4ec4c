use crate::components::guess_list::GuessList;
use crate::components::model_input_view::ModelInputView;
use crate::components::photo_source::PhotoSource;
use crate::components::status_bar::ModelStatusBar;
use crate::hooks::use_model;
use crate::state::photo::{PhotoAction, PhotoState};
use playground_core::input::ModelInput;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

pub const MODEL: &str = playground_core::registry::PHOTO;

/// Drop, pick, paste or snap a photo; the worker decodes it and the model names it.
#[component]
pub fn PhotoPage() -> Html {
    let state = use_reducer(PhotoState::default);
    let line = use_model(MODEL, {
        let dispatcher = state.dispatcher();
        Callback::from(move |(id, reply)| dispatcher.dispatch(PhotoAction::Answer(id, reply)))
    });
    // A photo given before the model is ready waits here.
    let waiting: Rc<RefCell<Option<Vec<u8>>>> = use_memo((), |_| RefCell::new(None));
    {
        let (line, waiting) = (line.clone(), waiting.clone());
        use_effect_with(line.ready, move |ready| {
            if *ready {
                if let Some(bytes) = waiting.borrow_mut().take() {
                    line.run(ModelInput::Photo(bytes));
                }
            }
        });
    }
    let on_photo = {
        let (line, dispatcher, waiting) = (line.clone(), state.dispatcher(), waiting.clone());
        Callback::from(move |(source, bytes): (String, Vec<u8>)| {
            // Its request (now, or once the model is in) gets this id or a later one.
            dispatcher.dispatch(PhotoAction::Submitted { next: line.next_id(), source });
            if line.ready {
                line.run(ModelInput::Photo(bytes));
            } else {
                *waiting.borrow_mut() = Some(bytes);
            }
        })
    };
    let on_refused = {
        let dispatcher = state.dispatcher();
        Callback::from(move |message| dispatcher.dispatch(PhotoAction::Refused(message)))
    };

    let prediction = state.prediction.clone();
    let guesses = prediction.as_ref().map(|p| p.answer.top.clone()).unwrap_or_default();
    let placeholder =
        if state.busy { "Looking…" } else { "Give me a photo and I will name what is in it." };
    html! {
        <>
        <ModelStatusBar model={MODEL} />
        <div class="photo-page">
            <PhotoSource {on_photo} {on_refused} />
            <aside class="side">
                <h2>{ "I see…" }</h2>
                <GuessList guesses={guesses} placeholder={placeholder} seq={state.prediction_id} />
                if let Some(error) = &state.error {
                    <p class="error" role="alert" data-testid="photo-error">{ error }</p>
                }
                if let Some(p) = &prediction {
                    <details class="under-the-hood">
                        <summary>{ "Under the hood" }</summary>
                        <p class="timing" data-testid="timing">
                            { format!("{:.0} ms on this device: {:.0} ms decoding and resizing, {:.0} ms for the neural network",
                                p.millis, p.millis - p.infer_millis, p.infer_millis) }
                        </p>
                        <ModelInputView pixels={p.view.pixels.clone()} side={p.view.side} channels={p.view.channels} />
                    </details>
                }
            </aside>
        </div>
        </>
    }
}
