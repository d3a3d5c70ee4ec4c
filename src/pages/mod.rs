//! One file per page.

pub mod game;
pub mod photo;
pub mod share;
pub mod sketch;
