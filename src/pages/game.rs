use crate::components::drawing_thumb::DrawingThumb;
use crate::components::sketch_canvas::SketchCanvas;
use crate::components::status_bar::ModelStatusBar;
use crate::hooks::{use_classify_strokes, use_model};
use crate::state::game::{GameAction, GamePhase, GameState, Round};
use gloo::timers::callback::{Interval, Timeout};
use playground_core::game::{self, Example, Examples, MIN_HELDOUT_TOP1, ROUNDS, ROUND_SECONDS};
use playground_core::sketch::Stroke;
use playground_core::words;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use web_sys::{SpeechSynthesisUtterance, UrlSearchParams};
use yew::prelude::*;

pub const MODEL: &str = playground_core::registry::SKETCH;
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

const SOUND_KEY: &str = "playground-sound";

/// Speech is on by default where the browser can speak; a person's "off" is remembered.
fn sound_at_start() -> bool {
    gloo::utils::window().speech_synthesis().is_ok() && crate::prefs::flag(SOUND_KEY) != Some(false)
}

/// "How others drew it", fetched when a game ends (not needed before).
const EXAMPLES_URL: &str = "./models/sketch/examples.json";

async fn fetch_examples() -> Option<Examples> {
    Examples::parse(&crate::fetch::text(EXAMPLES_URL).await?).ok()
}

/// Quick, Draw! as a game: six prompts, 20 seconds each, the model guesses aloud.
#[component]
pub fn GamePage() -> Html {
    let state = use_reducer(GameState::default);
    let line = use_model(MODEL, {
        let dispatcher = state.dispatcher();
        Callback::from(move |(id, reply)| dispatcher.dispatch(GameAction::Answer(id, reply)))
    });
    use_classify_strokes(&line, state.strokes.clone());
    let ready = line.ready;
    let remaining = use_state(|| ROUND_SECONDS);
    let sound = use_state(sound_at_start);
    let examples = use_state(|| None::<Rc<Examples>>);
    // Where focus goes when the control that had it goes away (Start, Skip, the last round).
    let prompt_ref = use_node_ref();
    let score_ref = use_node_ref();

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
                        dispatcher.dispatch(GameAction::Next { next: line.next_id() })
                    }));
                }
                _ => {}
            }
            move || drop((interval, timeout))
        });
    }
    // Focus: each round's prompt, then the final score, so a screen reader reads them out (and
    // focus never drops to the page when Start or Skip goes away).
    {
        let (prompt_ref, score_ref, examples) = (prompt_ref.clone(), score_ref.clone(), examples.clone());
        use_effect_with((state.phase, state.round), move |(phase, _)| match phase {
            GamePhase::Drawing => focus(&prompt_ref),
            GamePhase::Finished => {
                focus(&score_ref);
                if examples.is_none() {
                    spawn_local(async move {
                        if let Some(e) = fetch_examples().await {
                            examples.set(Some(Rc::new(e)));
                        }
                    });
                }
            }
            _ => {}
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
                    (Some(r), _) => speak(&round_verdict(r)),
                    (None, Some(label)) => speak(&format!("{}?", words::noun_phrase(label))),
                    _ => {}
                }
            }
        });
    }

    let start = {
        let (dispatcher, line) = (state.dispatcher(), line.clone());
        Callback::from(move |_| {
            dispatcher.dispatch(GameAction::Start { prompts: new_prompts(), next: line.next_id() })
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
    let clear = {
        let (dispatcher, line) = (state.dispatcher(), line.clone());
        Callback::from(move |_| dispatcher.dispatch(GameAction::Clear { next: line.next_id() }))
    };
    let skip = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(GameAction::Skip))
    };
    let toggle_sound = {
        let sound = sound.clone();
        Callback::from(move |_| {
            crate::prefs::set_flag(SOUND_KEY, !*sound);
            sound.set(!*sound)
        })
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
            let over = state.phase == GamePhase::RoundOver;
            let live = match state.results.last() {
                Some(r) if over => round_verdict(r),
                _ => {
                    let top: Vec<&str> = state.top.iter().map(|g| g.label.as_str()).collect();
                    game::live_line(&top, state.not_sure)
                }
            };
            html! {
                <div class="game-board">
                    <div class="game-head">
                        <h2 class="prompt" ref={prompt_ref.clone()} tabindex="-1" data-testid="prompt" data-label={prompt.clone()}>
                            { format!("Draw {}", words::noun_phrase(&prompt)) }
                        </h2>
                        <p class="countdown" data-testid="countdown" aria-hidden="true">{ format!("{:.0}", remaining.ceil()) }</p>
                        <p class="round">{ format!("{} / {}", state.round + 1, state.prompts.len()) }</p>
                    </div>
                    <p class={classes!("game-guess", over.then_some("over"))}
                        aria-live="polite" data-testid="game-guess">{ live }</p>
                    <SketchCanvas strokes={state.strokes.clone()} on_stroke={on_stroke} on_drawing={on_drawing} />
                    <div class="tools">
                        <button onclick={clear} disabled={over || state.strokes.is_empty()} data-testid="game-clear">{ "Clear" }</button>
                        <button onclick={skip} disabled={over} data-testid="skip">{ "Skip" }</button>
                        { sound_button.clone() }
                    </div>
                </div>
            }
        }
        GamePhase::Finished => {
            let score = state.results.iter().filter(|r| r.guessed).count();
            html! {
                <div class="game-end">
                    <h2 ref={score_ref.clone()} tabindex="-1" data-testid="score">{ game::score_line(score, state.results.len()) }</h2>
                    <div class="gallery">
                        { for state.results.iter().map(|r| {
                            let verdict = match (r.top.first(), r.guessed) {
                                (Some(g), true) => format!("I guessed it: {} ({:.0}%)", g.label, g.probability * 100.0),
                                (Some(g), false) => format!("I thought: {} ({:.0}%)", g.label, g.probability * 100.0),
                                (None, _) => "I had no guess".to_string(),
                            };
                            let others = (*examples).as_ref().and_then(|e| e.classes.get(&r.prompt).cloned()).unwrap_or_default();
                            html! {
                                <div class={classes!("card", r.guessed.then_some("won"))} data-testid="result">
                                    <h3>{ &r.prompt }</h3>
                                    <DrawingThumb strokes={r.strokes.clone()} label={format!("your drawing of {}", words::noun_phrase(&r.prompt))}
                                        download={r.prompt.clone()} />
                                    <p>{ verdict }</p>
                                    if !others.is_empty() {
                                        <p class="others-title">{ "How others drew it" }</p>
                                        <div class="others" data-testid="others">
                                            { for others.iter().enumerate().map(|(i, e)| other_drawing(e, &r.prompt, i)) }
                                        </div>
                                    }
                                </div>
                            }
                        }) }
                    </div>
                    if let Some(e) = (*examples).as_ref() {
                        <p class="small">{ e.credit.replace(" (https://quickdraw.withgoogle.com/data)", "") }</p>
                    }
                    <div class="tools">
                        <button class="primary" onclick={start} data-testid="play-again">{ "Play again" }</button>
                        { sound_button }
                    </div>
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

/// What the game says when a round ends: won, missed (with what it thought instead) or skipped.
fn round_verdict(r: &Round) -> String {
    if r.guessed {
        return game::won_line(&r.prompt);
    }
    let thought: Vec<&str> = r.top.iter().map(|g| g.label.as_str()).collect();
    game::missed_line(r.skipped, &thought)
}

/// One drawing by someone else: strokes redrawn, or the dataset's 28×28 bitmap.
fn other_drawing(example: &Example, prompt: &str, i: usize) -> Html {
    let alt = format!("{} drawn by a Quick, Draw! player", words::noun_phrase(prompt));
    match (example, example.points()) {
        (_, Some(strokes)) => html! { <DrawingThumb strokes={Rc::new(strokes)} label={alt} key={i} /> },
        (Example::Png { png }, None) => {
            html! { <img src={png.clone()} alt={alt} width="64" height="64" key={i} /> }
        }
        _ => html! {},
    }
}

fn focus(node: &NodeRef) {
    if let Some(el) = node.cast::<web_sys::HtmlElement>() {
        let _ = el.focus();
    }
}
