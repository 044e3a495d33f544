//! Enforcement on the REST API: every `/api/` route needs a valid access token unless it
//! is one of the few public ones ([`is_public`]); the caller becomes a [`Caller`] that
//! handlers ask the rules of [`Principal`]. Fails closed: a handler that asks for a
//! [`Caller`] on a request without one answers 401.

use axum::{
    extract::{FromRequestParts, Request, State},
    http::{HeaderValue, StatusCode, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};
use udaconnect_auth::{AuthError, AuthService, Denied, Principal, bearer, propagate};

use crate::{GatewayState, error::ApiError};

/// How the gateway authenticates.
#[derive(Debug, Clone)]
pub struct ApiAuth {
    pub service: AuthService,
    /// `false` only under `--insecure-open-api`: every request runs as an organiser.
    pub enforce: bool,
}

/// `/api/` paths that need no token (everything outside `/api/` — health, metrics, docs,
/// the web UI's assets — is public).
const PUBLIC_API: &[&str] = &[
    "/api/openapi.json",
    "/api/v2/auth/login",
    "/api/v2/auth/refresh",
    "/api/v2/auth/logout",
];

/// The only paths that also take the token as `?access_token=` (EventSource cannot set
/// headers).
const QUERY_TOKEN_PATHS: &[&str] = &["/api/v2/contacts/stream", "/api/v2/locations/stream"];

pub(crate) fn is_public(path: &str) -> bool {
    !(path.starts_with("/api/") || path == "/api") || PUBLIC_API.contains(&path)
}

fn query_token(req: &Request) -> Option<String> {
    if !QUERY_TOKEN_PATHS.contains(&req.uri().path()) {
        return None;
    }
    req.uri().query()?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == "access_token" && !v.is_empty()).then(|| v.to_owned())
    })
}

/// The token of a request: `Authorization: Bearer …`, or `?access_token=` on the feeds.
fn token_of(req: &Request) -> Option<String> {
    match req.headers().get(header::AUTHORIZATION) {
        Some(v) => v.to_str().ok().and_then(bearer).map(str::to_owned),
        None => query_token(req),
    }
}

/// The middleware: authenticates, then runs the request with the caller attached and the
/// token set for propagation to remote services.
pub(crate) async fn authenticate(
    State(state): State<GatewayState>,
    mut req: Request,
    next: Next,
) -> Response {
    if !state.auth.enforce {
        req.extensions_mut()
            .insert(Caller(Principal::insecure_open_api()));
        return next.run(req).await;
    }
    let token = token_of(&req);
    let verified = token
        .as_deref()
        .map(|t| state.auth.service.tokens().verify(t));
    match verified {
        Some(Ok(principal)) => {
            req.extensions_mut().insert(Caller(principal));
            propagate::scope(token, next.run(req)).await
        }
        _ if is_public(req.uri().path()) => next.run(req).await,
        _ => unauthorized().into_response(),
    }
}

/// 401, the same whatever was wrong.
pub(crate) fn unauthorized() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "invalid credentials")
        .with_header(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub(crate) struct Caller(pub(crate) Principal);

impl std::ops::Deref for Caller {
    type Target = Principal;

    fn deref(&self) -> &Principal {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(unauthorized)
    }
}

impl From<Denied> for ApiError {
    fn from(d: Denied) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, d.0)
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Unauthenticated => unauthorized(),
            AuthError::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, m),
            AuthError::Throttled { retry_after_s } => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too many failed sign-ins, retry later",
            )
            .with_header(header::RETRY_AFTER, HeaderValue::from(retry_after_s.max(1))),
            AuthError::Invalid(v) => v.into(),
            AuthError::UsernameTaken(u) => {
                ApiError::new(StatusCode::CONFLICT, format!("username {u:?} is taken"))
                    .with_field("username")
            }
            AuthError::Store(s) => udaconnect_services::ServiceError::from(s).into(),
            AuthError::Internal(m) => udaconnect_services::ServiceError::Internal(m).into(),
        }
    }
}

/// The other person of a contact as `caller` may see them: organisers everything, others the
/// name only.
pub(crate) fn contact_person(
    caller: &Principal,
    person: udaconnect_domain::Person,
) -> udaconnect_domain::Person {
    match caller.sees_contact_details() {
        true => person,
        false => udaconnect_domain::Person {
            company_name: String::new(),
            ..person
        },
    }
}
