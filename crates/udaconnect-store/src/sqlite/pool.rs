//! One writer connection and a few readers, used from blocking threads only.
//!
//! SQLite allows one writer at a time anyway; WAL lets readers run beside it and see the
//! last committed state. Every call runs on tokio's blocking pool (`spawn_blocking`), so
//! no SQLite work ever blocks the async runtime.

use std::{
    fmt,
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex, MutexGuard, PoisonError,
        atomic::{AtomicUsize, Ordering},
    },
};

use rusqlite::Connection;

use super::{
    checkpoint::Checkpointer,
    connection::{self, Role},
    migrate,
    writer::{KnownCells, Writer},
};
use crate::StoreError;

pub(crate) struct Pool {
    path: PathBuf,
    writer: Mutex<Writer>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    checkpointer: Checkpointer,
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("path", &self.path)
            .field("readers", &self.readers.len())
            .finish_non_exhaustive()
    }
}

/// A connection whose holder panicked is still usable: an open transaction was rolled
/// back when its guard was dropped during unwinding.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Pool {
    /// Opens the writer, migrates the schema, then opens `readers` readers and the
    /// checkpoint thread. Blocking.
    pub(crate) fn open(path: &Path, readers: usize) -> Result<Self, StoreError> {
        let mut conn = connection::open(path, Role::Writer)?;
        migrate::migrate(&mut conn)?;
        let readers = (0..readers.max(1))
            .map(|_| connection::open(path, Role::Reader).map(Mutex::new))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            path: path.to_owned(),
            writer: Mutex::new(Writer {
                conn,
                known_cells: KnownCells::default(),
            }),
            readers,
            next_reader: AtomicUsize::new(0),
            checkpointer: Checkpointer::start(path)?,
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` with the writer on a blocking thread, then wakes the checkpointer.
    pub(crate) async fn write<T, F>(self: &Arc<Self>, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Writer) -> Result<T, StoreError> + Send + 'static,
    {
        let pool = Arc::clone(self);
        run(move || {
            let result = f(&mut lock(&pool.writer));
            pool.checkpointer.wake();
            result
        })
        .await
    }

    /// Runs `f` with a reader connection on a blocking thread: the first idle one, or
    /// the next in turn when all are busy.
    pub(crate) async fn read<T, F>(self: &Arc<Self>, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let pool = Arc::clone(self);
        run(move || {
            let guard = pool.checkout_reader();
            f(&guard)
        })
        .await
    }

    fn checkout_reader(&self) -> MutexGuard<'_, Connection> {
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        let n = self.readers.len();
        for i in 0..n {
            if let Ok(guard) = self.readers[(start + i) % n].try_lock() {
                return guard;
            }
        }
        lock(&self.readers[start % n])
    }

    /// The writer, for blocking callers in this crate (tests).
    #[cfg(test)]
    pub(crate) fn writer_blocking(&self) -> MutexGuard<'_, Writer> {
        lock(&self.writer)
    }
}

async fn run<T, F>(f: F) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, StoreError> + Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => Err(StoreError::Closed),
    }
}
