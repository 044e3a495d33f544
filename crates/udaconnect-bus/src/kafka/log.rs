//! [`EventLog`] for [`KafkaLog`].

use async_trait::async_trait;

use super::{KafkaLog, subscription::KafkaSubscription};
use crate::{BusError, EventLog, Position, Record, Subscription};

impl KafkaLog {
    fn check_open(&self) -> Result<(), BusError> {
        if self.is_closed() {
            Err(BusError::Closed)
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl EventLog for KafkaLog {
    /// An existing topic keeps its partition count (logged when it differs).
    async fn ensure_topic(&self, topic: &str, partitions: u32) -> Result<(), BusError> {
        self.check_open()?;
        let has = self.create_topic(topic, partitions).await?;
        if has != partitions {
            tracing::debug!(
                topic,
                has,
                asked = partitions,
                "topic exists with another partition count"
            );
        }
        Ok(())
    }

    async fn append(&self, topic: &str, records: Vec<Record>) -> Result<Vec<Position>, BusError> {
        self.check_open()?;
        self.implicit_topic(topic).await?;
        if records.is_empty() {
            return Ok(Vec::new());
        }
        self.produce(topic, &records).await
    }

    async fn subscribe(&self, topic: &str, group: &str) -> Result<Box<dyn Subscription>, BusError> {
        self.check_open()?;
        if group.is_empty() {
            return Err(BusError::InvalidArgument {
                field: "group",
                message: "must not be empty".to_owned(),
            });
        }
        self.implicit_topic(topic).await?;
        let subscription = KafkaSubscription::join(&self.options, topic, group).await?;
        Ok(Box::new(subscription))
    }

    async fn read_from(
        &self,
        topic: &str,
        from: &[u64],
    ) -> Result<Box<dyn Subscription>, BusError> {
        self.check_open()?;
        self.implicit_topic(topic).await?;
        let partitions = self.partition_count(topic).await?;
        let reader = KafkaSubscription::reader(&self.options, topic, partitions, from).await?;
        Ok(Box::new(reader))
    }

    async fn end_offsets(&self, topic: &str) -> Result<Vec<u64>, BusError> {
        self.check_open()?;
        self.high_watermarks(topic).await
    }

    async fn committed_offsets(&self, topic: &str, group: &str) -> Result<Vec<u64>, BusError> {
        self.check_open()?;
        self.fetch_committed(topic, group).await
    }
}
