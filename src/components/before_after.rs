//! A photo before and after, one over the other, split where the slider is: drag it (or use the
//! arrow keys) to compare. The pixels come from the worker as RGBA; a canvas shows them as they
//! are, and the "after" one is what Download saves.

use crate::hooks::use_css;
use playground_core::protocol::Cleaned;
use std::rc::Rc;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlInputElement, ImageData};
use yew::prelude::*;

#[derive(Properties)]
pub struct BeforeAfterProps {
    pub photo: Rc<Cleaned>,
    /// Where the after canvas is, for the page's Download.
    pub after: NodeRef,
}

// By pointer: `Cleaned` holds megabytes of pixels, and the props are compared at each render
// (each move of the slider).
impl PartialEq for BeforeAfterProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.photo, &other.photo) && self.after == other.after
    }
}

fn paint(canvas: &NodeRef, width: u32, height: u32, rgba: &[u8]) {
    let Some(canvas) = canvas.cast::<HtmlCanvasElement>() else { return };
    canvas.set_width(width);
    canvas.set_height(height);
    let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), width, height);
    let ctx =
        canvas.get_context("2d").ok().flatten().and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok());
    if let (Ok(image), Some(ctx)) = (image, ctx) {
        let _ = ctx.put_image_data(&image, 0.0, 0.0);
    }
}

#[component]
pub fn BeforeAfter(props: &BeforeAfterProps) -> Html {
    let before = use_node_ref();
    let frame = use_node_ref();
    let split = use_state(|| 50.0f64);
    {
        let (before, after, photo) = (before.clone(), props.after.clone(), props.photo.clone());
        use_effect_with(Rc::as_ptr(&props.photo) as usize, move |_| {
            paint(&before, photo.width, photo.height, &photo.before);
            paint(&after, photo.width, photo.height, &photo.after);
        });
    }
    use_css(&frame, "--split", format!("{}%", *split));
    let on_input = {
        let split = split.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = e.target_dyn_into::<HtmlInputElement>().and_then(|i| i.value().parse().ok()) {
                split.set(v);
            }
        })
    };
    html! {
        <div class="before-after" ref={frame} data-testid="before-after">
            <canvas ref={before} class="before" aria-hidden="true" data-testid="before-canvas"></canvas>
            <canvas ref={props.after.clone()} class="after" role="img"
                aria-label="the photo before cleaning (left of the slider) and after (right)" data-testid="after-canvas"></canvas>
            <span class="divider" aria-hidden="true"></span>
            <span class="tag tag-before" aria-hidden="true">{ "Before" }</span>
            <span class="tag tag-after" aria-hidden="true">{ "After" }</span>
            <input type="range" min="0" max="100" step="1" value={split.to_string()} oninput={on_input}
                aria-label="Compare: before on the left, after on the right" data-testid="compare" />
        </div>
    }
}
