//! Retention: fixes (and so contacts, which are computed from fixes) older than the
//! configured age are deleted from the store and dropped from the read model, at start-up and
//! then periodically. The event log's own retention (`retention.ms` on Kafka, the age limit
//! of the embedded log) is configured to the same age by the server.

use std::{sync::Arc, time::Duration};

use tokio_util::sync::CancellationToken;
use udaconnect_domain::Timestamp;
use udaconnect_store::DynStore;

use crate::{ReadModel, metrics as m};

/// Fixes deleted per store transaction.
pub const PURGE_BATCH: u32 = 10_000;

/// What retention purges, and how often.
#[derive(Debug, Clone)]
pub struct RetentionWorker {
    /// Keep fixes taken at most this long ago.
    pub keep: Duration,
    /// Time between purges.
    pub interval: Duration,
    /// The store to purge (the writer target's process does it).
    pub store: Option<DynStore>,
    /// The read model to purge (the connections target's process).
    pub model: Option<Arc<ReadModel>>,
}

impl RetentionWorker {
    /// The cutoff now: fixes taken before it are expired.
    pub fn cutoff(&self) -> Timestamp {
        let keep = chrono::Duration::from_std(self.keep).unwrap_or(chrono::Duration::MAX);
        chrono::Utc::now()
            .checked_sub_signed(keep)
            .unwrap_or(Timestamp::MIN_UTC)
    }

    /// Purges once.
    pub async fn purge(&self) {
        let cutoff = self.cutoff();
        if let Some(store) = &self.store {
            match udaconnect_store::purge_all_before(&**store, cutoff, PURGE_BATCH).await {
                Ok(n) => {
                    metrics::counter!(m::RETENTION_PURGED, "from" => "store").increment(n);
                    if n > 0 {
                        tracing::info!(fixes = n, %cutoff, "retention deleted expired fixes from the store");
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "retention: purging the store failed; next round retries")
                }
            }
        }
        if let Some(model) = &self.model {
            let model = model.clone();
            match tokio::task::spawn_blocking(move || model.purge_before(cutoff)).await {
                Ok(n) => {
                    metrics::counter!(m::RETENTION_PURGED, "from" => "read_model")
                        .increment(n as u64);
                    if n > 0 {
                        tracing::info!(fixes = n, %cutoff, "retention dropped expired fixes from the read model");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "retention: purging the read model failed"),
            }
        }
    }

    /// Purges now, then every `interval`, until `stop`.
    pub async fn run(self, stop: CancellationToken) -> Result<(), crate::ServiceError> {
        tracing::info!(
            keep_s = self.keep.as_secs(),
            interval_s = self.interval.as_secs(),
            "retention started"
        );
        loop {
            self.purge().await;
            tokio::select! {
                () = stop.cancelled() => return Ok(()),
                () = tokio::time::sleep(self.interval) => {}
            }
        }
    }
}
