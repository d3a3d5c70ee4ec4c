use playground_core::sketch::Stroke;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlAnchorElement, HtmlCanvasElement};
use yew::prelude::*;

const SIDE: f64 = 256.0;

#[derive(Properties, PartialEq)]
pub struct DrawingThumbProps {
    pub strokes: Rc<Vec<Stroke>>,
    /// What the drawing shows, for screen readers.
    pub label: AttrValue,
    /// File name of a PNG download offered under it; none: just the drawing.
    #[prop_or_default]
    pub download: Option<AttrValue>,
}

/// A drawing fitted into a 256×256 white square (the player's own with a PNG download, or
/// someone else's in the game's gallery).
#[component]
pub fn DrawingThumb(props: &DrawingThumbProps) -> Html {
    let canvas = use_node_ref();
    let link = use_node_ref();
    {
        let (canvas, link) = (canvas.clone(), link.clone());
        use_effect_with(props.strokes.clone(), move |strokes| {
            if let Some(el) = canvas.cast::<HtmlCanvasElement>() {
                paint(&el, strokes);
                if let Some(a) = link.cast::<HtmlAnchorElement>() {
                    if let Ok(url) = el.to_data_url_with_type("image/png") {
                        a.set_href(&url);
                    }
                }
            }
        });
    }
    let canvas = html! {
        <canvas ref={canvas} width="256" height="256" role="img" aria-label={props.label.clone()}
            data-testid={props.download.is_some().then_some("thumb")}></canvas>
    };
    match &props.download {
        Some(name) => html! {
            <figure class="thumb">
                { canvas }
                <a ref={link} download={format!("{name}.png")} data-testid="download">{ "Download PNG" }</a>
            </figure>
        },
        None => canvas,
    }
}

fn paint(canvas: &HtmlCanvasElement, strokes: &[Stroke]) {
    let Some(ctx) = canvas.get_context("2d").ok().flatten() else { return };
    let ctx: CanvasRenderingContext2d = ctx.unchecked_into();
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, SIDE, SIDE);
    let points = || strokes.iter().flatten();
    let (Some(min_x), Some(min_y)) =
        (points().map(|p| p[0] as f64).reduce(f64::min), points().map(|p| p[1] as f64).reduce(f64::min))
    else {
        return;
    };
    let max_x = points().map(|p| p[0] as f64).fold(min_x, f64::max);
    let max_y = points().map(|p| p[1] as f64).fold(min_y, f64::max);
    let extent = (max_x - min_x).max(max_y - min_y).max(1.0);
    let scale = SIDE * 0.8 / extent;
    let (ox, oy) = ((SIDE - (max_x - min_x) * scale) / 2.0, (SIDE - (max_y - min_y) * scale) / 2.0);
    ctx.set_stroke_style_str("#111111");
    ctx.set_line_width(6.0);
    ctx.set_line_cap("round");
    ctx.set_line_join("round");
    for stroke in strokes.iter().filter(|s| !s.is_empty()) {
        ctx.begin_path();
        for (i, p) in stroke.iter().enumerate() {
            let (x, y) = (ox + (p[0] as f64 - min_x) * scale, oy + (p[1] as f64 - min_y) * scale);
            if i == 0 {
                ctx.move_to(x, y);
                ctx.line_to(x + 0.01, y);
            } else {
                ctx.line_to(x, y);
            }
        }
        ctx.stroke();
    }
}
