//! The UI's state as pure reducers: no DOM, tested natively (`cargo test -p playground`).
//! One file a page, plus the app-wide state and the one freshness rule they share.

pub mod app;
pub mod clean;
pub mod feel;
pub mod fresh;
pub mod game;
pub mod photo;
pub mod playground;
pub mod sketch;
pub mod speed;
pub mod write;
