//! Retention: the oldest closed segments of a partition are deleted once every group that
//! has committed on the topic is past their end, or, when a maximum age is configured, once
//! their newest record is older than that. The active segment is never deleted, but when all of
//! its records are past the age limit it is closed first (a new empty one becomes active), so
//! that expired records do not outlive the limit in a quiet partition. Offsets stay as they
//! are: a reader asking for a deleted offset starts at the oldest retained record. While no
//! group has committed on a topic only the age limit applies. Runs on the writer thread.

use std::time::{Duration, SystemTime};

use super::{fsutil::fsync_dir, topic::Topic};

pub(crate) fn apply(topic: &Topic, max_age: Option<Duration>) {
    let floor = topic.committed_floor();
    let oldest_ms = max_age.and_then(|age| {
        let cutoff = SystemTime::now().checked_sub(age)?;
        let since_epoch = cutoff.duration_since(SystemTime::UNIX_EPOCH).ok()?;
        Some(since_epoch.as_millis() as i64)
    });
    for (partition, floor) in topic.partitions.iter().zip(floor) {
        if let Some(t) = oldest_ms {
            match partition.roll_if_expired(t) {
                Ok(true) => {
                    tracing::debug!(topic = %topic.name, partition = partition.id, "closed an expired active segment")
                }
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "closing an expired active segment failed"),
            }
        }
        let expired = partition.take_expired(floor, oldest_ms);
        if expired.is_empty() {
            continue;
        }
        for segment in &expired {
            if let Err(e) = std::fs::remove_file(&segment.path) {
                let path = segment.path.display();
                tracing::warn!(error = %e, %path, "deleting an expired segment failed");
            }
        }
        if let Err(e) = fsync_dir(&partition.dir) {
            tracing::warn!(error = %e, "syncing a partition directory failed");
        }
        tracing::info!(
            topic = %topic.name,
            partition = partition.id,
            segments = expired.len(),
            start_offset = partition.start_offset(),
            "deleted segments past retention"
        );
    }
}
