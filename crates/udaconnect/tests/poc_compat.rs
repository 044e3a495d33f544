//! The POC's sample data, served by the real binary, answers the POC's connection query
//! exactly as a brute-force evaluation of the POC's semantics does (computed here, in the
//! test, independently of the store's SQL).

mod common;

use std::collections::HashMap;

use common::{
    Server, client,
    demo::{Fix, date, haversine, load_fixes},
    get_json,
};
use serde_json::Value;

/// The POC's `ConnectionService.find_contacts`, by brute force: (person id, location id) of
/// every other fix near every own fix.
fn expected(fixes: &[Fix], person: i64, start: &str, end: &str, metres: f64) -> Vec<(i64, i64)> {
    let (s, e) = (date(start), date(end));
    let mut out = Vec::new();
    for own in fixes
        .iter()
        .filter(|f| f.person_id == person && f.t >= s && f.t < e)
    {
        for other in fixes
            .iter()
            .filter(|f| f.person_id != person && f.t >= s && f.t < e + 86_400)
        {
            if haversine(own, other) <= metres {
                out.push((other.person_id, other.id));
            }
        }
    }
    out.sort_unstable();
    out
}

#[tokio::test]
async fn demo_data_connections_match_the_poc_semantics() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let http = client();
    let fixes = load_fixes();

    let persons: Vec<Value> = get_json(&http, server.url("/api/persons")).await;
    let ids: Vec<i64> = persons.iter().map(|p| p["id"].as_i64().unwrap()).collect();
    assert_eq!(
        ids,
        vec![1, 5, 6, 8, 9],
        "the POC's five persons, ordered by id"
    );
    assert_eq!(persons[0]["first_name"], "Pam");
    let names: HashMap<i64, Value> = persons
        .iter()
        .map(|p| (p["id"].as_i64().unwrap(), p.clone()))
        .collect();

    let queries = [
        // The query the POC's front end sends.
        ("2020-01-01", "2020-12-30", "5"),
        ("2020-01-01", "2020-12-30", "1"),
        ("2019-01-01", "2021-01-01", "30"),
        ("2020-07-06", "2020-07-07", "5"),
        ("2020-08-15", "2020-08-18", "100"),
        ("2020-01-01", "2020-12-30", "2000000"),
    ];
    let mut non_empty = 0;
    for person in &ids {
        for (start, end, distance) in queries {
            let url = server.url(&format!(
                "/api/persons/{person}/connection?start_date={start}&end_date={end}&distance={distance}"
            ));
            let resp = http.get(&url).send().await.unwrap();
            assert_eq!(resp.status(), 200, "{url}");
            let body: Vec<Value> = resp.json().await.unwrap();
            let mut got: Vec<(i64, i64)> = body
                .iter()
                .map(|c| {
                    let pid = c["person"]["id"].as_i64().unwrap();
                    assert_eq!(c["person"], names[&pid], "person shape");
                    assert_eq!(c["location"]["person_id"].as_i64(), Some(pid));
                    (pid, c["location"]["id"].as_i64().unwrap())
                })
                .collect();
            got.sort_unstable();
            let want = expected(&fixes, *person, start, end, distance.parse().unwrap());
            assert_eq!(got, want, "{url}");
            non_empty += usize::from(!want.is_empty());
        }
    }
    assert!(non_empty >= 10, "the regression must exercise real matches");

    // Location shape: strings, and latitude/longitude mean what they say.
    let loc: Value = get_json(&http, server.url("/api/locations/29")).await;
    assert_eq!(
        loc,
        serde_json::json!({
            "id": 29, "person_id": 1,
            "latitude": "37.553441", "longitude": "-122.290524",
            "creation_time": "2020-08-18T10:37:06"
        })
    );
    // A row the POC stored as (lat, lon) comes back fixed.
    let loc: Value = get_json(&http, server.url("/api/locations/42")).await;
    assert_eq!(loc["latitude"], "35.0585136");
    assert_eq!(loc["longitude"], "-106.5719566");
}

#[tokio::test]
async fn health_is_poc_compatible_and_docs_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &["--no-demo-data"]);
    let http = client();
    let health = http.get(server.url("/health")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap().trim(), "\"healthy\"");
    let ready = common::eventually(std::time::Duration::from_secs(10), || async {
        let r = http.get(server.url("/health/ready")).send().await.ok()?;
        (r.status() == 200).then_some(())
    })
    .await;
    assert!(ready.is_some(), "never became ready");
    let persons: Vec<Value> = get_json(&http, server.url("/api/persons")).await;
    assert!(persons.is_empty(), "--no-demo-data starts empty");
    let doc: Value = get_json(&http, server.url("/api/openapi.json")).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(
        doc["paths"]["/api/persons/{person_id}/connection"].is_object()
            || doc["paths"]
                .as_object()
                .unwrap()
                .keys()
                .any(|k| k.ends_with("/connection"))
    );
    let docs = http.get(server.url("/docs/")).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    // `/` is the web UI (crates/udaconnect-web), its assets embedded in the binary.
    let root = http.get(server.url("/")).send().await.unwrap();
    assert_eq!(root.status(), 200);
    let html = root.text().await.unwrap();
    assert!(html.contains("/assets/js/people.js"), "{html}");
    let module = http
        .get(server.url("/assets/js/people.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(module.status(), 200);
    let metrics = http
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("udaconnect_http_requests_total"),
        "{metrics}"
    );
}
