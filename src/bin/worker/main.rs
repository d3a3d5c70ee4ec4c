//! The inference worker's entry point. Its runtime lives beside it, not in the `playground`
//! library: tract registers code through static constructors, so any binary that links it
//! carries all of it, and the app must stay small.

mod runtime;

fn main() {
    runtime::start();
}
