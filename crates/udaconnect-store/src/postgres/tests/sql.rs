//! SQL-level properties the adapter relies on.

use udaconnect_domain::{EARTH_RADIUS_M, haversine_m};

use super::support::TestDb;
use crate::{
    LocationStore, PersonStore, StoreError,
    suite::fixtures::{Rng, destination, fix, micros, person},
};

/// `udc_haversine_m` returns the domain's `haversine_m` bit for bit, far apart and close
/// together (where the connection query decides), near the poles and across ±180°.
#[tokio::test]
#[ignore = "needs PostgreSQL with PostGIS: scripts/postgres.sh start"]
async fn sql_haversine_is_the_domain_haversine() {
    let db = TestDb::create().await;
    let store = db.connect().await;
    let mut rng = Rng::new(2024);
    let mut pairs: Vec<[f64; 4]> = Vec::new();
    for i in 0..20_000 {
        let lat = rng.unit() * 180.0 - 90.0;
        let lon = rng.unit() * 360.0 - 180.0;
        let (lat2, lon2) = match i % 3 {
            0 => (rng.unit() * 180.0 - 90.0, rng.unit() * 360.0 - 180.0),
            1 => destination(lat, lon, rng.unit() * 7.0, rng.unit() * 100.0),
            _ => destination(
                lat,
                lon,
                rng.unit() * 7.0,
                rng.unit() * EARTH_RADIUS_M * 3.0,
            ),
        };
        pairs.push([lat, lon, lat2, lon2]);
    }
    let column = |k: usize| pairs.iter().map(|p| p[k]).collect::<Vec<f64>>();
    let got: Vec<f64> = sqlx::query_scalar(
        "SELECT udc_haversine_m(a, b, c, d) \
         FROM unnest($1::float8[], $2::float8[], $3::float8[], $4::float8[]) \
           WITH ORDINALITY AS t (a, b, c, d, n) ORDER BY n",
    )
    .bind(column(0))
    .bind(column(1))
    .bind(column(2))
    .bind(column(3))
    .fetch_all(&store.pool)
    .await
    .unwrap();
    assert_eq!(got.len(), pairs.len());
    let differ: Vec<_> = pairs
        .iter()
        .zip(&got)
        .filter(|(p, g)| haversine_m(p[0], p[1], p[2], p[3]).to_bits() != g.to_bits())
        .take(5)
        .collect();
    assert!(differ.is_empty(), "SQL and domain differ: {differ:?}");
}

/// With several unknown persons in a batch, the error names the first in batch order, and
/// nothing of the batch is stored.
#[tokio::test]
#[ignore = "needs PostgreSQL with PostGIS: scripts/postgres.sh start"]
async fn unknown_person_is_the_first_missing_one_of_the_batch() {
    let db = TestDb::create().await;
    let store = db.connect().await;
    store.import_persons(&[person(1), person(3)]).await.unwrap();
    let batch = [
        fix(1, 1, 0.0, 0.0, micros(0)),
        fix(2, 500, 0.0, 0.0, micros(0)),
        fix(3, 3, 0.0, 0.0, micros(0)),
        fix(4, 2, 0.0, 0.0, micros(0)),
    ];
    match store.insert_locations(&batch).await {
        Err(StoreError::UnknownPerson(p)) => assert_eq!(p.get(), 500),
        other => panic!("expected UnknownPerson(500), got {other:?}"),
    }
    assert_eq!(store.count_locations().await.unwrap(), 0);
}

/// `insert_locations` streams a batch with `COPY` and falls back to the statement that skips
/// stored fixes when the batch holds one. Both paths store the same values: coordinates bit
/// for bit, and times cut to the microsecond the same way, before 2000 too and with
/// nanoseconds given.
#[tokio::test]
#[ignore = "needs PostgreSQL with PostGIS: scripts/postgres.sh start"]
async fn copy_and_careful_paths_store_the_same_values() {
    let db = TestDb::create().await;
    let store = db.connect().await;
    store.import_persons(&[person(1)]).await.unwrap();
    let nanos = |s: i64, ns: u32| chrono::DateTime::from_timestamp(s, ns).unwrap();
    let times = [
        nanos(1_597_745_826, 123_456_789), // 2020, nanoseconds
        nanos(915_148_800, 999_999_999),   // 1999
        nanos(-1, 500),                    // just before 1970
    ];
    let coordinates = [
        (37.553_441_123_456_78, -122.290_524_987_654_3),
        (-0.1, 1e-300),
        (90.0, -180.0),
    ];
    let new = |first_id: i64| -> Vec<_> {
        times
            .iter()
            .zip(coordinates)
            .enumerate()
            .map(|(i, (&t, (lat, lon)))| fix(first_id + i as i64, 1, lat, lon, t))
            .collect()
    };
    // Fresh batch: the COPY path.
    let copied = new(1);
    let r = store.insert_locations(&copied).await.unwrap();
    assert_eq!((r.inserted, r.skipped), (3, 0));
    // A batch with an already stored fix in it: the careful path.
    let careful: Vec<_> = new(11).into_iter().chain([copied[0].clone()]).collect();
    let r = store.insert_locations(&careful).await.unwrap();
    assert_eq!(
        (r.inserted, r.skipped),
        (3, 1),
        "the stored fix is skipped, the rest stored"
    );
    assert_eq!(store.count_locations().await.unwrap(), 6);
    for i in 0..3 {
        let a = store
            .get_location(copied[i].location.id)
            .await
            .unwrap()
            .unwrap();
        let b = store
            .get_location(careful[i].location.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(a.creation_time, b.creation_time, "time {i}");
        assert_eq!(a.creation_time.timestamp_subsec_nanos() % 1000, 0);
        assert_eq!(a.coordinates.lat().to_bits(), coordinates[i].0.to_bits());
        assert_eq!(a.coordinates.lon().to_bits(), coordinates[i].1.to_bits());
        assert_eq!(b.coordinates.lat().to_bits(), coordinates[i].0.to_bits());
        assert_eq!(b.coordinates.lon().to_bits(), coordinates[i].1.to_bits());
    }
}
