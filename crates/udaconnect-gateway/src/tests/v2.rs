use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use chrono::{TimeZone, Utc};
use serde_json::json;
use udaconnect_domain::{ContactEpisode, Coordinates, EpisodeKind, LocationId, PersonId};

use super::app;

#[tokio::test]
async fn contacts_answer_grouped_json_with_defaults() {
    let app = app();
    let r = app.get("/api/v2/persons/1/contacts").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        r.json(),
        json!({
            "person_id": 1, "from": null, "to": null, "distance_m": 5.0, "window_s": 300,
            "contacts": [{
                "person": {"id": 5, "first_name": "Taco", "last_name": "Fargo",
                           "company_name": "Alpha Omega Upholstery"},
                "first_met": "2020-08-18T10:37:06Z", "last_met": "2020-08-18T10:37:06Z",
                "meetings": 2, "own_fixes": 1, "closest_m": 1.5,
                "place": {"latitude": 37.553441, "longitude": -122.290524},
                "closest_at": "2020-08-18T10:37:06Z"
            }],
            "next_cursor": null
        })
    );
    let q = app
        .world
        .last_contact_query
        .lock()
        .unwrap()
        .clone()
        .unwrap();
    assert_eq!((q.distance_m, q.window_s, q.limit), (5.0, 300, 50));
}

#[tokio::test]
async fn contact_query_string_is_parsed_and_passed_on() {
    let app = app();
    let r = app
        .get("/api/v2/persons/1/contacts?from=2020-08-15T10:00:00Z&to=2020-08-16T00:00:00%2B02:00&distance_m=2.5&window_s=60&limit=7&cursor=c1.1597485626000000.3")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let q = app
        .world
        .last_contact_query
        .lock()
        .unwrap()
        .clone()
        .unwrap();
    assert_eq!(
        q.from,
        Some(Utc.with_ymd_and_hms(2020, 8, 15, 10, 0, 0).unwrap())
    );
    assert_eq!(
        q.to,
        Some(Utc.with_ymd_and_hms(2020, 8, 15, 22, 0, 0).unwrap())
    );
    assert_eq!((q.distance_m, q.window_s, q.limit), (2.5, 60, 7));
    assert_eq!(q.cursor.unwrap().person_id.get(), 3);
    assert_eq!(r.json()["to"], "2020-08-15T22:00:00Z");
}

#[tokio::test]
async fn bad_contact_queries_name_the_field() {
    let app = app();
    for (query, field) in [
        ("from=yesterday", "from"),
        ("to=2020-13-01T00:00:00Z", "to"),
        ("from=2020-08-16T00:00:00Z&to=2020-08-15T00:00:00Z", "to"),
        ("distance_m=0", "distance_m"),
        ("distance_m=1000.1", "distance_m"),
        ("distance_m=abc", "distance_m"),
        ("window_s=-1", "window_s"),
        ("window_s=86401", "window_s"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("cursor=xyz", "cursor"),
    ] {
        let r = app
            .get(&format!("/api/v2/persons/1/contacts?{query}"))
            .await;
        r.assert_error(StatusCode::BAD_REQUEST, "invalid_argument", Some(field));
    }
    app.get("/api/v2/persons/0/contacts").await.assert_error(
        StatusCode::BAD_REQUEST,
        "invalid_argument",
        Some("person_id"),
    );
    let r = app.get("/api/v2/persons/42/contacts").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
}

fn episode(n: i64, a: i64, b: i64, kind: EpisodeKind) -> ContactEpisode {
    let t = Utc.with_ymd_and_hms(2020, 8, 18, 10, 37, 6).unwrap();
    ContactEpisode {
        episode_id: format!("{a}-{b}-{n}"),
        kind,
        persons: (PersonId::new(a).unwrap(), PersonId::new(b).unwrap()),
        first_seen: t,
        last_seen: t,
        meetings: 1,
        closest_m: 0.5,
        place: Coordinates::new(37.5, -122.2).unwrap(),
        trigger: LocationId::new(n).unwrap(),
        trigger_received_at: t,
        detected_at: t,
    }
}

#[tokio::test]
async fn contact_stream_is_sse_with_names_and_resumes_after_last_event_id() {
    let app = app();
    *app.world.episodes.lock().unwrap() = vec![
        episode(1, 1, 5, EpisodeKind::Started),
        episode(2, 2, 3, EpisodeKind::Started),
        episode(3, 1, 5, EpisodeKind::Ended),
    ];
    let r = app.get("/api/v2/contacts/stream?person_id=5").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(
        r.header(header::CONTENT_TYPE)
            .unwrap()
            .starts_with("text/event-stream")
    );
    let text = r.text();
    let events: Vec<&str> = text.split("\n\n").filter(|e| e.contains("data:")).collect();
    assert_eq!(events.len(), 2, "{text}");
    assert!(
        events[0].contains("event: contact") && events[0].contains("id: p1.1"),
        "{text}"
    );
    let data: serde_json::Value =
        serde_json::from_str(events[0].split("data: ").nth(1).unwrap().trim()).unwrap();
    assert_eq!(data["kind"], "started");
    assert_eq!(
        data["persons"][1],
        json!({"id": 5, "first_name": "Taco", "last_name": "Fargo"})
    );
    assert!(
        data["persons"][1].get("company_name").is_none(),
        "names only"
    );
    assert!(events[1].contains("\"kind\":\"ended\"") && events[1].contains("id: p1.3"));

    let req = Request::get("/api/v2/contacts/stream")
        .header("last-event-id", "p1.1")
        .body(Body::empty())
        .unwrap();
    let resumed = app.send(req).await.text();
    assert!(!resumed.contains("id: p1.1\n"), "{resumed}");
    assert!(
        resumed.contains("id: p1.2") && resumed.contains("id: p1.3"),
        "{resumed}"
    );

    let req = Request::get("/api/v2/contacts/stream")
        .header("last-event-id", "garbage")
        .body(Body::empty())
        .unwrap();
    app.send(req)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_argument", Some("cursor"));
    app.get("/api/v2/contacts/stream?person_id=x")
        .await
        .assert_error(
            StatusCode::BAD_REQUEST,
            "invalid_argument",
            Some("person_id"),
        );
}

#[tokio::test]
async fn activity_reports_rates_and_validates_the_window() {
    let app = app();
    let r = app.get("/api/v2/activity?window_s=10").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let body = r.json();
    assert_eq!(
        (body["fixes"].as_u64(), body["window_s"].as_u64()),
        (Some(1), Some(10))
    );
    assert_eq!(body["fixes_per_s"], 0.1);
    app.get("/api/v2/activity?window_s=0").await.assert_error(
        StatusCode::BAD_REQUEST,
        "invalid_argument",
        Some("window_s"),
    );
}
