use crate::components::status_bar::StatusBar;
use crate::inference::InferenceService;
use crate::pages::sketch::{SketchPage, MODEL};
use crate::state::{AppAction, AppState};
use playground_core::protocol::Sabotage;
use playground_core::registry;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

/// The inference service, shared through a context. Equal when it is the same service.
#[derive(Clone)]
pub struct Inference(pub Rc<InferenceService>);

impl PartialEq for Inference {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[component]
pub fn App() -> Html {
    let state = use_reducer(AppState::default);
    let inference = {
        let dispatcher = state.dispatcher();
        use_memo((), move |_| {
            Inference(InferenceService::new(Callback::from(move |a| dispatcher.dispatch(a))))
        })
    };
    {
        let inference = inference.clone();
        use_effect_with((), move |_| {
            inference.0.load(MODEL);
            install_debug_hook(&inference.0);
        });
    }
    let on_retry = {
        let inference = inference.clone();
        Callback::from(move |_| inference.0.load(MODEL))
    };
    let on_dismiss = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(AppAction::DismissNotice))
    };
    let title = registry::find(MODEL).map(|m| m.title).unwrap_or(MODEL);

    html! {
        <ContextProvider<Inference> context={(*inference).clone()}>
        <ContextProvider<UseReducerHandle<AppState>> context={state.clone()}>
            <header class="top">
                <h1>{ "Sketch it" }</h1>
                <p class="tagline">{ "Draw, and a neural network in your browser guesses what it is. Nothing leaves your device." }</p>
            </header>
            <StatusBar model_title={title} status={state.models.get(MODEL).cloned()} health={state.health.clone()}
                notice={state.notice.clone()} on_retry={on_retry} on_dismiss={on_dismiss} />
            <main>
                <SketchPage />
            </main>
            <footer>
                { "Model trained on Google's " }
                <a href="https://quickdraw.withgoogle.com/data">{ "Quick, Draw! dataset" }</a>
                { " (CC BY 4.0). Runs with tract in WebAssembly." }
            </footer>
        </ContextProvider<UseReducerHandle<AppState>>>
        </ContextProvider<Inference>>
    }
}

/// `window.playgroundDebug.sabotage("panic" | "hang")`: lets the end-to-end tests break the
/// worker the way a bug would, to prove the page survives. Harmless: it only hurts this tab.
fn install_debug_hook(inference: &Rc<InferenceService>) {
    let weak = Rc::downgrade(inference);
    let sabotage = Closure::<dyn Fn(String)>::new(move |kind: String| {
        let kind = if kind == "hang" { Sabotage::Hang } else { Sabotage::Panic };
        if let Some(s) = weak.upgrade() {
            s.sabotage(kind);
        }
    });
    let hook = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&hook, &"sabotage".into(), sabotage.as_ref());
    sabotage.forget();
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &"playgroundDebug".into(), &hook);
    }
}
