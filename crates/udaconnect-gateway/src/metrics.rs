//! The gateway's metrics (names in one place, low-cardinality labels) and request telemetry:
//! a Prometheus counter and latency histogram per matched route, and a tracing span per
//! request recording the method and the matched route.

use std::time::Instant;

use axum::{
    extract::{MatchedPath, Request},
    middleware::Next,
    response::Response,
};
use tower_http::{
    classify::{ServerErrorsAsFailures, SharedClassifier},
    trace::{MakeSpan, TraceLayer},
};

/// Requests answered. Labels: `method`, `route` (path template), `status`.
pub(crate) const HTTP_REQUESTS_TOTAL: &str = "udaconnect_http_requests_total";
/// Time to answer a request. Labels: `method`, `route`.
pub(crate) const HTTP_REQUEST_DURATION_SECONDS: &str = "udaconnect_http_request_duration_seconds";

/// Requests refused by the per-client rate limit (answered 429).
pub(crate) const RATE_LIMITED: &str = "udaconnect_http_rate_limited_total";

/// The `route` label of a request no route matched: never the raw URI (cardinality).
const UNMATCHED: &str = "unmatched";

/// Registers descriptions so `/metrics` explains itself.
pub(crate) fn describe() {
    metrics::describe_counter!(HTTP_REQUESTS_TOTAL, "HTTP requests answered by the gateway");
    metrics::describe_histogram!(
        HTTP_REQUEST_DURATION_SECONDS,
        metrics::Unit::Seconds,
        "Time the gateway took to answer an HTTP request"
    );
    metrics::describe_counter!(
        RATE_LIMITED,
        "HTTP requests refused by the per-client rate limit (429)"
    );
}

fn route_of(req: &Request) -> String {
    req.extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str)
        .to_owned()
}

/// Middleware recording [`HTTP_REQUESTS_TOTAL`] and [`HTTP_REQUEST_DURATION_SECONDS`].
pub(crate) async fn track(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = route_of(&req);
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!(
        HTTP_REQUESTS_TOTAL,
        "method" => method.clone(),
        "route" => route.clone(),
        "status" => status
    )
    .increment(1);
    metrics::histogram!(HTTP_REQUEST_DURATION_SECONDS, "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    res
}

/// Span per request with the method and matched route (not the raw URI).
#[derive(Clone, Copy, Debug)]
pub(crate) struct RouteSpan;

impl<B> MakeSpan<B> for RouteSpan {
    fn make_span(&mut self, req: &axum::http::Request<B>) -> tracing::Span {
        let route = req
            .extensions()
            .get::<MatchedPath>()
            .map_or(UNMATCHED, MatchedPath::as_str);
        tracing::info_span!("http_request", method = %req.method(), route)
    }
}

pub(crate) fn trace_layer() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RouteSpan> {
    TraceLayer::new_for_http().make_span_with(RouteSpan)
}
