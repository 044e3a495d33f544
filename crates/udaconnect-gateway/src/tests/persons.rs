use axum::http::{StatusCode, header};
use serde_json::json;

use super::{app, fakes};

#[tokio::test]
async fn lists_persons_ordered_by_id_in_the_poc_shape() {
    let app = app();
    app.world.add_person(3, "Zed", "Last", "Acme");
    let r = app.get("/api/persons").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json(),
        json!([
            {"id": 1, "first_name": "Pam", "last_name": "Trexler",
             "company_name": "Hampton, Hampton and McQuill"},
            {"id": 3, "first_name": "Zed", "last_name": "Last", "company_name": "Acme"},
            {"id": 5, "first_name": "Taco", "last_name": "Fargo",
             "company_name": "Alpha Omega Upholstery"},
        ])
    );
}

#[tokio::test]
async fn creates_a_person_with_201_and_location_ignoring_id() {
    let app = app();
    let body = json!({"id": 99, "first_name": " Ada ", "last_name": "Lovelace",
                      "company_name": "Engines"});
    let r = app.post_json("/api/persons", body.to_string()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.header(header::LOCATION), Some("/api/persons/6"));
    let expected =
        json!({"id": 6, "first_name": "Ada", "last_name": "Lovelace", "company_name": "Engines"});
    assert_eq!(r.json(), expected);
    let r = app.get("/api/persons/6").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), expected);
}

#[tokio::test]
async fn gets_one_person_or_404() {
    let app = app();
    let r = app.get("/api/persons/5").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json(),
        json!({"id": 5, "first_name": "Taco", "last_name": "Fargo",
               "company_name": "Alpha Omega Upholstery"})
    );
    app.get("/api/persons/42")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found", None);
}

#[tokio::test]
async fn non_integer_path_ids_are_400_naming_person_id() {
    let app = app();
    for path in [
        "/api/persons/abc",
        "/api/persons/0",
        "/api/persons/-3",
        "/api/persons/1.5",
    ] {
        let r = app.get(path).await;
        r.assert_error(
            StatusCode::BAD_REQUEST,
            "invalid_argument",
            Some("person_id"),
        );
    }
}

#[tokio::test]
async fn bad_person_bodies_are_400_naming_the_field() {
    let app = app();
    let ok = json!({"first_name": "A", "last_name": "B", "company_name": "C"});
    let cases = [
        (json!({"last_name": "B", "company_name": "C"}), "first_name"),
        (
            json!({"first_name": 7, "last_name": "B", "company_name": "C"}),
            "first_name",
        ),
        (
            json!({"first_name": "A", "last_name": " ", "company_name": "C"}),
            "last_name",
        ),
        (
            json!({"first_name": "A", "last_name": "B", "company_name": null}),
            "company_name",
        ),
        (
            json!({"first_name": "A", "last_name": "B", "company_name": "C", "age": 3}),
            "age",
        ),
    ];
    for (body, field) in cases {
        let r = app.post_json("/api/persons", body.to_string()).await;
        r.assert_error(StatusCode::BAD_REQUEST, "invalid_argument", Some(field));
    }
    assert_eq!(
        app.post_json("/api/persons", ok.to_string()).await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn malformed_json_and_non_objects_are_400() {
    let app = app();
    for body in ["{\"first_name\": ", "", "[1, 2]", "\"text\"", "null"] {
        let r = app.post_json("/api/persons", body).await;
        r.assert_error(StatusCode::BAD_REQUEST, "invalid_argument", None);
    }
}

#[tokio::test]
async fn service_failures_map_to_503_and_opaque_500() {
    let app = app();
    let r = app
        .get(&format!("/api/persons/{}", fakes::UNAVAILABLE))
        .await;
    r.assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable", None);
    assert_eq!(r.header(header::RETRY_AFTER), Some("1"));
    assert!(!r.text().contains("connection refused"));
    let r = app.get(&format!("/api/persons/{}", fakes::INTERNAL)).await;
    r.assert_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", None);
    assert!(!r.text().contains("secret"), "{}", r.text());
}

async fn delete(app: &super::TestApp, path: &str) -> super::Reply {
    let req = axum::http::Request::delete(path)
        .body(axum::body::Body::empty())
        .unwrap();
    app.send(req).await
}

#[tokio::test]
async fn erasing_a_person_is_204_then_404() {
    let app = app();
    let r = delete(&app, "/api/v2/persons/5").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    assert!(r.body.is_empty());
    app.get("/api/persons/5")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found", None);
    app.get("/api/locations/29")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found", None);
    delete(&app, "/api/v2/persons/5")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found", None);
    assert_eq!(app.get("/api/persons/1").await.status, StatusCode::OK);
}

#[tokio::test]
async fn erasing_with_a_bad_id_is_400_naming_person_id() {
    let app = app();
    for path in [
        "/api/v2/persons/abc",
        "/api/v2/persons/0",
        "/api/v2/persons/-3",
        "/api/v2/persons/99999999999999999999",
    ] {
        delete(&app, path).await.assert_error(
            StatusCode::BAD_REQUEST,
            "invalid_argument",
            Some("person_id"),
        );
    }
    let r = delete(&app, &format!("/api/v2/persons/{}", fakes::UNAVAILABLE)).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
}
