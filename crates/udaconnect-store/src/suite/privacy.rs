//! Erasure and retention cases.

use udaconnect_domain::ConnectionQuery;

use super::{
    StoreFactory,
    fixtures::{day, fix, micros, person, pid},
};

const T0: i64 = 1_597_745_826_000_000; // 2020-08-18T10:17:06Z

/// Erasing a person deletes their record and every fix of theirs, records the erasure, keeps
/// everyone else's data, refuses their fixes afterwards (a replay) and never reuses their id.
pub async fn erase_person_deletes_everything_and_refuses_replays(f: &dyn StoreFactory) {
    let store = f.fresh().await;
    store
        .import_persons(&[person(1), person(2), person(3)])
        .await
        .unwrap();
    let fixes = vec![
        fix(1, 1, 10.0, 20.0, micros(T0)),
        fix(2, 2, 10.0, 20.00001, micros(T0)),
        fix(3, 2, 10.0, 20.0, micros(T0 + 1_000_000)),
        fix(4, 3, 10.0, 20.0, micros(T0)),
        fix(5, 3, 11.0, 21.0, micros(T0)),
    ];
    store.insert_locations(&fixes).await.unwrap();

    let at = micros(T0 + 3_600_000_000);
    let erasure = store.erase_person(pid(2), at).await.unwrap().unwrap();
    assert_eq!((erasure.person_id, erasure.locations), (pid(2), 2));
    assert_eq!(store.get_person(pid(2)).await.unwrap(), None);
    assert_eq!(store.count_locations().await.unwrap(), 3);
    for id in [2, 3] {
        let loc = udaconnect_domain::LocationId::new(id).unwrap();
        assert_eq!(store.get_location(loc).await.unwrap(), None, "fix {id}");
    }
    let scanned: Vec<i64> = store
        .scan_locations(None, 100)
        .await
        .unwrap()
        .iter()
        .map(|l| l.person_id.get())
        .collect();
    assert!(!scanned.contains(&2), "{scanned:?}");
    assert_eq!(store.erased_persons().await.unwrap(), vec![pid(2)]);
    // Person 1's connections no longer name person 2.
    let q = ConnectionQuery::new(
        pid(1),
        day(2020, 8, 18),
        day(2020, 8, 19),
        udaconnect_domain::DistanceMeters::new(5.0).unwrap(),
    )
    .unwrap();
    let near: Vec<i64> = store
        .find_connection_locations(&q)
        .await
        .unwrap()
        .iter()
        .map(|l| l.person_id.get())
        .collect();
    assert_eq!(near, vec![3]);

    // A replay of the log: their fixes are skipped, everyone else's batch goes through.
    let replay = vec![
        fix(2, 2, 10.0, 20.00001, micros(T0)),
        fix(6, 2, 10.0, 20.0, micros(T0 + 2_000_000)),
        fix(7, 1, 10.0, 20.0, micros(T0 + 2_000_000)),
    ];
    let report = store.insert_locations(&replay).await.unwrap();
    assert_eq!((report.inserted, report.skipped), (1, 2));
    assert_eq!(store.count_locations().await.unwrap(), 4);

    // Gone is gone: a second erasure and an unknown person are None; the id is not reused
    // by a new person, nor by an import.
    assert_eq!(store.erase_person(pid(2), at).await.unwrap(), None);
    assert_eq!(store.erase_person(pid(99), at).await.unwrap(), None);
    assert_eq!(
        store
            .erase_person(pid(3), at)
            .await
            .unwrap()
            .unwrap()
            .locations,
        2
    );
    let created = store
        .create_person(udaconnect_domain::NewPerson::new("New", "Person", "Co").unwrap())
        .await
        .unwrap();
    assert_eq!(created.id, pid(4), "after the largest stored or erased id");
    assert_eq!(store.import_persons(&[person(2)]).await.unwrap(), 0);
    assert_eq!(store.get_person(pid(2)).await.unwrap(), None);
    assert_eq!(store.erased_persons().await.unwrap(), vec![pid(2), pid(3)]);
}

/// Retention deletes exactly the fixes taken before the cutoff, in batches.
pub async fn purge_deletes_fixes_before_the_cutoff_in_batches(f: &dyn StoreFactory) {
    let store = f.fresh().await;
    store.import_persons(&[person(1), person(2)]).await.unwrap();
    let fixes: Vec<_> = (1..=25)
        .map(|i| fix(i, 1 + i % 2, 10.0, 20.0, micros(T0 + i * 1_000_000)))
        .collect();
    store.insert_locations(&fixes).await.unwrap();
    // Fixes 1..=9 are before the cutoff (T0 + 10 s); 10 is at it and stays.
    let cutoff = micros(T0 + 10_000_000);
    assert_eq!(store.purge_locations_before(cutoff, 4).await.unwrap(), 4);
    let rest = crate::purge_all_before(&*store, cutoff, 4).await.unwrap();
    assert_eq!(rest, 5);
    assert_eq!(store.count_locations().await.unwrap(), 16);
    let left: Vec<i64> = store
        .scan_locations(None, 100)
        .await
        .unwrap()
        .iter()
        .map(|l| l.id.get())
        .collect();
    assert_eq!(left, (10..=25).collect::<Vec<_>>());
    assert_eq!(
        crate::purge_all_before(&*store, cutoff, 4).await.unwrap(),
        0
    );
    // Persons are not fixes: retention keeps them.
    assert_eq!(store.list_persons().await.unwrap().len(), 2);
}
