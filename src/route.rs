//! The app's URLs. Hash routes (`#/photo`) work on any static host and inside an iframe. What
//! each route shows is the page table, `pages::PAGES`.

use yew_router::prelude::*;

#[derive(Clone, Copy, Debug, Routable, PartialEq, Eq)]
pub enum Route {
    #[at("/")]
    Sketch,
    #[at("/game")]
    Game,
    #[at("/photo")]
    Photo,
    #[at("/clean")]
    Clean,
    #[at("/feel")]
    Feel,
    #[at("/write")]
    Write,
    #[at("/playground")]
    Playground,
    #[at("/share")]
    Share,
    #[not_found]
    #[at("/404")]
    NotFound,
}
