//! The browser side: the thin Yew UI. The web worker that hosts the engine is the `worker`
//! binary (src/bin/worker/): kept out of this library so the app's wasm never links tract.
//! Everything that can be tested without a browser lives in `playground-core`;
//! `state` holds the UI's pure reducers, tested natively too.

pub mod app;
pub mod client;
pub mod components;
pub mod embed;
pub mod fetch;
pub mod hooks;
pub mod inference;
pub mod ledger;
pub mod model_store;
pub mod pages;
pub mod prefs;
pub mod route;
pub mod state;
