use std::{collections::HashMap, sync::Arc};

use async_trait::async_trait;
use udaconnect_bus::EventLog;
use udaconnect_domain::{
    Activity, Connection, ConnectionQuery, Contact, ContactCursor, ContactEpisode, ContactPage,
    ContactQuery, Location, LocationId, PersonId, ValidationError,
};
use udaconnect_store::DynStore;

use crate::{
    ServiceError, events,
    feeds::{self, Feed},
    readmodel::{MAX_ACTIVITY_WINDOW_S, ReadModel},
    service_client,
};

/// Read side: single fixes, the POC connection query, contacts in space and time, live feeds
/// of contact episodes and fixes, and the activity summary.
#[async_trait]
pub trait ConnectionService: Send + Sync + std::fmt::Debug + 'static {
    /// The stored fix, or [`ServiceError::NotFound`] (also while it is still on its way from
    /// the log to the store).
    async fn get_location(&self, id: LocationId) -> Result<Location, ServiceError>;

    /// The POC's connections (see [`ConnectionQuery`]); [`ServiceError::NotFound`] when the
    /// person does not exist.
    async fn find_connections(
        &self,
        query: ConnectionQuery,
    ) -> Result<Vec<Connection>, ServiceError>;

    /// One page of the person's contacts (see [`ContactQuery`]); [`ServiceError::NotFound`]
    /// when the person does not exist, [`ServiceError::Unavailable`] while the read model is
    /// still loading.
    async fn find_contacts(&self, query: ContactQuery) -> Result<ContactPage, ServiceError>;

    /// Contact episodes as the detector emits them, optionally only those involving
    /// `person`, from just after `cursor` or from now.
    async fn watch_contacts(
        &self,
        person: Option<PersonId>,
        cursor: Option<String>,
    ) -> Result<Feed<ContactEpisode>, ServiceError>;

    /// Accepted fixes as they reach the log, optionally of one person; same cursor rules.
    async fn watch_locations(
        &self,
        person: Option<PersonId>,
        cursor: Option<String>,
    ) -> Result<Feed<Location>, ServiceError>;

    /// The activity summary over the last `window_s` (1..=86400) seconds of fix time.
    async fn activity(&self, window_s: u32) -> Result<Activity, ServiceError>;
}

service_client!(
    /// Cheap handle on the connections service, local or remote.
    ConnectionsClient,
    ConnectionService
);

/// The connections target: contacts and connections from the in-memory [`ReadModel`] (the
/// store answers v1 queries while the model is still loading), single fixes from the store,
/// feeds from the log.
#[derive(Debug, Clone)]
pub struct LocalConnections {
    store: DynStore,
    model: Arc<ReadModel>,
    log: Arc<dyn EventLog>,
    topics: events::Topics,
}

impl LocalConnections {
    pub fn new(
        store: DynStore,
        model: Arc<ReadModel>,
        log: Arc<dyn EventLog>,
        topics: events::Topics,
    ) -> Self {
        Self {
            store,
            model,
            log,
            topics,
        }
    }

    pub fn model(&self) -> &Arc<ReadModel> {
        &self.model
    }

    async fn require_person(&self, id: PersonId) -> Result<(), ServiceError> {
        match self.model.person(&self.store, id).await? {
            Some(_) => Ok(()),
            None => Err(ServiceError::NotFound {
                entity: "person",
                id: id.get(),
            }),
        }
    }
}

#[async_trait]
impl ConnectionService for LocalConnections {
    async fn get_location(&self, id: LocationId) -> Result<Location, ServiceError> {
        self.store
            .get_location(id)
            .await?
            .ok_or(ServiceError::NotFound {
                entity: "location",
                id: id.get(),
            })
    }

    #[tracing::instrument(skip_all, fields(person_id = %query.person_id))]
    async fn find_connections(
        &self,
        query: ConnectionQuery,
    ) -> Result<Vec<Connection>, ServiceError> {
        self.require_person(query.person_id).await?;
        let locations = if self.model.is_ready() {
            let model = self.model.clone();
            tokio::task::spawn_blocking(move || model.connections(&query))
                .await
                .map_err(|e| ServiceError::Internal(e.to_string()))?
        } else {
            self.store.find_connection_locations(&query).await?
        };
        let mut persons = HashMap::new();
        let mut out = Vec::with_capacity(locations.len());
        for location in locations {
            let person = match persons.entry(location.person_id) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    // None: erased a moment ago (the model forgets their fixes right after).
                    e.insert(self.model.person(&self.store, location.person_id).await?)
                }
            };
            if let Some(person) = person {
                out.push(Connection {
                    person: person.clone(),
                    location,
                });
            }
        }
        Ok(out)
    }

    #[tracing::instrument(skip_all, fields(person_id = %query.person_id))]
    async fn find_contacts(&self, query: ContactQuery) -> Result<ContactPage, ServiceError> {
        self.require_person(query.person_id).await?;
        if !self.model.is_ready() {
            return Err(ServiceError::Unavailable(
                "the contacts read model is still loading".into(),
            ));
        }
        let all = self.model.contacts(
            query.person_id,
            query.from,
            query.to,
            query.distance_m,
            query.window_s,
        );
        let start = match query.cursor {
            None => 0,
            Some(c) => all.partition_point(|x| {
                ContactCursor {
                    first_met: x.first_met,
                    person_id: x.person,
                } <= c
            }),
        };
        let limit = query.limit as usize;
        let page = &all[start.min(all.len())..(start + limit).min(all.len())];
        let mut contacts = Vec::with_capacity(page.len());
        for c in page {
            // None: erased a moment ago (the model forgets their fixes right after).
            let Some(person) = self.model.person(&self.store, c.person).await? else {
                continue;
            };
            contacts.push(Contact {
                person,
                first_met: c.first_met,
                last_met: c.last_met,
                meetings: c.meetings,
                own_fixes: c.own_fixes,
                closest_m: c.closest_m,
                place: c.place,
                closest_at: c.closest_at,
            });
        }
        let next_cursor = (start + limit < all.len()).then(|| {
            let last = &all[start + limit - 1];
            ContactCursor {
                first_met: last.first_met,
                person_id: last.person,
            }
        });
        Ok(ContactPage {
            contacts,
            next_cursor,
        })
    }

    async fn watch_contacts(
        &self,
        person: Option<PersonId>,
        cursor: Option<String>,
    ) -> Result<Feed<ContactEpisode>, ServiceError> {
        if let Some(p) = person {
            self.require_person(p).await?;
        }
        self.log.ensure_topic(&self.topics.contacts, 4).await?;
        feeds::open(
            self.log.clone(),
            &self.topics.contacts,
            cursor.as_deref(),
            {
                let model = self.model.clone();
                move |r| {
                    let e = events::decode_contact_episode(r).ok()?;
                    // Episodes of erased persons, and expired ones, stay on the log until its
                    // retention deletes them: never shown.
                    let erased = model.is_erased(e.persons.0) || model.is_erased(e.persons.1);
                    let hidden = erased || model.is_expired(e.last_seen);
                    (!hidden && person.is_none_or(|p| e.involves(p))).then_some(e)
                }
            },
        )
        .await
    }

    async fn watch_locations(
        &self,
        person: Option<PersonId>,
        cursor: Option<String>,
    ) -> Result<Feed<Location>, ServiceError> {
        if let Some(p) = person {
            self.require_person(p).await?;
        }
        feeds::open(
            self.log.clone(),
            &self.topics.locations,
            cursor.as_deref(),
            {
                let model = self.model.clone();
                move |r| {
                    let e = events::decode_location_recorded(r).ok()?;
                    // Fixes of erased persons, and expired ones, stay on the log until its
                    // retention deletes them: never shown.
                    (!model.is_erased(e.location.person_id)
                        && !model.is_expired(e.location.creation_time)
                        && person.is_none_or(|p| e.location.person_id == p))
                    .then_some(e.location)
                }
            },
        )
        .await
    }

    async fn activity(&self, window_s: u32) -> Result<Activity, ServiceError> {
        if !(1..=MAX_ACTIVITY_WINDOW_S).contains(&window_s) {
            return Err(ValidationError::new(
                "window_s",
                format!("must be between 1 and {MAX_ACTIVITY_WINDOW_S} seconds"),
            )
            .into());
        }
        let model = self.model.clone();
        tokio::task::spawn_blocking(move || model.activity(window_s))
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))
    }
}
