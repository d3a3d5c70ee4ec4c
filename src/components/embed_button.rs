//! "Embed": the one-line snippets that put the current demo in a blog post, with a copy button.

use crate::route::Route;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;
use yew_router::prelude::*;

/// The two snippets for `demo`, for a site served from `base` (ends with `/`).
pub fn snippets(base: &str, demo: &str) -> [(&'static str, String); 2] {
    [
        (
            "Script tag (inserts the iframe and tells your page the origin to post to)",
            format!(r#"<script src="{base}embed.js" data-demo="{demo}" async></script>"#),
        ),
        (
            "Plain iframe",
            format!(
                r#"<iframe src="{base}embed.html?demo={demo}" title="In-browser {demo} demo" style="width:100%;max-width:720px;height:600px;border:0"{allow}></iframe>"#,
                // Only the photo demo uses the camera.
                allow = if demo == "photo" { r#" allow="camera""# } else { "" }
            ),
        ),
    ]
}

/// How a host page reads the guesses (embed.rs `PredictionMessage`; the README has the details).
const LISTEN_EXAMPLE: &str = r#"window.addEventListener("message", (e) => {
  if (e.data?.type !== "playground:prediction") return;
  // e.data = {demo, model, seq, top: [{label, probability}, …]}
  console.log(e.data.top[0].label);
});"#;

#[derive(Properties, PartialEq)]
pub struct EmbedButtonProps {
    /// The demo the snippets embed (`embed.html?demo=`) for the page at a route (the app reads
    /// it from the page table).
    pub demo_of: Callback<Route, &'static str>,
}

#[component]
pub fn EmbedButton(props: &EmbedButtonProps) -> Html {
    let open = use_state(|| false);
    let copied = use_state(|| None::<usize>);
    let demo = props.demo_of.emit(use_route::<Route>().unwrap_or(Route::Sketch));
    let location = gloo::utils::window().location();
    let base = format!(
        "{}{}",
        location.origin().unwrap_or_default(),
        location.pathname().unwrap_or_default().rsplit_once('/').map(|(dir, _)| dir).unwrap_or("")
    ) + "/";
    let toggle = {
        let (open, copied) = (open.clone(), copied.clone());
        Callback::from(move |_| {
            open.set(!*open);
            copied.set(None);
        })
    };
    let panel = (*open).then(|| {
        let items = snippets(&base, demo).into_iter().enumerate().map(|(i, (title, text))| {
            let copy = {
                let (copied, text) = (copied.clone(), text.clone());
                Callback::from(move |_| {
                    let (copied, text) = (copied.clone(), text.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        let clipboard = gloo::utils::window().navigator().clipboard();
                        if JsFuture::from(clipboard.write_text(&text)).await.is_ok() {
                            copied.set(Some(i));
                        }
                    });
                })
            };
            html! {
                <div class="snippet">
                    <label>{ title }
                        <textarea readonly=true rows="3" data-testid={format!("embed-snippet-{i}")} value={text} />
                    </label>
                    <button onclick={copy} data-testid={format!("embed-copy-{i}")}>
                        { if *copied == Some(i) { "Copied ✓" } else { "Copy" } }
                    </button>
                </div>
            }
        });
        html! {
            <section class="embed-panel" aria-label="embed this demo" data-testid="embed-panel">
                <p>{ format!("Put the {demo} demo in a blog post: paste one of these.") }</p>
                { for items }
                <details>
                    <summary>{ "Use its guesses on your page" }</summary>
                    <p class="note">{ "The page that embeds it receives each guess as a message:" }</p>
                    <pre class="raw">{ LISTEN_EXAMPLE }</pre>
                </details>
            </section>
        }
    });
    html! {
        <>
            <button class="embed-toggle" onclick={toggle} aria-expanded={open.to_string()} data-testid="embed-button">{ "Embed" }</button>
            { for panel }
        </>
    }
}
