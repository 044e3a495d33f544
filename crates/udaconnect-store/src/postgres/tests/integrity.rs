//! `location.person_id` → `person`: the rules the per-statement triggers of migration 0004
//! (`0004_location_person_check.sql`) enforce in place of the per-row foreign key, including
//! the two races with an erasure that the foreign key's row lock used to order.

use std::time::Duration;

use sqlx::PgPool;

use super::support::TestDb;
use crate::{
    LocationStore, PersonStore,
    suite::fixtures::{fix, micros, person, pid},
};

/// One fix of `person`, inserted by a plain statement (no erasure check, no fallback).
const INSERT_ONE: &str = "INSERT INTO location (id, event_id, person_id, coordinate, \
     creation_time, received_at) \
     VALUES ($1, gen_random_uuid(), $2, 'SRID=4326;POINT(11.58 48.13)', now(), now())";

/// How long a statement that must wait for another transaction is given to (wrongly) finish.
const WAITS: Duration = Duration::from_millis(400);

async fn fixes_of(pool: &PgPool, person: i64) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM location WHERE person_id = $1")
        .bind(person)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// The SQLSTATE and message of a statement that must fail.
async fn refused(pool: &PgPool, sql: &str) -> (String, String) {
    match sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(pool).await {
        Err(sqlx::Error::Database(db)) => (
            db.code().unwrap_or_default().into_owned(),
            db.message().to_owned(),
        ),
        other => panic!("{sql}: expected a database error, got {other:?}"),
    }
}

/// A fix must name a stored person, and a person with fixes cannot disappear: not by
/// `DELETE`, not by changing their id, not by `TRUNCATE`. A person without fixes can go.
#[tokio::test]
#[ignore = "needs PostgreSQL with PostGIS: scripts/postgres.sh start"]
async fn fixes_and_their_persons_stay_consistent() {
    let db = TestDb::create().await;
    let store = db.connect().await;
    let pool = &store.pool;
    store.import_persons(&[person(1), person(2)]).await.unwrap();
    store
        .insert_locations(&[fix(1, 1, 0.0, 0.0, micros(0))])
        .await
        .unwrap();

    let (code, message) = refused(
        pool,
        "INSERT INTO location (id, event_id, person_id, coordinate, creation_time, received_at) \
         VALUES (2, gen_random_uuid(), 7, 'SRID=4326;POINT(0 0)', now(), now())",
    )
    .await;
    assert_eq!(code, "23503", "{message}");
    assert!(message.contains("location_person_id_fkey"), "{message}");
    let (code, _) = refused(pool, "UPDATE location SET person_id = 7").await;
    assert_eq!(code, "23503");

    let (code, message) = refused(pool, "DELETE FROM person WHERE id = 1").await;
    assert_eq!(code, "23503", "{message}");
    let (code, _) = refused(pool, "UPDATE person SET id = 100 WHERE id = 1").await;
    assert_eq!(code, "23503");
    let (code, _) = refused(pool, "TRUNCATE person CASCADE").await;
    assert_eq!(code, "0A000");
    assert_eq!(fixes_of(pool, 1).await, 1, "nothing refused changed a fix");
    assert!(store.get_person(pid(1)).await.unwrap().is_some());

    // Several rows in one statement: all checked, the one bad row refuses the statement.
    let (code, message) = refused(
        pool,
        "INSERT INTO location (id, event_id, person_id, coordinate, creation_time, received_at) \
         SELECT g, gen_random_uuid(), CASE WHEN g = 15 THEN 9 ELSE 2 END, \
                'SRID=4326;POINT(0 0)', now(), now() FROM generate_series(10, 20) AS g",
    )
    .await;
    assert_eq!(code, "23503", "{message}");
    assert_eq!(fixes_of(pool, 2).await, 0);

    sqlx::query("DELETE FROM person WHERE id = 2")
        .execute(pool)
        .await
        .expect("a person without fixes can be deleted");
    sqlx::query("DELETE FROM location WHERE person_id = 1")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM person WHERE id = 1")
        .execute(pool)
        .await
        .expect("once their fixes are gone, so can this one");
}

/// An erasure that starts while an insert of the person's fixes is under way waits for it,
/// then deletes those fixes too: no fix outlives its person.
#[tokio::test]
#[ignore = "needs PostgreSQL with PostGIS: scripts/postgres.sh start"]
async fn an_erasure_waits_for_an_insert_under_way_and_deletes_its_fixes() {
    let db = TestDb::create().await;
    let store = db.connect().await;
    store.import_persons(&[person(1)]).await.unwrap();
    store
        .insert_locations(&[fix(1, 1, 0.0, 0.0, micros(0))])
        .await
        .unwrap();

    let mut insert = store.pool.begin().await.unwrap();
    sqlx::query(INSERT_ONE)
        .bind(2_i64)
        .bind(1_i64)
        .execute(&mut *insert)
        .await
        .unwrap();
    let erasing = tokio::spawn({
        let store = store.clone();
        async move { store.erase_person(pid(1), micros(5)).await }
    });
    tokio::time::sleep(WAITS).await;
    assert!(
        !erasing.is_finished(),
        "the erasure must wait for the insert under way"
    );
    insert.commit().await.unwrap();
    let erasure = erasing.await.unwrap().unwrap().expect("person 1 existed");
    assert_eq!(
        erasure.locations, 2,
        "the fix committed meanwhile is erased too"
    );
    assert_eq!(fixes_of(&store.pool, 1).await, 0);
}

/// An insert that starts while an erasure of its person is under way waits for it, then is
/// refused (a plain statement) or leaves the fix out (the store's insert, which knows the
/// erased persons): nothing of the erased person is stored after the erasure.
#[tokio::test]
#[ignore = "needs PostgreSQL with PostGIS: scripts/postgres.sh start"]
async fn an_insert_during_an_erasure_waits_and_stores_nothing_of_the_person() {
    let db = TestDb::create().await;
    let store = db.connect().await;
    store.import_persons(&[person(1), person(2)]).await.unwrap();

    // By hand, what `erase_person` does: lock the person, record, delete fixes and person.
    let mut erase = store.pool.begin().await.unwrap();
    for sql in [
        "SELECT id FROM person WHERE id = 1 FOR UPDATE",
        "INSERT INTO erasure (person_id, erased_at) VALUES (1, now())",
        "DELETE FROM location WHERE person_id = 1",
        "DELETE FROM person WHERE id = 1",
    ] {
        sqlx::query(sql).execute(&mut *erase).await.unwrap();
    }
    let plain = tokio::spawn({
        let pool = store.pool.clone();
        async move {
            sqlx::query(INSERT_ONE)
                .bind(1_i64)
                .bind(1_i64)
                .execute(&pool)
                .await
        }
    });
    let batch = [
        fix(2, 1, 0.0, 0.0, micros(0)),
        fix(3, 2, 0.0, 0.0, micros(0)),
    ];
    let by_store = tokio::spawn({
        let store = store.clone();
        async move { store.insert_locations(&batch).await }
    });
    tokio::time::sleep(WAITS).await;
    assert!(!plain.is_finished(), "the insert must wait for the erasure");
    erase.commit().await.unwrap();

    match plain.await.unwrap() {
        Err(sqlx::Error::Database(e)) => {
            assert_eq!(e.code().as_deref(), Some("23503"), "{e}");
        }
        other => panic!("expected a foreign-key violation, got {other:?}"),
    }
    let report = by_store.await.unwrap().unwrap();
    assert_eq!(
        (report.inserted, report.skipped),
        (1, 1),
        "person 2's fix stored, the erased person's left out"
    );
    assert_eq!(fixes_of(&store.pool, 1).await, 0);
    assert_eq!(fixes_of(&store.pool, 2).await, 1);
}
