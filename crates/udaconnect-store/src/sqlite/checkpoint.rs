//! WAL checkpoints on a background thread.
//!
//! A commit appends the transaction's pages to the WAL and fsyncs it: that is the
//! durability point. Copying the WAL back into the database (a checkpoint) is work the
//! insert path need not wait for, so the writer wakes this thread after each write and it
//! checkpoints (PASSIVE: never blocks anyone) with its own connection, on the other core.
//!
//! The WAL only starts over from its beginning when a write transaction begins after a
//! complete checkpoint. A busy writer always begins its next batch before this thread
//! finishes, so the WAL would grow without bound. The writer therefore keeps SQLite's own
//! auto-checkpoint, at `WAL_RESTART_PAGES`: when the WAL is that long, the commit that
//! crosses it checkpoints inline, which is cheap because this thread has already copied
//! all but the last batch, and the next transaction restarts the WAL. Measured on 1M
//! fixes in batches of 10k, 2 cores: checkpointing inline every commit ≈ 65k fixes/s;
//! background only, restart at 16k pages ≈ 80k/s; at 64k pages ≈ 100k/s.

use std::{
    path::Path,
    sync::mpsc::{self, Receiver, SyncSender, TrySendError},
    thread::JoinHandle,
};

use rusqlite::Connection;

use super::connection::{self, Role};
use crate::StoreError;

#[derive(Debug)]
pub(crate) struct Checkpointer {
    wake: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    pub(crate) fn start(path: &Path) -> Result<Self, StoreError> {
        let conn = connection::open(path, Role::Checkpointer)?;
        let (wake, rx) = mpsc::sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || run(&conn, &rx))
            .map_err(|e| StoreError::Database(format!("spawn checkpoint thread: {e}")))?;
        Ok(Self {
            wake: Some(wake),
            thread: Some(thread),
        })
    }

    /// Asks for a checkpoint soon; never blocks (one pending request is enough).
    pub(crate) fn wake(&self) {
        if let Some(tx) = &self.wake {
            match tx.try_send(()) {
                Ok(()) | Err(TrySendError::Full(())) => {}
                Err(TrySendError::Disconnected(())) => {
                    tracing::warn!("sqlite checkpoint thread is gone")
                }
            }
        }
    }
}

impl Drop for Checkpointer {
    /// Stops the thread (closing the channel ends its loop) and waits for it.
    fn drop(&mut self) {
        self.wake = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(conn: &Connection, wake: &Receiver<()>) {
    while wake.recv().is_ok() {
        let done = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(0));
        if let Err(error) = done {
            tracing::warn!(%error, "sqlite checkpoint failed");
        }
    }
}
