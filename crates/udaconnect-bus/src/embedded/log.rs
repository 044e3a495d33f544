//! [`EventLog`] for [`EmbeddedLog`].

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::oneshot;

use super::{
    EmbeddedLog, MAX_PARTITIONS, frame,
    fsutil::validate_name,
    subscription::EmbeddedSubscription,
    topic::Topic,
    writer::{AppendRequest, Command},
};
use crate::{BusError, EventLog, Position, Record, Subscription};

impl EmbeddedLog {
    /// The topic, created with `partitions` when missing and `create` is set.
    async fn get_topic(&self, name: &str, create: Option<u32>) -> Result<Arc<Topic>, BusError> {
        if self.shared.closed.is_cancelled() {
            return Err(BusError::Closed);
        }
        if let Some(topic) = self.topic(name) {
            return Ok(topic);
        }
        validate_name("topic", name)?;
        let Some(partitions) = create else {
            return Err(BusError::UnknownTopic(name.to_owned()));
        };
        let _creating = self.create.lock().await;
        if let Some(topic) = self.topic(name) {
            return Ok(topic);
        }
        let (dir, owned) = (self.dir.clone(), name.to_owned());
        let topic = tokio::task::spawn_blocking(move || Topic::create(&dir, &owned, partitions))
            .await
            .map_err(std::io::Error::other)??;
        let topic = Arc::new(topic);
        let mut topics = self.topics.write().unwrap_or_else(|e| e.into_inner());
        topics.insert(name.to_owned(), topic.clone());
        Ok(topic)
    }

    fn implicit(&self) -> Option<u32> {
        self.options
            .auto_create_topics
            .then_some(self.options.default_partitions)
    }
}

#[async_trait]
impl EventLog for EmbeddedLog {
    async fn ensure_topic(&self, topic: &str, partitions: u32) -> Result<(), BusError> {
        if !(1..=MAX_PARTITIONS).contains(&partitions) {
            return Err(BusError::InvalidArgument {
                field: "partitions",
                message: format!("{partitions} is not between 1 and {MAX_PARTITIONS}"),
            });
        }
        let existing = self.get_topic(topic, Some(partitions)).await?;
        if existing.partitions.len() != partitions as usize {
            let (has, asked) = (existing.partitions.len(), partitions);
            tracing::debug!(
                topic,
                has,
                asked,
                "topic exists with another partition count"
            );
        }
        Ok(())
    }

    async fn append(&self, topic: &str, records: Vec<Record>) -> Result<Vec<Position>, BusError> {
        let topic = self.get_topic(topic, self.implicit()).await?;
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let mut bytes = 0;
        for record in &records {
            frame::validate(record, self.options.max_record_bytes)?;
            bytes += frame::frame_len(record);
        }
        let partitions = records
            .iter()
            .map(|r| topic.partition_for(&r.key))
            .collect();
        let (reply, response) = oneshot::channel();
        self.shared.writer.send(Command::Append(AppendRequest {
            topic,
            records,
            partitions,
            bytes,
            reply,
        }))?;
        response.await.map_err(|_| BusError::Closed)?
    }

    async fn subscribe(&self, topic: &str, group: &str) -> Result<Box<dyn Subscription>, BusError> {
        let topic = self.get_topic(topic, self.implicit()).await?;
        validate_name("group", group)?;
        let subscription = EmbeddedSubscription::new(self.shared.clone(), topic, group);
        Ok(Box::new(subscription))
    }

    async fn read_from(
        &self,
        topic: &str,
        from: &[u64],
    ) -> Result<Box<dyn Subscription>, BusError> {
        let topic = self.get_topic(topic, self.implicit()).await?;
        let reader = EmbeddedSubscription::reader(self.shared.clone(), topic, from);
        Ok(Box::new(reader))
    }

    async fn end_offsets(&self, topic: &str) -> Result<Vec<u64>, BusError> {
        let topic = self.get_topic(topic, None).await?;
        Ok(topic.partitions.iter().map(|p| p.end_offset()).collect())
    }

    async fn committed_offsets(&self, topic: &str, group: &str) -> Result<Vec<u64>, BusError> {
        let topic = self.get_topic(topic, None).await?;
        Ok(match topic.find_group(group) {
            Some(group) => group.committed().0,
            None => vec![0; topic.partitions.len()],
        })
    }
}
