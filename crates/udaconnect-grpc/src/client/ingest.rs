use async_trait::async_trait;
use chrono::SubsecRound;
use tonic::{service::interceptor::InterceptedService, transport::Channel};
use udaconnect_domain::{Location, LocationId, NewLocation};
use udaconnect_proto::v1::{self, location_ingest_client::LocationIngestClient as Stub};
use udaconnect_services::{IngestService, ServiceError};

use super::{CallerToken, MAX_RESPONSE_BYTES, malformed, unary};
use crate::status::{from_rejection, from_status};

/// Most fixes `record_many` sends in one `StreamLocations` stream; a larger batch goes as
/// several streams, one after the other, so every summary stays well under
/// [`MAX_RESPONSE_BYTES`](super::MAX_RESPONSE_BYTES).
pub const MAX_FIXES_PER_STREAM: usize = 50_000;

/// [`IngestService`] over gRPC (`udaconnect.v1.LocationIngest`): `record` is
/// `RecordLocation`, `record_many` is `StreamLocations`.
#[derive(Debug, Clone)]
pub struct GrpcIngest {
    stub: Stub<InterceptedService<Channel, CallerToken>>,
}

impl GrpcIngest {
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

    /// One stream: a result per fix of `chunk`, in order.
    async fn stream(
        &self,
        chunk: &[NewLocation],
    ) -> Result<Vec<Result<Location, ServiceError>>, ServiceError> {
        let requests: Vec<v1::RecordLocationRequest> = chunk.iter().map(Into::into).collect();
        let response = self
            .stub
            .clone()
            .stream_locations(futures::stream::iter(requests))
            .await;
        let summary = response.map_err(|s| from_status(s, None))?.into_inner();
        assemble(chunk, summary)
    }
}

#[async_trait]
impl IngestService for GrpcIngest {
    async fn record(&self, fix: NewLocation) -> Result<Location, ServiceError> {
        let request = unary(v1::RecordLocationRequest::from(&fix));
        let response = self.stub.clone().record_location(request).await;
        let location = response.map_err(|s| from_status(s, None))?.into_inner();
        let location = location
            .location
            .ok_or_else(|| ServiceError::Internal("grpc response without a location".into()))?;
        Location::try_from(location).map_err(malformed)
    }

    /// Streams the fixes (in streams of at most [`MAX_FIXES_PER_STREAM`]). An `Err` means the
    /// first stream failed; a later stream that fails makes each of its fixes an error.
    async fn record_many(
        &self,
        fixes: Vec<NewLocation>,
    ) -> Result<Vec<Result<Location, ServiceError>>, ServiceError> {
        let mut results = Vec::with_capacity(fixes.len());
        for chunk in fixes.chunks(MAX_FIXES_PER_STREAM) {
            match self.stream(chunk).await {
                Ok(chunk_results) => results.extend(chunk_results),
                Err(e) if results.is_empty() => return Err(e),
                Err(e) => results.extend(chunk.iter().map(|_| Err(copy(&e)))),
            }
        }
        Ok(results)
    }
}

/// Per-fix results from a stream summary: rejected indices get their error, the others the
/// accepted ids in order.
fn assemble(
    chunk: &[NewLocation],
    summary: v1::StreamLocationsResponse,
) -> Result<Vec<Result<Location, ServiceError>>, ServiceError> {
    let consistent = summary.location_ids.len() as u64 == summary.accepted_count
        && summary.rejected.len() as u64 == summary.rejected_count
        && summary.accepted_count + summary.rejected_count == chunk.len() as u64;
    if !consistent {
        return Err(ServiceError::Internal(format!(
            "grpc stream summary does not add up: {} fixes sent, {} accepted, {} rejected",
            chunk.len(),
            summary.accepted_count,
            summary.rejected_count
        )));
    }
    let mut rejected = summary.rejected.iter().peekable();
    let mut ids = summary.location_ids.into_iter();
    let results = chunk
        .iter()
        .enumerate()
        .map(|(index, fix)| {
            if let Some(r) = rejected.next_if(|r| r.index == index as u64) {
                return Ok(Err(from_rejection(r)));
            }
            let id = ids.next().ok_or_else(|| {
                ServiceError::Internal("grpc stream summary: rejections out of order".into())
            })?;
            let mut location = fix.clone().with_id(LocationId::new(id).map_err(malformed)?);
            // The server keeps microseconds, as the store does.
            location.creation_time = location.creation_time.trunc_subsecs(6);
            Ok(Ok(location))
        })
        .collect::<Result<Vec<_>, ServiceError>>()?;
    Ok(results)
}

/// `ServiceError` is not `Clone`.
fn copy(e: &ServiceError) -> ServiceError {
    match e {
        ServiceError::Invalid(v) => ServiceError::Invalid(v.clone()),
        ServiceError::NotFound { entity, id } => ServiceError::NotFound { entity, id: *id },
        ServiceError::Unavailable(m) => ServiceError::Unavailable(m.clone()),
        ServiceError::Internal(m) => ServiceError::Internal(m.clone()),
        ServiceError::Unauthenticated => ServiceError::Unauthenticated,
        ServiceError::Forbidden(m) => ServiceError::Forbidden(m.clone()),
    }
}
