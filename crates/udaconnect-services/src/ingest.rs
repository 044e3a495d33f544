use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use async_trait::async_trait;
use chrono::Utc;
use tokio::sync::RwLock;
use udaconnect_bus::EventLog;
use udaconnect_domain::{
    EventId, Location, LocationRecorded, NewLocation, PersonId, ValidationError,
};

use crate::{IdAllocator, PersonsClient, ServiceError, events, metrics as m, service_client};

/// How long ingest trusts that a person it has seen still exists.
pub(crate) const KNOWN_PERSON_TTL: Duration = Duration::from_secs(5);

/// Accepts location fixes from devices: validates them, assigns ids and appends them to the
/// locations log. A fix is accepted (and may be acknowledged to the device) once it is
/// durable on the log; storing it is the writer's job.
#[async_trait]
pub trait IngestService: Send + Sync + std::fmt::Debug + 'static {
    /// Accepts one fix and returns it as it will be stored.
    async fn record(&self, fix: NewLocation) -> Result<Location, ServiceError> {
        let mut results = self.record_many(vec![fix]).await?;
        results
            .pop()
            .unwrap_or_else(|| Err(ServiceError::Internal("empty ingest result".into())))
    }

    /// Accepts a batch: each fix is accepted or rejected on its own (result per input, in
    /// order); the accepted ones are appended together. An `Err` for the whole call means
    /// nothing was accepted.
    async fn record_many(
        &self,
        fixes: Vec<NewLocation>,
    ) -> Result<Vec<Result<Location, ServiceError>>, ServiceError>;
}

service_client!(
    /// Cheap handle on the ingest service, local or remote.
    IngestClient,
    IngestService
);

/// Ingest in this process, appending to the given log.
#[derive(Debug)]
pub struct LocalIngest {
    persons: PersonsClient,
    log: Arc<dyn EventLog>,
    ids: IdAllocator,
    /// Persons seen to exist, and when. Persons can be erased, so an entry is trusted for
    /// [`KNOWN_PERSON_TTL`] only; fixes accepted in that window are skipped by every consumer
    /// (they know the erasure), so the window only delays the refusal.
    known_persons: RwLock<HashMap<PersonId, Instant>>,
    topic: String,
    /// Bound on reserving ids and on appending one batch (see [`LocalIngest::APPEND_TIMEOUT`]).
    append_timeout: Duration,
}

impl LocalIngest {
    /// A batch not durable on the log within this (broker or disk down, producer queue full)
    /// is refused as [`ServiceError::Unavailable`] — gRPC `UNAVAILABLE`, HTTP 503 with
    /// `Retry-After` — so back-pressure reaches the device instead of requests piling up
    /// without bound. (A refused batch may still be delivered later: at-least-once.)
    pub const APPEND_TIMEOUT: Duration = Duration::from_secs(10);

    pub fn new(persons: PersonsClient, log: Arc<dyn EventLog>, ids: IdAllocator) -> Self {
        Self {
            persons,
            log,
            ids,
            known_persons: RwLock::default(),
            topic: events::LOCATIONS_TOPIC.to_owned(),
            append_timeout: Self::APPEND_TIMEOUT,
        }
    }

    /// Another bound than [`LocalIngest::APPEND_TIMEOUT`].
    pub fn with_append_timeout(mut self, timeout: Duration) -> Self {
        self.append_timeout = timeout;
        self
    }

    /// `work` within the append timeout, else `Unavailable` naming `what`.
    async fn bounded<T>(
        &self,
        what: &str,
        work: impl Future<Output = Result<T, ServiceError>>,
    ) -> Result<T, ServiceError> {
        match tokio::time::timeout(self.append_timeout, work).await {
            Ok(result) => result,
            Err(_) => {
                metrics::counter!(m::INGEST_TIMEOUTS).increment(1);
                Err(ServiceError::Unavailable(format!(
                    "{what} did not complete within {} ms, retry later",
                    self.append_timeout.as_millis()
                )))
            }
        }
    }

    /// Appends to the locations topic of `topics` instead of the default one.
    pub fn with_topics(mut self, topics: &events::Topics) -> Self {
        self.topic = topics.locations.clone();
        self
    }

    async fn check_person(&self, id: PersonId) -> Result<(), ServiceError> {
        if let Some(seen) = self.known_persons.read().await.get(&id)
            && seen.elapsed() < KNOWN_PERSON_TTL
        {
            return Ok(());
        }
        match self.persons.get(id).await {
            Ok(_) => {
                self.known_persons.write().await.insert(id, Instant::now());
                Ok(())
            }
            Err(ServiceError::NotFound { .. }) => {
                self.known_persons.write().await.remove(&id);
                Err(ValidationError::new("person_id", format!("no person with id {id}")).into())
            }
            Err(e) => Err(e),
        }
    }
}

#[async_trait]
impl IngestService for LocalIngest {
    #[tracing::instrument(skip_all, fields(fixes = fixes.len(), traceparent = tracing::field::Empty))]
    async fn record_many(
        &self,
        fixes: Vec<NewLocation>,
    ) -> Result<Vec<Result<Location, ServiceError>>, ServiceError> {
        let mut results: Vec<Result<NewLocation, ServiceError>> = Vec::with_capacity(fixes.len());
        for fix in fixes {
            results.push(self.check_person(fix.person_id).await.map(|()| fix));
        }
        let accepted = results.iter().filter(|r| r.is_ok()).count();
        let mut ids = self
            .bounded("reserving location ids", self.ids.next_ids(accepted))
            .await?
            .into_iter();
        let received_at = Utc::now();
        let traceparent = events::new_traceparent();
        tracing::Span::current().record("traceparent", traceparent.as_str());
        let mut records = Vec::with_capacity(accepted);
        let results: Vec<Result<Location, ServiceError>> = results
            .into_iter()
            .map(|r| {
                r.map(|fix| {
                    // `ids` holds exactly one id per accepted fix.
                    let location = fix.with_id(ids.next().unwrap_or_else(|| unreachable!()));
                    records.push(
                        events::encode_location_recorded(&LocationRecorded {
                            event_id: EventId::new_v7(),
                            location: location.clone(),
                            received_at,
                        })
                        .with_header(events::HEADER_TRACEPARENT, traceparent.clone()),
                    );
                    location
                })
            })
            .collect();
        if !records.is_empty() {
            self.bounded("appending to the event log", async {
                Ok(self.log.append(&self.topic, records).await?)
            })
            .await?;
        }
        metrics::counter!(m::INGEST_ACCEPTED).increment(accepted as u64);
        metrics::counter!(m::INGEST_REJECTED).increment((results.len() - accepted) as u64);
        Ok(results)
    }
}
