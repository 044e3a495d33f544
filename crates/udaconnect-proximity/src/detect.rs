//! Real-time contact detection over a stream of fixes: [`ContactDetector`].
//!
//! A *meeting* is a pair of fixes of two different people within `distance_m` of each other
//! (haversine, inclusive) and within `window_s` seconds (inclusive); its time is the later of
//! the two fix times (when it became observable). The meetings of one pair form *episodes*:
//! consecutive meetings at most `gap_s` apart belong to the same episode, so an ongoing
//! meeting is one episode, not an event per fix.
//!
//! * [`ContactDetector::observe`] returns a [`ContactEventKind::Started`] event when a meeting
//!   opens a new episode for its pair; later meetings only update the open episode.
//! * [`ContactDetector::close_expired`] returns [`ContactEventKind::Ended`] for every open
//!   episode whose last meeting is more than `gap_s` before the *watermark* (the newest fix
//!   time seen minus `lateness_s`), with the episode's final figures.
//!
//! Memory is bounded by time: fixes older than the watermark minus `window_s` are evicted
//! (they can meet nothing that arrives in time any more). A fix that arrives later than
//! `lateness_s` is still matched against what is retained. Redelivered fixes (same location
//! id, still retained) are ignored, so at-least-once delivery does not double-count.
//!
//! For a stream in time order the events are exactly those of a brute-force computation over
//! all meetings (property-tested below).

use std::collections::{HashMap, HashSet};

use udaconnect_domain::{Coordinates, LocationId, PersonId, Timestamp, haversine_m};

use crate::Fix;
use crate::grid::Grid;
use crate::types::{micros, time};

/// What the detector looks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectorConfig {
    /// Largest distance between two fixes that meet, metres (> 0).
    pub distance_m: f64,
    /// Largest time between two fixes that meet, seconds.
    pub window_s: u32,
    /// Longest pause between meetings of one episode, seconds.
    pub gap_s: u32,
    /// How late (in fix time, behind the newest fix seen) a fix may arrive and still be
    /// matched against everything it could meet; episodes end this much later too.
    pub lateness_s: u32,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        Self {
            distance_m: 5.0,
            window_s: 300,
            gap_s: 600,
            lateness_s: 30,
        }
    }
}

/// One contact episode between two people, `persons.0 < persons.1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Episode {
    pub persons: (PersonId, PersonId),
    /// Time of the first and last meeting.
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    /// Meetings (pairs of fixes) so far.
    pub meetings: u64,
    /// Smallest distance over the meetings, metres, and where: the first person's fix of that
    /// closest meeting.
    pub closest_m: f64,
    pub place: Coordinates,
    /// The fix whose arrival opened the episode (for latency measurements and tracing).
    pub trigger: LocationId,
}

impl Episode {
    /// A stable identifier: the pair and the time the episode started.
    pub fn id(&self) -> String {
        format!(
            "{}-{}-{}",
            self.persons.0,
            self.persons.1,
            self.first_seen.timestamp_micros()
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactEventKind {
    Started,
    Ended,
}

/// What [`ContactDetector`] reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContactEvent {
    pub kind: ContactEventKind,
    pub episode: Episode,
}

#[derive(Debug, Clone, Copy)]
struct Rec {
    lat: f64,
    lon: f64,
    t: i64,
    loc: LocationId,
    person: PersonId,
}

/// Detects contact episodes in a stream of fixes; see the [module docs](self).
#[derive(Debug)]
pub struct ContactDetector {
    config: DetectorConfig,
    grid: Grid,
    cells: HashMap<u64, Vec<Rec>>,
    retained: HashSet<LocationId>,
    open: HashMap<(PersonId, PersonId), Open>,
    newest: Option<i64>,
    /// Fixes observed since the last eviction.
    since_sweep: usize,
}

#[derive(Debug, Clone, Copy)]
struct Open {
    episode: Episode,
    first: i64,
    last: i64,
}

impl ContactDetector {
    /// # Panics
    /// If `distance_m` is not a positive finite number.
    pub fn new(config: DetectorConfig) -> Self {
        assert!(
            config.distance_m.is_finite() && config.distance_m > 0.0,
            "distance_m must be positive"
        );
        Self {
            grid: Grid::new(config.distance_m.max(1.0)),
            config,
            cells: HashMap::new(),
            retained: HashSet::new(),
            open: HashMap::new(),
            newest: None,
            since_sweep: 0,
        }
    }

    pub fn config(&self) -> DetectorConfig {
        self.config
    }

    /// Fixes retained for matching.
    pub fn retained(&self) -> usize {
        self.retained.len()
    }

    /// Episodes currently open.
    pub fn open_episodes(&self) -> usize {
        self.open.len()
    }

    /// Matches `fix` against the retained fixes of other people and retains it. Returns a
    /// `Started` event for every pair whose new meeting opens an episode.
    pub fn observe(&mut self, fix: Fix) -> Vec<ContactEvent> {
        if !self.retained.insert(fix.location) {
            return Vec::new();
        }
        let (lat, lon) = (fix.coordinates.lat(), fix.coordinates.lon());
        let t = micros(fix.time);
        let w = i64::from(self.config.window_s) * 1_000_000;
        let gap = i64::from(self.config.gap_s) * 1_000_000;
        let cover = self.grid.cover(lat, lon, self.config.distance_m);
        let mut events = Vec::new();
        for row in cover.row_lo..=cover.row_hi {
            for &(c0, c1) in self.grid.col_ranges(&cover, row).as_slice() {
                for col in c0..=c1 {
                    let Some(cell) = self.cells.get(&crate::grid::key(row, col)) else {
                        continue;
                    };
                    for g in cell {
                        if g.person == fix.person || (g.t - t).abs() > w {
                            continue;
                        }
                        let d = haversine_m(lat, lon, g.lat, g.lon);
                        if d > self.config.distance_m {
                            continue;
                        }
                        let when = t.max(g.t);
                        let (pair, place) = if fix.person < g.person {
                            ((fix.person, g.person), (lat, lon))
                        } else {
                            ((g.person, fix.person), (g.lat, g.lon))
                        };
                        let place = Coordinates::new(place.0, place.1)
                            .expect("retained coordinates are valid");
                        match self.open.get_mut(&pair) {
                            Some(o) if when >= o.first - gap && when <= o.last + gap => {
                                o.first = o.first.min(when);
                                o.last = o.last.max(when);
                                let e = &mut o.episode;
                                e.meetings += 1;
                                e.first_seen = time(o.first);
                                e.last_seen = time(o.last);
                                if d < e.closest_m {
                                    e.closest_m = d;
                                    e.place = place;
                                }
                            }
                            previous => {
                                // A meeting outside the open episode's reach: that episode
                                // is over (in time order this is exactly the gap rule).
                                if let Some(o) = previous {
                                    events.push(ContactEvent {
                                        kind: ContactEventKind::Ended,
                                        episode: o.episode,
                                    });
                                }
                                let episode = Episode {
                                    persons: pair,
                                    first_seen: time(when),
                                    last_seen: time(when),
                                    meetings: 1,
                                    closest_m: d,
                                    place,
                                    trigger: fix.location,
                                };
                                self.open.insert(
                                    pair,
                                    Open {
                                        episode,
                                        first: when,
                                        last: when,
                                    },
                                );
                                events.push(ContactEvent {
                                    kind: ContactEventKind::Started,
                                    episode,
                                });
                            }
                        }
                    }
                }
            }
        }
        self.cells
            .entry(self.grid.key(lat, lon))
            .or_default()
            .push(Rec {
                lat,
                lon,
                t,
                loc: fix.location,
                person: fix.person,
            });
        self.newest = Some(self.newest.map_or(t, |n| n.max(t)));
        self.since_sweep += 1;
        if self.since_sweep >= 4096 {
            self.evict();
        }
        events
    }

    /// Forgets a person (erasure): their retained fixes, and every open episode involving
    /// them, without reporting it (an `Ended` event would publish data about them). Returns
    /// the episodes dropped. Their later fixes must be kept away by the caller.
    pub fn forget_person(&mut self, person: PersonId) -> Vec<Episode> {
        let retained = &mut self.retained;
        self.cells.retain(|_, cell| {
            cell.retain(|r| {
                let keep = r.person != person;
                if !keep {
                    retained.remove(&r.loc);
                }
                keep
            });
            !cell.is_empty()
        });
        let mut dropped = Vec::new();
        self.open.retain(|pair, o| {
            let keep = pair.0 != person && pair.1 != person;
            if !keep {
                dropped.push(o.episode);
            }
            keep
        });
        dropped
    }

    /// The newest fix time seen minus the allowed lateness.
    pub fn watermark(&self) -> Option<Timestamp> {
        self.watermark_us().map(time)
    }

    fn watermark_us(&self) -> Option<i64> {
        let late = i64::from(self.config.lateness_s) * 1_000_000;
        self.newest.map(|n| n.saturating_sub(late))
    }

    /// Ends every episode whose last meeting is more than `gap_s` before the watermark, and
    /// evicts fixes too old to meet anything that arrives in time.
    pub fn close_expired(&mut self) -> Vec<ContactEvent> {
        self.evict();
        let Some(mark) = self.watermark_us() else {
            return Vec::new();
        };
        let gap = i64::from(self.config.gap_s) * 1_000_000;
        let mut ended: Vec<ContactEvent> = Vec::new();
        self.open.retain(|_, o| {
            let keep = o.last.saturating_add(gap) >= mark;
            if !keep {
                ended.push(ContactEvent {
                    kind: ContactEventKind::Ended,
                    episode: o.episode,
                });
            }
            keep
        });
        ended.sort_by_key(|e| (e.episode.last_seen, e.episode.persons));
        ended
    }

    /// Ends every open episode (at shutdown, or at the end of a finite stream).
    pub fn flush(&mut self) -> Vec<ContactEvent> {
        let mut ended: Vec<ContactEvent> = self
            .open
            .drain()
            .map(|(_, o)| ContactEvent {
                kind: ContactEventKind::Ended,
                episode: o.episode,
            })
            .collect();
        ended.sort_by_key(|e| (e.episode.last_seen, e.episode.persons));
        ended
    }

    fn evict(&mut self) {
        self.since_sweep = 0;
        let Some(mark) = self.watermark_us() else {
            return;
        };
        let cutoff = mark.saturating_sub(i64::from(self.config.window_s) * 1_000_000);
        let retained = &mut self.retained;
        self.cells.retain(|_, cell| {
            cell.retain(|r| {
                let keep = r.t >= cutoff;
                if !keep {
                    retained.remove(&r.loc);
                }
                keep
            });
            !cell.is_empty()
        });
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use udaconnect_domain::haversine_m;

    use super::*;

    fn fix(loc: i64, person: i64, lat: f64, lon: f64, t_s: i64) -> Fix {
        Fix {
            location: LocationId::new(loc).unwrap(),
            person: PersonId::new(person).unwrap(),
            coordinates: Coordinates::new(lat, lon).unwrap(),
            time: time(t_s * 1_000_000),
        }
    }

    /// Per pair: its episodes as (first µs, last µs, meetings, closest m).
    type Episodes = BTreeMap<(PersonId, PersonId), Vec<(i64, i64, u64, f64)>>;

    /// Per pair: the episodes by brute force.
    fn brute(fixes: &[Fix], c: DetectorConfig) -> Episodes {
        let mut meetings: BTreeMap<(PersonId, PersonId), Vec<(i64, f64)>> = BTreeMap::new();
        for (i, f) in fixes.iter().enumerate() {
            for g in &fixes[..i] {
                let (tf, tg) = (micros(f.time), micros(g.time));
                if f.person == g.person || (tf - tg).abs() > i64::from(c.window_s) * 1_000_000 {
                    continue;
                }
                let d = haversine_m(
                    f.coordinates.lat(),
                    f.coordinates.lon(),
                    g.coordinates.lat(),
                    g.coordinates.lon(),
                );
                if d <= c.distance_m {
                    let pair = (f.person.min(g.person), f.person.max(g.person));
                    meetings.entry(pair).or_default().push((tf.max(tg), d));
                }
            }
        }
        let gap = i64::from(c.gap_s) * 1_000_000;
        meetings
            .into_iter()
            .map(|(pair, mut ms)| {
                ms.sort_by_key(|a| a.0);
                let mut eps: Vec<(i64, i64, u64, f64)> = Vec::new();
                for (t, d) in ms {
                    match eps.last_mut() {
                        Some(e) if t <= e.1 + gap => {
                            e.1 = t;
                            e.2 += 1;
                            e.3 = e.3.min(d);
                        }
                        _ => eps.push((t, t, 1, d)),
                    }
                }
                (pair, eps)
            })
            .collect()
    }

    #[test]
    fn an_ongoing_meeting_is_one_episode_and_ends_after_the_gap() {
        let c = DetectorConfig {
            distance_m: 5.0,
            window_s: 60,
            gap_s: 120,
            lateness_s: 0,
        };
        let mut d = ContactDetector::new(c);
        let mut started = Vec::new();
        // Two people side by side (about 1.1 m apart) for ten minutes, a fix every 10 s.
        for i in 0..60 {
            started.extend(d.observe(fix(2 * i + 1, 1, 37.0, -122.0, i * 10)));
            started.extend(d.observe(fix(2 * i + 2, 2, 37.00001, -122.0, i * 10 + 1)));
            assert!(d.close_expired().is_empty(), "still together at {i}");
        }
        assert_eq!(started.len(), 1, "one episode, not an event per fix");
        assert_eq!(started[0].kind, ContactEventKind::Started);
        assert_eq!(started[0].episode.trigger, LocationId::new(2).unwrap());
        // Person 1 walks away; time moves on past the gap.
        d.observe(fix(1000, 1, 38.0, -122.0, 600 + 100));
        assert!(d.close_expired().is_empty(), "gap not over yet");
        d.observe(fix(1001, 1, 38.0, -122.0, 591 + 121));
        let ended = d.close_expired();
        assert_eq!(ended.len(), 1);
        let e = ended[0].episode;
        assert_eq!(ended[0].kind, ContactEventKind::Ended);
        assert_eq!(e.first_seen, time(1_000_000));
        assert_eq!(e.last_seen, time(591_000_000));
        assert!((e.closest_m - 1.11).abs() < 0.01, "{}", e.closest_m);
        assert!(d.retained() < 10, "old fixes evicted: {}", d.retained());
    }

    #[test]
    fn redelivered_fixes_are_not_counted_twice() {
        let mut d = ContactDetector::new(DetectorConfig::default());
        assert!(d.observe(fix(1, 1, 10.0, 10.0, 0)).is_empty());
        assert_eq!(d.observe(fix(2, 2, 10.0, 10.0, 1)).len(), 1);
        assert!(d.observe(fix(2, 2, 10.0, 10.0, 1)).is_empty());
        assert_eq!(d.flush()[0].episode.meetings, 1);
    }

    #[test]
    fn forgetting_a_person_drops_their_fixes_and_open_episodes_silently() {
        let mut d = ContactDetector::new(DetectorConfig::default());
        d.observe(fix(1, 1, 10.0, 10.0, 0));
        assert_eq!(d.observe(fix(2, 2, 10.0, 10.0, 1)).len(), 1);
        assert_eq!(d.observe(fix(3, 3, 10.0, 10.0, 2)).len(), 2);
        assert_eq!(d.open_episodes(), 3);
        let dropped = d.forget_person(PersonId::new(2).unwrap());
        assert_eq!(dropped.len(), 2, "1-2 and 2-3");
        assert_eq!((d.open_episodes(), d.retained()), (1, 2));
        // A later fix next to where 2 was meets only 1 and 3 (episodes already open).
        assert!(d.observe(fix(4, 4, 10.0, 10.0, 3)).len() == 2);
        let ended = d.flush();
        assert!(
            ended
                .iter()
                .all(|e| e.episode.persons.0.get() != 2 && e.episode.persons.1.get() != 2)
        );
        assert_eq!(d.forget_person(PersonId::new(2).unwrap()).len(), 0);
    }

    fn stream() -> impl Strategy<Value = Vec<Fix>> {
        // Few people, a small area (some pairs within 5 m, some not), times in a short span,
        // points near the antimeridian sometimes.
        let one = (1i64..6, 0u32..40, 0u32..40, 0i64..3_000, prop::bool::ANY);
        prop::collection::vec(one, 1..120).prop_map(|raw| {
            let mut fixes: Vec<Fix> = raw
                .into_iter()
                .enumerate()
                .map(|(i, (p, a, b, t, wrap))| {
                    let lon0 = if wrap { 179.99998 } else { 2.35 };
                    let mut lon = lon0 + f64::from(b) * 0.000_002;
                    if lon > 180.0 {
                        lon -= 360.0;
                    }
                    fix(i as i64 + 1, p, 48.85 + f64::from(a) * 0.000_002, lon, t)
                })
                .collect();
            fixes.sort_by_key(|f| (f.time, f.location));
            fixes
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn in_order_streams_match_brute_force(fixes in stream(), gap in 0u32..400, window in 0u32..200) {
            let c = DetectorConfig { distance_m: 5.0, window_s: window, gap_s: gap, lateness_s: 0 };
            let mut d = ContactDetector::new(c);
            let mut got: Episodes = BTreeMap::new();
            let mut started: BTreeMap<(PersonId, PersonId), usize> = BTreeMap::new();
            let mut record = |e: ContactEvent| match e.kind {
                ContactEventKind::Started => *started.entry(e.episode.persons).or_default() += 1,
                ContactEventKind::Ended => got.entry(e.episode.persons).or_default().push((
                    micros(e.episode.first_seen),
                    micros(e.episode.last_seen),
                    e.episode.meetings,
                    e.episode.closest_m,
                )),
            };
            for (i, f) in fixes.iter().enumerate() {
                d.observe(*f).into_iter().for_each(&mut record);
                if i % 7 == 0 {
                    d.close_expired().into_iter().for_each(&mut record);
                }
            }
            d.flush().into_iter().for_each(&mut record);
            let expected = brute(&fixes, c);
            prop_assert_eq!(&got, &expected);
            let expected_starts: BTreeMap<_, usize> = expected.iter().map(|(k, v)| (*k, v.len())).collect();
            prop_assert_eq!(started, expected_starts);
        }
    }
}
