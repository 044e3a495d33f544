//! An acknowledged fix is never lost and never doubled, even when the process is killed
//! with SIGKILL in the middle of a stream of fixes.

mod common;

use std::{collections::BTreeSet, time::Duration};

use common::{Server, client, eventually};
use serde_json::{Value, json};
use udaconnect_store::{LocationStore, sqlite::SqliteStore};

const FIXES: usize = 400;
const CONCURRENCY: usize = 8;

async fn create_person(http: &reqwest::Client, server: &Server) -> i64 {
    let resp = http
        .post(server.url("/api/persons"))
        .json(&json!({"first_name": "Ada", "last_name": "Lovelace", "company_name": "Analytical"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    resp.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

/// Posts fixes from several concurrent clients; returns every id the server acknowledged.
async fn post_fixes(server: &Server, person: i64) -> BTreeSet<i64> {
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..CONCURRENCY {
        let url = server.url("/api/locations");
        tasks.spawn(async move {
            let http = client();
            let mut acked = Vec::new();
            for i in (worker..FIXES).step_by(CONCURRENCY) {
                let body = json!({
                    "person_id": person,
                    "latitude": format!("{}", 48.0 + i as f64 * 1e-5),
                    "longitude": "11.5",
                    "creation_time": "2026-11-24T10:00:00",
                });
                let resp = http.post(&url).json(&body).send().await.unwrap();
                assert_eq!(resp.status(), 202, "{:?}", resp.text().await);
                acked.push(resp.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
            }
            acked
        });
    }
    let mut ids = BTreeSet::new();
    while let Some(r) = tasks.join_next().await {
        ids.extend(r.unwrap());
    }
    ids
}

#[tokio::test]
async fn acknowledged_fixes_survive_kill_9_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let http = client();

    let server = Server::start(&data, &["--no-demo-data"]);
    let person = create_person(&http, &server).await;
    let acked = post_fixes(&server, person).await;
    assert_eq!(acked.len(), FIXES, "every acknowledged id is distinct");
    // Straight after the last acknowledgement: most fixes are still on their way to the store.
    server.kill9();

    let server = Server::start(&data, &["--no-demo-data"]);
    for id in &acked {
        let found = eventually(Duration::from_secs(30), || async {
            let r = http
                .get(server.url(&format!("/api/locations/{id}")))
                .send()
                .await
                .ok()?;
            (r.status() == 200).then_some(())
        })
        .await;
        assert!(found.is_some(), "acknowledged fix {id} was lost");
    }
    let status = server.terminate(Duration::from_secs(20));
    assert!(status.success(), "graceful stop exits 0, got {status:?}");

    // Exactly once: the store holds one row per acknowledged fix, no more.
    let store = SqliteStore::open(&data.join("udaconnect.db")).unwrap();
    assert_eq!(store.count_locations().await.unwrap(), FIXES as u64);
}

#[tokio::test]
async fn a_posted_fix_reads_back_as_posted() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &["--no-demo-data"]);
    let http = client();
    let person = create_person(&http, &server).await;
    let resp = http
        .post(server.url("/api/locations"))
        .json(&json!({
            "person_id": person,
            "latitude": "37.553441",
            "longitude": -122.290524,
            "creation_time": "2020-08-18T10:37:06.250000Z"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    let location = resp
        .headers()
        .get("location")
        .expect("Location header")
        .to_str()
        .unwrap()
        .to_owned();
    let accepted: Value = resp.json().await.unwrap();
    let stored = eventually(Duration::from_secs(10), || async {
        let r = http.get(server.url(&location)).send().await.ok()?;
        if r.status() == 200 {
            r.json::<Value>().await.ok()
        } else {
            None
        }
    })
    .await
    .expect("stored within 10 s");
    assert_eq!(stored, accepted);
    assert_eq!(stored["latitude"], "37.553441");
    assert_eq!(stored["longitude"], "-122.290524");
    assert_eq!(stored["creation_time"], "2020-08-18T10:37:06.250000");

    // Bad input is a 400 naming the field, and changes nothing.
    for (body, field) in [
        (
            json!({"person_id": person, "latitude": "91", "longitude": "0"}),
            "latitude",
        ),
        (
            json!({"person_id": person, "latitude": "0", "longitude": "east"}),
            "longitude",
        ),
        (
            json!({"person_id": 999_999, "latitude": "0", "longitude": "0"}),
            "person_id",
        ),
        (
            json!({"person_id": person, "latitude": "0", "longitude": "0", "creation_time": "soon"}),
            "creation_time",
        ),
    ] {
        let r = http
            .post(server.url("/api/locations"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{body}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["field"], field, "{e}");
    }
    let r = http
        .get(server.url(&format!(
            "/api/persons/{person}/connection?start_date=2020-01-01&end_date=2020-12-30&distance=-1"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["field"],
        "distance"
    );
    let r = http
        .get(server.url("/api/persons/424242"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}
