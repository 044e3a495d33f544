//! The distributed topology over a real Kafka-protocol broker and PostgreSQL/PostGIS.
//!
//! Needs both services; `scripts/test.sh` starts them (`scripts/kafka.sh`,
//! `scripts/postgres.sh`) and runs these tests with
//! `UDACONNECT_TEST_KAFKA=host:port UDACONNECT_TEST_POSTGRES=postgres://… cargo test -p udaconnect --test distributed -- --ignored`.
//! Without those variables the tests fail with a message saying so.
//!
//! * The same scenario — the POC sample data imported, persons created over REST, fixes
//!   streamed over gRPC, connection queries over REST — runs all-in-one (embedded store and
//!   log) and split into five processes (gateway, persons, ingest, writer, connections) over
//!   Kafka + PostGIS, and both must give identical answers.
//! * The writer process is `kill -9`-ed while fixes stream in through gRPC: after a restart
//!   every acknowledged fix is stored exactly once.

mod common;

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::Duration,
};

use chrono::{TimeZone, Utc};
use common::pg::{env, fresh_database, psql, unique};
use common::{BIN, Server, client, eventually, get_json};
use serde_json::{Value, json};
use udaconnect_domain::{Coordinates, NewLocation, PersonId};

fn demo_fixture() -> Vec<PathBuf> {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../udaconnect-import/fixtures/demo"
    ));
    vec![dir.join("persons.csv"), dir.join("locations.csv")]
}

fn import(store_args: &[&str]) {
    let out = Command::new(BIN)
        .arg("import")
        .args(store_args)
        .args(demo_fixture())
        .env("UDACONNECT_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The processes of one deployment; `gateway` serves REST, `ingest` gRPC.
struct Deployment {
    gateway_base: String,
    ingest_grpc: String,
    processes: Vec<(String, Server)>,
}

fn all_in_one(dir: &Path) -> Deployment {
    let data = dir.join("embedded");
    import(&["--data-dir", data.to_str().unwrap()]);
    let server = Server::start(&data, &["--no-demo-data"]);
    Deployment {
        gateway_base: server.base.clone(),
        ingest_grpc: server.grpc.clone().expect("all-in-one serves gRPC"),
        processes: vec![("all".into(), server)],
    }
}

fn split(dir: &Path, store: &str, prefix: &str) -> Deployment {
    import(&["--store", store]);
    let kafka = format!("kafka://{}", env("UDACONNECT_TEST_KAFKA"));
    let common = |target: &str| -> Vec<String> {
        vec![
            "--target".into(),
            target.into(),
            "--store".into(),
            store.into(),
            "--bus".into(),
            kafka.clone(),
            "--topic-prefix".into(),
            prefix.into(),
        ]
    };
    let start = |target: &str, extra: Vec<String>| {
        let mut args = common(target);
        args.extend(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Server::start(&dir.join(target), &args)
    };
    let persons = start("persons", vec![]);
    let persons_url = persons.grpc.clone().unwrap();
    let connections = start("connections", vec![]);
    let writer = start("writer", vec![]);
    let ingest = start("ingest", vec!["--persons-url".into(), persons_url.clone()]);
    let gateway = start(
        "gateway",
        vec![
            "--persons-url".into(),
            persons_url,
            "--ingest-url".into(),
            ingest.grpc.clone().unwrap(),
            "--connections-url".into(),
            connections.grpc.clone().unwrap(),
        ],
    );
    Deployment {
        gateway_base: gateway.base.clone(),
        ingest_grpc: ingest.grpc.clone().unwrap(),
        processes: vec![
            ("persons".into(), persons),
            ("connections".into(), connections),
            ("writer".into(), writer),
            ("ingest".into(), ingest),
            ("gateway".into(), gateway),
        ],
    }
}

fn fixes(persons: &[i64], n: usize) -> Vec<NewLocation> {
    let t0 = Utc.with_ymd_and_hms(2020, 7, 7, 9, 0, 0).unwrap();
    (0..n)
        .map(|i| NewLocation {
            person_id: PersonId::new(persons[i % persons.len()]).unwrap(),
            // Everyone walks the same small grid near the POC's Albuquerque booth.
            coordinates: Coordinates::new(
                35.058514 + (i % 7) as f64 * 2e-5,
                -106.571957 + (i % 5) as f64 * 2e-5,
            )
            .unwrap(),
            creation_time: t0 + chrono::Duration::seconds(i as i64 * 7),
        })
        .collect()
}

/// The scenario; returns every answer the API gave, in a comparable form.
async fn scenario(d: &Deployment) -> Value {
    let http = client();
    let url = |p: &str| format!("{}{p}", d.gateway_base);
    let mut created = Vec::new();
    for (first, last) in [("Ada", "Lovelace"), ("Grace", "Hopper"), ("Alan", "Turing")] {
        let r = http
            .post(url("/api/persons"))
            .json(&json!({"first_name": first, "last_name": last, "company_name": "E2E"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        created.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    let mut people = created.clone();
    people.extend([6, 8, 9]);

    let ingest =
        udaconnect_grpc::ingest_client_with_token(&d.ingest_grpc, Some(common::admin_token()))
            .unwrap();
    let mut batch = fixes(&people, 600);
    // One invalid fix in the stream: rejected alone, naming the field.
    batch.insert(
        100,
        NewLocation {
            person_id: PersonId::new(999_999).unwrap(),
            ..batch[0].clone()
        },
    );
    let results = ingest.record_many(batch).await.expect("stream accepted");
    let rejected: Vec<usize> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_err())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(rejected, vec![100]);
    let ids: Vec<i64> = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|l| l.id.get())
        .collect();
    assert_eq!(ids.len(), 600);

    // Read-your-write within a bounded time, through the whole pipeline.
    let last = *ids.iter().max().unwrap();
    let stored = eventually(Duration::from_secs(60), || async {
        for id in [ids[0], last] {
            let r = http
                .get(url(&format!("/api/locations/{id}")))
                .send()
                .await
                .ok()?;
            if r.status() != 200 {
                return None;
            }
        }
        Some(())
    })
    .await;
    assert!(stored.is_some(), "fixes were not stored within 60 s");

    let mut answers = serde_json::Map::new();
    let persons: Value = get_json(&http, url("/api/persons")).await;
    answers.insert("persons".into(), persons);
    let mut sample = Vec::new();
    for id in ids.iter().step_by(37) {
        let l: Value = get_json(&http, url(&format!("/api/locations/{id}"))).await;
        sample.push(l);
    }
    answers.insert("locations".into(), Value::Array(sample));
    for person in people.iter().chain([1, 5].iter()) {
        for (start, end, distance) in [
            ("2020-01-01", "2020-12-30", "5"),
            ("2020-07-07", "2020-07-08", "3"),
            ("2019-01-01", "2021-01-01", "50"),
        ] {
            let q = format!(
                "/api/persons/{person}/connection?start_date={start}&end_date={end}&distance={distance}"
            );
            let r = http.get(url(&q)).send().await.unwrap();
            assert_eq!(r.status(), 200, "{q}");
            let mut body: Vec<Value> = r.json().await.unwrap();
            body.sort_by_key(|c| (c["person"]["id"].as_i64(), c["location"]["id"].as_i64()));
            answers.insert(q, Value::Array(body));
        }
    }
    let r = http.get(url("/api/persons/424242")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let r = http
        .post(url("/api/locations"))
        .json(&json!({"person_id": 424242, "latitude": "1", "longitude": "2"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["field"],
        "person_id"
    );
    Value::Object(answers)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Kafka and PostGIS: scripts/test.sh"]
async fn all_in_one_and_split_give_identical_answers() {
    let dir = tempfile::tempdir().unwrap();
    let embedded = all_in_one(dir.path());
    let a = scenario(&embedded).await;
    drop(embedded);

    let store = fresh_database("udaconnect_e2e_");
    let distributed = split(dir.path(), &store, &unique("e2e-"));
    let b = scenario(&distributed).await;

    let (ma, mb) = (a.as_object().unwrap(), b.as_object().unwrap());
    assert_eq!(ma.keys().collect::<Vec<_>>(), mb.keys().collect::<Vec<_>>());
    for (k, va) in ma {
        assert_eq!(va, &mb[k], "answers differ for {k}");
    }
    let non_empty = ma
        .values()
        .filter(|v| v.as_array().is_some_and(|a| !a.is_empty()))
        .count();
    assert!(non_empty > 10, "the comparison must cover real answers");
    for (name, p) in &distributed.processes {
        let r = client()
            .get(format!("{}/health/ready", p.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{name} is not ready");
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Kafka and PostGIS: scripts/test.sh"]
async fn killing_the_writer_mid_stream_loses_and_doubles_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = fresh_database("udaconnect_e2e_");
    let prefix = unique("crash-");
    let mut d = split(dir.path(), &store, &prefix);
    let ingest =
        udaconnect_grpc::ingest_client_with_token(&d.ingest_grpc, Some(common::admin_token()))
            .unwrap();
    let people = [1, 5, 6, 8, 9];

    let mut acked = Vec::new();
    let writer_index = d.processes.iter().position(|(n, _)| n == "writer").unwrap();
    for round in 0..10 {
        let results = ingest
            .record_many(fixes(&people, 500))
            .await
            .expect("stream accepted");
        acked.extend(results.into_iter().map(|r| r.expect("accepted").id.get()));
        if round == 3 {
            // kill -9 the writer while fixes keep coming.
            let (_, writer) = d.processes.remove(writer_index);
            writer.kill9();
        }
        if round == 6 {
            let kafka = format!("kafka://{}", env("UDACONNECT_TEST_KAFKA"));
            let writer = Server::start(
                &dir.path().join("writer"),
                &[
                    "--target",
                    "writer",
                    "--store",
                    &store,
                    "--bus",
                    &kafka,
                    "--topic-prefix",
                    &prefix,
                ],
            );
            d.processes.push(("writer".into(), writer));
        }
    }
    assert_eq!(acked.len(), 5000);
    let want = acked.len() + 39; // plus the imported POC fixes
    let counted = eventually(Duration::from_secs(90), || async {
        let n: usize = psql(&store, "SELECT count(*) FROM location").parse().ok()?;
        (n >= want).then_some(n)
    })
    .await;
    assert_eq!(counted, Some(want), "every acknowledged fix is stored");
    // Exactly once: no duplicates by id or by event, and every acknowledged id is there.
    assert_eq!(
        psql(&store, "SELECT count(DISTINCT event_id) FROM location"),
        want.to_string()
    );
    let max_id = acked.iter().max().unwrap();
    let min_id = acked.iter().min().unwrap();
    assert_eq!(
        psql(
            &store,
            &format!("SELECT count(*) FROM location WHERE id BETWEEN {min_id} AND {max_id}")
        ),
        acked.len().to_string()
    );
}
