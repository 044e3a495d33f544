//! File-system helpers: directory fsync, atomic replacement of small files, the directory
//! lock, and name validation (names become file names).

use std::{
    fs::{File, OpenOptions, TryLockError},
    io::{self, Write},
    path::Path,
};

use crate::BusError;

/// Makes creations, renames and deletions in `dir` durable.
pub(crate) fn fsync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Replaces `path` with `bytes` atomically: write a temporary file, fsync it, rename it over
/// `path`, fsync the directory. A crash leaves either the old or the new content.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = path.with_extension("tmp");
    let mut file = File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)?;
    fsync_dir(dir)
}

/// Takes the exclusive lock on `dir/LOCK`, held for as long as the returned file is open.
pub(crate) fn lock_dir(dir: &Path) -> Result<File, BusError> {
    let path = dir.join("LOCK");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(BusError::Io(io::Error::new(
            io::ErrorKind::ResourceBusy,
            format!(
                "event log directory {} is already in use (lock {} is held by another \
                 process or another open handle)",
                dir.display(),
                path.display()
            ),
        ))),
        Err(TryLockError::Error(e)) => Err(BusError::Io(e)),
    }
}

/// Accepts 1–249 characters of `[A-Za-z0-9._-]`, not `.` or `..` (Kafka's topic rule).
pub(crate) fn validate_name(field: &'static str, name: &str) -> Result<(), BusError> {
    let ok_chars = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok_chars && (1..=249).contains(&name.len()) && name != "." && name != ".." {
        Ok(())
    } else {
        Err(BusError::InvalidArgument {
            field,
            message: format!("{name:?} must be 1-249 characters of [A-Za-z0-9._-]"),
        })
    }
}
