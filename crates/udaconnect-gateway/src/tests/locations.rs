use axum::http::{StatusCode, header};
use chrono::NaiveDateTime;
use serde_json::{Value, json};

use super::app;

fn fix(overrides: Value) -> String {
    let mut body = json!({"person_id": 1, "latitude": "37.55", "longitude": "-122.29",
                          "creation_time": "2020-08-18T10:37:06"});
    for (k, v) in overrides.as_object().unwrap() {
        if v.is_null() {
            body.as_object_mut().unwrap().remove(k);
        } else {
            body[k] = v.clone();
        }
    }
    body.to_string()
}

#[tokio::test]
async fn posting_a_fix_answers_202_with_location_then_it_is_readable() {
    let app = app();
    let r = app.post_json("/api/locations", fix(json!({"id": 3}))).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    assert_eq!(r.header(header::LOCATION), Some("/api/locations/101"));
    let expected = json!({"id": 101, "person_id": 1, "longitude": "-122.29", "latitude": "37.55",
                          "creation_time": "2020-08-18T10:37:06"});
    assert_eq!(r.json(), expected);
    let r = app.get("/api/locations/101").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), expected);
}

#[tokio::test]
async fn gets_a_stored_fix_in_the_poc_shape() {
    let r = app().get("/api/locations/29").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.text(),
        r#"{"id":29,"person_id":5,"longitude":"-122.290524","latitude":"37.553441","creation_time":"2020-08-18T10:37:06"}"#
    );
}

#[tokio::test]
async fn numbers_offsets_and_default_time_are_accepted() {
    let app = app();
    let body = fix(
        json!({"latitude": 37.553441, "longitude": -122.290524, "person_id": "5",
                          "creation_time": "2020-08-18T12:37:06.25+02:00"}),
    );
    let r = app.post_json("/api/locations", body).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let j = r.json();
    assert_eq!(
        (&j["latitude"], &j["longitude"]),
        (&json!("37.553441"), &json!("-122.290524"))
    );
    assert_eq!(j["person_id"], 5);
    assert_eq!(j["creation_time"], "2020-08-18T10:37:06.250000");

    let r = app
        .post_json("/api/locations", fix(json!({"creation_time": null})))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let t = r.json()["creation_time"].as_str().unwrap().to_owned();
    assert!(
        NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M:%S%.f").is_ok(),
        "{t}"
    );
}

#[tokio::test]
async fn bad_fixes_are_400_naming_the_field() {
    let app = app();
    let cases = [
        (json!({"person_id": "abc"}), "person_id"),
        (json!({"person_id": null}), "person_id"),
        (json!({"person_id": 1.5}), "person_id"),
        (json!({"person_id": 0}), "person_id"),
        (json!({"person_id": 99}), "person_id"),
        (json!({"latitude": "north"}), "latitude"),
        (json!({"latitude": "91"}), "latitude"),
        (json!({"latitude": true}), "latitude"),
        (json!({"latitude": null}), "latitude"),
        (json!({"longitude": -180.5}), "longitude"),
        (json!({"longitude": "NaN"}), "longitude"),
        (json!({"longitude": [1]}), "longitude"),
        (json!({"creation_time": "yesterday"}), "creation_time"),
        (json!({"creation_time": 5}), "creation_time"),
        (json!({"altitude": 3}), "altitude"),
    ];
    for (overrides, field) in cases {
        let r = app
            .post_json("/api/locations", fix(overrides.clone()))
            .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{overrides}: {}",
            r.text()
        );
        r.assert_error(StatusCode::BAD_REQUEST, "invalid_argument", Some(field));
    }
}

#[tokio::test]
async fn unknown_or_malformed_location_ids() {
    let app = app();
    app.get("/api/locations/12345")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found", None);
    let r = app.get("/api/locations/x").await;
    r.assert_error(
        StatusCode::BAD_REQUEST,
        "invalid_argument",
        Some("location_id"),
    );
}
