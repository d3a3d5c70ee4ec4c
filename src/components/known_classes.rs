use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct KnownClassesProps {
    /// Every class the page can name, in any order (shown sorted).
    pub labels: Vec<String>,
}

/// "What can I recognise?": the classes, their count and a search box.
#[component]
pub fn KnownClasses(props: &KnownClassesProps) -> Html {
    let query = use_state(String::new);
    let oninput = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            query.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().value())
        })
    };
    let mut labels = props.labels.clone();
    labels.sort_by_key(|l| l.to_lowercase());
    let needle = query.trim().to_lowercase();
    let shown: Vec<&String> = labels.iter().filter(|l| l.to_lowercase().contains(&needle)).collect();
    html! {
        <details class="known" data-testid="known-classes" data-count={labels.len().to_string()}>
            <summary>{ format!("What can I recognise? ({} things)", labels.len()) }</summary>
            <input type="search" placeholder="Search, e.g. pizza" aria-label="Search the things I can recognise"
                value={(*query).clone()} {oninput} data-testid="known-search" />
            <p class="known-count" aria-live="polite" data-testid="known-count">
                { if needle.is_empty() { String::new() } else { format!("{} of {} match", shown.len(), labels.len()) } }
            </p>
            <ul class="known-list" data-testid="known-list">
                { for shown.iter().map(|l| html! { <li>{ l.as_str() }</li> }) }
            </ul>
        </details>
    }
}
