//! Helpers shared by the cases; public so that adapters can write their own tests with them.

use std::{
    collections::BTreeSet,
    future::Future,
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, SystemTime},
};

use crate::{Delivery, Subscription};

/// Bound on each case (Kafka rebalances take seconds; the embedded log needs milliseconds).
pub const CASE_TIMEOUT: Duration = Duration::from_secs(60);
/// `max_wait` used by the helpers' polls.
const POLL_WAIT: Duration = Duration::from_millis(100);

/// A topic or group name unique to this process and call: `conformance-<what>-<pid>-<time>-<n>`,
/// valid for Kafka and the embedded log.
pub fn unique_name(what: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("conformance-{what}-{}-{nanos:x}-{n}", std::process::id())
}

/// Awaits `fut`, panicking with `what` if it takes longer than [`CASE_TIMEOUT`].
pub async fn within<F: Future>(what: &str, fut: F) -> F::Output {
    match tokio::time::timeout(CASE_TIMEOUT, fut).await {
        Ok(out) => out,
        Err(_) => panic!("timed out after {CASE_TIMEOUT:?}: {what}"),
    }
}

/// Polls until exactly `n` records arrived (panics on timeout or an error).
pub async fn poll_n(sub: &mut dyn Subscription, n: usize) -> Vec<Delivery> {
    within(&format!("waiting for {n} records"), async {
        let mut got = Vec::with_capacity(n);
        while got.len() < n {
            let batch = sub.poll(n - got.len(), POLL_WAIT).await.expect("poll");
            assert!(batch.len() <= n - got.len(), "poll returned more than max");
            got.extend(batch);
        }
        got
    })
    .await
}

/// Polls once more and asserts nothing else is delivered.
pub(crate) async fn assert_quiet(sub: &mut dyn Subscription) {
    let extra = sub
        .poll(100, Duration::from_millis(300))
        .await
        .expect("poll");
    assert!(extra.is_empty(), "unexpected extra records: {extra:?}");
}

/// Polls every member (expecting no records: call it before appending) until their
/// assignments are disjoint, non-empty where possible, and cover all `partitions`.
pub async fn wait_for_balance(subs: &mut [&mut dyn Subscription], partitions: u32) {
    within("waiting for the group to balance", async {
        loop {
            for sub in subs.iter_mut() {
                let got = sub.poll(100, POLL_WAIT).await.expect("poll");
                assert!(got.is_empty(), "no records were appended yet, got {got:?}");
            }
            let assignments: Vec<Vec<u32>> = subs.iter().map(|s| s.assignment()).collect();
            if balanced(&assignments, partitions) {
                return;
            }
        }
    })
    .await;
}

fn balanced(assignments: &[Vec<u32>], partitions: u32) -> bool {
    let total: usize = assignments.iter().map(Vec::len).sum();
    let union: BTreeSet<u32> = assignments.iter().flatten().copied().collect();
    let idle_ok = assignments.len() > partitions as usize;
    total == partitions as usize
        && union == (0..partitions).collect()
        && (idle_ok || assignments.iter().all(|a| !a.is_empty()))
}
