//! End offsets (high watermarks) and a group's committed offsets.

use rdkafka::{
    ClientConfig, Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer},
};

use super::{KafkaLog, context::LogContext, errors, tail};
use crate::BusError;

impl KafkaLog {
    /// The end offset (high watermark) of every partition, in partition order: the brokers'
    /// answer, raised to what reading the tails finds (see `tail`).
    pub(crate) async fn high_watermarks(&self, topic: &str) -> Result<Vec<u64>, BusError> {
        let partitions = self.partition_count(topic).await?;
        let clients = self.clients()?;
        let timeout = self.options.request_timeout;
        let name = topic.to_owned();
        tokio::task::spawn_blocking(move || {
            let mut ends = (0..partitions)
                .map(|p| {
                    // `p` < MAX_PARTITIONS, so it fits an i32.
                    let (_, high) = clients
                        .meta
                        .fetch_watermarks(&name, p as i32, timeout)
                        .map_err(|e| errors::on_topic(e, &name))?;
                    u64::try_from(high).map_err(|_| errors::out_of_range("high watermark", high))
                })
                .collect::<Result<Vec<u64>, BusError>>()?;
            let probe = clients.tail.lock().unwrap_or_else(|e| e.into_inner());
            tail::read_to_end(&probe, &name, &mut ends, timeout)?;
            Ok(ends)
        })
        .await
        .map_err(errors::join)?
    }

    /// The group's committed offsets, 0 where none, through a consumer that carries the
    /// group id but never subscribes: an OffsetFetch request, no group join.
    pub(crate) async fn fetch_committed(
        &self,
        topic: &str,
        group: &str,
    ) -> Result<Vec<u64>, BusError> {
        let partitions = self.partition_count(topic).await?;
        let mut config: ClientConfig = self.options.consumer(group);
        config.set("client.id", format!("{}-offsets", self.options.client_id));
        let timeout = self.options.request_timeout;
        let name = topic.to_owned();
        tokio::task::spawn_blocking(move || {
            let consumer: BaseConsumer<LogContext> = config
                .create_with_context(LogContext)
                .map_err(errors::client)?;
            let mut wanted = TopicPartitionList::with_capacity(partitions as usize);
            for p in 0..partitions {
                wanted.add_partition(&name, p as i32);
            }
            let committed = consumer
                .committed_offsets(wanted, timeout)
                .map_err(|e| errors::on_topic(e, &name))?;
            let mut offsets = vec![0; partitions as usize];
            for element in committed.elements_for_topic(&name) {
                element.error().map_err(|e| errors::on_topic(e, &name))?;
                let slot = usize::try_from(element.partition())
                    .ok()
                    .and_then(|p| offsets.get_mut(p));
                if let (Some(slot), Offset::Offset(offset)) = (slot, element.offset()) {
                    *slot = u64::try_from(offset).unwrap_or(0);
                }
            }
            Ok(offsets)
        })
        .await
        .map_err(errors::join)?
    }
}
