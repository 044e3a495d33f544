use axum::extract::FromRef;
use metrics_exporter_prometheus::PrometheusHandle;
use udaconnect_services::{ConnectionsClient, IngestClient, PersonsClient, Readiness};

use crate::ApiAuth;

/// What the gateway's handlers call: cheap clones of the service clients (local or remote)
/// and the process's readiness and metrics.
#[derive(Clone, Debug)]
pub struct GatewayState {
    pub persons: PersonsClient,
    pub ingest: IngestClient,
    pub connections: ConnectionsClient,
    /// Accounts, tokens and whether they are enforced.
    pub auth: ApiAuth,
    pub readiness: Readiness,
    /// Renders `GET /metrics`; `None` answers 404 there.
    pub metrics: Option<PrometheusHandle>,
    /// The web UI's configuration (map tiles).
    pub web: udaconnect_web::WebConfig,
}

/// What the health and metrics routes need: every process serves them, including those that
/// run no REST API (see [`admin_router`](crate::admin_router)).
#[derive(Clone, Debug)]
pub struct AdminState {
    pub readiness: Readiness,
    /// Renders `GET /metrics`; `None` answers 404 there.
    pub metrics: Option<PrometheusHandle>,
}

impl FromRef<GatewayState> for AdminState {
    fn from_ref(state: &GatewayState) -> Self {
        AdminState {
            readiness: state.readiness.clone(),
            metrics: state.metrics.clone(),
        }
    }
}
