//! The v2 contacts API and the live contact feed, end to end through the real binary:
//! answers equal an independent brute force over the demo fixture; a meeting posted through
//! the REST API is detected once and delivered over Server-Sent Events, and a client that
//! reconnects with `Last-Event-ID` resumes right after the event it saw.

mod common;

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use common::{
    Server, client,
    demo::{Fix, haversine, load_fixes},
    get_json,
};
use serde_json::{Value, json};

/// Per other person: (meetings, own fixes, first met, last met, closest metres).
type Expected = BTreeMap<i64, (u64, u64, i64, i64, f64)>;

fn expected(fixes: &[Fix], person: i64, metres: f64, window_s: i64) -> Expected {
    let mut out: Expected = BTreeMap::new();
    let mut own_hits: BTreeMap<i64, std::collections::BTreeSet<i64>> = BTreeMap::new();
    for own in fixes.iter().filter(|f| f.person_id == person) {
        for other in fixes.iter().filter(|f| f.person_id != person) {
            let d = haversine(own, other);
            if d <= metres && (own.t - other.t).abs() <= window_s {
                let e = out
                    .entry(other.person_id)
                    .or_insert((0, 0, own.t, own.t, f64::INFINITY));
                e.0 += 1;
                e.2 = e.2.min(own.t);
                e.3 = e.3.max(own.t);
                e.4 = e.4.min(d);
                own_hits.entry(other.person_id).or_default().insert(own.id);
            }
        }
    }
    for (p, hits) in own_hits {
        out.get_mut(&p).expect("entry").1 = hits.len() as u64;
    }
    out
}

fn epoch_s(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .expect("RFC 3339")
        .timestamp()
}

#[tokio::test]
async fn demo_contacts_match_brute_force_and_paginate() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let http = client();
    // v2 contacts answer 503 until the read model has loaded.
    server.wait_ready(&http, Duration::from_secs(30)).await;
    let fixes = load_fixes();
    let mut non_empty = 0;
    for person in [1, 5, 6, 8, 9] {
        for (metres, window) in [(5.0, 300), (100.0, 3_600), (1_000.0, 86_400), (0.5, 0)] {
            let url = server.url(&format!(
                "/api/v2/persons/{person}/contacts?distance_m={metres}&window_s={window}&limit=1000"
            ));
            let body: Value = get_json(&http, url.clone()).await;
            assert_eq!(body["next_cursor"], Value::Null, "{url}");
            let got: Expected = body["contacts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["person"]["id"].as_i64().unwrap(),
                        (
                            c["meetings"].as_u64().unwrap(),
                            c["own_fixes"].as_u64().unwrap(),
                            epoch_s(c["first_met"].as_str().unwrap()),
                            epoch_s(c["last_met"].as_str().unwrap()),
                            c["closest_m"].as_f64().unwrap(),
                        ),
                    )
                })
                .collect();
            let want = expected(&fixes, person, metres, window);
            assert_eq!(got.len(), want.len(), "{url}: {body}");
            for (p, w) in &want {
                let g = got[p];
                assert_eq!(
                    (g.0, g.1, g.2, g.3),
                    (w.0, w.1, w.2, w.3),
                    "{url}: person {p}"
                );
                assert!(
                    (g.4 - w.4).abs() < 1e-6,
                    "{url}: closest {} vs {}",
                    g.4,
                    w.4
                );
            }
            non_empty += usize::from(!want.is_empty());
            // Ordered by first meeting, then person id.
            let order: Vec<(i64, i64)> = body["contacts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        epoch_s(c["first_met"].as_str().unwrap()),
                        c["person"]["id"].as_i64().unwrap(),
                    )
                })
                .collect();
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(order, sorted, "{url}");

            // Page by page (limit 1) gives the same contacts, each once.
            let mut paged = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let mut url = server.url(&format!(
                    "/api/v2/persons/{person}/contacts?distance_m={metres}&window_s={window}&limit=1"
                ));
                if let Some(c) = &cursor {
                    url.push_str(&format!("&cursor={c}"));
                }
                let page: Value = get_json(&http, url).await;
                paged.extend(page["contacts"].as_array().unwrap().iter().cloned());
                match page["next_cursor"].as_str() {
                    Some(c) => cursor = Some(c.to_owned()),
                    None => break,
                }
            }
            assert_eq!(Value::Array(paged), body["contacts"], "pages of {person}");
        }
    }
    assert!(non_empty >= 5, "the test must exercise real contacts");

    // Errors name the field; an unknown person is 404.
    let r = http
        .get(server.url("/api/v2/persons/1/contacts?window_s=-5"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["field"],
        "window_s"
    );
    let r = http
        .get(server.url("/api/v2/persons/4242/contacts"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

/// Reads Server-Sent Events from a response until `n` `contact` events arrived or the
/// deadline passed; returns (id, data) pairs.
async fn read_events(
    resp: &mut reqwest::Response,
    n: usize,
    within: Duration,
) -> Vec<(String, Value)> {
    let deadline = tokio::time::Instant::now() + within;
    let mut buf = String::new();
    let mut out = Vec::new();
    while out.len() < n {
        let chunk = match tokio::time::timeout_at(deadline, resp.chunk()).await {
            Err(_) => break,
            Ok(chunk) => chunk.expect("stream").expect("stream ended"),
        };
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let (mut id, mut data, mut event) = (None, None, None);
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id: ") {
                    id = Some(v.to_owned());
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data = Some(serde_json::from_str::<Value>(v).expect("JSON data"));
                } else if let Some(v) = line.strip_prefix("event: ") {
                    event = Some(v.to_owned());
                }
            }
            if let (Some(id), Some(data), Some("contact")) = (id, data, event.as_deref()) {
                out.push((id, data));
            }
        }
    }
    out
}

async fn post_fix(
    http: &reqwest::Client,
    server: &Server,
    person: i64,
    lat: f64,
    lon: f64,
    t: &str,
) {
    let r = http
        .post(server.url("/api/locations"))
        .json(&json!({"person_id": person, "latitude": lat.to_string(),
                      "longitude": lon.to_string(), "creation_time": t}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn a_new_meeting_is_streamed_once_and_feeds_resume_after_last_event_id() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let http = client();
    let mut feed = http
        .get(server.url("/api/v2/contacts/stream?person_id=5"))
        .send()
        .await
        .unwrap();
    assert_eq!(feed.status(), 200);
    assert!(
        feed.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );

    // Pam (1) and Taco (5) stand a metre apart at a booth, fixes every 10 s for a minute.
    let posted = Instant::now();
    for i in 0..6 {
        let t = format!("2026-11-24T12:00:{:02}", i * 10);
        post_fix(&http, &server, 1, 48.858_370, 2.294_480, &t).await;
        post_fix(&http, &server, 5, 48.858_379, 2.294_480, &t).await;
    }
    let mut events = read_events(&mut feed, 1, Duration::from_secs(10)).await;
    println!(
        "contact detected {:?} after the first POST",
        posted.elapsed()
    );
    // One episode, not one event per fix: nothing more arrives while the meeting goes on.
    events.extend(read_events(&mut feed, 1, Duration::from_secs(2)).await);
    assert_eq!(
        events.len(),
        1,
        "one episode, not one event per fix: {events:?}"
    );
    let (first_id, e) = &events[0];
    assert_eq!(e["kind"], "started");
    assert_eq!(
        e["persons"],
        json!([{"id": 1, "first_name": "Pam", "last_name": "Trexler"},
               {"id": 5, "first_name": "Taco", "last_name": "Fargo"}])
    );
    assert!(e["closest_m"].as_f64().unwrap() < 1.1, "{e}");
    assert_eq!(e["first_seen"], "2026-11-24T12:00:00Z");

    // An hour later Otto (6) and Taco (5) meet elsewhere. Time has moved past the first
    // meeting's gap, so its episode ends (one `ended` event) and the new one starts; a
    // client resuming after the first event gets exactly these two.
    post_fix(&http, &server, 6, 40.0, -3.0, "2026-11-24T13:00:00").await;
    post_fix(&http, &server, 5, 40.0, -3.000_01, "2026-11-24T13:00:30").await;
    let later = read_events(&mut feed, 2, Duration::from_secs(10)).await;
    assert_eq!(later.len(), 2, "{later:?}");
    let ended = &later[0].1;
    assert_eq!(ended["kind"], "ended", "{ended}");
    assert_eq!(ended["persons"][0]["id"], 1);
    assert_eq!(ended["persons"][1]["id"], 5);
    assert_eq!(ended["first_seen"], "2026-11-24T12:00:00Z");
    assert_eq!(ended["last_seen"], "2026-11-24T12:00:50Z");
    assert!(ended["meetings"].as_u64().unwrap() >= 6, "{ended}");
    let started = &later[1].1;
    assert_eq!(started["kind"], "started", "{started}");
    assert_eq!(started["persons"][0]["id"], 5);
    assert_eq!(started["persons"][1]["id"], 6);
    drop(feed);

    let mut resumed = http
        .get(server.url("/api/v2/contacts/stream?person_id=5"))
        .header("last-event-id", first_id.as_str())
        .send()
        .await
        .unwrap();
    let replay = read_events(&mut resumed, 3, Duration::from_secs(3)).await;
    assert_eq!(replay, later, "resumes right after the first event");

    // Person 8 is in neither episode: their feed stays quiet.
    let mut other = http
        .get(server.url("/api/v2/contacts/stream?person_id=8"))
        .header("last-event-id", "p1.0.0.0.0")
        .send()
        .await
        .unwrap();
    assert!(
        read_events(&mut other, 1, Duration::from_secs(2))
            .await
            .is_empty()
    );

    // The fixes also show in the location feed, from the start of the log.
    let mut locations = http
        .get(server.url("/api/v2/locations/stream?person_id=6"))
        .header("last-event-id", "p1.0.0.0.0")
        .send()
        .await
        .unwrap();
    let chunk = tokio::time::timeout(Duration::from_secs(5), locations.chunk())
        .await
        .expect("a location event")
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&chunk);
    assert!(
        text.contains("event: location") && text.contains("\"person_id\":6"),
        "{text}"
    );

    // The organiser's view sees the people at the newest place.
    let activity: Value = get_json(&http, server.url("/api/v2/activity?window_s=3600")).await;
    assert_eq!(activity["at"], "2026-11-24T13:00:30Z", "{activity}");
    assert_eq!(activity["persons_present"], 3, "{activity}");
}
