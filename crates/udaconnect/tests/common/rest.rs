//! REST helpers of the privacy tests: persons, fixes, live feeds replayed from the start,
//! metrics.

use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};

use super::Server;

pub async fn create(http: &reqwest::Client, s: &Server, first: &str) -> i64 {
    let body = json!({"first_name": first, "last_name": "Tester", "company_name": "Acme"});
    let r = http
        .post(s.url("/api/persons"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

/// POSTs a fix; returns its id when accepted.
pub async fn post_fix(
    http: &reqwest::Client,
    s: &Server,
    person: i64,
    lat: f64,
    t: chrono::DateTime<Utc>,
) -> Option<i64> {
    let body = json!({
        "person_id": person,
        "latitude": format!("{lat:.6}"),
        "longitude": "-122.290524",
        "creation_time": t.format("%Y-%m-%dT%H:%M:%S").to_string(),
    });
    let r = http
        .post(s.url("/api/locations"))
        .json(&body)
        .send()
        .await
        .unwrap();
    match r.status().as_u16() {
        202 => Some(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()),
        _ => None,
    }
}

/// Reads a live feed from the start of the log for `within`: (event name, data) pairs.
pub async fn replay_feed(http: &reqwest::Client, s: &Server, path: &str) -> Vec<(String, Value)> {
    let mut r = http
        .get(s.url(path))
        .header("Last-Event-ID", "p1.0.0.0.0")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_millis(1500);
    while let Ok(Ok(Some(chunk))) = tokio::time::timeout_at(deadline, r.chunk()).await {
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    let mut out = Vec::new();
    let mut event = String::new();
    for line in text.lines() {
        if let Some(e) = line.strip_prefix("event:") {
            event = e.trim().to_owned();
        } else if let Some(d) = line.strip_prefix("data:") {
            out.push((event.clone(), serde_json::from_str(d.trim()).unwrap()));
        }
    }
    out
}

pub async fn metric(http: &reqwest::Client, s: &Server, name: &str) -> f64 {
    let text = http
        .get(s.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .filter(|l| l.starts_with(name))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}
