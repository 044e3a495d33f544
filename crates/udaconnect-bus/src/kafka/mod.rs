//! The Kafka adapter: [`EventLog`](crate::EventLog) over any Kafka-protocol broker (Apache
//! Kafka, Redpanda, tansu), through librdkafka (`rdkafka`, bundled).
//!
//! - `append`: one idempotent producer per log (`acks=all`, `enable.idempotence`, 5 ms
//!   linger so that concurrent appends share batches). Records are enqueued in input order,
//!   then every delivery is awaited; positions come back in input order. Partition: murmur2
//!   of the key (the Java client's choice), so a key keeps its partition and its order.
//! - `subscribe`: one `StreamConsumer` per subscription (see `subscription`), explicit
//!   commits, `auto.offset.reset=earliest`.
//! - `ensure_topic`: the admin API; "already exists" is success; returns once metadata shows
//!   the topic. `append` and `subscribe` create a missing topic with
//!   [`KafkaOptions::default_partitions`], as the embedded log does.
//! - `end_offsets` / `committed_offsets`: high watermarks, checked by reading the partitions'
//!   tails (see `tail`: tansu reports them wrong), and an offset fetch through a short-lived
//!   consumer of the group that never joins it.
//!
//! librdkafka's blocking calls (metadata, watermarks, commits, closing a consumer) run on
//! tokio's blocking pool, never on the async workers. [`KafkaLog::connect`] contacts no
//! broker: an unreachable broker shows as [`BusError::Broker`] on the first operation.

mod admin;
mod context;
mod errors;
mod log;
mod message;
mod offsets;
mod options;
mod produce;
mod subscription;
mod tail;

#[cfg(test)]
mod tests;

use std::{
    collections::HashSet,
    fmt,
    sync::{Arc, Mutex, atomic::AtomicBool},
};

use rdkafka::{admin::AdminClient, consumer::BaseConsumer, producer::FutureProducer};

pub use options::KafkaOptions;

use crate::BusError;
use context::LogContext;

/// Most partitions a topic may have (as for the embedded log).
pub(crate) const MAX_PARTITIONS: u32 = 10_000;

/// The Kafka adapter. Open it with [`KafkaLog::connect`]; use it through
/// [`EventLog`](crate::EventLog); call [`KafkaLog::close`] at shutdown.
pub struct KafkaLog {
    options: KafkaOptions,
    /// `None` only while being dropped.
    clients: Option<Arc<Clients>>,
    /// Topics known to exist (created or seen), so `append` checks a topic once.
    known: Mutex<HashSet<String>>,
    closed: AtomicBool,
}

/// The long-lived librdkafka clients of one log.
pub(crate) struct Clients {
    /// Replaced by a fresh producer when deliveries stall (see `produce`); with its
    /// generation, so that concurrent appends replace a stalled producer once.
    producer: Mutex<(u64, FutureProducer<LogContext>)>,
    admin: AdminClient<LogContext>,
    /// Group-less consumer for metadata and watermarks.
    meta: BaseConsumer<LogContext>,
    /// Reads partition tails to check end offsets (see `tail`); one user at a time.
    tail: Mutex<BaseConsumer<LogContext>>,
}

impl KafkaLog {
    /// Creates the clients (producer, admin, metadata). Fails with
    /// [`BusError::InvalidArgument`] on bad options or librdkafka properties; does not wait
    /// for a broker.
    pub fn connect(options: KafkaOptions) -> Result<Arc<KafkaLog>, BusError> {
        options.validate()?;
        let clients = Clients {
            producer: Mutex::new((
                0,
                options
                    .producer()
                    .create_with_context(LogContext)
                    .map_err(errors::client)?,
            )),
            admin: options
                .plain()
                .create_with_context(LogContext)
                .map_err(errors::client)?,
            meta: options
                .plain()
                .create_with_context(LogContext)
                .map_err(errors::client)?,
            tail: Mutex::new(
                options
                    .tail_probe()
                    .create_with_context(LogContext)
                    .map_err(errors::client)?,
            ),
        };
        tracing::info!(brokers = %options.brokers, "kafka event log configured");
        Ok(Arc::new(KafkaLog {
            options,
            clients: Some(Arc::new(clients)),
            known: Mutex::new(HashSet::new()),
            closed: AtomicBool::new(false),
        }))
    }

    /// Stops accepting appends and waits (up to three request timeouts) until every record
    /// already appended is delivered. Subscriptions are closed by dropping them.
    pub async fn close(&self) -> Result<(), BusError> {
        use rdkafka::producer::Producer;
        self.closed.store(true, std::sync::atomic::Ordering::SeqCst);
        let clients = self.clients()?;
        let timeout = self.options.request_timeout * 3;
        let producer = clients.producer().1;
        tokio::task::spawn_blocking(move || producer.flush(timeout))
            .await
            .map_err(errors::join)?
            .map_err(errors::client)
    }

    pub(crate) fn clients(&self) -> Result<Arc<Clients>, BusError> {
        self.clients.clone().ok_or(BusError::Closed)
    }

    /// Replaces the producer of `generation` by a fresh one (unless another append did
    /// already). The old one is dropped with whatever it still held: those appends have
    /// failed (their callers were told so), at-least-once as for any failed append.
    pub(crate) fn reset_producer(&self, clients: &Clients, generation: u64) {
        let mut current = clients.producer.lock().unwrap_or_else(|e| e.into_inner());
        if current.0 != generation {
            return;
        }
        match self.options.producer().create_with_context(LogContext) {
            Ok(fresh) => {
                let old = std::mem::replace(&mut *current, (generation + 1, fresh));
                tracing::warn!(
                    generation = generation + 1,
                    "kafka producer replaced after stalled deliveries"
                );
                drop_blocking(old);
            }
            Err(e) => tracing::error!(error = %e, "creating a fresh kafka producer failed"),
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Clients {
    /// The current producer and its generation.
    pub(crate) fn producer(&self) -> (u64, FutureProducer<LogContext>) {
        self.producer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl fmt::Debug for KafkaLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KafkaLog")
            .field("brokers", &self.options.brokers)
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}

impl Drop for KafkaLog {
    /// Destroying librdkafka clients joins their threads: off the async workers.
    fn drop(&mut self) {
        drop_blocking(self.clients.take());
    }
}

/// Drops `value` on tokio's blocking pool when inside a runtime, here otherwise.
pub(crate) fn drop_blocking<T: Send + 'static>(value: T) {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => {
            handle.spawn_blocking(move || drop(value));
        }
        Err(_) => drop(value),
    }
}
