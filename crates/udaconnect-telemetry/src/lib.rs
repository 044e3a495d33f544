//! Logging and metrics set-up, done once per process by the binary.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::{EnvFilter, fmt, prelude::*};
use udaconnect_config::{LogFormat, TelemetryArgs};

/// Telemetry could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("invalid log filter {filter:?}: {message}")]
    Filter { filter: String, message: String },
    #[error("metrics recorder: {0}")]
    Metrics(String),
}

/// Installs the global `tracing` subscriber: logs go to stderr (stdout is kept for what a
/// command prints for the user). Later calls are no-ops.
pub fn init_logging(args: &TelemetryArgs) -> Result<(), TelemetryError> {
    let filter = EnvFilter::try_new(&args.log).map_err(|e| TelemetryError::Filter {
        filter: args.log.clone(),
        message: e.to_string(),
    })?;
    let registry = tracing_subscriber::registry().with(filter);
    let result = match args.log_format {
        LogFormat::Text => registry
            .with(fmt::layer().with_writer(std::io::stderr).with_target(true))
            .try_init(),
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_writer(std::io::stderr),
            )
            .try_init(),
    };
    // Already installed (tests, or a second command in one process): keep the first.
    let _ = result;
    Ok(())
}

/// Buckets for request and batch latencies, in seconds: 100 µs to 10 s.
const LATENCY_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

/// Installs the global Prometheus recorder once and returns the handle that renders
/// `/metrics`. Safe to call many times (tests start several apps in one process).
pub fn init_metrics() -> Result<PrometheusHandle, TelemetryError> {
    static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)
                .map_err(|e| e.to_string())?;
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).map_err(|e| e.to_string())?;
            Ok(handle)
        })
        .clone()
        .map_err(TelemetryError::Metrics)
}
