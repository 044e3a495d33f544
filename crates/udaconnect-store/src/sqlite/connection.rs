//! Opening and configuring one SQLite connection.

use std::{path::Path, time::Duration};

use rusqlite::{Connection, OpenFlags};

use super::{errors::ResultExt, functions};
use crate::StoreError;

/// How long a statement waits for a lock held by another connection before failing.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Page cache per connection, KiB (negative `cache_size` means KiB). Large enough to keep
/// the event-id index of a few million fixes hot: the bulk importer's event ids are
/// random (UUIDv5), so a small cache turns index inserts into page reads.
const CACHE_KIB: i64 = 64 * 1024;
/// WAL length (pages) at which the writer checkpoints itself; see `checkpoint.rs`.
pub(crate) const WAL_RESTART_PAGES: i64 = 65_536;
/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Writer,
    Reader,
    /// Runs WAL checkpoints (see `checkpoint.rs`).
    Checkpointer,
}

/// Opens a connection with the store's settings. The writer also switches the database
/// to WAL (a persistent setting) before anyone reads.
pub(crate) fn open(path: &Path, role: Role) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).db()?;
    conn.busy_timeout(BUSY_TIMEOUT).db()?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    if role == Role::Writer {
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .db()?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Database(format!(
                "could not switch {} to WAL (journal_mode is {mode})",
                path.display()
            )));
        }
        // The checkpoint thread copies the WAL back off the insert path; see checkpoint.rs
        // for why the writer still checkpoints (cheaply) once the WAL is this long.
        conn.pragma_update(None, "wal_autocheckpoint", WAL_RESTART_PAGES)
            .db()?;
    }
    // FULL: a commit is on disk before it returns, so an acknowledged batch survives
    // power loss (the event log offset is committed right after it).
    conn.pragma_update(None, "synchronous", "FULL").db()?;
    conn.pragma_update(None, "foreign_keys", "ON").db()?;
    // Erased and expired rows are overwritten with zeros, not left in free pages.
    conn.pragma_update(None, "secure_delete", "ON").db()?;
    conn.pragma_update(None, "cache_size", -CACHE_KIB).db()?;
    conn.pragma_update(None, "temp_store", "MEMORY").db()?;
    if role == Role::Reader {
        conn.pragma_update(None, "query_only", "ON").db()?;
    }
    functions::register(&conn).db()?;
    Ok(conn)
}
