use udaconnect_domain::{
    Coordinates, Location, LocationId, NewLocation, PersonId, ValidationError,
};

use crate::{timestamp_from_proto, timestamp_to_proto, v1};

impl From<&Location> for v1::Location {
    fn from(l: &Location) -> Self {
        Self {
            id: l.id.get(),
            person_id: l.person_id.get(),
            latitude: l.coordinates.lat(),
            longitude: l.coordinates.lon(),
            creation_time: Some(timestamp_to_proto(&l.creation_time)),
        }
    }
}

/// A stored fix from the wire; errors name `location_id`, `person_id`, `latitude`,
/// `longitude` or `creation_time`.
impl TryFrom<v1::Location> for Location {
    type Error = ValidationError;

    fn try_from(l: v1::Location) -> Result<Self, Self::Error> {
        Ok(Location {
            id: LocationId::new(l.id)?,
            person_id: PersonId::new(l.person_id)?,
            coordinates: Coordinates::new(l.latitude, l.longitude)?,
            creation_time: timestamp_from_proto("creation_time", l.creation_time)?,
        })
    }
}

impl From<&NewLocation> for v1::RecordLocationRequest {
    fn from(l: &NewLocation) -> Self {
        Self {
            person_id: l.person_id.get(),
            latitude: l.coordinates.lat(),
            longitude: l.coordinates.lon(),
            creation_time: Some(timestamp_to_proto(&l.creation_time)),
        }
    }
}

/// A fix reported by a device; errors name `person_id`, `latitude`, `longitude` or
/// `creation_time` (required). Whether the person exists is the ingest service's check.
impl TryFrom<v1::RecordLocationRequest> for NewLocation {
    type Error = ValidationError;

    fn try_from(r: v1::RecordLocationRequest) -> Result<Self, Self::Error> {
        Ok(NewLocation {
            person_id: PersonId::new(r.person_id)?,
            coordinates: Coordinates::new(r.latitude, r.longitude)?,
            creation_time: timestamp_from_proto("creation_time", r.creation_time)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn fix() -> NewLocation {
        NewLocation {
            person_id: PersonId::new(7).unwrap(),
            coordinates: Coordinates::new(37.553441, -122.290524).unwrap(),
            creation_time: Utc.with_ymd_and_hms(2020, 8, 18, 10, 37, 6).unwrap(),
        }
    }

    #[test]
    fn round_trips() {
        let f = fix();
        assert_eq!(
            NewLocation::try_from(v1::RecordLocationRequest::from(&f)).unwrap(),
            f
        );
        let l = f.with_id(LocationId::new(42).unwrap());
        assert_eq!(Location::try_from(v1::Location::from(&l)).unwrap(), l);
    }

    #[test]
    fn invalid_input_names_the_proto_field() {
        let ok = v1::RecordLocationRequest::from(&fix());
        let field = |r: v1::RecordLocationRequest| NewLocation::try_from(r).unwrap_err().field;
        let r = v1::RecordLocationRequest {
            latitude: 91.0,
            ..ok
        };
        assert_eq!(field(r), "latitude");
        let r = v1::RecordLocationRequest {
            longitude: f64::NAN,
            ..ok
        };
        assert_eq!(field(r), "longitude");
        let r = v1::RecordLocationRequest {
            person_id: -1,
            ..ok
        };
        assert_eq!(field(r), "person_id");
        let r = v1::RecordLocationRequest {
            creation_time: None,
            ..ok
        };
        assert_eq!(field(r), "creation_time");
    }
}
