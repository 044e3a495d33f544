//! The detector's pipeline over the embedded log: fixes arriving in many small batches while
//! it runs, an episode that starts and ends, shutdown, and a second run of the same group.

use std::{sync::Arc, time::Duration};

use chrono::{TimeZone, Utc};
use tokio_util::sync::CancellationToken;
use udaconnect_bus::{
    EventLog,
    embedded::{EmbeddedLog, EmbeddedOptions},
};
use udaconnect_domain::{
    ContactEpisode, Coordinates, EpisodeKind, EventId, Location, LocationId, LocationRecorded,
    PersonId,
};
use udaconnect_proximity::detect::DetectorConfig;

use crate::{
    DetectorWorker, Readiness,
    events::{self, Topics},
};

/// Person `p`'s fix number `n` (one a minute): persons 1 and 2 stand together for the first
/// ten minutes, then 2 walks a kilometre away; person 3 is always far from both.
fn fix(p: i64, n: i64) -> LocationRecorded {
    let (lat, lon) = match p {
        2 if n >= 10 => (37.56, -122.29),
        3 => (37.60, -122.29),
        _ => (37.55, -122.29),
    };
    LocationRecorded {
        event_id: EventId::new_v7(),
        location: Location {
            id: LocationId::new(n * 10 + p).unwrap(),
            person_id: PersonId::new(p).unwrap(),
            coordinates: Coordinates::new(lat, lon).unwrap(),
            creation_time: Utc.with_ymd_and_hms(2020, 8, 18, 10, 0, 0).unwrap()
                + chrono::Duration::seconds(60 * n),
        },
        received_at: Utc::now(),
    }
}

/// Every episode event on the contacts topic, in log order per partition.
async fn contact_events(log: &Arc<dyn EventLog>, topics: &Topics) -> Vec<ContactEpisode> {
    let ends = log.end_offsets(&topics.contacts).await.unwrap();
    let total: u64 = ends.iter().sum();
    let mut reader = log
        .read_from(&topics.contacts, &vec![0; ends.len()])
        .await
        .unwrap();
    let mut out = Vec::new();
    while (out.len() as u64) < total {
        let batch = reader
            .poll(1_000, Duration::from_millis(200))
            .await
            .unwrap();
        assert!(!batch.is_empty(), "the contacts topic ended early");
        out.extend(
            batch
                .iter()
                .map(|d| events::decode_contact_episode(&d.record).unwrap()),
        );
    }
    out
}

async fn run(log: Arc<dyn EventLog>, topics: &Topics, feed: impl AsyncFnOnce()) {
    let worker = DetectorWorker::new(
        log,
        topics.clone(),
        DetectorConfig::default(),
        Readiness::new(),
    );
    let stop = CancellationToken::new();
    let task = tokio::spawn(worker.run(stop.clone()));
    feed().await;
    stop.cancel();
    task.await.unwrap().unwrap();
}

#[tokio::test]
async fn pipelined_batches_report_each_episode_once_in_order_and_commit_everything() {
    let dir = tempfile::tempdir().unwrap();
    let log: Arc<dyn EventLog> =
        EmbeddedLog::open(&dir.path().join("log"), EmbeddedOptions::default()).unwrap();
    let topics = Topics::default();
    log.ensure_topic(&topics.locations, 4).await.unwrap();

    // 40 minutes of fixes, a minute at a time, appended while the detector runs so that it
    // polls, matches and appends many batches.
    let feeder = log.clone();
    let t = topics.clone();
    run(log.clone(), &topics, async move || {
        for n in 0..40 {
            let records = (1..=3)
                .map(|p| events::encode_location_recorded(&fix(p, n)))
                .collect();
            feeder.append(&t.locations, records).await.unwrap();
            tokio::time::sleep(Duration::from_millis(15)).await;
        }
        // The last batch's events are appended before the worker is stopped.
        for _ in 0..200 {
            if contact_events(&feeder, &t).await.len() >= 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    })
    .await;

    let got = contact_events(&log, &topics).await;
    let kinds: Vec<_> = got.iter().map(|e| (e.kind, e.persons)).collect();
    let pair = (PersonId::new(1).unwrap(), PersonId::new(2).unwrap());
    assert_eq!(
        kinds,
        vec![(EpisodeKind::Started, pair), (EpisodeKind::Ended, pair)],
        "one episode for the pair that met, started before it ended; none for person 3"
    );
    assert_eq!(got[0].episode_id, got[1].episode_id);
    // Every pair of their fixes at the same spot at most 300 s apart: 80 while both stood
    // there (minutes 0–9), and 15 between 1's fixes of minutes 10–14 and 2's last ones.
    assert_eq!(got[1].meetings, 95);
    assert_eq!(
        log.committed_offsets(&topics.locations, &topics.group(DetectorWorker::GROUP))
            .await
            .unwrap(),
        log.end_offsets(&topics.locations).await.unwrap(),
        "after a graceful stop every fix whose events are appended is committed"
    );

    // A second run of the group has nothing left to read: no event is repeated.
    run(log.clone(), &topics, async || {
        tokio::time::sleep(Duration::from_millis(500)).await;
    })
    .await;
    assert_eq!(contact_events(&log, &topics).await.len(), 2);
}
