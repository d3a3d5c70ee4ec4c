//! What this browser remembers for the page (localStorage): presenter mode, sound, and the
//! test harness's flag. Storage may be missing or refused (private modes): then nothing is
//! remembered and every read is `None`.

fn storage() -> Option<web_sys::Storage> {
    gloo::utils::window().local_storage().ok().flatten()
}

pub fn get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

pub fn set(key: &str, value: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(key, value);
    }
}

/// An on/off choice: `Some(true)` for "on", `Some(false)` for "off", `None` if never made.
pub fn flag(key: &str) -> Option<bool> {
    get(key).and_then(|v| match v.as_str() {
        "on" => Some(true),
        "off" => Some(false),
        _ => None,
    })
}

pub fn set_flag(key: &str, on: bool) {
    set(key, if on { "on" } else { "off" });
}
