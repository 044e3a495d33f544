//! Topics: creation through the admin API, partition counts from metadata.

use std::time::{Duration, Instant};

use rdkafka::{
    admin::{AdminOptions, NewTopic, TopicReplication},
    consumer::Consumer,
    types::RDKafkaErrorCode,
};

use super::{KafkaLog, MAX_PARTITIONS, errors};
use crate::BusError;

/// Pause between metadata checks while a new topic propagates.
const PROPAGATION_POLL: Duration = Duration::from_millis(50);

impl KafkaLog {
    /// Creates `topic` unless it exists (with `retention.ms` from the options, or compacted
    /// when the options say so), then waits until metadata shows it; returns its partition
    /// count (which differs from `partitions` if it existed with another). An existing topic
    /// keeps its configuration: the deploy manifests set it (`kafka-topics` Job).
    pub(crate) async fn create_topic(&self, topic: &str, partitions: u32) -> Result<u32, BusError> {
        if !(1..=MAX_PARTITIONS).contains(&partitions) {
            return Err(BusError::InvalidArgument {
                field: "partitions",
                message: format!("{partitions} is not between 1 and {MAX_PARTITIONS}"),
            });
        }
        let clients = self.clients()?;
        let timeout = self.options.request_timeout;
        let replication = TopicReplication::Fixed(i32::from(self.options.replication_factor));
        // Bounded by MAX_PARTITIONS above, so the cast is exact.
        let mut new = NewTopic::new(topic, partitions as i32, replication);
        let retention_ms = self.options.retention.map(|r| r.as_millis().to_string());
        if self.options.compacted_topics.iter().any(|t| t == topic) {
            new = new.set("cleanup.policy", "compact");
        } else if let Some(ms) = &retention_ms {
            new = new.set("retention.ms", ms);
        }
        let admin_options = AdminOptions::new()
            .request_timeout(Some(timeout))
            .operation_timeout(Some(timeout));
        let results = clients
            .admin
            .create_topics([&new], &admin_options)
            .await
            .map_err(|e| errors::on_topic(e, topic))?;
        for result in results {
            match result {
                Ok(_) => tracing::info!(topic, partitions, "created kafka topic"),
                Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                Err((_, code)) => return Err(errors::code(code, topic)),
            }
        }
        let deadline = Instant::now() + timeout;
        let has = loop {
            match self.partition_count(topic).await {
                Ok(has) => break has,
                Err(BusError::UnknownTopic(_)) if Instant::now() < deadline => {
                    tokio::time::sleep(PROPAGATION_POLL).await;
                }
                Err(e) => return Err(e),
            }
        };
        self.known_topics().insert(topic.to_owned());
        Ok(has)
    }

    /// Creates `topic` with the default partition count unless it is known to exist.
    pub(crate) async fn implicit_topic(&self, topic: &str) -> Result<(), BusError> {
        if self.known_topics().contains(topic) {
            return Ok(());
        }
        self.create_topic(topic, self.options.default_partitions)
            .await
            .map(drop)
    }

    fn known_topics(&self) -> std::sync::MutexGuard<'_, std::collections::HashSet<String>> {
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The topic's partition count from fresh metadata; [`BusError::UnknownTopic`] when the
    /// broker does not know it.
    pub(crate) async fn partition_count(&self, topic: &str) -> Result<u32, BusError> {
        let clients = self.clients()?;
        let timeout = self.options.request_timeout;
        let name = topic.to_owned();
        let metadata =
            tokio::task::spawn_blocking(move || clients.meta.fetch_metadata(Some(&name), timeout))
                .await
                .map_err(errors::join)?
                .map_err(|e| errors::on_topic(e, topic))?;
        let Some(found) = metadata.topics().iter().find(|t| t.name() == topic) else {
            return Err(BusError::UnknownTopic(topic.to_owned()));
        };
        if let Some(error) = found.error() {
            return Err(errors::code(error.into(), topic));
        }
        match found.partitions().len() {
            0 => Err(BusError::UnknownTopic(topic.to_owned())),
            n => u32::try_from(n).map_err(|_| errors::out_of_range("partition count", n as i64)),
        }
    }
}
