//! Widgets: each takes props and emits callbacks; none talks to the worker directly.

pub mod before_after;
pub mod drawing_thumb;
pub mod embed_button;
pub mod guess_list;
pub mod known_classes;
pub mod model_input_view;
pub mod photo_source;
pub mod sketch_canvas;
pub mod status_bar;
