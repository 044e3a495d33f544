use tonic::{Request, Response, Status};
use udaconnect_domain::{ConnectionQuery, LocationId};
use udaconnect_proto::v1::{self, connections_server::Connections};
use udaconnect_services::ConnectionsClient;

use crate::status::{invalid, to_status};

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
        let id = LocationId::new(request.into_inner().location_id).map_err(invalid)?;
        let location = self.0.get_location(id).await.map_err(to_status)?;
        Ok(Response::new(v1::Location::from(&location)))
    }

    #[tracing::instrument(skip_all, name = "grpc.FindConnections")]
    async fn find_connections(
        &self,
        request: Request<v1::FindConnectionsRequest>,
    ) -> Result<Response<v1::FindConnectionsResponse>, Status> {
        let query = ConnectionQuery::try_from(request.into_inner()).map_err(invalid)?;
        let connections = self.0.find_connections(query).await.map_err(to_status)?;
        Ok(Response::new(v1::FindConnectionsResponse {
            connections: connections.iter().map(v1::Connection::from).collect(),
        }))
    }
}
