//! The conformance suite every [`EventLog`] adapter must pass, in the spirit of Watermill's
//! universal pub/sub tests: read-back fidelity, per-key order, consumer groups, redelivery
//! without commit, restart from the committed offset, independent groups, lag, group-less readers, and `poll`'s
//! waiting and cancel-safety.
//!
//! An adapter implements [`LogFactory`] and either calls [`run_all`] or, better, one case per
//! `#[tokio::test]`:
//!
//! ```ignore
//! #[tokio::test]
//! async fn group_split() {
//!     udaconnect_bus::conformance::group_split(&MyFactory::new()).await;
//! }
//! ```
//!
//! Every case uses fresh topic and group names ([`unique_name`]), so cases may share a broker
//! and run concurrently, and each case is bounded by [`CASE_TIMEOUT`]: a broken adapter fails,
//! it does not hang. Cases panic on failure, like assertions.

mod basic;
mod groups;
mod polling;
mod reader;
mod restart;
mod support;

use std::sync::Arc;

use async_trait::async_trait;

use crate::EventLog;

pub use basic::{append_and_read_back, per_key_order};
pub use groups::{group_split, independent_groups, redelivery_after_member_leaves};
pub use polling::{empty_poll_returns_after_max_wait, poll_is_cancel_safe, poll_wakes_on_append};
pub use reader::reader_reads_from_offsets;
pub use restart::{lag_tracks_commits, restart_resumes_from_committed};
pub use support::{CASE_TIMEOUT, poll_n, unique_name, wait_for_balance, within};

/// Opens the adapter under test.
#[async_trait]
pub trait LogFactory: Send + Sync {
    /// A handle on the log. Calling it again after every previous handle (and its
    /// subscriptions) has been dropped simulates a process restart over the same storage or
    /// broker: for the embedded adapter, reopening the same directory.
    async fn open(&self) -> Arc<dyn EventLog>;
}

/// Runs every case in turn.
pub async fn run_all(factory: &dyn LogFactory) {
    append_and_read_back(factory).await;
    per_key_order(factory).await;
    empty_poll_returns_after_max_wait(factory).await;
    poll_wakes_on_append(factory).await;
    poll_is_cancel_safe(factory).await;
    group_split(factory).await;
    redelivery_after_member_leaves(factory).await;
    independent_groups(factory).await;
    restart_resumes_from_committed(factory).await;
    lag_tracks_commits(factory).await;
    reader_reads_from_offsets(factory).await;
}
