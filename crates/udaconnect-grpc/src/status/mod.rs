//! The one mapping between [`ServiceError`] and gRPC status codes, both ways.
//!
//! | `ServiceError` | code | carried |
//! |---|---|---|
//! | `Invalid` | `INVALID_ARGUMENT` | message `field: message`; `google.rpc.BadRequest` field violation; `x-udaconnect-field` metadata |
//! | `NotFound` | `NOT_FOUND` | `google.rpc.ResourceInfo` (entity, id) |
//! | `Unavailable` | `UNAVAILABLE` | the reason |
//! | `Unauthenticated` | `UNAUTHENTICATED` | `invalid credentials`, whatever was wrong |
//! | `Forbidden` | `PERMISSION_DENIED` | what the caller may not do |
//! | `Internal` | `INTERNAL` | nothing: the message is opaque, the error is logged here once |
//!
//! Back on the client, `UNAVAILABLE`, `DEADLINE_EXCEEDED`, `RESOURCE_EXHAUSTED`,
//! `ABORTED`, `CANCELLED` and transport failures become `Unavailable`.

use std::borrow::Cow;

use tonic::{Code, Status, metadata::MetadataValue};
use tonic_types::{ErrorDetails, StatusExt};
use udaconnect_domain::ValidationError;
use udaconnect_proto::v1::RejectedLocation;
use udaconnect_services::ServiceError;

/// Metadata key naming the invalid field of an `INVALID_ARGUMENT` status.
pub const FIELD_METADATA_KEY: &str = "x-udaconnect-field";

/// What the client sees of an internal error.
const INTERNAL_MESSAGE: &str = "internal error";

/// A service error reduced to what goes on the wire.
struct Wire {
    code: Code,
    field: Option<Cow<'static, str>>,
    message: String,
}

fn to_wire(e: ServiceError) -> Wire {
    let (code, field, message) = match e {
        ServiceError::Invalid(v) => (Code::InvalidArgument, Some(v.field), v.message),
        e @ ServiceError::NotFound { .. } => (Code::NotFound, None, e.to_string()),
        ServiceError::Unauthenticated => (
            Code::Unauthenticated,
            None,
            "invalid credentials".to_owned(),
        ),
        ServiceError::Forbidden(m) => (Code::PermissionDenied, None, m),
        ServiceError::Unavailable(reason) => (Code::Unavailable, None, reason),
        ServiceError::Internal(error) => {
            tracing::error!(%error, "internal error answering a grpc call");
            (Code::Internal, None, INTERNAL_MESSAGE.to_owned())
        }
    };
    Wire {
        code,
        field,
        message,
    }
}

/// The status answering a failed service call.
pub fn to_status(e: ServiceError) -> Status {
    let not_found = match &e {
        ServiceError::NotFound { entity, id } => Some((*entity, *id)),
        _ => None,
    };
    let wire = to_wire(e);
    match (wire.field, not_found) {
        (Some(field), _) => {
            let details = ErrorDetails::with_bad_request_violation(&*field, &wire.message);
            let mut status = Status::with_error_details(
                wire.code,
                format!("{field}: {}", wire.message),
                details,
            );
            if let Ok(value) = MetadataValue::try_from(&*field) {
                status.metadata_mut().insert(FIELD_METADATA_KEY, value);
            }
            status
        }
        (None, Some((entity, id))) => {
            let details = ErrorDetails::with_resource_info(entity, id.to_string(), "", "");
            Status::with_error_details(wire.code, wire.message, details)
        }
        (None, None) => Status::new(wire.code, wire.message),
    }
}

/// Invalid input decoded from a request.
pub(crate) fn invalid(e: ValidationError) -> Status {
    to_status(ServiceError::Invalid(e))
}

/// One rejected fix of a location stream.
pub(crate) fn rejection(index: u64, e: ServiceError) -> RejectedLocation {
    let wire = to_wire(e);
    RejectedLocation {
        index,
        code: wire.code as i32,
        field: wire.field.map(Cow::into_owned).unwrap_or_default(),
        message: wire.message,
    }
}

/// The service error a rejected fix stands for (client side).
pub(crate) fn from_rejection(r: &RejectedLocation) -> ServiceError {
    match Code::from_i32(r.code) {
        Code::InvalidArgument if !r.field.is_empty() => {
            ValidationError::new(r.field.clone(), r.message.clone()).into()
        }
        code => from_code(code, r.message.clone()),
    }
}

/// The service error a failed call stands for (client side). `missing` names what a
/// `NOT_FOUND` is about (entity and id), as the caller knows it.
pub(crate) fn from_status(status: Status, missing: Option<(&'static str, i64)>) -> ServiceError {
    match (status.code(), missing) {
        (Code::InvalidArgument, _) => field_violation(&status).into(),
        (Code::NotFound, Some((entity, id))) => ServiceError::NotFound { entity, id },
        (code, _) => from_code(code, status.message().to_owned()),
    }
}

fn from_code(code: Code, message: String) -> ServiceError {
    match code {
        Code::Unavailable
        | Code::DeadlineExceeded
        | Code::ResourceExhausted
        | Code::Aborted
        | Code::Cancelled => ServiceError::Unavailable(format!("grpc {code:?}: {message}")),
        Code::Unauthenticated => ServiceError::Unauthenticated,
        Code::PermissionDenied => ServiceError::Forbidden(message),
        // tonic reports a failure to reach the server (before any answer) as UNKNOWN.
        Code::Unknown if message.contains("transport") || message.contains("not ready") => {
            ServiceError::Unavailable(format!("grpc: {message}"))
        }
        _ => ServiceError::Internal(format!("grpc {code:?}: {message}")),
    }
}

/// The invalid field of an `INVALID_ARGUMENT` status: from its `BadRequest` details, else
/// its `x-udaconnect-field` metadata, else the `field: message` form of its message.
fn field_violation(status: &Status) -> ValidationError {
    if let Some(v) = status
        .get_error_details()
        .bad_request()
        .and_then(|b| b.field_violations.first())
    {
        return ValidationError::new(v.field.clone(), v.description.clone());
    }
    let message = status.message();
    let from_metadata = status
        .metadata()
        .get(FIELD_METADATA_KEY)
        .and_then(|v| v.to_str().ok());
    match (from_metadata, message.split_once(": ")) {
        (Some(field), Some((prefix, rest))) if prefix == field => {
            ValidationError::new(field.to_owned(), rest)
        }
        (Some(field), _) => ValidationError::new(field.to_owned(), message),
        (None, Some((field, rest))) if !field.contains(' ') => {
            ValidationError::new(field.to_owned(), rest)
        }
        (None, _) => ValidationError::new("request", message),
    }
}

#[cfg(test)]
mod tests;
