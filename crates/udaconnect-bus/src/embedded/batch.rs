//! One group commit: the append requests the writer took from its queue, written partition
//! by partition, synced once, published, then acknowledged together.

use std::{collections::HashMap, fs::File, io, sync::Arc, time::SystemTime};

use super::{
    append::{sync_files, write_partition},
    topic::Topic,
    writer::AppendRequest,
};
use crate::{BusError, Position, Record};

/// Positions per request, and the topics where a segment closed.
type Written = (Vec<Vec<Position>>, Vec<Arc<Topic>>);

pub(crate) struct Batch {
    requests: Vec<AppendRequest>,
}

/// The records of one batch that go to one partition: `(request, record)` indexes in order.
struct PartitionRecords {
    request: usize,
    partition: u32,
    items: Vec<(usize, usize)>,
}

impl Batch {
    pub(crate) fn new(requests: Vec<AppendRequest>) -> Batch {
        Batch { requests }
    }

    /// Answers every request with (a copy of) `error`.
    pub(crate) fn fail(self, error: &BusError) {
        for request in self.requests {
            let _ = request.reply.send(Err(copy_error(error)));
        }
    }

    /// Writes, syncs and publishes the batch and answers every request. On an I/O error,
    /// fails the whole batch and sets `failed`. Returns the topics where a segment closed.
    pub(crate) fn write(self, segment_bytes: u64, failed: &mut Option<String>) -> Vec<Arc<Topic>> {
        let records: usize = self.requests.iter().map(|r| r.records.len()).sum();
        match self.write_all(segment_bytes) {
            Ok((positions, rolled)) => {
                tracing::trace!(requests = self.requests.len(), records, "appended batch");
                for (request, positions) in self.requests.into_iter().zip(positions) {
                    let _ = request.reply.send(Ok(positions));
                }
                rolled
            }
            Err(e) => {
                tracing::error!(error = %e, records, "event log write failed; refusing appends");
                *failed = Some(format!("event log write failed earlier: {e}"));
                self.fail(&BusError::Io(e));
                Vec::new()
            }
        }
    }

    fn write_all(&self, segment_bytes: u64) -> io::Result<Written> {
        let timestamp_ms = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let mut positions: Vec<Vec<Position>> = self
            .requests
            .iter()
            .map(|r| {
                vec![
                    Position {
                        partition: 0,
                        offset: 0
                    };
                    r.records.len()
                ]
            })
            .collect();
        let mut pending = Vec::new();
        for group in self.by_partition() {
            let topic = &self.requests[group.request].topic;
            let partition = &topic.partitions[group.partition as usize];
            let records: Vec<&Record> = group
                .items
                .iter()
                .map(|&(r, i)| &self.requests[r].records[i])
                .collect();
            let (written, offsets) =
                write_partition(partition, &records, timestamp_ms, segment_bytes)?;
            for (&(r, i), offset) in group.items.iter().zip(offsets) {
                positions[r][i] = Position {
                    partition: group.partition,
                    offset,
                };
            }
            pending.push((topic, written));
        }
        let files: Vec<&File> = pending.iter().map(|(_, w)| &*w.file).collect();
        sync_files(&files)?;
        let mut touched: HashMap<*const Topic, &Arc<Topic>> = HashMap::new();
        let mut rolled: HashMap<*const Topic, Arc<Topic>> = HashMap::new();
        for (topic, written) in &pending {
            written
                .partition
                .publish(&written.written, written.allocated);
            touched.insert(Arc::as_ptr(topic), topic);
            if written.rolled {
                rolled.insert(Arc::as_ptr(topic), Arc::clone(topic));
            }
        }
        for topic in touched.values() {
            topic.notify_appended();
        }
        Ok((positions, rolled.into_values().collect()))
    }

    /// Groups the records by (topic, partition), keeping their order within each request
    /// and the requests' queue order.
    fn by_partition(&self) -> Vec<PartitionRecords> {
        let mut slots: HashMap<(*const Topic, u32), usize> = HashMap::new();
        let mut groups: Vec<PartitionRecords> = Vec::new();
        for (r, request) in self.requests.iter().enumerate() {
            for (i, &partition) in request.partitions.iter().enumerate() {
                let key = (Arc::as_ptr(&request.topic), partition);
                let slot = *slots.entry(key).or_insert_with(|| {
                    groups.push(PartitionRecords {
                        request: r,
                        partition,
                        items: Vec::new(),
                    });
                    groups.len() - 1
                });
                groups[slot].items.push((r, i));
            }
        }
        groups
    }
}

/// `BusError` is not `Clone` (it holds an `io::Error`); every waiter gets its own copy.
pub(crate) fn copy_error(e: &BusError) -> BusError {
    match e {
        BusError::UnknownTopic(t) => BusError::UnknownTopic(t.clone()),
        BusError::InvalidArgument { field, message } => BusError::InvalidArgument {
            field,
            message: message.clone(),
        },
        BusError::Io(io) => BusError::Io(io::Error::new(io.kind(), io.to_string())),
        BusError::Corrupt(m) => BusError::Corrupt(m.clone()),
        BusError::Closed => BusError::Closed,
        BusError::Broker(m) => BusError::Broker(m.clone()),
        BusError::Rebalanced(m) => BusError::Rebalanced(m.clone()),
    }
}
