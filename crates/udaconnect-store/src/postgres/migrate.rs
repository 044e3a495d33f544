//! Versioned schema migrations, embedded at compile time and applied at connect by sqlx's
//! migrator: each version once, in order, in its own transaction, recorded with its
//! checksum in `_sqlx_migrations`, under an advisory lock so that replicas starting together
//! do not race. An edited, already-applied migration is refused (checksum mismatch).

use std::borrow::Cow;

use sqlx::{
    PgPool, SqlSafeStr,
    migrate::{Migration, MigrationType, Migrator},
};

use crate::StoreError;

/// (version, description, SQL), in version order. Append; never edit an applied one.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../../migrations/postgres/0001_initial.sql"),
    ),
    (
        2,
        "privacy",
        include_str!("../../migrations/postgres/0002_privacy.sql"),
    ),
    (
        3,
        "accounts",
        include_str!("../../migrations/postgres/0003_accounts.sql"),
    ),
    (
        4,
        "location person check",
        include_str!("../../migrations/postgres/0004_location_person_check.sql"),
    ),
];

fn migrator() -> Migrator {
    Migrator::with_migrations(
        MIGRATIONS
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(
                    version,
                    Cow::Borrowed(description),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

/// Brings the schema up to date.
pub(crate) async fn run(pool: &PgPool) -> Result<(), StoreError> {
    migrator()
        .run(pool)
        .await
        .map_err(|e| StoreError::Database(format!("migrating the schema: {e}")))
}

/// The newest version this build knows.
#[cfg(test)]
pub(crate) fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}
