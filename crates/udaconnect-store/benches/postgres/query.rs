//! Connection query latency and plan on the loaded database.

use std::{str::FromStr, time::Instant};

use chrono::NaiveDate;
use sqlx::{
    AssertSqlSafe,
    postgres::{PgConnectOptions, PgPool},
};
use udaconnect_domain::{ConnectionQuery, DistanceMeters, PersonId};
use udaconnect_store::{
    LocationStore,
    postgres::{PgOptions, PostgresStore},
};

const QUERY_SQL: &str = include_str!("../../queries/postgres/connection_locations.sql");

fn query(person: i64, days: u32, metres: f64) -> ConnectionQuery {
    let d = |day| NaiveDate::from_ymd_opt(2020, 8, day).unwrap();
    ConnectionQuery::new(
        PersonId::new(person).unwrap(),
        d(18),
        d(18 + days),
        DistanceMeters::new(metres).unwrap(),
    )
    .unwrap()
}

pub(crate) async fn connections(url: &str) {
    // As the store's own connections: without JIT (see `PostgresStore::connect`).
    let options = PgConnectOptions::from_str(url)
        .unwrap()
        .options([("jit", "off")]);
    let pool = PgPool::connect_with(options).await.unwrap();
    sqlx::query("VACUUM ANALYZE location")
        .execute(&pool)
        .await
        .unwrap();
    let store = PostgresStore::connect(url, PgOptions::default())
        .await
        .unwrap();
    for (days, metres) in [(1, 5.0), (5, 5.0), (5, 50.0)] {
        let q = query(1, days, metres);
        let t = Instant::now();
        let n = store.find_connection_locations(&q).await.unwrap().len();
        println!(
            "connections/{days}d/{metres}m: {n} matches in {:.1} ms",
            t.elapsed().as_secs_f64() * 1e3
        );
    }
    let q = query(1, 5, 5.0);
    let (start, own_end) = q.own_window();
    let sql = format!("EXPLAIN (ANALYZE, BUFFERS) {QUERY_SQL}");
    let plan: Vec<String> = sqlx::query_scalar(AssertSqlSafe(sql))
        .bind(1i64)
        .bind(start)
        .bind(own_end)
        .bind(q.others_window().1)
        .bind(5.0f64)
        .fetch_all(&pool)
        .await
        .unwrap();
    println!(
        "EXPLAIN (ANALYZE, BUFFERS) person 1, 2020-08-18..2020-08-23, 5 m:\n{}",
        plan.join("\n")
    );
    pool.close().await;
    store.close().await;
}
