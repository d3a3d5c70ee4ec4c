//! The models kept in this browser (IndexedDB, `model_store`), listed by name and size.

use super::card::mb;
use crate::model_store::Kept;
use yew::prelude::*;

/// The list, each model with Open and Remove (`on_open` / `on_remove` get its name). A plain
/// function, not a component: nothing of its own to remember.
pub(super) fn kept_models(kept: &[Kept], on_open: &Callback<String>, on_remove: &Callback<String>) -> Html {
    if kept.is_empty() {
        return html! {};
    }
    let items = kept.iter().map(|k| {
        let name = k.name.clone();
        let open = on_open.reform(move |_: MouseEvent| name.clone());
        let name = k.name.clone();
        let remove = on_remove.reform(move |_: MouseEvent| name.clone());
        html! {
            <li data-testid="kept-model" data-name={k.name.clone()}>
                <span>{ format!("{} ({})", k.name, mb(k.size)) }</span>
                <button onclick={open} data-testid="kept-open">{ "Open" }</button>
                <button onclick={remove} data-testid="kept-remove">{ "Remove" }</button>
            </li>
        }
    });
    html! {
        <>
            <h3>{ "Kept in this browser" }</h3>
            <ul class="kept">{ for items }</ul>
        </>
    }
}
