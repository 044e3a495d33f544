//! Throw-away databases on the server named by `UDACONNECT_TEST_POSTGRES`.

use sqlx::{AssertSqlSafe, Connection, PgConnection};
use udaconnect_domain::{Person, PersonId};
use udaconnect_store::{
    PersonStore,
    postgres::{PgOptions, PostgresStore},
};

use crate::common::PERSONS;

pub(crate) fn admin_url() -> String {
    std::env::var("UDACONNECT_TEST_POSTGRES")
        .expect("UDACONNECT_TEST_POSTGRES: run scripts/postgres.sh start and export its output")
}

/// A fresh database with the schema and every person; its URL.
pub(crate) async fn fresh(label: &str) -> (String, PostgresStore) {
    let admin = admin_url();
    let name = format!("udaconnect_bench_{label}_{}", std::process::id());
    let mut conn = PgConnection::connect(&admin).await.unwrap();
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        sqlx::query(AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let (base, _) = admin.rsplit_once('/').unwrap();
    let url = format!("{base}/{name}");
    let store = PostgresStore::connect(&url, PgOptions::default())
        .await
        .unwrap();
    let persons: Vec<_> = (1..=PERSONS)
        .map(|id| Person {
            id: PersonId::new(id).unwrap(),
            first_name: format!("First{id}"),
            last_name: format!("Last{id}"),
            company_name: "Bench".into(),
        })
        .collect();
    store.import_persons(&persons).await.unwrap();
    (url, store)
}

pub(crate) async fn drop_database(url: &str) {
    let name = url.rsplit('/').next().unwrap();
    let mut conn = PgConnection::connect(&admin_url()).await.unwrap();
    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    sqlx::query(AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .unwrap();
}
