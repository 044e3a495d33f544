//! UdaConnect over gRPC (`proto/udaconnect/v1`), both ways:
//!
//! * **server**: [`GrpcServices`] (or [`services`]) mounts tonic services wrapping the
//!   service clients, plus server reflection and health, and [`serve`] runs them on a bound
//!   listener until a shutdown future completes;
//! * **client**: [`GrpcPersons`], [`GrpcIngest`] and [`GrpcConnections`] implement the
//!   service traits over a lazily connected channel, so a caller holding a
//!   [`PersonsClient`](udaconnect_services::PersonsClient) cannot tell whether the service
//!   is in-process or remote ([`persons_client`], [`ingest_client`], [`connections_client`]).
//!
//! Errors cross the wire through one mapping ([`status`]): a validation error keeps its
//! field, a missing entity stays `NotFound`, an unreachable server is `Unavailable`.

mod client;
mod server;
pub mod status;

pub use client::{
    CONNECT_TIMEOUT, CallerToken, GrpcConnections, GrpcIngest, GrpcPersons, MAX_FIXES_PER_STREAM,
    MAX_RESPONSE_BYTES, UNARY_TIMEOUT, channel, connections_client, connections_client_with_token,
    ingest_client, ingest_client_with_token, persons_client, persons_client_with_token,
};
pub use server::{
    GrpcAuth, GrpcLimits, GrpcRoutes, GrpcServices, UNARY_DEADLINE, serve, serve_with_deadline,
    services,
};

/// Why a gRPC endpoint could not be set up or served.
#[derive(Debug, thiserror::Error)]
pub enum GrpcError {
    #[error("invalid grpc endpoint {url:?}: {source}")]
    InvalidEndpoint {
        url: String,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("building grpc server reflection: {0}")]
    Reflection(#[from] tonic_reflection::server::Error),
    #[error("grpc services built without choosing how calls are authenticated")]
    NoAuth,
    #[error("grpc server: {0}")]
    Serve(tonic::transport::Error),
}
