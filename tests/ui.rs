//! UI components rendered in a real browser (headless Chromium via wasm-bindgen-test-runner):
//! `scripts/test.sh` runs `cargo test --target wasm32-unknown-unknown -p playground --test ui`.
#![cfg(target_arch = "wasm32")]

use playground::components::guess_list::{GuessList, GuessListProps};
use playground::components::known_classes::{KnownClasses, KnownClassesProps};
use playground::components::model_input_view::{ModelInputView, ModelInputViewProps};
use playground::components::status_bar::{StatusBar, StatusBarProps};
use playground::state::app::{ModelStatus, WorkerHealth};
use playground_core::postprocess::Guess;
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use yew::platform::time::sleep;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

fn output() -> web_sys::Element {
    let document = gloo::utils::document();
    let el = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&el).unwrap();
    el
}

async fn render<C>(props: C::Properties) -> web_sys::Element
where
    C: BaseComponent,
{
    let root = output();
    yew::Renderer::<C>::with_root_and_props(root.clone(), props).render();
    // Let the scheduler run the first render and its effects.
    sleep(Duration::from_millis(20)).await;
    root
}

/// Waits until `done` holds, up to 5 s: on a loaded machine the effects and timers run later than on a quiet one
/// (a fixed 20 ms failed in CI beside a training run on 2026-12-04).
async fn eventually(what: &str, done: impl Fn() -> bool) {
    for _ in 0..500 {
        if done() {
            return;
        }
        sleep(Duration::from_millis(10)).await;
    }
    panic!("{what}: not within 5 s");
}

#[wasm_bindgen_test]
async fn guess_list_shows_labels_best_first_with_bars() {
    let guesses = vec![
        Guess { label: "house".into(), probability: 0.91 },
        Guess { label: "book".into(), probability: 0.05 },
    ];
    let root =
        render::<GuessList>(GuessListProps { guesses, placeholder: "draw".into(), seq: 3, not_sure: false })
            .await;
    let items = root.query_selector_all("[data-testid=guess]").unwrap();
    assert_eq!(items.length(), 2);
    let first: web_sys::Element = items.get(0).unwrap().unchecked_into();
    assert_eq!(first.get_attribute("data-label").as_deref(), Some("house"));
    assert!(first.text_content().unwrap().contains("91%"));
    // Sized through the CSSOM (the page's CSP refuses style attributes in markup).
    let bar: web_sys::HtmlElement = first.query_selector(".bar span").unwrap().unwrap().unchecked_into();
    let width = || bar.style().get_property_value("width").unwrap();
    eventually("the bar's width is set", || !width().is_empty()).await;
    assert_eq!(width(), "91%");
    let list = root.query_selector("[data-testid=guesses]").unwrap().unwrap();
    assert_eq!(list.get_attribute("data-seq").as_deref(), Some("3"));
    // The top guess is read out once it has stayed for 700 ms, not at every live guess.
    let live = root
        .query_selector("[aria-live=polite][data-testid=guess-announcement]")
        .unwrap()
        .expect("guesses are announced to screen readers");
    assert_eq!(live.text_content().as_deref(), Some(""));
    sleep(Duration::from_millis(900)).await;
    eventually("the top guess is announced", || !live.text_content().unwrap_or_default().is_empty()).await;
    assert_eq!(live.text_content().as_deref(), Some("I see a house, 91%."));
}

#[wasm_bindgen_test]
async fn guess_list_without_guesses_shows_the_prompt() {
    let root = render::<GuessList>(GuessListProps {
        guesses: vec![],
        placeholder: "Draw something".into(),
        seq: 0,
        not_sure: false,
    })
    .await;
    assert!(root.query_selector("[data-testid=guess]").unwrap().is_none());
    let text = root.query_selector("[data-testid=guess-placeholder]").unwrap().unwrap().text_content();
    assert_eq!(text.as_deref(), Some("Draw something"));
}

#[wasm_bindgen_test]
async fn guess_list_says_not_sure_above_the_guesses() {
    let guesses = vec![Guess { label: "zigzag".into(), probability: 0.2 }];
    let sure = render::<GuessList>(GuessListProps {
        guesses: guesses.clone(),
        placeholder: "draw".into(),
        seq: 1,
        not_sure: false,
    })
    .await;
    assert!(sure.query_selector("[data-testid=not-sure]").unwrap().is_none());
    let unsure =
        render::<GuessList>(GuessListProps { guesses, placeholder: "draw".into(), seq: 2, not_sure: true })
            .await;
    let text = unsure.query_selector("[data-testid=not-sure]").unwrap().unwrap().text_content().unwrap();
    assert!(text.starts_with("Not sure"), "{text}");
    assert_eq!(
        unsure.query_selector_all("[data-testid=guess]").unwrap().length(),
        1,
        "the guesses stay, dimmed"
    );
}

#[wasm_bindgen_test]
async fn known_classes_counts_and_searches() {
    let labels = ["pizza", "cat", "The Mona Lisa", "piano"].map(String::from).to_vec();
    let root = render::<KnownClasses>(KnownClassesProps { labels }).await;
    let details = root.query_selector("[data-testid=known-classes]").unwrap().unwrap();
    assert_eq!(details.get_attribute("data-count").as_deref(), Some("4"));
    let items = |root: &web_sys::Element| -> Vec<String> {
        let list = root.query_selector_all("[data-testid=known-list] li").unwrap();
        (0..list.length()).map(|i| list.get(i).unwrap().text_content().unwrap()).collect()
    };
    assert_eq!(items(&root), ["cat", "piano", "pizza", "The Mona Lisa"], "sorted, case aside");
    let search: web_sys::HtmlInputElement =
        root.query_selector("[data-testid=known-search]").unwrap().unwrap().unchecked_into();
    search.set_value("PI");
    search.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    eventually("the list is filtered", || items(&root).len() == 2).await;
    assert_eq!(items(&root), ["piano", "pizza"]);
}

#[wasm_bindgen_test]
async fn model_input_view_paints_rgb_photos() {
    let mut pixels = vec![0u8; 4 * 4 * 3];
    pixels[(4 + 2) * 3..(4 + 2) * 3 + 3].copy_from_slice(&[10, 200, 30]);
    let root = render::<ModelInputView>(ModelInputViewProps { pixels, side: 4, channels: 3 }).await;
    let canvas: web_sys::HtmlCanvasElement =
        root.query_selector("[data-testid=model-input]").unwrap().unwrap().unchecked_into();
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").unwrap().unwrap().unchecked_into();
    let data = || ctx.get_image_data(0.0, 0.0, 4.0, 4.0).unwrap().data();
    eventually("the photo is painted", || data()[(4 + 2) * 4 + 3] != 0).await;
    let data = data();
    assert_eq!(&data[(4 + 2) * 4..(4 + 2) * 4 + 4], &[10, 200, 30, 255]);
}

#[wasm_bindgen_test]
async fn model_input_view_paints_the_exact_pixels() {
    let mut pixels = vec![0u8; 28 * 28];
    pixels[28 * 3 + 5] = 255;
    pixels[28 * 20 + 10] = 128;
    let root = render::<ModelInputView>(ModelInputViewProps { pixels, side: 28, channels: 1 }).await;
    let canvas: web_sys::HtmlCanvasElement =
        root.query_selector("[data-testid=model-input]").unwrap().unwrap().unchecked_into();
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").unwrap().unwrap().unchecked_into();
    let data = || ctx.get_image_data(0.0, 0.0, 28.0, 28.0).unwrap().data();
    eventually("the drawing is painted", || data()[(28 * 3 + 5) * 4] != 0).await;
    let data = data();
    assert_eq!(data[(28 * 3 + 5) * 4], 255);
    assert_eq!(data[(28 * 20 + 10) * 4], 128);
    assert_eq!(data[0], 0);
}

fn status(status: Option<ModelStatus>, health: WorkerHealth) -> StatusBarProps {
    StatusBarProps {
        model_title: "Sketch".into(),
        status,
        health,
        notice: None,
        on_retry: Callback::noop(),
        on_dismiss: Callback::noop(),
    }
}

#[wasm_bindgen_test]
async fn status_bar_shows_progress_failure_with_retry_and_ready() {
    let loading = Some(ModelStatus::Loading { loaded: 512 * 1024, total: Some(1024 * 1024) });
    let root = render::<StatusBar>(status(loading, WorkerHealth::Ready)).await;
    assert!(root.text_content().unwrap().contains("512 KB of 1024 KB"));
    assert!(root.query_selector("progress").unwrap().is_some());

    let failed = Some(ModelStatus::Failed("HTTP 404".into()));
    let root = render::<StatusBar>(status(failed, WorkerHealth::Ready)).await;
    assert!(root.text_content().unwrap().contains("HTTP 404"));
    assert!(root.query_selector("[data-testid=retry]").unwrap().is_some());
    assert!(root.query_selector("[role=alert]").unwrap().is_some());

    let broken = render::<StatusBar>(status(None, WorkerHealth::Broken("boom".into()))).await;
    assert!(broken.text_content().unwrap().contains("Reload the page"));
}

#[wasm_bindgen_test]
async fn status_bar_retry_button_calls_back() {
    use std::cell::Cell;
    use std::rc::Rc;
    let clicked = Rc::new(Cell::new(0));
    let mut props = status(Some(ModelStatus::Failed("offline".into())), WorkerHealth::Ready);
    let counter = clicked.clone();
    props.on_retry = Callback::from(move |_| counter.set(counter.get() + 1));
    let root = render::<StatusBar>(props).await;
    let button: web_sys::HtmlElement =
        root.query_selector("[data-testid=retry]").unwrap().unwrap().unchecked_into();
    button.click();
    assert_eq!(clicked.get(), 1);
}
