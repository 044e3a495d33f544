//! Following the erasures topic (`udaconnect.erasures.v1`, see [`events`](crate::events)):
//! every consumer that keeps data about persons reads it from the start, forgets whoever was
//! erased, and skips records about them that it reads afterwards.

use std::{collections::HashSet, sync::Arc, time::Duration};

use udaconnect_bus::{Delivery, EventLog, Subscription};
use udaconnect_domain::PersonId;

use crate::{ServiceError, events};

/// Partitions of the erasures topic: one, so that every reader sees one total order.
pub const PARTITIONS: u32 = 1;

/// Creates the erasures topic if needed, reads every erasure recorded so far (up to the end
/// offsets seen now) and returns them with a reader positioned after them, for the next ones.
pub async fn catch_up(
    log: &Arc<dyn EventLog>,
    topic: &str,
) -> Result<(HashSet<PersonId>, Box<dyn Subscription>), ServiceError> {
    log.ensure_topic(topic, PARTITIONS).await?;
    let end = log.end_offsets(topic).await?;
    let mut reader = log.read_from(topic, &[]).await?;
    let mut next = vec![0u64; end.len()];
    let mut erased = HashSet::new();
    while end.iter().zip(&next).any(|(e, n)| n < e) {
        let batch = reader.poll(4096, Duration::from_millis(200)).await?;
        for d in &batch {
            if let Some(n) = next.get_mut(d.position.partition as usize) {
                *n = (*n).max(d.position.offset + 1);
            }
        }
        erased.extend(persons(&batch));
    }
    Ok((erased, reader))
}

/// The erased persons named by a batch of the erasures topic (undecodable records are
/// skipped with a warning: an erasure is never invented).
pub fn persons(batch: &[Delivery]) -> Vec<PersonId> {
    batch
        .iter()
        .filter_map(|d| match events::decode_person_erased(&d.record) {
            Ok(e) => Some(e.person_id),
            Err(e) => {
                tracing::warn!(error = %e, offset = d.position.offset, "skipping an undecodable erasure record");
                None
            }
        })
        .collect()
}
