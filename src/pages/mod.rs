//! One file per page.

pub mod photo;
pub mod share;
pub mod sketch;
