use crate::components::embed_button::EmbedButton;
use crate::embed::{self, EmbedConfig};
use crate::inference::{Inference, InferenceService};
use crate::pages::{self, PAGES};
use crate::route::Route;
use crate::state::app::AppState;
use playground_core::input::ModelInput;
use playground_core::protocol::{Reply, Sabotage};
use playground_core::registry::ModelKey;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use yew::prelude::*;
use yew_router::prelude::*;

fn switch(route: Route) -> Html {
    match route {
        Route::NotFound => html! { <Redirect<Route> to={Route::Sketch} /> },
        route => (pages::page(route).render)(),
    }
}

const PRESENTER_KEY: &str = "playground-presenter";

/// Presenter layout for a big screen: larger type, canvas and guesses; chrome hidden.
/// On with `?presenter` in the page URL (a speaker's bookmark) or as left at the last visit.
#[component]
fn PresenterToggle() -> Html {
    let on = use_state(|| {
        gloo::utils::window().location().search().unwrap_or_default().contains("presenter")
            || crate::prefs::flag(PRESENTER_KEY) == Some(true)
    });
    {
        use_effect_with(*on, move |on| {
            let _ = gloo::utils::body().class_list().toggle_with_force("presenter", *on);
            crate::prefs::set_flag(PRESENTER_KEY, *on);
        });
    }
    let toggle = {
        let on = on.clone();
        Callback::from(move |_| on.set(!*on))
    };
    html! {
        <button class="presenter-toggle" onclick={toggle} aria-pressed={on.to_string()} data-testid="presenter"
            title={if *on { "Leave presenter mode" } else { "Presenter mode: big type for a projector" }}>
            <span aria-hidden="true">{ if *on { "✓ " } else { "" } }</span>{ "Presenter" }
        </button>
    }
}

#[component]
fn Nav() -> Html {
    let route = use_route::<Route>().unwrap_or(Route::Sketch);
    let nav = use_node_ref();
    // Tabs hidden past the row's left and right ends (a phone's one scrolling row): a fade on
    // that side, and on the right a "›" that scrolls on.
    // `_eq`: scrolling measures on every frame, and only a change re-renders.
    let hidden = use_state_eq(|| (false, false));
    let measure = {
        let (nav, hidden) = (nav.clone(), hidden.clone());
        Callback::from(move |_: ()| {
            if let Some(nav) = nav.cast::<web_sys::HtmlElement>() {
                let (left, width) = (nav.scroll_left(), nav.client_width());
                hidden.set((left > 1, left + width < nav.scroll_width() - 1));
            }
        })
    };
    use_effect_with(route, |route| gloo::utils::document().set_title(pages::page(*route).title));
    // On a phone the tabs are one row that scrolls sideways (style.css): the current one is
    // scrolled into it, without moving the page.
    {
        let measure = measure.clone();
        use_effect_with((route, nav.clone()), move |(_, nav)| {
            let nav = nav.cast::<web_sys::HtmlElement>();
            let current =
                nav.as_ref().and_then(|nav| nav.query_selector("[aria-current=page]").ok().flatten());
            if let (Some(nav), Some(tab)) =
                (nav, current.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()))
            {
                let (left, right) = (tab.offset_left(), tab.offset_left() + tab.offset_width());
                if left < nav.scroll_left() || right > nav.scroll_left() + nav.client_width() {
                    nav.set_scroll_left(left - 16);
                }
            }
            measure.emit(());
        });
    }
    {
        // A phone turned sideways may show every tab, or fewer.
        let measure = measure.clone();
        use_effect_with((), move |_| {
            let listener =
                gloo::events::EventListener::new(&gloo::utils::window(), "resize", move |_| measure.emit(()));
            move || drop(listener)
        });
    }
    let onscroll = {
        let measure = measure.clone();
        Callback::from(move |_: Event| measure.emit(()))
    };
    let scroll_on = {
        let nav = nav.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(nav) = nav.cast::<web_sys::HtmlElement>() {
                // Smoothly: the row's `scroll-behavior` (style.css).
                nav.set_scroll_left(nav.scroll_left() + nav.client_width() * 7 / 10);
            }
        })
    };
    let items = PAGES.iter().map(|page| {
        let current = (route == page.route).then_some("page");
        html! {
            <Link<Route> to={page.route} classes={classes!("tab")}>
                <span aria-current={current} data-testid={page.testid}>{ page.tab }</span>
            </Link<Route>>
        }
    });
    html! {
        <nav class={classes!("tabs", hidden.0.then_some("more-left"))} aria-label="demos" ref={nav} {onscroll}>
            { for items }
            <PresenterToggle />
            // A pointer's shortcut only: the tabs themselves are in the keyboard's order.
            if hidden.1 {
                <span class="tabs-more" aria-hidden="true" onclick={scroll_on} data-testid="tabs-more">{ "›" }</span>
            }
        </nav>
    }
}

/// The `embed.html?demo=` name for the page at `route`; on a page that cannot be embedded, the
/// sketch demo's.
fn embed_name(route: Route) -> &'static str {
    pages::page(route).embed.as_ref().or(PAGES[0].embed.as_ref()).map_or("sketch", |e| e.name)
}

/// Embed mode: one demo, a link to the full page, predictions posted to the host page.
fn embed_view(config: Result<EmbedConfig, String>, inference: &Inference) -> Html {
    let config = match config {
        Ok(config) => config,
        Err(message) => {
            return html! { <p class="error embed-error" role="alert" data-testid="embed-error">{ format!("This embed is misconfigured: {message}.") }</p> }
        }
    };
    html! { <EmbedDemo {config} inference={inference.clone()} /> }
}

#[derive(Properties, PartialEq)]
struct EmbedDemoProps {
    config: EmbedConfig,
    inference: Inference,
}

#[component]
fn EmbedDemo(props: &EmbedDemoProps) -> Html {
    let config = props.config.clone();
    {
        let (config, inference) = (config.clone(), props.inference.clone());
        use_effect_with((), move |_| {
            let root = gloo::utils::document().document_element();
            if let (Some(root), Some(theme)) = (root, config.theme) {
                let _ = root.set_attribute("data-theme", theme);
            }
            let _ = gloo::utils::body().class_list().add_1("embed");
            // Each answer goes to the host page, and only to the origin it named.
            let subscription = config.target_origin.clone().map(|origin| {
                inference.0.tap_predictions(Callback::from(
                    move |(model, id, top): crate::inference::Shown| {
                        embed::post_to_host(
                            &embed::PredictionMessage::new(config.demo, &model, id, &top),
                            &origin,
                        );
                    },
                ))
            });
            move || drop(subscription)
        });
    }
    let page = config.page();
    let title = page.embed.as_ref().map_or(page.title, |e| e.title);
    use_effect_with(title, |title| gloo::utils::document().set_title(title));
    html! {
        <main class="embed-main" data-testid="embed" data-demo={config.demo}>
            <h1 class="visually-hidden">{ title }</h1>
            { (page.render)() }
            <a class="embed-open" href={format!("./{}", pages::hash(page.route))} target="_blank" rel="noopener" data-testid="embed-open">
                { "Open the full playground ↗" }
            </a>
        </main>
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
            if debug_hooks_enabled() {
                install_debug_hook(&inference.0)
            }
        });
    }

    let embed = use_memo((), |_| {
        let window = gloo::utils::window();
        let location = window.location();
        embed::parse(
            &location.pathname().unwrap_or_default(),
            &location.search().unwrap_or_default(),
            &gloo::utils::document().referrer(),
        )
    });
    if let Some(config) = (*embed).clone() {
        return html! {
            <ContextProvider<Inference> context={(*inference).clone()}>
            <ContextProvider<UseReducerHandle<AppState>> context={state.clone()}>
                <HashRouter>{ embed_view(config, &inference) }</HashRouter>
            </ContextProvider<UseReducerHandle<AppState>>>
            </ContextProvider<Inference>>
        };
    }

    html! {
        <ContextProvider<Inference> context={(*inference).clone()}>
        <ContextProvider<UseReducerHandle<AppState>> context={state.clone()}>
            <HashRouter>
                <header class="top">
                    <h1>{ "Sketch it" }</h1>
                    <p class="tagline">{ "Neural networks running in your browser. Nothing you draw or show leaves your device." }</p>
                    <Nav />
                    <EmbedButton demo_of={Callback::from(embed_name)} />
                </header>
                <main>
                    <Switch<Route> render={switch} />
                </main>
                <footer>
                    { "Sketch model trained on Google's " }
                    <a href="https://quickdraw.withgoogle.com/data">{ "Quick, Draw! dataset" }</a>
                    { " (CC BY 4.0), widened to its 345 classes by ml5's " }
                    <a href="https://github.com/ml5js/ml5-data-and-models">{ "DoodleNet" }</a>
                    { " (MIT); photo model: EfficientNet-Lite0 (Apache-2.0); denoiser: a DnCNN distilled here from scico's (BSD-3-Clause); sentence model: all-MiniLM-L6-v2 (Apache-2.0) with a head trained here on movie-review snippets (CC BY 4.0); text model: trained here on Shakespeare's plays (public domain). Runs in WebAssembly: the sketch models on a small runner of our own, the others with tract." }
                </footer>
            </HashRouter>
        </ContextProvider<UseReducerHandle<AppState>>>
        </ContextProvider<Inference>>
    }
}

/// The test hooks below exist only where this origin's localStorage has
/// `playground-debug = 1`: the e2e harness and the benchmark set it (tests/e2e/support/
/// browser.js); a visitor's page, or a site embedding ours, cannot reach them.
fn debug_hooks_enabled() -> bool {
    crate::prefs::get("playground-debug").as_deref() == Some("1")
}

/// `window.playgroundDebug`, for the end-to-end tests and the benchmark command:
/// - `memory()`: the app's wasm memory in bytes;
/// - `sabotage("panic" | "hang")` breaks the worker the way a bug would, to prove the page
///   survives (harmless: it only hurts this tab); `sabotage("stall", ms)` keeps it busy for
///   `ms` (a slow model: answers arrive after the page moved on); `sabotage("partner")` makes
///   the worker's partner (the second core's, for photos' tiles) panic;
/// - `benchmark(model, input, runs)` (input: strokes, or a photo file's bytes as a Uint8Array)
///   resolves to `{infer_ms, classify_ms, worker_memory}` timed in the worker (and its wasm
///   memory in bytes after the runs).
fn install_debug_hook(inference: &Rc<InferenceService>) {
    let weak = Rc::downgrade(inference);
    let sabotage = Closure::<dyn Fn(String, JsValue)>::new(move |kind: String, ms: JsValue| {
        let kind = match kind.as_str() {
            "hang" => Sabotage::Hang,
            "stall" => Sabotage::Stall { ms: ms.as_f64().unwrap_or(1000.0) as u32 },
            "partner" => Sabotage::PartnerPanic,
            _ => Sabotage::Panic,
        };
        if let Some(s) = weak.upgrade() {
            s.sabotage(kind);
        }
    });
    let hook = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&hook, &"sabotage".into(), sabotage.as_ref());
    sabotage.forget();
    // The app's own wasm memory in bytes (it never shrinks: what a big file costs the page).
    let memory = Closure::<dyn Fn() -> f64>::new(|| {
        let buffer = js_sys::Reflect::get(&wasm_bindgen::memory(), &"buffer".into()).unwrap_or_default();
        js_sys::Reflect::get(&buffer, &"byteLength".into()).ok().and_then(|v| v.as_f64()).unwrap_or_default()
    });
    let _ = js_sys::Reflect::set(&hook, &"memory".into(), memory.as_ref());
    memory.forget();
    let weak = Rc::downgrade(inference);
    let benchmark = Closure::<dyn Fn(String, JsValue, u32) -> js_sys::Promise>::new(
        move |model: String, input: JsValue, runs: u32| {
            // A Uint8Array is a photo file's bytes; anything else, strokes ([[x, y], ...] per stroke).
            let input = match input.dyn_ref::<js_sys::Uint8Array>() {
                Some(bytes) => ModelInput::Photo(bytes.to_vec()),
                None => ModelInput::Strokes(serde_wasm_bindgen::from_value(input).unwrap_or_default()),
            };
            let weak = weak.clone();
            js_sys::Promise::new(&mut |resolve, reject| {
                let Some(service) = weak.upgrade() else { return };
                let settle = Callback::from(move |(_, reply): (_, Reply)| match reply {
                    Reply::Benchmark { infer_ms, classify_ms, memory_bytes, threads } => {
                        let result = js_sys::Object::new();
                        let _ = js_sys::Reflect::set(&result, &"threads".into(), &threads.into());
                        let _ = js_sys::Reflect::set(&result, &"worker_memory".into(), &memory_bytes.into());
                        let _ = js_sys::Reflect::set(&result, &"infer_ms".into(), &floats(&infer_ms));
                        let _ = js_sys::Reflect::set(&result, &"classify_ms".into(), &floats(&classify_ms));
                        let _ = resolve.call1(&JsValue::NULL, &result);
                    }
                    Reply::Failed(message) => {
                        let _ = reject.call1(&JsValue::NULL, &message.into());
                    }
                    _ => {}
                });
                service.benchmark(ModelKey::from(model.as_str()), input.clone(), runs, settle);
            })
        },
    );
    let _ = js_sys::Reflect::set(&hook, &"benchmark".into(), benchmark.as_ref());
    benchmark.forget();
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &"playgroundDebug".into(), &hook);
    }
}

fn floats(values: &[f64]) -> js_sys::Array {
    values.iter().map(|&v| JsValue::from_f64(v)).collect()
}
