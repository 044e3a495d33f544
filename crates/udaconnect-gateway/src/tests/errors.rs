//! Errors produced outside the handlers still have the JSON body.

use axum::{
    body::Body,
    http::{Method, Request, StatusCode, header},
};

use super::{app, fakes, short_timeout_app};

#[tokio::test]
async fn wrong_or_missing_content_type_is_415() {
    let app = app();
    let body = r#"{"first_name": "A", "last_name": "B", "company_name": "C"}"#;
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut req = Request::post("/api/persons");
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        let r = app.send(req.body(Body::from(body)).unwrap()).await;
        r.assert_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            None,
        );
    }
    let req = Request::post("/api/persons")
        .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
        .body(Body::from(body))
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let app = app();
    let big = format!(r#"{{"first_name": "{}"}}"#, "a".repeat(100 * 1024));
    let r = app.post_json("/api/persons", big.clone()).await;
    r.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", None);
    // Without a content-length too (a stream).
    let stream = futures_stream(big);
    let r = app.post_json("/api/locations", stream).await;
    r.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", None);
}

fn futures_stream(s: String) -> Body {
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = s
        .into_bytes()
        .chunks(1024)
        .map(|c| Ok(c.to_vec()))
        .collect();
    Body::from_stream(futures::stream::iter(chunks))
}

#[tokio::test]
async fn unknown_routes_and_methods_are_json() {
    let app = app();
    app.get("/api/nothing")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found", None);
    let req = Request::builder()
        .method(Method::DELETE)
        .uri("/api/persons")
        .body(Body::empty());
    let r = app.send(req.unwrap()).await;
    r.assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", None);
    assert!(r.header(header::ALLOW).unwrap().contains("GET"));
}

#[tokio::test]
async fn panics_become_opaque_500() {
    let r = app().get(&format!("/api/persons/{}", fakes::PANICS)).await;
    r.assert_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", None);
    assert!(!r.text().contains("panicked"));
}

#[tokio::test]
async fn slow_requests_time_out_with_503() {
    let app = short_timeout_app();
    let r = app.get(&format!("/api/persons/{}", fakes::SLOW)).await;
    r.assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable", None);
    assert_eq!(r.header(header::RETRY_AFTER), Some("1"));
}
