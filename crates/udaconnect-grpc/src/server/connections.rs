use std::pin::Pin;

use futures::{Stream, StreamExt};
use tonic::{Request, Response, Status};
use udaconnect_domain::{ConnectionQuery, ContactCursor, ContactQuery, LocationId, PersonId};
use udaconnect_proto::{
    timestamp_from_proto,
    v1::{self, connections_server::Connections},
};
use udaconnect_services::ConnectionsClient;

use super::auth::{caller, denied};
use crate::status::{invalid, to_status};

/// The other person of a contact as the caller may see them: organisers everything,
/// others the name only.
fn contact_person(
    who: &udaconnect_auth::Principal,
    mut p: udaconnect_domain::Person,
) -> udaconnect_domain::Person {
    if !who.sees_contact_details() {
        p.company_name.clear();
    }
    p
}

/// `udaconnect.v1.Connections` over a [`ConnectionsClient`].
#[derive(Debug, Clone)]
pub(crate) struct ConnectionsRpc(pub(crate) ConnectionsClient);

#[tonic::async_trait]
impl Connections for ConnectionsRpc {
    #[tracing::instrument(skip_all, name = "grpc.GetLocation")]
    async fn get_location(
        &self,
        request: Request<v1::GetLocationRequest>,
    ) -> Result<Response<v1::Location>, Status> {
        let who = caller(&request)?;
        let id = LocationId::new(request.into_inner().location_id).map_err(invalid)?;
        let location = self.0.get_location(id).await.map_err(to_status)?;
        who.may_read_activity_of(location.person_id)
            .map_err(denied)?;
        Ok(Response::new(v1::Location::from(&location)))
    }

    #[tracing::instrument(skip_all, name = "grpc.FindConnections")]
    async fn find_connections(
        &self,
        request: Request<v1::FindConnectionsRequest>,
    ) -> Result<Response<v1::FindConnectionsResponse>, Status> {
        let who = caller(&request)?;
        let query = ConnectionQuery::try_from(request.into_inner()).map_err(invalid)?;
        who.may_read_activity_of(query.person_id).map_err(denied)?;
        let connections = self.0.find_connections(query).await.map_err(to_status)?;
        Ok(Response::new(v1::FindConnectionsResponse {
            connections: connections
                .into_iter()
                .map(|mut c| {
                    c.person = contact_person(&who, c.person);
                    v1::Connection::from(&c)
                })
                .collect(),
        }))
    }

    #[tracing::instrument(skip_all, name = "grpc.FindContacts")]
    async fn find_contacts(
        &self,
        request: Request<v1::FindContactsRequest>,
    ) -> Result<Response<v1::FindContactsResponse>, Status> {
        let who = caller(&request)?;
        let r = request.into_inner();
        let query = contact_query(r).map_err(invalid)?;
        who.may_read_activity_of(query.person_id).map_err(denied)?;
        let page = self.0.find_contacts(query).await.map_err(to_status)?;
        Ok(Response::new(v1::FindContactsResponse {
            contacts: page
                .contacts
                .into_iter()
                .map(|mut c| {
                    c.person = contact_person(&who, c.person);
                    v1::Contact::from(&c)
                })
                .collect(),
            next_cursor: page.next_cursor.map(|c| c.encode()).unwrap_or_default(),
        }))
    }

    type WatchContactsStream =
        Pin<Box<dyn Stream<Item = Result<v1::ContactEpisodeUpdate, Status>> + Send>>;

    #[tracing::instrument(skip_all, name = "grpc.WatchContacts")]
    async fn watch_contacts(
        &self,
        request: Request<v1::WatchContactsRequest>,
    ) -> Result<Response<Self::WatchContactsStream>, Status> {
        let who = caller(&request)?;
        let r = request.into_inner();
        let person = who
            .feed_scope(optional_person(r.person_id)?)
            .map_err(denied)?;
        let cursor = (!r.cursor.is_empty()).then_some(r.cursor);
        let feed = self
            .0
            .watch_contacts(person, cursor)
            .await
            .map_err(to_status)?;
        Ok(Response::new(Box::pin(feed.map(|item| {
            item.map(|i| v1::ContactEpisodeUpdate {
                cursor: i.cursor,
                episode: Some(v1::ContactEpisode::from(&i.item)),
            })
            .map_err(to_status)
        }))))
    }

    type WatchLocationsStream =
        Pin<Box<dyn Stream<Item = Result<v1::LocationUpdate, Status>> + Send>>;

    #[tracing::instrument(skip_all, name = "grpc.WatchLocations")]
    async fn watch_locations(
        &self,
        request: Request<v1::WatchLocationsRequest>,
    ) -> Result<Response<Self::WatchLocationsStream>, Status> {
        let who = caller(&request)?;
        let r = request.into_inner();
        let person = who
            .feed_scope(optional_person(r.person_id)?)
            .map_err(denied)?;
        let cursor = (!r.cursor.is_empty()).then_some(r.cursor);
        let feed = self
            .0
            .watch_locations(person, cursor)
            .await
            .map_err(to_status)?;
        Ok(Response::new(Box::pin(feed.map(|item| {
            item.map(|i| v1::LocationUpdate {
                cursor: i.cursor,
                location: Some(v1::Location::from(&i.item)),
            })
            .map_err(to_status)
        }))))
    }

    #[tracing::instrument(skip_all, name = "grpc.GetActivity")]
    async fn get_activity(
        &self,
        request: Request<v1::GetActivityRequest>,
    ) -> Result<Response<v1::Activity>, Status> {
        caller(&request)?.may_see_overview().map_err(denied)?;
        let window_s = request.into_inner().window_s.unwrap_or(300);
        let activity = self.0.activity(window_s).await.map_err(to_status)?;
        Ok(Response::new(v1::Activity::from(&activity)))
    }
}

fn optional_person(id: i64) -> Result<Option<PersonId>, Status> {
    match id {
        0 => Ok(None),
        n => PersonId::new(n).map(Some).map_err(invalid),
    }
}

/// The wire request as a validated domain query (errors name the proto field).
pub(crate) fn contact_query(
    r: v1::FindContactsRequest,
) -> Result<ContactQuery, udaconnect_domain::ValidationError> {
    let person = PersonId::new(r.person_id).map_err(|mut e| {
        e.field = "person_id".into();
        e
    })?;
    let from = r
        .from
        .map(|t| timestamp_from_proto("from", Some(t)))
        .transpose()?;
    let to =
        r.to.map(|t| timestamp_from_proto("to", Some(t)))
            .transpose()?;
    let cursor = (!r.cursor.is_empty())
        .then(|| ContactCursor::decode(&r.cursor))
        .transpose()?;
    ContactQuery::new(person, from, to, r.distance_m, r.window_s, r.limit, cursor)
}
