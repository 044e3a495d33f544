//! [`PersonStore`](crate::PersonStore) queries, run on a pool connection.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use udaconnect_domain::{NewPerson, Person, PersonId};

use super::{errors::ResultExt, rows::RawPerson, writer::Writer};
use crate::StoreError;

const SELECT: &str = "SELECT id, first_name, last_name, company_name FROM person";

/// `INTEGER PRIMARY KEY` without AUTOINCREMENT takes max(id) + 1, so created ids always
/// come after imported ones.
pub(crate) fn create(w: &mut Writer, p: &NewPerson) -> Result<Person, StoreError> {
    let id: i64 = w
        .conn
        .prepare_cached(
            "INSERT INTO person (first_name, last_name, company_name) VALUES (?1, ?2, ?3) \
             RETURNING id",
        )
        .and_then(|mut s| {
            s.query_row(params![p.first_name, p.last_name, p.company_name], |r| {
                r.get(0)
            })
        })
        .db()?;
    let id = PersonId::new(id).map_err(|e| StoreError::Corrupt(format!("new person id: {e}")))?;
    Ok(p.clone().with_id(id))
}

pub(crate) fn get(conn: &Connection, id: PersonId) -> Result<Option<Person>, StoreError> {
    conn.prepare_cached(&format!("{SELECT} WHERE id = ?1"))
        .and_then(|mut s| s.query_row([id.get()], RawPerson::from_row).optional())
        .db()?
        .map(RawPerson::decode)
        .transpose()
}

pub(crate) fn list(conn: &Connection) -> Result<Vec<Person>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} ORDER BY id")).db()?;
    let rows = stmt.query_map([], RawPerson::from_row).db()?;
    rows.map(|r| r.db().and_then(RawPerson::decode)).collect()
}

/// One transaction; existing ids are left untouched.
pub(crate) fn import(w: &mut Writer, persons: &[Person]) -> Result<u64, StoreError> {
    let tx = w
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .db()?;
    let mut inserted = 0u64;
    {
        let mut stmt = tx
            .prepare_cached(
                "INSERT INTO person (id, first_name, last_name, company_name) \
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT (id) DO NOTHING",
            )
            .db()?;
        for p in persons {
            inserted += stmt
                .execute(params![
                    p.id.get(),
                    p.first_name,
                    p.last_name,
                    p.company_name
                ])
                .db()? as u64;
        }
    }
    tx.commit().db()?;
    Ok(inserted)
}
