//! `append`: enqueue in order, then await every delivery.

use std::time::Duration;

use rdkafka::{
    error::KafkaError,
    producer::{DeliveryFuture, FutureRecord},
    types::RDKafkaErrorCode,
};

use super::{KafkaLog, errors, message};
use crate::{BusError, Position, Record};

/// Pause before retrying when librdkafka's local queue is full.
const QUEUE_FULL_BACKOFF: Duration = Duration::from_millis(5);

impl KafkaLog {
    /// Enqueues every record, in input order (which is what keeps per-key order: the
    /// idempotent producer never reorders a partition), then awaits their delivery. On an
    /// error some records may still be delivered: at-least-once, as for any failed append.
    /// Dropping the future does not recall enqueued records.
    pub(crate) async fn produce(
        &self,
        topic: &str,
        records: &[Record],
    ) -> Result<Vec<Position>, BusError> {
        let clients = self.clients()?;
        let mut pending: Vec<DeliveryFuture> = Vec::with_capacity(records.len());
        for record in records {
            let mut message = FutureRecord::to(topic)
                .payload(&record.value[..])
                .headers(message::headers_to_kafka(&record.headers));
            if !record.key.is_empty() {
                message = message.key(&record.key[..]);
            }
            loop {
                match clients.producer.send_result(message) {
                    Ok(delivery) => {
                        pending.push(delivery);
                        break;
                    }
                    Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                        message = back;
                        tokio::time::sleep(QUEUE_FULL_BACKOFF).await;
                    }
                    Err((error, _)) => return Err(errors::on_topic(error, topic)),
                }
            }
        }
        let mut positions = Vec::with_capacity(pending.len());
        for delivered in futures::future::join_all(pending).await {
            let delivery = match delivered {
                Ok(Ok(delivery)) => delivery,
                Ok(Err((error, _))) => return Err(errors::on_topic(error, topic)),
                Err(_canceled) => return Err(BusError::Closed),
            };
            positions.push(Position {
                partition: u32::try_from(delivery.partition)
                    .map_err(|_| errors::out_of_range("partition", delivery.partition.into()))?,
                offset: u64::try_from(delivery.offset)
                    .map_err(|_| errors::out_of_range("offset", delivery.offset))?,
            });
        }
        Ok(positions)
    }
}
