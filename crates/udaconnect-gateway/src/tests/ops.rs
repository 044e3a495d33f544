//! Health, readiness, metrics, CORS, OpenAPI and docs UI.

use axum::{
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use serde_json::json;

use super::app;

#[tokio::test]
async fn poc_health_is_exactly_the_json_string_healthy() {
    let r = app().get("/health").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.text(), "\"healthy\"");
    assert_eq!(r.header(header::CONTENT_TYPE), Some("application/json"));
}

#[tokio::test]
async fn liveness_and_readiness() {
    let app = app();
    let r = app.get("/health/live").await;
    assert_eq!(
        (r.status, r.json()),
        (StatusCode::OK, json!({"status": "live"}))
    );
    let r = app.get("/health/ready").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json(),
        json!({"status": "ready", "components": {"store": "ready"}, "shutting_down": false})
    );
    app.readiness.set("writer", false);
    let r = app.get("/health/ready").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.json()["status"], "not_ready");
    assert_eq!(r.json()["components"]["writer"], "not_ready");
}

#[tokio::test]
async fn metrics_count_requests_by_route_template() {
    let app = app();
    assert_eq!(app.get("/api/persons/5").await.status, StatusCode::OK);
    assert_eq!(
        app.get("/no/such/route/8371").await.status,
        StatusCode::NOT_FOUND
    );
    let r = app.get("/metrics").await;
    assert_eq!(r.status, StatusCode::OK);
    let text = r.text();
    let line = text
        .lines()
        .find(|l| {
            l.starts_with("udaconnect_http_requests_total{")
                && l.contains(r#"route="/api/persons/{person_id}""#)
                && l.contains(r#"status="200""#)
                && l.contains(r#"method="GET""#)
        })
        .unwrap_or_else(|| panic!("no request counter in:\n{text}"));
    assert!(!line.ends_with(" 0"), "{line}");
    assert!(
        text.contains("udaconnect_http_request_duration_seconds"),
        "{text}"
    );
    assert!(text.contains(r#"route="unmatched""#), "{text}");
    assert!(
        !text.contains("/no/such"),
        "raw URIs must not become labels"
    );
}

#[tokio::test]
async fn cors_allows_the_poc_front_end_from_another_origin() {
    let app = app();
    let preflight = Request::builder()
        .method(Method::OPTIONS)
        .uri("/api/persons")
        .header(header::ORIGIN, "http://localhost:3000")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type")
        .body(Body::empty())
        .unwrap();
    let r = app.send(preflight).await;
    assert!(r.status.is_success(), "{}", r.status);
    assert_eq!(r.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), Some("*"));
    let methods = r
        .header(header::ACCESS_CONTROL_ALLOW_METHODS)
        .unwrap()
        .to_owned();
    assert!(
        methods.contains("POST") && methods.contains("GET"),
        "{methods}"
    );
    let headers = r
        .header(header::ACCESS_CONTROL_ALLOW_HEADERS)
        .unwrap()
        .to_lowercase();
    assert!(headers.contains("content-type"), "{headers}");

    let get = Request::get("/api/persons")
        .header(header::ORIGIN, "http://localhost:3000")
        .body(Body::empty())
        .unwrap();
    let r = app.send(get).await;
    assert_eq!(r.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), Some("*"));
}

#[tokio::test]
async fn openapi_document_lists_every_path() {
    let r = app().get("/api/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(doc["info"]["title"], "UdaConnect");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/persons", "get"),
        ("/api/persons", "post"),
        ("/api/persons/{person_id}", "get"),
        ("/api/persons/{person_id}/connection", "get"),
        ("/api/locations", "post"),
        ("/api/locations/{location_id}", "get"),
        ("/health", "get"),
        ("/health/live", "get"),
        ("/health/ready", "get"),
        ("/metrics", "get"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path} missing");
    }
    let post = &paths["/api/locations"]["post"];
    assert!(post["responses"]["202"].is_object());
    assert!(
        post["description"]
            .as_str()
            .unwrap()
            .contains("read-your-write")
    );
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for schema in [
        "Person",
        "NewPerson",
        "Location",
        "NewLocation",
        "Connection",
        "ErrorBody",
    ] {
        assert!(schemas.contains_key(schema), "schema {schema} missing");
    }
}

#[tokio::test]
async fn docs_ui_is_served_from_the_binary() {
    let app = app();
    let r = app.get("/docs/").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("swagger-ui-bundle.js"), "{html}");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no CDN: {html}"
    );
    // Every asset the page loads is served by the binary.
    for asset in html.split(['"']).filter(|s| s.starts_with("./")) {
        let r = app.get(&format!("/docs/{}", &asset[2..])).await;
        assert_eq!(r.status, StatusCode::OK, "{asset}");
    }
    let r = app.get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.header(header::CONTENT_TYPE)
            .unwrap()
            .contains("javascript")
    );
    assert!(r.body.len() > 100_000);
    let r = app.get("/docs/swagger-initializer.js").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("/api/openapi.json"), "{}", r.text());
}

/// The web UI is mounted at `/` with its own headers; its HTML error page is not turned
/// into the API's JSON error, while unknown assets and routes still get the JSON 404.
#[tokio::test]
async fn web_ui_is_mounted_beside_the_api() {
    let app = app();
    let r = app.get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.header(header::CONTENT_TYPE),
        Some("text/html; charset=utf-8")
    );
    assert!(r.text().contains("/assets/js/people.js"), "{}", r.text());
    assert!(
        r.header(header::CONTENT_SECURITY_POLICY)
            .unwrap()
            .contains("script-src 'self'")
    );
    let r = app.get("/assets/js/api.js").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header(header::ETAG).is_some());
    let r = app.get("/people/nobody").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().contains("<h1>Not found</h1>"), "{}", r.text());
    app.get("/assets/missing.js")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found", None);
    app.get("/no/such/page")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found", None);
    // The API keeps its own headers: no UI policy on JSON answers.
    let r = app.get("/api/persons").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header(header::CONTENT_SECURITY_POLICY).is_none());
}

#[tokio::test]
async fn admin_router_serves_probes_and_metrics_but_no_api() {
    use axum::extract::FromRef;
    let app = super::app_with(|state| crate::admin_router(crate::AdminState::from_ref(&state)));
    assert_eq!(app.get("/health/live").await.status, StatusCode::OK);
    assert_eq!(
        app.get("/health").await.json(),
        serde_json::json!("healthy")
    );
    app.readiness.set("writer", false);
    let ready = app.get("/health/ready").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.json()["components"]["writer"], "not_ready");
    assert_eq!(app.get("/metrics").await.status, StatusCode::OK);
    app.get("/api/persons")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found", None);
}
