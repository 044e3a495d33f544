use std::{
    collections::BTreeMap,
    sync::Arc,
    time::{Duration, Instant},
};

use futures::{StreamExt, stream::FuturesOrdered};
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
    /// Batches being stored at once, each in its own transaction on its own connection,
    /// while the next one is polled and decoded. 1 stores one batch at a time.
    pub max_in_flight: usize,
    /// Offsets are committed at most this often (and whenever the writer runs dry): a
    /// commit is a broker round trip, and a crash only causes redeliveries that the store
    /// skips.
    pub commit_interval: Duration,
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
            batch_size: 10_000,
            poll_wait: udaconnect_bus::DEFAULT_POLL_WAIT,
            max_backoff: Duration::from_secs(5),
            max_in_flight: 3,
            commit_interval: Duration::from_millis(200),
        }
    }
}

/// Consumes the locations log and stores every fix exactly once in effect: offsets are
/// committed only after the batch is durable in the store, and the store skips fixes it
/// already has (same event id), so a crash between the two only causes a harmless
/// redelivery. A record that cannot be decoded or stored goes to the dead-letter topic with
/// the reason; the writer never stops on one bad record. Transient store failures are
/// retried with exponential backoff, without committing, until they succeed or shutdown.
///
/// It is a pipeline: up to [`WriterOptions::max_in_flight`] batches are decoded and stored
/// concurrently (each on its own task, transaction and connection) while the next batch is
/// polled. Batches complete in the order they were polled, and offsets are committed only
/// up to the last batch of an unbroken prefix of stored batches, so a commit never covers a
/// batch that is not stored yet.
#[derive(Debug)]
pub struct LocationWriter {
    log: Arc<dyn EventLog>,
    options: WriterOptions,
    readiness: Readiness,
    storer: Arc<BatchStorer>,
}

/// Stores one polled batch: what runs on a pipeline task.
#[derive(Debug)]
struct BatchStorer {
    log: Arc<dyn EventLog>,
    store: DynStore,
    dead_letter_topic: String,
    max_backoff: Duration,
    readiness: Readiness,
}

/// A batch that is durable in the store (or dead-lettered, record by record).
struct Stored {
    positions: Vec<Position>,
    report: InsertReport,
    started: Instant,
}

/// The writer stopped because shutdown was requested in the middle of a retry.
struct Cancelled;

/// Offsets of stored batches not committed yet: partition → highest processed offset.
#[derive(Default)]
struct Uncommitted(BTreeMap<u32, u64>);

impl Uncommitted {
    fn add(&mut self, positions: impl IntoIterator<Item = Position>) {
        for p in positions {
            let e = self.0.entry(p.partition).or_insert(p.offset);
            *e = (*e).max(p.offset);
        }
    }

    fn positions(&self) -> Vec<Position> {
        self.0
            .iter()
            .map(|(&partition, &offset)| Position { partition, offset })
            .collect()
    }
}

impl LocationWriter {
    pub fn new(
        log: Arc<dyn EventLog>,
        store: DynStore,
        options: WriterOptions,
        readiness: Readiness,
    ) -> Self {
        let storer = Arc::new(BatchStorer {
            log: log.clone(),
            store,
            dead_letter_topic: options.topics.locations_dlq.clone(),
            max_backoff: options.max_backoff,
            readiness: readiness.clone(),
        });
        Self {
            log,
            options,
            readiness,
            storer,
        }
    }

    /// Runs until `cancel` fires, then returns after the batches in flight are stored (or
    /// gave up retrying) and what was stored is committed.
    pub async fn run(self, cancel: CancellationToken) -> Result<(), ServiceError> {
        let mut sub = self
            .log
            .subscribe(&self.options.topics.locations, &self.options.group)
            .await?;
        self.readiness.set("writer", true);
        tracing::info!(
            group = %self.options.group,
            in_flight = self.options.max_in_flight,
            "writer started"
        );
        let max_in_flight = self.options.max_in_flight.max(1);
        let mut in_flight = FuturesOrdered::new();
        let mut uncommitted = Uncommitted::default();
        let mut last_commit = Instant::now();
        let mut last_lag = Instant::now() - Duration::from_secs(60);
        let mut backoff = Backoff::new(self.options.max_backoff);
        loop {
            let can_poll = in_flight.len() < max_in_flight;
            tokio::select! {
                biased;
                () = cancel.cancelled() => break,
                Some(joined) = in_flight.next(), if !in_flight.is_empty() => {
                    match joined {
                        Ok(Ok(stored)) => record(&stored, &mut uncommitted),
                        Ok(Err(Cancelled)) => break,
                        Err(e) => {
                            // A panic while storing: nothing after it may be committed.
                            tracing::error!(error = %e, "storing a batch panicked; stopping");
                            break;
                        }
                    }
                    if in_flight.is_empty() || last_commit.elapsed() >= self.options.commit_interval {
                        self.commit(sub.as_mut(), &mut uncommitted).await;
                        last_commit = Instant::now();
                    }
                }
                polled = sub.poll(self.options.batch_size, self.options.poll_wait), if can_poll => {
                    match polled {
                        Ok(batch) if batch.is_empty() => {
                            backoff.reset();
                            if in_flight.is_empty() {
                                self.commit(sub.as_mut(), &mut uncommitted).await;
                                last_commit = Instant::now();
                            }
                        }
                        Ok(batch) => {
                            backoff.reset();
                            let storer = self.storer.clone();
                            let cancel = cancel.clone();
                            in_flight.push_back(tokio::spawn(
                                async move { storer.store(batch, &cancel).await },
                            ));
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "polling the locations log failed");
                            if backoff.wait(&cancel).await.is_err() {
                                break;
                            }
                        }
                    }
                }
            }
            if last_lag.elapsed() >= Duration::from_secs(1) {
                self.report_lag().await;
                last_lag = Instant::now();
            }
        }
        // Shutdown: batches in flight finish storing (their retries stop at `cancel`); what
        // is stored, up to the first batch that is not, is committed.
        while let Some(joined) = in_flight.next().await {
            match joined {
                Ok(Ok(stored)) => record(&stored, &mut uncommitted),
                _ => break,
            }
        }
        self.commit(sub.as_mut(), &mut uncommitted).await;
        self.report_lag().await;
        self.readiness.set("writer", false);
        tracing::info!("writer stopped");
        Ok(())
    }

    /// Commits what is stored. A failure keeps the offsets for the next commit (the
    /// pipeline goes on meanwhile); a refusal because the group moved on drops them, as
    /// only the next poll rejoins the group: their records come again and the store skips
    /// them as duplicates.
    async fn commit(&self, sub: &mut dyn Subscription, uncommitted: &mut Uncommitted) {
        if uncommitted.0.is_empty() {
            return;
        }
        match sub.commit(&uncommitted.positions()).await {
            Ok(()) => uncommitted.0.clear(),
            Err(e @ BusError::Rebalanced(_)) => {
                metrics::counter!(m::WRITER_COMMITS_REFUSED).increment(1);
                tracing::info!(error = %e, "offset commit refused; rejoining the group");
                uncommitted.0.clear();
            }
            Err(e) => {
                tracing::warn!(error = %e, "offset commit failed; retrying with the next one")
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

/// Counts a stored batch and queues its offsets for the next commit.
fn record(stored: &Stored, uncommitted: &mut Uncommitted) {
    uncommitted.add(stored.positions.iter().copied());
    metrics::counter!(m::WRITER_STORED).increment(stored.report.inserted);
    metrics::counter!(m::WRITER_DUPLICATES).increment(stored.report.skipped);
    metrics::histogram!(m::WRITER_BATCH_SECONDS).record(stored.started.elapsed().as_secs_f64());
}

impl BatchStorer {
    /// Decodes and stores `batch`; poison records go to the dead-letter topic.
    #[tracing::instrument(skip_all, fields(records = batch.len(), traceparent = tracing::field::Empty))]
    async fn store(
        self: Arc<Self>,
        batch: Vec<Delivery>,
        cancel: &CancellationToken,
    ) -> Result<Stored, Cancelled> {
        let started = Instant::now();
        // Joins this batch to the ingest request of its first record.
        if let Some(tp) = batch.first().and_then(|d| events::traceparent(&d.record)) {
            tracing::Span::current().record("traceparent", tp.as_str());
        }
        let mut fixes = Vec::with_capacity(batch.len());
        let mut origin = Vec::with_capacity(batch.len());
        let mut dead = Vec::new();
        for d in &batch {
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
            let mut backoff = Backoff::new(self.max_backoff);
            while let Err(e) = self.log.append(&self.dead_letter_topic, dead.clone()).await {
                tracing::warn!(error = %e, "dead-letter append failed, retrying");
                backoff.wait(cancel).await?;
            }
        }
        Ok(Stored {
            positions: last_positions(&batch),
            report,
            started,
        })
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
        let mut backoff = Backoff::new(self.max_backoff);
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
}

/// The last position of each partition in `batch`.
fn last_positions(batch: &[Delivery]) -> Vec<Position> {
    let mut last = Uncommitted::default();
    last.add(batch.iter().map(|d| d.position));
    last.positions()
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
