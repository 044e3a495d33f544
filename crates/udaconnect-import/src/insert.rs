//! The inserting side: batches into the store, isolating rows of unknown persons.

use std::collections::HashSet;

use udaconnect_domain::{LocationRecorded, PersonId};
use udaconnect_store::{DynStore, InsertReport, StoreError};

use crate::{
    RowError,
    batch::{LocationBatch, Msg},
    report::Rejections,
};

pub(crate) struct Inserter {
    store: DynStore,
    /// Persons the store said it does not know: their later rows are rejected up front.
    unknown: HashSet<PersonId>,
    pub(crate) persons: InsertReport,
    pub(crate) locations: InsertReport,
    pub(crate) rejections: Rejections,
}

impl Inserter {
    pub(crate) fn new(store: DynStore) -> Self {
        Self {
            store,
            unknown: HashSet::new(),
            persons: InsertReport::default(),
            locations: InsertReport::default(),
            rejections: Rejections::default(),
        }
    }

    pub(crate) async fn handle(&mut self, msg: Msg) -> Result<(), StoreError> {
        match msg {
            Msg::Persons(persons) => {
                let inserted = self.store.import_persons(&persons).await?;
                self.persons += InsertReport {
                    inserted,
                    skipped: (persons.len() as u64).saturating_sub(inserted),
                };
                Ok(())
            }
            Msg::Locations(batch) => self.locations(batch).await,
        }
    }

    /// Inserts a batch. When the store refuses it for an unknown person, that person's rows
    /// are rejected and the rest retried; if the store names a person that is not in the
    /// part it was given, the part is bisected until the refused rows are isolated.
    async fn locations(&mut self, batch: LocationBatch) -> Result<(), StoreError> {
        let LocationBatch { file, fixes, lines } = batch;
        let mut parts = vec![self.without(&file, None, fixes, lines)];
        while let Some((fixes, lines)) = parts.pop() {
            if fixes.is_empty() {
                continue;
            }
            let pid = match self.store.insert_locations(&fixes).await {
                Ok(report) => {
                    self.locations += report;
                    continue;
                }
                Err(StoreError::UnknownPerson(pid)) => pid,
                Err(e) => return Err(e),
            };
            self.unknown.insert(pid);
            if fixes.iter().any(|f| f.location.person_id == pid) {
                parts.push(self.without(&file, Some(pid), fixes, lines));
            } else if fixes.len() == 1 {
                let line = lines.first().copied().unwrap_or_default();
                let message = format!("unknown person {pid}");
                self.rejections
                    .push(RowError::new(&file, line, "person_id", message));
            } else {
                let (mut fixes, mut lines) = (fixes, lines);
                let half = fixes.len() / 2;
                let tail = (fixes.split_off(half), lines.split_off(half));
                parts.push(tail);
                parts.push((fixes, lines));
            }
        }
        Ok(())
    }

    /// Rejects the rows of known-unknown persons (and of `pid`), keeps the others.
    fn without(
        &mut self,
        file: &std::sync::Arc<str>,
        pid: Option<PersonId>,
        fixes: Vec<LocationRecorded>,
        lines: Vec<u64>,
    ) -> (Vec<LocationRecorded>, Vec<u64>) {
        if self.unknown.is_empty() && pid.is_none() {
            return (fixes, lines);
        }
        let mut kept = (
            Vec::with_capacity(fixes.len()),
            Vec::with_capacity(lines.len()),
        );
        for (fix, line) in fixes.into_iter().zip(lines) {
            let p = fix.location.person_id;
            if Some(p) == pid || self.unknown.contains(&p) {
                let message = format!("unknown person {p}");
                self.rejections
                    .push(RowError::new(file, line, "person_id", message));
            } else {
                kept.0.push(fix);
                kept.1.push(line);
            }
        }
        kept
    }
}
