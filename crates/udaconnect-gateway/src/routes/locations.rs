//! `POST /api/locations` (accepted onto the event log), `GET /api/locations/{location_id}`.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
};
use udaconnect_domain::LocationId;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    GatewayState,
    auth::Caller,
    dto::{LocationDto, NewLocationRequest},
    error::ApiError,
    extract::{IdPath, JsonBody},
};

pub(crate) fn router() -> OpenApiRouter<GatewayState> {
    OpenApiRouter::new()
        .routes(routes!(create_location))
        .routes(routes!(get_location))
}

/// Record a location fix.
///
/// The fix is validated, given its id and appended durably to the event log before the
/// `202 Accepted` is sent: it is never lost after that. It is then stored asynchronously and
/// becomes readable at `GET /api/locations/{id}` (the `Location` header) within a short
/// bounded time, normally milliseconds (read-your-write within a short bounded time; until
/// then that read answers 404).
///
/// `latitude` and `longitude` may be decimal strings (as the POC sent them) or numbers.
/// Organisers may submit fixes for anyone; devices and attendees for their own person.
#[utoipa::path(
    post,
    path = "/api/locations",
    tag = "locations",
    request_body(
        content = NewLocationRequest,
        example = json!({"person_id": 1, "latitude": "37.553441", "longitude": "-122.290524",
                         "creation_time": "2020-08-18T10:37:06"})
    ),
    responses(
        (status = 202, description = "accepted and durable; the location as it will be stored",
            body = LocationDto,
            headers(("Location" = String, description = "`/api/locations/{id}`"))),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 503, response = crate::openapi::Unavailable),
        (status = 500, response = crate::openapi::Internal),
    )
)]
#[tracing::instrument(skip_all)]
async fn create_location(
    State(state): State<GatewayState>,
    caller: Caller,
    JsonBody(body): JsonBody<NewLocationRequest>,
) -> Result<(StatusCode, HeaderMap, Json<LocationDto>), ApiError> {
    let fix = body.into_domain()?;
    caller.may_ingest_for(fix.person_id)?;
    let location = state.ingest.record(fix).await?;
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(&format!("/api/locations/{}", location.id)) {
        headers.insert(header::LOCATION, value);
    }
    Ok((StatusCode::ACCEPTED, headers, Json(location.into())))
}

/// One stored location fix (an attendee: their own fixes only).
#[utoipa::path(
    get,
    path = "/api/locations/{location_id}",
    tag = "locations",
    params(("location_id" = i64, Path, description = "the fix's id", example = 29, minimum = 1)),
    responses(
        (status = 200, description = "the stored fix", body = LocationDto),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
        (status = 503, response = crate::openapi::Unavailable),
        (status = 500, response = crate::openapi::Internal),
    )
)]
#[tracing::instrument(skip_all, fields(location_id = %id))]
async fn get_location(
    State(state): State<GatewayState>,
    caller: Caller,
    IdPath(id): IdPath<LocationId>,
) -> Result<Json<LocationDto>, ApiError> {
    let location = state.connections.get_location(id).await?;
    caller.may_read_activity_of(location.person_id)?;
    Ok(Json(location.into()))
}
