//! [`AccountStore`](crate::AccountStore) queries, run on a pool connection.

use rusqlite::{Connection, ErrorCode, OptionalExtension, Row, TransactionBehavior, params};
use udaconnect_domain::{PersonId, Timestamp};

use super::{
    errors::{ResultExt, store_error},
    rows::{from_micros, micros},
    writer::Writer,
};
use crate::{Account, RefreshToken, RefreshUse, StoreError};

pub(crate) fn create(w: &mut Writer, a: &Account) -> Result<(), StoreError> {
    let result = w
        .conn
        .prepare_cached(
            "INSERT INTO account (username, password_hash, role, person_id, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .and_then(|mut s| {
            s.execute(params![
                a.username,
                a.password_hash,
                a.role,
                a.person_id.map(PersonId::get),
                micros(&a.created_at)
            ])
        });
    match result {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(f, _))
            if f.code == ErrorCode::ConstraintViolation
                && f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
        {
            Err(StoreError::AccountExists(a.username.clone()))
        }
        Err(e) => Err(store_error(e, a.person_id)),
    }
}

fn time(table: &str, us: i64) -> Result<Timestamp, StoreError> {
    from_micros(us).ok_or_else(|| StoreError::Corrupt(format!("{table}: time {us} out of range")))
}

fn account(row: &Row<'_>) -> rusqlite::Result<(String, String, String, Option<i64>, i64)> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
    ))
}

pub(crate) fn get(conn: &Connection, username: &str) -> Result<Option<Account>, StoreError> {
    let raw = conn
        .prepare_cached(
            "SELECT username, password_hash, role, person_id, created_at FROM account \
             WHERE username = ?1",
        )
        .and_then(|mut s| s.query_row([username], account).optional())
        .db()?;
    raw.map(|(username, password_hash, role, person, created)| {
        let person_id = person
            .map(PersonId::new)
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("account person_id: {e}")))?;
        Ok(Account {
            username,
            password_hash,
            role,
            person_id,
            created_at: time("account", created)?,
        })
    })
    .transpose()
}

pub(crate) fn count(conn: &Connection) -> Result<u64, StoreError> {
    conn.query_row("SELECT count(*) FROM account", [], |r| r.get::<_, i64>(0))
        .db()
        .map(|n| n.max(0) as u64)
}

pub(crate) fn insert_refresh(w: &mut Writer, t: &RefreshToken) -> Result<(), StoreError> {
    w.conn
        .prepare_cached(
            "INSERT INTO refresh_token (token_hash, family_id, username, issued_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .and_then(|mut s| {
            s.execute(params![
                t.token_hash,
                t.family_id,
                t.username,
                micros(&t.issued_at),
                micros(&t.expires_at)
            ])
        })
        .db()
        .map(drop)
}

/// One immediate transaction: read the token's state, mark it used when live.
pub(crate) fn use_refresh(
    w: &mut Writer,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<(RefreshToken, RefreshUse)>, StoreError> {
    let tx = w
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .db()?;
    let row = tx
        .prepare_cached(
            "SELECT family_id, username, issued_at, expires_at, used_at, revoked \
             FROM refresh_token WHERE token_hash = ?1",
        )
        .and_then(|mut s| {
            s.query_row([token_hash], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                    r.get::<_, bool>(5)?,
                ))
            })
            .optional()
        })
        .db()?;
    let Some((family_id, username, issued, expires, used, revoked)) = row else {
        return Ok(None);
    };
    let token = RefreshToken {
        token_hash: token_hash.to_owned(),
        family_id,
        username,
        issued_at: time("refresh_token", issued)?,
        expires_at: time("refresh_token", expires)?,
    };
    let state = if revoked {
        RefreshUse::Revoked
    } else if used.is_some() {
        RefreshUse::AlreadyUsed
    } else if token.expires_at <= now {
        RefreshUse::Expired
    } else {
        tx.execute(
            "UPDATE refresh_token SET used_at = ?2 WHERE token_hash = ?1",
            params![token_hash, micros(&now)],
        )
        .db()?;
        RefreshUse::Fresh
    };
    tx.commit().db()?;
    Ok(Some((token, state)))
}

pub(crate) fn revoke_family(w: &mut Writer, family_id: &str) -> Result<u64, StoreError> {
    w.conn
        .execute(
            "UPDATE refresh_token SET revoked = 1 \
             WHERE family_id = ?1 AND revoked = 0 AND used_at IS NULL",
            [family_id],
        )
        .db()
        .map(|n| n as u64)
        .and_then(|live| {
            // Used tokens of the family are revoked too, so a later reuse is reported as such.
            w.conn
                .execute(
                    "UPDATE refresh_token SET revoked = 1 WHERE family_id = ?1",
                    [family_id],
                )
                .db()?;
            Ok(live)
        })
}
