//! `DELETE /api/v2/persons/{person_id}`: erasure of a person (the right to be forgotten).

use axum::{extract::State, http::StatusCode};
use udaconnect_domain::PersonId;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{GatewayState, auth::Caller, error::ApiError, extract::IdPath};

pub(crate) fn router() -> OpenApiRouter<GatewayState> {
    OpenApiRouter::new().routes(routes!(delete_person))
}

/// Erase a person: their record, every fix of theirs and every contact computed from them
/// are deleted from the store and forgotten by every read model, the contact detector and
/// the live feeds; replays of the event log never bring them back. Their id is never given
/// to anyone else. Fixes already on the event log stay there, unreadable through the API,
/// until the log's retention deletes them.
#[utoipa::path(
    delete,
    path = "/api/v2/persons/{person_id}",
    tag = "persons",
    params(("person_id" = i64, Path, description = "the person's id", example = 5, minimum = 1)),
    responses(
        (status = 204, description = "erased"),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
        (status = 503, response = crate::openapi::Unavailable),
        (status = 500, response = crate::openapi::Internal),
    )
)]
#[tracing::instrument(skip_all, fields(person_id = %id))]
async fn delete_person(
    State(state): State<GatewayState>,
    caller: Caller,
    IdPath(id): IdPath<PersonId>,
) -> Result<StatusCode, ApiError> {
    // Organisers, or the attendee themself.
    caller.may_delete_person(id)?;
    state.persons.delete(id).await?;
    Ok(StatusCode::NO_CONTENT)
}
