//! One file per page.

pub mod photo;
pub mod sketch;
