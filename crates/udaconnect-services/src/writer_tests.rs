//! The writer's pipeline over the embedded log and SQLite: several batches in flight, a
//! poison record among them, shutdown, and a second run of the same group.

use std::{sync::Arc, time::Duration};

use chrono::{TimeZone, Utc};
use tokio_util::sync::CancellationToken;
use udaconnect_bus::{
    EventLog, Record,
    embedded::{EmbeddedLog, EmbeddedOptions},
};
use udaconnect_domain::{
    Coordinates, EventId, Location, LocationId, LocationRecorded, NewPerson, PersonId,
};
use udaconnect_store::{DynStore, sqlite::SqliteStore};

use crate::{
    LocationWriter, Readiness, WriterOptions,
    events::{self, Topics},
};

const FIXES: i64 = 600;

fn fix(id: i64, person: PersonId) -> LocationRecorded {
    LocationRecorded {
        event_id: EventId::new_v7(),
        location: Location {
            id: LocationId::new(id).unwrap(),
            person_id: person,
            coordinates: Coordinates::new(37.55 + id as f64 * 1e-5, -122.29).unwrap(),
            creation_time: Utc.with_ymd_and_hms(2020, 8, 18, 10, 0, 0).unwrap()
                + chrono::Duration::seconds(id),
        },
        received_at: Utc::now(),
    }
}

fn options(topics: &Topics) -> WriterOptions {
    WriterOptions {
        batch_size: 16,
        max_in_flight: 3,
        commit_interval: Duration::from_millis(5),
        poll_wait: Duration::from_millis(50),
        ..WriterOptions::for_topics(topics.clone())
    }
}

/// Runs `writer` until `done` (checked every 25 ms) or `within` passed, then stops it.
async fn run_until<F: AsyncFn() -> bool>(
    writer: LocationWriter,
    within: Duration,
    done: F,
) -> Result<(), &'static str> {
    let cancel = CancellationToken::new();
    let task = tokio::spawn(writer.run(cancel.clone()));
    let mut reached = false;
    for _ in 0..within.as_millis() / 25 {
        if done().await {
            reached = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    cancel.cancel();
    task.await.unwrap().unwrap();
    if reached {
        Ok(())
    } else {
        Err("not reached in time")
    }
}

/// Records on the dead-letter topic.
async fn dead_letters(log: &dyn EventLog, topics: &Topics) -> u64 {
    log.end_offsets(&topics.locations_dlq)
        .await
        .unwrap()
        .iter()
        .sum()
}

#[tokio::test]
async fn pipelined_batches_store_everything_once_and_commit_all_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let store: DynStore = Arc::new(SqliteStore::open(&dir.path().join("u.db")).unwrap());
    let log: Arc<dyn EventLog> =
        EmbeddedLog::open(&dir.path().join("log"), EmbeddedOptions::default()).unwrap();
    let topics = Topics::default();
    let mut persons = Vec::new();
    for i in 0..5 {
        let p = store
            .create_person(NewPerson {
                first_name: format!("P{i}"),
                last_name: "Writer".into(),
                company_name: "Pipeline".into(),
            })
            .await
            .unwrap();
        persons.push(p.id);
    }
    // Appended in small batches over all partitions, with one undecodable record (same
    // headers as a fix, a garbage body) in the middle.
    for chunk in (1..=FIXES).collect::<Vec<_>>().chunks(50) {
        let mut records: Vec<Record> = chunk
            .iter()
            .map(|&id| events::encode_location_recorded(&fix(id, persons[id as usize % 5])))
            .collect();
        if chunk[0] == 301 {
            let mut poison = records[0].clone();
            poison.value = bytes::Bytes::from_static(b"\xff\xfe not a fix");
            records.insert(10, poison);
        }
        log.append(&topics.locations, records).await.unwrap();
    }

    let readiness = Readiness::new();
    let writer = LocationWriter::new(log.clone(), store.clone(), options(&topics), readiness);
    let counted = store.clone();
    run_until(writer, Duration::from_secs(10), async || {
        counted.count_locations().await.unwrap() == FIXES as u64
    })
    .await
    .expect("every fix stored");

    assert_eq!(store.count_locations().await.unwrap(), FIXES as u64);
    let dead = dead_letters(&*log, &topics).await;
    assert_eq!(dead, 1, "the poison record, and only it, is dead-lettered");
    let group = options(&topics).group;
    assert_eq!(
        log.committed_offsets(&topics.locations, &group)
            .await
            .unwrap(),
        log.end_offsets(&topics.locations).await.unwrap(),
        "after shutdown everything stored is committed"
    );

    // A second run of the group finds nothing left to do: no duplicates, no second
    // dead letter.
    let writer = LocationWriter::new(
        log.clone(),
        store.clone(),
        options(&topics),
        Readiness::new(),
    );
    let _ = run_until(writer, Duration::from_millis(500), async || false).await;
    assert_eq!(store.count_locations().await.unwrap(), FIXES as u64);
    let dead = dead_letters(&*log, &topics).await;
    assert_eq!(dead, 1);
}
