//! Settings of the embedded log.

use std::time::Duration;

use crate::BusError;

/// How [`EmbeddedLog`](super::EmbeddedLog) stores and serves topics.
#[derive(Debug, Clone)]
pub struct EmbeddedOptions {
    /// Partitions of topics created implicitly (see `auto_create_topics`). Default 4.
    pub default_partitions: u32,
    /// Whether `append` and `subscribe` on a missing topic create it with
    /// `default_partitions` (as Kafka brokers do by default) instead of failing with
    /// [`BusError::UnknownTopic`]. Default `true`.
    pub auto_create_topics: bool,
    /// A segment is closed and a new one started once it would grow past this many bytes.
    /// Default 64 MiB.
    pub segment_bytes: u64,
    /// Closed segments whose newest record is older than this are deleted even if a group
    /// has not consumed them. Default `None`: only consumption deletes.
    pub retention_max_age: Option<Duration>,
    /// Topics the age limit never applies to (the erasures topic: consumers must always be
    /// able to learn every erasure). Default none.
    pub retention_exempt_topics: Vec<String>,
    /// How often the age limit is checked. Default 60 s.
    pub retention_check_interval: Duration,
    /// Largest record accepted, framed size. Default 8 MiB.
    pub max_record_bytes: usize,
}

impl Default for EmbeddedOptions {
    fn default() -> Self {
        Self {
            default_partitions: 4,
            auto_create_topics: true,
            segment_bytes: 64 << 20,
            retention_max_age: None,
            retention_exempt_topics: Vec::new(),
            retention_check_interval: Duration::from_secs(60),
            max_record_bytes: 8 << 20,
        }
    }
}

impl EmbeddedOptions {
    pub(crate) fn validate(&self) -> Result<(), BusError> {
        let invalid = |field, message: &str| {
            Err(BusError::InvalidArgument {
                field,
                message: message.to_owned(),
            })
        };
        if !(1..=super::MAX_PARTITIONS).contains(&self.default_partitions) {
            return invalid("default_partitions", "must be between 1 and 10000");
        }
        if self.segment_bytes < 1024 {
            return invalid("segment_bytes", "must be at least 1024");
        }
        if self.retention_check_interval.is_zero() {
            return invalid("retention_check_interval", "must be positive");
        }
        Ok(())
    }
}
