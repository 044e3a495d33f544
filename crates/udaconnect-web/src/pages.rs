//! The server-rendered pages: landmarks, headings, labelled controls and the sign-in dialog,
//! filled in by the page's ES module. Query strings are rendered back into the forms, so a
//! page's URL is its state (shareable, works with the back button).

use std::{collections::HashMap, sync::Arc};

use axum::{
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use maud::{DOCTYPE, Markup, html};

use crate::Web;

type Params = Query<HashMap<String, String>>;

/// Which entry of the main navigation a page belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Nav {
    People,
    Live,
    Organiser,
}

struct Page<'a> {
    title: &'a str,
    nav: Nav,
    /// `/assets/js/{module}.js` fills the page.
    module: &'a str,
    main: Markup,
}

fn layout(web: &Web, page: Page<'_>) -> Markup {
    let nav = |href: &str, label: &str, which: Nav| {
        html! {
            li { a href=(href) aria-current=[(page.nav == which).then_some("page")] { (label) } }
        }
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light";
                title { (page.title) " · UdaConnect" }
                link rel="icon" type="image/svg+xml" href="/assets/favicon.svg";
                link rel="stylesheet" href="/assets/app.css";
                script type="module" src={ "/assets/js/" (page.module) ".js" } {}
            }
            body data-map-tile-url=[web.config.map_tile_url.as_deref()] {
                a.skip href="#main" { "Skip to content" }
                header.site {
                    a.brand href="/" { span aria-hidden="true" { "◎ " } "UdaConnect" }
                    nav aria-label="Main" {
                        ul {
                            (nav("/", "People", Nav::People))
                            (nav("/live", "Live", Nav::Live))
                            (nav("/organiser", "Organiser", Nav::Organiser))
                            li { a href="/docs/" { "API docs" } }
                        }
                    }
                    div #session.session {}
                }
                main #main tabindex="-1" { (page.main) }
                footer.site {
                    p { "UdaConnect — whom you met, and where. Times are UTC." }
                }
                (sign_in_dialog())
            }
        }
    }
}

fn sign_in_dialog() -> Markup {
    html! {
        dialog #signin aria-labelledby="signin-title" aria-describedby="signin-why" {
            form #signin-form method="dialog" novalidate {
                h2 #signin-title { "Sign in" }
                p #signin-why { "The server asks who you are before it shows this." }
                p #signin-error.error role="alert" {}
                div.field {
                    label for="signin-username" { "Username" }
                    input #signin-username name="username" type="text" autocomplete="username" required;
                }
                div.field {
                    label for="signin-password" { "Password" }
                    input #signin-password name="password" type="password" autocomplete="current-password" required;
                }
                div.actions {
                    button type="submit" value="signin" { "Sign in" }
                    button #signin-cancel.secondary type="button" { "Cancel" }
                }
            }
        }
    }
}

fn html_response(status: StatusCode, markup: Markup) -> Response {
    let mut res = (status, axum::response::Html(markup.into_string())).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

/// `GET /`: people, with a search box filtering the list in the browser.
pub(crate) async fn people(State(web): State<Arc<Web>>, Query(q): Params) -> Response {
    let search = q.get("q").map(String::as_str).unwrap_or("");
    let main = html! {
        h1 { "People" }
        form #people-search.search role="search" action="/" method="get" {
            label for="q" { "Search by name or company" }
            input #q type="search" name="q" value=(search) autocomplete="off"
                aria-controls="people-list" aria-describedby="people-hint";
            p #people-hint.hint { "Press ↓ to move into the list, Enter to open a person." }
        }
        p #people-count role="status" aria-live="polite" { "Loading people…" }
        ul #people-list.people aria-label="People" {}
    };
    let page = Page {
        title: "People",
        nav: Nav::People,
        module: "people",
        main,
    };
    html_response(StatusCode::OK, layout(&web, page))
}

/// `GET /people/{person_id}`: the person's contacts (v2 API), timeline and map.
pub(crate) async fn person(
    State(web): State<Arc<Web>>,
    Path(person_id): Path<String>,
    Query(q): Params,
) -> Response {
    let Some(id) = person_id.parse::<i64>().ok().filter(|id| *id >= 1) else {
        return not_found(
            &web,
            "There is no person with that id: ids are whole numbers from 1.",
        );
    };
    let value = |name: &str, default: &'static str| -> String {
        q.get(name).cloned().unwrap_or_else(|| default.to_owned())
    };
    let main = html! {
        nav.crumbs aria-label="Breadcrumb" { a href="/" { "← All people" } }
        div #person data-person-id=(id) {
            h1 #person-name { "Person " (id) }
            p #person-company.company {}
            p.aside { a href={ "/live?person_id=" (id) } { "Watch their contacts and fixes live" } }
        }
        form #contact-form.controls action={ "/people/" (id) } method="get" aria-labelledby="query-title" {
            h2 #query-title.visually-hidden { "Which contacts" }
            div.field {
                label for="from" { "From (UTC)" }
                input #from type="datetime-local" name="from" step="1" value=(value("from", ""));
            }
            div.field {
                label for="to" { "To (UTC, exclusive)" }
                input #to type="datetime-local" name="to" step="1" value=(value("to", ""));
            }
            div.field {
                label for="distance_m" { "Within (metres)" }
                input #distance_m type="number" name="distance_m" min="0.1" max="1000" step="any"
                    required value=(value("distance_m", "5"));
            }
            div.field {
                label for="window_s" { "Time window (seconds)" }
                input #window_s type="number" name="window_s" min="0" max="86400" step="1"
                    required value=(value("window_s", "300"));
            }
            input type="hidden" name="limit" value=(value("limit", "20"));
            div.actions { button type="submit" { "Show contacts" } }
        }
        p #contacts-status role="status" aria-live="polite" { "Loading contacts…" }
        div.person-grid {
            section.contacts-section aria-labelledby="contacts-title" {
                h2 #contacts-title { "Contacts" }
                ol #contact-list.contacts {}
                button #more-contacts.secondary type="button" hidden { "Load more contacts" }
            }
            section.map-section aria-labelledby="map-title" {
                h2 #map-title { "Where they met" }
                figure #contact-map.map {}
            }
            section.timeline-section aria-labelledby="timeline-title" {
                h2 #timeline-title { "Timeline of meetings" }
                ol #timeline.timeline {}
            }
        }
    };
    let page = Page {
        title: "Contacts",
        nav: Nav::People,
        module: "person",
        main,
    };
    html_response(StatusCode::OK, layout(&web, page))
}

/// `GET /live`: contact episodes and recorded fixes as they happen.
pub(crate) async fn live(State(web): State<Arc<Web>>) -> Response {
    let main = html! {
        h1 { "Live" }
        p #live-filter.hint hidden {}
        p #live-status.live-status role="status" { "Connecting…" }
        div.feeds {
            section aria-labelledby="contact-feed-title" {
                h2 #contact-feed-title { "New contacts" }
                p.hint { "Two people meeting, as the detector sees it; newest first." }
                ol #contact-feed.feed aria-live="polite" aria-relevant="additions" {}
                p #contact-feed-empty.empty { "No contact yet since this page opened." }
            }
            section aria-labelledby="location-feed-title" {
                h2 #location-feed-title { "Recent fixes" }
                p.hint { "Location fixes as they are stored; newest first." }
                ol #location-feed.feed aria-live="off" {}
                p #location-feed-empty.empty { "No fix yet since this page opened." }
            }
        }
    };
    let page = Page {
        title: "Live",
        nav: Nav::Live,
        module: "live",
        main,
    };
    html_response(StatusCode::OK, layout(&web, page))
}

/// `GET /organiser`: ingest rate, people present, busiest booths.
pub(crate) async fn organiser(State(web): State<Arc<Web>>, Query(q): Params) -> Response {
    let window = q
        .get("window_s")
        .and_then(|w| w.parse::<u32>().ok())
        .unwrap_or(300);
    let windows = [
        (60, "last minute"),
        (300, "last 5 minutes"),
        (900, "last 15 minutes"),
        (3600, "last hour"),
        (86_400, "last day"),
    ];
    let main = html! {
        h1 { "Organiser" }
        form #activity-form.controls action="/organiser" method="get" {
            div.field {
                label for="window_s" { "Period (of fix time, up to the newest fix)" }
                select #window_s name="window_s" {
                    @for (w, label) in windows {
                        option value=(w) selected[w == window] { (label) }
                    }
                }
            }
            div.actions {
                button #activity-refresh type="submit" { "Refresh" }
                button #activity-pause.secondary type="button" aria-pressed="false" { "Pause auto-refresh" }
            }
        }
        p #activity-status role="status" aria-live="polite" { "Loading activity…" }
        dl.stats {
            div { dt { "Ingest rate" } dd #stat-rate { "–" } }
            div { dt { "People present now" } dd #stat-present { "–" } }
            div { dt { "Fixes in the period" } dd #stat-fixes { "–" } }
            div { dt { "Newest fix" } dd #stat-at { "–" } }
        }
        div.person-grid {
            section aria-labelledby="hotspots-title" {
                h2 #hotspots-title { "Busiest booths" }
                table #hotspots {
                    caption.visually-hidden { "Busiest places by distinct people in the period" }
                    thead { tr {
                        th scope="col" { "Rank" }
                        th scope="col" { "Place" }
                        th scope="col" { "People" }
                        th scope="col" { "Fixes" }
                    } }
                    tbody {}
                }
            }
            section aria-labelledby="hotspot-map-title" {
                h2 #hotspot-map-title { "Map" }
                figure #hotspot-map.map {}
            }
        }
    };
    let page = Page {
        title: "Organiser",
        nav: Nav::Organiser,
        module: "organiser",
        main,
    };
    html_response(StatusCode::OK, layout(&web, page))
}

fn not_found(web: &Web, message: &str) -> Response {
    let main = html! {
        h1 { "Not found" }
        p { (message) }
        p { a href="/" { "All people" } }
    };
    let page = Page {
        title: "Not found",
        nav: Nav::People,
        module: "api",
        main,
    };
    html_response(StatusCode::NOT_FOUND, layout(web, page))
}
