//! Committed offsets of one consumer group on one topic, persisted as
//! `topics/<topic>/groups/<group>.json` and replaced atomically on every commit.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::fsutil::write_atomic;
use crate::BusError;

const SUFFIX: &str = ".json";

#[derive(Debug, Serialize, Deserialize)]
struct OffsetsFile {
    version: u32,
    /// Next offset to read, per partition.
    offsets: Vec<u64>,
}

/// The offsets file of `group` in the topic's `groups` directory.
pub(crate) fn path(groups_dir: &Path, group: &str) -> PathBuf {
    groups_dir.join(format!("{group}{SUFFIX}"))
}

/// The group named by an offsets file name, if it is one.
pub(crate) fn group_of(file_name: &str) -> Option<&str> {
    file_name.strip_suffix(SUFFIX)
}

/// Reads committed offsets, padded or cut to `partitions` entries.
pub(crate) fn load(path: &Path, partitions: usize) -> Result<Vec<u64>, BusError> {
    let bytes = std::fs::read(path)?;
    let file: OffsetsFile = serde_json::from_slice(&bytes)
        .map_err(|e| BusError::Corrupt(format!("{}: {e}", path.display())))?;
    let mut offsets = file.offsets;
    offsets.resize(partitions, 0);
    Ok(offsets)
}

/// Durably replaces the committed offsets.
pub(crate) fn store(path: &Path, offsets: &[u64]) -> std::io::Result<()> {
    let file = OffsetsFile {
        version: 1,
        offsets: offsets.to_vec(),
    };
    let bytes = serde_json::to_vec(&file).map_err(std::io::Error::other)?;
    write_atomic(path, &bytes)
}
