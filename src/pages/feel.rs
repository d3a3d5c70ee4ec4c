use crate::components::status_bar::ModelStatusBar;
use crate::hooks::{use_css, use_model, use_settled};
use crate::state::feel::{FeelAction, FeelState};
use playground_core::protocol::Feeling;
use std::rc::Rc;
use yew::prelude::*;

pub const MODEL: &str = playground_core::registry::SENTIMENT;
/// Quiet time after a keystroke before the sentence is read: typing stays smooth, and the
/// answer follows within a blink.
const DEBOUNCE_MS: u32 = 150;
const EXAMPLES: [&str; 3] = [
    "A warm, funny and wonderful film.",
    "The plot is thin and the jokes fall flat.",
    "Not bad at all, really.",
];

/// Type a sentence; a small BERT-style encoder says whether it reads positive or negative, how
/// much each word pulls it either way, and where its first layer of self-attention looks.
#[component]
pub fn FeelPage() -> Html {
    let state = use_reducer(FeelState::default);
    let line = use_model(MODEL, {
        let dispatcher = state.dispatcher();
        Callback::from(move |(id, reply)| dispatcher.dispatch(FeelAction::Answer(id, reply)))
    });
    let text = use_state(|| EXAMPLES[0].to_string());
    let settled = use_settled((*text).clone(), DEBOUNCE_MS);
    // The sentence once typing pauses (and again when the model is in, or back after a restart).
    {
        let (line, dispatcher) = (line.clone(), state.dispatcher());
        use_effect_with((settled.clone(), line.ready), move |(settled, ready)| {
            if !*ready {
                return;
            }
            if settled.trim().is_empty() {
                dispatcher.dispatch(FeelAction::Cleared { next: line.next_id() });
            } else {
                dispatcher.dispatch(FeelAction::Asked { next: line.next_id(), text: settled.clone() });
                line.feel(settled.clone());
            }
        });
    }
    // Each word's part, a few words at a time, once the answer is in (after a worker restart
    // the sentence is asked again, and its answer starts them again).
    {
        let (line, next, text) = (line.clone(), state.next_words(), state.text.clone());
        use_effect_with(state.fresh.shown(), move |_| {
            if let Some(words) = next.filter(|_| line.ready) {
                line.leave_out(text, words);
            }
        });
    }
    let on_input = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(area) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                text.set(area.value());
            }
        })
    };
    let typing = *text != settled || (*text != state.asked && !text.trim().is_empty());

    html! {
        <>
        <ModelStatusBar model={MODEL} />
        <div class="feel-page">
            <section class="feel-input" aria-label="the sentence">
                <label for="feel-text">{ "A sentence: a review, a message, anything (English)" }</label>
                <textarea id="feel-text" rows="3" value={(*text).clone()} oninput={on_input}
                    spellcheck="false" data-testid="feel-text" />
                <p class="examples">
                    { "Try: " }
                    { for EXAMPLES.iter().map(|&example| {
                        let text = text.clone();
                        html! { <button class="example" onclick={Callback::from(move |_| text.set(example.to_string()))}>{ example }</button> }
                    }) }
                </p>
            </section>
            <section class="feel-answer side" aria-label="how it feels">
                <h2>{ "How it feels" }</h2>
                if let Some(feeling) = &state.feeling {
                    <Verdict feeling={feeling.clone()} stale={typing} />
                    <h3>{ "Why: each word's part" }</h3>
                    <p class="feel-words" data-testid="feel-words">
                        { for state.parts().into_iter().map(|(word, part)| html! { <Part {word} {part} /> }) }
                    </p>
                    <p class="hint" data-testid="feel-parts-hint">
                        if state.without.len() < feeling.words.len() {
                            { format!("Working out each word's part… {} of {}", state.without.len(), feeling.words.len()) }
                        } else {
                            { "Green words make it read more positive, red ones more negative: the sentence is read again without each word, and the change is its part." }
                        }
                    </p>
                    if feeling.truncated {
                        <p class="hint" data-testid="feel-truncated">
                            { format!("It reads the first {} word pieces only; the rest was left out.", feeling.tokens.len().saturating_sub(2)) }
                        </p>
                    }
                    <Attention feeling={feeling.clone()} />
                    <p class="timing" data-testid="feel-timing" data-ms={format!("{:.1}", feeling.millis)}
                        data-tokens={feeling.tokens.len().to_string()}>
                        { format!("Read in {:.0} ms on this device ({} word pieces).", feeling.millis, feeling.tokens.len()) }
                    </p>
                } else if state.error.is_none() {
                    <p class="placeholder">{ if line.ready { "Type a sentence." } else { "The model is on its way (23 MB, once)…" } }</p>
                }
                if let Some(error) = &state.error {
                    <p class="error" role="alert" data-testid="feel-error">{ error }</p>
                }
                <p class="hint">{ "all-MiniLM-L6-v2, a 6-layer BERT-style encoder (22 million weights, int8), with a small head trained here on 8,662 movie-review snippets: 79% right on 2,000 it never saw. It knows English reviews; sarcasm and long texts fool it." }</p>
            </section>
        </div>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct VerdictProps {
    feeling: Rc<Feeling>,
    /// The sentence has changed since: the answer is about to be replaced.
    stale: bool,
}

/// "Positive · 93%", and a meter from negative to positive.
#[component]
fn Verdict(props: &VerdictProps) -> Html {
    let p = props.feeling.positive;
    let fill = use_node_ref();
    use_css(&fill, "width", format!("{:.1}%", p * 100.0));
    html! {
        <div class={classes!("verdict", props.stale.then_some("stale"))}>
            <p class={classes!("verdict-word", if p >= 0.5 { "positive" } else { "negative" })}
                aria-live="polite" data-testid="feel-verdict" data-positive={format!("{p:.4}")}>
                { sure_words(p) }
            </p>
            <div class="meter" aria-hidden="true"><span ref={fill}></span></div>
            <p class="meter-ends small" aria-hidden="true"><span>{ "negative" }</span><span>{ "positive" }</span></p>
        </div>
    }
}

/// "Positive · 93% sure"; never "100%": the model is never certain.
fn sure_words(positive: f32) -> String {
    let (word, sure) = if positive >= 0.5 { ("Positive", positive) } else { ("Negative", 1.0 - positive) };
    if sure > 0.995 {
        format!("{word} · over 99% sure")
    } else {
        format!("{word} · {:.0}% sure", sure * 100.0)
    }
}

#[derive(Properties, PartialEq)]
struct PartProps {
    word: String,
    part: Option<f32>,
}

/// A word tinted by its part: green pushes towards positive, red towards negative.
#[component]
fn Part(props: &PartProps) -> Html {
    let node = use_node_ref();
    use_css(&node, "background-color", tint(props.part));
    let title = match props.part {
        Some(part) if part >= 0.0 => format!("the odds of “positive” are {:.1}× with it", part.exp()),
        Some(part) => format!("the odds of “positive” are {:.1}× smaller with it", (-part).exp()),
        None => "working it out…".into(),
    };
    // The colour says it to the eye; the hidden text says it to a screen reader.
    html! {
        <span ref={node} class="part" title={title.clone()} data-word={props.word.clone()}
            data-part={props.part.map(|p| format!("{p:.4}")).unwrap_or_default()}>
            { props.word.clone() }
            if props.part.is_some() { <span class="visually-hidden">{ format!(" ({title})") }</span> }
        </span>
    }
}

/// A translucent colour, so the word reads on light and dark backgrounds alike; strongest (at
/// most 0.5, for the text's contrast) from a part of 2 in log-odds (the odds × 7.4).
fn tint(part: Option<f32>) -> String {
    match part {
        None => "transparent".into(),
        Some(p) => {
            let alpha = (p.abs() / 4.0).min(0.5);
            let rgb = if p >= 0.0 { "34, 160, 90" } else { "215, 50, 50" };
            format!("rgba({rgb}, {alpha:.2})")
        }
    }
}

#[derive(Properties, PartialEq)]
struct AttentionProps {
    feeling: Rc<Feeling>,
}

/// The first layer's self-attention: pick a word piece, see which pieces it looks at (one head,
/// or the average of all).
#[component]
fn Attention(props: &AttentionProps) -> Html {
    let f = &props.feeling;
    let n = f.tokens.len();
    let from = use_state(|| 0usize);
    let head = use_state(|| None::<usize>);
    let from_now = (*from).min(n.saturating_sub(1));
    let weights: Vec<f32> = (0..n)
        .map(|k| {
            let at = |h: usize| f.attention.get((h * n + from_now) * n + k).copied().unwrap_or(0.0);
            match *head {
                Some(h) => at(h),
                None => (0..f.heads as usize).map(at).sum::<f32>() / f.heads.max(1) as f32,
            }
        })
        .collect();
    let strongest = weights.iter().copied().fold(0.0f32, f32::max).max(1e-6);
    let on_head = {
        let head = head.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                head.set(select.value().parse::<usize>().ok());
            }
        })
    };
    html! {
        <details class="attention" data-testid="feel-attention">
            <summary>{ "Where its first layer looks (self-attention)" }</summary>
            <p class="hint">{ "Pick a word piece: the darker the others, the more of its attention they get. [CLS] and [SEP] mark the start and end." }</p>
            <label class="setting">
                <span>{ "Head" }</span>
                <select onchange={on_head} data-testid="feel-head">
                    <option value="all" selected={head.is_none()}>{ format!("all {} heads, averaged", f.heads) }</option>
                    { for (0..f.heads as usize).map(|h| html! {
                        <option value={h.to_string()} selected={*head == Some(h)}>{ format!("head {}", h + 1) }</option>
                    }) }
                </select>
            </label>
            <p class="tokens">
                { for f.tokens.iter().enumerate().map(|(k, token)| {
                    let from = from.clone();
                    html! {
                        <TokenChip text={token.text.clone()} weight={weights[k] / strongest} selected={k == from_now}
                            onclick={Callback::from(move |_| from.set(k))} />
                    }
                }) }
            </p>
        </details>
    }
}

#[derive(Properties, PartialEq)]
struct TokenChipProps {
    text: String,
    /// Its share of the attention, relative to the strongest (0 to 1).
    weight: f32,
    selected: bool,
    onclick: Callback<MouseEvent>,
}

#[component]
fn TokenChip(props: &TokenChipProps) -> Html {
    let node = use_node_ref();
    use_css(&node, "background-color", format!("rgba(60, 110, 220, {:.2})", props.weight * 0.8));
    html! {
        <button ref={node} class={classes!("token", props.selected.then_some("selected"))}
            aria-pressed={props.selected.to_string()} onclick={props.onclick.clone()} data-testid="feel-token"
            aria-label={format!("{}, {:.0}%", props.text, props.weight * 100.0)}
            data-weight={format!("{:.3}", props.weight)}>{ props.text.clone() }</button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tints_say_the_direction_and_grow_with_the_part() {
        assert_eq!(tint(None), "transparent");
        assert_eq!(tint(Some(1.0)), "rgba(34, 160, 90, 0.25)");
        assert_eq!(tint(Some(-9.0)), "rgba(215, 50, 50, 0.50)");
        assert_eq!(sure_words(0.9996), "Positive · over 99% sure");
        assert_eq!(sure_words(0.25), "Negative · 75% sure");
    }
}
