//! Enforcement on every gRPC service: a layer in front of the routes checks the
//! `authorization: Bearer …` metadata of each call (health and reflection are public),
//! attaches the caller for the services' rules and sets the token for propagation to the
//! services this one calls.

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use tonic::Status;
use udaconnect_auth::{Denied, Principal, Tokens, bearer, propagate};

/// How the gRPC listener authenticates.
#[derive(Debug, Clone)]
pub enum GrpcAuth {
    /// Every call needs a token signed with this key.
    Enforce(Box<Tokens>),
    /// `--insecure-open-api`: every call runs as an organiser.
    InsecureOpen,
}

/// Services any client may call: health checks and reflection (no data).
fn is_public(path: &str) -> bool {
    path.starts_with("/grpc.health.") || path.starts_with("/grpc.reflection.")
}

pub(crate) async fn authenticate(
    State(auth): State<GrpcAuth>,
    mut req: Request,
    next: Next,
) -> Response {
    if is_public(req.uri().path()) {
        return next.run(req).await;
    }
    let tokens = match auth {
        GrpcAuth::InsecureOpen => {
            req.extensions_mut().insert(Principal::insecure_open_api());
            return next.run(req).await;
        }
        GrpcAuth::Enforce(tokens) => tokens,
    };
    let token = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(bearer)
        .map(str::to_owned);
    match token.as_deref().map(|t| tokens.verify(t)) {
        Some(Ok(principal)) => {
            req.extensions_mut().insert(principal);
            propagate::scope(token, next.run(req)).await
        }
        _ => unauthenticated().into_http(),
    }
}

/// `UNAUTHENTICATED`, the same whatever was wrong.
pub(crate) fn unauthenticated() -> Status {
    Status::unauthenticated("invalid credentials")
}

/// The caller of a call (fails closed: no caller attached is `UNAUTHENTICATED`).
pub(crate) fn caller<T>(request: &tonic::Request<T>) -> Result<Principal, Status> {
    request
        .extensions()
        .get::<Principal>()
        .cloned()
        .ok_or_else(unauthenticated)
}

pub(crate) fn denied(d: Denied) -> Status {
    Status::permission_denied(d.0)
}
