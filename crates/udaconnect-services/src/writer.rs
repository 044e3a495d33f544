use std::{
    collections::BTreeMap,
    sync::Arc,
    time::{Duration, Instant},
};

use tokio_util::sync::CancellationToken;
use udaconnect_bus::{BusError, Delivery, EventLog, Position, Record, Subscription};
use udaconnect_domain::LocationRecorded;
use udaconnect_store::{DynStore, InsertReport, StoreError};

use crate::{
    Readiness, ServiceError,
    events::{self, Topics},
    metrics as m,
};

/// Tuning of the [`LocationWriter`].
#[derive(Debug, Clone)]
pub struct WriterOptions {
    /// Consumer group; every writer replica joins the same one.
    pub group: String,
    /// Where fixes come from and poison records go.
    pub topics: Topics,
    /// Most records stored in one transaction.
    pub batch_size: usize,
    pub poll_wait: Duration,
    /// Retry delay after a transient failure doubles up to this.
    pub max_backoff: Duration,
}

impl WriterOptions {
    /// The writers' consumer group (behind the deployment's topic prefix).
    pub const GROUP: &'static str = "udaconnect-writer";

    /// Defaults, within the deployment that `topics` names.
    pub fn for_topics(topics: Topics) -> Self {
        Self {
            group: topics.group(Self::GROUP),
            topics,
            ..Self::default()
        }
    }
}

impl Default for WriterOptions {
    fn default() -> Self {
        Self {
            group: Self::GROUP.into(),
            topics: Topics::default(),
            batch_size: 2_000,
            poll_wait: udaconnect_bus::DEFAULT_POLL_WAIT,
            max_backoff: Duration::from_secs(5),
        }
    }
}

/// Consumes the locations log and stores every fix exactly once in effect: offsets are
/// committed only after the batch is durable in the store, and the store skips fixes it
/// already has (same event id), so a crash between the two only causes a harmless
/// redelivery. A record that cannot be decoded or stored goes to the dead-letter topic with
/// the reason; the writer never stops on one bad record. Transient store failures are
/// retried with exponential backoff, without committing, until they succeed or shutdown.
#[derive(Debug)]
pub struct LocationWriter {
    log: Arc<dyn EventLog>,
    store: DynStore,
    options: WriterOptions,
    readiness: Readiness,
}

/// The writer stopped because shutdown was requested in the middle of a retry.
struct Cancelled;

impl LocationWriter {
    pub fn new(
        log: Arc<dyn EventLog>,
        store: DynStore,
        options: WriterOptions,
        readiness: Readiness,
    ) -> Self {
        Self {
            log,
            store,
            options,
            readiness,
        }
    }

    /// Runs until `cancel` fires, then returns after committing what it stored.
    pub async fn run(self, cancel: CancellationToken) -> Result<(), ServiceError> {
        let mut sub = self
            .log
            .subscribe(&self.options.topics.locations, &self.options.group)
            .await?;
        self.readiness.set("writer", true);
        tracing::info!(group = %self.options.group, "writer started");
        let mut last_lag = Instant::now() - Duration::from_secs(60);
        let mut backoff = Backoff::new(self.options.max_backoff);
        loop {
            let polled = tokio::select! {
                () = cancel.cancelled() => break,
                r = sub.poll(self.options.batch_size, self.options.poll_wait) => r,
            };
            let batch = match polled {
                Ok(batch) => {
                    backoff.reset();
                    batch
                }
                Err(e) => {
                    tracing::warn!(error = %e, "polling the locations log failed");
                    if backoff.wait(&cancel).await.is_err() {
                        break;
                    }
                    continue;
                }
            };
            if !batch.is_empty() && self.process(sub.as_mut(), &batch, &cancel).await.is_err() {
                break;
            }
            if last_lag.elapsed() >= Duration::from_secs(1) || batch.is_empty() {
                self.report_lag().await;
                last_lag = Instant::now();
            }
        }
        self.report_lag().await;
        self.readiness.set("writer", false);
        tracing::info!("writer stopped");
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(records = batch.len(), traceparent = tracing::field::Empty))]
    async fn process(
        &self,
        sub: &mut dyn Subscription,
        batch: &[Delivery],
        cancel: &CancellationToken,
    ) -> Result<(), Cancelled> {
        let started = Instant::now();
        // Joins this batch to the ingest request of its first record.
        if let Some(tp) = batch.first().and_then(|d| events::traceparent(&d.record)) {
            tracing::Span::current().record("traceparent", tp.as_str());
        }
        let mut fixes = Vec::with_capacity(batch.len());
        let mut origin = Vec::with_capacity(batch.len());
        let mut dead = Vec::new();
        for d in batch {
            match events::decode_location_recorded(&d.record) {
                Ok(fix) => {
                    fixes.push(fix);
                    origin.push(d);
                }
                Err(e) => dead.push(events::dead_letter(d, &format!("decode: {e}"))),
            }
        }
        let report = self.store_all(&fixes, &origin, &mut dead, cancel).await?;
        if !dead.is_empty() {
            metrics::counter!(m::WRITER_DEAD_LETTERED).increment(dead.len() as u64);
            tracing::warn!(
                records = dead.len(),
                "sending poison records to the dead-letter topic"
            );
            let mut backoff = Backoff::new(self.options.max_backoff);
            while let Err(e) = self
                .log
                .append(&self.options.topics.locations_dlq, dead.clone())
                .await
            {
                tracing::warn!(error = %e, "dead-letter append failed, retrying");
                backoff.wait(cancel).await?;
            }
        }
        let processed = last_positions(batch);
        let mut backoff = Backoff::new(self.options.max_backoff);
        loop {
            match sub.commit(&processed).await {
                Ok(()) => break,
                // The group moved on (a rebalance, a restarted broker): only the next poll
                // rejoins it. The batch is stored; its records come again and are skipped
                // by the store as duplicates.
                Err(e @ BusError::Rebalanced(_)) => {
                    metrics::counter!(m::WRITER_COMMITS_REFUSED).increment(1);
                    tracing::info!(error = %e, "offset commit refused; rejoining the group");
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "offset commit failed, retrying");
                    backoff.wait(cancel).await?;
                }
            }
        }
        metrics::counter!(m::WRITER_STORED).increment(report.inserted);
        metrics::counter!(m::WRITER_DUPLICATES).increment(report.skipped);
        metrics::histogram!(m::WRITER_BATCH_SECONDS).record(started.elapsed().as_secs_f64());
        Ok(())
    }

    /// Stores the batch in one transaction; if a record in it can never be stored, isolates
    /// it by storing the others one by one and dead-letters it.
    async fn store_all(
        &self,
        fixes: &[LocationRecorded],
        origin: &[&Delivery],
        dead: &mut Vec<Record>,
        cancel: &CancellationToken,
    ) -> Result<InsertReport, Cancelled> {
        if fixes.is_empty() {
            return Ok(InsertReport::default());
        }
        match self.insert(fixes, cancel).await? {
            Ok(report) => Ok(report),
            Err(e) => {
                tracing::warn!(error = %e, "batch cannot be stored, isolating poison records");
                let mut total = InsertReport::default();
                for (fix, d) in fixes.iter().zip(origin) {
                    match self.insert(std::slice::from_ref(fix), cancel).await? {
                        Ok(r) => total += r,
                        Err(e) => dead.push(events::dead_letter(d, &format!("store: {e}"))),
                    }
                }
                Ok(total)
            }
        }
    }

    /// Inserts, retrying transient failures; returns the permanent failure, if any.
    async fn insert(
        &self,
        fixes: &[LocationRecorded],
        cancel: &CancellationToken,
    ) -> Result<Result<InsertReport, StoreError>, Cancelled> {
        let mut backoff = Backoff::new(self.options.max_backoff);
        loop {
            match self.store.insert_locations(fixes).await {
                Ok(r) => {
                    self.readiness.set("store", true);
                    return Ok(Ok(r));
                }
                Err(e @ (StoreError::Database(_) | StoreError::Closed)) => {
                    self.readiness.set("store", false);
                    metrics::counter!(m::WRITER_RETRIES).increment(1);
                    tracing::warn!(error = %e, "storing fixes failed, retrying");
                    backoff.wait(cancel).await?;
                }
                Err(permanent) => return Ok(Err(permanent)),
            }
        }
    }

    async fn report_lag(&self) {
        match udaconnect_bus::group_lag(
            &*self.log,
            &self.options.topics.locations,
            &self.options.group,
        )
        .await
        {
            Ok(lag) => metrics::gauge!(
                m::EVENT_LOG_LAG,
                "topic" => self.options.topics.locations.clone(),
                "group" => self.options.group.clone()
            )
            .set(lag as f64),
            Err(e) => tracing::debug!(error = %e, "lag unavailable"),
        }
    }
}

/// The last position of each partition in `batch`.
fn last_positions(batch: &[Delivery]) -> Vec<Position> {
    let mut last = BTreeMap::new();
    for d in batch {
        let e = last
            .entry(d.position.partition)
            .or_insert(d.position.offset);
        *e = (*e).max(d.position.offset);
    }
    last.into_iter()
        .map(|(partition, offset)| Position { partition, offset })
        .collect()
}

/// Exponential backoff from 50 ms, interrupted by shutdown.
struct Backoff {
    next: Duration,
    max: Duration,
}

impl Backoff {
    const START: Duration = Duration::from_millis(50);

    fn new(max: Duration) -> Self {
        Self {
            next: Self::START,
            max,
        }
    }

    fn reset(&mut self) {
        self.next = Self::START;
    }

    async fn wait(&mut self, cancel: &CancellationToken) -> Result<(), Cancelled> {
        let delay = self.next;
        self.next = (self.next * 2).min(self.max);
        tokio::select! {
            () = cancel.cancelled() => Err(Cancelled),
            () = tokio::time::sleep(delay) => Ok(()),
        }
    }
}
