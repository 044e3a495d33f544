//! The writer thread and its handle. Appends queue on a channel; the thread takes everything
//! queued (group commit), writes it, syncs each touched segment once, publishes the records
//! to readers, then acknowledges every request of the batch. While it syncs, new requests
//! queue up and form the next batch, so throughput grows with concurrency.
//!
//! After an I/O error while writing, the writer refuses all further appends: whether the
//! failed writes reached the disk is unknown (fsync errors are not retryable on Linux), and
//! reopening the log recovers a consistent state.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, mpsc},
    thread::JoinHandle,
    time::{Duration, Instant},
};

use tokio::sync::oneshot;

use super::{Topics, batch::Batch, topic::Topic};
use crate::{BusError, Position, Record};

/// Queued bytes that close a batch early (a batch always takes at least one request).
const MAX_BATCH_BYTES: usize = 16 << 20;

pub(crate) type Reply = oneshot::Sender<Result<Vec<Position>, BusError>>;

pub(crate) struct AppendRequest {
    pub(crate) topic: Arc<Topic>,
    pub(crate) records: Vec<Record>,
    pub(crate) partitions: Vec<u32>,
    pub(crate) bytes: usize,
    pub(crate) reply: Reply,
}

pub(crate) enum Command {
    Append(AppendRequest),
    /// Re-check retention of a topic (after a commit).
    Retention(Arc<Topic>),
}

/// What the writer thread needs besides its queue.
#[derive(Debug, Clone)]
pub(crate) struct WriterConfig {
    pub(crate) topics: Topics,
    pub(crate) segment_bytes: u64,
    pub(crate) max_age: Option<Duration>,
    pub(crate) exempt: Vec<String>,
    pub(crate) retention_interval: Duration,
}

/// Owns the writer thread; dropping it lets the thread finish the queue and joins it.
#[derive(Debug)]
pub(crate) struct WriterHandle {
    tx: Mutex<Option<mpsc::Sender<Command>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl WriterHandle {
    pub(crate) fn spawn(config: WriterConfig) -> std::io::Result<WriterHandle> {
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("udaconnect-bus-writer".into())
            .spawn(move || run(config, rx))?;
        Ok(WriterHandle {
            tx: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
        })
    }

    pub(crate) fn send(&self, command: Command) -> Result<(), BusError> {
        let tx = self.tx.lock().unwrap_or_else(|e| e.into_inner());
        let tx = tx.as_ref().ok_or(BusError::Closed)?;
        tx.send(command).map_err(|_| BusError::Closed)
    }

    /// Closes the queue and returns the thread to join once it has drained it.
    pub(crate) fn stop(&self) -> Option<JoinHandle<()>> {
        self.tx.lock().unwrap_or_else(|e| e.into_inner()).take();
        self.thread.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

impl Drop for WriterHandle {
    fn drop(&mut self) {
        if let Some(thread) = self.stop()
            && thread.join().is_err()
        {
            tracing::error!("event log writer thread panicked");
        }
    }
}

fn run(config: WriterConfig, rx: mpsc::Receiver<Command>) {
    let mut failed: Option<String> = None;
    let mut last_retention = Instant::now();
    loop {
        let first = match rx.recv_timeout(config.retention_interval) {
            Ok(command) => Some(command),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let mut appends = Vec::new();
        let mut retention: HashMap<String, Arc<Topic>> = HashMap::new();
        let mut bytes = 0;
        let mut next = first;
        while let Some(command) = next {
            match command {
                Command::Append(request) => {
                    bytes += request.bytes;
                    appends.push(request);
                }
                Command::Retention(topic) => {
                    retention.insert(topic.name.clone(), topic);
                }
            }
            next = if bytes < MAX_BATCH_BYTES {
                rx.try_recv().ok()
            } else {
                None
            };
        }
        if !appends.is_empty() {
            let batch = Batch::new(appends);
            if let Some(reason) = failed.clone() {
                batch.fail(&BusError::Io(std::io::Error::other(reason)));
            } else {
                for topic in batch.write(config.segment_bytes, &mut failed) {
                    retention.insert(topic.name.clone(), topic);
                }
            }
        }
        if config.max_age.is_some() && last_retention.elapsed() >= config.retention_interval {
            last_retention = Instant::now();
            let topics = config.topics.read().unwrap_or_else(|e| e.into_inner());
            retention.extend(topics.iter().map(|(n, t)| (n.clone(), t.clone())));
        }
        for topic in retention.values() {
            let max_age = config
                .max_age
                .filter(|_| !config.exempt.iter().any(|t| *t == topic.name));
            super::retention::apply(topic, max_age);
        }
    }
    trim_all(&config.topics);
    tracing::debug!("event log writer stopped");
}

/// Cuts the preallocated zeros off every active segment.
fn trim_all(topics: &Topics) {
    let topics = topics.read().unwrap_or_else(|e| e.into_inner());
    for topic in topics.values() {
        for partition in &topic.partitions {
            if let Err(e) = partition.trim() {
                let (topic, partition) = (&topic.name, partition.id);
                tracing::warn!(error = %e, %topic, partition, "trimming a segment failed");
            }
        }
    }
}
