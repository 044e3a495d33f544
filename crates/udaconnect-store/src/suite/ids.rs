//! Suite case for hi/lo id reservation.

use super::{
    StoreFactory,
    fixtures::{fix, micros, person},
};

const T0: i64 = 1_597_747_026_123_456; // 2020-08-18T10:37:06.123456Z

/// Ranges never overlap each other or any stored id, imported ones included.
pub async fn reserved_ids_are_disjoint_and_above_stored_ids(f: &dyn StoreFactory) {
    let store = f.fresh().await;
    store.import_persons(&[person(1)]).await.unwrap();
    let first = store.reserve_location_ids(10).await.unwrap();
    assert_eq!(first.end - first.start, 10);
    assert!(first.start >= 1);
    let imported = [
        fix(100, 1, 0.0, 0.0, micros(T0)),
        fix(5000, 1, 0.0, 0.0, micros(T0)),
    ];
    store.insert_locations(&imported).await.unwrap();
    let second = store.reserve_location_ids(1000).await.unwrap();
    assert_eq!(second.end - second.start, 1000);
    assert!(second.start > 5000, "{second:?} above imported id 5000");
    let empty = store.reserve_location_ids(0).await.unwrap();
    assert!(empty.is_empty());
    // The ingest service stores fixes under reserved ids; later ranges stay above them.
    let used = fix(second.start + 3, 1, 0.0, 0.0, micros(T0));
    store.insert_locations(&[used]).await.unwrap();
    let mut ranges = vec![first, second];
    for n in [1, 7, 500] {
        ranges.push(store.reserve_location_ids(n).await.unwrap());
    }
    for (i, a) in ranges.iter().enumerate() {
        for b in &ranges[i + 1..] {
            assert!(
                a.end <= b.start,
                "{a:?} then {b:?} must be disjoint and increasing"
            );
        }
    }
}
