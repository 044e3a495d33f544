use async_trait::async_trait;
use tonic::transport::Channel;
use udaconnect_domain::{Connection, ConnectionQuery, Location, LocationId};
use udaconnect_proto::v1::{self, connections_client::ConnectionsClient as Stub};
use udaconnect_services::{ConnectionService, ServiceError};

use super::{MAX_RESPONSE_BYTES, malformed, unary};
use crate::status::from_status;

/// [`ConnectionService`] over gRPC (`udaconnect.v1.Connections`).
#[derive(Debug, Clone)]
pub struct GrpcConnections {
    stub: Stub<Channel>,
}

impl GrpcConnections {
    pub fn new(channel: Channel) -> Self {
        Self {
            stub: Stub::new(channel).max_decoding_message_size(MAX_RESPONSE_BYTES),
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
}
