use bytes::Bytes;

/// Record headers in order; names are ASCII (`event-id`, `event-type`, `content-type`,
/// `traceparent`).
pub type Headers = Vec<(String, Bytes)>;

/// One record to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Partitioning key (for locations: the person id). Same key, same partition, same order.
    pub key: Bytes,
    pub value: Bytes,
    pub headers: Headers,
}

impl Record {
    pub fn new(key: impl Into<Bytes>, value: impl Into<Bytes>) -> Self {
        Self {
            key: key.into(),
            value: value.into(),
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<Bytes>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The first header called `name`, if any.
    pub fn header(&self, name: &str) -> Option<&Bytes> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

/// Where a record sits in a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Position {
    pub partition: u32,
    pub offset: u64,
}

/// A record read by a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub topic: String,
    pub position: Position,
    /// Milliseconds since the Unix epoch at which the record was appended.
    pub timestamp_ms: i64,
    pub record: Record,
}
