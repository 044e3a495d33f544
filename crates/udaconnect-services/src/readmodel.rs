//! The connections target's read model: every stored fix in a
//! [`ProximityIndex`](udaconnect_proximity::ProximityIndex), kept current by reading the
//! locations topic — a read model synchronised by the stream, not by polling the store.
//!
//! Start-up ([`ReadModel::sync`]): open a group-less reader at the oldest retained record of
//! the locations topic, *then* load every stored fix in pages, then apply the log from the
//! reader. Whatever the writer stored before the scan is in the scan; whatever it had not
//! stored yet is still on the log (the writer commits only after storing, and retention keeps
//! uncommitted records), so nothing is missed; inserts are idempotent by location id, so the
//! overlap is harmless. The model reports ready once it has applied the log up to the end
//! offsets seen at start-up. Each process (replica) keeps its own copy: no consumer group, no
//! offsets to coordinate.
//!
//! Privacy: start-up learns every erasure first (the store's `erasure` table and the erasures
//! topic), and the model keeps following that topic: an erased person's fixes, name and
//! recent activity are dropped ([`ReadModel::forget`]) and fixes of theirs read later are
//! skipped. Retention ([`ReadModel::purge_before`]) drops fixes older than the cutoff and
//! refuses older ones from then on (a replay of an old log).
//!
//! Memory: the index's bytes per fix (see `udaconnect-proximity`), plus a ring of the most
//! recent fixes (at most [`RECENT_CAP`]) for the activity summary.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::{
        Arc, Mutex, PoisonError, RwLock,
        atomic::{AtomicI64, Ordering},
    },
    time::{Duration, Instant},
};

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use udaconnect_bus::EventLog;
use udaconnect_domain::{
    Activity, ConnectionQuery, Coordinates, Hotspot, Location, LocationId, Person, PersonId,
    Timestamp,
};
use udaconnect_proximity::{Contact, Fix, ProximityIndex};
use udaconnect_store::DynStore;

use crate::{ServiceError, events};

/// Most recent fixes kept for [`ReadModel::activity`].
pub const RECENT_CAP: usize = 1_000_000;
/// Longest activity window, seconds.
pub const MAX_ACTIVITY_WINDOW_S: u32 = 86_400;
/// Fixes per page when loading the store.
const SCAN_PAGE: u32 = 50_000;
/// Hotspot cells: about 10 m (1e-4 degree of latitude is 11.1 m).
const HOTSPOT_DEG: f64 = 1e-4;

/// The in-memory proximity read model; see the [module docs](self).
#[derive(Debug)]
pub struct ReadModel {
    index: RwLock<ProximityIndex>,
    recent: Mutex<Recent>,
    persons: RwLock<HashMap<PersonId, Person>>,
    /// Erased persons: never shown, their fixes never added.
    erased: RwLock<HashSet<PersonId>>,
    /// Fixes taken before this (µs since the epoch) are not added (retention).
    floor_us: AtomicI64,
    ready: watch::Sender<bool>,
}

#[derive(Debug, Default)]
struct Recent {
    /// (fix time µs, location id) → (person, lat, lon).
    fixes: BTreeMap<(i64, i64), (PersonId, f64, f64)>,
}

impl Default for ReadModel {
    fn default() -> Self {
        Self::new()
    }
}

impl ReadModel {
    pub fn new() -> Self {
        Self {
            index: RwLock::new(ProximityIndex::new()),
            recent: Mutex::new(Recent::default()),
            persons: RwLock::new(HashMap::new()),
            erased: RwLock::new(HashSet::new()),
            floor_us: AtomicI64::new(i64::MIN),
            ready: watch::Sender::new(false),
        }
    }

    /// Whether `person` was erased.
    pub fn is_erased(&self, person: PersonId) -> bool {
        self.erased
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(&person)
    }

    /// Erasure: forgets the person's fixes (index and recent activity) and record, and skips
    /// their fixes from now on. Idempotent. Returns the fixes removed from the index.
    pub fn forget(&self, person: PersonId) -> usize {
        let newly = self
            .erased
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(person);
        self.persons
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&person);
        let removed = self
            .index
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove_person(person);
        self.recent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .fixes
            .retain(|_, v| v.0 != person);
        if newly {
            tracing::info!(person_id = %person, fixes = removed, "read model forgot an erased person");
        }
        metrics::gauge!(crate::metrics::READ_MODEL_FIXES).set(self.len() as f64);
        removed
    }

    /// Whether `t` is before the retention cutoff (data of that time is not shown).
    pub fn is_expired(&self, t: Timestamp) -> bool {
        t.timestamp_micros() < self.floor_us.load(Ordering::Relaxed)
    }

    /// Retention: drops every fix taken before `cutoff` and refuses such fixes from now on.
    /// Returns how many were dropped from the index.
    pub fn purge_before(&self, cutoff: Timestamp) -> usize {
        let us = cutoff.timestamp_micros();
        self.floor_us.fetch_max(us, Ordering::Relaxed);
        let removed = self
            .index
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .purge_before(cutoff);
        {
            let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
            let kept = recent.fixes.split_off(&(us, i64::MIN));
            recent.fixes = kept;
        }
        metrics::gauge!(crate::metrics::READ_MODEL_FIXES).set(self.len() as f64);
        removed
    }

    /// Whether start-up synchronisation has finished.
    pub fn is_ready(&self) -> bool {
        *self.ready.borrow()
    }

    /// Waits until [`ReadModel::is_ready`].
    pub async fn wait_ready(&self) {
        let mut rx = self.ready.subscribe();
        let _ = rx.wait_for(|r| *r).await;
    }

    /// Fixes in the index.
    pub fn len(&self) -> usize {
        self.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes the index holds.
    pub fn memory_bytes(&self) -> usize {
        self.read().memory_bytes()
    }

    /// Adds fixes (idempotent by location id), except those of erased persons and those
    /// older than the retention; returns how many were new.
    pub fn apply(&self, fixes: &[Fix]) -> usize {
        let floor = self.floor_us.load(Ordering::Relaxed);
        let fixes: Vec<Fix> = {
            let erased = self.erased.read().unwrap_or_else(PoisonError::into_inner);
            fixes
                .iter()
                .filter(|f| f.time.timestamp_micros() >= floor && !erased.contains(&f.person))
                .copied()
                .collect()
        };
        if fixes.is_empty() {
            return 0;
        }
        let added = self
            .index
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(fixes.iter().copied());
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        for f in fixes {
            recent.fixes.insert(
                (f.time.timestamp_micros(), f.location.get()),
                (f.person, f.coordinates.lat(), f.coordinates.lon()),
            );
        }
        while recent.fixes.len() > RECENT_CAP {
            recent.fixes.pop_first();
        }
        metrics::gauge!(crate::metrics::READ_MODEL_FIXES).set(self.len() as f64);
        added
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, ProximityIndex> {
        self.index.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Remembers a person's record (names for answers); not an erased one.
    pub fn put_person(&self, person: Person) {
        if self.is_erased(person.id) {
            return;
        }
        self.persons
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(person.id, person);
    }

    /// The person, from the cache or else the store (then cached).
    pub async fn person(
        &self,
        store: &DynStore,
        id: PersonId,
    ) -> Result<Option<Person>, ServiceError> {
        if self.is_erased(id) {
            return Ok(None);
        }
        if let Some(p) = self
            .persons
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
        {
            return Ok(Some(p.clone()));
        }
        let found = store.get_person(id).await?;
        if let Some(p) = &found {
            self.put_person(p.clone());
        }
        Ok(found)
    }

    /// Contacts of `person` (every one, in the index's order: first meeting, then person).
    pub fn contacts(
        &self,
        person: PersonId,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
        distance_m: f64,
        window_s: u32,
    ) -> Vec<Contact> {
        let from = from.unwrap_or(Timestamp::MIN_UTC);
        let to = to.unwrap_or(Timestamp::MAX_UTC);
        self.read()
            .contacts_of(person, from, to, distance_m, window_s)
    }

    /// The POC connection query (see [`ConnectionQuery`]): one entry per (own fix, other fix)
    /// match, ordered by own fix id then other fix id.
    pub fn connections(&self, q: &ConnectionQuery) -> Vec<Location> {
        let (own_from, own_to) = q.own_window();
        let (others_from, others_to) = q.others_window();
        let index = self.read();
        let mut own = index.fixes_of(q.person_id, own_from, own_to);
        own.sort_unstable_by_key(|f| f.location);
        let mut out = Vec::new();
        for f in &own {
            let mut near: Vec<Fix> = index
                .near(f.coordinates, others_from, others_to, q.distance.metres())
                .into_iter()
                .filter(|g| g.person != q.person_id)
                .collect();
            near.sort_unstable_by_key(|g| g.location);
            out.extend(near.into_iter().map(|g| Location {
                id: g.location,
                person_id: g.person,
                coordinates: g.coordinates,
                creation_time: g.time,
            }));
        }
        out
    }

    /// Fixes, people and busiest places over the last `window_s` seconds of fix time, ending
    /// at the newest fix seen.
    pub fn activity(&self, window_s: u32) -> Activity {
        let recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        let Some((&(newest, _), _)) = recent.fixes.last_key_value() else {
            return Activity {
                at: None,
                window_s,
                fixes: 0,
                persons_present: 0,
                hotspots: Vec::new(),
            };
        };
        let start = newest.saturating_sub(i64::from(window_s) * 1_000_000);
        let mut persons = HashSet::new();
        let mut cells: HashMap<(i64, i64), (HashSet<PersonId>, u64)> = HashMap::new();
        let mut fixes = 0u64;
        for (_, &(person, lat, lon)) in recent.fixes.range((start, i64::MIN)..) {
            fixes += 1;
            persons.insert(person);
            let cell = (
                (lat / HOTSPOT_DEG).floor() as i64,
                (lon / HOTSPOT_DEG).floor() as i64,
            );
            let entry = cells.entry(cell).or_default();
            entry.0.insert(person);
            entry.1 += 1;
        }
        drop(recent);
        let mut hotspots: Vec<Hotspot> = cells
            .into_iter()
            .filter_map(|((r, c), (who, n))| {
                let lat = ((r as f64 + 0.5) * HOTSPOT_DEG).clamp(-90.0, 90.0);
                let lon = ((c as f64 + 0.5) * HOTSPOT_DEG).clamp(-180.0, 180.0);
                Some(Hotspot {
                    place: Coordinates::new(lat, lon).ok()?,
                    persons: who.len() as u64,
                    fixes: n,
                })
            })
            .collect();
        hotspots.sort_by(|a, b| {
            (b.persons, b.fixes)
                .cmp(&(a.persons, a.fixes))
                .then(a.place.lat().total_cmp(&b.place.lat()))
                .then(a.place.lon().total_cmp(&b.place.lon()))
        });
        hotspots.truncate(10);
        Activity {
            at: Timestamp::from_timestamp_micros(newest),
            window_s,
            fixes,
            persons_present: persons.len() as u64,
            hotspots,
        }
    }

    /// Loads the store and follows the locations topic until `stop`; see the
    /// [module docs](self). Transient failures are retried with backoff.
    pub async fn sync(
        self: Arc<Self>,
        log: Arc<dyn EventLog>,
        store: DynStore,
        topics: events::Topics,
        stop: CancellationToken,
    ) -> Result<(), ServiceError> {
        let started = Instant::now();
        // Erasures first, so that nothing loaded below brings an erased person back.
        for p in store.erased_persons().await? {
            self.forget(p);
        }
        let (erased, mut erasures) = crate::erasures::catch_up(&log, &topics.erasures).await?;
        for p in erased {
            self.forget(p);
        }
        let mut reader = log.read_from(&topics.locations, &[]).await?;
        let target = log.end_offsets(&topics.locations).await?;
        for p in store.list_persons().await? {
            self.put_person(p);
        }
        let mut after: Option<LocationId> = None;
        let mut loaded = 0usize;
        loop {
            if stop.is_cancelled() {
                return Ok(());
            }
            let page = store.scan_locations(after, SCAN_PAGE).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            let fixes: Vec<Fix> = page.iter().map(Fix::from).collect();
            loaded += fixes.len();
            let model = self.clone();
            tokio::task::spawn_blocking(move || model.apply(&fixes))
                .await
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            if page.len() < SCAN_PAGE as usize {
                break;
            }
        }
        tracing::info!(
            fixes = loaded,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "read model loaded the store"
        );
        let mut next = vec![0u64; target.len()];
        let caught_up = |next: &[u64]| target.iter().zip(next).all(|(t, n)| n >= t);
        if caught_up(&next) {
            self.ready.send_replace(true);
        }
        let mut backoff = Duration::from_millis(100);
        loop {
            let batch = tokio::select! {
                () = stop.cancelled() => return Ok(()),
                b = reader.poll(4096, udaconnect_bus::DEFAULT_POLL_WAIT) => b,
                e = erasures.poll(64, udaconnect_bus::DEFAULT_POLL_WAIT) => match e {
                    Ok(batch) => {
                        for p in crate::erasures::persons(&batch) {
                            let model = self.clone();
                            tokio::task::spawn_blocking(move || model.forget(p))
                                .await
                                .map_err(|e| ServiceError::Internal(e.to_string()))?;
                        }
                        continue;
                    }
                    Err(udaconnect_bus::BusError::Closed) => return Ok(()),
                    Err(e) => Err(e),
                },
            };
            let batch = match batch {
                Ok(b) => {
                    backoff = Duration::from_millis(100);
                    b
                }
                Err(udaconnect_bus::BusError::Closed) => return Ok(()),
                Err(e) => {
                    tracing::warn!(error = %e, "read model: reading the log failed; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                    continue;
                }
            };
            let mut fixes = Vec::with_capacity(batch.len());
            for d in &batch {
                if let Some(n) = next.get_mut(d.position.partition as usize) {
                    *n = (*n).max(d.position.offset + 1);
                }
                // Poison records are the writer's to dead-letter; the model skips them.
                if let Ok(e) = events::decode_location_recorded(&d.record) {
                    fixes.push(Fix::from(&e.location));
                }
            }
            if !fixes.is_empty() {
                let model = self.clone();
                tokio::task::spawn_blocking(move || model.apply(&fixes))
                    .await
                    .map_err(|e| ServiceError::Internal(e.to_string()))?;
            }
            if !self.is_ready() && caught_up(&next) {
                tracing::info!(
                    fixes = self.len(),
                    bytes = self.memory_bytes(),
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "read model caught up with the log"
                );
                self.ready.send_replace(true);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn fix(loc: i64, person: i64, lat: f64, lon: f64, t: i64) -> Fix {
        Fix {
            location: LocationId::new(loc).unwrap(),
            person: PersonId::new(person).unwrap(),
            coordinates: Coordinates::new(lat, lon).unwrap(),
            time: Utc.timestamp_opt(1_600_000_000 + t, 0).unwrap(),
        }
    }

    #[test]
    fn activity_counts_the_window_and_ranks_hotspots() {
        let m = ReadModel::new();
        m.apply(&[
            fix(1, 1, 10.00001, 20.00001, 0),
            fix(2, 2, 10.00002, 20.00002, 100),
            fix(3, 3, 10.00003, 20.00003, 200),
            fix(4, 4, 11.0, 21.0, 250),
            fix(5, 4, 11.0, 21.0, 260),
            fix(6, 5, 12.0, 22.0, 299),
        ]);
        let a = m.activity(250);
        assert_eq!(a.at, Some(Utc.timestamp_opt(1_600_000_299, 0).unwrap()));
        // Window [49, 299]: fixes 2..=6.
        assert_eq!((a.fixes, a.persons_present), (5, 4));
        assert_eq!(a.hotspots[0].persons, 2, "{:?}", a.hotspots);
        assert!((a.hotspots[0].place.lat() - 10.00005).abs() < 1e-4);
        assert_eq!((a.hotspots[1].persons, a.hotspots[1].fixes), (1, 2));
        assert_eq!(ReadModel::new().activity(300).fixes, 0);
    }

    #[test]
    fn forgetting_and_purging_drop_fixes_everywhere_and_keep_them_out() {
        let m = ReadModel::new();
        let p = |id| PersonId::new(id).unwrap();
        m.put_person(
            udaconnect_domain::NewPerson::new("Erin", "Erased", "Co")
                .unwrap()
                .with_id(p(2)),
        );
        m.apply(&[
            fix(1, 1, 10.0, 20.0, 0),
            fix(2, 2, 10.00001, 20.0, 10),
            fix(3, 3, 10.00002, 20.0, 20),
            fix(4, 2, 10.0, 20.0, 500),
        ]);
        let all = |who| m.contacts(p(who), None, None, 5.0, 300);
        assert_eq!(all(1).len(), 2);
        assert_eq!(m.forget(p(2)), 2);
        assert!(m.is_erased(p(2)));
        assert_eq!(m.len(), 2);
        assert!(all(2).is_empty());
        assert!(all(1).iter().all(|c| c.person != p(2)));
        assert_eq!(m.activity(86_400).persons_present, 2);
        assert!(m.persons.read().unwrap().get(&p(2)).is_none());
        // Replays and fixes in flight of the erased person stay out, and so does their name.
        assert_eq!(m.apply(&[fix(5, 2, 10.0, 20.0, 30)]), 0);
        m.put_person(
            udaconnect_domain::NewPerson::new("Erin", "Erased", "Co")
                .unwrap()
                .with_id(p(2)),
        );
        assert!(m.persons.read().unwrap().get(&p(2)).is_none());
        // Retention: fixes before the cutoff go, and older ones are refused afterwards.
        let cutoff = Utc.timestamp_opt(1_600_000_015, 0).unwrap();
        assert_eq!(m.purge_before(cutoff), 1);
        assert_eq!(m.len(), 1);
        assert_eq!(m.activity(86_400).fixes, 1);
        assert_eq!(m.apply(&[fix(6, 1, 10.0, 20.0, 14)]), 0);
        assert!(m.is_expired(Utc.timestamp_opt(1_600_000_014, 0).unwrap()));
        assert!(!m.is_expired(cutoff));
        assert_eq!(m.apply(&[fix(7, 1, 10.0, 20.0, 15)]), 1);
        assert_eq!(all(1).len(), 1);
    }

    #[test]
    fn connections_follow_the_poc_semantics() {
        let m = ReadModel::new();
        let day = 86_400;
        m.apply(&[
            fix(10, 1, 0.0, 0.0, 0),
            fix(11, 1, 1.0, 1.0, day),
            // Near fix 10, any time of the window, even a day later (POC widening).
            fix(20, 2, 0.00001, 0.0, day),
            fix(24, 2, 0.00001, 0.0, 2 * day),
            fix(21, 3, 0.00002, 0.0, 5),
            // Too far.
            fix(22, 4, 0.001, 0.0, 5),
            // Near fix 11.
            fix(23, 2, 1.0, 1.00001, 0),
        ]);
        let start = Utc.timestamp_opt(1_600_000_000, 0).unwrap().date_naive();
        let q = ConnectionQuery::new(
            PersonId::new(1).unwrap(),
            start,
            start.succ_opt().unwrap(),
            udaconnect_domain::DistanceMeters::new(5.0).unwrap(),
        )
        .unwrap();
        let ids: Vec<i64> = m.connections(&q).iter().map(|l| l.id.get()).collect();
        // 1_600_000_000 is 2020-09-13T12:26:40Z. Own window [09-13, 09-14): fix 10 only (11
        // is on the end date). Others' window [09-13, 09-15): 20 (a day later, the POC's
        // widening) and 21; 22 is too far; 23 is near fix 11, which does not count.
        assert_eq!(ids, vec![20, 21]);
    }
}
