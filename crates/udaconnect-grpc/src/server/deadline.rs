//! Server-side deadline of every call that is not a client stream: a call still running
//! after [`UNARY_DEADLINE`] is answered `DEADLINE_EXCEEDED` and abandoned (a client's own
//! shorter `grpc-timeout` is honoured by tonic as well). Client streams
//! (`StreamLocations`) are bounded by their own limits instead (fixes and duration, see
//! [`GrpcLimits`](super::GrpcLimits)); server streams answer at once and stream afterwards,
//! so the deadline bounds only their set-up.

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use tonic::{Status, body::Body, codegen::http};
use tower::Service;

/// Longest a unary call may run on the server.
pub const UNARY_DEADLINE: Duration = Duration::from_secs(30);

/// The one client-streaming method.
const CLIENT_STREAMS: &[&str] = &["/udaconnect.v1.LocationIngest/StreamLocations"];

#[derive(Debug, Clone)]
pub(crate) struct Deadline<S> {
    pub(crate) inner: S,
    pub(crate) limit: Duration,
}

impl<S, B> Service<http::Request<B>> for Deadline<S>
where
    S: Service<http::Request<B>, Response = http::Response<Body>>,
    S::Future: Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let streaming = CLIENT_STREAMS.contains(&req.uri().path());
        let call = self.inner.call(req);
        if streaming {
            return Box::pin(call);
        }
        let limit = self.limit;
        Box::pin(async move {
            match tokio::time::timeout(limit, call).await {
                Ok(answer) => answer,
                Err(_) => {
                    tracing::warn!(
                        deadline_ms = limit.as_millis() as u64,
                        "grpc call abandoned at the server deadline"
                    );
                    Ok(Status::deadline_exceeded(format!(
                        "the call did not finish within the server's deadline of {} ms",
                        limit.as_millis()
                    ))
                    .into_http())
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use tower::ServiceExt;

    use super::*;

    /// Calls `path` on a service that takes 400 ms, behind a 50 ms deadline.
    async fn call_slow(path: &str) -> http::Response<Body> {
        let inner = tower::service_fn(|_req: http::Request<()>| async {
            tokio::time::sleep(Duration::from_millis(400)).await;
            Ok::<_, Infallible>(http::Response::new(Body::empty()))
        });
        let deadline = Deadline {
            inner,
            limit: Duration::from_millis(50),
        };
        let req = http::Request::builder().uri(path).body(()).unwrap();
        deadline.oneshot(req).await.unwrap()
    }

    #[tokio::test]
    async fn a_slow_unary_call_is_deadline_exceeded() {
        let started = std::time::Instant::now();
        let res = call_slow("/udaconnect.v1.Persons/ListPersons").await;
        assert!(started.elapsed() < Duration::from_millis(300));
        let status = Status::from_header_map(res.headers()).expect("grpc-status");
        assert_eq!(status.code(), tonic::Code::DeadlineExceeded);
    }

    #[tokio::test]
    async fn a_client_stream_is_left_to_its_own_limits() {
        let res = call_slow("/udaconnect.v1.LocationIngest/StreamLocations").await;
        assert!(Status::from_header_map(res.headers()).is_none());
    }
}
