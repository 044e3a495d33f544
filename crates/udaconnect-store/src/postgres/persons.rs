//! [`PersonStore`](crate::PersonStore) queries.

use sqlx::PgPool;
use udaconnect_domain::{NewPerson, Person, PersonId};

use super::{errors::ResultExt, rows};
use crate::StoreError;

const CREATE: &str = "INSERT INTO person (id, first_name, last_name, company_name) \
     VALUES (nextval('person_id_seq'), $1, $2, $3) RETURNING id";
const GET: &str = "SELECT id, first_name, last_name, company_name FROM person WHERE id = $1";
const LIST: &str = "SELECT id, first_name, last_name, company_name FROM person ORDER BY id";
const IMPORT: &str = include_str!("../../queries/postgres/import_persons.sql");
/// Moves the sequence to the largest stored id when it is not past it yet (`setval` with
/// `is_called = true`: the next `nextval` is that id + 1).
const SEQUENCE_PAST_MAX: &str = "SELECT setval('person_id_seq', s.max_id) \
     FROM (SELECT max(id) AS max_id FROM person) AS s, person_id_seq AS q \
     WHERE s.max_id >= q.last_value";

pub(crate) async fn create(pool: &PgPool, p: NewPerson) -> Result<Person, StoreError> {
    let id: i64 = sqlx::query_scalar(CREATE)
        .bind(&p.first_name)
        .bind(&p.last_name)
        .bind(&p.company_name)
        .fetch_one(pool)
        .await
        .db()?;
    let id = PersonId::new(id).map_err(|e| StoreError::Corrupt(format!("new person id: {e}")))?;
    Ok(p.with_id(id))
}

pub(crate) async fn get(pool: &PgPool, id: PersonId) -> Result<Option<Person>, StoreError> {
    let row = sqlx::query(GET)
        .bind(id.get())
        .fetch_optional(pool)
        .await
        .db()?;
    row.as_ref().map(rows::person).transpose()
}

pub(crate) async fn list(pool: &PgPool) -> Result<Vec<Person>, StoreError> {
    let all = sqlx::query(LIST).fetch_all(pool).await.db()?;
    all.iter().map(rows::person).collect()
}

/// One transaction: the batch as one statement (stored ids are left untouched), then the id
/// sequence past every stored id. The SHARE ROW EXCLUSIVE lock makes a concurrent
/// `create_person` wait until the sequence has moved, so it can never take an imported id.
pub(crate) async fn import(pool: &PgPool, persons: &[Person]) -> Result<u64, StoreError> {
    if persons.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = persons.iter().map(|p| p.id.get()).collect();
    let first: Vec<&str> = persons.iter().map(|p| p.first_name.as_str()).collect();
    let last: Vec<&str> = persons.iter().map(|p| p.last_name.as_str()).collect();
    let company: Vec<&str> = persons.iter().map(|p| p.company_name.as_str()).collect();
    let mut tx = pool.begin().await.db()?;
    sqlx::query("LOCK TABLE person IN SHARE ROW EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await
        .db()?;
    let inserted = sqlx::query(IMPORT)
        .bind(&ids)
        .bind(&first)
        .bind(&last)
        .bind(&company)
        .execute(&mut *tx)
        .await
        .db()?
        .rows_affected();
    sqlx::query(SEQUENCE_PAST_MAX)
        .execute(&mut *tx)
        .await
        .db()?;
    tx.commit().await.db()?;
    Ok(inserted)
}
