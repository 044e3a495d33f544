//! Per-client request rate limit of the REST API: a GCRA (`governor`) bucket per peer IP;
//! over the limit a request is answered `429 Too Many Requests` with `Retry-After` and the
//! JSON error body, before any handler runs.

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    num::NonZeroU32,
    sync::Arc,
};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};

use crate::{error::ApiError, metrics};

/// Limits of the REST API that are configurable per deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpLimits {
    /// Sustained requests per second allowed from one client IP; 0 turns the limit off.
    pub rate_per_s: u32,
    /// Requests one client may send at once above the sustained rate (bucket size).
    pub burst: u32,
}

impl HttpLimits {
    pub const DEFAULT_RATE_PER_S: u32 = 50_000;
    pub const DEFAULT_BURST: u32 = 10_000;
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            rate_per_s: Self::DEFAULT_RATE_PER_S,
            burst: Self::DEFAULT_BURST,
        }
    }
}

/// Forget clients idle long enough to have a full bucket again once this many are tracked.
const PRUNE_ABOVE: usize = 10_000;

/// The shared limiter, `None` when the limit is off.
#[derive(Clone)]
pub(crate) struct ClientRateLimit(Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>);

impl ClientRateLimit {
    pub(crate) fn new(limits: HttpLimits) -> Self {
        let Some(rate) = NonZeroU32::new(limits.rate_per_s) else {
            return Self(None);
        };
        let burst = NonZeroU32::new(limits.burst).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_second(rate).allow_burst(burst);
        Self(Some(Arc::new(RateLimiter::dashmap(quota))))
    }
}

/// The client's key: the peer IP when the server records it (`ConnectInfo`), else one key
/// for every client (in-process tests).
fn client_ip(req: &Request) -> IpAddr {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// Middleware: lets the request through or answers 429 with `Retry-After` (whole seconds,
/// at least 1).
pub(crate) async fn limit(
    State(limiter): State<ClientRateLimit>,
    req: Request,
    next: Next,
) -> Response {
    let Some(limiter) = limiter.0 else {
        return next.run(req).await;
    };
    let ip = client_ip(&req);
    match limiter.check_key(&ip) {
        Ok(()) => {
            if limiter.len() > PRUNE_ABOVE {
                limiter.retain_recent();
            }
            next.run(req).await
        }
        Err(not_until) => {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let secs = (wait.as_secs_f64().ceil() as u64).max(1);
            ::metrics::counter!(metrics::RATE_LIMITED).increment(1);
            let mut res = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("too many requests from this client; retry after {secs} s"),
            )
            .into_response();
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            res
        }
    }
}
