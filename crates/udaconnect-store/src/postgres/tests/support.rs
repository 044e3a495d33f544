//! Throw-away databases on the test server named by `UDACONNECT_TEST_POSTGRES`.

use std::{
    sync::atomic::{AtomicUsize, Ordering},
    time::{SystemTime, UNIX_EPOCH},
};

use sqlx::{AssertSqlSafe, Connection, PgConnection};

use crate::postgres::{PgOptions, PostgresStore};

const ENV: &str = "UDACONNECT_TEST_POSTGRES";

/// The admin URL, or a panic that says how to get one.
pub(crate) fn admin_url() -> String {
    match std::env::var(ENV) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "{ENV} is not set: these tests need PostgreSQL with PostGIS. Run \
             `scripts/postgres.sh start` and export the {ENV}=… line it prints"
        ),
    }
}

async fn admin() -> PgConnection {
    let url = admin_url();
    PgConnection::connect(&url).await.unwrap_or_else(|e| {
        panic!("cannot connect to {ENV} ({url}): {e}; is `scripts/postgres.sh start` running?")
    })
}

/// `url` with its database replaced by `db`.
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority = base.find("://").map_or(0, |i| i + 3);
    let end = base[authority..]
        .find('/')
        .map_or(base.len(), |i| authority + i);
    let mut out = format!("{}/{db}", &base[..end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// A database of its own, dropped (best effort) when this is dropped.
#[derive(Debug)]
pub(crate) struct TestDb {
    pub(crate) name: String,
    pub(crate) url: String,
}

impl TestDb {
    pub(crate) async fn create() -> Self {
        static MADE: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "udaconnect_test_{}_{}_{nanos}",
            std::process::id(),
            MADE.fetch_add(1, Ordering::Relaxed)
        );
        let mut conn = admin().await;
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("create database {name}: {e}"));
        let _ = conn.close().await;
        let url = with_database(&admin_url(), &name);
        Self { name, url }
    }

    pub(crate) async fn connect(&self) -> PostgresStore {
        PostgresStore::connect(&self.url, PgOptions::default())
            .await
            .unwrap_or_else(|e| panic!("connect to {}: {e}", self.name))
    }
}

impl Drop for TestDb {
    /// `DROP DATABASE … WITH (FORCE)` ends the store's connections too. Runs on its own
    /// thread and runtime: `Drop` cannot await.
    fn drop(&mut self) {
        let name = self.name.clone();
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let mut conn = PgConnection::connect(&admin_url()).await.ok()?;
                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                sqlx::query(AssertSqlSafe(sql))
                    .execute(&mut conn)
                    .await
                    .ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("could not drop test database {}", self.name);
        }
    }
}

#[test]
fn database_is_replaced_in_the_url() {
    let at = |u| with_database(u, "t");
    assert_eq!(
        at("postgres://postgres@127.0.0.1:5/postgres"),
        "postgres://postgres@127.0.0.1:5/t"
    );
    assert_eq!(
        at("postgres://u:p@h/db?sslmode=disable"),
        "postgres://u:p@h/t?sslmode=disable"
    );
    assert_eq!(at("postgres://h:5"), "postgres://h:5/t");
}
