//! One file per page.

pub mod sketch;
