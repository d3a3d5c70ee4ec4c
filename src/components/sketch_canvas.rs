use gloo::events::EventListener;
use playground_core::sketch::Stroke;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, PointerEvent};
use yew::prelude::*;

/// How often a stroke in progress is sent for a live guess.
const LIVE_GUESS_INTERVAL_MS: f64 = 120.0;

#[derive(Properties, PartialEq)]
pub struct SketchCanvasProps {
    /// Finished strokes, in canvas CSS pixels.
    pub strokes: Rc<Vec<Stroke>>,
    /// A stroke was finished (pointer up).
    pub on_stroke: Callback<Stroke>,
    /// The stroke in progress, at most every `LIVE_GUESS_INTERVAL_MS`.
    pub on_drawing: Callback<Stroke>,
}

/// The stroke being drawn: which pointer draws it and its points.
struct Pen {
    pointer: i32,
    stroke: Stroke,
    last_emit: f64,
}

/// A drawing surface for mouse, touch and pen (pointer events; `touch-action: none` in CSS
/// keeps a phone from scrolling). Strokes are kept as vectors and painted smoothed.
#[component]
pub fn SketchCanvas(props: &SketchCanvasProps) -> Html {
    let canvas = use_node_ref();
    let pen: Rc<RefCell<Option<Pen>>> = use_mut_ref(|| None);

    // Repaint when the committed strokes change (a new stroke, undo, clear) and on resize,
    // keeping the backing store at CSS size × devicePixelRatio so lines stay crisp.
    {
        let (canvas, pen) = (canvas.clone(), pen.clone());
        use_effect_with(props.strokes.clone(), move |strokes| {
            let strokes = strokes.clone();
            let repaint = move || {
                if let Some(el) = canvas.cast::<HtmlCanvasElement>() {
                    let ratio = web_sys::window().map(|w| w.device_pixel_ratio()).unwrap_or(1.0);
                    let rect = el.get_bounding_client_rect();
                    let (w, h) = (
                        (rect.width() * ratio).round().max(1.0) as u32,
                        (rect.height() * ratio).round().max(1.0) as u32,
                    );
                    if (el.width(), el.height()) != (w, h) {
                        el.set_width(w);
                        el.set_height(h);
                    }
                }
                paint(&canvas, &strokes, pen.borrow().as_ref().map(|p| &p.stroke));
            };
            repaint();
            let listener = web_sys::window().map(|w| EventListener::new(&w, "resize", move |_| repaint()));
            move || drop(listener)
        });
    }

    let point = |canvas: &NodeRef, e: &PointerEvent| -> Option<[f32; 2]> {
        let rect = canvas.cast::<HtmlCanvasElement>()?.get_bounding_client_rect();
        Some([(e.client_x() as f64 - rect.left()) as f32, (e.client_y() as f64 - rect.top()) as f32])
    };

    let onpointerdown = {
        let (canvas, pen, strokes) = (canvas.clone(), pen.clone(), props.strokes.clone());
        Callback::from(move |e: PointerEvent| {
            // Primary button (or any touch/pen contact), one pointer at a time.
            if pen.borrow().is_some() || (e.pointer_type() == "mouse" && e.button() != 0) {
                return;
            }
            e.prevent_default();
            if let Some(el) = canvas.cast::<HtmlCanvasElement>() {
                let _ = el.set_pointer_capture(e.pointer_id());
            }
            let Some(p) = point(&canvas, &e) else { return };
            *pen.borrow_mut() =
                Some(Pen { pointer: e.pointer_id(), stroke: vec![p], last_emit: e.time_stamp() });
            paint(&canvas, &strokes, pen.borrow().as_ref().map(|p| &p.stroke));
        })
    };
    let onpointermove = {
        let (canvas, pen, strokes, on_drawing) =
            (canvas.clone(), pen.clone(), props.strokes.clone(), props.on_drawing.clone());
        Callback::from(move |e: PointerEvent| {
            let mut guard = pen.borrow_mut();
            let Some(active) = guard.as_mut().filter(|p| p.pointer == e.pointer_id()) else { return };
            e.prevent_default();
            let Some(p) = point(&canvas, &e) else { return };
            if active.stroke.last() == Some(&p) {
                return;
            }
            active.stroke.push(p);
            let live = (e.time_stamp() - active.last_emit >= LIVE_GUESS_INTERVAL_MS).then(|| {
                active.last_emit = e.time_stamp();
                active.stroke.clone()
            });
            paint(&canvas, &strokes, Some(&active.stroke));
            drop(guard);
            if let Some(stroke) = live {
                on_drawing.emit(stroke);
            }
        })
    };
    let onpointerup = {
        let (pen, on_stroke) = (pen.clone(), props.on_stroke.clone());
        Callback::from(move |e: PointerEvent| {
            let finished = {
                let mut guard = pen.borrow_mut();
                match guard.as_ref() {
                    Some(active) if active.pointer == e.pointer_id() => guard.take(),
                    _ => None,
                }
            };
            if let Some(active) = finished {
                on_stroke.emit(active.stroke);
            }
        })
    };

    html! {
        <canvas ref={canvas} class="sketch-canvas" data-testid="sketch-canvas"
            aria-label="drawing area: draw with a mouse, a finger or a pen"
            onpointerdown={onpointerdown} onpointermove={onpointermove}
            onpointerup={onpointerup.clone()} onpointercancel={onpointerup}></canvas>
    }
}

/// Clears and paints every stroke, each as quadratic curves through the midpoints of its
/// points, which smooths the polyline without moving it off the points the model gets.
fn paint(canvas: &NodeRef, strokes: &[Stroke], current: Option<&Stroke>) {
    let Some(el) = canvas.cast::<HtmlCanvasElement>() else { return };
    let Some(ctx) = el.get_context("2d").ok().flatten() else { return };
    let ctx: CanvasRenderingContext2d = ctx.unchecked_into();
    let rect = el.get_bounding_client_rect();
    let ratio = if rect.width() > 0.0 { el.width() as f64 / rect.width() } else { 1.0 };
    let _ = ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, rect.width(), rect.height());
    ctx.set_line_cap("round");
    ctx.set_line_join("round");
    ctx.set_line_width((rect.width().min(rect.height()) / 70.0).max(3.0));
    let ink = el
        .owner_document()
        .and_then(|d| d.default_view())
        .and_then(|w| w.get_computed_style(&el).ok().flatten())
        .and_then(|s| s.get_property_value("color").ok())
        .unwrap_or_else(|| "#111".into());
    ctx.set_stroke_style_str(&ink);
    ctx.set_fill_style_str(&ink);
    for stroke in strokes.iter().chain(current) {
        let [x0, y0] = stroke[0];
        ctx.begin_path();
        ctx.move_to(x0 as f64, y0 as f64);
        if stroke.len() == 1 {
            ctx.line_to(x0 as f64 + 0.01, y0 as f64);
        }
        for pair in stroke.windows(2) {
            let ([ax, ay], [bx, by]) = (pair[0], pair[1]);
            ctx.quadratic_curve_to(ax as f64, ay as f64, ((ax + bx) / 2.0) as f64, ((ay + by) / 2.0) as f64);
        }
        if let Some(&[x, y]) = stroke.last() {
            ctx.line_to(x as f64, y as f64);
        }
        ctx.stroke();
    }
}
