//! A member of a consumer group of the embedded log.

use std::{collections::BTreeMap, fmt, sync::Arc, time::Duration};

use async_trait::async_trait;
use tokio::{sync::watch, time::Instant};

use super::{Shared, group::Group, read, topic::Topic, writer::Command};
use crate::{BusError, Delivery, Position, Subscription};

/// Bytes one poll reads at most (it always returns at least one record if one is there).
const MAX_POLL_BYTES: u64 = 4 << 20;

pub(crate) struct EmbeddedSubscription {
    shared: Arc<Shared>,
    topic: Arc<Topic>,
    group: Arc<Group>,
    member: u64,
    /// Assigned partition → (owner epoch, next offset to deliver).
    positions: BTreeMap<u32, (u64, u64)>,
    generation: Option<u64>,
    rebalanced: watch::Receiver<u64>,
    appended: watch::Receiver<u64>,
    /// Rotates the partition read first, for fairness.
    cursor: usize,
}

impl EmbeddedSubscription {
    pub(crate) fn new(shared: Arc<Shared>, topic: Arc<Topic>, group: &str) -> Self {
        let group = topic.group(group);
        let member = group.join();
        tracing::debug!(topic = %topic.name, group = %group.name, member, "joined group");
        Self {
            shared,
            rebalanced: group.watch(),
            appended: topic.watch_appended(),
            topic,
            group,
            member,
            positions: BTreeMap::new(),
            generation: None,
            cursor: 0,
        }
    }

    /// Takes up a new assignment: partitions kept under the same owner epoch continue where
    /// they were; the others start from the group's committed offset.
    fn refresh(&mut self) {
        let generation = *self.rebalanced.borrow_and_update();
        if self.generation == Some(generation) {
            return;
        }
        self.generation = Some(generation);
        let assigned = self.group.assignment(self.member);
        self.positions = assigned
            .into_iter()
            .map(|(p, epoch, committed)| match self.positions.get(&p) {
                Some(&(e, next)) if e == epoch => (p, (epoch, next)),
                _ => (p, (epoch, committed)),
            })
            .collect();
    }

    /// Reads what is available now from the assigned partitions.
    async fn read(&mut self, max: usize) -> Result<Vec<Delivery>, BusError> {
        let count = self.positions.len();
        self.cursor = self.cursor.wrapping_add(1);
        let order: Vec<(u32, u64)> = self
            .positions
            .iter()
            .map(|(&p, &(_, next))| (p, next))
            .cycle()
            .skip(self.cursor % count.max(1))
            .take(count)
            .collect();
        let mut plans = Vec::with_capacity(count);
        for (p, next) in order {
            let (from, plan) = self.topic.partitions[p as usize].plan(next);
            if from > next {
                let (topic, skipped) = (&self.topic.name, from - next);
                tracing::warn!(%topic, partition = p, skipped, "records deleted before delivery");
                if let Some(position) = self.positions.get_mut(&p) {
                    position.1 = from;
                }
            }
            plans.extend(plan);
        }
        if plans.is_empty() {
            return Ok(Vec::new());
        }
        let decoded =
            tokio::task::spawn_blocking(move || read::read_plans(&plans, max, MAX_POLL_BYTES))
                .await
                .map_err(std::io::Error::other)??;
        let mut out = Vec::with_capacity(max);
        for (partition, records) in decoded {
            if let (Some(last), Some(pos)) = (records.last(), self.positions.get_mut(&partition)) {
                pos.1 = last.offset + 1;
            }
            out.extend(records.into_iter().map(|d| Delivery {
                topic: self.topic.name.clone(),
                position: Position {
                    partition,
                    offset: d.offset,
                },
                timestamp_ms: d.timestamp_ms,
                record: d.record,
            }));
        }
        Ok(out)
    }
}

#[async_trait]
impl Subscription for EmbeddedSubscription {
    async fn poll(&mut self, max: usize, max_wait: Duration) -> Result<Vec<Delivery>, BusError> {
        let deadline = Instant::now() + max_wait;
        loop {
            if self.shared.closed.is_cancelled() {
                return Err(BusError::Closed);
            }
            self.appended.borrow_and_update();
            self.refresh();
            if max == 0 {
                return Ok(Vec::new());
            }
            let batch = self.read(max).await?;
            if !batch.is_empty() {
                return Ok(batch);
            }
            tokio::select! {
                _ = self.appended.changed() => {}
                _ = self.rebalanced.changed() => {}
                () = self.shared.closed.cancelled() => return Err(BusError::Closed),
                () = tokio::time::sleep_until(deadline) => return Ok(Vec::new()),
            }
        }
    }

    async fn commit(&mut self, processed: &[Position]) -> Result<(), BusError> {
        if self.shared.closed.is_cancelled() {
            return Err(BusError::Closed);
        }
        let mut next: BTreeMap<u32, u64> = BTreeMap::new();
        for position in processed {
            let Some(partition) = self.topic.partitions.get(position.partition as usize) else {
                return Err(invalid(format!("no partition {}", position.partition)));
            };
            if position.offset >= partition.end_offset() {
                return Err(invalid(format!("{position:?} is past the end of the log")));
            }
            let entry = next.entry(position.partition).or_default();
            *entry = (*entry).max(position.offset + 1);
        }
        if next.is_empty() {
            return Ok(());
        }
        let (group, member) = (self.group.clone(), self.member);
        let next: Vec<(u32, u64)> = next.into_iter().collect();
        let changed = tokio::task::spawn_blocking(move || group.commit(member, &next))
            .await
            .map_err(std::io::Error::other)??;
        if changed {
            let _ = self
                .shared
                .writer
                .send(Command::Retention(self.topic.clone()));
        }
        Ok(())
    }

    fn assignment(&self) -> Vec<u32> {
        let assigned = self.group.assignment(self.member);
        assigned.into_iter().map(|(p, _, _)| p).collect()
    }
}

fn invalid(message: String) -> BusError {
    BusError::InvalidArgument {
        field: "processed",
        message,
    }
}

impl Drop for EmbeddedSubscription {
    fn drop(&mut self) {
        self.group.leave(self.member);
        tracing::debug!(topic = %self.topic.name, group = %self.group.name, member = self.member, "left group");
    }
}

impl fmt::Debug for EmbeddedSubscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmbeddedSubscription")
            .field("topic", &self.topic.name)
            .field("group", &self.group.name)
            .field("member", &self.member)
            .field("positions", &self.positions)
            .finish_non_exhaustive()
    }
}
