//! [`AccountStore`](crate::AccountStore) queries.

use sqlx::{PgPool, Row, postgres::PgRow};
use udaconnect_domain::{PersonId, Timestamp};

use super::errors::{ResultExt, is_foreign_key_violation};
use crate::{Account, RefreshToken, RefreshUse, StoreError};

/// `unique_violation`.
const UNIQUE_VIOLATION: &str = "23505";

const CREATE: &str = "INSERT INTO account (username, password_hash, role, person_id, created_at) \
     VALUES ($1, $2, $3, $4, $5)";
const GET: &str = "SELECT username, password_hash, role, person_id, created_at FROM account \
     WHERE username = $1";
const INSERT_REFRESH: &str = "INSERT INTO refresh_token \
     (token_hash, family_id, username, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
/// Marks a live token used; no row when it is not live.
const USE_LIVE: &str = "UPDATE refresh_token SET used_at = $2 \
     WHERE token_hash = $1 AND used_at IS NULL AND NOT revoked AND expires_at > $2 \
     RETURNING family_id, username, issued_at, expires_at";
const STATE: &str = "SELECT family_id, username, issued_at, expires_at, used_at IS NOT NULL, \
     revoked FROM refresh_token WHERE token_hash = $1";

pub(crate) async fn create(pool: &PgPool, a: &Account) -> Result<(), StoreError> {
    let result = sqlx::query(CREATE)
        .bind(&a.username)
        .bind(&a.password_hash)
        .bind(&a.role)
        .bind(a.person_id.map(PersonId::get))
        .bind(a.created_at)
        .execute(pool)
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some(UNIQUE_VIOLATION) => {
            Err(StoreError::AccountExists(a.username.clone()))
        }
        Err(e) if is_foreign_key_violation(&e) => match a.person_id {
            Some(p) => Err(StoreError::UnknownPerson(p)),
            None => Err(e).db(),
        },
        Err(e) => Err(e).db(),
    }
}

pub(crate) async fn get(pool: &PgPool, username: &str) -> Result<Option<Account>, StoreError> {
    let row = sqlx::query(GET)
        .bind(username)
        .fetch_optional(pool)
        .await
        .db()?;
    row.map(|r| {
        let person: Option<i64> = r.try_get(3).db()?;
        Ok(Account {
            username: r.try_get(0).db()?,
            password_hash: r.try_get(1).db()?,
            role: r.try_get(2).db()?,
            person_id: person
                .map(PersonId::new)
                .transpose()
                .map_err(|e| StoreError::Corrupt(format!("account person_id: {e}")))?,
            created_at: r.try_get(4).db()?,
        })
    })
    .transpose()
}

pub(crate) async fn count(pool: &PgPool) -> Result<u64, StoreError> {
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM account")
        .fetch_one(pool)
        .await
        .db()?;
    Ok(n.max(0) as u64)
}

pub(crate) async fn insert_refresh(pool: &PgPool, t: &RefreshToken) -> Result<(), StoreError> {
    sqlx::query(INSERT_REFRESH)
        .bind(&t.token_hash)
        .bind(&t.family_id)
        .bind(&t.username)
        .bind(t.issued_at)
        .bind(t.expires_at)
        .execute(pool)
        .await
        .db()
        .map(drop)
}

fn token(token_hash: &str, r: &PgRow) -> Result<RefreshToken, StoreError> {
    Ok(RefreshToken {
        token_hash: token_hash.to_owned(),
        family_id: r.try_get(0).db()?,
        username: r.try_get(1).db()?,
        issued_at: r.try_get(2).db()?,
        expires_at: r.try_get(3).db()?,
    })
}

/// One conditional `UPDATE` marks a live token used (two concurrent exchanges of one token:
/// exactly one wins); otherwise a read reports why it is not live.
pub(crate) async fn use_refresh(
    pool: &PgPool,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<(RefreshToken, RefreshUse)>, StoreError> {
    if let Some(r) = sqlx::query(USE_LIVE)
        .bind(token_hash)
        .bind(now)
        .fetch_optional(pool)
        .await
        .db()?
    {
        return Ok(Some((token(token_hash, &r)?, RefreshUse::Fresh)));
    }
    let Some(r) = sqlx::query(STATE)
        .bind(token_hash)
        .fetch_optional(pool)
        .await
        .db()?
    else {
        return Ok(None);
    };
    let used: bool = r.try_get(4).db()?;
    let revoked: bool = r.try_get(5).db()?;
    let state = if revoked {
        RefreshUse::Revoked
    } else if used {
        RefreshUse::AlreadyUsed
    } else {
        RefreshUse::Expired
    };
    Ok(Some((token(token_hash, &r)?, state)))
}

pub(crate) async fn revoke_family(pool: &PgPool, family_id: &str) -> Result<u64, StoreError> {
    let live: i64 = sqlx::query_scalar(
        "WITH revoked AS (UPDATE refresh_token SET revoked = true \
         WHERE family_id = $1 AND NOT revoked RETURNING used_at) \
         SELECT count(*) FROM revoked WHERE used_at IS NULL",
    )
    .bind(family_id)
    .fetch_one(pool)
    .await
    .db()?;
    Ok(live.max(0) as u64)
}
