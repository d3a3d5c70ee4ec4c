use crate::hooks::{use_css, use_settled};
use playground_core::postprocess::Guess;
use playground_core::words;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct GuessListProps {
    pub guesses: Vec<Guess>,
    /// Shown instead of the list when there is nothing to guess yet.
    pub placeholder: AttrValue,
    /// Sequence number of the answer shown (0: none), as `data-seq`, so tests and the
    /// benchmark can tell a new answer from an identical old one.
    #[prop_or_default]
    pub seq: u64,
    /// The model is not sure (its best guess is unlikely): said plainly above the guesses.
    #[prop_or_default]
    pub not_sure: bool,
}

/// Top-k labels with confidence bars. Screen readers hear the top guess once it has settled
/// (not each live guess while a stroke is drawn).
#[component]
pub fn GuessList(props: &GuessListProps) -> Html {
    let said = match props.guesses.first() {
        None => String::new(),
        Some(_) if props.not_sure => "Not sure what this is.".to_string(),
        Some(g) => format!("I see {}, {:.0}%.", words::noun_phrase(&g.label), g.probability * 100.0),
    };
    let settled = use_settled(said, 700);
    html! {
        <section class="guesses" data-testid="guesses" data-seq={props.seq.to_string()}>
            <p class="visually-hidden" aria-live="polite" data-testid="guess-announcement">{ settled }</p>
            if props.guesses.is_empty() {
                <p class="placeholder" data-testid="guess-placeholder">{ props.placeholder.clone() }</p>
            } else {
                if props.not_sure {
                    <p class="not-sure" data-testid="not-sure">{ "Not sure what this is. Maybe:" }</p>
                }
                <ol class={classes!(props.not_sure.then_some("unsure"))}>
                    { for props.guesses.iter().map(|g| {
                        let percent = g.probability * 100.0;
                        html! {
                            <li data-testid="guess" data-label={g.label.clone()}>
                                <span class="label" title={g.label.clone()}>{ &g.label }</span>
                                <span class="bar" aria-hidden="true"><Fill {percent} /></span>
                                <span class="pct">{ format!("{percent:.0}%") }</span>
                            </li>
                        }
                    }) }
                </ol>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct FillProps {
    percent: f32,
}

/// A bar's filled part, its width set through the CSSOM ([`use_css`]).
#[component]
fn Fill(props: &FillProps) -> Html {
    let node = use_node_ref();
    use_css(&node, "width", format!("{:.1}%", props.percent));
    html! { <span ref={node}></span> }
}
