use playground_core::share;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// Where `scripts/serve.py --host 0.0.0.0` lists the origins phones on its network can open.
const LAN_ADDRESSES: &str = "./lan-addresses.json";

/// The origins the local server reports, if it serves the network (else none).
async fn lan_origins() -> Vec<String> {
    share::lan_origins(&crate::fetch::text(LAN_ADDRESSES).await.unwrap_or_default())
}

/// "Join from your phone": the page's own URL as a QR code and in large text, sized for a
/// projector. The code is made in Rust in the page; the URL goes to no service. A page opened
/// at 127.0.0.1 says that phones cannot open that, and offers the machine's network address
/// when the local server has one.
#[component]
pub fn SharePage() -> Html {
    let location = gloo::utils::window().location();
    let path = location.pathname().unwrap_or_default();
    let own = format!("{}{path}", location.origin().unwrap_or_default());
    let loopback = share::is_loopback_host(&location.hostname().unwrap_or_default());
    let url = use_state(|| own.clone());
    let lan = use_state(Vec::<String>::new);
    {
        let lan = lan.clone();
        use_effect_with(loopback, move |loopback| {
            if *loopback {
                spawn_local(async move { lan.set(lan_origins().await) });
            }
        });
    }
    let svg = share::qr_svg(&url).map(|svg| {
        // Inline SVG: drop the XML declaration, which is not HTML.
        let start = svg.find("<svg").unwrap_or(0);
        Html::from_html_unchecked(AttrValue::from(svg[start..].to_string()))
    });
    let qr = match svg {
        Ok(svg) => {
            html! { <div class="qr" data-testid="qr" data-url={(*url).clone()} role="img" aria-label={format!("QR code of {}", *url)}>{ svg }</div> }
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
    // The host of the URL shown (IPv6 too: "[::1]").
    let shown_host = web_sys::Url::new(&url).map(|u| u.hostname()).unwrap_or_default();
    let on_this_machine = loopback && share::is_loopback_host(&shown_host);
    html! {
        <div class="share-page">
            <h2>{ "Join from your phone" }</h2>
            { qr }
            <p class="share-url" data-testid="share-url">{ (*url).clone() }</p>
            <button onclick={copy}>{ if *copied { "Copied" } else { "Copy link" } }</button>
            if on_this_machine {
                <div class="notice share-warning" role="note" data-testid="share-loopback">
                    <p>
                        { "This address only works on this computer: phones cannot open it. " }
                        if lan.is_empty() {
                            { "Serve the page on your network (" }<code>{ "HOST=0.0.0.0 scripts/serve.sh" }</code>
                            { " prints the address phones can open) and show this page from that address." }
                        } else {
                            { "Phones on this network can use:" }
                        }
                    </p>
                    { for lan.iter().map(|origin| {
                        let target = format!("{origin}{path}");
                        let (url, copied) = (url.clone(), copied.clone());
                        let pick = { let target = target.clone(); Callback::from(move |_| { url.set(target.clone()); copied.set(false); }) };
                        html! { <button onclick={pick} data-testid="share-lan">{ format!("Show {target}") }</button> }
                    }) }
                </div>
            }
            <p class="small">{ "Works offline once loaded. Nothing you draw leaves your phone." }</p>
            <crate::pages::speed::SpeedTest />
        </div>
    }
}
