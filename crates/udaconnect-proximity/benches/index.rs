//! Proximity index benchmarks on the simulated 3-day conference.
//!
//! `cargo bench -p udaconnect-proximity` runs 1M fixes (1,000 attendees);
//! `UDACONNECT_BENCH_10M=1` adds 10M (10,000 attendees in a hall with 10x the area, 10x the
//! booths and 10x the hotels: the same densities as 1M).
//! Besides criterion's figures it prints bytes per fix and per-query p50/p99 to stderr.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use udaconnect_domain::{PersonId, Timestamp};
use udaconnect_proximity::ProximityIndex;
use udaconnect_proximity::sim::ConferenceConfig;

const DISTANCE_M: f64 = 5.0;
const WINDOW_S: u32 = 300;

fn scale(attendees: u32) -> ConferenceConfig {
    let k = (f64::from(attendees) / 1_000.0).sqrt();
    ConferenceConfig {
        attendees,
        booths: 40 * attendees / 1_000,
        // As many people per hotel as at 1M (12 hotels per 1,000 attendees).
        hotels: (12 * attendees / 1_000).max(1),
        hall_width_m: 200.0 * k,
        hall_depth_m: 100.0 * k,
        ..ConferenceConfig::default()
    }
}

fn window(cfg: &ConferenceConfig) -> (Timestamp, Timestamp) {
    (cfg.start, cfg.start + days(cfg.days))
}

fn days(d: u32) -> std::time::Duration {
    Duration::from_secs(u64::from(d) * 86_400)
}

fn percentiles(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort_unstable();
    (v[v.len() / 2], v[v.len() * 99 / 100])
}

/// v1 (POC) semantics for one person: others' fixes within the distance of each own fix of
/// the first day, any time of day in the window.
fn v1(ix: &ProximityIndex, person: PersonId, cfg: &ConferenceConfig) -> usize {
    let (from, _) = window(cfg);
    let to = from + days(1);
    let others_to = to + days(1);
    ix.fixes_of(person, from, to)
        .iter()
        .map(|f| {
            ix.near(f.coordinates, from, others_to, DISTANCE_M)
                .iter()
                .filter(|g| g.person != person)
                .count()
        })
        .sum()
}

fn run(c: &mut Criterion, attendees: u32, label: &str) {
    let cfg = scale(attendees);
    let fixes: Vec<_> = cfg.fixes().collect();
    let started = Instant::now();
    let cell_m = std::env::var("UDACONNECT_BENCH_CELL_M")
        .ok()
        .and_then(|v| v.parse().ok());
    let mut ix =
        ProximityIndex::with_cell_m(cell_m.unwrap_or(udaconnect_proximity::DEFAULT_CELL_M));
    ix.extend(fixes.iter().copied());
    let build = started.elapsed();
    let n = ix.len();
    eprintln!(
        "[{label}] fixes={n} build={build:?} memory={} B bytes/fix={:.1}",
        ix.memory_bytes(),
        ix.memory_bytes() as f64 / n as f64
    );
    let (from, to) = window(&cfg);
    let persons: Vec<PersonId> = (0..1_000u64)
        .map(|i| PersonId::new(1 + ((i * 7_919) % u64::from(attendees)) as i64).expect("positive"))
        .collect();
    let mut times = Vec::new();
    let mut contacts = 0;
    for &p in &persons {
        let t = Instant::now();
        contacts += black_box(ix.contacts_of(p, from, to, DISTANCE_M, WINDOW_S)).len();
        times.push(t.elapsed());
    }
    let (p50, p99) = percentiles(times);
    eprintln!(
        "[{label}] contacts_of (5 m, ±300 s, all 3 days): p50={p50:?} p99={p99:?} avg contacts/person={}",
        contacts / persons.len()
    );
    let mut times = Vec::new();
    let mut rows = 0;
    for &p in persons.iter().take(50) {
        let t = Instant::now();
        rows += black_box(v1(&ix, p, &cfg));
        times.push(t.elapsed());
    }
    let (p50, p99) = percentiles(times);
    eprintln!(
        "[{label}] v1 near per person (day 1, 5 m): p50={p50:?} p99={p99:?} avg rows/person={}",
        rows / 50
    );

    let mut g = c.benchmark_group(label);
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("build", |b| {
        b.iter(|| black_box(fixes.iter().copied().collect::<ProximityIndex>().len()))
    });
    drop(fixes);
    let mut i = 0;
    g.sample_size(50).measurement_time(Duration::from_secs(5));
    g.bench_function("contacts_of", |b| {
        b.iter(|| {
            i = (i + 1) % persons.len();
            black_box(ix.contacts_of(persons[i], from, to, DISTANCE_M, WINDOW_S))
        })
    });
    g.bench_function("v1_near_per_person", |b| {
        b.iter(|| {
            i = (i + 1) % persons.len();
            black_box(v1(&ix, persons[i], &cfg))
        })
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    run(c, 1_000, "1M");
    if std::env::var_os("UDACONNECT_BENCH_10M").is_some() {
        run(c, 10_000, "10M");
    }
}

criterion_group!(index, benches);
criterion_main!(index);
