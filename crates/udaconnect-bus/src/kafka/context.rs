//! librdkafka callbacks: its logs go to `tracing`, and a subscription tracks its assignment
//! from the rebalance callbacks (so that `assignment()` never waits on librdkafka's thread).

use std::{
    collections::BTreeMap,
    sync::{Mutex, MutexGuard},
};

use rdkafka::{
    ClientContext,
    config::RDKafkaLogLevel,
    consumer::{BaseConsumer, ConsumerContext, Rebalance},
    error::KafkaError,
    types::RDKafkaErrorCode,
};

/// Forwards librdkafka's logs and errors to `tracing`.
#[derive(Debug, Default)]
pub(crate) struct LogContext;

impl ClientContext for LogContext {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        log(level, fac, log_message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        error_event(&error, reason);
    }
}

/// The metadata client and the offset fetcher join no group: librdkafka's default
/// rebalance handling never runs.
impl ConsumerContext for LogContext {}

fn log(level: RDKafkaLogLevel, facility: &str, message: &str) {
    use RDKafkaLogLevel::*;
    match level {
        Emerg | Alert | Critical | Error => tracing::error!(facility, message, "librdkafka"),
        Warning => tracing::warn!(facility, message, "librdkafka"),
        Notice => tracing::info!(facility, message, "librdkafka"),
        Info | Debug => tracing::debug!(facility, message, "librdkafka"),
    }
}

/// librdkafka reports connection trouble as error events and recovers by itself. The end
/// of a partition (asked for by the end-offset probe, see `tail`) is no trouble at all.
fn error_event(error: &KafkaError, reason: &str) {
    if error.rdkafka_error_code() == Some(RDKafkaErrorCode::PartitionEOF) {
        tracing::trace!(%error, reason, "kafka end of partition");
        return;
    }
    tracing::warn!(%error, reason, "kafka client error");
}

/// State of one subscription shared with its consumer's callbacks.
#[derive(Debug, Default)]
pub(crate) struct SubscriptionContext {
    /// Partition → highest next-offset committed by this member while it owns the partition;
    /// the keys are the current assignment.
    owned: Mutex<BTreeMap<u32, Option<u64>>>,
}

impl SubscriptionContext {
    pub(crate) fn owned(&self) -> MutexGuard<'_, BTreeMap<u32, Option<u64>>> {
        self.owned.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl ClientContext for SubscriptionContext {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        log(level, fac, log_message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        error_event(&error, reason);
    }
}

impl ConsumerContext for SubscriptionContext {
    /// Runs in the thread that polls (inside `poll`), after librdkafka applied the change.
    /// Eager rebalances revoke everything then assign the new set; cooperative ones add and
    /// remove partitions: both are handled as add/remove.
    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        let mut owned = self.owned();
        match rebalance {
            Rebalance::Assign(list) => {
                for element in list.elements() {
                    if let Ok(p) = u32::try_from(element.partition()) {
                        owned.entry(p).or_insert(None);
                    }
                }
            }
            Rebalance::Revoke(list) => {
                for element in list.elements() {
                    if let Ok(p) = u32::try_from(element.partition()) {
                        owned.remove(&p);
                    }
                }
            }
            Rebalance::Error(error) => tracing::warn!(%error, "kafka rebalance failed"),
        }
        let partitions: Vec<u32> = owned.keys().copied().collect();
        tracing::debug!(?partitions, "kafka assignment changed");
    }
}
