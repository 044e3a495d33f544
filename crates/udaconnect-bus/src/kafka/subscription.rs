//! A group member: one `StreamConsumer`.
//!
//! Why `StreamConsumer` rather than a `BaseConsumer` polled on a blocking thread: its `recv`
//! is cancel-safe (a message leaves librdkafka's queue only in the poll that returns it) and
//! wakes the task through librdkafka's queue callback, so no thread per subscription and no
//! prefetch channel, which would keep handing out records of partitions revoked in the
//! meantime. Rebalances run inside `recv`, so the member's assignment changes only while it
//! polls, as with Kafka's own clients.

use std::{
    collections::BTreeMap,
    fmt,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use async_trait::async_trait;
use futures::FutureExt;
use rdkafka::{
    Offset, TopicPartitionList,
    consumer::{CommitMode, Consumer, StreamConsumer},
    error::KafkaError,
    types::RDKafkaErrorCode,
};

use super::{KafkaOptions, context::SubscriptionContext, drop_blocking, errors, message::delivery};
use crate::{BusError, Delivery, Position, Subscription};

type Member = StreamConsumer<SubscriptionContext>;

pub(crate) struct KafkaSubscription {
    /// `None` only while being dropped.
    consumer: Option<Arc<Member>>,
    topic: String,
    group: String,
    /// A group-less reader (assigned every partition; commits nothing).
    reader: bool,
    /// A commit is running on the blocking pool (it may outlive a timed-out `commit`).
    committing: Arc<AtomicBool>,
    commit_timeout: Duration,
}

impl KafkaSubscription {
    /// Creates the consumer and subscribes it (librdkafka waits on its own thread for that:
    /// done on the blocking pool). The group join happens in the following polls.
    pub(crate) async fn join(
        options: &KafkaOptions,
        topic: &str,
        group: &str,
    ) -> Result<Self, BusError> {
        let config = options.consumer(group);
        let name = topic.to_owned();
        let consumer = tokio::task::spawn_blocking(move || -> Result<Member, BusError> {
            let consumer: Member = config
                .create_with_context(SubscriptionContext::default())
                .map_err(errors::client)?;
            consumer
                .subscribe(&[&name])
                .map_err(|e| errors::on_topic(e, &name))?;
            Ok(consumer)
        })
        .await
        .map_err(errors::join)??;
        Ok(Self {
            consumer: Some(Arc::new(consumer)),
            topic: topic.to_owned(),
            group: group.to_owned(),
            reader: false,
            committing: Arc::default(),
            commit_timeout: options.request_timeout,
        })
    }

    /// A consumer assigned every one of the topic's `partitions`, partition `p` from
    /// `from[p]` (the beginning where missing or no longer retained). It never joins a group
    /// (librdkafka still wants a group id) and never commits.
    pub(crate) async fn reader(
        options: &KafkaOptions,
        topic: &str,
        partitions: u32,
        from: &[u64],
    ) -> Result<Self, BusError> {
        let group = format!("{}.reader", options.client_id);
        let config = options.consumer(&group);
        let name = topic.to_owned();
        let mut list = TopicPartitionList::with_capacity(partitions as usize);
        for p in 0..partitions {
            let offset = match from.get(p as usize).copied().unwrap_or(0) {
                0 => Offset::Beginning,
                o => Offset::Offset(i64::try_from(o).map_err(|_| BusError::InvalidArgument {
                    field: "from",
                    message: format!("offset {o} is out of range"),
                })?),
            };
            // `p` < MAX_PARTITIONS, so it fits an i32.
            list.add_partition_offset(topic, p as i32, offset)
                .map_err(errors::client)?;
        }
        let consumer = tokio::task::spawn_blocking(move || -> Result<Member, BusError> {
            let consumer: Member = config
                .create_with_context(SubscriptionContext::default())
                .map_err(errors::client)?;
            consumer
                .assign(&list)
                .map_err(|e| errors::on_topic(e, &name))?;
            Ok(consumer)
        })
        .await
        .map_err(errors::join)??;
        {
            let mut owned = consumer.context().owned();
            for p in 0..partitions {
                owned.insert(p, None);
            }
        }
        Ok(Self {
            consumer: Some(Arc::new(consumer)),
            topic: topic.to_owned(),
            group,
            reader: true,
            committing: Arc::default(),
            commit_timeout: options.request_timeout,
        })
    }

    fn consumer(&self) -> Result<&Arc<Member>, BusError> {
        self.consumer.as_ref().ok_or(BusError::Closed)
    }

    /// librdkafka reports most consumer errors as notices it recovers from (a broker went
    /// away, a coordinator moved): logged. A fatal error or a vanished topic is returned.
    fn consume_error(&self, error: KafkaError) -> Result<(), BusError> {
        match error {
            KafkaError::MessageConsumptionFatal(_) => Err(errors::client(error)),
            KafkaError::MessageConsumption(
                RDKafkaErrorCode::UnknownTopicOrPartition | RDKafkaErrorCode::UnknownTopic,
            ) => Err(BusError::UnknownTopic(self.topic.clone())),
            other => {
                tracing::warn!(topic = %self.topic, group = %self.group, error = %other, "kafka consumer error");
                Ok(())
            }
        }
    }
}

#[async_trait]
impl Subscription for KafkaSubscription {
    /// Waits (cancel-safely) for the first message only; the rest of the batch is taken
    /// without awaiting, so a cancelled poll never holds records it took.
    async fn poll(&mut self, max: usize, max_wait: Duration) -> Result<Vec<Delivery>, BusError> {
        let consumer = self.consumer()?.clone();
        let deadline = tokio::time::Instant::now() + max_wait;
        let mut batch = Vec::new();
        while batch.is_empty() && max > 0 {
            match tokio::time::timeout_at(deadline, consumer.recv()).await {
                Err(_elapsed) => return Ok(batch),
                Ok(Ok(message)) => batch.push(delivery(&message)?),
                Ok(Err(error)) => self.consume_error(error)?,
            }
        }
        while batch.len() < max {
            match consumer.recv().now_or_never() {
                Some(Ok(message)) => batch.push(delivery(&message)?),
                Some(Err(error)) => {
                    // Reported by the next poll if it persists; the batch is not lost.
                    tracing::debug!(%error, "kafka consumer error after a partial batch");
                    break;
                }
                None => break,
            }
        }
        Ok(batch)
    }

    /// Commits offset + 1 of the highest position per owned partition, synchronously; skips
    /// partitions not owned and offsets this member already committed (never goes back).
    /// A reader commits nothing: a no-op.
    async fn commit(&mut self, processed: &[Position]) -> Result<(), BusError> {
        let consumer = self.consumer()?.clone();
        if self.reader {
            return Ok(());
        }
        let mut next: BTreeMap<u32, u64> = BTreeMap::new();
        {
            let owned = consumer.context().owned();
            for position in processed {
                let Some(done) = owned.get(&position.partition) else {
                    continue;
                };
                let offset = position.offset.saturating_add(1);
                if done.is_none_or(|d| offset > d) {
                    let entry = next.entry(position.partition).or_default();
                    *entry = (*entry).max(offset);
                }
            }
        }
        if next.is_empty() {
            return Ok(());
        }
        let mut list = TopicPartitionList::with_capacity(next.len());
        for (&partition, &offset) in &next {
            let offset = i64::try_from(offset).map_err(|_| BusError::InvalidArgument {
                field: "processed",
                message: format!("offset {offset} is out of range"),
            })?;
            // Owned partitions came from librdkafka as non-negative i32s.
            list.add_partition_offset(&self.topic, partition as i32, Offset::Offset(offset))
                .map_err(errors::client)?;
        }
        // librdkafka's synchronous commit has no deadline of its own (it waits for a group
        // coordinator, for instance while the broker restarts): bounded here, and at most one
        // is outstanding, so a stuck commit never ties up more than one blocking thread.
        if self.committing.swap(true, Ordering::AcqRel) {
            return Err(BusError::Broker(
                "the previous offset commit has not finished yet".into(),
            ));
        }
        let committer = consumer.clone();
        let committing = self.committing.clone();
        let commit = tokio::task::spawn_blocking(move || {
            let result = committer.commit(&list, CommitMode::Sync);
            committing.store(false, Ordering::Release);
            result
        });
        match tokio::time::timeout(self.commit_timeout, commit).await {
            Err(_elapsed) => {
                return Err(BusError::Broker(format!(
                    "offset commit not confirmed within {:?}",
                    self.commit_timeout
                )));
            }
            Ok(joined) => joined.map_err(errors::join)?.map_err(errors::commit)?,
        }
        let mut owned = consumer.context().owned();
        for (partition, offset) in next {
            if let Some(done) = owned.get_mut(&partition) {
                *done = Some(done.map_or(offset, |d| d.max(offset)));
            }
        }
        Ok(())
    }

    fn assignment(&self) -> Vec<u32> {
        self.consumer
            .as_ref()
            .map(|c| c.context().owned().keys().copied().collect())
            .unwrap_or_default()
    }
}

impl fmt::Debug for KafkaSubscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KafkaSubscription")
            .field("topic", &self.topic)
            .field("group", &self.group)
            .field("assignment", &self.assignment())
            .finish()
    }
}

impl Drop for KafkaSubscription {
    /// Closing a consumer leaves the group (a broker round trip): on the blocking pool.
    fn drop(&mut self) {
        drop_blocking(self.consumer.take());
    }
}
