use std::borrow::Cow;

/// Input that breaks a domain rule. Names the offending field so that HTTP and gRPC
/// adapters can tell the caller exactly what to fix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    /// The field as the caller named it (e.g. `latitude`, `start_date`).
    pub field: Cow<'static, str>,
    /// What is wrong with it, lowercase, no trailing period.
    pub message: String,
}

impl ValidationError {
    pub fn new(field: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}
