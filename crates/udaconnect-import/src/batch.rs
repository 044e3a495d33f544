//! The parsing thread's sink: rows into batches, batches into the bounded channel.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use tokio::sync::mpsc;
use udaconnect_domain::{EventId, Location, LocationRecorded, Person, Timestamp};

use crate::{RowError, RowSink, Table, progress::Reporter, report::Rejections};

/// What the parsing thread sends to the inserting task.
pub(crate) enum Msg {
    Persons(Vec<Person>),
    Locations(LocationBatch),
}

/// Fixes of one input, with the line each came from (to report rows the store refuses).
pub(crate) struct LocationBatch {
    pub(crate) file: Arc<str>,
    pub(crate) fixes: Vec<LocationRecorded>,
    pub(crate) lines: Vec<u64>,
}

pub(crate) struct Batcher {
    tx: mpsc::Sender<Msg>,
    table: Table,
    size: usize,
    received_at: Timestamp,
    file: Arc<str>,
    persons: Vec<Person>,
    fixes: Vec<LocationRecorded>,
    lines: Vec<u64>,
    pub(crate) rejections: Rejections,
    reporter: Reporter,
    bytes: Arc<AtomicU64>,
    rows: u64,
    closed: bool,
}

impl Batcher {
    pub(crate) fn new(
        tx: mpsc::Sender<Msg>,
        table: Table,
        size: usize,
        received_at: Timestamp,
        reporter: Reporter,
        bytes: Arc<AtomicU64>,
    ) -> Self {
        Self {
            tx,
            table,
            size: size.max(1),
            received_at,
            file: Arc::from(""),
            persons: Vec::new(),
            fixes: Vec::new(),
            lines: Vec::new(),
            rejections: Rejections::default(),
            reporter,
            bytes,
            rows: 0,
            closed: false,
        }
    }

    /// Rows that follow come from `file` (flush first).
    pub(crate) fn start_file(&mut self, file: Arc<str>) {
        self.file = file;
    }

    /// Sends what is pending. Once the receiver is gone (the store failed), drops rows.
    pub(crate) fn flush(&mut self) {
        let msg = if !self.persons.is_empty() {
            Msg::Persons(std::mem::replace(
                &mut self.persons,
                Vec::with_capacity(self.size),
            ))
        } else if !self.fixes.is_empty() {
            Msg::Locations(LocationBatch {
                file: Arc::clone(&self.file),
                fixes: std::mem::replace(&mut self.fixes, Vec::with_capacity(self.size)),
                lines: std::mem::replace(&mut self.lines, Vec::with_capacity(self.size)),
            })
        } else {
            return;
        };
        if !self.closed && self.tx.blocking_send(msg).is_err() {
            self.closed = true;
        }
        self.reporter
            .update(self.bytes.load(Ordering::Relaxed), self.rows);
    }

    pub(crate) fn finish(mut self) -> Rejections {
        self.flush();
        self.reporter
            .update(self.bytes.load(Ordering::Relaxed), self.rows);
        self.reporter.finish();
        self.rejections
    }
}

impl RowSink for Batcher {
    fn wants(&self, table: Table) -> bool {
        table == self.table
    }

    fn person(&mut self, person: Person, _line: u64) {
        self.rows += 1;
        self.persons.push(person);
        if self.persons.len() >= self.size {
            self.flush();
        }
    }

    fn location(&mut self, location: Location, line: u64) {
        self.rows += 1;
        self.fixes.push(LocationRecorded {
            event_id: EventId::for_import("location", location.id.get()),
            location,
            received_at: self.received_at,
        });
        self.lines.push(line);
        if self.fixes.len() >= self.size {
            self.flush();
        }
    }

    fn rejected(&mut self, error: RowError) {
        self.rejections.push(error);
    }
}
