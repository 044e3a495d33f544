//! Erasure and retention, run on the writer connection.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use udaconnect_domain::{PersonId, Timestamp};

use super::{errors::ResultExt, rows::micros, writer::Writer};
use crate::{Erasure, StoreError};

/// One immediate transaction: the erasure row, then the person's fixes, then the person.
/// `secure_delete` (see `connection.rs`) overwrites the freed content with zeros.
pub(crate) fn erase(
    w: &mut Writer,
    id: PersonId,
    at: Timestamp,
) -> Result<Option<Erasure>, StoreError> {
    let tx = w
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .db()?;
    let exists = tx
        .prepare_cached("SELECT 1 FROM person WHERE id = ?1")
        .and_then(|mut s| s.exists([id.get()]))
        .db()?;
    if !exists {
        return Ok(None);
    }
    tx.execute(
        "INSERT INTO erasure (person_id, erased_at) VALUES (?1, ?2) \
         ON CONFLICT (person_id) DO NOTHING",
        params![id.get(), micros(&at)],
    )
    .db()?;
    let locations = tx
        .execute("DELETE FROM location WHERE person_id = ?1", [id.get()])
        .db()? as u64;
    tx.execute("DELETE FROM person WHERE id = ?1", [id.get()])
        .db()?;
    tx.commit().db()?;
    Ok(Some(Erasure {
        person_id: id,
        erased_at: at,
        locations,
    }))
}

pub(crate) fn erased(conn: &Connection) -> Result<Vec<PersonId>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT person_id FROM erasure ORDER BY person_id")
        .db()?;
    let rows = stmt.query_map([], |r| r.get::<_, i64>(0)).db()?;
    rows.map(|r| {
        let id = r.db()?;
        PersonId::new(id).map_err(|e| StoreError::Corrupt(format!("erasure {id}: {e}")))
    })
    .collect()
}

/// Whether `person` was erased (the writer's filter).
pub(crate) fn is_erased(conn: &Connection, person: i64) -> Result<bool, StoreError> {
    conn.prepare_cached("SELECT 1 FROM erasure WHERE person_id = ?1")
        .and_then(|mut s| s.query_row([person], |_| Ok(())).optional())
        .db()
        .map(|found| found.is_some())
}

/// Deletes up to `limit` of the oldest fixes before `cutoff` (index `location_creation_time`).
pub(crate) fn purge_before(
    w: &mut Writer,
    cutoff: Timestamp,
    limit: u32,
) -> Result<u64, StoreError> {
    let n = w
        .conn
        .prepare_cached(
            "DELETE FROM location WHERE id IN (SELECT id FROM location \
             WHERE creation_time < ?1 ORDER BY creation_time LIMIT ?2)",
        )
        .and_then(|mut s| s.execute(params![micros(&cutoff), i64::from(limit)]))
        .db()?;
    Ok(n as u64)
}
