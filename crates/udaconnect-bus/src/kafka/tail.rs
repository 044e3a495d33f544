//! End offsets that do not rely on ListOffsets alone.
//!
//! Kafka answers ListOffsets(latest) with the high watermark, one past the last record.
//! tansu 0.6's memory engine answers one past the *first* offset of the partition's last
//! batch instead (measured: three appends of 7 records to one partition read 1, 8, 15, not
//! 7, 14, 21), which understates end offsets and group lag. So the answer is taken as a lower
//! bound: a consumer assigned there reads each partition to its end (librdkafka's EOF event,
//! which comes from the Fetch response's high watermark, which tansu gets right), and the end
//! is one past the last offset read. On a broker that answers correctly this costs one empty
//! fetch for all partitions (about 10 ms, see `KafkaOptions::tail_probe`).

use std::{
    collections::BTreeSet,
    time::{Duration, Instant},
};

use rdkafka::{
    Message, Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer},
    error::KafkaError,
};

use super::{context::LogContext, errors};
use crate::BusError;

/// Longest single wait for an event.
const POLL_SLICE: Duration = Duration::from_millis(100);

/// Raises `ends` (partition i at index i, lower bounds) to the true end of each partition.
/// Blocking. `probe` must be used by one caller at a time (it is assigned, then unassigned).
pub(crate) fn read_to_end(
    probe: &BaseConsumer<LogContext>,
    topic: &str,
    ends: &mut [u64],
    timeout: Duration,
) -> Result<(), BusError> {
    let mut list = TopicPartitionList::with_capacity(ends.len());
    for (partition, &end) in ends.iter().enumerate() {
        let offset = i64::try_from(end).map_err(|_| errors::out_of_range("offset", i64::MAX))?;
        // Partition counts are bounded by MAX_PARTITIONS.
        list.add_partition_offset(topic, partition as i32, Offset::Offset(offset))
            .map_err(errors::client)?;
    }
    probe.assign(&list).map_err(errors::client)?;
    let result = drain(probe, topic, ends, timeout);
    // Fetches still in flight for this assignment are discarded by librdkafka.
    probe.unassign().map_err(errors::client)?;
    result
}

fn drain(
    probe: &BaseConsumer<LogContext>,
    topic: &str,
    ends: &mut [u64],
    timeout: Duration,
) -> Result<(), BusError> {
    let mut pending: BTreeSet<usize> = (0..ends.len()).collect();
    let deadline = Instant::now() + timeout;
    while !pending.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(BusError::Broker(format!(
                "timed out reading the end of {topic}, partitions {pending:?}"
            )));
        }
        match probe.poll(left.min(POLL_SLICE)) {
            None => {}
            Some(Ok(message)) => {
                let partition = usize::try_from(message.partition()).ok();
                let next = u64::try_from(message.offset()).ok().map(|o| o + 1);
                if let (Some(end), Some(next)) = (partition.and_then(|p| ends.get_mut(p)), next) {
                    *end = (*end).max(next);
                }
            }
            Some(Err(KafkaError::PartitionEOF(partition))) => {
                if let Ok(partition) = usize::try_from(partition) {
                    pending.remove(&partition);
                }
            }
            Some(Err(error)) => return Err(errors::on_topic(error, topic)),
        }
    }
    Ok(())
}
