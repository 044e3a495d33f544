use async_trait::async_trait;
use futures::StreamExt;
use tonic::{IntoRequest, service::interceptor::InterceptedService, transport::Channel};
use udaconnect_domain::{
    Activity, Connection, ConnectionQuery, Contact, ContactCursor, ContactEpisode, ContactPage,
    ContactQuery, FeedItem, Location, LocationId, PersonId,
};
use udaconnect_proto::{
    timestamp_to_proto,
    v1::{self, connections_client::ConnectionsClient as Stub},
};
use udaconnect_services::{ConnectionService, ServiceError, feeds::Feed};

use super::{CallerToken, MAX_RESPONSE_BYTES, malformed, unary};
use crate::status::from_status;

/// [`ConnectionService`] over gRPC (`udaconnect.v1.Connections`).
#[derive(Debug, Clone)]
pub struct GrpcConnections {
    stub: Stub<InterceptedService<Channel, CallerToken>>,
}

impl GrpcConnections {
    pub fn new(channel: Channel) -> Self {
        Self::with_token(channel, None)
    }

    /// Calls made outside a caller's scope (see [`udaconnect_auth::propagate`]) carry
    /// `token`.
    pub fn with_token(channel: Channel, token: Option<String>) -> Self {
        Self {
            stub: Stub::with_interceptor(channel, CallerToken::new(token))
                .max_decoding_message_size(MAX_RESPONSE_BYTES),
        }
    }
}

#[async_trait]
impl ConnectionService for GrpcConnections {
    async fn get_location(&self, id: LocationId) -> Result<Location, ServiceError> {
        let request = unary(v1::GetLocationRequest {
            location_id: id.get(),
        });
        let response = self.stub.clone().get_location(request).await;
        let location = response
            .map_err(|s| from_status(s, Some(("location", id.get()))))?
            .into_inner();
        Location::try_from(location).map_err(malformed)
    }

    async fn find_connections(
        &self,
        query: ConnectionQuery,
    ) -> Result<Vec<Connection>, ServiceError> {
        let request = unary(v1::FindConnectionsRequest::from(&query));
        let response = self.stub.clone().find_connections(request).await;
        let missing = Some(("person", query.person_id.get()));
        let connections = response.map_err(|s| from_status(s, missing))?.into_inner();
        connections
            .connections
            .into_iter()
            .map(|c| Connection::try_from(c).map_err(malformed))
            .collect()
    }

    async fn find_contacts(&self, query: ContactQuery) -> Result<ContactPage, ServiceError> {
        let request = unary(v1::FindContactsRequest {
            person_id: query.person_id.get(),
            from: query.from.as_ref().map(timestamp_to_proto),
            to: query.to.as_ref().map(timestamp_to_proto),
            distance_m: Some(query.distance_m),
            window_s: Some(query.window_s),
            limit: Some(query.limit),
            cursor: query.cursor.map(|c| c.encode()).unwrap_or_default(),
        });
        let response = self.stub.clone().find_contacts(request).await;
        let missing = Some(("person", query.person_id.get()));
        let page = response.map_err(|s| from_status(s, missing))?.into_inner();
        Ok(ContactPage {
            contacts: page
                .contacts
                .into_iter()
                .map(|c| Contact::try_from(c).map_err(malformed))
                .collect::<Result<_, _>>()?,
            next_cursor: (!page.next_cursor.is_empty())
                .then(|| ContactCursor::decode(&page.next_cursor).map_err(malformed))
                .transpose()?,
        })
    }

    async fn watch_contacts(
        &self,
        person: Option<PersonId>,
        cursor: Option<String>,
    ) -> Result<Feed<ContactEpisode>, ServiceError> {
        // A feed lives as long as its reader wants it: no deadline.
        let request = v1::WatchContactsRequest {
            person_id: person.map_or(0, PersonId::get),
            cursor: cursor.unwrap_or_default(),
        }
        .into_request();
        let missing = person.map(|p| ("person", p.get()));
        let stream = self
            .stub
            .clone()
            .watch_contacts(request)
            .await
            .map_err(|s| from_status(s, missing))?
            .into_inner();
        Ok(stream
            .map(|update| {
                let u = update.map_err(|s| from_status(s, None))?;
                let episode = u
                    .episode
                    .ok_or_else(|| ServiceError::Internal("update without an episode".into()))?;
                Ok(FeedItem {
                    cursor: u.cursor,
                    item: ContactEpisode::try_from(episode).map_err(malformed)?,
                })
            })
            .boxed())
    }

    async fn watch_locations(
        &self,
        person: Option<PersonId>,
        cursor: Option<String>,
    ) -> Result<Feed<Location>, ServiceError> {
        let request = v1::WatchLocationsRequest {
            person_id: person.map_or(0, PersonId::get),
            cursor: cursor.unwrap_or_default(),
        }
        .into_request();
        let missing = person.map(|p| ("person", p.get()));
        let stream = self
            .stub
            .clone()
            .watch_locations(request)
            .await
            .map_err(|s| from_status(s, missing))?
            .into_inner();
        Ok(stream
            .map(|update| {
                let u = update.map_err(|s| from_status(s, None))?;
                let location = u
                    .location
                    .ok_or_else(|| ServiceError::Internal("update without a location".into()))?;
                Ok(FeedItem {
                    cursor: u.cursor,
                    item: Location::try_from(location).map_err(malformed)?,
                })
            })
            .boxed())
    }

    async fn activity(&self, window_s: u32) -> Result<Activity, ServiceError> {
        let request = unary(v1::GetActivityRequest {
            window_s: Some(window_s),
        });
        let response = self.stub.clone().get_activity(request).await;
        let activity = response.map_err(|s| from_status(s, None))?.into_inner();
        Activity::try_from(activity).map_err(malformed)
    }
}
