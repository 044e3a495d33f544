//! Wire shapes of REST v1, exactly as the POC's marshmallow schemas produced them, kept apart
//! from the domain types; request bodies are parsed field by field (see [`FromJsonObject`]).

use chrono::{SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use udaconnect_domain::{
    Connection, Coordinates, Location, NewLocation, NewPerson, Person, PersonId, ValidationError,
    format_poc_datetime, parse_datetime,
};
use utoipa::ToSchema;

use crate::extract::{Fields, FromJsonObject};

/// A registered attendee.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(as = Person)]
pub(crate) struct PersonDto {
    #[schema(example = 1)]
    pub(crate) id: i64,
    #[schema(example = "Pam")]
    pub(crate) first_name: String,
    #[schema(example = "Trexler")]
    pub(crate) last_name: String,
    #[schema(example = "Hampton, Hampton and McQuill")]
    pub(crate) company_name: String,
}

impl From<Person> for PersonDto {
    fn from(p: Person) -> Self {
        Self {
            id: p.id.get(),
            first_name: p.first_name,
            last_name: p.last_name,
            company_name: p.company_name,
        }
    }
}

/// A person to register. Names are trimmed and must not be blank; `id` is ignored. Other
/// fields are refused.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewPerson)]
pub(crate) struct NewPersonRequest {
    /// Ignored: the id is assigned by the registry (accepted for POC compatibility).
    #[expect(dead_code, reason = "documents the POC's field, which is ignored")]
    pub(crate) id: Option<i64>,
    /// Not blank, at most 200 characters, no control characters (also for the other names).
    #[schema(
        example = "Pam",
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$",
        max_length = 200
    )]
    pub(crate) first_name: String,
    #[schema(
        example = "Trexler",
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$",
        max_length = 200
    )]
    pub(crate) last_name: String,
    #[schema(
        example = "Hampton, Hampton and McQuill",
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$",
        max_length = 200
    )]
    pub(crate) company_name: String,
}

impl FromJsonObject for NewPersonRequest {
    fn from_fields(f: &mut Fields) -> Result<Self, ValidationError> {
        ignored_id(f)?;
        Ok(Self {
            id: None,
            first_name: f.string("first_name")?,
            last_name: f.string("last_name")?,
            company_name: f.string("company_name")?,
        })
    }
}

impl NewPersonRequest {
    pub(crate) fn into_domain(self) -> Result<NewPerson, ValidationError> {
        NewPerson::new(&self.first_name, &self.last_name, &self.company_name)
    }
}

/// A stored location fix. Coordinates are decimal strings (as in the POC); unlike the POC,
/// `latitude` and `longitude` mean what their names say.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(as = Location)]
pub(crate) struct LocationDto {
    #[schema(example = 29)]
    pub(crate) id: i64,
    #[schema(example = 1)]
    pub(crate) person_id: i64,
    #[schema(example = "-122.290524")]
    pub(crate) longitude: String,
    #[schema(example = "37.553441")]
    pub(crate) latitude: String,
    /// UTC, ISO 8601 without offset; fractional seconds only when non-zero.
    #[schema(example = "2020-08-18T10:37:06")]
    pub(crate) creation_time: String,
}

impl From<Location> for LocationDto {
    fn from(l: Location) -> Self {
        Self {
            id: l.id.get(),
            person_id: l.person_id.get(),
            longitude: l.coordinates.lon().to_string(),
            latitude: l.coordinates.lat().to_string(),
            creation_time: format_poc_datetime(&l.creation_time),
        }
    }
}

/// A coordinate in degrees: a JSON number or a decimal string (the POC sent strings).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
#[expect(
    dead_code,
    reason = "documents the accepted forms; parsed by `Fields::decimal`"
)]
pub(crate) enum CoordinateInput {
    Text(DecimalText),
    Number(f64),
}

/// A decimal number written as a string, e.g. `"-122.290524"` (schema only: the value is
/// parsed by `Fields::decimal`).
#[derive(Debug, Deserialize)]
#[expect(dead_code, reason = "documents the accepted form")]
pub(crate) struct DecimalText(String);

impl utoipa::PartialSchema for DecimalText {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(
                r"^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$",
            ))
            .description(Some("A decimal number written as a string"))
            .into()
    }
}

impl utoipa::ToSchema for DecimalText {}

/// A location fix from a device; `id` is ignored. Other fields are refused.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewLocation)]
pub(crate) struct NewLocationRequest {
    /// Ignored: the id is assigned by the ingest service (accepted for POC compatibility).
    #[expect(dead_code, reason = "documents the POC's field, which is ignored")]
    pub(crate) id: Option<i64>,
    #[schema(example = 1)]
    pub(crate) person_id: i64,
    /// Degrees in [-90, 90].
    #[schema(value_type = CoordinateInput, example = "37.553441")]
    pub(crate) latitude: f64,
    /// Degrees in [-180, 180].
    #[schema(value_type = CoordinateInput, example = "-122.290524")]
    pub(crate) longitude: f64,
    /// When the fix was taken: naive ISO 8601 (taken as UTC) or RFC 3339 with an offset.
    /// Defaults to now.
    #[schema(example = "2020-08-18T10:37:06")]
    pub(crate) creation_time: Option<String>,
}

impl FromJsonObject for NewLocationRequest {
    fn from_fields(f: &mut Fields) -> Result<Self, ValidationError> {
        ignored_id(f)?;
        Ok(Self {
            id: None,
            person_id: f.integer("person_id")?,
            latitude: f.decimal("latitude")?,
            longitude: f.decimal("longitude")?,
            creation_time: f.optional_string("creation_time")?,
        })
    }
}

/// The POC's schemas carried an `id` in request bodies; it is ignored, but when present it
/// must still be what the schema says (a 64-bit integer or null).
fn ignored_id(f: &mut Fields) -> Result<(), ValidationError> {
    match f.optional("id") {
        None | Some(serde_json::Value::Null) => Ok(()),
        Some(v @ serde_json::Value::Number(_)) if crate::extract::as_integer(&v).is_some() => {
            Ok(())
        }
        Some(_) => Err(ValidationError::new(
            "id",
            "must be an integer (it is ignored)",
        )),
    }
}

impl NewLocationRequest {
    pub(crate) fn into_domain(self) -> Result<NewLocation, ValidationError> {
        let creation_time = match self.creation_time {
            Some(s) => parse_datetime("creation_time", &s)?,
            // Timestamps are kept to the microsecond (see `Timestamp`).
            None => Utc::now().trunc_subsecs(6),
        };
        Ok(NewLocation {
            person_id: PersonId::new(self.person_id)?,
            coordinates: Coordinates::new(self.latitude, self.longitude)?,
            creation_time,
        })
    }
}

/// Another person and one of their fixes near one of the queried person's fixes.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(as = Connection)]
pub(crate) struct ConnectionDto {
    pub(crate) person: PersonDto,
    pub(crate) location: LocationDto,
}

impl From<Connection> for ConnectionDto {
    fn from(c: Connection) -> Self {
        Self {
            person: c.person.into(),
            location: c.location.into(),
        }
    }
}
