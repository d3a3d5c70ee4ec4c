use playground_core::share;
use yew::prelude::*;

/// "Join from your phone": the page's own URL as a QR code and in large text, sized for a
/// projector. The code is made in Rust in the page; the URL goes to no service.
#[component]
pub fn SharePage() -> Html {
    let location = gloo::utils::window().location();
    let url = format!("{}{}", location.origin().unwrap_or_default(), location.pathname().unwrap_or_default());
    let svg = share::qr_svg(&url).map(|svg| {
        // Inline SVG: drop the XML declaration, which is not HTML.
        let start = svg.find("<svg").unwrap_or(0);
        Html::from_html_unchecked(AttrValue::from(svg[start..].to_string()))
    });
    let qr = match svg {
        Ok(svg) => {
            html! { <div class="qr" data-testid="qr" role="img" aria-label={format!("QR code of {url}")}>{ svg }</div> }
        }
        Err(e) => html! { <p class="error">{ e.to_string() }</p> },
    };
    let copied = use_state(|| false);
    let copy = {
        let (url, copied) = (url.clone(), copied.clone());
        Callback::from(move |_| {
            let clipboard = gloo::utils::window().navigator().clipboard();
            let _ = clipboard.write_text(&url);
            copied.set(true);
        })
    };
    html! {
        <div class="share-page">
            <h2>{ "Join from your phone" }</h2>
            { qr }
            <p class="share-url" data-testid="share-url">{ &url }</p>
            <button onclick={copy}>{ if *copied { "Copied" } else { "Copy link" } }</button>
            <p class="small">{ "Works offline once loaded. Nothing you draw leaves your phone." }</p>
        </div>
    }
}
