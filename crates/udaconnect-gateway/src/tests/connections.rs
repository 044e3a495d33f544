use axum::http::StatusCode;
use chrono::NaiveDate;
use serde_json::json;

use super::app;

const BASE: &str = "/api/persons/1/connection?start_date=2020-01-01&end_date=2020-12-30";

#[tokio::test]
async fn answers_connections_in_the_poc_shape_with_default_distance() {
    let app = app();
    let r = app.get(BASE).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        r.json(),
        json!([{
            "person": {"id": 5, "first_name": "Taco", "last_name": "Fargo",
                       "company_name": "Alpha Omega Upholstery"},
            "location": {"id": 29, "person_id": 5, "longitude": "-122.290524",
                         "latitude": "37.553441", "creation_time": "2020-08-18T10:37:06"},
        }])
    );
    let q = app.world.last_query().unwrap();
    assert_eq!(q.person_id.get(), 1);
    assert_eq!(q.start_date, NaiveDate::from_ymd_opt(2020, 1, 1).unwrap());
    assert_eq!(q.end_date, NaiveDate::from_ymd_opt(2020, 12, 30).unwrap());
    assert_eq!(q.distance.metres(), 5.0);
}

#[tokio::test]
async fn accepts_fractional_distance_and_same_day_range() {
    let app = app();
    let r = app.get(&format!("{BASE}&distance=2.5")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(app.world.last_query().unwrap().distance.metres(), 2.5);
    let same = "/api/persons/1/connection?start_date=2020-01-01&end_date=2020-01-01";
    assert_eq!(app.get(same).await.status, StatusCode::OK);
}

#[tokio::test]
async fn bad_queries_are_400_naming_the_field() {
    let app = app();
    let p = "/api/persons/1/connection";
    let cases = [
        (format!("{p}?end_date=2020-12-30"), "start_date"),
        (format!("{p}?start_date=2020-01-01"), "end_date"),
        (p.to_owned(), "start_date"),
        (
            format!("{p}?start_date=01/01/2020&end_date=2020-12-30"),
            "start_date",
        ),
        (
            format!("{p}?start_date=2020-01-01&end_date=2020-13-01"),
            "end_date",
        ),
        (
            format!("{p}?start_date=2020-02-01&end_date=2020-01-01"),
            "end_date",
        ),
        (format!("{BASE}&distance=abc"), "distance"),
        (format!("{BASE}&distance=0"), "distance"),
        (format!("{BASE}&distance=-1"), "distance"),
        (format!("{BASE}&distance=inf"), "distance"),
        (format!("{BASE}&distance=NaN"), "distance"),
        (format!("{BASE}&distance="), "distance"),
        (
            "/api/persons/abc/connection?start_date=2020-01-01&end_date=2020-12-30".into(),
            "person_id",
        ),
    ];
    for (uri, field) in cases {
        let r = app.get(&uri).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}: {}", r.text());
        r.assert_error(StatusCode::BAD_REQUEST, "invalid_argument", Some(field));
    }
}

#[tokio::test]
async fn unknown_person_is_404() {
    let r = app()
        .get("/api/persons/42/connection?start_date=2020-01-01&end_date=2020-12-30")
        .await;
    r.assert_error(StatusCode::NOT_FOUND, "not_found", None);
}
