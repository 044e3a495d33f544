//! Back-pressure: an event log that does not answer makes ingest refuse the batch as
//! `Unavailable` within the append timeout instead of waiting without bound.

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use chrono::Utc;
use udaconnect_bus::{BusError, EventLog, Position, Record, Subscription};
use udaconnect_domain::{Coordinates, NewLocation, NewPerson};
use udaconnect_store::{DynStore, sqlite::SqliteStore};

use crate::{IdAllocator, IngestService, LocalIngest, LocalPersons, PersonsClient, ServiceError};

/// Accepts appends and never completes them (a broker that stopped answering).
#[derive(Debug)]
struct StuckLog;

#[async_trait]
impl EventLog for StuckLog {
    async fn ensure_topic(&self, _: &str, _: u32) -> Result<(), BusError> {
        Ok(())
    }
    async fn append(&self, _: &str, _: Vec<Record>) -> Result<Vec<Position>, BusError> {
        std::future::pending().await
    }
    async fn subscribe(&self, _: &str, _: &str) -> Result<Box<dyn Subscription>, BusError> {
        Err(BusError::Closed)
    }
    async fn read_from(&self, _: &str, _: &[u64]) -> Result<Box<dyn Subscription>, BusError> {
        Err(BusError::Closed)
    }
    async fn end_offsets(&self, _: &str) -> Result<Vec<u64>, BusError> {
        Err(BusError::Closed)
    }
    async fn committed_offsets(&self, _: &str, _: &str) -> Result<Vec<u64>, BusError> {
        Err(BusError::Closed)
    }
}

#[tokio::test]
async fn a_stuck_log_is_unavailable_within_the_append_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let store: DynStore = Arc::new(SqliteStore::open(&dir.path().join("u.db")).unwrap());
    let person = store
        .create_person(NewPerson {
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            company_name: "Engines".into(),
        })
        .await
        .unwrap();
    let persons = PersonsClient::new(LocalPersons::new(
        store.clone(),
        Arc::new(StuckLog),
        &crate::events::Topics::default(),
    ));
    let ingest = LocalIngest::new(
        persons,
        Arc::new(StuckLog),
        IdAllocator::new(store, IdAllocator::DEFAULT_BLOCK),
    )
    .with_append_timeout(Duration::from_millis(200));
    let fix = NewLocation {
        person_id: person.id,
        coordinates: Coordinates::new(1.0, 2.0).unwrap(),
        creation_time: Utc::now(),
    };
    let started = std::time::Instant::now();
    let e = ingest.record_many(vec![fix]).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        matches!(&e, ServiceError::Unavailable(m) if m.contains("appending to the event log")),
        "{e:?}"
    );
}
