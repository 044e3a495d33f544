//! The `detector` target: consumes the locations topic (consumer group
//! `udaconnect-detector`), runs a [`ContactDetector`] and appends a [`ContactEpisode`] to the
//! contacts topic when an episode starts and when it ends (see
//! `udaconnect_proximity::detect` for the episode rules).
//!
//! Delivery: events are appended before the consumed offsets are committed, so a crash
//! causes redelivery, not loss; a replayed `started` carries the same `episode_id` and
//! `event-id` header, so consumers can drop duplicates. The detector's state (recent fixes,
//! open episodes) lives in memory: after a restart, meetings that were ongoing are reported
//! as new episodes. Episodes end on *fix time*: once fixes newer than the last meeting plus
//! the gap (and the allowed lateness) have arrived.
//!
//! Privacy: the worker reads the erasures topic first and keeps following it. An erased
//! person's retained fixes and open episodes are dropped without an `ended` event, and their
//! fixes read later (a replay, fixes in flight) are skipped. With a retention, fixes taken
//! longer ago than it are skipped too: no new episode about expired data.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
    time::Duration,
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
        loop {
            let batch = tokio::select! {
                () = stop.cancelled() => return Ok(()),
                b = sub.poll(2_048, udaconnect_bus::DEFAULT_POLL_WAIT) => b,
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
            if batch.is_empty() {
                continue;
            }
            let mut out = Vec::new();
            let mut positions: Vec<Position> = Vec::with_capacity(batch.len());
            let floor = self
                .retention
                .and_then(|r| chrono::Duration::from_std(r).ok())
                .map(|r| chrono::Utc::now() - r);
            for d in &batch {
                positions.push(d.position);
                let Ok(e) = events::decode_location_recorded(&d.record) else {
                    continue; // the writer dead-letters poison records
                };
                if erased.contains(&e.location.person_id)
                    || floor.is_some_and(|f| e.location.creation_time < f)
                {
                    continue;
                }
                for ev in detector.observe(Fix::from(&e.location)) {
                    out.push(self.episode(&ev, &mut triggers, Some(e.received_at)));
                }
            }
            for ev in detector.close_expired() {
                out.push(self.episode(&ev, &mut triggers, None));
            }
            metrics::gauge!(m::DETECTOR_RETAINED).set(detector.retained() as f64);
            // Append, then commit: a crash in between replays, never loses. Each step is
            // retried on its own, so an append that succeeded is never repeated because the
            // commit after it failed.
            if !out.is_empty() {
                let records: Vec<_> = out.iter().map(events::encode_contact_episode).collect();
                while let Err(e) = self
                    .log
                    .append(&self.topics.contacts, records.clone())
                    .await
                {
                    tracing::warn!(error = %e, "detector: appending episodes failed; retrying");
                    tokio::select! {
                        () = stop.cancelled() => return Ok(()),
                        () = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
            while let Err(e) = sub.commit(&positions).await {
                if let udaconnect_bus::BusError::Rebalanced(_) = e {
                    // Only the next poll rejoins the group; the batch comes again and the
                    // detector, which has seen it, reports nothing new for it.
                    tracing::info!(error = %e, "detector: offset commit refused; rejoining the group");
                    break;
                }
                tracing::warn!(error = %e, "detector: offset commit failed; retrying");
                tokio::select! {
                    () = stop.cancelled() => return Ok(()),
                    () = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
            backoff = Duration::from_millis(100);
            let now = chrono::Utc::now();
            for e in &out {
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
