//! The OpenAPI document (`/api/openapi.json`) and the Swagger UI served from the binary
//! (`/docs/`, no CDN). `/` is the web UI (`udaconnect-web`).

use axum::Router;
use utoipa_swagger_ui::SwaggerUi;

use crate::GatewayState;

/// Where the document is served; the docs UI loads it from there.
pub(crate) const OPENAPI_JSON: &str = "/api/openapi.json";

pub(crate) fn router(doc: utoipa::openapi::OpenApi) -> Router<GatewayState> {
    Router::<GatewayState>::from(SwaggerUi::new("/docs").url(OPENAPI_JSON, doc))
}
