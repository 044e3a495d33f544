//! `GET /health` (the POC's), `/health/live`, `/health/ready` and `/metrics`.

use std::collections::BTreeMap;

use axum::{
    Json,
    extract::{FromRef, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{AdminState, error::ApiError};

pub(crate) fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    AdminState: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(live))
        .routes(routes!(ready))
        .routes(routes!(metrics))
}

/// The POC's health check: always the JSON string `"healthy"` while the process serves.
#[utoipa::path(
    get,
    path = "/health",
    tag = "health",
    responses((status = 200, description = "serving", body = String,
        content_type = "application/json", example = json!("healthy")))
)]
async fn health() -> Json<&'static str> {
    Json("healthy")
}

/// Liveness of the process.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct Liveness {
    #[schema(example = "live")]
    pub(crate) status: String,
}

/// Readiness of the process and of each component it runs.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct ReadinessReport {
    /// `ready` or `not_ready`.
    #[schema(example = "ready")]
    pub(crate) status: String,
    /// Each component: `ready` or `not_ready`.
    #[schema(example = json!({"store": "ready", "writer": "ready"}))]
    pub(crate) components: BTreeMap<String, String>,
    /// A graceful shutdown has begun: the process takes no new traffic.
    pub(crate) shutting_down: bool,
}

/// Liveness probe: the process answers HTTP.
#[utoipa::path(
    get,
    path = "/health/live",
    tag = "health",
    responses((status = 200, description = "alive", body = Liveness))
)]
async fn live() -> Json<Liveness> {
    Json(Liveness {
        status: "live".into(),
    })
}

/// Readiness probe: every component can serve and no shutdown has begun.
#[utoipa::path(
    get,
    path = "/health/ready",
    tag = "health",
    responses(
        (status = 200, description = "ready for traffic", body = ReadinessReport),
        (status = 503, description = "not ready (starting, degraded or shutting down)",
            body = ReadinessReport),
    )
)]
async fn ready(State(state): State<AdminState>) -> (StatusCode, Json<ReadinessReport>) {
    let word = |ok: bool| if ok { "ready" } else { "not_ready" };
    let (components, shutting_down) = state.readiness.report();
    let ok = state.readiness.is_ready();
    let report = ReadinessReport {
        status: word(ok).into(),
        components: components
            .into_iter()
            .map(|(name, ok)| (name.to_owned(), word(ok).to_owned()))
            .collect(),
        shutting_down,
    };
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(report))
}

/// Prometheus metrics of the process, in the text exposition format.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "health",
    responses(
        (status = 200, description = "Prometheus text format", body = String,
            content_type = "text/plain"),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
async fn metrics(State(state): State<AdminState>) -> Response {
    match &state.metrics {
        Some(handle) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            handle.render(),
        )
            .into_response(),
        None => ApiError::new(StatusCode::NOT_FOUND, "metrics are not enabled").into_response(),
    }
}
