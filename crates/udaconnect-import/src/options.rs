use std::{fmt, sync::Arc, time::Duration};

use crate::Table;

/// How [`crate::import_files`] batches and reports.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Rows per store call (`insert_locations`, `import_persons`).
    pub batch_size: usize,
    pub progress: Progress,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            batch_size: 10_000,
            progress: Progress::Auto,
        }
    }
}

impl ImportOptions {
    /// Default batching, no progress output (tests, the demo data).
    pub fn quiet() -> Self {
        Self {
            progress: Progress::Off,
            ..Self::default()
        }
    }
}

/// Where progress goes while an import runs.
#[derive(Clone, Default)]
pub enum Progress {
    /// A progress bar on stderr when it is a terminal, otherwise [`Progress::Log`] every 2 s.
    #[default]
    Auto,
    /// An indicatif bar of bytes read on stderr.
    Bar,
    /// An `info` log line with rows and rows/s at most this often.
    Log(Duration),
    Off,
    /// Called after every batch, from the parsing thread.
    Callback(Arc<dyn Fn(&ProgressUpdate) + Send + Sync>),
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Progress::Auto => f.write_str("Auto"),
            Progress::Bar => f.write_str("Bar"),
            Progress::Log(every) => f.debug_tuple("Log").field(every).finish(),
            Progress::Off => f.write_str("Off"),
            Progress::Callback(_) => f.write_str("Callback(..)"),
        }
    }
}

/// A snapshot of one import phase (persons, then locations).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProgressUpdate {
    pub table: Table,
    /// Bytes read so far in this phase, and in all of its inputs.
    pub bytes_read: u64,
    pub bytes_total: u64,
    /// Rows parsed so far in this phase.
    pub rows: u64,
    pub elapsed: Duration,
}

impl ProgressUpdate {
    pub fn rows_per_second(&self) -> f64 {
        per_second(self.rows, self.elapsed)
    }
}

pub(crate) fn per_second(n: u64, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 { n as f64 / secs } else { 0.0 }
}
