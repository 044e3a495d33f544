//! Progress of one import phase: a bar, a periodic log line, a callback, or nothing.

use std::{
    io::{self, IsTerminal, Read},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use indicatif::{ProgressBar, ProgressStyle};

use crate::{Progress, ProgressUpdate, Table};

const LOG_EVERY: Duration = Duration::from_secs(2);

enum Output {
    Off,
    Bar(ProgressBar),
    Log { every: Duration, last: Instant },
    Callback(Arc<dyn Fn(&ProgressUpdate) + Send + Sync>),
}

pub(crate) struct Reporter {
    output: Output,
    table: Table,
    total: u64,
    started: Instant,
}

impl Reporter {
    pub(crate) fn new(progress: &Progress, table: Table, total: u64) -> Self {
        let now = Instant::now();
        let log = |every| Output::Log { every, last: now };
        let output = match progress {
            Progress::Off => Output::Off,
            Progress::Bar => Output::Bar(bar(table, total)),
            Progress::Auto if io::stderr().is_terminal() => Output::Bar(bar(table, total)),
            Progress::Auto => log(LOG_EVERY),
            Progress::Log(every) => log(*every),
            Progress::Callback(f) => Output::Callback(Arc::clone(f)),
        };
        Self {
            output,
            table,
            total,
            started: now,
        }
    }

    pub(crate) fn update(&mut self, bytes_read: u64, rows: u64) {
        let u = ProgressUpdate {
            table: self.table,
            bytes_read,
            bytes_total: self.total,
            rows,
            elapsed: self.started.elapsed(),
        };
        match &mut self.output {
            Output::Off => {}
            Output::Bar(bar) => {
                bar.set_position(bytes_read.min(self.total));
                bar.set_message(format!("{}: {rows} rows", self.table.as_str()));
            }
            Output::Log { every, last } => {
                if last.elapsed() >= *every {
                    *last = Instant::now();
                    let rows_per_s = u.rows_per_second().round();
                    tracing::info!(
                        table = self.table.as_str(),
                        rows,
                        rows_per_s,
                        bytes_read,
                        "importing"
                    );
                }
            }
            Output::Callback(f) => f(&u),
        }
    }

    pub(crate) fn finish(&self) {
        if let Output::Bar(bar) = &self.output {
            bar.finish_and_clear();
        }
    }
}

fn bar(table: Table, total: u64) -> ProgressBar {
    let style = ProgressStyle::with_template(
        "{msg:>24} [{wide_bar}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    ProgressBar::new(total)
        .with_style(style)
        .with_message(format!("{}: 0 rows", table.as_str()))
}

/// A reader that counts the bytes read and fails once the import is cancelled.
pub(crate) struct Tracked<R> {
    inner: R,
    bytes: Arc<AtomicU64>,
    cancelled: Arc<AtomicBool>,
}

impl<R> Tracked<R> {
    pub(crate) fn new(inner: R, bytes: Arc<AtomicU64>, cancelled: Arc<AtomicBool>) -> Self {
        Self {
            inner,
            bytes,
            cancelled,
        }
    }
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.cancelled.load(Ordering::Relaxed) {
            return Err(io::Error::other("import cancelled"));
        }
        let n = self.inner.read(buf)?;
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}
