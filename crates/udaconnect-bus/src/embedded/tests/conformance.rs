//! The shared suite against the embedded log, one test per case, each in its own directory.

use std::sync::Arc;

use async_trait::async_trait;
use tempfile::TempDir;

use crate::{
    EventLog,
    conformance::{self as suite, LogFactory},
};

struct Factory {
    dir: TempDir,
}

#[async_trait]
impl LogFactory for Factory {
    async fn open(&self) -> Arc<dyn EventLog> {
        super::open(self.dir.path())
    }
}

fn factory() -> Factory {
    Factory {
        dir: tempfile::tempdir().expect("tempdir"),
    }
}

macro_rules! cases {
    ($($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                suite::$case(&factory()).await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_all_on_one_directory() {
    suite::run_all(&factory()).await;
}
