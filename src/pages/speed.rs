//! "How fast is this device?", on the share page: the worker times each model of
//! `speed::TIMED` on a house drawing or the sample photo (`Request::Benchmark`, as
//! `scripts/bench.sh` does), and the page shows the medians and one line to copy.

use crate::inference::Inference;
use crate::pages::clean::SAMPLE;
use crate::state::app::{AppState, ModelStatus};
use playground_core::input::ModelInput;
use playground_core::protocol::Reply;
use playground_core::registry::ModelKey;
use playground_core::speed::{self, Sample, Timing, TIMED};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

#[derive(Clone, PartialEq)]
enum Stage {
    Idle,
    /// The models and the sample photo are on their way.
    Loading,
    /// Timing `TIMED[i]`.
    Timing(usize),
    Done,
    Failed(String),
}

#[component]
pub fn SpeedTest() -> Html {
    let inference = use_context::<Inference>().expect("App provides Inference");
    let app = use_context::<UseReducerHandle<AppState>>().expect("App provides AppState");
    let stage = use_state(|| Stage::Idle);
    let timings = use_state(Vec::<Timing>::new);
    let photo = use_state(|| None::<Vec<u8>>);
    let copied = use_state(|| false);

    let start = {
        let (inference, stage, timings, photo, copied) =
            (inference.clone(), stage.clone(), timings.clone(), photo.clone(), copied.clone());
        Callback::from(move |_| {
            timings.set(Vec::new());
            copied.set(false);
            stage.set(Stage::Loading);
            for (model, ..) in TIMED {
                inference.0.load(model);
            }
            if photo.is_none() {
                let (photo, stage) = (photo.clone(), stage.clone());
                spawn_local(async move {
                    match crate::fetch::bytes(SAMPLE).await {
                        Some(bytes) => photo.set(Some(bytes)),
                        None => stage.set(Stage::Failed(
                            "The sample photo could not be downloaded (are you offline?).".into(),
                        )),
                    }
                });
            }
        })
    };

    // Waiting for the models: a model that failed to load ends the test with its reason.
    let failed_load = TIMED.iter().find_map(|(model, shown, ..)| match app.models.get(*model) {
        Some(ModelStatus::Failed(why)) => Some(format!("The {shown} model could not be loaded: {why}")),
        _ => None,
    });
    let all_ready = TIMED.iter().all(|(model, ..)| app.model_ready(model));
    {
        let stage = stage.clone();
        use_effect_with(
            ((*stage).clone(), all_ready, photo.is_some(), failed_load.clone()),
            move |(now, all_ready, photo_here, failed)| {
                if *now == Stage::Loading {
                    if let Some(why) = failed {
                        stage.set(Stage::Failed(why.clone()));
                    } else if *all_ready && *photo_here {
                        stage.set(Stage::Timing(0));
                    }
                }
            },
        );
    }

    // One model at a time, in order; each reply starts the next.
    {
        let (stage, timings, photo, inference) =
            (stage.clone(), timings.clone(), photo.clone(), inference.clone());
        use_effect_with((*stage).clone(), move |now| {
            if let Stage::Timing(i) = *now {
                let (model, shown, sample, runs) = TIMED[i];
                let input = match sample {
                    Sample::Photo => ModelInput::Photo((*photo).clone().unwrap_or_default()),
                    Sample::Drawing => ModelInput::Strokes(speed::house()),
                };
                let on_reply = Callback::from(move |(_, reply): (_, Reply)| match reply {
                    Reply::Benchmark { infer_ms, classify_ms, .. } => {
                        let mut done = (*timings).clone();
                        done.extend(Timing::from_runs(shown, &infer_ms, &classify_ms));
                        timings.set(done);
                        stage.set(if i + 1 < TIMED.len() { Stage::Timing(i + 1) } else { Stage::Done });
                    }
                    Reply::Failed(why) => {
                        stage.set(Stage::Failed(format!("Timing the {shown} model failed: {why}")))
                    }
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
        &timings,
    );
    let copy = {
        let (line, copied) = (line.clone(), copied.clone());
        Callback::from(move |_| {
            let _ = gloo::utils::window().navigator().clipboard().write_text(&line);
            copied.set(true);
        })
    };
    let busy = matches!(*stage, Stage::Loading | Stage::Timing(_));
    let status = match &*stage {
        Stage::Idle => String::new(),
        Stage::Loading => "Loading the models…".into(),
        Stage::Timing(i) => format!("Timing the {} model…", TIMED[*i].1),
        Stage::Done => "Done.".into(),
        Stage::Failed(why) => why.clone(),
    };
    html! {
        <section class="speed" data-testid="speed" aria-labelledby="speed-title">
            <h2 id="speed-title">{ "How fast is this device?" }</h2>
            <p class="small">
                { "Times each model in this page, on this device: compare with the people next to you. \
                   Nothing is sent anywhere." }
            </p>
            <button onclick={start} disabled={busy} data-testid="speed-run">
                { if *stage == Stage::Idle { "Run the speed test" } else { "Run it again" } }
            </button>
            <p class={classes!("speed-status", matches!(*stage, Stage::Failed(_)).then_some("error"))}
                role="status" data-testid="speed-status">{ status }</p>
            if !timings.is_empty() {
                <table class="speed-table" data-testid="speed-table">
                    <thead><tr>
                        <th scope="col">{ "model" }</th>
                        <th scope="col">{ "inference" }</th>
                        <th scope="col">{ "whole answer" }</th>
                        <th scope="col">{ "runs" }</th>
                    </tr></thead>
                    <tbody>
                        { for timings.iter().map(|t| html! {
                            <tr data-model={t.model.clone()}>
                                <th scope="row">{ &t.model }</th>
                                <td>{ speed::ms(t.infer_ms) }</td>
                                <td>{ speed::ms(t.answer_ms) }</td>
                                <td>{ t.runs }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            if *stage == Stage::Done {
                <p class="speed-line" data-testid="speed-line">{ line }</p>
                <button onclick={copy} data-testid="speed-copy">{ if *copied { "Copied" } else { "Copy this line" } }</button>
            }
        </section>
    }
}
