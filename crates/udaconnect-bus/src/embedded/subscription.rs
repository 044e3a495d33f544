//! A member of a consumer group of the embedded log, or a group-less reader
//! ([`EventLog::read_from`](crate::EventLog::read_from)).

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
    /// `None` for a reader: every partition, from given offsets, nothing committed.
    membership: Option<Membership>,
    /// Assigned partition → (owner epoch, next offset to deliver).
    positions: BTreeMap<u32, (u64, u64)>,
    appended: watch::Receiver<u64>,
    /// Rotates the partition read first, for fairness.
    cursor: usize,
}

struct Membership {
    group: Arc<Group>,
    member: u64,
    generation: Option<u64>,
    rebalanced: watch::Receiver<u64>,
}

impl Membership {
    /// Resolves when the group rebalanced.
    async fn changed(membership: &mut Option<Membership>) {
        match membership {
            Some(m) => {
                let _ = m.rebalanced.changed().await;
            }
            None => std::future::pending().await,
        }
    }
}

impl EmbeddedSubscription {
    pub(crate) fn new(shared: Arc<Shared>, topic: Arc<Topic>, group: &str) -> Self {
        let group = topic.group(group);
        let member = group.join();
        tracing::debug!(topic = %topic.name, group = %group.name, member, "joined group");
        Self {
            shared,
            appended: topic.watch_appended(),
            topic,
            membership: Some(Membership {
                rebalanced: group.watch(),
                group,
                member,
                generation: None,
            }),
            positions: BTreeMap::new(),
            cursor: 0,
        }
    }

    /// A reader of every partition of `topic`, partition `p` from offset `from[p]` (0 where
    /// missing; offsets already deleted skip to the oldest retained record).
    pub(crate) fn reader(shared: Arc<Shared>, topic: Arc<Topic>, from: &[u64]) -> Self {
        let positions = (0..topic.partitions.len() as u32)
            .map(|p| (p, (0, from.get(p as usize).copied().unwrap_or(0))))
            .collect();
        Self {
            shared,
            appended: topic.watch_appended(),
            topic,
            membership: None,
            positions,
            cursor: 0,
        }
    }

    /// Takes up a new assignment: partitions kept under the same owner epoch continue where
    /// they were; the others start from the group's committed offset.
    fn refresh(&mut self) {
        let Some(m) = self.membership.as_mut() else {
            return;
        };
        let generation = *m.rebalanced.borrow_and_update();
        if m.generation == Some(generation) {
            return;
        }
        m.generation = Some(generation);
        let assigned = m.group.assignment(m.member);
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
                () = Membership::changed(&mut self.membership) => {}
                () = self.shared.closed.cancelled() => return Err(BusError::Closed),
                () = tokio::time::sleep_until(deadline) => return Ok(Vec::new()),
            }
        }
    }

    /// A reader commits nothing: a no-op.
    async fn commit(&mut self, processed: &[Position]) -> Result<(), BusError> {
        if self.shared.closed.is_cancelled() {
            return Err(BusError::Closed);
        }
        let Some(m) = self.membership.as_ref() else {
            return Ok(());
        };
        let (group, member) = (m.group.clone(), m.member);
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
        match &self.membership {
            Some(m) => m
                .group
                .assignment(m.member)
                .into_iter()
                .map(|(p, _, _)| p)
                .collect(),
            None => self.positions.keys().copied().collect(),
        }
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
        if let Some(m) = &self.membership {
            m.group.leave(m.member);
            tracing::debug!(topic = %self.topic.name, group = %m.group.name, member = m.member, "left group");
        }
    }
}

impl fmt::Debug for EmbeddedSubscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmbeddedSubscription")
            .field("topic", &self.topic.name)
            .field("group", &self.membership.as_ref().map(|m| &m.group.name))
            .field("member", &self.membership.as_ref().map(|m| m.member))
            .field("positions", &self.positions)
            .finish_non_exhaustive()
    }
}
