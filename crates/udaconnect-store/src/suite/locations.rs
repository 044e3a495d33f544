//! Suite cases for writes and point reads of [`LocationStore`](crate::LocationStore).

use udaconnect_domain::LocationId;

use super::{
    StoreFactory,
    fixtures::{fix, fix_with_event, micros, person},
};
use crate::{InsertReport, StoreError};

fn lid(id: i64) -> LocationId {
    LocationId::new(id).expect("test location ids are positive")
}

const T0: i64 = 1_597_747_026_123_456; // 2020-08-18T10:37:06.123456Z

pub async fn get_unknown_location_is_none(f: &dyn StoreFactory) {
    let store = f.fresh().await;
    assert_eq!(store.get_location(lid(1)).await.unwrap(), None);
    assert_eq!(store.count_locations().await.unwrap(), 0);
}

/// Coordinates (full f64), extreme values, and times to the microsecond, also before 1970.
pub async fn get_location_round_trips_exactly(f: &dyn StoreFactory) {
    let store = f.fresh().await;
    store.import_persons(&[person(1)]).await.unwrap();
    let fixes = vec![
        fix(
            1,
            1,
            37.553_441_123_456_78,
            -122.290_524_987_654_32,
            micros(T0),
        ),
        fix(2, 1, 90.0, 180.0, micros(-1)),
        fix(3, 1, -90.0, -180.0, micros(0)),
        fix(4, 1, -0.000_000_1, 1e-300, micros(4_102_444_800_000_001)),
        fix(
            5,
            1,
            0.1 + 0.2,
            -(0.1 + 0.2),
            micros(-2_208_988_800_000_000),
        ),
    ];
    let report = store.insert_locations(&fixes).await.unwrap();
    assert_eq!(
        report,
        InsertReport {
            inserted: 5,
            skipped: 0
        }
    );
    assert_eq!(store.count_locations().await.unwrap(), 5);
    for fx in &fixes {
        let got = store.get_location(fx.location.id).await.unwrap();
        assert_eq!(
            got.as_ref(),
            Some(&fx.location),
            "location {}",
            fx.location.id
        );
    }
}

pub async fn insert_empty_batch_is_a_no_op(f: &dyn StoreFactory) {
    let store = f.fresh().await;
    assert_eq!(
        store.insert_locations(&[]).await.unwrap(),
        InsertReport::default()
    );
}

/// Redelivery of the same events (also duplicated within one batch) is skipped.
pub async fn insert_is_idempotent_by_event_id(f: &dyn StoreFactory) {
    let store = f.fresh().await;
    store.import_persons(&[person(1), person(2)]).await.unwrap();
    let batch: Vec<_> = (1..=50)
        .map(|i| fix(i, 1 + i % 2, 10.0 + i as f64 * 1e-4, 20.0, micros(T0 + i)))
        .collect();
    let first = store.insert_locations(&batch).await.unwrap();
    assert_eq!(
        first,
        InsertReport {
            inserted: 50,
            skipped: 0
        }
    );
    let again = store.insert_locations(&batch).await.unwrap();
    assert_eq!(
        again,
        InsertReport {
            inserted: 0,
            skipped: 50
        }
    );
    // Same event ids under new location ids: still the same events.
    let moved: Vec<_> = batch
        .iter()
        .map(|fx| {
            let mut fx = fx.clone();
            fx.location.id = lid(fx.location.id.get() + 1000);
            fx
        })
        .collect();
    let third = store.insert_locations(&moved).await.unwrap();
    assert_eq!(
        third,
        InsertReport {
            inserted: 0,
            skipped: 50
        }
    );
    let new = fix(51, 1, 0.0, 0.0, micros(T0));
    let dup = store.insert_locations(&[new.clone(), new]).await.unwrap();
    assert_eq!(
        dup,
        InsertReport {
            inserted: 1,
            skipped: 1
        }
    );
    assert_eq!(store.count_locations().await.unwrap(), 51);
    assert_eq!(store.get_location(lid(1001)).await.unwrap(), None);
}

/// A different event under a stored location id is skipped; the stored fix stays.
pub async fn insert_is_idempotent_by_location_id(f: &dyn StoreFactory) {
    let store = f.fresh().await;
    store.import_persons(&[person(1), person(2)]).await.unwrap();
    let original = fix(7, 1, 1.0, 2.0, micros(T0));
    store
        .insert_locations(std::slice::from_ref(&original))
        .await
        .unwrap();
    let other = fix_with_event(7, 999_999, 2, 3.0, 4.0, micros(T0 + 5));
    let report = store.insert_locations(&[other]).await.unwrap();
    assert_eq!(
        report,
        InsertReport {
            inserted: 0,
            skipped: 1
        }
    );
    assert_eq!(store.count_locations().await.unwrap(), 1);
    assert_eq!(
        store.get_location(lid(7)).await.unwrap(),
        Some(original.location)
    );
}

/// One fix of an unknown person fails the call, names that person, and stores nothing.
pub async fn insert_of_unknown_person_stores_nothing(f: &dyn StoreFactory) {
    let store = f.fresh().await;
    store.import_persons(&[person(1)]).await.unwrap();
    let batch = vec![
        fix(1, 1, 1.0, 1.0, micros(T0)),
        fix(2, 1, 1.0, 1.0, micros(T0)),
        fix(3, 404, 1.0, 1.0, micros(T0)),
        fix(4, 1, 1.0, 1.0, micros(T0)),
    ];
    match store.insert_locations(&batch).await {
        Err(StoreError::UnknownPerson(p)) => assert_eq!(p.get(), 404),
        other => panic!("expected UnknownPerson(404), got {other:?}"),
    }
    assert_eq!(store.count_locations().await.unwrap(), 0);
    assert_eq!(store.get_location(lid(1)).await.unwrap(), None);
    // The store is still usable, and the good fixes go in on their own.
    let good: Vec<_> = batch
        .into_iter()
        .filter(|fx| fx.location.id != lid(3))
        .collect();
    let report = store.insert_locations(&good).await.unwrap();
    assert_eq!(
        report,
        InsertReport {
            inserted: 3,
            skipped: 0
        }
    );
}

/// `scan_locations` pages through every stored fix exactly once, by id, with exact values.
pub async fn scan_locations_pages_by_id(f: &dyn StoreFactory) {
    let store = f.fresh().await;
    store.import_persons(&[person(1), person(2)]).await.unwrap();
    assert!(store.scan_locations(None, 10).await.unwrap().is_empty());
    // Ids out of order and with gaps.
    let ids = [17, 3, 250, 4, 99, 5, 1000, 6, 7, 2];
    let fixes: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, &id)| {
            let person = 1 + (i as i64 % 2);
            let lat = -45.0 + i as f64 * 0.123_456_789;
            fix(id, person, lat, 170.0 - i as f64, micros(T0 + i as i64))
        })
        .collect();
    store.insert_locations(&fixes).await.unwrap();
    let mut expected: Vec<_> = fixes.iter().map(|f| f.location.clone()).collect();
    expected.sort_by_key(|l| l.id);
    let mut got = Vec::new();
    let mut after = None;
    loop {
        let page = store.scan_locations(after, 3).await.unwrap();
        assert!(page.len() <= 3, "a page holds at most `limit` fixes");
        got.extend(page.iter().cloned());
        match page.last() {
            Some(last) if page.len() == 3 => after = Some(last.id),
            _ => break,
        }
    }
    assert_eq!(got, expected, "every fix once, by id, exact");
    let tail = store
        .scan_locations(Some(expected[7].id), 100)
        .await
        .unwrap();
    assert_eq!(tail, expected[8..].to_vec(), "strictly after the given id");
}
