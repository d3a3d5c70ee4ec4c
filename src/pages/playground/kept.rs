//! The models kept in this browser (IndexedDB, `model_store`), listed by name and size.

use super::card::mb;
use crate::model_store::Kept;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub(super) struct KeptModelsProps {
    pub kept: Vec<Kept>,
    /// The name of the model to open, or to remove.
    pub on_open: Callback<String>,
    pub on_remove: Callback<String>,
}

#[component]
pub(super) fn KeptModels(props: &KeptModelsProps) -> Html {
    if props.kept.is_empty() {
        return html! {};
    }
    let items = props.kept.iter().map(|k| {
        let (open, remove) = (
            props.on_open.reform({
                let name = k.name.clone();
                move |_: MouseEvent| name.clone()
            }),
            props.on_remove.reform({
                let name = k.name.clone();
                move |_: MouseEvent| name.clone()
            }),
        );
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
