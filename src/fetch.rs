//! The page's own small downloads (the game's examples, the share page's LAN addresses, the
//! playground's sample model, the sample photo): one way to fetch a file of this site and read it.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, Response};

/// `url` (relative to the page), if the server answered 2xx; `None` on any failure (offline,
/// 404): each caller says what is missing in its own words.
async fn get(url: &str) -> Option<Response> {
    let response: Response =
        JsFuture::from(gloo::utils::window().fetch_with_str(url)).await.ok()?.dyn_into().ok()?;
    response.ok().then_some(response)
}

pub async fn text(url: &str) -> Option<String> {
    JsFuture::from(get(url).await?.text().ok()?).await.ok()?.as_string()
}

pub async fn blob(url: &str) -> Option<Blob> {
    JsFuture::from(get(url).await?.blob().ok()?).await.ok()?.dyn_into().ok()
}

pub async fn bytes(url: &str) -> Option<Vec<u8>> {
    let buffer = JsFuture::from(get(url).await?.array_buffer().ok()?).await.ok()?;
    Some(js_sys::Uint8Array::new(&buffer).to_vec())
}
