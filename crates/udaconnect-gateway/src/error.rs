//! The one mapping from errors to HTTP: status, `code` and the JSON body every error shares.

use std::{any::Any, borrow::Cow};

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use udaconnect_domain::ValidationError;
use udaconnect_services::ServiceError;
use utoipa::ToSchema;

/// Every error response: `{"error": {"code", "message", "field"?}}`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct ErrorBody {
    pub(crate) error: ErrorDetail,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct ErrorDetail {
    /// Stable, machine-readable kind: `invalid_argument`, `not_found`, `unavailable`,
    /// `internal`, `payload_too_large`, `unsupported_media_type`, `method_not_allowed`,
    /// `too_many_requests`, `timeout`, ...
    #[schema(example = "invalid_argument")]
    pub(crate) code: Cow<'static, str>,
    /// Human-readable explanation.
    #[schema(example = "must be a number between -90 and 90")]
    pub(crate) message: String,
    /// The offending input field, for validation errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "latitude")]
    pub(crate) field: Option<String>,
}

/// An error on its way to becoming a response.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    detail: ErrorDetail,
    /// Boxed: rare, and it would double the size of every `Result<_, ApiError>`.
    header: Option<Box<(header::HeaderName, HeaderValue)>>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        let detail = ErrorDetail {
            code: code_for(status).into(),
            message: message.into(),
            field: None,
        };
        Self {
            status,
            detail,
            header: None,
        }
    }

    /// The same, with a header on the response (`WWW-Authenticate`, `Retry-After`).
    pub(crate) fn with_header(mut self, name: header::HeaderName, value: HeaderValue) -> Self {
        self.header = Some(Box::new((name, value)));
        self
    }

    pub(crate) fn with_field(mut self, field: impl Into<String>) -> Self {
        self.detail.field = Some(field.into());
        self
    }

    /// A 400 naming the field the caller must fix.
    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut e = Self::new(StatusCode::BAD_REQUEST, message);
        e.detail.field = Some(field.into());
        e
    }
}

impl From<ValidationError> for ApiError {
    fn from(e: ValidationError) -> Self {
        Self::invalid(e.field, e.message)
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid(v) => v.into(),
            ServiceError::NotFound { .. } => Self::new(StatusCode::NOT_FOUND, e.to_string()),
            ServiceError::Unauthenticated => crate::auth::unauthorized(),
            ServiceError::Forbidden(m) => Self::new(StatusCode::FORBIDDEN, m),
            ServiceError::Unavailable(reason) => {
                tracing::warn!(%reason, "service unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "service unavailable, retry later",
                )
            }
            ServiceError::Internal(error) => {
                tracing::error!(%error, "internal error");
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry = self.status == StatusCode::SERVICE_UNAVAILABLE;
        let mut res = (self.status, Json(ErrorBody { error: self.detail })).into_response();
        if retry {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if let Some((name, value)) = self.header.map(|h| *h) {
            res.headers_mut().insert(name, value);
        }
        res
    }
}

fn code_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "invalid_argument",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::CONFLICT => "conflict",
        StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        s if s.is_client_error() => "bad_request",
        _ => "internal",
    }
}

/// Fallback for unknown routes.
pub(crate) async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no such route")
}

/// Answers a panic in a handler with an opaque 500 (logged here, once).
pub(crate) fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(panic = %message, "handler panicked");
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
}

/// Gives the JSON error body to error responses produced outside the handlers (axum's 405,
/// the timeout's 503, a body-limit 413), keeping their headers. The web UI's HTML error
/// pages are left alone.
pub(crate) async fn json_errors(res: Response) -> Response {
    let status = res.status();
    let is_json_or_page = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_json_or_page {
        return res;
    }
    let message = match status {
        StatusCode::SERVICE_UNAVAILABLE => "service unavailable or request timed out, retry later",
        StatusCode::METHOD_NOT_ALLOWED => "method not allowed on this route",
        _ => status.canonical_reason().unwrap_or("error"),
    };
    let (mut parts, _) = res.into_parts();
    let mut fresh = ApiError::new(status, message).into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.extend(fresh.headers_mut().drain());
    Response::from_parts(parts, fresh.into_body())
}
