use crate::components::before_after::BeforeAfter;
use crate::components::photo_source::{canvas_png, PhotoSource};
use crate::components::status_bar::ModelStatusBar;
use crate::hooks::use_model;
use crate::inference::Inference;
use crate::state::clean::{CleanAction, CleanState};
use playground_core::input::MAX_SIGMA;
use playground_core::protocol::RequestId;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlAnchorElement, HtmlCanvasElement, HtmlInputElement};
use yew::prelude::*;

pub const MODEL: &str = playground_core::registry::DENOISE;
/// A public-domain photo to try it on (models/denoise/MODEL.md), fetched when asked for; the
/// share page's speed test times the photo model on it too.
pub const SAMPLE: &str = "models/denoise/sample.jpg";

fn new_seed() -> u64 {
    (js_sys::Math::random() * 1e15) as u64
}

/// A slider's value on `change` (released, or each arrow key): each new value cleans the whole
/// photo again (the one under way is cancelled; the worker drops it before decoding it).
fn slider_value(e: &Event) -> Option<f32> {
    e.target_dyn_into::<HtmlInputElement>().and_then(|i| i.value().parse().ok())
}

/// Give a photo (or try the sample), add grain if it is clean, and a convolutional network
/// cleans it tile by tile in the worker; compare before and after, and download the result.
#[component]
pub fn CleanPage() -> Html {
    let state = use_reducer(CleanState::default);
    let line = use_model(MODEL, {
        let dispatcher = state.dispatcher();
        Callback::from(move |(id, reply)| dispatcher.dispatch(CleanAction::Answer(id, reply)))
    });
    let after = use_node_ref();
    let inference = use_context::<Inference>().expect("App provides Inference");
    // A worker restart mid-photo: the page asks again once (the effect below), not forever.
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            let subscription = inference
                .0
                .on_restart(Callback::from(move |_| dispatcher.dispatch(CleanAction::WorkerRestarted)));
            move || drop(subscription)
        });
    }
    // Leaving the page stops its cleaning: the worker's time and memory go to the next page.
    let working_now = use_mut_ref(|| None::<RequestId>);
    *working_now.borrow_mut() = state.working;
    {
        let (line, working_now) = (line.clone(), working_now.clone());
        use_effect_with((), move |_| {
            move || {
                if let Some(id) = working_now.borrow_mut().take() {
                    line.cancel(id);
                }
            }
        });
    }

    // A cleaning whenever the photo or a setting changes (or the model is in, or back after a
    // worker restart); the one under way, if any, is cancelled first.
    {
        let (line, state) = (line.clone(), state.clone());
        use_effect_with((state.wanted(), line.ready), move |(wanted, ready)| {
            if let (Some(photo), true) = (&state.photo, *ready && wanted.is_some()) {
                if let Some(working) = state.working {
                    line.cancel(working);
                }
                let id = line.clean(photo.to_vec(), state.options());
                state.dispatch(CleanAction::Asked(id));
            }
        });
    }
    let on_photo = {
        let dispatcher = state.dispatcher();
        Callback::from(move |(source, bytes): (String, Vec<u8>)| {
            dispatcher.dispatch(CleanAction::Photo { source, bytes, seed: new_seed() })
        })
    };
    let on_refused = {
        let dispatcher = state.dispatcher();
        Callback::from(move |message| dispatcher.dispatch(CleanAction::Refused(message)))
    };
    let try_sample = {
        let (on_photo, on_refused) = (on_photo.clone(), on_refused.clone());
        Callback::from(move |_| {
            let (on_photo, on_refused) = (on_photo.clone(), on_refused.clone());
            spawn_local(async move {
                match crate::fetch::bytes(SAMPLE).await {
                    Some(bytes) => on_photo.emit(("sample.jpg".into(), bytes)),
                    None => {
                        on_refused.emit("The sample photo could not be downloaded (are you offline?).".into())
                    }
                }
            });
        })
    };
    let cancel = {
        let (dispatcher, line, working) = (state.dispatcher(), line.clone(), state.working);
        Callback::from(move |_| {
            if let Some(id) = working {
                line.cancel(id);
            }
            dispatcher.dispatch(CleanAction::Cancel { next: line.next_id() });
        })
    };
    let on_grain = {
        let dispatcher = state.dispatcher();
        Callback::from(move |e: Event| {
            if let Some(v) = slider_value(&e) {
                dispatcher.dispatch(CleanAction::Grain(v));
            }
        })
    };
    let on_strength = {
        let dispatcher = state.dispatcher();
        Callback::from(move |e: Event| {
            if let Some(v) = slider_value(&e) {
                dispatcher.dispatch(CleanAction::Strength(Some(v)));
            }
        })
    };
    let on_auto = {
        let (dispatcher, shown) = (state.dispatcher(), state.result.as_ref().map(|r| r.sigma));
        Callback::from(move |e: Event| {
            let auto = e.target_dyn_into::<HtmlInputElement>().is_some_and(|i| i.checked());
            dispatcher.dispatch(CleanAction::Strength(if auto { None } else { Some(shown.unwrap_or(0.1)) }));
        })
    };
    let download = {
        let (after, source) = (after.clone(), state.source.clone());
        Callback::from(move |_| {
            if let Some(canvas) = after.cast::<HtmlCanvasElement>() {
                spawn_local(save_png(canvas, download_name(source.as_deref())));
            }
        })
    };

    let (done, total) = state.progress;
    let working = state.working.is_some();
    let strength_shown = state.strength.or(state.result.as_ref().map(|r| r.sigma)).unwrap_or(0.1);
    let more =
        html! { <button onclick={try_sample} data-testid="clean-sample">{ "Try a sample photo" }</button> };
    let again = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(CleanAction::Again))
    };
    let view = match (&state.result, working) {
        (Some(result), _) => Some(html! { <BeforeAfter photo={result.clone()} after={after.clone()} /> }),
        (None, true) => Some(html! { <p class="placeholder">{ "Cleaning…" }</p> }),
        (None, false) => None,
    };
    html! {
        <>
        <ModelStatusBar model={MODEL} />
        <div class="photo-page clean-page">
            <div class="clean-view">
                <PhotoSource {on_photo} {on_refused} {view} {more} />
            </div>
            <aside class="side">
                <h2>{ "Fix a grainy photo" }</h2>
                <label class="setting">
                    <span>{ format!("Add grain: {}", sigma_words(state.grain)) }</span>
                    <input type="range" min="0" max={MAX_SIGMA.to_string()} step="0.01" value={state.grain.to_string()}
                        onchange={on_grain} data-testid="clean-grain" />
                </label>
                <p class="hint">{ "To try it on a clean photo. Set it to 0 for a photo that is grainy already." }</p>
                <label class="setting check">
                    <input type="checkbox" checked={state.strength.is_none()} onchange={on_auto} data-testid="clean-auto" />
                    { "Read the noise level from the photo" }
                </label>
                <label class="setting">
                    <span>{ format!("Strength: {}", sigma_words(strength_shown)) }</span>
                    <input type="range" min="0" max={MAX_SIGMA.to_string()} step="0.01" value={strength_shown.to_string()}
                        disabled={state.strength.is_none()} onchange={on_strength} data-testid="clean-strength" />
                </label>
                if working {
                    <div class="clean-progress" data-testid="clean-progress">
                        <progress max={total.max(1).to_string()} value={done.to_string()}
                            aria-label="cleaning progress"></progress>
                        <span>{ if total > 0 { format!("tile {done} of {total}") } else { "reading the photo…".to_string() } }</span>
                        <button onclick={cancel} data-testid="clean-cancel">{ "Cancel cleaning" }</button>
                    </div>
                }
                if let Some(error) = &state.error {
                    <p class="error" role="alert" data-testid="clean-error">{ error }</p>
                }
                if state.photo.is_some() && !working && state.result.is_none() {
                    <p><button class="primary" onclick={again} data-testid="clean-again">{ "Clean this photo" }</button></p>
                }
                if let Some(r) = &state.result {
                    <p class="timing" role="status" data-testid="clean-timing" data-ms={format!("{:.0}", r.millis)}
                        data-pixels={(r.width * r.height).to_string()} data-tiles={r.tiles.to_string()} data-cores={r.cores.to_string()} data-seq={state.fresh.shown().to_string()}>
                        { format!("{}×{} pixels cleaned in {:.1} s on this device ({} tiles of 256 px{}).",
                            r.width, r.height, r.millis / 1000.0, r.tiles,
                            if r.cores > 1 { format!(", {} cores at once", r.cores) } else { String::new() }) }
                        if let Some((w, h)) = r.shrunk_from {
                            { format!(" Shrunk from {w}×{h} to keep it quick.") }
                        }
                    </p>
                    <p><button class="primary" onclick={download} data-testid="clean-download">{ "Download the cleaned photo" }</button></p>
                }
                <p class="hint">{ "DnCNN, a 6-layer convolutional network: it predicts the noise in each pixel from the 13 × 13 pixels around it and subtracts it. It removes grain; it invents nothing (it is not a GAN). A small one (21,505 weights) taught here by the scico project's larger model; it runs in this browser, on two cores." }</p>
            </aside>
        </div>
        </>
    }
}

/// A noise level in the words of the slider: σ and grey levels out of 255.
fn sigma_words(sigma: f32) -> String {
    if sigma <= 0.0 {
        "none".into()
    } else {
        format!("σ {sigma:.2} (±{:.0} grey levels)", sigma * 255.0)
    }
}

/// `coffee.jpg` → `coffee-cleaned.png`.
fn download_name(source: Option<&str>) -> String {
    let stem = source.and_then(|s| s.rsplit_once('.').map(|(stem, _)| stem).or(Some(s))).unwrap_or("photo");
    let stem: String = stem.chars().map(|c| if c.is_alphanumeric() || c == '-' { c } else { '-' }).collect();
    format!("{stem}-cleaned.png")
}

/// Saves the canvas as a PNG file named `name`.
async fn save_png(canvas: HtmlCanvasElement, name: String) {
    let Some(blob) = canvas_png(&canvas).await else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    let link: Option<HtmlAnchorElement> =
        gloo::utils::document().create_element("a").ok().and_then(|a| a.dyn_into().ok());
    if let Some(link) = link {
        link.set_href(&url);
        link.set_download(&name);
        link.click();
    }
    // Revoked once the download has started.
    gloo::timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_names_keep_the_photos_name() {
        assert_eq!(download_name(Some("coffee.jpg")), "coffee-cleaned.png");
        assert_eq!(download_name(Some("camera snapshot")), "camera-snapshot-cleaned.png");
        assert_eq!(download_name(None), "photo-cleaned.png");
        assert_eq!(sigma_words(0.1), "σ 0.10 (±26 grey levels)");
    }
}
