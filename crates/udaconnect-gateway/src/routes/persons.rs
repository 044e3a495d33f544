//! `GET/POST /api/persons`, `GET /api/persons/{person_id}`.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
};
use udaconnect_domain::PersonId;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    GatewayState,
    auth::Caller,
    dto::{NewPersonRequest, PersonDto},
    error::ApiError,
    extract::{IdPath, JsonBody},
};

pub(crate) fn router() -> OpenApiRouter<GatewayState> {
    OpenApiRouter::new()
        .routes(routes!(list_persons, create_person))
        .routes(routes!(get_person))
}

/// List persons, ordered by id: every person for an organiser, only their own for an
/// attendee or device.
#[utoipa::path(
    get,
    path = "/api/persons",
    tag = "persons",
    responses(
        (status = 200, description = "every registered person, ordered by id", body = [PersonDto]),
        (status = 503, response = crate::openapi::Unavailable),
        (status = 500, response = crate::openapi::Internal),
    )
)]
#[tracing::instrument(skip_all)]
async fn list_persons(
    State(state): State<GatewayState>,
    caller: Caller,
) -> Result<Json<Vec<PersonDto>>, ApiError> {
    let persons = match (caller.is_admin(), caller.person_id) {
        (true, _) => state.persons.list().await?,
        (false, Some(own)) => vec![state.persons.get(own).await?],
        (false, None) => Vec::new(),
    };
    Ok(Json(persons.into_iter().map(PersonDto::from).collect()))
}

/// Register a person (organisers only).
#[utoipa::path(
    post,
    path = "/api/persons",
    tag = "persons",
    request_body(
        content = NewPersonRequest,
        example = json!({"first_name": "Pam", "last_name": "Trexler",
                         "company_name": "Hampton, Hampton and McQuill"})
    ),
    responses(
        (status = 201, description = "registered", body = PersonDto,
            headers(("Location" = String, description = "`/api/persons/{id}`"))),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 503, response = crate::openapi::Unavailable),
        (status = 500, response = crate::openapi::Internal),
    )
)]
#[tracing::instrument(skip_all)]
async fn create_person(
    State(state): State<GatewayState>,
    caller: Caller,
    JsonBody(body): JsonBody<NewPersonRequest>,
) -> Result<(StatusCode, HeaderMap, Json<PersonDto>), ApiError> {
    caller.may_manage_persons()?;
    let person = state.persons.create(body.into_domain()?).await?;
    let mut headers = HeaderMap::new();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/persons/{}", person.id)) {
        headers.insert(header::LOCATION, location);
    }
    Ok((StatusCode::CREATED, headers, Json(person.into())))
}

/// One person (an attendee or device: their own only).
#[utoipa::path(
    get,
    path = "/api/persons/{person_id}",
    tag = "persons",
    params(("person_id" = i64, Path, description = "the person's id", example = 1, minimum = 1)),
    responses(
        (status = 200, description = "the person", body = PersonDto),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
        (status = 503, response = crate::openapi::Unavailable),
        (status = 500, response = crate::openapi::Internal),
    )
)]
#[tracing::instrument(skip_all, fields(person_id = %id))]
async fn get_person(
    State(state): State<GatewayState>,
    caller: Caller,
    IdPath(id): IdPath<PersonId>,
) -> Result<Json<PersonDto>, ApiError> {
    caller.may_read_person(id)?;
    Ok(Json(state.persons.get(id).await?.into()))
}
