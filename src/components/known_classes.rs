use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct KnownClassesProps {
    /// Every class the page can name, in any order (shown sorted).
    pub labels: Vec<String>,
}

/// Shown up front, before the list is opened: things people like to draw, those known here.
const FAVOURITES: &[&str] =
    &["cat", "pizza", "guitar", "sun", "house", "bicycle", "apple", "snowman", "airplane", "tree"];

/// "What can I recognise?": the count and a few examples up front; every class and a search
/// box when opened.
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
    let examples: Vec<&str> =
        FAVOURITES.iter().filter(|f| props.labels.iter().any(|l| l == *f)).take(6).copied().collect();
    html! {
        <div class="known" data-testid="known-classes" data-count={labels.len().to_string()}>
            <p class="known-examples" data-testid="known-examples">
                { format!("I know {} things", labels.len()) }
                if !examples.is_empty() { { format!(", like {}…", examples.join(", ")) } }
            </p>
            <details>
                <summary>{ "See them all, or search" }</summary>
                <input type="search" placeholder="Search, e.g. pizza" aria-label="Search the things I can recognise"
                    value={(*query).clone()} {oninput} data-testid="known-search" />
                <p class="known-count" aria-live="polite" data-testid="known-count">
                    { if needle.is_empty() { String::new() } else { format!("{} of {} match", shown.len(), labels.len()) } }
                </p>
                <ul class="known-list" data-testid="known-list">
                    { for shown.iter().map(|l| html! { <li>{ l.as_str() }</li> }) }
                </ul>
            </details>
        </div>
    }
}
