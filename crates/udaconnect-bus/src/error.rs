/// Why an event-log operation failed.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("unknown topic {0}")]
    UnknownTopic(String),
    #[error("invalid argument {field}: {message}")]
    InvalidArgument {
        field: &'static str,
        message: String,
    },
    /// Storage (disk) or broker I/O failed; the operation may be retried.
    #[error("event log i/o: {0}")]
    Io(#[from] std::io::Error),
    /// The log's files are damaged beyond the torn tail that recovery repairs.
    #[error("event log corrupt: {0}")]
    Corrupt(String),
    /// The log is shutting down or closed.
    #[error("event log closed")]
    Closed,
    /// The broker refused or failed the request.
    #[error("broker: {0}")]
    Broker(String),
}

impl BusError {
    /// Whether retrying the same operation later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, BusError::Io(_) | BusError::Broker(_))
    }
}
