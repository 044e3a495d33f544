use udaconnect_domain::{
    Connection, ConnectionQuery, DistanceMeters, Location, Person, PersonId, ValidationError,
    parse_date,
};

use crate::v1;

impl From<&Connection> for v1::Connection {
    fn from(c: &Connection) -> Self {
        Self {
            person: Some(v1::Person::from(&c.person)),
            location: Some(v1::Location::from(&c.location)),
        }
    }
}

/// A connection from the wire; both parts are required (`person`, `location`).
impl TryFrom<v1::Connection> for Connection {
    type Error = ValidationError;

    fn try_from(c: v1::Connection) -> Result<Self, Self::Error> {
        let person = c
            .person
            .ok_or_else(|| ValidationError::new("person", "is required"))?;
        let location = c
            .location
            .ok_or_else(|| ValidationError::new("location", "is required"))?;
        Ok(Connection {
            person: Person::try_from(person)?,
            location: Location::try_from(location)?,
        })
    }
}

impl From<&ConnectionQuery> for v1::FindConnectionsRequest {
    fn from(q: &ConnectionQuery) -> Self {
        Self {
            person_id: q.person_id.get(),
            start_date: q.start_date.format("%Y-%m-%d").to_string(),
            end_date: q.end_date.format("%Y-%m-%d").to_string(),
            distance_m: Some(q.distance.metres()),
        }
    }
}

/// The POC query from the wire: dates as `YYYY-MM-DD`, `distance_m` defaulting to the
/// POC's 5 m. Errors name `person_id`, `start_date`, `end_date` or `distance_m`.
impl TryFrom<v1::FindConnectionsRequest> for ConnectionQuery {
    type Error = ValidationError;

    fn try_from(r: v1::FindConnectionsRequest) -> Result<Self, Self::Error> {
        let distance = match r.distance_m {
            None => DistanceMeters::POC_DEFAULT,
            Some(m) => DistanceMeters::new(m).map_err(|e| ValidationError {
                field: "distance_m".into(),
                ..e
            })?,
        };
        ConnectionQuery::new(
            PersonId::new(r.person_id)?,
            parse_date("start_date", &r.start_date)?,
            parse_date("end_date", &r.end_date)?,
            distance,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> v1::FindConnectionsRequest {
        v1::FindConnectionsRequest {
            person_id: 1,
            start_date: "2020-01-01".into(),
            end_date: "2020-12-30".into(),
            distance_m: None,
        }
    }

    #[test]
    fn defaults_to_five_metres_and_round_trips() {
        let q = ConnectionQuery::try_from(request()).unwrap();
        assert_eq!(q.distance, DistanceMeters::POC_DEFAULT);
        let back = ConnectionQuery::try_from(v1::FindConnectionsRequest::from(&q)).unwrap();
        assert_eq!(back, q);
    }

    #[test]
    fn invalid_input_names_the_proto_field() {
        let field = |r: v1::FindConnectionsRequest| ConnectionQuery::try_from(r).unwrap_err().field;
        let r = v1::FindConnectionsRequest {
            distance_m: Some(0.0),
            ..request()
        };
        assert_eq!(field(r), "distance_m");
        let r = v1::FindConnectionsRequest {
            start_date: "2020-1".into(),
            ..request()
        };
        assert_eq!(field(r), "start_date");
        let r = v1::FindConnectionsRequest {
            end_date: "2019-12-31".into(),
            ..request()
        };
        assert_eq!(field(r), "end_date");
        let r = v1::FindConnectionsRequest {
            person_id: 0,
            ..request()
        };
        assert_eq!(field(r), "person_id");
        let c = v1::Connection {
            person: None,
            location: None,
        };
        assert_eq!(Connection::try_from(c).unwrap_err().field, "person");
    }
}
