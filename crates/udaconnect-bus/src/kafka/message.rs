//! Conversions between our records and librdkafka's messages.

use bytes::Bytes;
use rdkafka::{
    Message,
    message::{BorrowedMessage, Header, Headers, OwnedHeaders},
};

use super::errors;
use crate::{BusError, Delivery, Position, Record};

/// Copies a consumed message out of librdkafka's buffer.
pub(crate) fn delivery(message: &BorrowedMessage<'_>) -> Result<Delivery, BusError> {
    let partition = message.partition();
    let offset = message.offset();
    Ok(Delivery {
        topic: message.topic().to_owned(),
        position: Position {
            partition: u32::try_from(partition)
                .map_err(|_| errors::out_of_range("partition", partition.into()))?,
            offset: u64::try_from(offset).map_err(|_| errors::out_of_range("offset", offset))?,
        },
        // Brokers always stamp records (create or append time); the receive time otherwise.
        timestamp_ms: message.timestamp().to_millis().unwrap_or_else(now_ms),
        record: Record {
            key: message
                .key()
                .map_or_else(Bytes::new, Bytes::copy_from_slice),
            value: message
                .payload()
                .map_or_else(Bytes::new, Bytes::copy_from_slice),
            headers: headers_from_kafka(message.headers()),
        },
    })
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Our headers as Kafka headers, in order; an empty value is sent as empty, not null.
pub(crate) fn headers_to_kafka(headers: &[(String, Bytes)]) -> OwnedHeaders {
    headers.iter().fold(
        OwnedHeaders::new_with_capacity(headers.len()),
        |h, (key, value)| {
            h.insert(Header {
                key,
                value: Some(&value[..]),
            })
        },
    )
}

/// The headers of a consumed message. A header whose name is not UTF-8 (written by another
/// client) is skipped with a warning: rdkafka panics on such a name, so each one is read
/// under `catch_unwind`.
pub(crate) fn headers_from_kafka<H: Headers>(headers: Option<&H>) -> Vec<(String, Bytes)> {
    let Some(headers) = headers else {
        return Vec::new();
    };
    (0..headers.count())
        .filter_map(|index| {
            let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                headers.try_get(index).map(|h| {
                    let value = h.value.map_or_else(Bytes::new, Bytes::copy_from_slice);
                    (h.key.to_owned(), value)
                })
            }));
            read.unwrap_or_else(|_| {
                tracing::warn!(index, "skipped a kafka header whose name is not utf-8");
                None
            })
        })
        .collect()
}
