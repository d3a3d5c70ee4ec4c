//! One file per page, and the page table: what the navigation, the router, the tab's title and
//! embed mode know of each page. Adding a page is its file, a `Route` and one entry here
//! (ARCHITECTURE.md, "Adding a page").

pub mod clean;
pub mod feel;
pub mod game;
pub mod photo;
pub mod playground;
pub mod share;
pub mod sketch;
pub mod speed;
pub mod write;

use crate::route::Route;
use yew::prelude::*;
use yew_router::Routable;

pub struct Page {
    pub route: Route,
    /// The navigation tab's text and test id.
    pub tab: &'static str,
    pub testid: &'static str,
    /// The browser tab's title (a screen reader and the tab strip say where one is).
    pub title: &'static str,
    /// The registry model the page runs, if any.
    pub model: Option<&'static str>,
    pub embed: Option<Embed>,
    pub render: fn() -> Html,
}

/// A page a blog can embed: `embed.html?demo=<name>`.
pub struct Embed {
    pub name: &'static str,
    /// The heading inside the iframe (visually hidden) and the iframe's title.
    pub title: &'static str,
}

/// In navigation order.
pub const PAGES: &[Page] = &[
    Page {
        route: Route::Sketch,
        tab: "Sketch",
        testid: "nav-sketch",
        title: "Sketch it: draw, and a neural network guesses",
        model: Some(sketch::MODEL),
        embed: Some(Embed { name: "sketch", title: "Sketch it: draw, and a neural network guesses" }),
        render: || html! { <sketch::SketchPage /> },
    },
    Page {
        route: Route::Game,
        tab: "Game",
        testid: "nav-game",
        title: "Game · Sketch it",
        model: Some(game::MODEL),
        embed: Some(Embed { name: "game", title: "Sketch it: the doodle game" }),
        render: || html! { <game::GamePage /> },
    },
    Page {
        route: Route::Photo,
        tab: "Photo",
        testid: "nav-photo",
        title: "Photo · Sketch it",
        model: Some(photo::MODEL),
        embed: Some(Embed { name: "photo", title: "Sketch it: a neural network names your photo" }),
        render: || html! { <photo::PhotoPage /> },
    },
    Page {
        route: Route::Clean,
        tab: "Clean",
        testid: "nav-clean",
        title: "Fix a grainy photo · Sketch it",
        model: Some(clean::MODEL),
        embed: Some(Embed { name: "clean", title: "Sketch it: a neural network cleans a grainy photo" }),
        render: || html! { <clean::CleanPage /> },
    },
    Page {
        route: Route::Feel,
        tab: "Feel",
        testid: "nav-feel",
        title: "How does this sentence feel? · Sketch it",
        model: Some(feel::MODEL),
        embed: Some(Embed {
            name: "feel",
            title: "Sketch it: a neural network reads the mood of a sentence",
        }),
        render: || html! { <feel::FeelPage /> },
    },
    Page {
        route: Route::Write,
        tab: "Write",
        testid: "nav-write",
        title: "Write like Shakespeare · Sketch it",
        model: Some(write::MODEL),
        embed: Some(Embed {
            name: "write",
            title: "Sketch it: a small neural network writes like Shakespeare",
        }),
        render: || html! { <write::WritePage /> },
    },
    Page {
        route: Route::Playground,
        tab: "Your model",
        testid: "nav-playground",
        title: "Your model · Sketch it",
        model: None,
        embed: None,
        render: || html! { <playground::PlaygroundPage /> },
    },
    Page {
        route: Route::Share,
        tab: "Share",
        testid: "nav-share",
        title: "Share · Sketch it",
        model: None,
        embed: None,
        render: || html! { <share::SharePage /> },
    },
];

/// The page at `route` (an unknown route is the sketch page's).
pub fn page(route: Route) -> &'static Page {
    PAGES.iter().find(|p| p.route == route).unwrap_or(&PAGES[0])
}

/// The embeddable page called `name`.
pub fn embeddable(name: &str) -> Option<&'static Page> {
    PAGES.iter().find(|p| p.embed.as_ref().is_some_and(|e| e.name == name))
}

/// The full app's URL fragment for `route` (the embed's "open the full playground" link).
pub fn hash(route: Route) -> String {
    format!("#{}", route.to_path())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_has_one_page_and_embed_names_are_unique() {
        for route in [
            Route::Sketch,
            Route::Game,
            Route::Photo,
            Route::Clean,
            Route::Feel,
            Route::Write,
            Route::Playground,
            Route::Share,
        ] {
            assert_eq!(PAGES.iter().filter(|p| p.route == route).count(), 1, "{route:?}");
        }
        let names: Vec<&str> = PAGES.iter().filter_map(|p| p.embed.as_ref().map(|e| e.name)).collect();
        assert_eq!(names, ["sketch", "game", "photo", "clean", "feel", "write"]);
        assert!(
            PAGES.iter().filter(|p| p.embed.is_some()).all(|p| p.model.is_some()),
            "an embed runs a model"
        );
        assert_eq!(hash(Route::Sketch), "#/");
        assert_eq!(hash(Route::Photo), "#/photo");
        assert_eq!(page(Route::NotFound).route, Route::Sketch);
    }
}
