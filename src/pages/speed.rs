//! "How fast is this device?", on the share page: the worker times each model of
//! `speed::TIMED` on a house drawing or the sample photo (`Request::Benchmark`, as
//! `scripts/bench.sh` does), and the page shows the medians and one line to copy. Its steps, and
//! what a worker restart does to them, are `state::speed`.

use crate::inference::Inference;
use crate::pages::clean::SAMPLE;
use crate::state::app::{AppState, ModelStatus};
use crate::state::speed::{SpeedAction, SpeedState, Stage};
use playground_core::input::ModelInput;
use playground_core::protocol::Reply;
use playground_core::registry::ModelKey;
use playground_core::speed::{self, Sample, Timing, TIMED};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

#[component]
pub fn SpeedTest() -> Html {
    let inference = use_context::<Inference>().expect("App provides Inference");
    let app = use_context::<UseReducerHandle<AppState>>().expect("App provides AppState");
    let state = use_reducer(SpeedState::default);
    let photo = use_state(|| None::<Vec<u8>>);
    let copied = use_state(|| false);

    let start = {
        let (inference, dispatcher, photo, copied) =
            (inference.clone(), state.dispatcher(), photo.clone(), copied.clone());
        Callback::from(move |_| {
            copied.set(false);
            // Asked here, not only by the effect below, so that a model that failed before shows
            // as loading again (the retry) when the test first looks.
            TIMED.iter().for_each(|(model, ..)| inference.0.load(model));
            dispatcher.dispatch(SpeedAction::Start);
            if photo.is_none() {
                let (photo, dispatcher) = (photo.clone(), dispatcher.clone());
                spawn_local(async move {
                    match crate::fetch::bytes(SAMPLE).await {
                        Some(bytes) => photo.set(Some(bytes)),
                        None => dispatcher.dispatch(SpeedAction::NotReady(
                            "The sample photo could not be downloaded (are you offline?).".into(),
                        )),
                    }
                });
            }
        })
    };

    // While it runs, the models are wanted: a new worker (after a crash, or the bigger build
    // the photo model needs, which replaces the sketch page's) loads them again.
    {
        let inference = inference.clone();
        use_effect_with(state.busy(), move |busy| {
            let busy = *busy;
            if busy {
                TIMED.iter().for_each(|(model, ..)| inference.0.want(model));
            }
            move || {
                if busy {
                    TIMED.iter().for_each(|(model, ..)| inference.0.unwant(model));
                }
            }
        });
    }
    {
        let (inference, dispatcher) = (inference.clone(), state.dispatcher());
        use_effect_with((), move |_| {
            let sub = inference
                .0
                .on_restart(Callback::from(move |_| dispatcher.dispatch(SpeedAction::WorkerRestarted)));
            move || drop(sub)
        });
    }

    // Waiting for the models: a model that failed to load ends the test with its reason.
    let failed_load = TIMED.iter().find_map(|(model, shown, ..)| match app.models.get(*model) {
        Some(ModelStatus::Failed(why)) => Some(format!("The {shown} model could not be loaded: {why}")),
        _ => None,
    });
    let all_ready = TIMED.iter().all(|(model, ..)| app.model_ready(model));
    {
        let dispatcher = state.dispatcher();
        use_effect_with(
            (state.stage.clone(), all_ready, photo.is_some(), failed_load),
            move |(now, all_ready, photo_here, failed)| {
                if matches!(now, Stage::Loading { .. }) {
                    if let Some(why) = failed {
                        dispatcher.dispatch(SpeedAction::NotReady(why.clone()));
                    } else if *all_ready && *photo_here {
                        dispatcher.dispatch(SpeedAction::Ready);
                    }
                }
            },
        );
    }

    // One model at a time, in order; each reply starts the next.
    {
        let (dispatcher, photo, inference) = (state.dispatcher(), photo.clone(), inference.clone());
        use_effect_with(state.stage.clone(), move |now| {
            if let Stage::Timing(step) = *now {
                let (model, shown, sample, runs) = TIMED[step];
                let input = match sample {
                    Sample::Photo => ModelInput::Photo((*photo).clone().unwrap_or_default()),
                    Sample::Drawing => ModelInput::Strokes(speed::house()),
                };
                let on_reply = Callback::from(move |(_, reply): (_, Reply)| match reply {
                    Reply::Benchmark { infer_ms, classify_ms, threads, .. } => {
                        dispatcher.dispatch(SpeedAction::Timed {
                            step,
                            timing: Timing::from_runs(shown, &infer_ms, &classify_ms, threads),
                        })
                    }
                    Reply::Failed(why) => dispatcher.dispatch(SpeedAction::StepFailed { step, why }),
                    _ => {}
                });
                inference.0.benchmark(ModelKey::from(model), input, runs, on_reply);
            }
        });
    }

    let navigator = gloo::utils::window().navigator();
    let line = speed::summary(
        &navigator.user_agent().unwrap_or_default(),
        navigator.hardware_concurrency() as u32,
        &state.timings,
    );
    let copy = {
        let (line, copied) = (line.clone(), copied.clone());
        Callback::from(move |_| {
            let _ = gloo::utils::window().navigator().clipboard().write_text(&line);
            copied.set(true);
        })
    };
    let busy = state.busy();
    let status = state.status();
    html! {
        <section class="speed" data-testid="speed" aria-labelledby="speed-title">
            <h2 id="speed-title">{ "How fast is this device?" }</h2>
            <p class="small">
                { "Times each model in this page, on this device: compare with the people next to you. \
                   Nothing is sent anywhere." }
            </p>
            <button onclick={start} disabled={busy} data-testid="speed-run">
                { if state.stage == Stage::Idle { "Run the speed test" } else { "Run it again" } }
            </button>
            <p class={classes!("speed-status", matches!(state.stage, Stage::Failed(_)).then_some("error"))}
                role="status" data-testid="speed-status">{ status }</p>
            if !state.timings.is_empty() {
                <table class="speed-table" data-testid="speed-table">
                    <thead><tr>
                        <th scope="col">{ "model" }</th>
                        <th scope="col">{ "inference" }</th>
                        <th scope="col">{ "whole answer" }</th>
                        <th scope="col">{ "runs" }</th>
                    </tr></thead>
                    <tbody>
                        { for state.timings.iter().map(|t| html! {
                            <tr data-model={t.model.clone()}>
                                <th scope="row">{ &t.model }</th>
                                <td>{ speed::ms(t.infer_ms) }</td>
                                <td>{ speed::ms(t.answer_ms) }</td>
                                <td>{ t.runs }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
                // Beside the table, not in a cell: "on 2 threads" in one made it wider than a phone.
                { for state.timings.iter().filter(|t| t.threads > 1).map(|t| html! {
                    <p class="speed-status" data-testid="speed-threads">
                        { format!("The {} model ran{}.", t.model, speed::on_threads(t)) }
                    </p>
                }) }
            }
            if state.stage == Stage::Done {
                <p class="speed-line" data-testid="speed-line">{ line }</p>
                <button onclick={copy} data-testid="speed-copy">{ if *copied { "Copied" } else { "Copy this line" } }</button>
            }
        </section>
    }
}
