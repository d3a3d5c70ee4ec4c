use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ModelInputViewProps {
    /// Pixels, row-major, `side`×`side`, `channels` (1 grey, 3 RGB) interleaved; empty:
    /// nothing to show.
    pub pixels: Vec<u8>,
    pub side: u32,
    #[prop_or(1)]
    pub channels: u8,
}

/// "What the model sees": the exact model input, one canvas pixel per input value, scaled up
/// by CSS with `image-rendering: pixelated`.
#[component]
pub fn ModelInputView(props: &ModelInputViewProps) -> Html {
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        use_effect_with(
            (props.pixels.clone(), props.side, props.channels),
            move |(pixels, side, channels)| {
                if let Some(canvas) = canvas.cast::<HtmlCanvasElement>() {
                    draw(&canvas, pixels, *side, *channels);
                }
            },
        );
    }
    html! {
        <figure class="model-input">
            <canvas ref={canvas} width={props.side.to_string()} height={props.side.to_string()}
                data-testid="model-input" role="img"
                aria-label={format!("the {0}×{0} image the model sees", props.side)}></canvas>
            <figcaption>{ format!("What the model sees ({0}×{0})", props.side) }</figcaption>
        </figure>
    }
}

fn draw(canvas: &HtmlCanvasElement, pixels: &[u8], side: u32, channels: u8) {
    let Some(ctx) = canvas.get_context("2d").ok().flatten() else { return };
    let ctx: CanvasRenderingContext2d = ctx.unchecked_into();
    if pixels.len() != (side * side) as usize * channels as usize {
        ctx.clear_rect(0.0, 0.0, side as f64, side as f64);
        return;
    }
    let rgba: Vec<u8> = match channels {
        3 => pixels.chunks(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect(),
        _ => pixels.iter().flat_map(|&v| [v, v, v, 255]).collect(),
    };
    if let Ok(image) = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), side, side) {
        let _ = ctx.put_image_data(&image, 0.0, 0.0);
    }
}
