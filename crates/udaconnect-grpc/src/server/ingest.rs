use tonic::{Request, Response, Status, Streaming};
use udaconnect_domain::NewLocation;
use udaconnect_proto::v1::{self, location_ingest_server::LocationIngest};
use udaconnect_services::{IngestClient, ServiceError};

use super::auth::{caller, denied};
use crate::{
    GrpcLimits,
    status::{invalid, rejection, to_status},
};

/// `udaconnect.v1.LocationIngest` over an [`IngestClient`].
#[derive(Debug, Clone)]
pub(crate) struct IngestRpc {
    pub(crate) ingest: IngestClient,
    pub(crate) limits: GrpcLimits,
}

#[tonic::async_trait]
impl LocationIngest for IngestRpc {
    #[tracing::instrument(skip_all, name = "grpc.RecordLocation")]
    async fn record_location(
        &self,
        request: Request<v1::RecordLocationRequest>,
    ) -> Result<Response<v1::RecordLocationResponse>, Status> {
        let who = caller(&request)?;
        let fix = NewLocation::try_from(request.into_inner()).map_err(invalid)?;
        who.may_ingest_for(fix.person_id).map_err(denied)?;
        let location = self.ingest.record(fix).await.map_err(to_status)?;
        Ok(Response::new(v1::RecordLocationResponse {
            location: Some(v1::Location::from(&location)),
        }))
    }

    /// Reads the stream in batches of `limits.ingest_batch` fixes, each handed to
    /// `record_many` as soon as it is full, so memory stays bounded however long the stream.
    #[tracing::instrument(skip_all, name = "grpc.StreamLocations", fields(fixes))]
    async fn stream_locations(
        &self,
        request: Request<Streaming<v1::RecordLocationRequest>>,
    ) -> Result<Response<v1::StreamLocationsResponse>, Status> {
        let who = caller(&request)?;
        let mut stream = request.into_inner();
        let mut summary = Summary::default();
        let mut batch = Vec::with_capacity(self.limits.ingest_batch);
        let mut index = 0u64;
        let deadline = tokio::time::Instant::now() + self.limits.max_stream_duration;
        loop {
            let Ok(next) = tokio::time::timeout_at(deadline, stream.message()).await else {
                return Err(Status::deadline_exceeded(format!(
                    "a stream may stay open at most {} s; the fixes of the batches recorded \
                     before stay recorded ({} fixes accepted), split the rest into further streams",
                    self.limits.max_stream_duration.as_secs_f64(),
                    summary.location_ids.len()
                )));
            };
            let Some(message) = next? else { break };
            if index >= self.limits.max_stream_fixes {
                return Err(Status::resource_exhausted(format!(
                    "a stream may carry at most {} fixes; the first {} were processed, \
                     split the rest into further streams",
                    self.limits.max_stream_fixes, index
                )));
            }
            // A fix for a person the caller may not submit for is rejected like an
            // invalid one (PERMISSION_DENIED), the others go on.
            match NewLocation::try_from(message) {
                Ok(fix) => match who.may_ingest_for(fix.person_id) {
                    Ok(()) => batch.push((index, fix)),
                    Err(d) => summary
                        .rejected
                        .push(rejection(index, ServiceError::Forbidden(d.0))),
                },
                Err(e) => summary.rejected.push(rejection(index, e.into())),
            }
            index += 1;
            if batch.len() >= self.limits.ingest_batch {
                self.flush(&mut batch, &mut summary).await;
            }
        }
        self.flush(&mut batch, &mut summary).await;
        tracing::Span::current().record("fixes", index);
        Ok(Response::new(summary.finish()))
    }
}

impl IngestRpc {
    /// Records one batch; a failure of the whole batch rejects each of its fixes.
    async fn flush(&self, batch: &mut Vec<(u64, NewLocation)>, summary: &mut Summary) {
        if batch.is_empty() {
            return;
        }
        let (indices, fixes): (Vec<u64>, Vec<NewLocation>) = batch.drain(..).unzip();
        let results = match self.ingest.record_many(fixes).await {
            Ok(results) if results.len() == indices.len() => results,
            Ok(results) => {
                let e = ServiceError::Internal(format!(
                    "ingest answered {} results for {} fixes",
                    results.len(),
                    indices.len()
                ));
                return summary.reject_all(&indices, e);
            }
            Err(e) => return summary.reject_all(&indices, e),
        };
        for (index, result) in indices.into_iter().zip(results) {
            match result {
                Ok(location) => summary.location_ids.push(location.id.get()),
                Err(e) => summary.rejected.push(rejection(index, e)),
            }
        }
    }
}

/// The stream's outcome so far.
#[derive(Debug, Default)]
struct Summary {
    location_ids: Vec<i64>,
    rejected: Vec<v1::RejectedLocation>,
}

impl Summary {
    /// One rejection per fix of a failed batch (an internal error is logged once).
    fn reject_all(&mut self, indices: &[u64], e: ServiceError) {
        let first = indices.first().copied().unwrap_or_default();
        if !matches!(e, ServiceError::Internal(_)) {
            let fixes = indices.len();
            tracing::warn!(error = %e, first_index = first, fixes, "location stream batch rejected");
        }
        let template = rejection(first, e);
        self.rejected
            .extend(indices.iter().map(|&index| v1::RejectedLocation {
                index,
                ..template.clone()
            }));
    }

    fn finish(mut self) -> v1::StreamLocationsResponse {
        // Fixes rejected while decoding come before the batch they were read with.
        self.rejected.sort_by_key(|r| r.index);
        v1::StreamLocationsResponse {
            accepted_count: self.location_ids.len() as u64,
            rejected_count: self.rejected.len() as u64,
            location_ids: self.location_ids,
            rejected: self.rejected,
        }
    }
}
