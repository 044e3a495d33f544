//! [`PersonStore`](crate::PersonStore) queries, run on a pool connection.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use udaconnect_domain::{NewPerson, Person, PersonId};

use super::{errors::ResultExt, rows::RawPerson, writer::Writer};
use crate::StoreError;

const SELECT: &str = "SELECT id, first_name, last_name, company_name FROM person";

/// The id is one above every stored and every erased id, so created ids always come after
/// imported ones and an erased person's id is never given to someone else.
pub(crate) fn create(w: &mut Writer, p: &NewPerson) -> Result<Person, StoreError> {
    let id: i64 = w
        .conn
        .prepare_cached(
            "INSERT INTO person (id, first_name, last_name, company_name) VALUES ( \
             max(coalesce((SELECT max(id) FROM person), 0), \
                 coalesce((SELECT max(person_id) FROM erasure), 0)) + 1, ?1, ?2, ?3) \
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

/// One transaction; existing and erased ids are left untouched.
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
                 SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS \
                 (SELECT 1 FROM erasure WHERE person_id = ?1) ON CONFLICT (id) DO NOTHING",
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
