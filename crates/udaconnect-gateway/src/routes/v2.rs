//! REST v2, served by the proximity engine:
//!
//! * `GET /api/v2/persons/{person_id}/contacts`: whom a person met in space **and** time,
//!   grouped per person, paginated;
//! * `GET /api/v2/contacts/stream` and `GET /api/v2/locations/stream`: live Server-Sent Events
//!   feeds (contact episodes, recorded fixes), resumable with `Last-Event-ID`;
//! * `GET /api/v2/activity`: fixes, people present and busiest places right now.

use std::{collections::HashMap, convert::Infallible, time::Duration};

use axum::{
    Json,
    extract::State,
    http::HeaderMap,
    response::sse::{Event, KeepAlive, Sse},
};
use chrono::SecondsFormat;
use futures::{Stream, StreamExt};
use serde::Serialize;
use udaconnect_domain::{
    ContactCursor, ContactEpisode, ContactQuery, EpisodeKind, Location, Person, PersonId,
    Timestamp, ValidationError,
};
use udaconnect_services::PersonsClient;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    GatewayState,
    auth::{Caller, contact_person},
    error::ApiError,
    extract::{IdPath, QueryParams},
};

pub(crate) fn router() -> OpenApiRouter<GatewayState> {
    OpenApiRouter::new()
        .routes(routes!(find_contacts))
        .routes(routes!(contacts_stream))
        .routes(routes!(locations_stream))
        .routes(routes!(activity))
}

/// SSE keep-alive comment interval.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

fn rfc3339(t: &Timestamp) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// WGS 84 degrees, as numbers.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PlaceDto {
    #[schema(example = 37.553441)]
    latitude: f64,
    #[schema(example = -122.290524)]
    longitude: f64,
}

/// The other person of a contact.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ContactPerson)]
pub(crate) struct ContactPersonDto {
    #[schema(example = 5)]
    id: i64,
    #[schema(example = "Taco")]
    first_name: String,
    #[schema(example = "Fargo")]
    last_name: String,
    #[schema(example = "Alpha Omega Upholstery")]
    company_name: String,
}

impl From<Person> for ContactPersonDto {
    fn from(p: Person) -> Self {
        Self {
            id: p.id.get(),
            first_name: p.first_name,
            last_name: p.last_name,
            company_name: p.company_name,
        }
    }
}

/// Everything about the person's meetings with one other person.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Contact)]
pub(crate) struct ContactDto {
    person: ContactPersonDto,
    /// Earliest and latest own-fix time over the meetings (RFC 3339, UTC).
    #[schema(example = "2020-08-15T10:37:06Z")]
    first_met: String,
    #[schema(example = "2020-08-15T10:41:06Z")]
    last_met: String,
    /// Matched (own fix, other fix) pairs.
    #[schema(example = 12)]
    meetings: u64,
    /// Own fixes with at least one match.
    #[schema(example = 4)]
    own_fixes: u64,
    /// Smallest distance over the meetings, metres.
    #[schema(example = 1.23)]
    closest_m: f64,
    /// Where they were closest (the person's own fix) and when.
    place: PlaceDto,
    #[schema(example = "2020-08-15T10:39:06Z")]
    closest_at: String,
}

/// One page of contacts.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ContactPage)]
pub(crate) struct ContactPageDto {
    #[schema(example = 1)]
    person_id: i64,
    from: Option<String>,
    to: Option<String>,
    #[schema(example = 5.0)]
    distance_m: f64,
    #[schema(example = 300)]
    window_s: u32,
    /// Ordered by first meeting, then person id.
    contacts: Vec<ContactDto>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

/// The query string of a contact search.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(
    dead_code,
    reason = "documents the query string; parsed by ContactParams::parse"
)]
struct ContactParams {
    /// Own fixes from this instant (RFC 3339, inclusive); all time when absent.
    #[param(required = false, example = "2020-01-01T00:00:00Z")]
    from: String,
    /// Own fixes before this instant (RFC 3339, exclusive); all time when absent.
    #[param(required = false, example = "2021-01-01T00:00:00Z")]
    to: String,
    /// Largest distance between two fixes that meet, metres.
    #[param(
        required = false,
        default = 5.0,
        exclusive_minimum = 0.0,
        maximum = 1000.0
    )]
    distance_m: f64,
    /// Largest time between two fixes that meet, seconds.
    #[param(required = false, default = 300, minimum = 0, maximum = 86400)]
    window_s: u32,
    /// Contacts per page.
    #[param(required = false, default = 50, minimum = 1, maximum = 1000)]
    limit: u32,
    /// `next_cursor` of the previous page.
    #[param(required = false)]
    cursor: String,
}

fn timestamp(q: &QueryParams, field: &'static str) -> Result<Option<Timestamp>, ValidationError> {
    q.get(field)
        .map(|s| {
            chrono::DateTime::parse_from_rfc3339(s.trim())
                .map(|t| t.with_timezone(&chrono::Utc))
                .map_err(|_| {
                    ValidationError::new(
                        field,
                        "must be an RFC 3339 instant, e.g. 2020-08-15T10:37:06Z",
                    )
                })
        })
        .transpose()
}

fn number<T: std::str::FromStr>(
    q: &QueryParams,
    field: &'static str,
    what: &str,
) -> Result<Option<T>, ValidationError> {
    q.get(field)
        .map(|s| {
            s.trim()
                .parse::<T>()
                .map_err(|_| ValidationError::new(field, format!("must be {what}")))
        })
        .transpose()
}

fn contact_query(person: PersonId, q: &QueryParams) -> Result<ContactQuery, ValidationError> {
    let distance = number::<f64>(q, "distance_m", "a number of metres")?;
    let window = number::<u32>(q, "window_s", "a whole number of seconds from 0 to 86400")?;
    let limit = number::<u32>(q, "limit", "a whole number from 1 to 1000")?;
    let cursor = q.get("cursor").map(ContactCursor::decode).transpose()?;
    ContactQuery::new(
        person,
        timestamp(q, "from")?,
        timestamp(q, "to")?,
        distance,
        window,
        limit,
        cursor,
    )
}

/// Contacts: the people who were within `distance_m` of the person **and** within `window_s`
/// seconds of each other, grouped per person (first and last meeting, number of meetings,
/// closest distance, where), ordered by first meeting then person id, paginated. An
/// attendee may ask only for their own contacts and sees the other people's names only.
#[utoipa::path(
    get,
    path = "/api/v2/persons/{person_id}/contacts",
    tag = "contacts",
    params(
        ("person_id" = i64, Path, description = "the person whose contacts are wanted", example = 1, minimum = 1),
        ContactParams,
    ),
    responses(
        (status = 200, description = "one page of contacts", body = ContactPageDto),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
        (status = 503, response = crate::openapi::Unavailable),
        (status = 500, response = crate::openapi::Internal),
    )
)]
#[tracing::instrument(skip_all, fields(person_id = %person_id))]
async fn find_contacts(
    State(state): State<GatewayState>,
    caller: Caller,
    IdPath(person_id): IdPath<PersonId>,
    q: QueryParams,
) -> Result<Json<ContactPageDto>, ApiError> {
    caller.may_read_activity_of(person_id)?;
    let query = contact_query(person_id, &q)?;
    let (from, to, distance_m, window_s) = (query.from, query.to, query.distance_m, query.window_s);
    let page = state.connections.find_contacts(query).await?;
    Ok(Json(ContactPageDto {
        person_id: person_id.get(),
        from: from.as_ref().map(rfc3339),
        to: to.as_ref().map(rfc3339),
        distance_m,
        window_s,
        contacts: page
            .contacts
            .into_iter()
            .map(|c| ContactDto {
                person: contact_person(&caller, c.person).into(),
                first_met: rfc3339(&c.first_met),
                last_met: rfc3339(&c.last_met),
                meetings: c.meetings,
                own_fixes: c.own_fixes,
                closest_m: c.closest_m,
                place: PlaceDto {
                    latitude: c.place.lat(),
                    longitude: c.place.lon(),
                },
                closest_at: rfc3339(&c.closest_at),
            })
            .collect(),
        next_cursor: page.next_cursor.map(|c| c.encode()),
    }))
}

/// A person named in a contact episode: names only.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = EpisodePerson)]
pub(crate) struct EpisodePersonDto {
    id: i64,
    first_name: String,
    last_name: String,
}

/// The `data` of a `contact` event.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ContactEpisode)]
pub(crate) struct ContactEpisodeDto {
    #[schema(example = "1-5-1597487826000000")]
    episode_id: String,
    /// `started` when two people first meet, `ended` once they have not met for longer than
    /// the detector's gap (with the final figures).
    #[schema(example = "started")]
    kind: &'static str,
    persons: Vec<EpisodePersonDto>,
    first_seen: String,
    last_seen: String,
    meetings: u64,
    closest_m: f64,
    place: PlaceDto,
    detected_at: String,
}

/// The `data` of a `location` event.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = LocationEvent)]
pub(crate) struct LocationEventDto {
    id: i64,
    person_id: i64,
    latitude: f64,
    longitude: f64,
    creation_time: String,
}

/// The query string of a live feed.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(dead_code, reason = "documents the query string")]
struct StreamParams {
    /// Only events involving this person (an attendee: always their own, the default).
    #[param(required = false, minimum = 1, example = 1)]
    person_id: i64,
}

fn stream_params(
    q: &QueryParams,
    headers: &HeaderMap,
) -> Result<(Option<PersonId>, Option<String>), ApiError> {
    let person = q
        .get("person_id")
        .map(|s| {
            s.trim()
                .parse::<i64>()
                .ok()
                .and_then(|n| PersonId::new(n).ok())
                .ok_or_else(|| ValidationError::new("person_id", "must be a positive integer"))
        })
        .transpose()?;
    let cursor = match headers.get("last-event-id") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .map_err(|_| {
                    ValidationError::new("Last-Event-ID", "is not a cursor this feed returned")
                })?
                .to_owned(),
        ),
    };
    Ok((person, cursor.filter(|c| !c.is_empty())))
}

/// Names of the people in episodes, looked up once per stream. The lookups are the
/// gateway's own (an attendee may not read the other person's record, but an episode names
/// them), made with a service token when the persons target is remote.
struct Names {
    persons: PersonsClient,
    known: HashMap<PersonId, EpisodePersonDto>,
    token: Option<String>,
}

impl Names {
    async fn get(&mut self, id: PersonId) -> EpisodePersonDto {
        if let Some(p) = self.known.get(&id) {
            return p.clone();
        }
        let lookup = udaconnect_auth::propagate::scope(self.token.clone(), self.persons.get(id));
        let dto = match lookup.await {
            Ok(p) => EpisodePersonDto {
                id: p.id.get(),
                first_name: p.first_name,
                last_name: p.last_name,
            },
            Err(_) => EpisodePersonDto {
                id: id.get(),
                first_name: String::new(),
                last_name: String::new(),
            },
        };
        self.known.insert(id, dto.clone());
        dto
    }

    async fn episode(&mut self, e: ContactEpisode) -> ContactEpisodeDto {
        let persons = vec![self.get(e.persons.0).await, self.get(e.persons.1).await];
        ContactEpisodeDto {
            episode_id: e.episode_id,
            kind: match e.kind {
                EpisodeKind::Started => "started",
                EpisodeKind::Ended => "ended",
            },
            persons,
            first_seen: rfc3339(&e.first_seen),
            last_seen: rfc3339(&e.last_seen),
            meetings: e.meetings,
            closest_m: e.closest_m,
            place: PlaceDto {
                latitude: e.place.lat(),
                longitude: e.place.lon(),
            },
            detected_at: rfc3339(&e.detected_at),
        }
    }
}

fn sse<S>(events: S) -> Sse<impl Stream<Item = Result<Event, Infallible>>>
where
    S: Stream<Item = Event> + Send + 'static,
{
    Sse::new(events.map(Ok)).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}

/// Live contact episodes (Server-Sent Events, `event: contact`, data `ContactEpisode`). Each
/// event's `id` is a cursor: reconnect with it in `Last-Event-ID` to resume right after it
/// (nothing still retained is missed). Without it the feed starts now. Keep-alive comments
/// every 15 s.
#[utoipa::path(
    get,
    path = "/api/v2/contacts/stream",
    tag = "contacts",
    params(
        StreamParams,
        ("Last-Event-ID" = Option<String>, Header, description = "resume after this event id"),
        ("access_token" = Option<String>, Query, description = "the access token, for clients that cannot send an Authorization header (EventSource)"),
    ),
    responses(
        (status = 200, description = "an endless text/event-stream of `contact` events whose data is a ContactEpisode", content_type = "text/event-stream", body = String),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn contacts_stream(
    State(state): State<GatewayState>,
    caller: Caller,
    headers: HeaderMap,
    q: QueryParams,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let (person, cursor) = stream_params(&q, &headers)?;
    let person = caller.feed_scope(person)?;
    let feed = state.connections.watch_contacts(person, cursor).await?;
    let names = Names {
        persons: state.persons.clone(),
        known: HashMap::new(),
        token: state.auth.service.tokens().service_token("gateway").ok(),
    };
    let events = futures::stream::unfold((feed, names), |(mut feed, mut names)| async move {
        match feed.next().await {
            Some(Ok(item)) => {
                let dto = names.episode(item.item).await;
                let event = Event::default()
                    .event("contact")
                    .id(item.cursor)
                    .json_data(dto)
                    .unwrap_or_else(|_| Event::default().comment("unserialisable event"));
                Some((event, (feed, names)))
            }
            Some(Err(e)) => {
                tracing::warn!(error = %e, "contact feed ended");
                None
            }
            None => None,
        }
    });
    Ok(sse(events))
}

/// Live recorded fixes (Server-Sent Events, `event: location`, data `LocationEvent`), same
/// `Last-Event-ID` rules as the contact feed.
#[utoipa::path(
    get,
    path = "/api/v2/locations/stream",
    tag = "contacts",
    params(
        StreamParams,
        ("Last-Event-ID" = Option<String>, Header, description = "resume after this event id"),
        ("access_token" = Option<String>, Query, description = "the access token, for clients that cannot send an Authorization header (EventSource)"),
    ),
    responses(
        (status = 200, description = "an endless text/event-stream of `location` events whose data is a LocationEvent", content_type = "text/event-stream", body = String),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn locations_stream(
    State(state): State<GatewayState>,
    caller: Caller,
    headers: HeaderMap,
    q: QueryParams,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let (person, cursor) = stream_params(&q, &headers)?;
    let person = caller.feed_scope(person)?;
    let feed = state.connections.watch_locations(person, cursor).await?;
    let events = feed
        .take_while(|item| {
            if let Err(e) = item {
                tracing::warn!(error = %e, "location feed ended");
            }
            futures::future::ready(item.is_ok())
        })
        .filter_map(|item| futures::future::ready(item.ok()))
        .map(|item| {
            let l: Location = item.item;
            Event::default()
                .event("location")
                .id(item.cursor)
                .json_data(LocationEventDto {
                    id: l.id.get(),
                    person_id: l.person_id.get(),
                    latitude: l.coordinates.lat(),
                    longitude: l.coordinates.lon(),
                    creation_time: rfc3339(&l.creation_time),
                })
                .unwrap_or_else(|_| Event::default().comment("unserialisable event"))
        });
    Ok(sse(events))
}

/// A busy place (a cell of about 10 m) and who was there.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Hotspot)]
pub(crate) struct HotspotDto {
    latitude: f64,
    longitude: f64,
    persons: u64,
    fixes: u64,
}

/// Activity in the last `window_s` seconds of fix time.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Activity)]
pub(crate) struct ActivityDto {
    /// The newest fix time seen; `null` before any fix.
    at: Option<String>,
    window_s: u32,
    fixes: u64,
    /// Fixes per second over the window.
    fixes_per_s: f64,
    persons_present: u64,
    /// Busiest places by distinct people, at most 10.
    hotspots: Vec<HotspotDto>,
}

/// The query string of the activity summary.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(dead_code, reason = "documents the query string")]
struct ActivityParams {
    /// Seconds of fix time to look back, ending at the newest fix seen.
    #[param(required = false, default = 300, minimum = 1, maximum = 86400)]
    window_s: u32,
}

/// What is going on: fixes, people present and the busiest places in the last `window_s`
/// seconds of fix time (organisers only).
#[utoipa::path(
    get,
    path = "/api/v2/activity",
    tag = "contacts",
    params(ActivityParams),
    responses(
        (status = 200, description = "the activity summary", body = ActivityDto),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn activity(
    State(state): State<GatewayState>,
    caller: Caller,
    q: QueryParams,
) -> Result<Json<ActivityDto>, ApiError> {
    caller.may_see_overview()?;
    let window_s =
        number::<u32>(&q, "window_s", "a whole number of seconds from 1 to 86400")?.unwrap_or(300);
    let a = state.connections.activity(window_s).await?;
    Ok(Json(ActivityDto {
        at: a.at.as_ref().map(rfc3339),
        window_s: a.window_s,
        fixes: a.fixes,
        fixes_per_s: a.fixes as f64 / f64::from(a.window_s.max(1)),
        persons_present: a.persons_present,
        hotspots: a
            .hotspots
            .into_iter()
            .map(|h| HotspotDto {
                latitude: h.place.lat(),
                longitude: h.place.lon(),
                persons: h.persons,
                fixes: h.fixes,
            })
            .collect(),
    }))
}
