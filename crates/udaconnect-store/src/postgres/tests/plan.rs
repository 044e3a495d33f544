//! Evidence for the plan in `connection_locations.sql`: own fixes through the
//! (person_id, creation_time) B-tree, the other fixes through the GiST index, and no
//! sequential scan of `location`, on a conference-sized table.

use chrono::DateTime;
use udaconnect_domain::{ConnectionQuery, DistanceMeters, Person, PersonId};

use super::support::TestDb;
use crate::{
    LocationStore,
    suite::fixtures::{Rng, day, fix, person},
};

const PERSONS: i64 = 200;
const FIXES: i64 = 50_000;
/// 2020-01-01T00:00:00Z, µs, and five days of fixes from then on.
const T0: i64 = 1_577_836_800_000_000;
const SPAN_US: i64 = 5 * 86_400_000_000;

/// Fixes of `PERSONS` attendees within ~1 km of one venue, over five days.
async fn conference(store: &dyn crate::Store) {
    let persons: Vec<Person> = (1..=PERSONS).map(person).collect();
    store.import_persons(&persons).await.unwrap();
    let mut rng = Rng::new(42);
    let fixes: Vec<_> = (1..=FIXES)
        .map(|id| {
            let lat = 37.553 + (rng.unit() - 0.5) * 0.018;
            let lon = -122.290 + (rng.unit() - 0.5) * 0.023;
            let t = DateTime::from_timestamp_micros(T0 + id * (SPAN_US / FIXES)).unwrap();
            fix(id, id % PERSONS + 1, lat, lon, t)
        })
        .collect();
    for batch in fixes.chunks(10_000) {
        store.insert_locations(batch).await.unwrap();
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL with PostGIS: scripts/postgres.sh start"]
async fn connection_query_uses_the_gist_index() {
    let db = TestDb::create().await;
    let store = db.connect().await;
    conference(&store).await;
    sqlx::query("ANALYZE location")
        .execute(&store.pool)
        .await
        .unwrap();
    let q = ConnectionQuery::new(
        PersonId::new(7).unwrap(),
        day(2020, 1, 2),
        day(2020, 1, 3),
        DistanceMeters::new(5.0).unwrap(),
    )
    .unwrap();
    let plan = store.explain_connection_query(&q, false).await.unwrap();
    println!("{plan}");
    for expected in [
        r#""Index Name": "location_coordinate_gist""#,
        r#""Index Name": "location_person_time""#,
        r#""Node Type": "Nested Loop""#,
    ] {
        assert!(plan.contains(expected), "no {expected} in\n{plan}");
    }
    assert!(!plan.contains(r#""Node Type": "Seq Scan""#), "{plan}");

    // The plan that ran, and its answer, agree with the query itself.
    let analyzed = store.explain_connection_query(&q, true).await.unwrap();
    assert!(analyzed.contains("location_coordinate_gist"), "{analyzed}");
    // On 1M fixes PostGIS's declared costs would have the query JIT-compiled, at several
    // times its run time (docs/postgis.md): the store's sessions run without JIT.
    let jit: String = sqlx::query_scalar("SELECT current_setting('jit')")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(jit, "off");
    let found = store.find_connection_locations(&q).await.unwrap();
    assert!(!found.is_empty(), "a busy venue has connections");
    let rows = format!(r#""Actual Rows": {},"#, found.len());
    assert!(
        analyzed.contains(&rows),
        "no top node with {rows} in\n{analyzed}"
    );
}
