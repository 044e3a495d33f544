//! Limits: per-client request rate (429 + Retry-After), slow bodies (408), body size (413,
//! see `http.rs`).

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{Request, StatusCode, header},
};

use super::{TestApp, app_with};
use crate::HttpLimits;

fn limited(rate_per_s: u32, burst: u32) -> TestApp {
    app_with(|state| crate::router_with(state, HttpLimits { rate_per_s, burst }))
}

fn from(peer: &str, uri: &str) -> Request<Body> {
    let mut req = Request::get(uri).body(Body::empty()).unwrap();
    let addr: SocketAddr = peer.parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    req
}

#[tokio::test]
async fn over_the_rate_a_client_gets_429_with_retry_after_and_others_are_unaffected() {
    let app = limited(1, 3);
    for _ in 0..3 {
        let r = app.send(from("10.0.0.1:1000", "/api/persons")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    let r = app.send(from("10.0.0.1:1001", "/api/persons")).await;
    r.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", None);
    let retry: u64 = r.header(header::RETRY_AFTER).unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry), "Retry-After {retry}");
    // CORS headers are on the 429 too, so a browser can read it.
    assert!(
        app.send({
            let mut req = from("10.0.0.1:1002", "/api/persons");
            req.headers_mut()
                .insert(header::ORIGIN, "http://ui.example".parse().unwrap());
            req
        })
        .await
        .header(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .is_some()
    );
    // Another client has its own bucket.
    let r = app.send(from("10.0.0.2:1000", "/api/persons")).await;
    assert_eq!(r.status, StatusCode::OK);
    // The refusals are counted.
    let m = app.send(from("10.0.0.3:1000", "/metrics")).await.text();
    assert!(
        m.lines()
            .any(|l| l.starts_with("udaconnect_http_rate_limited_total") && !l.ends_with(" 0")),
        "{m}"
    );
}

#[tokio::test]
async fn the_bucket_refills_at_the_sustained_rate() {
    let app = limited(20, 1);
    assert_eq!(
        app.send(from("10.1.0.1:1", "/health")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.send(from("10.1.0.1:1", "/health")).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(
        app.send(from("10.1.0.1:1", "/health")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn rate_zero_turns_the_limit_off() {
    let app = limited(0, 1);
    for _ in 0..50 {
        assert_eq!(
            app.send(from("10.2.0.1:1", "/health")).await.status,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn a_body_that_never_completes_is_answered_408() {
    let app = super::app();
    let req = Request::post("/api/persons")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(futures::stream::pending::<
            Result<Vec<u8>, std::io::Error>,
        >()))
        .unwrap();
    let started = Instant::now();
    let r = app.send(req).await;
    r.assert_error(StatusCode::REQUEST_TIMEOUT, "timeout", None);
    assert!(started.elapsed() < crate::extract::BODY_READ_TIMEOUT + Duration::from_secs(5));
}
