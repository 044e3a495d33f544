//! The index answers exactly what a brute-force haversine scan answers.

mod common;

use common::{brute_contacts, brute_near, build_fixes, raw_fix, ts};
use proptest::prelude::*;
use udaconnect_domain::{PersonId, haversine_m};
use udaconnect_proximity::{Fix, ProximityIndex};

/// Builds the index with the first `split` fixes in bulk (then compacted into the segment)
/// and the rest inserted one by one (the delta), so both stores are exercised.
fn index(fixes: &[Fix], cell_m: f64, split: usize) -> ProximityIndex {
    let mut ix = ProximityIndex::with_cell_m(cell_m);
    let split = split.min(fixes.len());
    ix.extend(fixes[..split].iter().copied());
    ix.compact();
    for f in &fixes[split..] {
        ix.insert(*f);
    }
    ix
}

/// A query distance: fixed values (including one far beyond the cell design), or exactly the
/// distance of some pair of fixes, or the next float above it (edge inclusive / exclusive).
fn distance(fixes: &[Fix], sel: (usize, usize, u8)) -> f64 {
    let (a, b) = (&fixes[sel.0 % fixes.len()], &fixes[sel.1 % fixes.len()]);
    let exact = haversine_m(
        a.coordinates.lat(),
        a.coordinates.lon(),
        b.coordinates.lat(),
        b.coordinates.lon(),
    );
    match sel.2 % 8 {
        0 => 0.0,
        1 => 5.0,
        2 => 20.0,
        3 => 2_000_000.0,
        4 => exact.next_down(),
        5 => exact.next_up(),
        _ => exact,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn contacts_match_brute_force(
        raw in prop::collection::vec(raw_fix(), 1..80),
        cell in prop::sample::select(vec![1.0, 10.0, 50.0]),
        split in 0usize..80,
        sel in (0usize..80, 0usize..80, 0u8..8),
        window in prop::sample::select(vec![0u32, 60, 300, 100_000]),
        who in 1i64..6,
        range in (0i64..2_400_000_000, 0i64..2_400_000_000),
    ) {
        let fixes = build_fixes(&raw);
        let ix = index(&fixes, cell, split);
        prop_assert_eq!(ix.len(), fixes.len());
        let dist = distance(&fixes, sel);
        let me = PersonId::new(who).unwrap();
        for (from, to) in [(ts(range.0.min(range.1)), ts(range.0.max(range.1))), (ts(-1), ts(3_000_000_000))] {
            let got = ix.contacts_of(me, from, to, dist, window);
            let want = brute_contacts(&fixes, me, from, to, dist, window);
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn near_matches_brute_force(
        raw in prop::collection::vec(raw_fix(), 1..80),
        cell in prop::sample::select(vec![1.0, 10.0, 50.0]),
        split in 0usize..80,
        sel in (0usize..80, 0usize..80, 0u8..8),
        range in (0i64..2_400_000_000, 0i64..2_400_000_000),
    ) {
        let fixes = build_fixes(&raw);
        let ix = index(&fixes, cell, split);
        let dist = distance(&fixes, sel);
        let point = fixes[sel.0 % fixes.len()].coordinates;
        let (from, to) = (ts(range.0.min(range.1)), ts(range.0.max(range.1)));
        prop_assert_eq!(ix.near(point, from, to, dist), brute_near(&fixes, point, from, to, dist));
        let all = (ts(-1), ts(3_000_000_000));
        prop_assert_eq!(ix.near(point, all.0, all.1, dist), brute_near(&fixes, point, all.0, all.1, dist));
    }
}

/// (dx m, dy m, time µs, person, duplicate-of-previous) for a dense crowd.
fn crowd_fix() -> impl Strategy<Value = (f64, f64, i64, i64, bool)> {
    (
        -6.0f64..6.0,
        -6.0f64..6.0,
        (0i64..20).prop_map(|k| k * 30_000_000),
        1i64..5,
        proptest::bool::weighted(0.2),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// A dense crowd (many matches per own fix, many distances near the limit and ties of the
    /// closest pair) at a few latitudes: exercises the pre-check and the deferred closest pair.
    #[test]
    fn dense_contacts_match_brute_force(
        raw in prop::collection::vec(crowd_fix(), 2..160),
        centre in prop::sample::select(vec![(37.7835, -122.4015), (0.0, 0.0), (-71.5, 45.0), (84.0, 178.9)]),
        sel in (0usize..160, 0usize..160, 0u8..8),
        window in prop::sample::select(vec![0u32, 60, 300]),
        who in 1i64..5,
    ) {
        let mut fixes: Vec<Fix> = Vec::new();
        for (i, &(dx, dy, t, p, dup)) in raw.iter().enumerate() {
            let mut f = Fix {
                location: udaconnect_domain::LocationId::new(i as i64 + 1).unwrap(),
                person: PersonId::new(p).unwrap(),
                coordinates: common::offset(centre, dx, dy),
                time: ts(t),
            };
            if let (true, Some(prev)) = (dup, fixes.last()) {
                f.coordinates = prev.coordinates;
            }
            fixes.push(f);
        }
        let ix = index(&fixes, 10.0, fixes.len() / 2);
        let me = PersonId::new(who).unwrap();
        let dist = match sel.2 % 8 {
            0 | 1 => 5.0,
            2 => 3.0,
            _ => distance(&fixes, sel),
        };
        let all = (ts(-1), ts(3_000_000_000));
        prop_assert_eq!(
            ix.contacts_of(me, all.0, all.1, dist, window),
            brute_contacts(&fixes, me, all.0, all.1, dist, window)
        );
    }
}
