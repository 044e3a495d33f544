use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::{DistanceMeters, Location, Person, PersonId, Timestamp, ValidationError};

/// "Who was within `distance` of `person_id` between two dates?" with the POC's exact
/// semantics (`modules/api/app/udaconnect/services.py`, `ConnectionService.find_contacts`):
///
/// * the person's own fixes count when `start_date 00:00 <= t < end_date 00:00`;
/// * another person's fix counts when `start_date 00:00 <= t < (end_date + 1 day) 00:00`
///   (the POC widened only this bound) and it lies within `distance` metres of one of the
///   person's fixes, inclusive (PostGIS `ST_DWithin`);
/// * the answer has one entry per (own fix, other fix) match, so an other fix near several of
///   the person's fixes appears several times. Time of day is ignored: it is not a co-presence
///   test (the v2 contacts API is).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ConnectionQuery {
    pub person_id: PersonId,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub distance: DistanceMeters,
}

impl ConnectionQuery {
    pub fn new(
        person_id: PersonId,
        start_date: NaiveDate,
        end_date: NaiveDate,
        distance: DistanceMeters,
    ) -> Result<Self, ValidationError> {
        if end_date < start_date {
            return Err(ValidationError::new(
                "end_date",
                "must not be before start_date",
            ));
        }
        Ok(Self {
            person_id,
            start_date,
            end_date,
            distance,
        })
    }

    /// Half-open window for the person's own fixes.
    pub fn own_window(&self) -> (Timestamp, Timestamp) {
        (midnight(self.start_date), midnight(self.end_date))
    }

    /// Half-open window for the other people's fixes.
    pub fn others_window(&self) -> (Timestamp, Timestamp) {
        let end = self
            .end_date
            .checked_add_days(Days::new(1))
            .unwrap_or(NaiveDate::MAX);
        (midnight(self.start_date), midnight(end))
    }
}

fn midnight(d: NaiveDate) -> Timestamp {
    d.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// One POC connection: another person and one of their fixes near one of ours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    pub person: Person,
    pub location: Location,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_follow_the_poc() {
        let q = ConnectionQuery::new(
            PersonId::new(1).unwrap(),
            NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2020, 12, 30).unwrap(),
            DistanceMeters::new(5.0).unwrap(),
        )
        .unwrap();
        let (a, b) = q.own_window();
        let (c, d) = q.others_window();
        assert_eq!(a.to_rfc3339(), "2020-01-01T00:00:00+00:00");
        assert_eq!(b.to_rfc3339(), "2020-12-30T00:00:00+00:00");
        assert_eq!(c, a);
        assert_eq!(d.to_rfc3339(), "2020-12-31T00:00:00+00:00");
    }

    #[test]
    fn reversed_dates_are_refused() {
        let e = ConnectionQuery::new(
            PersonId::new(1).unwrap(),
            NaiveDate::from_ymd_opt(2020, 2, 1).unwrap(),
            NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            DistanceMeters::POC_DEFAULT,
        )
        .unwrap_err();
        assert_eq!(e.field, "end_date");
    }
}
