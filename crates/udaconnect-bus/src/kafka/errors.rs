//! Mapping librdkafka's errors onto [`BusError`].

use rdkafka::{error::KafkaError, types::RDKafkaErrorCode};

use crate::BusError;

/// A client-level error: bad configuration, a dropped client, or the broker.
pub(crate) fn client(error: KafkaError) -> BusError {
    match error {
        KafkaError::ClientConfig(..) | KafkaError::ClientCreation(_) => BusError::InvalidArgument {
            field: "kafka options",
            message: error.to_string(),
        },
        KafkaError::Canceled => BusError::Closed,
        other => BusError::Broker(other.to_string()),
    }
}

/// An offset commit's error. The group refusing it because this member's generation is
/// gone (a rebalance, or a restarted broker that forgot the group) is
/// [`BusError::Rebalanced`]: only polling again rejoins, so retrying the commit is futile.
pub(crate) fn commit(error: KafkaError) -> BusError {
    use RDKafkaErrorCode::*;
    match error.rdkafka_error_code() {
        Some(
            UnknownMemberId | IllegalGeneration | RebalanceInProgress | FencedInstanceId
            | AssignmentLost | StaleMemberEpoch | State,
        ) => BusError::Rebalanced(error.to_string()),
        _ => client(error),
    }
}

/// An error of an operation on `topic`: unknown topics, bad names and oversized records get
/// their own kinds.
pub(crate) fn on_topic(error: KafkaError, topic: &str) -> BusError {
    match error.rdkafka_error_code() {
        Some(code) => match code_on_topic(code, topic) {
            Some(mapped) => mapped,
            None => client(error),
        },
        None => client(error),
    }
}

/// The kinds of [`on_topic`] for a bare error code (admin results, metadata); `None` for
/// the rest, which are broker errors.
pub(crate) fn code_on_topic(code: RDKafkaErrorCode, topic: &str) -> Option<BusError> {
    let invalid = |field, what: &str| BusError::InvalidArgument {
        field,
        message: format!("{what} ({code})"),
    };
    Some(match code {
        RDKafkaErrorCode::UnknownTopicOrPartition | RDKafkaErrorCode::UnknownTopic => {
            BusError::UnknownTopic(topic.to_owned())
        }
        RDKafkaErrorCode::InvalidTopic => invalid("topic", &format!("invalid topic name {topic}")),
        RDKafkaErrorCode::InvalidPartitions => invalid("partitions", "refused by the broker"),
        RDKafkaErrorCode::InvalidReplicationFactor => {
            invalid("replication_factor", "refused by the broker")
        }
        RDKafkaErrorCode::MessageSizeTooLarge | RDKafkaErrorCode::InvalidMessageSize => {
            invalid("record", "too large for the broker")
        }
        _ => return None,
    })
}

/// A bare error code on a topic, broker error when it has no kind of its own.
pub(crate) fn code(code: RDKafkaErrorCode, topic: &str) -> BusError {
    code_on_topic(code, topic).unwrap_or_else(|| BusError::Broker(format!("{topic}: {code}")))
}

/// A blocking task that panicked or was cancelled by the runtime shutting down.
pub(crate) fn join(error: tokio::task::JoinError) -> BusError {
    if error.is_cancelled() {
        BusError::Closed
    } else {
        BusError::Io(std::io::Error::other(error))
    }
}

/// An offset or partition from the broker that does not fit ours (never seen in practice).
pub(crate) fn out_of_range(what: &str, value: i64) -> BusError {
    BusError::Broker(format!("broker returned {what} {value}"))
}
