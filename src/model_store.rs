//! Models kept in this browser (IndexedDB) for next time: a thin wrapper over
//! `model_store.js`. Errors become sentences the page shows.

use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

#[wasm_bindgen(module = "/src/model_store.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = saveModel)]
    fn save_model_js(name: &str, file: &Blob, labels: Option<String>) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = listModels)]
    fn list_models_js() -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = loadModel)]
    fn load_model_js(name: &str) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = deleteModel)]
    fn delete_model_js(name: &str) -> Result<js_sys::Promise, JsValue>;
}

#[derive(Debug, Clone, PartialEq)]
pub struct Kept {
    pub name: String,
    pub size: u64,
}

/// A kept model: its file as a `Blob` (read by the worker, not here) and its labels.
pub struct KeptModel {
    pub file: Blob,
    pub labels: Option<String>,
}

async fn settle(promise: Result<js_sys::Promise, JsValue>) -> Result<JsValue, String> {
    let describe = |e: JsValue| {
        let text = e.as_string().or_else(|| js_sys::Error::from(e).message().as_string()).unwrap_or_default();
        format!("this browser's storage refused: {text}")
    };
    JsFuture::from(promise.map_err(describe)?).await.map_err(describe)
}

/// Keeps a model; returns the name it is kept under (`name`, or "name (2)…" when a model of
/// that name is kept already: nothing is replaced).
pub async fn save(name: &str, file: &Blob, labels: Option<String>) -> Result<String, String> {
    Ok(settle(save_model_js(name, file, labels)).await?.as_string().unwrap_or_default())
}

pub async fn list() -> Result<Vec<Kept>, String> {
    let all: Array = settle(list_models_js()).await?.unchecked_into();
    Ok(all
        .iter()
        .map(|item| Kept {
            name: Reflect::get(&item, &"name".into()).ok().and_then(|v| v.as_string()).unwrap_or_default(),
            size: Reflect::get(&item, &"size".into()).ok().and_then(|v| v.as_f64()).unwrap_or_default()
                as u64,
        })
        .collect())
}

pub async fn load(name: &str) -> Result<KeptModel, String> {
    let item = settle(load_model_js(name)).await?;
    if item.is_undefined() {
        return Err(format!("\"{name}\" is no longer kept in this browser"));
    }
    let file = Reflect::get(&item, &"file".into())
        .ok()
        .and_then(|f| f.dyn_into::<Blob>().ok())
        .ok_or_else(|| "a kept model has no file".to_string())?;
    let labels = Reflect::get(&item, &"labels".into()).ok().and_then(|v| v.as_string());
    Ok(KeptModel { file, labels })
}

pub async fn remove(name: &str) -> Result<(), String> {
    settle(delete_model_js(name)).await.map(|_| ())
}
