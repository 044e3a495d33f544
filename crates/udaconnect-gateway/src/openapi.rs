//! The OpenAPI 3 document, generated from the handlers' annotations, and the reusable error
//! responses they reference.

use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::{
    GatewayState,
    error::{ErrorBody, ErrorDetail},
    routes,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "UdaConnect",
        version = env!("CARGO_PKG_VERSION"),
        description = "UdaConnect tells conference attendees whom they met, from the GPS fixes \
            their phones stream. REST v1 keeps the POC's paths and JSON shapes; every error \
            is a JSON body `{\"error\": {\"code\", \"message\", \"field\"}}`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    tags(
        (name = "persons", description = "Registered attendees"),
        (name = "locations", description = "Location fixes from attendees' phones"),
        (name = "connections", description = "Whom a person met"),
        (name = "health", description = "Health, readiness and metrics"),
    ),
    components(
        schemas(ErrorBody, ErrorDetail),
        responses(BadRequest, NotFound, PayloadTooLarge, UnsupportedMediaType, Unavailable, Internal)
    )
)]
struct ApiDoc;

/// Every documented route, with the document built from them.
pub(crate) fn api_router() -> OpenApiRouter<GatewayState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::persons::router())
        .merge(routes::locations::router())
        .merge(routes::connections::router())
        .merge(routes::v2::router())
        .merge(routes::erasure::router())
        .merge(routes::health::router())
}

/// The OpenAPI 3 document of the gateway (served at `/api/openapi.json`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_router().into_openapi()
}

/// [`openapi`] as YAML, as committed in `docs/openapi.yaml`.
pub fn openapi_yaml() -> String {
    openapi()
        .to_yaml()
        .unwrap_or_else(|e| format!("# the OpenAPI document could not be rendered: {e}\n"))
}

pub(crate) use responses::{
    BadRequest, Internal, NotFound, PayloadTooLarge, Unavailable, UnsupportedMediaType,
};

/// Reusable error responses: types that only describe the body, never built.
mod responses {
    #![expect(
        dead_code,
        reason = "the types only describe responses in the document"
    )]

    use utoipa::ToResponse;

    use crate::error::ErrorBody;

    /// Invalid input; `error.field` names the field to fix.
    #[derive(ToResponse)]
    #[response(example = json!({"error": {
        "code": "invalid_argument",
        "message": "must be a number between -90 and 90",
        "field": "latitude"
    }}))]
    pub(crate) struct BadRequest(ErrorBody);

    /// No such entity (or route).
    #[derive(ToResponse)]
    #[response(example = json!({"error": {"code": "not_found", "message": "person 42 not found"}}))]
    pub(crate) struct NotFound(ErrorBody);

    /// The body is larger than 64 KiB.
    #[derive(ToResponse)]
    #[response(example = json!({"error": {"code": "payload_too_large", "message": "length limit exceeded"}}))]
    pub(crate) struct PayloadTooLarge(ErrorBody);

    /// The body is not `application/json`.
    #[derive(ToResponse)]
    #[response(example = json!({"error": {
        "code": "unsupported_media_type",
        "message": "expected a body with content-type application/json"
    }}))]
    pub(crate) struct UnsupportedMediaType(ErrorBody);

    /// A dependency is down or overloaded, or the request timed out; retry after `Retry-After`.
    #[derive(ToResponse)]
    #[response(
        headers(("Retry-After" = u32, description = "seconds to wait before retrying")),
        example = json!({"error": {"code": "unavailable", "message": "service unavailable, retry later"}})
    )]
    pub(crate) struct Unavailable(ErrorBody);

    /// Unexpected failure; the details are in the server's log only.
    #[derive(ToResponse)]
    #[response(example = json!({"error": {"code": "internal", "message": "internal error"}}))]
    pub(crate) struct Internal(ErrorBody);
}
