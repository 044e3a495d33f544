//! The v2 contact query, side by side on the same data in one process: whom person P met
//! (within `DISTANCE_M` of each other **and** within ±`WINDOW_S` seconds), grouped per other
//! person, answered by
//!
//! * (a) `udaconnect_proximity::ProximityIndex::contacts_of`, in memory;
//! * (b) one set-based PostGIS statement (`CONTACTS_SQL`) on the PostgreSQL store's schema:
//!   the person's own fixes via the B-tree on (person_id, creation_time), each joined
//!   (LATERAL) to the candidates of a GiST search on `geography(Point, 4326)` with the time
//!   window as a filter, grouped per other person.
//!
//! Data: the simulated conference (`ConferenceConfig::default()`, ~1.08M fixes of 1,000
//! attendees over 3 days), loaded into a fresh database through the store
//! (`PostgresStore::connect` runs the migrations, `import_persons`, `insert_locations` in
//! batches of 10k), then `VACUUM ANALYZE`. For the same seeded random persons both answers
//! are timed and compared: the set of (other person, meetings) must be equal, and so must
//! first/last meeting time and the closest distance; any difference fails the bench.
//!
//! Needs a server: `eval "$(scripts/postgres.sh start)"`, then
//! `cargo bench -p udaconnect-store --bench contacts_vs_postgis`. Environment:
//!
//! * `UDACONNECT_BENCH_FIXES=N`: about N fixes (fewer attendees in the same hall, truncated
//!   to N), for a quick run; `UDACONNECT_BENCH_ATTENDEES=N` sets the attendees directly;
//! * `UDACONNECT_BENCH_PERSONS=N`: persons queried (default 50).
//!
//! * `UDACONNECT_BENCH_V1_PERSONS=N`: persons asked the v1 (POC-semantics) question, day 1
//!   only (default 10; 0 skips it).
//!
//! Then the v1 question, the POC's semantics (no time window: every other fix within the
//! distance of any own fix of day 1, other fixes from day 1 to the end of day 2), side by side:
//! the read model's way (`fixes_of` + `near` per own fix, as `ReadModel::connections`) against
//! the store's own set-based statement (`PostgresStore::find_connection_locations`, GiST);
//! the answers (fix ids, in order) must be identical.
//!
//! Without `UDACONNECT_TEST_POSTGRES` it prints that it is skipped. Under `cargo test
//! --benches` (no `--bench` argument) it only checks both answers on a tiny conference.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::str::FromStr;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use udaconnect_domain::{
    ConnectionQuery, DistanceMeters, EventId, Location, LocationRecorded, Person, PersonId,
};
use udaconnect_proximity::sim::ConferenceConfig;
use udaconnect_proximity::{Fix, ProximityIndex};
use udaconnect_store::postgres::{PgOptions, PostgresStore};
use udaconnect_store::{LocationStore, PersonStore};

const DISTANCE_M: f64 = 5.0;
const WINDOW_S: u32 = 300;
const BATCH: usize = 10_000;
/// The simulator's fixes per attendee and day (one every 240 s on average).
const FIXES_PER_DAY: usize = 86_400 / 240;
const SEED: u64 = 0x5EED_C0DE;

/// The contact query on the store's schema.
///   $1 person id   $2 own window start   $3 own window end (exclusive)
///   $4 distance (metres, inclusive)   $5 time window (seconds, inclusive)
///
/// The GiST condition is ST_DWithin on the sphere with the distance widened by 1e-6 relative
/// plus 1 m (PostGIS's sphere radius differs from the domain's in the 9th digit);
/// `udc_haversine_m` (the domain's haversine, bit for bit; see the migration) is the exact
/// test, as in the store's connection query, so both sides answer exactly the same pairs.
/// `own` is MATERIALIZED for the reason given in `queries/postgres/connection_locations.sql`.
const CONTACTS_SQL: &str = "
WITH own AS MATERIALIZED (
    SELECT coordinate,
           creation_time,
           ST_Y(coordinate::geometry) AS latitude,
           ST_X(coordinate::geometry) AS longitude
    FROM location
    WHERE person_id = $1
      AND creation_time >= $2
      AND creation_time < $3
)
SELECT c.person_id,
       count(*)             AS meetings,
       min(o.creation_time) AS first_met,
       max(o.creation_time) AS last_met,
       min(c.distance_m)    AS closest_m
FROM own AS o
CROSS JOIN LATERAL (
    SELECT l.person_id,
           udc_haversine_m(o.latitude, o.longitude,
                           ST_Y(l.coordinate::geometry), ST_X(l.coordinate::geometry)) AS distance_m
    FROM location AS l
    WHERE ST_DWithin(o.coordinate, l.coordinate, $4::float8 * 1.000001::float8 + 1.0::float8, false)
      AND l.creation_time BETWEEN o.creation_time - $5::float8 * interval '1 second'
                              AND o.creation_time + $5::float8 * interval '1 second'
      AND l.person_id <> $1
) AS c
WHERE c.distance_m <= $4::float8
GROUP BY c.person_id";

/// Per other person: meetings, first and last meeting (own fix time, µs), closest distance.
type Answer = BTreeMap<i64, (u64, i64, i64, f64)>;
/// A row of `CONTACTS_SQL`.
type Row = (i64, i64, DateTime<Utc>, DateTime<Utc>, f64);

/// Benches are run with `--bench`; `cargo test --benches` passes no such argument.
fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn env_usize(name: &str) -> Option<usize> {
    let v = std::env::var(name).ok()?;
    Some(
        v.parse()
            .unwrap_or_else(|_| panic!("{name}: expected a number, got {v:?}")),
    )
}

/// The conference and how many of its fixes to load.
fn conference() -> (ConferenceConfig, usize) {
    let mut cfg = ConferenceConfig::default();
    if !full_run() {
        cfg.attendees = 30;
        cfg.days = 1;
    }
    let per_attendee = FIXES_PER_DAY * cfg.days as usize;
    let fixes = env_usize("UDACONNECT_BENCH_FIXES").filter(|_| full_run());
    if let Some(n) = env_usize("UDACONNECT_BENCH_ATTENDEES").filter(|_| full_run()) {
        cfg.attendees = n as u32;
    } else if let Some(n) = fixes {
        cfg.attendees = n.div_ceil(per_attendee).max(2) as u32;
    }
    (cfg, fixes.unwrap_or(usize::MAX))
}

/// `n` distinct persons of `1..=attendees`, chosen by a seeded splitmix64.
fn random_persons(attendees: u32, n: usize) -> Vec<i64> {
    let mut state = SEED;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let n = n.min(attendees as usize);
    let mut out: Vec<i64> = Vec::with_capacity(n);
    while out.len() < n {
        let p = 1 + (next() % u64::from(attendees)) as i64;
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

fn percentiles(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort_unstable();
    (v[v.len() / 2], v[v.len() * 99 / 100])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

async fn admin(url: &str, sql: String) {
    let mut conn = PgConnection::connect(url).await.unwrap();
    sqlx::query(AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .unwrap();
    let _ = conn.close().await;
}

/// A fresh database with the store's schema, every attendee and every fix; its URL.
async fn load(admin_url: &str, cfg: &ConferenceConfig, fixes: &[Fix]) -> String {
    let name = format!("udaconnect_bench_contacts_{}", std::process::id());
    admin(admin_url, format!("DROP DATABASE IF EXISTS {name}")).await;
    admin(admin_url, format!("CREATE DATABASE {name}")).await;
    let (base, _) = admin_url.rsplit_once('/').unwrap();
    let url = format!("{base}/{name}");
    let store = PostgresStore::connect(&url, PgOptions::default())
        .await
        .unwrap();
    let first = cfg.first_person_id;
    let persons: Vec<Person> = (first..first + i64::from(cfg.attendees))
        .map(|id| Person {
            id: PersonId::new(id).unwrap(),
            first_name: format!("First{id}"),
            last_name: format!("Last{id}"),
            company_name: "Bench".into(),
        })
        .collect();
    store.import_persons(&persons).await.unwrap();
    let started = Instant::now();
    for chunk in fixes.chunks(BATCH) {
        let batch: Vec<LocationRecorded> = chunk
            .iter()
            .map(|f| LocationRecorded {
                event_id: EventId::for_import("location", f.location.get()),
                location: Location {
                    id: f.location,
                    person_id: f.person,
                    coordinates: f.coordinates,
                    creation_time: f.time,
                },
                received_at: f.time,
            })
            .collect();
        let report = store.insert_locations(&batch).await.unwrap();
        assert_eq!(report.inserted, batch.len() as u64);
    }
    let insert = started.elapsed();
    store.close().await;
    let started = Instant::now();
    admin(&url, "VACUUM ANALYZE location".into()).await;
    println!(
        "postgis: {} fixes loaded with insert_locations (batches of {BATCH}) in {:.1} s, VACUUM ANALYZE {:.1} s",
        fixes.len(),
        insert.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    url
}

fn index_answer(
    ix: &ProximityIndex,
    person: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Answer {
    let contacts = ix.contacts_of(
        PersonId::new(person).unwrap(),
        from,
        to,
        DISTANCE_M,
        WINDOW_S,
    );
    contacts
        .iter()
        .map(|c| {
            let v = (
                c.meetings,
                c.first_met.timestamp_micros(),
                c.last_met.timestamp_micros(),
                c.closest_m,
            );
            (c.person.get(), v)
        })
        .collect()
}

async fn postgis_answer(
    conn: &mut PgConnection,
    person: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Answer {
    let rows: Vec<Row> = sqlx::query_as(CONTACTS_SQL)
        .bind(person)
        .bind(from)
        .bind(to)
        .bind(DISTANCE_M)
        .bind(f64::from(WINDOW_S))
        .fetch_all(conn)
        .await
        .unwrap();
    rows.into_iter()
        .map(|(p, n, first, last, d)| {
            let v = (
                n as u64,
                first.timestamp_micros(),
                last.timestamp_micros(),
                d,
            );
            (p, v)
        })
        .collect()
}

/// The differences between two answers, as readable lines (empty if equal).
fn differences(person: i64, ix: &Answer, pg: &Answer) -> Vec<String> {
    let mut out = Vec::new();
    for (p, a) in ix {
        match pg.get(p) {
            None => out.push(format!("person {person}: {p} {a:?} only in the index")),
            Some(b) if a != b => {
                out.push(format!("person {person}: {p} index {a:?} != postgis {b:?}"))
            }
            Some(_) => {}
        }
    }
    for (p, b) in pg {
        if !ix.contains_key(p) {
            out.push(format!("person {person}: {p} {b:?} only in PostGIS"));
        }
    }
    out
}

async fn explain(conn: &mut PgConnection, person: i64, from: DateTime<Utc>, to: DateTime<Utc>) {
    let sql = format!("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {CONTACTS_SQL}");
    let plan: Vec<String> = sqlx::query_scalar(AssertSqlSafe(sql))
        .bind(person)
        .bind(from)
        .bind(to)
        .bind(DISTANCE_M)
        .bind(f64::from(WINDOW_S))
        .fetch_all(conn)
        .await
        .unwrap();
    println!(
        "EXPLAIN (ANALYZE, BUFFERS) person {person}:\n{}",
        plan.join("\n")
    );
}

/// The v1 answer from the index, as `ReadModel::connections` computes it: ids of the other
/// people's fixes, per own fix (by id), by id.
fn index_v1(ix: &ProximityIndex, q: &ConnectionQuery) -> Vec<i64> {
    let (own_from, own_to) = q.own_window();
    let (others_from, others_to) = q.others_window();
    let mut own = ix.fixes_of(q.person_id, own_from, own_to);
    own.sort_unstable_by_key(|f| f.location);
    let mut out = Vec::new();
    for f in &own {
        let mut near: Vec<Fix> = ix
            .near(f.coordinates, others_from, others_to, q.distance.metres())
            .into_iter()
            .filter(|g| g.person != q.person_id)
            .collect();
        near.sort_unstable_by_key(|g| g.location);
        out.extend(near.into_iter().map(|g| g.location.get()));
    }
    out
}

/// v1 side by side on day 1 for `persons`; panics when the answers differ.
async fn v1_side_by_side(url: &str, ix: &ProximityIndex, cfg: &ConferenceConfig, persons: &[i64]) {
    if persons.is_empty() {
        return;
    }
    let store = PostgresStore::connect(url, PgOptions::default())
        .await
        .unwrap();
    let day = cfg.start.date_naive();
    let query = |p: i64| {
        ConnectionQuery::new(
            PersonId::new(p).unwrap(),
            day,
            day.succ_opt().unwrap(),
            DistanceMeters::new(DISTANCE_M).unwrap(),
        )
        .unwrap()
    };
    // Warm-up, untimed.
    black_box(index_v1(ix, &query(persons[0])));
    black_box(
        store
            .find_connection_locations(&query(persons[0]))
            .await
            .unwrap(),
    );
    let (mut t_ix, mut t_pg, mut rows) = (Vec::new(), Vec::new(), 0usize);
    for &p in persons {
        let q = query(p);
        let t = Instant::now();
        let a = black_box(index_v1(ix, &q));
        t_ix.push(t.elapsed());
        let t = Instant::now();
        let b = black_box(store.find_connection_locations(&q).await.unwrap());
        t_pg.push(t.elapsed());
        let b: Vec<i64> = b.iter().map(|l| l.id.get()).collect();
        assert_eq!(a.len(), b.len(), "person {p}: v1 answers differ in length");
        assert!(a == b, "person {p}: v1 answers differ");
        rows += a.len();
    }
    store.close().await;
    let n = persons.len();
    let (ix50, ix99) = percentiles(t_ix);
    let (pg50, pg99) = percentiles(t_pg);
    println!(
        "v1 (POC semantics, day 1, {DISTANCE_M} m): {n} persons, avg {} rows per person; answers identical",
        rows / n
    );
    println!(
        "v1 index fixes_of+near: p50 {:9.3} ms  p99 {:9.3} ms",
        ms(ix50),
        ms(ix99)
    );
    println!(
        "v1 postgis store query: p50 {:9.3} ms  p99 {:9.3} ms",
        ms(pg50),
        ms(pg99)
    );
    println!(
        "v1 ratio postgis/index: p50 {:.1}x  p99 {:.1}x",
        pg50.as_secs_f64() / ix50.as_secs_f64(),
        pg99.as_secs_f64() / ix99.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let Ok(admin_url) = std::env::var("UDACONNECT_TEST_POSTGRES") else {
        println!("contacts_vs_postgis bench skipped: UDACONNECT_TEST_POSTGRES is not set");
        return;
    };
    let (cfg, limit) = conference();
    let n_persons = if full_run() {
        env_usize("UDACONNECT_BENCH_PERSONS").unwrap_or(50)
    } else {
        3
    };
    let fixes: Vec<Fix> = cfg.fixes().take(limit).collect();
    println!(
        "conference: {} attendees, {} days, {} fixes; query: {DISTANCE_M} m, ±{WINDOW_S} s, all days",
        cfg.attendees,
        cfg.days,
        fixes.len()
    );

    let started = Instant::now();
    let ix: ProximityIndex = fixes.iter().copied().collect();
    println!(
        "index: built in {:.2} s, {:.1} bytes/fix",
        started.elapsed().as_secs_f64(),
        ix.memory_bytes() as f64 / ix.len() as f64
    );
    let url = load(&admin_url, &cfg, &fixes).await;
    drop(fixes);

    // As the store's own connections: without JIT (see `PostgresStore::connect`).
    let options = PgConnectOptions::from_str(&url)
        .unwrap()
        .options([("jit", "off")]);
    let mut conn = PgConnection::connect_with(&options).await.unwrap();

    let (from, to) = (
        cfg.start,
        cfg.start + Duration::from_secs(u64::from(cfg.days) * 86_400),
    );
    let persons = random_persons(cfg.attendees, n_persons);
    // Warm-up (caches, prepared statement), untimed.
    for &p in persons.iter().take(3) {
        black_box(index_answer(&ix, p, from, to));
        black_box(postgis_answer(&mut conn, p, from, to).await);
    }
    if full_run() {
        explain(&mut conn, persons[0], from, to).await;
    }

    let (mut t_ix, mut t_pg) = (Vec::new(), Vec::new());
    let (mut contacts, mut meetings, mut mismatches) = (0, 0, Vec::new());
    for &p in &persons {
        let t = Instant::now();
        let a = black_box(index_answer(&ix, p, from, to));
        t_ix.push(t.elapsed());
        let t = Instant::now();
        let b = black_box(postgis_answer(&mut conn, p, from, to).await);
        t_pg.push(t.elapsed());
        contacts += a.len();
        meetings += a.values().map(|v| v.0).sum::<u64>();
        mismatches.extend(differences(p, &a, &b));
    }
    let _ = conn.close().await;
    let v1_persons = if full_run() {
        env_usize("UDACONNECT_BENCH_V1_PERSONS").unwrap_or(10)
    } else {
        2
    };
    v1_side_by_side(&url, &ix, &cfg, &persons[..v1_persons.min(persons.len())]).await;
    admin(&admin_url, {
        let name = url.rsplit('/').next().unwrap();
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    })
    .await;

    let n = persons.len();
    let (ix50, ix99) = percentiles(t_ix);
    let (pg50, pg99) = percentiles(t_pg);
    println!(
        "{n} persons (seed {SEED:#x}), avg {} contacts and {} meetings per person",
        contacts / n,
        meetings / n as u64
    );
    println!(
        "index   contacts_of: p50 {:9.3} ms  p99 {:9.3} ms",
        ms(ix50),
        ms(ix99)
    );
    println!(
        "postgis lateral SQL: p50 {:9.3} ms  p99 {:9.3} ms",
        ms(pg50),
        ms(pg99)
    );
    println!(
        "ratio postgis/index: p50 {:.0}x  p99 {:.0}x",
        pg50.as_secs_f64() / ix50.as_secs_f64(),
        pg99.as_secs_f64() / ix99.as_secs_f64()
    );
    if mismatches.is_empty() {
        println!(
            "answers: identical for all {n} persons (contacts, meetings, first/last met, closest distance)"
        );
    } else {
        for m in mismatches.iter().take(20) {
            eprintln!("{m}");
        }
        panic!("answers differ: {} differences", mismatches.len());
    }
}
