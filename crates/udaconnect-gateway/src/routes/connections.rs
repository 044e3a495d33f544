//! `GET /api/persons/{person_id}/connection`: whom a person met, with the POC's semantics.

use axum::{Json, extract::State};
use chrono::NaiveDate;
use udaconnect_domain::{ConnectionQuery, DistanceMeters, PersonId, ValidationError, parse_date};
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    GatewayState,
    auth::{Caller, contact_person},
    dto::ConnectionDto,
    error::ApiError,
    extract::{IdPath, QueryParams},
};

pub(crate) fn router() -> OpenApiRouter<GatewayState> {
    OpenApiRouter::new().routes(routes!(find_connections))
}

/// The query string of a connection search.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
struct ConnectionParams {
    /// First day searched (UTC), `YYYY-MM-DD`.
    #[param(example = "2020-01-01")]
    start_date: NaiveDate,
    /// Last day searched (UTC), `YYYY-MM-DD`, not before `start_date`. As in the POC, the
    /// person's own fixes count before `end_date` 00:00, other people's until the day after.
    #[param(example = "2020-12-30")]
    end_date: NaiveDate,
    /// Search radius in metres: a positive number, may be fractional. Defaults to 5.
    #[param(
        required = false,
        default = 5.0,
        example = 5,
        exclusive_minimum = 0.0,
        // Half the Earth's circumference (`DistanceMeters::MAX`), rounded down.
        maximum = 20015114.0
    )]
    distance: f64,
}

impl ConnectionParams {
    fn parse(q: &QueryParams) -> Result<Self, ValidationError> {
        let date = |field: &'static str| {
            q.get(field)
                .ok_or_else(|| ValidationError::new(field, "is required"))
                .and_then(|s| parse_date(field, s))
        };
        let (start_date, end_date) = (date("start_date")?, date("end_date")?);
        let distance = match q.get("distance") {
            None => DistanceMeters::POC_DEFAULT,
            Some(s) => {
                let metres = s.trim().parse::<f64>().map_err(|_| {
                    ValidationError::new("distance", "must be a positive number of metres")
                })?;
                DistanceMeters::new(metres)?
            }
        };
        Ok(Self {
            start_date,
            end_date,
            distance: distance.metres(),
        })
    }

    fn into_query(self, person_id: PersonId) -> Result<ConnectionQuery, ValidationError> {
        let distance = DistanceMeters::new(self.distance)?;
        ConnectionQuery::new(person_id, self.start_date, self.end_date, distance)
    }
}

/// People met: every other person's fix within `distance` metres of one of this person's
/// fixes in the date range, one entry per (own fix, other fix) pair, as the POC answered.
/// An attendee may search only their own person, and sees the other people's names only
/// (`company_name` empty).
#[utoipa::path(
    get,
    path = "/api/persons/{person_id}/connection",
    tag = "connections",
    params(
        ("person_id" = i64, Path, description = "the person whose contacts are searched", example = 5, minimum = 1),
        ConnectionParams,
    ),
    responses(
        (status = 200, description = "the connections", body = [ConnectionDto]),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
        (status = 503, response = crate::openapi::Unavailable),
        (status = 500, response = crate::openapi::Internal),
    )
)]
#[tracing::instrument(skip_all, fields(person_id = %person_id))]
async fn find_connections(
    State(state): State<GatewayState>,
    caller: Caller,
    IdPath(person_id): IdPath<PersonId>,
    query: QueryParams,
) -> Result<Json<Vec<ConnectionDto>>, ApiError> {
    caller.may_read_activity_of(person_id)?;
    let query = ConnectionParams::parse(&query)?.into_query(person_id)?;
    let connections = state.connections.find_connections(query).await?;
    Ok(Json(
        connections
            .into_iter()
            .map(|mut c| {
                c.person = contact_person(&caller, c.person);
                ConnectionDto::from(c)
            })
            .collect(),
    ))
}
