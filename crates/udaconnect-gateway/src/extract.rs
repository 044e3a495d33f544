//! Extractors that turn every kind of bad input into an [`ApiError`] naming the field, in
//! place of axum's plain-text rejections.

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Path, Query, Request},
    http::{StatusCode, header, request::Parts},
};
use serde_json::{Map, Value};
use udaconnect_domain::{LocationId, PersonId, ValidationError};

use crate::error::ApiError;

/// A client that has not sent its whole body by then is answered 408 (slow-loris guard; the
/// body is at most 64 KiB).
pub(crate) const BODY_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A JSON object body parsed field by field into `T`.
pub(crate) struct JsonBody<T>(pub(crate) T);

/// A request body type built from a JSON object.
pub(crate) trait FromJsonObject: Sized {
    /// Takes the known fields out of `fields`; whatever is left is refused as unknown.
    fn from_fields(fields: &mut Fields) -> Result<Self, ValidationError>;
}

impl<S: Send + Sync, T: FromJsonObject> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers().get(header::CONTENT_TYPE)) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "expected a body with content-type application/json",
            ));
        }
        let bytes = tokio::time::timeout(BODY_READ_TIMEOUT, Bytes::from_request(req, state))
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    format!(
                        "the request body was not received within {} s",
                        BODY_READ_TIMEOUT.as_secs()
                    ),
                )
            })?
            .map_err(|r| ApiError::new(r.status(), r.body_text()))?;
        let value: Value = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, format!("malformed JSON: {e}")))?;
        let Value::Object(map) = value else {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "request body must be a JSON object",
            ));
        };
        let mut fields = Fields(map);
        let parsed = T::from_fields(&mut fields)?;
        if let Some(unknown) = fields.0.keys().next() {
            return Err(ApiError::invalid(unknown.clone(), "unknown field"));
        }
        Ok(Self(parsed))
    }
}

fn is_json(content_type: Option<&header::HeaderValue>) -> bool {
    let Some(essence) = content_type
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
    else {
        return false;
    };
    let essence = essence.trim().to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The members of a JSON object, taken out one by one.
pub(crate) struct Fields(Map<String, Value>);

impl Fields {
    /// The member, `None` when absent or `null`.
    pub(crate) fn optional(&mut self, name: &str) -> Option<Value> {
        self.0.remove(name).filter(|v| !v.is_null())
    }

    pub(crate) fn required(&mut self, name: &'static str) -> Result<Value, ValidationError> {
        self.optional(name)
            .ok_or_else(|| ValidationError::new(name, "is required"))
    }

    pub(crate) fn string(&mut self, name: &'static str) -> Result<String, ValidationError> {
        match self.required(name)? {
            Value::String(s) => Ok(s),
            _ => Err(ValidationError::new(name, "must be a string")),
        }
    }

    pub(crate) fn optional_string(
        &mut self,
        name: &'static str,
    ) -> Result<Option<String>, ValidationError> {
        match self.optional(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(ValidationError::new(name, "must be a string")),
        }
    }

    /// An integer, given as a JSON number or a string of digits (as marshmallow accepted).
    pub(crate) fn integer(&mut self, name: &'static str) -> Result<i64, ValidationError> {
        let value = self.required(name)?;
        as_integer(&value).ok_or_else(|| ValidationError::new(name, "must be an integer"))
    }

    /// A number, given as a JSON number or a decimal string (as the POC sent coordinates).
    pub(crate) fn decimal(&mut self, name: &'static str) -> Result<f64, ValidationError> {
        match self.required(name)? {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
        .ok_or_else(|| ValidationError::new(name, "must be a number or a decimal string"))
    }
}

/// A JSON integer: a number without fractional part (`5` or `5.0`, as JSON Schema counts
/// integers) within i64, or a string of digits.
pub(crate) fn as_integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            let f = n.as_f64()?;
            // Exactly representable and in range: -2^63 <= f < 2^63.
            (f.fract() == 0.0 && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f))
                .then_some(f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A positive integer id from the path, refused with the id's field name.
pub(crate) struct IdPath<T>(pub(crate) T);

/// Ids that can appear in a path.
pub(crate) trait PathId: Sized {
    const FIELD: &'static str;
    fn from_i64(value: i64) -> Result<Self, ValidationError>;
}

impl PathId for PersonId {
    const FIELD: &'static str = "person_id";
    fn from_i64(value: i64) -> Result<Self, ValidationError> {
        Self::new(value)
    }
}

impl PathId for LocationId {
    const FIELD: &'static str = "location_id";
    fn from_i64(value: i64) -> Result<Self, ValidationError> {
        Self::new(value)
    }
}

impl<S: Send + Sync, T: PathId> FromRequestParts<S> for IdPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let invalid = || ApiError::invalid(T::FIELD, "must be a positive integer");
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| invalid())?;
        let value = raw.trim().parse::<i64>().map_err(|_| invalid())?;
        Ok(Self(T::from_i64(value)?))
    }
}

/// Query-string parameters in order; the first occurrence of a name wins (as in Flask).
pub(crate) struct QueryParams(Vec<(String, String)>);

impl QueryParams {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
        Ok(Self(pairs))
    }
}
