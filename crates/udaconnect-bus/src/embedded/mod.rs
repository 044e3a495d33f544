//! The embedded event log: durable, on local disk, in-process — the default when UdaConnect
//! runs as one binary.
//!
//! Layout under the directory given to [`EmbeddedLog::open`]:
//!
//! ```text
//! LOCK                                  exclusive lock (flock) while open
//! topics/<topic>/topic.json             partition count
//! topics/<topic>/<partition>/<base>.log segments, named by their first offset (20 digits)
//! topics/<topic>/groups/<group>.json    committed offsets, replaced atomically
//! tmp/                                  topics being created
//! ```
//!
//! Appends are durable on return (`fdatasync`, group commit on a dedicated writer thread);
//! see `writer`. Records are framed with length and CRC32; opening checks every segment and
//! truncates a torn tail (see `recovery`). Partition = FNV-1a of the key modulo the partition
//! count; empty keys go round-robin. Segments roll at
//! [`EmbeddedOptions::segment_bytes`]; retention is described in `retention`. Consumer groups
//! live in the process (see `group`).

mod append;
mod batch;
mod frame;
mod fsutil;
mod group;
mod log;
mod offsets;
mod options;
mod partition;
mod read;
mod recovery;
mod retention;
mod segment;
mod subscription;
mod topic;
mod writer;

#[cfg(test)]
mod tests;

use std::{
    collections::HashMap,
    fmt,
    fs::File,
    path::{Path, PathBuf},
    sync::{Arc, RwLock},
};

use tokio_util::sync::CancellationToken;

pub use options::EmbeddedOptions;

use crate::BusError;
use topic::Topic;
use writer::{WriterConfig, WriterHandle};

/// Most partitions a topic may have.
pub(crate) const MAX_PARTITIONS: u32 = 10_000;

pub(crate) type Topics = Arc<RwLock<HashMap<String, Arc<Topic>>>>;

/// The durable embedded log. Open it with [`EmbeddedLog::open`]; use it through
/// [`EventLog`](crate::EventLog).
pub struct EmbeddedLog {
    dir: PathBuf,
    options: EmbeddedOptions,
    topics: Topics,
    shared: Arc<Shared>,
    /// Serialises topic creation.
    create: tokio::sync::Mutex<()>,
}

/// What the log and its subscriptions share. The directory lock is released when the last
/// of them is dropped, after the writer thread has drained its queue.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) writer: WriterHandle,
    pub(crate) closed: CancellationToken,
    _lock: File,
}

impl EmbeddedLog {
    /// Opens (creating if needed) the log in `dir`: takes the directory lock, checks and
    /// recovers every topic, and starts the writer thread. Blocking (it reads every segment);
    /// call it at start-up or from `spawn_blocking`. Fails with [`BusError::Io`] (kind
    /// `ResourceBusy`) if the directory is already open, in this process or another, and with
    /// [`BusError::Corrupt`] if a segment is damaged anywhere but at its torn tail.
    pub fn open(dir: &Path, options: EmbeddedOptions) -> Result<Arc<EmbeddedLog>, BusError> {
        options.validate()?;
        std::fs::create_dir_all(dir)?;
        let lock = fsutil::lock_dir(dir)?;
        let tmp = dir.join("tmp");
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp)?;
        }
        let topics_dir = dir.join("topics");
        std::fs::create_dir_all(&topics_dir)?;
        let mut topics = HashMap::new();
        for entry in std::fs::read_dir(&topics_dir)? {
            let entry = entry?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if fsutil::validate_name("topic", &name).is_err() || !entry.file_type()?.is_dir() {
                continue;
            }
            let topic = Topic::open(&entry.path(), &name)?;
            topics.insert(name, Arc::new(topic));
        }
        tracing::info!(dir = %dir.display(), topics = topics.len(), "opened event log");
        let topics: Topics = Arc::new(RwLock::new(topics));
        let writer = WriterHandle::spawn(WriterConfig {
            topics: topics.clone(),
            segment_bytes: options.segment_bytes,
            max_age: options.retention_max_age,
            exempt: options.retention_exempt_topics.clone(),
            retention_interval: options.retention_check_interval,
        })?;
        let shared = Arc::new(Shared {
            writer,
            closed: CancellationToken::new(),
            _lock: lock,
        });
        Ok(Arc::new(EmbeddedLog {
            dir: dir.to_owned(),
            options,
            topics,
            shared,
            create: tokio::sync::Mutex::new(()),
        }))
    }

    /// Shuts down cleanly: refuses new appends and polls ([`BusError::Closed`]), waits until
    /// every append already queued is durable and acknowledged, and stops the writer thread.
    /// Idempotent. The directory lock is released when the log and its subscriptions are
    /// dropped. Dropping without `close` loses nothing acknowledged either.
    pub async fn close(&self) -> Result<(), BusError> {
        self.shared.closed.cancel();
        if let Some(thread) = self.shared.writer.stop() {
            tokio::task::spawn_blocking(move || thread.join())
                .await
                .map_err(std::io::Error::other)?
                .map_err(|_| std::io::Error::other("event log writer thread panicked"))?;
            tracing::info!(dir = %self.dir.display(), "closed event log");
        }
        Ok(())
    }

    /// The directory this log lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn topic(&self, name: &str) -> Option<Arc<Topic>> {
        let topics = self.topics.read().unwrap_or_else(|e| e.into_inner());
        topics.get(name).cloned()
    }
}

impl fmt::Debug for EmbeddedLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmbeddedLog")
            .field("dir", &self.dir)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}
