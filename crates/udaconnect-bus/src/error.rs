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
    /// The group refused a commit because this member no longer holds the generation it
    /// polled in (a rebalance, or a broker that forgot the group after a restart). Retrying
    /// the same commit cannot succeed: the member must poll again to rejoin, and the
    /// uncommitted records are delivered again (to it or to another member).
    #[error("commit refused, the group moved on: {0}")]
    Rebalanced(String),
}

impl BusError {
    /// Whether retrying the same operation later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, BusError::Io(_) | BusError::Broker(_))
    }
}
