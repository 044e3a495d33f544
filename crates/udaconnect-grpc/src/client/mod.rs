//! gRPC implementations of the service traits, for a process that runs a service's callers
//! but not the service itself.

mod connections;
mod ingest;
mod persons;

use std::time::Duration;

use tonic::{
    IntoRequest, Request, Status,
    metadata::MetadataValue,
    service::Interceptor,
    transport::{Channel, Endpoint},
};
use udaconnect_domain::ValidationError;
use udaconnect_services::{ConnectionsClient, IngestClient, PersonsClient, ServiceError};

pub use self::{
    connections::GrpcConnections,
    ingest::{GrpcIngest, MAX_FIXES_PER_STREAM},
    persons::GrpcPersons,
};
use crate::GrpcError;

/// How long establishing a connection may take before calls fail `Unavailable`.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Deadline of a unary call (sent to the server as `grpc-timeout`).
pub const UNARY_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest response message a client accepts (a stream summary can be large).
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// A lazily connecting channel to `url` (`http://host:port`): nothing is dialled until the
/// first call, and a server that is down makes calls fail `Unavailable` rather than this.
/// Must be called within a Tokio runtime.
pub fn channel(url: &str) -> Result<Channel, GrpcError> {
    let endpoint =
        Endpoint::from_shared(url.to_owned()).map_err(|e| GrpcError::InvalidEndpoint {
            url: url.to_owned(),
            source: Box::new(e),
        })?;
    if endpoint.uri().scheme().is_none() || endpoint.uri().host().is_none() {
        return Err(GrpcError::InvalidEndpoint {
            url: url.to_owned(),
            source: Box::from("expected http://host:port"),
        });
    }
    Ok(endpoint
        .connect_timeout(CONNECT_TIMEOUT)
        .tcp_nodelay(true)
        .http2_keep_alive_interval(Duration::from_secs(30))
        .keep_alive_timeout(Duration::from_secs(10))
        .connect_lazy())
}

/// The person registry at `url`, e.g. `http://127.0.0.1:50051`.
pub fn persons_client(url: &str) -> Result<PersonsClient, GrpcError> {
    Ok(PersonsClient::new(GrpcPersons::new(channel(url)?)))
}

/// The person registry at `url`, calling with `token` outside a caller's scope.
pub fn persons_client_with_token(
    url: &str,
    token: Option<String>,
) -> Result<PersonsClient, GrpcError> {
    Ok(PersonsClient::new(GrpcPersons::with_token(
        channel(url)?,
        token,
    )))
}

/// The ingest service at `url`.
pub fn ingest_client(url: &str) -> Result<IngestClient, GrpcError> {
    Ok(IngestClient::new(GrpcIngest::new(channel(url)?)))
}

/// The ingest service at `url`, calling with `token` outside a caller's scope.
pub fn ingest_client_with_token(
    url: &str,
    token: Option<String>,
) -> Result<IngestClient, GrpcError> {
    Ok(IngestClient::new(GrpcIngest::with_token(
        channel(url)?,
        token,
    )))
}

/// The connections service at `url`.
pub fn connections_client(url: &str) -> Result<ConnectionsClient, GrpcError> {
    Ok(ConnectionsClient::new(GrpcConnections::new(channel(url)?)))
}

/// Puts the caller's access token on every call as `authorization: Bearer …`: the token of
/// the request being served ([`udaconnect_auth::propagate::current`]), else the client's
/// own (e.g. `udaconnect simulate --token`), else none.
#[derive(Debug, Clone, Default)]
pub struct CallerToken(Option<std::sync::Arc<str>>);

impl CallerToken {
    pub fn new(token: Option<String>) -> Self {
        Self(token.map(Into::into))
    }
}

impl Interceptor for CallerToken {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let token =
            udaconnect_auth::propagate::current().or_else(|| self.0.as_deref().map(str::to_owned));
        if let Some(token) = token {
            let value = MetadataValue::try_from(format!("Bearer {token}"))
                .map_err(|_| Status::unauthenticated("invalid credentials"))?;
            request.metadata_mut().insert("authorization", value);
        }
        Ok(request)
    }
}

/// The connections service at `url`, calling with `token` outside a caller's scope.
pub fn connections_client_with_token(
    url: &str,
    token: Option<String>,
) -> Result<ConnectionsClient, GrpcError> {
    Ok(ConnectionsClient::new(GrpcConnections::with_token(
        channel(url)?,
        token,
    )))
}

/// A unary request with the client's deadline.
fn unary<T>(message: T) -> Request<T> {
    let mut request = message.into_request();
    request.set_timeout(UNARY_TIMEOUT);
    request
}

/// A response the server should never have sent.
fn malformed(e: ValidationError) -> ServiceError {
    ServiceError::Internal(format!("malformed grpc response: {e}"))
}
