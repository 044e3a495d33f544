//! Retention end to end against the real `udaconnect serve --retention`: fixes older than the
//! retention, and the contacts they make, disappear from the store, the proximity read model
//! (v1 connections, v2 contacts) and the live feeds — periodically while it runs, and at
//! start-up when the retention is shortened.

mod common;

use std::{collections::BTreeSet, time::Duration};

use chrono::{TimeDelta, Utc};
use common::{
    Server, client, eventually, get_json,
    rest::{create, metric, post_fix, replay_feed},
};
use serde_json::Value;
use udaconnect_store::{LocationStore, sqlite::SqliteStore};

const WAIT: Duration = Duration::from_secs(20);

async fn contacts(http: &reqwest::Client, s: &Server, who: i64) -> BTreeSet<i64> {
    let page: Value = get_json(
        http,
        s.url(&format!(
            "/api/v2/persons/{who}/contacts?distance_m=5&window_s=300"
        )),
    )
    .await;
    page["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["person"]["id"].as_i64().unwrap())
        .collect()
}

async fn connections(
    http: &reqwest::Client,
    s: &Server,
    who: i64,
    day: chrono::NaiveDate,
) -> BTreeSet<i64> {
    let url = s.url(&format!(
        "/api/persons/{who}/connection?start_date={day}&end_date={}&distance=5",
        day.succ_opt().unwrap()
    ));
    let found: Vec<Value> = get_json(http, url).await;
    found
        .iter()
        .map(|c| c["person"]["id"].as_i64().unwrap())
        .collect()
}

async fn readable(http: &reqwest::Client, s: &Server, ids: &[i64]) -> usize {
    let mut n = 0;
    for id in ids {
        let r = http
            .get(s.url(&format!("/api/locations/{id}")))
            .send()
            .await
            .unwrap();
        n += usize::from(r.status() == 200);
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixes_and_contacts_older_than_the_retention_disappear() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let args = [
        "--no-demo-data",
        "--retention",
        "1d",
        "--retention-interval",
        "1s",
    ];
    let server = Server::start(&data, &args);
    let http = client();
    server.wait_ready(&http, WAIT).await;
    let ann = create(&http, &server, "Ann").await;
    let bob = create(&http, &server, "Bob").await;
    let cat = create(&http, &server, "Cat").await;
    // Ann met Bob two days ago (past the retention) and Cat an hour ago.
    let old = Utc::now() - TimeDelta::days(2);
    let new = Utc::now() - TimeDelta::hours(1);
    let (mut old_ids, mut new_ids) = (Vec::new(), Vec::new());
    for i in 0..5 {
        let t = TimeDelta::seconds(i * 30);
        for (is_old, base, who, lat) in [
            (true, old, ann, 37.553441),
            (true, old, bob, 37.553451),
            (false, new, ann, 37.563441),
            (false, new, cat, 37.563451),
        ] {
            let id = post_fix(&http, &server, who, lat, base + t)
                .await
                .expect("accepted");
            if is_old {
                old_ids.push(id);
            } else {
                new_ids.push(id);
            }
        }
    }
    assert!(server.wait_stored(&http, 20, WAIT).await.is_some());

    let gone = eventually(WAIT, || async {
        let purged = metric(&http, &server, "udaconnect_retention_purged_fixes_total").await;
        let ok = readable(&http, &server, &old_ids).await == 0
            && readable(&http, &server, &new_ids).await == new_ids.len()
            && contacts(&http, &server, ann).await == BTreeSet::from([cat])
            && contacts(&http, &server, bob).await.is_empty();
        (ok && purged >= 10.0).then_some(purged)
    })
    .await;
    assert!(
        gone.is_some(),
        "old fixes still answered: readable {} of {:?}, ann's contacts {:?}",
        readable(&http, &server, &old_ids).await,
        old_ids,
        contacts(&http, &server, ann).await
    );
    assert!(
        connections(&http, &server, ann, old.date_naive())
            .await
            .is_empty()
    );
    assert_eq!(
        connections(&http, &server, ann, new.date_naive()).await,
        BTreeSet::from([cat])
    );
    // The live feeds, replayed from the start of the log, show only what is retained: the
    // detector never reported the expired meeting, and expired fixes are not shown.
    let located: BTreeSet<i64> = replay_feed(&http, &server, "/api/v2/locations/stream")
        .await
        .iter()
        .map(|(_, l)| l["id"].as_i64().unwrap())
        .collect();
    assert_eq!(located, new_ids.iter().copied().collect());
    let episodes = eventually(WAIT, || async {
        let e = replay_feed(&http, &server, "/api/v2/contacts/stream").await;
        (!e.is_empty()).then_some(e)
    })
    .await
    .expect("the recent meeting was never reported");
    for (_, e) in &episodes {
        let ids: BTreeSet<i64> = e["persons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, BTreeSet::from([ann, cat]), "{e}");
    }
    assert!(server.terminate(WAIT).success());

    // Restarted with a retention shorter than the recent fixes' age: purged at start-up.
    let args = ["--no-demo-data", "--retention", "30m"];
    let server = Server::start(&data, &args);
    let ok = eventually(WAIT, || async {
        (readable(&http, &server, &new_ids).await == 0
            && contacts(&http, &server, ann).await.is_empty())
        .then_some(())
    })
    .await;
    assert!(ok.is_some(), "start-up purge did not run");
    assert!(server.terminate(WAIT).success());
    let store = SqliteStore::open(&data.join("udaconnect.db")).unwrap();
    assert_eq!(store.count_locations().await.unwrap(), 0);
}
