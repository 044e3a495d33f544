//! Metric names of the services, in one place. Labels stay low-cardinality.

pub(crate) const INGEST_ACCEPTED: &str = "udaconnect_ingest_fixes_accepted_total";
pub(crate) const INGEST_REJECTED: &str = "udaconnect_ingest_fixes_rejected_total";
pub(crate) const INGEST_TIMEOUTS: &str = "udaconnect_ingest_timeouts_total";
pub(crate) const WRITER_STORED: &str = "udaconnect_writer_fixes_stored_total";
pub(crate) const WRITER_DUPLICATES: &str = "udaconnect_writer_fixes_duplicate_total";
pub(crate) const WRITER_DEAD_LETTERED: &str = "udaconnect_writer_fixes_dead_lettered_total";
pub(crate) const WRITER_BATCH_SECONDS: &str = "udaconnect_writer_batch_duration_seconds";
pub(crate) const WRITER_RETRIES: &str = "udaconnect_writer_store_retries_total";
pub(crate) const WRITER_COMMITS_REFUSED: &str = "udaconnect_writer_commits_refused_total";
/// Records on the log not yet committed by a consumer group. Labels: `topic`, `group`.
pub(crate) const EVENT_LOG_LAG: &str = "udaconnect_event_log_lag";
pub(crate) const READ_MODEL_FIXES: &str = "udaconnect_read_model_fixes";
pub(crate) const DETECTOR_EPISODES: &str = "udaconnect_detector_episode_events_total";
pub(crate) const DETECTOR_LATENCY: &str = "udaconnect_detector_latency_seconds";
pub(crate) const DETECTOR_RETAINED: &str = "udaconnect_detector_retained_fixes";
pub(crate) const DETECTOR_PARTITIONS: &str = "udaconnect_detector_assigned_partitions";
pub(crate) const DETECTOR_POLL_LAG: &str = "udaconnect_detector_poll_lag_seconds";
pub(crate) const DETECTOR_APPEND_SECONDS: &str = "udaconnect_detector_append_duration_seconds";
pub(crate) const DETECTOR_MATCH_SECONDS: &str = "udaconnect_detector_match_duration_seconds";
pub(crate) const PERSONS_ERASED: &str = "udaconnect_persons_erased_total";
pub(crate) const ERASED_FIXES: &str = "udaconnect_erased_fixes_total";
/// Fixes deleted by retention. Label `from`: `store` or `read_model`.
pub(crate) const RETENTION_PURGED: &str = "udaconnect_retention_purged_fixes_total";

/// Counts one erasure and the fixes it deleted from the store.
pub(crate) fn erased(fixes: u64) {
    metrics::counter!(PERSONS_ERASED).increment(1);
    metrics::counter!(ERASED_FIXES).increment(fixes);
}

/// Registers descriptions so `/metrics` explains itself.
pub(crate) fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        INGEST_ACCEPTED,
        "Location fixes accepted and appended to the log"
    );
    describe_counter!(INGEST_REJECTED, "Location fixes rejected by validation");
    describe_counter!(
        INGEST_TIMEOUTS,
        "Ingest batches refused because the store or event log did not answer in time"
    );
    describe_counter!(WRITER_STORED, "Location fixes written to the store");
    describe_counter!(
        WRITER_DUPLICATES,
        "Redelivered fixes skipped as already stored"
    );
    describe_counter!(
        WRITER_DEAD_LETTERED,
        "Poison records sent to the dead-letter topic"
    );
    describe_counter!(
        WRITER_RETRIES,
        "Store writes retried after a transient failure"
    );
    describe_counter!(
        WRITER_COMMITS_REFUSED,
        "Offset commits the consumer group refused (rebalance or broker restart); the batch is redelivered and skipped as duplicates"
    );
    describe_histogram!(WRITER_BATCH_SECONDS, "Time to store one batch of fixes");
    describe_gauge!(READ_MODEL_FIXES, "Fixes in the proximity read model");
    describe_counter!(
        DETECTOR_EPISODES,
        "Contact episode events emitted (label kind=started|ended)"
    );
    describe_histogram!(
        DETECTOR_LATENCY,
        "From ingest acceptance of the fix that opened an episode to its started event"
    );
    describe_gauge!(DETECTOR_RETAINED, "Fixes the detector retains for matching");
    describe_gauge!(
        DETECTOR_PARTITIONS,
        "Partitions of the locations topic this detector owns (0 until it has joined its group)"
    );
    describe_histogram!(
        DETECTOR_POLL_LAG,
        "From ingest acceptance of the oldest fix of a polled batch to the detector polling it"
    );
    describe_histogram!(
        DETECTOR_APPEND_SECONDS,
        "Time to append one batch's episode events to the contacts topic"
    );
    describe_histogram!(
        DETECTOR_MATCH_SECONDS,
        "Time to decode and match one polled batch of fixes"
    );
    describe_counter!(
        PERSONS_ERASED,
        "Persons erased (record, fixes and contacts)"
    );
    describe_counter!(ERASED_FIXES, "Stored fixes deleted by erasures");
    describe_counter!(
        RETENTION_PURGED,
        "Fixes deleted because they are older than the retention (label from=store|read_model)"
    );
    describe_gauge!(
        EVENT_LOG_LAG,
        "Records appended but not yet committed by the group"
    );
}

/// Called once at start-up by the server.
pub fn describe_all() {
    describe();
}
