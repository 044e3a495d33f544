//! The event log port: topics split into partitions, records appended durably and read by
//! consumer groups that commit offsets — Kafka's model, so that the embedded adapter and the
//! Kafka adapter are interchangeable behind [`EventLog`].
//!
//! Delivery is at-least-once: a record is redelivered until its group commits past it, so
//! every consumer's side effect must be idempotent.

mod error;
mod record;

pub mod embedded;
pub mod kafka;

#[cfg(any(test, feature = "conformance"))]
pub mod conformance;

use std::{fmt::Debug, time::Duration};

use async_trait::async_trait;

pub use error::BusError;
pub use record::{Delivery, Headers, Position, Record};

/// An append-only, partitioned, durable log with consumer groups.
#[async_trait]
pub trait EventLog: Send + Sync + Debug + 'static {
    /// Creates `topic` with `partitions` partitions if it does not exist. An existing topic
    /// keeps its partition count.
    async fn ensure_topic(&self, topic: &str, partitions: u32) -> Result<(), BusError>;

    /// Appends `records` to `topic` and returns once they are durable (fsync'd for the
    /// embedded log, acknowledged by all in-sync replicas for Kafka). The partition is chosen
    /// by hashing the key, so records with the same key keep their relative order. Returns
    /// each record's position, in input order.
    async fn append(&self, topic: &str, records: Vec<Record>) -> Result<Vec<Position>, BusError>;

    /// Joins consumer group `group` on `topic`. The group's partitions are split among its
    /// live subscriptions; each partition is read from the group's committed offset (from the
    /// beginning when the group has none). Dropping the subscription leaves the group.
    async fn subscribe(&self, topic: &str, group: &str) -> Result<Box<dyn Subscription>, BusError>;

    /// Reads every partition of `topic` without a consumer group: partition `p` from offset
    /// `from[p]` (missing entries and offsets no longer retained start at the oldest retained
    /// record; pass [`EventLog::end_offsets`] to read only what comes next). For read models and
    /// live streams that keep their own position. `commit` on the result is a no-op and
    /// `assignment` is every partition.
    async fn read_from(&self, topic: &str, from: &[u64])
    -> Result<Box<dyn Subscription>, BusError>;

    /// The next offset to be written, per partition (index = partition number).
    async fn end_offsets(&self, topic: &str) -> Result<Vec<u64>, BusError>;

    /// The group's committed offset (next offset to read) per partition; 0 where none.
    async fn committed_offsets(&self, topic: &str, group: &str) -> Result<Vec<u64>, BusError>;
}

/// A member of a consumer group.
#[async_trait]
pub trait Subscription: Send + Debug {
    /// Returns up to `max` records from the partitions currently assigned to this member,
    /// in offset order per partition. Waits up to `max_wait` for the first record and returns
    /// an empty batch if none arrived. Cancel-safe: dropping the future loses nothing.
    async fn poll(&mut self, max: usize, max_wait: Duration) -> Result<Vec<Delivery>, BusError>;

    /// Commits the group's progress: for every partition named, everything up to and
    /// including the highest offset given is processed. Durable on return. Positions of
    /// partitions no longer assigned to this member are ignored.
    async fn commit(&mut self, processed: &[Position]) -> Result<(), BusError>;

    /// The partitions currently assigned to this member.
    fn assignment(&self) -> Vec<u32>;
}

/// Consumer-group lag of `group` on `topic`: records written but not yet committed, summed
/// over partitions.
pub async fn group_lag(log: &dyn EventLog, topic: &str, group: &str) -> Result<u64, BusError> {
    let end = log.end_offsets(topic).await?;
    let committed = log.committed_offsets(topic, group).await?;
    Ok(end
        .iter()
        .enumerate()
        .map(|(p, e)| e.saturating_sub(committed.get(p).copied().unwrap_or(0)))
        .sum())
}

/// Default poll wait used by the services' consumers.
pub const DEFAULT_POLL_WAIT: Duration = Duration::from_millis(200);
