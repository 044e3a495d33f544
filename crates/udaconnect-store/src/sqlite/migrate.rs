//! Versioned schema migrations, embedded in the binary and applied in order at open.
//!
//! The applied version is `PRAGMA user_version`, updated in the same transaction as the
//! migration itself, so a crash mid-migration leaves the previous version intact.

use rusqlite::{Connection, TransactionBehavior};

use super::errors::ResultExt;
use crate::StoreError;

/// One migration: version `n` is the n-th entry (1-based).
pub(crate) struct Migration {
    pub(crate) name: &'static str,
    pub(crate) sql: &'static str,
}

pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "0001_initial",
        sql: include_str!("../../migrations/sqlite/0001_initial.sql"),
    },
    Migration {
        name: "0002_privacy",
        sql: include_str!("../../migrations/sqlite/0002_privacy.sql"),
    },
    Migration {
        name: "0003_accounts",
        sql: include_str!("../../migrations/sqlite/0003_accounts.sql"),
    },
];

/// The schema version this binary writes.
pub(crate) fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

pub(crate) fn schema_version(conn: &Connection) -> Result<i64, StoreError> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
        .db()
}

/// Applies every migration newer than the database's version. Refuses a database written
/// by a newer binary.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current = schema_version(conn)?;
    if current > latest_version() {
        return Err(StoreError::Database(format!(
            "database schema version {current} is newer than this binary supports ({})",
            latest_version()
        )));
    }
    for (i, m) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
        let version = i as i64 + 1;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        tx.execute_batch(m.sql).db()?;
        tx.pragma_update(None, "user_version", version).db()?;
        tx.commit().db()?;
        tracing::info!(version, name = m.name, "applied sqlite migration");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_their_version() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert!(
                m.name.starts_with(&format!("{:04}_", i + 1)),
                "{} is migration {}",
                m.name,
                i + 1
            );
        }
    }

    #[test]
    fn migrating_twice_changes_nothing() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), latest_version());
    }

    #[test]
    fn newer_databases_are_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", latest_version() + 1)
            .unwrap();
        assert!(matches!(migrate(&mut conn), Err(StoreError::Database(_))));
    }
}
