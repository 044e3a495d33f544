//! Suite cases for `find_connection_locations`: the store must return exactly what a
//! brute-force scan over all pairs returns, on data built to sit on every boundary.

use udaconnect_domain::{ConnectionQuery, DistanceMeters, Location, LocationRecorded, haversine_m};

use super::{
    StoreFactory,
    fixtures::{day, person, pid},
};

mod data;

use data::{DISTANCES, OWNER, Pair, dataset};

fn query(person: i64, start: (u32, u32), end: (u32, u32), d: f64) -> ConnectionQuery {
    ConnectionQuery::new(
        pid(person),
        day(2020, start.0, start.1),
        day(2020, end.0, end.1),
        DistanceMeters::new(d).expect("valid test distance"),
    )
    .expect("valid test query")
}

/// Every (own fix, other fix) pair within the query's windows, with its haversine
/// distance, ordered by own fix id then other fix id.
fn pairs<'a>(fixes: &'a [LocationRecorded], q: &ConnectionQuery) -> Vec<Pair<'a>> {
    let (own_start, own_end) = q.own_window();
    let (other_start, other_end) = q.others_window();
    let mut own: Vec<&Location> = fixes
        .iter()
        .map(|f| &f.location)
        .filter(|l| l.person_id == q.person_id)
        .filter(|l| own_start <= l.creation_time && l.creation_time < own_end)
        .collect();
    let mut others: Vec<&Location> = fixes
        .iter()
        .map(|f| &f.location)
        .filter(|l| l.person_id != q.person_id)
        .filter(|l| other_start <= l.creation_time && l.creation_time < other_end)
        .collect();
    own.sort_by_key(|l| l.id);
    others.sort_by_key(|l| l.id);
    let mut out = Vec::with_capacity(own.len() * others.len());
    for o in &own {
        for x in &others {
            let (a, b) = (o.coordinates, x.coordinates);
            let metres = haversine_m(a.lat(), a.lon(), b.lat(), b.lon());
            out.push(Pair {
                own: o,
                other: x,
                metres,
            });
        }
    }
    out
}

/// The answer by definition: the other fix of every pair at most `distance` apart.
fn brute_force(pairs: &[Pair<'_>], q: &ConnectionQuery) -> Vec<Location> {
    pairs
        .iter()
        .filter(|p| p.metres <= q.distance.metres())
        .map(|p| p.other.clone())
        .collect()
}

/// Queries for the data owner and for one other person, several radii and windows
/// (including an empty own window: start == end).
fn queries() -> Vec<ConnectionQuery> {
    let windows = [
        ((1, 1), (1, 3)),
        ((1, 2), (1, 2)),
        ((1, 1), (1, 5)),
        ((1, 3), (1, 4)),
    ];
    let mut out = Vec::new();
    for (start, end) in windows {
        for d in DISTANCES {
            out.push(query(OWNER, start, end, d));
        }
        for d in [5.0, 50.0, 2_000.0] {
            out.push(query(OWNER + 2, start, end, d));
        }
    }
    out
}

/// Points at exactly d and at d × (1 ± 1e-12), d × (1 ± 1e-9): the store must agree with
/// the domain's haversine to the last bit.
pub async fn connection_locations_match_brute_force(f: &dyn StoreFactory) {
    check_against_brute_force(f, 0.0).await;
}

/// The same, with boundary points only at d × (1 ± `margin`): for adapters whose distance
/// arithmetic differs from the domain's in the last bits (e.g. PostGIS on the sphere).
pub async fn connection_locations_match_brute_force_with_margin(f: &dyn StoreFactory, margin: f64) {
    check_against_brute_force(f, margin).await;
}

async fn check_against_brute_force(f: &dyn StoreFactory, margin: f64) {
    let store = f.fresh().await;
    let persons: Vec<_> = (1..=data::PERSONS).map(person).collect();
    store.import_persons(&persons).await.unwrap();
    let fixes = dataset(0x00C0_FFEE, margin);
    for batch in fixes.chunks(997) {
        store.insert_locations(batch).await.unwrap();
    }
    assert_eq!(store.count_locations().await.unwrap(), fixes.len() as u64);
    let mut coverage = data::Coverage::default();
    for q in queries() {
        let pairs = pairs(&fixes, &q);
        let expected = brute_force(&pairs, &q);
        let got = store.find_connection_locations(&q).await.unwrap();
        assert_eq!(got.len(), expected.len(), "number of matches for {q:?}");
        assert!(got == expected, "matches differ for {q:?}");
        coverage.record(&pairs, q.distance.metres());
    }
    coverage.assert_exercised(margin);
}

/// A person without fixes (or not stored at all) has no connections.
pub async fn connection_locations_of_unknown_person_are_empty(f: &dyn StoreFactory) {
    let store = f.fresh().await;
    store.import_persons(&[person(1), person(2)]).await.unwrap();
    let fixes = dataset(7, 0.0);
    let some: Vec<_> = fixes
        .into_iter()
        .filter(|f| f.location.person_id.get() <= 2)
        .collect();
    store.insert_locations(&some).await.unwrap();
    for p in [3, 999] {
        let got = store
            .find_connection_locations(&query(p, (1, 1), (1, 5), 100_000.0))
            .await
            .unwrap();
        assert!(
            got.is_empty(),
            "person {p} has no fixes, got {} matches",
            got.len()
        );
    }
}
