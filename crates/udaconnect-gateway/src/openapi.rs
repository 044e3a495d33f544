//! The OpenAPI 3 document, generated from the handlers' annotations, and the reusable error
//! responses they reference.

use utoipa::{
    OpenApi,
    openapi::{
        RefOr, Response,
        security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme},
    },
};
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
            is a JSON body `{\"error\": {\"code\", \"message\", \"field\"}}`. \
            Every `/api/` call needs `Authorization: Bearer <access_token>` from \
            `POST /api/v2/auth/login` (Basic auth) except the sign-in endpoints and this \
            document: 401 without a valid token, 403 when the account lacks the right.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    tags(
        (name = "persons", description = "Registered attendees"),
        (name = "locations", description = "Location fixes from attendees' phones"),
        (name = "connections", description = "Whom a person met"),
        (name = "health", description = "Health, readiness and metrics"),
        (name = "auth", description = "Accounts and sign-in"),
    ),
    components(
        schemas(ErrorBody, ErrorDetail),
        responses(BadRequest, Unauthorized, Forbidden, NotFound, PayloadTooLarge, UnsupportedMediaType, TooManyRequests, Unavailable, Internal)
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
        .merge(routes::auth::router())
        .merge(routes::erasure::router())
        .merge(routes::health::router())
}

/// The routes and their document, with the security schemes declared.
pub(crate) fn api_router_and_doc() -> (axum::Router<GatewayState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = api_router().split_for_parts();
    secure(&mut doc);
    (router, doc)
}

/// The OpenAPI 3 document of the gateway (served at `/api/openapi.json`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_router_and_doc().1
}

/// Declares the `bearer` (JWT access token) and `basic` (sign-in) schemes, requires
/// `bearer` on every operation that [`is_public`](crate::auth::is_public) does not exempt
/// (and documents their 401 and 403), and marks the public ones as needing nothing.
fn secure(doc: &mut utoipa::openapi::OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some(
                    "access token from POST /api/v2/auth/login (valid 15 minutes)",
                ))
                .build(),
        ),
    );
    components.add_security_scheme(
        "basic",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Basic)
                .description(Some("username and password, for signing in only"))
                .build(),
        ),
    );
    doc.security = Some(vec![SecurityRequirement::new(
        "bearer",
        Vec::<String>::new(),
    )]);
    let unauthorized =
        RefOr::<Response>::Ref(utoipa::openapi::Ref::from_response_name("Unauthorized"));
    let forbidden = RefOr::<Response>::Ref(utoipa::openapi::Ref::from_response_name("Forbidden"));
    for (path, item) in doc.paths.paths.iter_mut() {
        let public = crate::auth::is_public(path);
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in operations.into_iter().flatten() {
            if op.security.is_some() {
                continue; // declared by the route (sign-in: basic; refresh, logout: none)
            }
            if public {
                op.security = Some(vec![SecurityRequirement::default()]);
                continue;
            }
            let responses = &mut op.responses.responses;
            responses
                .entry("401".into())
                .or_insert_with(|| unauthorized.clone());
            responses
                .entry("403".into())
                .or_insert_with(|| forbidden.clone());
        }
    }
}

/// [`openapi`] as YAML, as committed in `docs/openapi.yaml`.
pub fn openapi_yaml() -> String {
    openapi()
        .to_yaml()
        .unwrap_or_else(|e| format!("# the OpenAPI document could not be rendered: {e}\n"))
}

pub(crate) use responses::{
    BadRequest, Forbidden, Internal, NotFound, PayloadTooLarge, TooManyRequests, Unauthorized,
    Unavailable, UnsupportedMediaType,
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

    /// No valid access token (missing, malformed, expired or forged) — or, when signing
    /// in, wrong credentials. Never says which part was wrong.
    #[derive(ToResponse)]
    #[response(
        headers(("WWW-Authenticate" = String, description = "`Bearer`")),
        example = json!({"error": {"code": "unauthorized", "message": "invalid credentials"}})
    )]
    pub(crate) struct Unauthorized(ErrorBody);

    /// A valid token whose account may not do this.
    #[derive(ToResponse)]
    #[response(example = json!({"error": {
        "code": "forbidden",
        "message": "an attendee account may not read person 5"
    }}))]
    pub(crate) struct Forbidden(ErrorBody);

    /// Too many failed sign-ins for this username or client; retry after `Retry-After`.
    #[derive(ToResponse)]
    #[response(
        headers(("Retry-After" = u32, description = "seconds to wait before retrying")),
        example = json!({"error": {"code": "too_many_requests", "message": "too many failed sign-ins, retry later"}})
    )]
    pub(crate) struct TooManyRequests(ErrorBody);

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
