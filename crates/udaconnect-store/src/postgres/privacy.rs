//! Erasure and retention.

use sqlx::PgPool;
use udaconnect_domain::{PersonId, Timestamp};

use super::errors::ResultExt;
use crate::{Erasure, StoreError};

/// Locks the person row first (`FOR UPDATE`): an insert of one of their fixes that is under
/// way holds a key-share lock on it (`location_person_check`, migration 0004), so the erasure
/// waits for it to commit and its `DELETE` then sees that fix too; an insert that starts later
/// waits for the erasure and then skips the fix (see `locations::insert`). Tested in
/// `tests/integrity.rs`.
const LOCK: &str = "SELECT id FROM person WHERE id = $1 FOR UPDATE";
const RECORD: &str =
    "INSERT INTO erasure (person_id, erased_at) VALUES ($1, $2) ON CONFLICT DO NOTHING";
const DELETE_LOCATIONS: &str = "DELETE FROM location WHERE person_id = $1";
const DELETE_PERSON: &str = "DELETE FROM person WHERE id = $1";
const ERASED: &str = "SELECT person_id FROM erasure ORDER BY person_id";
const PURGE: &str = "DELETE FROM location WHERE id IN (SELECT id FROM location \
     WHERE creation_time < $1 ORDER BY creation_time LIMIT $2)";

pub(crate) async fn erase(
    pool: &PgPool,
    id: PersonId,
    at: Timestamp,
) -> Result<Option<Erasure>, StoreError> {
    let mut tx = pool.begin().await.db()?;
    let found: Option<i64> = sqlx::query_scalar(LOCK)
        .bind(id.get())
        .fetch_optional(&mut *tx)
        .await
        .db()?;
    if found.is_none() {
        return Ok(None);
    }
    sqlx::query(RECORD)
        .bind(id.get())
        .bind(at)
        .execute(&mut *tx)
        .await
        .db()?;
    let locations = sqlx::query(DELETE_LOCATIONS)
        .bind(id.get())
        .execute(&mut *tx)
        .await
        .db()?
        .rows_affected();
    sqlx::query(DELETE_PERSON)
        .bind(id.get())
        .execute(&mut *tx)
        .await
        .db()?;
    tx.commit().await.db()?;
    Ok(Some(Erasure {
        person_id: id,
        erased_at: at,
        locations,
    }))
}

pub(crate) async fn erased(pool: &PgPool) -> Result<Vec<PersonId>, StoreError> {
    let ids: Vec<i64> = sqlx::query_scalar(ERASED).fetch_all(pool).await.db()?;
    ids.into_iter()
        .map(|id| PersonId::new(id).map_err(|e| StoreError::Corrupt(format!("erasure {id}: {e}"))))
        .collect()
}

pub(crate) async fn purge_before(
    pool: &PgPool,
    cutoff: Timestamp,
    limit: u32,
) -> Result<u64, StoreError> {
    Ok(sqlx::query(PURGE)
        .bind(cutoff)
        .bind(i64::from(limit))
        .execute(pool)
        .await
        .db()?
        .rows_affected())
}
