//! One file per page.

pub mod game;
pub mod photo;
pub mod playground;
pub mod share;
pub mod sketch;
