//! Tests of the embedded log: the conformance suite plus what only this adapter promises.

mod conformance;
mod crash;
mod recovery;
mod retention;
mod units;

use std::{path::Path, sync::Arc};

use super::{EmbeddedLog, EmbeddedOptions};
use crate::{Delivery, EventLog, Record, Subscription};

pub(super) fn open(dir: &Path) -> Arc<EmbeddedLog> {
    open_with(dir, EmbeddedOptions::default())
}

pub(super) fn open_with(dir: &Path, options: EmbeddedOptions) -> Arc<EmbeddedLog> {
    EmbeddedLog::open(dir, options).expect("open embedded log")
}

pub(super) fn records(n: usize, prefix: &str) -> Vec<Record> {
    (0..n)
        .map(|i| {
            Record::new(format!("key-{i}"), format!("{prefix}-{i}")).with_header("n", i.to_string())
        })
        .collect()
}

/// Everything currently in `topic`, through a fresh group.
pub(super) async fn read_all(log: &dyn EventLog, topic: &str, n: usize) -> Vec<Delivery> {
    let group = crate::conformance::unique_name("read-all");
    let mut sub: Box<dyn Subscription> = log.subscribe(topic, &group).await.expect("subscribe");
    crate::conformance::poll_n(&mut *sub, n).await
}
