//! Retention and erasure: after `purge_before` (and `remove_person`) the index answers exactly
//! what a brute-force scan of the remaining fixes answers, and inserts still work.

mod common;

use common::{brute_contacts, brute_near, build_fixes, raw_fix, ts};
use proptest::prelude::*;
use udaconnect_domain::PersonId;
use udaconnect_proximity::{Fix, ProximityIndex};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn purged_index_matches_brute_force_over_the_rest(
        raw in prop::collection::vec(raw_fix(), 1..80),
        split in 0usize..80,
        cutoff in 0i64..2_400_000_000,
        erase in prop::option::of(1i64..6),
        later in prop::collection::vec(raw_fix(), 0..10),
        who in 1i64..6,
        sel in 0usize..80,
    ) {
        let fixes = build_fixes(&raw);
        let mut ix = ProximityIndex::new();
        let split = split.min(fixes.len());
        ix.extend(fixes[..split].iter().copied());
        ix.compact();
        for f in &fixes[split..] {
            ix.insert(*f);
        }
        let removed = ix.purge_before(ts(cutoff));
        let mut rest: Vec<Fix> = fixes.iter().filter(|f| f.time >= ts(cutoff)).copied().collect();
        prop_assert_eq!(removed, fixes.len() - rest.len());
        if let Some(p) = erase {
            let p = PersonId::new(p).unwrap();
            let before = rest.len();
            rest.retain(|f| f.person != p);
            prop_assert_eq!(ix.remove_person(p), before - rest.len());
        }
        // New fixes after the purge land next to what is left.
        let mut more = build_fixes(&later);
        for (i, f) in more.iter_mut().enumerate() {
            f.location = udaconnect_domain::LocationId::new(1_000 + i as i64).unwrap();
            ix.insert(*f);
        }
        rest.extend(more);
        prop_assert_eq!(ix.len(), rest.len());
        prop_assert_eq!(ix.purge_before(ts(cutoff.min(0))), 0, "nothing older is left");
        let all = (ts(-1), ts(3_000_000_000));
        for f in &fixes {
            prop_assert_eq!(ix.contains(f.location), rest.iter().any(|g| g.location == f.location));
        }
        let me = PersonId::new(who).unwrap();
        prop_assert_eq!(
            ix.contacts_of(me, all.0, all.1, 5.0, 300),
            brute_contacts(&rest, me, all.0, all.1, 5.0, 300)
        );
        let point = fixes[sel % fixes.len()].coordinates;
        prop_assert_eq!(
            ix.near(point, all.0, all.1, 20.0),
            brute_near(&rest, point, all.0, all.1, 20.0)
        );
    }
}

#[test]
fn purge_before_forgets_old_fixes_in_segment_and_delta() {
    let mut ix = ProximityIndex::new();
    let fix = |loc: i64, person: i64, s: i64| Fix {
        location: udaconnect_domain::LocationId::new(loc).unwrap(),
        person: PersonId::new(person).unwrap(),
        coordinates: udaconnect_domain::Coordinates::new(10.0, 10.0).unwrap(),
        time: ts(s * 1_000_000),
    };
    ix.extend((1..=10).map(|i| fix(i, 1 + i % 2, i)));
    ix.compact();
    ix.insert(fix(11, 1, 2));
    ix.insert(fix(12, 2, 20));
    // Before 6 s: 1..=5 in the segment and 11 in the delta.
    assert_eq!(ix.purge_before(ts(6_000_000)), 6);
    assert_eq!(ix.len(), 6);
    assert!(!ix.contains(udaconnect_domain::LocationId::new(11).unwrap()));
    assert!(ix.contains(udaconnect_domain::LocationId::new(6).unwrap()));
    assert_eq!(ix.purge_before(ts(6_000_000)), 0);
    let (a, b) = (ts(-1), ts(3_000_000_000));
    let c = ix.contacts_of(PersonId::new(1).unwrap(), a, b, 1.0, 1);
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].first_met, ts(6_000_000));
}
