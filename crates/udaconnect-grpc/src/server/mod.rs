//! The gRPC listener: UdaConnect's services, server reflection and health on one port.

mod auth;
mod connections;
mod deadline;
mod discovery;
mod ingest;
mod persons;

use std::{future::Future, time::Duration};

use tokio::net::TcpListener;
use tonic::{
    service::Routes,
    transport::{Server, server::TcpIncoming},
};
use tonic_health::server::HealthReporter;
use udaconnect_proto::v1::{
    connections_server::ConnectionsServer, location_ingest_server::LocationIngestServer,
    persons_server::PersonsServer,
};
use udaconnect_services::{ConnectionsClient, IngestClient, PersonsClient};

use crate::GrpcError;
pub use deadline::UNARY_DEADLINE;

pub use self::auth::GrpcAuth;

/// Limits the gRPC server enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrpcLimits {
    /// Largest request message accepted (`RESOURCE_EXHAUSTED` beyond). Default 4 MiB.
    pub max_message_bytes: usize,
    /// Fixes of a `StreamLocations` stream handed to the ingest service per
    /// `record_many` call (and so the most held in memory). Default 500.
    pub ingest_batch: usize,
    /// Most fixes in one `StreamLocations` stream (`RESOURCE_EXHAUSTED` beyond; the batches
    /// already recorded stay recorded). Default 1 000 000.
    pub max_stream_fixes: u64,
    /// Longest a `StreamLocations` stream may stay open (`DEADLINE_EXCEEDED` beyond, the
    /// batches already recorded stay recorded, the fixes of the unfinished batch are not
    /// recorded). Default 10 minutes.
    pub max_stream_duration: Duration,
}

impl Default for GrpcLimits {
    fn default() -> Self {
        Self {
            max_message_bytes: 4 * 1024 * 1024,
            ingest_batch: 500,
            max_stream_fixes: 1_000_000,
            max_stream_duration: Duration::from_secs(600),
        }
    }
}

/// Builds the routes of a gRPC listener: each service given, plus server reflection (v1 and
/// v1alpha) and the standard health service reporting each of them `SERVING`. Every
/// UdaConnect service sits behind the authentication layer ([`GrpcAuth`], which must be
/// chosen: building without one fails).
#[derive(Debug, Default, Clone)]
pub struct GrpcServices {
    persons: Option<PersonsClient>,
    ingest: Option<IngestClient>,
    connections: Option<ConnectionsClient>,
    limits: GrpcLimits,
    auth: Option<GrpcAuth>,
}

/// The routes to serve, and the health reporter to mark services `NOT_SERVING` with (for
/// example while shutting down).
#[derive(Debug)]
pub struct GrpcRoutes {
    pub routes: Routes,
    pub health: HealthReporter,
    /// Fully qualified names of the UdaConnect services mounted.
    pub service_names: Vec<&'static str>,
}

impl GrpcServices {
    pub fn new() -> Self {
        Self::default()
    }

    /// Serves `udaconnect.v1.Persons`.
    pub fn persons(mut self, persons: PersonsClient) -> Self {
        self.persons = Some(persons);
        self
    }

    /// Serves `udaconnect.v1.LocationIngest`.
    pub fn ingest(mut self, ingest: IngestClient) -> Self {
        self.ingest = Some(ingest);
        self
    }

    /// Serves `udaconnect.v1.Connections`.
    pub fn connections(mut self, connections: ConnectionsClient) -> Self {
        self.connections = Some(connections);
        self
    }

    /// How calls are authenticated.
    pub fn auth(mut self, auth: GrpcAuth) -> Self {
        self.auth = Some(auth);
        self
    }

    pub fn limits(mut self, limits: GrpcLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The routes, with every service given marked `SERVING`.
    pub async fn build(self) -> Result<GrpcRoutes, GrpcError> {
        let auth = self.auth.ok_or(GrpcError::NoAuth)?;
        let max = self.limits.max_message_bytes;
        let mut builder = Routes::builder();
        let mut names = Vec::new();
        if let Some(persons) = self.persons {
            let server = PersonsServer::new(persons::PersonsRpc(persons));
            builder.add_service(server.max_decoding_message_size(max));
            names.push(udaconnect_proto::service_names::PERSONS);
        }
        if let Some(ingest) = self.ingest {
            let rpc = ingest::IngestRpc {
                ingest,
                limits: self.limits,
            };
            builder.add_service(LocationIngestServer::new(rpc).max_decoding_message_size(max));
            names.push(udaconnect_proto::service_names::LOCATION_INGEST);
        }
        if let Some(connections) = self.connections {
            let server = ConnectionsServer::new(connections::ConnectionsRpc(connections));
            builder.add_service(server.max_decoding_message_size(max));
            names.push(udaconnect_proto::service_names::CONNECTIONS);
        }
        let health = discovery::add(&mut builder, &names).await?;
        let routes =
            builder
                .routes()
                .into_axum_router()
                .layer(axum::middleware::from_fn_with_state(
                    auth,
                    auth::authenticate,
                ));
        Ok(GrpcRoutes {
            routes: Routes::from(routes),
            health,
            service_names: names,
        })
    }
}

/// The routes serving each service given (see [`GrpcServices`] for limits and health).
pub async fn services(
    persons: Option<PersonsClient>,
    ingest: Option<IngestClient>,
    connections: Option<ConnectionsClient>,
    auth: GrpcAuth,
) -> Result<Routes, GrpcError> {
    let services = GrpcServices {
        persons,
        ingest,
        connections,
        limits: GrpcLimits::default(),
        auth: Some(auth),
    };
    Ok(services.build().await?.routes)
}

/// Serves `routes` on `listener` (HTTP/2 cleartext) until `shutdown` completes, then stops
/// accepting and waits for the calls in flight. Every call but a client stream has a
/// server-side deadline of [`UNARY_DEADLINE`](deadline::UNARY_DEADLINE).
pub async fn serve(
    listener: TcpListener,
    routes: Routes,
    shutdown: impl Future<Output = ()>,
) -> Result<(), GrpcError> {
    serve_with_deadline(listener, routes, deadline::UNARY_DEADLINE, shutdown).await
}

/// [`serve`] with another server-side deadline for calls that are not client streams.
pub async fn serve_with_deadline(
    listener: TcpListener,
    routes: Routes,
    unary_deadline: Duration,
    shutdown: impl Future<Output = ()>,
) -> Result<(), GrpcError> {
    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    Server::builder()
        .layer(tower::layer::layer_fn(move |inner| deadline::Deadline {
            inner,
            limit: unary_deadline,
        }))
        .add_routes(routes)
        .serve_with_incoming_shutdown(incoming, shutdown)
        .await
        .map_err(GrpcError::Serve)
}
