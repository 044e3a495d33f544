//! `udaconnect simulate --ingest-url … --report`: the end-to-end load report. While the
//! simulator streams fixes through gRPC ingest, this measures what a user of the running
//! system sees:
//!
//! - **ingest**: fixes acknowledged per second, and when every acknowledged fix was stored
//!   (each attendee's last acknowledged fix is polled through `Connections.GetLocation`; the
//!   writer stores a partition in order and fixes are keyed by person, so once every
//!   attendee's last fix is readable, all of them are);
//! - **detection**: for every `started` contact episode from `Connections.WatchContacts`, the
//!   time from the ingest acknowledging the fix that opened it (`trigger_received_at`, stamped
//!   by the ingest) to the event reaching this client — both clocks are this machine's when
//!   the servers run here;
//! - **queries**: `Connections.FindContacts` (5 m, ±300 s, the whole conference, first page)
//!   for random attendees at a steady rate during the run, open loop (a slow answer does not
//!   delay the next question), with latency percentiles and error counts.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;
use udaconnect_domain::{ContactQuery, EpisodeKind, LocationId, PersonId};
use udaconnect_services::ConnectionsClient;

/// Percentiles of a set of latencies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Percentiles {
    pub count: usize,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Percentiles {
    /// Nearest-rank percentiles; `None` for no samples.
    pub fn of(mut samples: Vec<Duration>) -> Option<Self> {
        if samples.is_empty() {
            return None;
        }
        samples.sort_unstable();
        let rank = |p: f64| {
            let i = ((p * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
            samples[i - 1]
        };
        Some(Self {
            count: samples.len(),
            p50: rank(0.50),
            p99: rank(0.99),
            max: samples[samples.len() - 1],
        })
    }
}

impl std::fmt::Display for Percentiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        write!(
            f,
            "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} samples)",
            ms(self.p50),
            ms(self.p99),
            ms(self.max),
            self.count
        )
    }
}

/// What `--report` measured.
#[derive(Debug)]
pub struct LoadReport {
    pub fixes: u64,
    pub acked_in: Duration,
    /// From the first send until every acknowledged fix was readable; `None` if that did not
    /// happen within the deadline.
    pub stored_in: Option<Duration>,
    pub episodes_started: u64,
    pub episodes_ended: u64,
    pub detection: Option<Percentiles>,
    pub queries: Option<Percentiles>,
    pub query_errors: u64,
    pub watch_error: Option<String>,
}

impl std::fmt::Display for LoadReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rate = |d: Duration| self.fixes as f64 / d.as_secs_f64().max(1e-9);
        writeln!(
            f,
            "ingest:    {} fixes acknowledged in {:.2} s ({:.0} fixes/s)",
            self.fixes,
            self.acked_in.as_secs_f64(),
            rate(self.acked_in)
        )?;
        match self.stored_in {
            Some(d) => writeln!(
                f,
                "stored:    all {} readable after {:.2} s ({:.0} fixes/s from first send to stored)",
                self.fixes,
                d.as_secs_f64(),
                rate(d)
            )?,
            None => writeln!(
                f,
                "stored:    NOT all acknowledged fixes were readable in time"
            )?,
        }
        write!(
            f,
            "detection: {} episodes started, {} ended",
            self.episodes_started, self.episodes_ended
        )?;
        match (&self.detection, &self.watch_error) {
            (_, Some(e)) => writeln!(f, "; the contact feed failed: {e}")?,
            (Some(p), None) => writeln!(f, "; ingest ack → event {p}")?,
            (None, None) => writeln!(f)?,
        }
        match &self.queries {
            Some(p) => write!(
                f,
                "queries:   FindContacts {p}, {} errors",
                self.query_errors
            ),
            None => write!(f, "queries:   none ran ({} errors)", self.query_errors),
        }
    }
}

/// The measurements running beside the simulator's sending loop.
pub(crate) struct LoadProbe {
    connections: ConnectionsClient,
    stop: Arc<AtomicBool>,
    watcher: JoinHandle<Watched>,
    querier: Option<JoinHandle<(Vec<Duration>, u64)>>,
    persons: Arc<Mutex<Vec<PersonId>>>,
    last_fix: HashMap<PersonId, LocationId>,
}

#[derive(Default)]
struct Watched {
    started: u64,
    ended: u64,
    latencies: Vec<Duration>,
    error: Option<String>,
}

impl LoadProbe {
    /// Subscribes to the contact feed (from now) and starts the query load; call before the
    /// first fix is sent.
    pub(crate) async fn start(
        connections: ConnectionsClient,
        query_rate: u32,
        from: udaconnect_domain::Timestamp,
        to: udaconnect_domain::Timestamp,
    ) -> anyhow::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let feed = connections
            .watch_contacts(None, None)
            .await
            .map_err(|e| anyhow::anyhow!("subscribing to the contact feed: {e}"))?;
        let watcher = tokio::spawn(watch(feed, stop.clone()));
        let persons = Arc::new(Mutex::new(Vec::new()));
        let querier = (query_rate > 0).then(|| {
            tokio::spawn(query_load(
                connections.clone(),
                persons.clone(),
                query_rate,
                (from, to),
                stop.clone(),
            ))
        });
        Ok(Self {
            connections,
            stop,
            watcher,
            querier,
            persons,
            last_fix: HashMap::new(),
        })
    }

    /// The attendees queries may ask about.
    pub(crate) async fn set_persons(&self, persons: &[PersonId]) {
        *self.persons.lock().await = persons.to_vec();
    }

    /// Records acknowledged fixes (in the order they were acknowledged per person).
    pub(crate) fn acknowledged(&mut self, fixes: impl IntoIterator<Item = (PersonId, LocationId)>) {
        self.last_fix.extend(fixes);
    }

    /// After the last acknowledgement: waits until every acknowledged fix is readable (or
    /// `deadline`), lets the detector catch up for `settle`, stops the probes and reports.
    /// `sending` is when the first fix was sent.
    pub(crate) async fn finish(
        self,
        fixes: u64,
        sending: Instant,
        deadline: Duration,
        settle: Duration,
    ) -> LoadReport {
        let acked_in = sending.elapsed();
        let stored_in = wait_stored(&self.connections, self.last_fix, sending, deadline).await;
        tokio::time::sleep(settle).await;
        self.stop.store(true, Ordering::Relaxed);
        let (latencies, query_errors) = match self.querier {
            Some(q) => q.await.unwrap_or_default(),
            None => (Vec::new(), 0),
        };
        let watched = self.watcher.await.unwrap_or_default();
        LoadReport {
            fixes,
            acked_in,
            stored_in,
            episodes_started: watched.started,
            episodes_ended: watched.ended,
            detection: Percentiles::of(watched.latencies),
            queries: Percentiles::of(latencies),
            query_errors,
            watch_error: watched.error,
        }
    }
}

async fn watch(
    mut feed: udaconnect_services::feeds::Feed<udaconnect_domain::ContactEpisode>,
    stop: Arc<AtomicBool>,
) -> Watched {
    let mut w = Watched::default();
    while !stop.load(Ordering::Relaxed) {
        let item = match tokio::time::timeout(Duration::from_millis(200), feed.next()).await {
            Err(_) => continue,
            Ok(None) => {
                w.error = Some("the feed ended".into());
                break;
            }
            Ok(Some(Err(e))) => {
                w.error = Some(e.to_string());
                break;
            }
            Ok(Some(Ok(item))) => item.item,
        };
        match item.kind {
            EpisodeKind::Started => {
                w.started += 1;
                let waited = chrono::Utc::now() - item.trigger_received_at;
                w.latencies.push(waited.to_std().unwrap_or_default());
            }
            EpisodeKind::Ended => w.ended += 1,
        }
    }
    w
}

/// Open-loop contact queries: one every `1/rate` s, each on its own task (at most 256 in
/// flight; beyond that a tick is counted as an error rather than queued).
async fn query_load(
    connections: ConnectionsClient,
    persons: Arc<Mutex<Vec<PersonId>>>,
    rate: u32,
    (from, to): (udaconnect_domain::Timestamp, udaconnect_domain::Timestamp),
    stop: Arc<AtomicBool>,
) -> (Vec<Duration>, u64) {
    let results = Arc::new(std::sync::Mutex::new((Vec::new(), 0u64)));
    let in_flight = Arc::new(tokio::sync::Semaphore::new(256));
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(rate)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    // A fixed-seed xorshift: the same run asks about the same people.
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut tasks = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        ticks.tick().await;
        let person = {
            let persons = persons.lock().await;
            if persons.is_empty() {
                continue;
            }
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            persons[(state % persons.len() as u64) as usize]
        };
        let Ok(permit) = in_flight.clone().try_acquire_owned() else {
            results.lock().expect("not poisoned").1 += 1;
            continue;
        };
        let (connections, results) = (connections.clone(), results.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = permit;
            let query = ContactQuery::new(person, Some(from), Some(to), None, None, None, None)
                .expect("default contact query is valid");
            let asked = Instant::now();
            let answer = connections.find_contacts(query).await;
            let took = asked.elapsed();
            let mut r = results.lock().expect("not poisoned");
            match answer {
                Ok(_) => r.0.push(took),
                Err(e) => {
                    if r.1 == 0 {
                        tracing::warn!(error = %e, "contact query failed");
                    }
                    r.1 += 1;
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let mut r = results.lock().expect("not poisoned");
    (std::mem::take(&mut r.0), r.1)
}

/// Polls each person's last acknowledged fix until all are readable; the time since `started`
/// when the last one was, or `None` after `deadline`. Each round asks one at a time and stops
/// at the first that is not there yet, so the poll costs the store a few lookups per round
/// while the writer is behind (it must not slow down what it measures), and `POLL` is the
/// resolution of the figure.
async fn wait_stored(
    connections: &ConnectionsClient,
    mut pending: HashMap<PersonId, LocationId>,
    started: Instant,
    deadline: Duration,
) -> Option<Duration> {
    const POLL: Duration = Duration::from_millis(50);
    let give_up = Instant::now() + deadline;
    loop {
        let mut found = Vec::new();
        for (&person, &id) in &pending {
            if connections.get_location(id).await.is_err() {
                break;
            }
            found.push(person);
        }
        for person in found {
            pending.remove(&person);
        }
        if pending.is_empty() {
            return Some(started.elapsed());
        }
        if Instant::now() >= give_up {
            return None;
        }
        tokio::time::sleep(POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let ms = Duration::from_millis;
        assert_eq!(Percentiles::of(Vec::new()), None);
        let p = Percentiles::of((1..=100).rev().map(ms).collect()).unwrap();
        assert_eq!(
            (p.count, p.p50, p.p99, p.max),
            (100, ms(50), ms(99), ms(100))
        );
        let one = Percentiles::of(vec![ms(7)]).unwrap();
        assert_eq!((one.p50, one.p99, one.max), (ms(7), ms(7), ms(7)));
    }
}
