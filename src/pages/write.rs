use crate::components::status_bar::ModelStatusBar;
use crate::hooks::use_model;
use crate::state::app::AppState;
use crate::state::write::{WriteAction, WriteState};
use wasm_bindgen::JsCast;
use yew::prelude::*;

pub const MODEL: &str = playground_core::registry::SHAKESPEARE;
/// Lengths a person can ask for, in characters.
const LENGTHS: [usize; 3] = [200, 500, 1000];
const DEFAULT_PROMPT: &str = "ROMEO:\nBut soft, what light";
/// The end of a long prompt shown above the written text.
const PROMPT_SHOWN: usize = 300;

fn now_ms() -> f64 {
    gloo::utils::window().performance().map(|p| p.now()).unwrap_or_default()
}

fn target_value<T: JsCast>(e: &Event) -> Option<T> {
    e.target().and_then(|t| t.dyn_into::<T>().ok())
}

/// Type the start of a scene; a small transformer trained on Shakespeare's plays continues it,
/// character by character, as the characters come.
#[component]
pub fn WritePage() -> Html {
    let app = use_context::<UseReducerHandle<AppState>>().expect("App provides AppState");
    let state = use_reducer(WriteState::default);
    let line = use_model(MODEL, {
        let dispatcher = state.dispatcher();
        Callback::from(move |(id, reply)| dispatcher.dispatch(WriteAction::Answer(id, reply, now_ms())))
    });
    let prompt = use_state(|| DEFAULT_PROMPT.to_string());
    let length = use_state(|| LENGTHS[1]);

    // The next few characters whenever the last ones came (or the writing started, or the model
    // is back after a worker restart).
    {
        let (line, chunk) = (line.clone(), state.next_chunk());
        let deps = (state.chunks, state.writing, state.started_at.to_bits(), line.ready);
        use_effect_with(deps, move |_| {
            if let Some(chunk) = chunk.filter(|_| line.ready) {
                line.write(chunk.text, chunk.count, chunk.temperature, chunk.seed);
            }
        });
    }
    let temperature = state.temperature;
    let start = {
        let (dispatcher, line, prompt, length) =
            (state.dispatcher(), line.clone(), prompt.clone(), length.clone());
        Callback::from(move |_| {
            dispatcher.dispatch(WriteAction::Start {
                next: line.next_id(),
                prompt: (*prompt).clone(),
                target: *length,
                temperature,
                seed: (js_sys::Math::random() * 1e15) as u64,
                now: now_ms(),
            })
        })
    };
    let stop = {
        let (dispatcher, line) = (state.dispatcher(), line.clone());
        Callback::from(move |_| dispatcher.dispatch(WriteAction::Stop { next: line.next_id() }))
    };
    let on_prompt = {
        let prompt = prompt.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(area) = target_value::<web_sys::HtmlTextAreaElement>(&e) {
                prompt.set(area.value());
            }
        })
    };
    let on_temperature = {
        let dispatcher = state.dispatcher();
        Callback::from(move |e: InputEvent| {
            if let Some(t) =
                target_value::<web_sys::HtmlInputElement>(&e).and_then(|i| i.value().parse().ok())
            {
                dispatcher.dispatch(WriteAction::Temperature(t));
            }
        })
    };
    let on_length = {
        let length = length.clone();
        Callback::from(move |e: Event| {
            if let Some(n) =
                target_value::<web_sys::HtmlSelectElement>(&e).and_then(|s| s.value().parse().ok())
            {
                length.set(n);
            }
        })
    };

    // Characters the model never saw are read as spaces: say which (once per edit, not per
    // render: a pasted prompt can be a whole play).
    let alphabet: String = app.known_labels(MODEL).concat();
    let unknown = use_memo(((*prompt).clone(), alphabet), |(prompt, alphabet)| {
        let mut unknown: Vec<char> =
            prompt.chars().filter(|&c| !alphabet.is_empty() && !alphabet.contains(c)).collect();
        unknown.sort_unstable();
        unknown.dedup();
        unknown
    });
    let shown_prompt: String = {
        let chars: Vec<char> = state.prompt.chars().collect();
        let from = chars.len().saturating_sub(PROMPT_SHOWN);
        (if from > 0 { "…" } else { "" }).chars().chain(chars[from..].iter().copied()).collect()
    };
    let has_text = state.writing || !state.written.is_empty();
    let (written, elapsed) = (state.written_chars(), state.last_at - state.started_at);

    html! {
        <>
        <ModelStatusBar model={MODEL} />
        <div class="write-page">
            <section class="write-controls" aria-label="what to write">
                <label for="write-prompt">{ "The start of a scene" }</label>
                <textarea id="write-prompt" rows="4" value={(*prompt).clone()} oninput={on_prompt}
                    spellcheck="false" data-testid="write-prompt" />
                if !unknown.is_empty() {
                    <p class="hint" data-testid="write-unknown">
                        { format!("Not in its alphabet, read as spaces: {}", unknown.iter().map(|c| format!("“{c}”")).collect::<Vec<_>>().join(" ")) }
                    </p>
                }
                <div class="write-settings">
                    <label>
                        { format!("Boldness (temperature) {temperature:.1}") }
                        <input type="range" min="0" max="1.5" step="0.1" value={temperature.to_string()}
                            oninput={on_temperature} data-testid="write-temperature" />
                    </label>
                    <label>
                        { "Length " }
                        <select onchange={on_length} data-testid="write-length">
                            { for LENGTHS.iter().map(|&n| html! {
                                <option value={n.to_string()} selected={n == *length}>{ format!("{n} characters") }</option>
                            }) }
                        </select>
                    </label>
                    if state.writing {
                        <button onclick={stop} data-testid="write-stop">{ "Stop" }</button>
                    } else {
                        <button class="primary" onclick={start} disabled={!line.ready} data-testid="write-start">
                            { if line.ready { "Write" } else { "Waiting for the model…" } }
                        </button>
                    }
                </div>
                <p class="hint">{ "0: always its likeliest letter. Higher: bolder, stranger. It reads the last 128 characters." }</p>
            </section>
            <section class="write-output" aria-label="the text" aria-live="off">
                if has_text {
                    <pre class="written" data-testid="write-output"><span class="written-prompt">{ shown_prompt }</span><span data-testid="write-text">{ state.written.clone() }</span>
                        if state.writing { <span class="cursor" aria-hidden="true">{ "▍" }</span> }
                    </pre>
                } else {
                    <p class="placeholder">{ "Press Write: a small neural network continues your text, one letter at a time." }</p>
                }
                if let Some(error) = &state.error {
                    <p class="error" role="alert" data-testid="write-error">{ error }</p>
                }
                if let Some(speed) = state.chars_per_second() {
                    <p class="timing" data-testid="write-speed" data-chars={written.to_string()} data-ms={format!("{elapsed:.0}")}>
                        { format!("{written} characters in {:.1} s: {speed:.0} a second, on this device", elapsed / 1000.0) }
                        if !state.writing && written < state.target { { " (stopped)" } }
                    </p>
                }
                <p class="hint">{ "A 1.8-million-parameter transformer trained here on Shakespeare's plays, letter by letter: it has learned spelling, names and the shape of a play, not their sense. It is not GPT-2." }</p>
            </section>
        </div>
        </>
    }
}
