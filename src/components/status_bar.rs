use crate::inference::Inference;
use crate::state::app::{AppAction, AppState, ModelStatus, WorkerHealth};
use playground_core::registry;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StatusBarProps {
    pub model_title: AttrValue,
    pub status: Option<ModelStatus>,
    pub health: WorkerHealth,
    pub notice: Option<String>,
    pub on_retry: Callback<()>,
    pub on_dismiss: Callback<()>,
}

/// Model loading progress, load failures with a retry, and worker restarts.
#[component]
pub fn StatusBar(props: &StatusBarProps) -> Html {
    let notice = props.notice.as_ref().map(|n| {
        let dismiss = props.on_dismiss.reform(|_| ());
        html! {
            <div class="notice" role="status" data-testid="worker-notice">
                <span>{ n }</span>
                <button onclick={dismiss} aria-label="dismiss">{ "×" }</button>
            </div>
        }
    });
    let status = match (&props.health, &props.status) {
        (WorkerHealth::Broken(reason), _) => html! {
            <div class="status error" role="alert" data-testid="model-status" data-state="broken">
                { format!("Inference keeps failing: the worker {}. ", crate::state::app::failure_in_words(reason)) }
                <button onclick={Callback::from(|_| { let _ = web_sys::window().map(|w| w.location().reload()); })}>
                    { "Reload the page" }
                </button>
            </div>
        },
        (_, Some(ModelStatus::Failed(message))) => html! {
            <div class="status error" role="alert" data-testid="model-status" data-state="failed">
                { format!("Could not load the {} model: {message} ", props.model_title) }
                <button onclick={props.on_retry.reform(|_| ())} data-testid="retry">{ "Retry" }</button>
            </div>
        },
        (_, Some(ModelStatus::Ready { millis, .. })) => html! {
            <div class="status ready" role="status" data-testid="model-status" data-state="ready">
                { format!("{} model ready", props.model_title) }
                if *millis > 0.0 { { format!(" (loaded in {millis:.0} ms)") } }
            </div>
        },
        (_, Some(ModelStatus::Loading { loaded, total })) => {
            let kb = |b: u64| format!("{:.0} KB", b as f64 / 1024.0);
            // Without a total (a compressed download) the bar is indeterminate.
            let (bar, text) = match total {
                Some(t) if *t > 0 => (
                    html! { <progress value={loaded.to_string()} max={t.to_string()}></progress> },
                    format!("{} of {}", kb(*loaded), kb(*t)),
                ),
                _ => (html! { <progress></progress> }, kb(*loaded)),
            };
            html! {
                // Announced once: the byte counts change too often to be read out.
                <div class="status loading" role="status" data-testid="model-status" data-state="loading">
                    { format!("Loading the {} model… ", props.model_title) }
                    <span aria-hidden="true">{ format!("{text} ") }</span>
                    { bar }
                </div>
            }
        }
        (_, None) => html! {
            <div class="status loading" role="status" data-testid="model-status" data-state="starting">{ "Starting the inference engine…" }</div>
        },
    };
    html! { <div class="status-bar">{ for notice }{ status }</div> }
}

#[derive(Properties, PartialEq)]
pub struct ModelStatusBarProps {
    pub model: AttrValue,
}

/// [`StatusBar`] for one registry model, wired to the app's contexts.
#[component]
pub fn ModelStatusBar(props: &ModelStatusBarProps) -> Html {
    let inference = use_context::<Inference>().expect("App provides Inference");
    let app = use_context::<UseReducerHandle<AppState>>().expect("App provides AppState");
    let model = props.model.to_string();
    let title = registry::find(&model).map(|m| m.title).unwrap_or("");
    let on_retry = {
        let model = model.clone();
        Callback::from(move |_| inference.0.load(&model))
    };
    let on_dismiss = {
        let dispatcher = app.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(AppAction::DismissNotice))
    };
    html! {
        <StatusBar model_title={title} status={app.models.get(&model).cloned()} health={app.health.clone()}
            notice={app.notice.clone()} on_retry={on_retry} on_dismiss={on_dismiss} />
    }
}
