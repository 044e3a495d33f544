//! The shared suite against a Kafka broker, one test per case. Every case uses fresh topic
//! and group names, so they share the broker and may run concurrently.

use std::sync::Arc;

use async_trait::async_trait;

use crate::{
    EventLog,
    conformance::{self as suite, LogFactory},
};

/// A "restart" is a new `KafkaLog` (new clients) over the same broker.
struct Factory;

#[async_trait]
impl LogFactory for Factory {
    async fn open(&self) -> Arc<dyn EventLog> {
        super::connect()
    }
}

macro_rules! cases {
    ($($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[ignore = "needs a Kafka broker: scripts/kafka.sh start"]
            async fn $case() {
                suite::$case(&Factory).await;
            }
        )*
    };
}

cases!(
    append_and_read_back,
    per_key_order,
    reader_reads_from_offsets,
    empty_poll_returns_after_max_wait,
    poll_wakes_on_append,
    poll_is_cancel_safe,
    group_split,
    redelivery_after_member_leaves,
    independent_groups,
    restart_resumes_from_committed,
    lag_tracks_commits,
);
