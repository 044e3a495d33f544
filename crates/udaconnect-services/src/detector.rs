//! The `detector` target: consumes the locations topic (consumer group
//! `udaconnect-detector`), runs a [`ContactDetector`] and appends a [`ContactEpisode`] to the
//! contacts topic when an episode starts and when it ends (see
//! `udaconnect_proximity::detect` for the episode rules).
//!
//! Delivery: events are appended before the consumed offsets are committed, so a crash
//! causes redelivery, not loss; a replayed `started` carries the same `episode_id` and
//! `event-id` header, so consumers can drop duplicates. The worker is a two-stage pipeline:
//! while one batch's events are being appended (a broker round trip), the next batch is
//! polled and matched; appends go one at a time in batch order, and offsets are committed
//! at most every 200 ms, never past a batch whose events are not appended. The detector's state (recent fixes,
//! open episodes) lives in memory: after a restart, meetings that were ongoing are reported
//! as new episodes. Episodes end on *fix time*: once fixes newer than the last meeting plus
//! the gap (and the allowed lateness) have arrived.
//!
//! Privacy: the worker reads the erasures topic first and keeps following it. An erased
//! person's retained fixes and open episodes are dropped without an `ended` event, and their
//! fixes read later (a replay, fixes in flight) are skipped. With a retention, fixes taken
//! longer ago than it are skipped too: no new episode about expired data.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::Arc,
    time::{Duration, Instant},
};

use tokio_util::sync::CancellationToken;
use udaconnect_bus::{EventLog, Position};
use udaconnect_domain::{ContactEpisode, EpisodeKind, PersonId, Timestamp};
use udaconnect_proximity::{
    Fix,
    detect::{ContactDetector, ContactEvent, ContactEventKind, DetectorConfig},
};

use crate::{Readiness, ServiceError, events, metrics as m};

/// Runs the detector; see the [module docs](self).
#[derive(Debug)]
pub struct DetectorWorker {
    log: Arc<dyn EventLog>,
    topics: events::Topics,
    config: DetectorConfig,
    readiness: Readiness,
    retention: Option<Duration>,
}

impl DetectorWorker {
    pub const GROUP: &'static str = "udaconnect-detector";

    pub fn new(
        log: Arc<dyn EventLog>,
        topics: events::Topics,
        config: DetectorConfig,
        readiness: Readiness,
    ) -> Self {
        Self {
            log,
            topics,
            config,
            readiness,
            retention: None,
        }
    }

    /// Skips fixes taken longer than `retention` ago.
    pub fn with_retention(mut self, retention: Option<Duration>) -> Self {
        self.retention = retention;
        self
    }

    /// Consumes until `stop`; retries transient log failures with backoff.
    pub async fn run(self, stop: CancellationToken) -> Result<(), ServiceError> {
        self.readiness.set("detector", false);
        self.log.ensure_topic(&self.topics.contacts, 4).await?;
        let mut sub = self
            .log
            .subscribe(&self.topics.locations, &self.topics.group(Self::GROUP))
            .await?;
        let (mut erased, mut erasures) =
            crate::erasures::catch_up(&self.log, &self.topics.erasures).await?;
        self.readiness.set("detector", true);
        let mut detector = ContactDetector::new(self.config);
        // Episode id → when ingest accepted the fix that opened it.
        let mut triggers: HashMap<String, Timestamp> = HashMap::new();
        let mut backoff = Duration::from_millis(100);
        // The batch whose events are being appended while the next batch is matched.
        let mut in_flight: Option<Append> = None;
        // Positions whose events are appended, not yet committed (highest per partition).
        let mut uncommitted: BTreeMap<u32, Position> = BTreeMap::new();
        let mut last_commit = Instant::now();
        loop {
            let batch = tokio::select! {
                () = stop.cancelled() => {
                    // What is appended is committed, so a restart does not repeat it.
                    if let Some(previous) = in_flight.take() {
                        previous.finish(&mut uncommitted).await;
                    }
                    let done: Vec<Position> = uncommitted.into_values().collect();
                    if let Err(e) = sub.commit(&done).await {
                        tracing::info!(error = %e, "detector: the last offset commit failed; the next start replays a little");
                    }
                    return Ok(());
                }
                b = sub.poll(POLL_MAX, POLL_WAIT) => b,
                e = erasures.poll(64, udaconnect_bus::DEFAULT_POLL_WAIT) => {
                    match e {
                        Ok(batch) => {
                            for p in crate::erasures::persons(&batch) {
                                forget(&mut detector, &mut triggers, &mut erased, p);
                            }
                        }
                        Err(udaconnect_bus::BusError::Closed) => return Ok(()),
                        Err(e) => tracing::warn!(error = %e, "detector: reading erasures failed; retrying"),
                    }
                    continue;
                }
            };
            metrics::gauge!(m::DETECTOR_PARTITIONS).set(sub.assignment().len() as f64);
            let batch = match batch {
                Ok(b) => b,
                Err(udaconnect_bus::BusError::Closed) => return Ok(()),
                Err(e) => {
                    tracing::warn!(error = %e, "detector: polling failed; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                    continue;
                }
            };
            let matching = Instant::now();
            let mut out = Vec::new();
            let mut positions: Vec<Position> = Vec::with_capacity(batch.len());
            let floor = self
                .retention
                .and_then(|r| chrono::Duration::from_std(r).ok())
                .map(|r| chrono::Utc::now() - r);
            let mut oldest: Option<Timestamp> = None;
            for d in &batch {
                positions.push(d.position);
                let Ok(e) = events::decode_location_recorded(&d.record) else {
                    continue; // the writer dead-letters poison records
                };
                oldest = Some(oldest.map_or(e.received_at, |o| o.min(e.received_at)));
                if erased.contains(&e.location.person_id)
                    || floor.is_some_and(|f| e.location.creation_time < f)
                {
                    continue;
                }
                for ev in detector.observe(Fix::from(&e.location)) {
                    out.push(self.episode(&ev, &mut triggers, Some(e.received_at)));
                }
            }
            if let Some(oldest) = oldest {
                let lag = (chrono::Utc::now() - oldest)
                    .num_microseconds()
                    .unwrap_or(0);
                metrics::histogram!(m::DETECTOR_POLL_LAG).record(lag.max(0) as f64 / 1e6);
            }
            if !batch.is_empty() {
                for ev in detector.close_expired() {
                    out.push(self.episode(&ev, &mut triggers, None));
                }
                metrics::gauge!(m::DETECTOR_RETAINED).set(detector.retained() as f64);
                metrics::histogram!(m::DETECTOR_MATCH_SECONDS)
                    .record(matching.elapsed().as_secs_f64());
            }
            // Appends go one at a time, in batch order (a pair's `ended` never overtakes its
            // `started`): the previous batch's append finishes before this one's starts.
            if let Some(previous) = in_flight.take()
                && !previous.finish(&mut uncommitted).await
            {
                return Ok(()); // stopped while retrying
            }
            if out.is_empty() {
                highest(&mut uncommitted, positions);
            } else {
                in_flight = Some(Append::start(
                    self.log.clone(),
                    self.topics.contacts.clone(),
                    out,
                    positions,
                    stop.clone(),
                ));
            }
            // Append, then commit: a crash in between replays, never loses. Commits go at most
            // every COMMIT_INTERVAL (a replay after a crash re-reads that much more; the
            // detector's output for it repeats the same episode ids).
            if uncommitted.is_empty()
                || (last_commit.elapsed() < COMMIT_INTERVAL && !batch.is_empty())
            {
                continue;
            }
            let done: Vec<Position> = uncommitted.values().copied().collect();
            loop {
                match sub.commit(&done).await {
                    Ok(()) => {
                        uncommitted.clear();
                        last_commit = Instant::now();
                        break;
                    }
                    Err(udaconnect_bus::BusError::Rebalanced(e)) => {
                        // Only the next poll rejoins the group; the batch comes again and the
                        // detector, which has seen it, reports nothing new for it.
                        tracing::info!(error = %e, "detector: offset commit refused; rejoining the group");
                        uncommitted.clear();
                        break;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "detector: offset commit failed; retrying");
                        tokio::select! {
                            () = stop.cancelled() => return Ok(()),
                            () = tokio::time::sleep(backoff) => {}
                        }
                        backoff = (backoff * 2).min(Duration::from_secs(5));
                    }
                }
            }
            backoff = Duration::from_millis(100);
        }
    }

    fn episode(
        &self,
        ev: &ContactEvent,
        triggers: &mut HashMap<String, Timestamp>,
        received_at: Option<Timestamp>,
    ) -> ContactEpisode {
        let e = &ev.episode;
        let id = e.id();
        let now = chrono::Utc::now();
        let (kind, trigger_received_at) = match ev.kind {
            ContactEventKind::Started => {
                let at = received_at.unwrap_or(now);
                triggers.insert(id.clone(), at);
                (EpisodeKind::Started, at)
            }
            ContactEventKind::Ended => (EpisodeKind::Ended, triggers.remove(&id).unwrap_or(now)),
        };
        ContactEpisode {
            episode_id: id,
            kind,
            persons: e.persons,
            first_seen: e.first_seen,
            last_seen: e.last_seen,
            meetings: e.meetings,
            closest_m: e.closest_m,
            place: e.place,
            trigger: e.trigger,
            trigger_received_at,
            detected_at: now,
        }
    }
}

/// Largest batch the detector takes at once, and how long a poll waits for the first record.
const POLL_MAX: usize = 8_192;
const POLL_WAIT: Duration = udaconnect_bus::DEFAULT_POLL_WAIT;
/// Offsets are committed at most this often.
const COMMIT_INTERVAL: Duration = Duration::from_millis(200);

/// Keeps the highest position per partition.
fn highest(done: &mut BTreeMap<u32, Position>, positions: impl IntoIterator<Item = Position>) {
    for p in positions {
        let e = done.entry(p.partition).or_insert(p);
        if p.offset > e.offset {
            *e = p;
        }
    }
}

/// One batch's episode events on their way to the contacts topic, retried until appended
/// (or the worker stops), with the positions of the fixes they came from.
struct Append {
    task: tokio::task::JoinHandle<bool>,
    positions: Vec<Position>,
}

impl Append {
    fn start(
        log: Arc<dyn EventLog>,
        topic: String,
        episodes: Vec<ContactEpisode>,
        positions: Vec<Position>,
        stop: CancellationToken,
    ) -> Self {
        let task = tokio::spawn(async move {
            let appending = Instant::now();
            let records: Vec<_> = episodes
                .iter()
                .map(events::encode_contact_episode)
                .collect();
            let mut backoff = Duration::from_millis(100);
            while let Err(e) = log.append(&topic, records.clone()).await {
                tracing::warn!(error = %e, "detector: appending episodes failed; retrying");
                tokio::select! {
                    () = stop.cancelled() => return false,
                    () = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
            metrics::histogram!(m::DETECTOR_APPEND_SECONDS)
                .record(appending.elapsed().as_secs_f64());
            let now = chrono::Utc::now();
            for e in &episodes {
                let kind = match e.kind {
                    EpisodeKind::Started => "started",
                    EpisodeKind::Ended => "ended",
                };
                metrics::counter!(m::DETECTOR_EPISODES, "kind" => kind).increment(1);
                if e.kind == EpisodeKind::Started {
                    let latency = (now - e.trigger_received_at)
                        .num_microseconds()
                        .unwrap_or(0);
                    metrics::histogram!(m::DETECTOR_LATENCY).record(latency as f64 / 1e6);
                }
            }
            true
        });
        Self { task, positions }
    }

    /// Waits for the append; once it is done, its positions join `done`. `false`: the worker
    /// stopped first (nothing joins).
    async fn finish(self, done: &mut BTreeMap<u32, Position>) -> bool {
        let appended = match self.task.await {
            Ok(appended) => appended,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_cancelled) => false, // the runtime is shutting down
        };
        if appended {
            highest(done, self.positions);
        }
        appended
    }
}

/// Erasure: the detector drops the person's fixes and open episodes (no `ended` event), and
/// the worker their episodes' triggers; their later fixes are skipped by the caller.
fn forget(
    detector: &mut ContactDetector,
    triggers: &mut HashMap<String, Timestamp>,
    erased: &mut HashSet<PersonId>,
    person: PersonId,
) {
    if !erased.insert(person) {
        return;
    }
    let dropped = detector.forget_person(person);
    for e in &dropped {
        triggers.remove(&e.id());
    }
    tracing::info!(person_id = %person, open_episodes = dropped.len(), "detector forgot an erased person");
}
