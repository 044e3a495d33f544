//! One segment file of a partition: frames appended back to back, named by the offset of its
//! first record, with a sparse in-memory index (one entry per [`INDEX_INTERVAL`] bytes) so a
//! read seeks close to its offset instead of scanning the file.

use std::{
    fs::{File, OpenOptions},
    path::{Path, PathBuf},
    sync::Arc,
};

/// Bytes of frames between two index entries.
pub(crate) const INDEX_INTERVAL: u64 = 4096;
const SUFFIX: &str = ".log";

/// A segment as readers see it: only durable, acknowledged bytes are covered by `len`.
#[derive(Debug)]
pub(crate) struct Segment {
    pub(crate) base: u64,
    pub(crate) path: PathBuf,
    pub(crate) file: Arc<File>,
    /// Durable bytes; readers never look past this.
    pub(crate) len: u64,
    /// Size of the file: the active segment is extended with zeros ahead of the writes (see
    /// `append`), so this may exceed `len`.
    pub(crate) allocated: u64,
    /// Offset after the last record (`base` when empty).
    pub(crate) next_offset: u64,
    /// Newest record timestamp, for age-based retention (`i64::MIN` when empty).
    pub(crate) max_timestamp_ms: i64,
    /// `(offset, file position)` of a frame start, ascending.
    index: Vec<(u64, u64)>,
}

/// The file name of the segment starting at `base`.
pub(crate) fn file_name(base: u64) -> String {
    format!("{base:020}{SUFFIX}")
}

/// The base offset named by a segment file name, if it is one.
pub(crate) fn parse_file_name(name: &str) -> Option<u64> {
    let digits = name.strip_suffix(SUFFIX)?;
    (digits.len() == 20 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

pub(crate) fn open_file(path: &Path, create: bool) -> std::io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(create)
        .open(path)
}

impl Segment {
    /// Creates an empty segment file. The caller fsyncs the directory.
    pub(crate) fn create(dir: &Path, base: u64) -> std::io::Result<Segment> {
        let path = dir.join(file_name(base));
        let file = open_file(&path, true)?;
        Ok(Segment::new(base, path, file))
    }

    pub(crate) fn new(base: u64, path: PathBuf, file: File) -> Segment {
        Segment {
            base,
            path,
            file: Arc::new(file),
            len: 0,
            allocated: 0,
            next_offset: base,
            max_timestamp_ms: i64::MIN,
            index: Vec::new(),
        }
    }

    /// Records a durable frame of `frame_len` bytes at `pos` holding `offset`.
    pub(crate) fn push(&mut self, offset: u64, pos: u64, frame_len: u64, timestamp_ms: i64) {
        let due = self
            .index
            .last()
            .is_none_or(|&(_, last)| pos >= last + INDEX_INTERVAL);
        if due {
            self.index.push((offset, pos));
        }
        self.len = pos + frame_len;
        self.next_offset = offset + 1;
        self.max_timestamp_ms = self.max_timestamp_ms.max(timestamp_ms);
    }

    /// A file position at or before the frame of `offset`, from which scanning finds it.
    pub(crate) fn seek_position(&self, offset: u64) -> u64 {
        let i = self.index.partition_point(|&(o, _)| o <= offset);
        if i == 0 { 0 } else { self.index[i - 1].1 }
    }

    /// Whether this segment holds `offset`.
    pub(crate) fn contains(&self, offset: u64) -> bool {
        (self.base..self.next_offset).contains(&offset)
    }
}
