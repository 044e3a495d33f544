//! UdaConnect's web UI, served by the gateway at `/` (the API docs stay at `/docs/`).
//!
//! Pages are rendered on the server ([`maud`]) as accessible shells — landmarks, headings,
//! labelled forms, the sign-in dialog — and filled in the browser by small vanilla ES modules
//! that call the public REST API (`/api/...`) with the signed-in user's bearer token. Every
//! asset (CSS, JS, icon) is compiled into the binary: no CDN, no npm or node at build or run
//! time, works offline. Responses carry a strict Content-Security-Policy (no inline script or
//! style), `nosniff`, and assets an `ETag` answered with `304` on revalidation.
//!
//! | route | page |
//! |---|---|
//! | `/` | people, with search |
//! | `/people/{id}` | a person's contacts (v2 API), timeline and map of where they met |
//! | `/live` | live feed of contact episodes and recorded fixes (SSE) |
//! | `/organiser` | ingest rate, people present, busiest booths |
//! | `/assets/{path}` | the embedded CSS, JS modules and icon |

mod assets;
mod headers;
mod pages;

use std::sync::Arc;

use axum::{Router, middleware, routing::get};

/// What the UI needs from the process's configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebConfig {
    /// Raster tiles for the maps, as a URL template with `{z}`, `{x}` and `{y}` (e.g.
    /// `https://tiles.example.org/{z}/{x}/{y}.png`); `None` draws maps without tiles.
    pub map_tile_url: Option<String>,
}

/// Per-process state of the UI routes: the configuration and the headers derived from it.
#[derive(Debug)]
pub(crate) struct Web {
    pub(crate) config: WebConfig,
    pub(crate) csp: axum::http::HeaderValue,
}

impl Web {
    fn new(config: WebConfig) -> Self {
        let csp = headers::content_security_policy(config.map_tile_url.as_deref());
        Self { config, csp }
    }
}

/// The UI's routes, for the gateway to merge into its router (any state type: the UI keeps
/// its own). Defines no fallback, so the gateway's stays in charge of unknown paths.
pub fn router<S: Clone + Send + Sync + 'static>(config: WebConfig) -> Router<S> {
    let web = Arc::new(Web::new(config));
    Router::new()
        .route("/", get(pages::people))
        .route("/people/{person_id}", get(pages::person))
        .route("/live", get(pages::live))
        .route("/organiser", get(pages::organiser))
        .route("/assets/{*path}", get(assets::serve))
        .layer(middleware::map_response_with_state(
            web.clone(),
            headers::secure,
        ))
        .with_state(web)
}
