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

/// Deliveries not confirmed within this mean a stalled producer: a restarted broker that
/// lost its state answers the idempotent producer `UNKNOWN_PRODUCER_ID` for ever (tansu
/// keeps its log in memory), and librdkafka keeps retrying. The append fails
/// ([`BusError::Broker`], retriable) and the producer is replaced by a fresh one, which
/// registers a new producer id. Normal deliveries take milliseconds.
pub(crate) const DELIVERY_STALL: Duration = Duration::from_secs(5);

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
        let (generation, producer) = clients.producer();
        let mut pending: Vec<DeliveryFuture> = Vec::with_capacity(records.len());
        for record in records {
            let mut message = FutureRecord::to(topic)
                .payload(&record.value[..])
                .headers(message::headers_to_kafka(&record.headers));
            if !record.key.is_empty() {
                message = message.key(&record.key[..]);
            }
            loop {
                match producer.send_result(message) {
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
        let Ok(delivered) =
            tokio::time::timeout(DELIVERY_STALL, futures::future::join_all(pending)).await
        else {
            self.reset_producer(&clients, generation);
            return Err(BusError::Broker(format!(
                "{topic}: delivery not confirmed within {DELIVERY_STALL:?}; producer replaced"
            )));
        };
        for delivered in delivered {
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
