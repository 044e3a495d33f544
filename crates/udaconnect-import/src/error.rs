use std::{borrow::Cow, fmt, io, path::PathBuf, sync::Arc};

use udaconnect_domain::ValidationError;
use udaconnect_store::StoreError;

/// Why an import stopped. Bad rows do not stop an import: they are [`RowError`]s in the
/// report.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("reading {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// Neither a SQL dump nor a persons/locations CSV.
    #[error("{path}: {reason}")]
    UnrecognisedFormat { path: PathBuf, reason: String },
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// The parsing thread panicked or was cancelled.
    #[error("import task failed: {0}")]
    Task(String),
}

/// One rejected input row: `locations.csv:17: latitude: must be a number between -90 and 90`.
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    /// The input's name (the path as given, or `demo/…` for the embedded fixture).
    pub file: Arc<str>,
    /// 1-based line where the row starts.
    pub line: u64,
    /// The column (or `row` for a malformed row, `statement` for a malformed statement).
    pub field: Cow<'static, str>,
    pub message: String,
}

impl RowError {
    pub(crate) fn new(
        file: &Arc<str>,
        line: u64,
        field: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: Arc::clone(file),
            line,
            field: field.into(),
            message: message.into(),
        }
    }

    pub(crate) fn from_validation(file: &Arc<str>, line: u64, e: ValidationError) -> Self {
        Self {
            file: Arc::clone(file),
            line,
            field: e.field,
            message: e.message,
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file, self.line, self.field, self.message
        )
    }
}

impl std::error::Error for RowError {}
