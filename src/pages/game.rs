use crate::components::drawing_thumb::DrawingThumb;
use crate::components::sketch_canvas::SketchCanvas;
use crate::components::status_bar::ModelStatusBar;
use crate::hooks::{use_classify_strokes, use_model};
use crate::state::{GameAction, GamePhase, GameState};
use gloo::timers::callback::{Interval, Timeout};
use playground_core::game::{self, MIN_HELDOUT_TOP1, ROUNDS, ROUND_SECONDS};
use playground_core::sketch::Stroke;
use web_sys::{SpeechSynthesisUtterance, UrlSearchParams};
use yew::prelude::*;

const MODEL: &str = "sketch";
/// Held-out accuracy per class, written by models/train/evaluate.py: prompts come only from
/// classes the model recognises well.
const EVAL_JSON: &str = include_str!("../../models/sketch/eval.json");

fn now_ms() -> f64 {
    gloo::utils::window().performance().map(|p| p.now()).unwrap_or_default()
}

/// Prompts for a new game: `#/game?prompts=a,b,…` (a teacher's list, or a test's), else six
/// random well-recognised classes.
fn new_prompts() -> Vec<String> {
    let hash = gloo::utils::window().location().hash().unwrap_or_default();
    let query = hash.split_once('?').map(|(_, q)| q.to_string()).unwrap_or_default();
    if let Some(list) = UrlSearchParams::new_with_str(&query).ok().and_then(|q| q.get("prompts")) {
        // Every class the model knows (eval.json lists them all), not only the playable ones.
        let known = game::playable_classes(EVAL_JSON, 0.0).unwrap_or_default();
        let prompts = game::prompts_from_list(&list, &known);
        if !prompts.is_empty() {
            return prompts;
        }
    }
    let classes = game::playable_classes(EVAL_JSON, MIN_HELDOUT_TOP1).unwrap_or_default();
    game::pick_prompts(&classes, ROUNDS, js_sys::Math::random)
}

fn speak(text: &str) {
    if let (Ok(synth), Ok(utterance)) =
        (gloo::utils::window().speech_synthesis(), SpeechSynthesisUtterance::new_with_text(text))
    {
        synth.cancel();
        synth.speak(&utterance);
    }
}

/// Quick, Draw! as a game: six prompts, 20 seconds each, the model guesses aloud.
#[component]
pub fn GamePage() -> Html {
    let state = use_reducer(GameState::default);
    let line = use_model(MODEL, {
        let dispatcher = state.dispatcher();
        Callback::from(move |r| dispatcher.dispatch(GameAction::Answer(r)))
    });
    use_classify_strokes(&line, state.strokes.clone());
    let ready = line.ready;
    let remaining = use_state(|| ROUND_SECONDS);
    let sound = use_state(|| false);

    // The countdown of a round, and the pause after it.
    {
        let (dispatcher, remaining, line) = (state.dispatcher(), remaining.clone(), line.clone());
        use_effect_with((state.phase, state.round), move |(phase, _)| {
            let mut interval = None;
            let mut timeout = None;
            match phase {
                GamePhase::Drawing => {
                    let started = now_ms();
                    remaining.set(ROUND_SECONDS);
                    interval = Some(Interval::new(100, move || {
                        let left = (ROUND_SECONDS - (now_ms() - started) / 1000.0).max(0.0);
                        remaining.set(left);
                        if left <= 0.0 {
                            dispatcher.dispatch(GameAction::TimeUp);
                        }
                    }));
                }
                GamePhase::RoundOver => {
                    timeout = Some(Timeout::new(2_000, move || {
                        dispatcher.dispatch(GameAction::Next { next_seq: line.last_seq() + 1 })
                    }));
                }
                _ => {}
            }
            move || drop((interval, timeout))
        });
    }
    // Guess aloud when sound is on.
    {
        // A guess the model is not sure of stays unspoken.
        let top = state.top.first().filter(|_| !state.not_sure).map(|g| g.label.clone());
        let result = (state.phase == GamePhase::RoundOver).then(|| state.results.last().cloned()).flatten();
        use_effect_with((top, result, *sound), move |(top, result, sound)| {
            if *sound {
                match (result, top) {
                    (Some(r), _) if r.guessed => speak(&format!("Oh, I know, it's a {}!", r.prompt)),
                    (Some(_), _) => speak("Sorry, I couldn't guess it."),
                    (None, Some(label)) => speak(&format!("{label}?")),
                    _ => {}
                }
            }
        });
    }

    let start = {
        let (dispatcher, line) = (state.dispatcher(), line.clone());
        Callback::from(move |_| {
            dispatcher.dispatch(GameAction::Start { prompts: new_prompts(), next_seq: line.last_seq() + 1 })
        })
    };
    let on_stroke = {
        let dispatcher = state.dispatcher();
        Callback::from(move |stroke: Stroke| dispatcher.dispatch(GameAction::Commit(stroke)))
    };
    let on_drawing = {
        let (strokes, line, dispatcher) = (state.strokes.clone(), line.clone(), state.dispatcher());
        Callback::from(move |partial: Stroke| {
            if line.ready {
                line.classify_strokes(strokes.iter().cloned().chain([partial.clone()]).collect());
                dispatcher.dispatch(GameAction::Drawing(partial));
            }
        })
    };
    let toggle_sound = {
        let sound = sound.clone();
        Callback::from(move |_| sound.set(!*sound))
    };
    let sound_button = html! {
        <button onclick={toggle_sound} aria-pressed={sound.to_string()} data-testid="sound">
            { if *sound { "Sound: on" } else { "Sound: off" } }
        </button>
    };

    let body = match state.phase {
        GamePhase::Intro => html! {
            <div class="game-intro">
                <h2>{ "Can a neural network recognise your doodles?" }</h2>
                <p>{ format!("{ROUNDS} things to draw, {ROUND_SECONDS:.0} seconds each. It guesses while you draw.") }</p>
                <div class="tools">
                    <button class="primary" onclick={start.clone()} disabled={!ready} data-testid="start">{ "Start" }</button>
                    { sound_button.clone() }
                </div>
            </div>
        },
        GamePhase::Drawing | GamePhase::RoundOver => {
            let prompt = state.prompt().unwrap_or_default().to_string();
            let live = match (state.phase, state.results.last()) {
                (GamePhase::RoundOver, Some(r)) if r.guessed => format!("Oh, I know — it's a {}!", r.prompt),
                (GamePhase::RoundOver, _) => "Sorry, I couldn't guess it.".to_string(),
                _ => match state.top.as_slice() {
                    [] => "…".to_string(),
                    [a, ..] if state.not_sure => format!("Not sure yet… {}?", a.label),
                    [a] => format!("I see {}", a.label),
                    [a, b, ..] => format!("I see {}, or {}…", a.label, b.label),
                },
            };
            html! {
                <div class="game-board">
                    <div class="game-head">
                        <p class="prompt" data-testid="prompt" data-label={prompt.clone()}>
                            { format!("Draw: {prompt}") }
                        </p>
                        <p class="countdown" data-testid="countdown" aria-hidden="true">{ format!("{:.0}", remaining.ceil()) }</p>
                        <p class="round">{ format!("{} / {}", state.round + 1, state.prompts.len()) }</p>
                    </div>
                    <p class={classes!("game-guess", (state.phase == GamePhase::RoundOver).then_some("over"))}
                        aria-live="polite" data-testid="game-guess">{ live }</p>
                    <SketchCanvas strokes={state.strokes.clone()} on_stroke={on_stroke} on_drawing={on_drawing} />
                    <div class="tools">{ sound_button.clone() }</div>
                </div>
            }
        }
        GamePhase::Finished => {
            let score = state.results.iter().filter(|r| r.guessed).count();
            html! {
                <div class="game-end">
                    <h2 data-testid="score">{ format!("I recognised {score} of your {} drawings", state.results.len()) }</h2>
                    <div class="gallery">
                        { for state.results.iter().map(|r| {
                            let verdict = match (&r.top, r.guessed) {
                                (Some(g), true) => format!("I guessed it: {} ({:.0}%)", g.label, g.probability * 100.0),
                                (Some(g), false) => format!("I thought: {} ({:.0}%)", g.label, g.probability * 100.0),
                                (None, _) => "I had no guess".to_string(),
                            };
                            html! {
                                <div class={classes!("card", r.guessed.then_some("won"))} data-testid="result">
                                    <h3>{ &r.prompt }</h3>
                                    <DrawingThumb strokes={r.strokes.clone()} name={r.prompt.clone()} />
                                    <p>{ verdict }</p>
                                </div>
                            }
                        }) }
                    </div>
                    <button class="primary" onclick={start} data-testid="play-again">{ "Play again" }</button>
                </div>
            }
        }
    };
    html! {
        <>
        <ModelStatusBar model={MODEL} />
        <div class="game-page">{ body }</div>
        </>
    }
}
