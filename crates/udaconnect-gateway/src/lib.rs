//! UdaConnect's HTTP gateway: the POC-compatible REST API v1 (`/api/...`), its OpenAPI
//! document and docs UI, health, readiness and Prometheus metrics.
//!
//! The gateway holds no data: every route calls a service client ([`GatewayState`]), which
//! runs in this process or behind gRPC. Every error, including axum's own rejections, a
//! timeout or a panic, is answered with the JSON body of [`error`](crate::error).
//!
//! | module | routes |
//! |---|---|
//! | `routes::persons` | `GET/POST /api/persons`, `GET /api/persons/{person_id}` |
//! | `routes::locations` | `POST /api/locations`, `GET /api/locations/{location_id}` |
//! | `routes::connections` | `GET /api/persons/{person_id}/connection` |
//! | `routes::erasure` | `DELETE /api/v2/persons/{person_id}` |
//! | `routes::health` | `/health`, `/health/live`, `/health/ready`, `/metrics` |
//! | `routes::docs` | `/api/openapi.json`, `/docs/` |
//! | `routes::auth` | `/api/v2/auth/{register,login,refresh,logout,me}` |
//! | [`udaconnect_web`] | the web UI: `/`, `/people/{id}`, `/live`, `/organiser`, `/assets/...` |
//!
//! Every `/api/` route needs `Authorization: Bearer <access token>` except the few public
//! ones (see [`auth`](crate::auth)); handlers apply the access rules of
//! [`udaconnect_auth::Principal`]. The web UI's pages and assets are public (the pages call
//! the API with the token the browser holds).

mod auth;
mod dto;
mod error;
mod extract;
mod limits;
mod metrics;
mod openapi;
mod routes;
mod state;

#[cfg(test)]
mod tests;

use std::time::Duration;

use axum::{Router, extract::DefaultBodyLimit, http::StatusCode};
use tower_http::{catch_panic::CatchPanicLayer, cors::CorsLayer, timeout::TimeoutLayer};

pub use auth::ApiAuth;
pub use limits::HttpLimits;
pub use openapi::{openapi, openapi_yaml};
pub use state::{AdminState, GatewayState};
pub use udaconnect_web::WebConfig;

/// Largest request body accepted, in bytes (a location fix is about 120 bytes).
const MAX_BODY_BYTES: usize = 64 * 1024;
/// A request still running after this is answered 503 and abandoned.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The complete gateway application: every route plus CORS, tracing, metrics, body limit,
/// timeout and panic handling.
pub fn router(state: GatewayState) -> Router {
    router_with(state, HttpLimits::default())
}

/// [`router`] with the given per-client rate limit.
pub fn router_with(state: GatewayState, limits: HttpLimits) -> Router {
    build_with(state, REQUEST_TIMEOUT, limits)
}

/// The admin endpoints alone — `/health`, `/health/live`, `/health/ready`, `/metrics` — for
/// processes that run no REST API (writer, persons, ingest, connections targets), so every
/// process can be probed and scraped the same way.
pub fn admin_router(state: AdminState) -> Router {
    metrics::describe();
    let (admin, _) = utoipa_axum::router::OpenApiRouter::<AdminState>::new()
        .merge(routes::health::router())
        .split_for_parts();
    admin
        .fallback(error::not_found)
        .with_state(state)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(axum::middleware::map_response(error::json_errors))
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(metrics::trace_layer())
}

#[cfg(test)]
pub(crate) fn build(state: GatewayState, timeout: Duration) -> Router {
    build_with(state, timeout, HttpLimits::default())
}

pub(crate) fn build_with(state: GatewayState, timeout: Duration, limits: HttpLimits) -> Router {
    metrics::describe();
    let (api, doc) = openapi::api_router_and_doc();
    let web = udaconnect_web::router(state.web.clone());
    api.merge(routes::docs::router(doc))
        .merge(web)
        .fallback(error::not_found)
        // Layers run bottom-up on the request: the last one added sees the request first.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .with_state(state)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(axum::middleware::map_response(error::json_errors))
        // Over the rate limit: 429 before any handler runs (inside CORS, so browsers can
        // read it; inside metrics, so it is counted).
        .layer(axum::middleware::from_fn_with_state(
            limits::ClientRateLimit::new(limits),
            limits::limit,
        ))
        .layer(cors())
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(metrics::trace_layer())
}

/// The POC's front end is served from another origin: allow any origin to read and write
/// (credentials travel in the `Authorization` header, never in cookies, so this grants an
/// origin nothing it has not been given a token for).
fn cors() -> CorsLayer {
    use axum::http::{Method, header};
    CorsLayer::new()
        .allow_origin(tower_http::cors::Any)
        .allow_methods([Method::GET, Method::POST, Method::DELETE, Method::OPTIONS])
        .allow_headers([header::CONTENT_TYPE, header::ACCEPT, header::AUTHORIZATION])
        .expose_headers([header::LOCATION, header::RETRY_AFTER])
        .max_age(Duration::from_secs(3600))
}
