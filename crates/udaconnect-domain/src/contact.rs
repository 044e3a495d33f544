//! Contacts in space **and** time (the v2 API), contact episodes detected live, and the
//! organiser's activity summary.

use serde::{Deserialize, Serialize};

use crate::{Coordinates, LocationId, Person, PersonId, Timestamp, ValidationError};

/// "Whom did `person_id` meet?": other people within `distance_m` of one of the person's
/// fixes taken in `[from, to)` **and** within `window_s` seconds of it (both inclusive),
/// grouped per other person, ordered by first meeting then person id, `limit` per page.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactQuery {
    pub person_id: PersonId,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub distance_m: f64,
    pub window_s: u32,
    pub limit: u32,
    /// Where the previous page ended ([`ContactPage::next_cursor`]).
    pub cursor: Option<ContactCursor>,
}

impl ContactQuery {
    pub const DEFAULT_DISTANCE_M: f64 = 5.0;
    pub const MAX_DISTANCE_M: f64 = 1_000.0;
    pub const DEFAULT_WINDOW_S: u32 = 300;
    pub const MAX_WINDOW_S: u32 = 86_400;
    pub const DEFAULT_LIMIT: u32 = 50;
    pub const MAX_LIMIT: u32 = 1_000;

    /// Validates every field; errors name the API's field (`to`, `distance_m`, `window_s`,
    /// `limit`).
    pub fn new(
        person_id: PersonId,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
        distance_m: Option<f64>,
        window_s: Option<u32>,
        limit: Option<u32>,
        cursor: Option<ContactCursor>,
    ) -> Result<Self, ValidationError> {
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            return Err(ValidationError::new("to", "must not be before from"));
        }
        let distance_m = distance_m.unwrap_or(Self::DEFAULT_DISTANCE_M);
        if !(distance_m.is_finite() && distance_m > 0.0 && distance_m <= Self::MAX_DISTANCE_M) {
            return Err(ValidationError::new(
                "distance_m",
                format!(
                    "must be a number of metres above 0 and at most {}",
                    Self::MAX_DISTANCE_M
                ),
            ));
        }
        let window_s = window_s.unwrap_or(Self::DEFAULT_WINDOW_S);
        if window_s > Self::MAX_WINDOW_S {
            return Err(ValidationError::new(
                "window_s",
                format!("must be between 0 and {} seconds", Self::MAX_WINDOW_S),
            ));
        }
        let limit = limit.unwrap_or(Self::DEFAULT_LIMIT);
        if !(1..=Self::MAX_LIMIT).contains(&limit) {
            return Err(ValidationError::new(
                "limit",
                format!("must be between 1 and {}", Self::MAX_LIMIT),
            ));
        }
        Ok(Self {
            person_id,
            from,
            to,
            distance_m,
            window_s,
            limit,
            cursor,
        })
    }
}

/// The position after a contact in the answer's order: (first meeting, person id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ContactCursor {
    pub first_met: Timestamp,
    pub person_id: PersonId,
}

impl ContactCursor {
    /// Opaque text form: `c1.<first_met µs>.<person id>`.
    pub fn encode(&self) -> String {
        format!(
            "c1.{}.{}",
            self.first_met.timestamp_micros(),
            self.person_id
        )
    }

    /// Parses [`ContactCursor::encode`]'s form; the error names `cursor`.
    pub fn decode(s: &str) -> Result<Self, ValidationError> {
        let bad = || ValidationError::new("cursor", "is not a cursor this API returned");
        let rest = s.strip_prefix("c1.").ok_or_else(bad)?;
        let (t, p) = rest.split_once('.').ok_or_else(bad)?;
        let t: i64 = t.parse().map_err(|_| bad())?;
        let p: i64 = p.parse().map_err(|_| bad())?;
        Ok(Self {
            first_met: Timestamp::from_timestamp_micros(t).ok_or_else(bad)?,
            person_id: PersonId::new(p).map_err(|_| bad())?,
        })
    }
}

/// Everything about the queried person's meetings with one other person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub person: Person,
    /// Earliest and latest own-fix time over the meetings.
    pub first_met: Timestamp,
    pub last_met: Timestamp,
    /// Meetings: matched (own fix, other fix) pairs.
    pub meetings: u64,
    /// Own fixes with at least one meeting.
    pub own_fixes: u64,
    /// Smallest distance over the meetings, metres; where (the own fix) and when.
    pub closest_m: f64,
    pub place: Coordinates,
    pub closest_at: Timestamp,
}

/// One page of contacts.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactPage {
    pub contacts: Vec<Contact>,
    /// Present when more contacts follow.
    pub next_cursor: Option<ContactCursor>,
}

/// Whether a contact episode began or is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EpisodeKind {
    Started,
    Ended,
}

/// A contact episode event (topic `udaconnect.contacts.v1`): two people came within the
/// detector's distance and window (`Started`), or have not met for longer than its gap
/// (`Ended`, with the final figures). Carries ids only, no names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactEpisode {
    /// Stable per episode: `<a>-<b>-<start µs>`.
    pub episode_id: String,
    pub kind: EpisodeKind,
    /// The pair, smaller id first.
    pub persons: (PersonId, PersonId),
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    pub meetings: u64,
    pub closest_m: f64,
    pub place: Coordinates,
    /// The fix whose arrival opened the episode, and when ingest accepted it.
    pub trigger: LocationId,
    pub trigger_received_at: Timestamp,
    /// When the detector emitted this event.
    pub detected_at: Timestamp,
}

impl ContactEpisode {
    pub fn involves(&self, person: PersonId) -> bool {
        self.persons.0 == person || self.persons.1 == person
    }
}

/// An item of a live feed and the opaque cursor to resume right after it.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedItem<T> {
    pub cursor: String,
    pub item: T,
}

/// What is going on: fixes in the last `window_s` seconds of fix time (ending at the newest
/// fix seen), people present, and the busiest places.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// The newest fix time seen (`None` before any fix).
    pub at: Option<Timestamp>,
    pub window_s: u32,
    pub fixes: u64,
    pub persons_present: u64,
    pub hotspots: Vec<Hotspot>,
}

/// A busy place: a cell of about 10 m, its centre, and who was there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hotspot {
    pub place: Coordinates,
    pub persons: u64,
    pub fixes: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pid(n: i64) -> PersonId {
        PersonId::new(n).unwrap()
    }

    #[test]
    fn query_defaults_and_errors_name_the_field() {
        let q = ContactQuery::new(pid(1), None, None, None, None, None, None).unwrap();
        assert_eq!((q.distance_m, q.window_s, q.limit), (5.0, 300, 50));
        let t = |s: i64| Timestamp::from_timestamp(s, 0).unwrap();
        let field = |r: Result<ContactQuery, ValidationError>| r.unwrap_err().field.to_string();
        assert_eq!(
            field(ContactQuery::new(
                pid(1),
                Some(t(10)),
                Some(t(5)),
                None,
                None,
                None,
                None
            )),
            "to"
        );
        for d in [0.0, -1.0, f64::NAN, 1000.5] {
            assert_eq!(
                field(ContactQuery::new(
                    pid(1),
                    None,
                    None,
                    Some(d),
                    None,
                    None,
                    None
                )),
                "distance_m"
            );
        }
        assert_eq!(
            field(ContactQuery::new(
                pid(1),
                None,
                None,
                None,
                Some(86_401),
                None,
                None
            )),
            "window_s"
        );
        assert_eq!(
            field(ContactQuery::new(
                pid(1),
                None,
                None,
                None,
                None,
                Some(0),
                None
            )),
            "limit"
        );
    }

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let c = ContactCursor {
            first_met: Timestamp::from_timestamp_micros(1_597_747_026_123_456).unwrap(),
            person_id: pid(42),
        };
        assert_eq!(ContactCursor::decode(&c.encode()).unwrap(), c);
        for bad in [
            "",
            "c1.",
            "c1.x.1",
            "c1.5.0",
            "c2.5.1",
            "c1.5",
            "c1.99999999999999999999.1",
        ] {
            assert_eq!(
                ContactCursor::decode(bad).unwrap_err().field,
                "cursor",
                "{bad}"
            );
        }
    }
}
