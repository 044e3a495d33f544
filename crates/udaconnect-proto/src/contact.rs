//! Contacts, contact episodes and activity: domain ⇄ proto.

use prost::Message;
use udaconnect_domain::{
    Activity, Contact, ContactEpisode, Coordinates, EpisodeKind, Hotspot, LocationId, PersonId,
    ValidationError,
};

use crate::{EventDecodeError, timestamp_from_proto, timestamp_to_proto, v1};

/// The `content-type` header of a protobuf-encoded `ContactEpisode` record.
pub const CONTACT_EPISODE_CONTENT_TYPE: &str =
    "application/x-protobuf; messageType=udaconnect.v1.ContactEpisode";

impl From<&ContactEpisode> for v1::ContactEpisode {
    fn from(e: &ContactEpisode) -> Self {
        Self {
            episode_id: e.episode_id.clone(),
            kind: match e.kind {
                EpisodeKind::Started => v1::contact_episode::Kind::Started,
                EpisodeKind::Ended => v1::contact_episode::Kind::Ended,
            } as i32,
            person_a: e.persons.0.get(),
            person_b: e.persons.1.get(),
            first_seen: Some(timestamp_to_proto(&e.first_seen)),
            last_seen: Some(timestamp_to_proto(&e.last_seen)),
            meetings: e.meetings,
            closest_m: e.closest_m,
            latitude: e.place.lat(),
            longitude: e.place.lon(),
            trigger_location_id: e.trigger.get(),
            trigger_received_at: Some(timestamp_to_proto(&e.trigger_received_at)),
            detected_at: Some(timestamp_to_proto(&e.detected_at)),
        }
    }
}

impl TryFrom<v1::ContactEpisode> for ContactEpisode {
    type Error = ValidationError;

    fn try_from(e: v1::ContactEpisode) -> Result<Self, ValidationError> {
        let kind = match v1::contact_episode::Kind::try_from(e.kind) {
            Ok(v1::contact_episode::Kind::Started) => EpisodeKind::Started,
            Ok(v1::contact_episode::Kind::Ended) => EpisodeKind::Ended,
            _ => return Err(ValidationError::new("kind", "must be STARTED or ENDED")),
        };
        let a = PersonId::new(e.person_a).map_err(|v| rename(v, "person_a"))?;
        let b = PersonId::new(e.person_b).map_err(|v| rename(v, "person_b"))?;
        if a >= b {
            return Err(ValidationError::new(
                "person_b",
                "must be greater than person_a",
            ));
        }
        if !(e.closest_m.is_finite() && e.closest_m >= 0.0) {
            return Err(ValidationError::new(
                "closest_m",
                "must be a distance in metres",
            ));
        }
        Ok(Self {
            episode_id: e.episode_id,
            kind,
            persons: (a, b),
            first_seen: timestamp_from_proto("first_seen", e.first_seen)?,
            last_seen: timestamp_from_proto("last_seen", e.last_seen)?,
            meetings: e.meetings,
            closest_m: e.closest_m,
            place: Coordinates::new(e.latitude, e.longitude)?,
            trigger: LocationId::new(e.trigger_location_id)
                .map_err(|v| rename(v, "trigger_location_id"))?,
            trigger_received_at: timestamp_from_proto(
                "trigger_received_at",
                e.trigger_received_at,
            )?,
            detected_at: timestamp_from_proto("detected_at", e.detected_at)?,
        })
    }
}

fn rename(mut v: ValidationError, field: &'static str) -> ValidationError {
    v.field = field.into();
    v
}

/// Encodes a contact episode as the value of a `udaconnect.contacts.v1` record.
pub fn encode_contact_episode(e: &ContactEpisode) -> Vec<u8> {
    v1::ContactEpisode::from(e).encode_to_vec()
}

/// Decodes the value of a `udaconnect.contacts.v1` record, validating every field.
pub fn decode_contact_episode(bytes: &[u8]) -> Result<ContactEpisode, EventDecodeError> {
    Ok(v1::ContactEpisode::decode(bytes)?.try_into()?)
}

impl From<&Contact> for v1::Contact {
    fn from(c: &Contact) -> Self {
        Self {
            person: Some((&c.person).into()),
            first_met: Some(timestamp_to_proto(&c.first_met)),
            last_met: Some(timestamp_to_proto(&c.last_met)),
            meetings: c.meetings,
            own_fixes: c.own_fixes,
            closest_m: c.closest_m,
            latitude: c.place.lat(),
            longitude: c.place.lon(),
            closest_at: Some(timestamp_to_proto(&c.closest_at)),
        }
    }
}

impl TryFrom<v1::Contact> for Contact {
    type Error = ValidationError;

    fn try_from(c: v1::Contact) -> Result<Self, ValidationError> {
        Ok(Self {
            person: c
                .person
                .ok_or_else(|| ValidationError::new("person", "is required"))?
                .try_into()?,
            first_met: timestamp_from_proto("first_met", c.first_met)?,
            last_met: timestamp_from_proto("last_met", c.last_met)?,
            meetings: c.meetings,
            own_fixes: c.own_fixes,
            closest_m: c.closest_m,
            place: Coordinates::new(c.latitude, c.longitude)?,
            closest_at: timestamp_from_proto("closest_at", c.closest_at)?,
        })
    }
}

impl From<&Activity> for v1::Activity {
    fn from(a: &Activity) -> Self {
        Self {
            at: a.at.as_ref().map(timestamp_to_proto),
            window_s: a.window_s,
            fixes: a.fixes,
            persons_present: a.persons_present,
            hotspots: a
                .hotspots
                .iter()
                .map(|h| v1::Hotspot {
                    latitude: h.place.lat(),
                    longitude: h.place.lon(),
                    persons: h.persons,
                    fixes: h.fixes,
                })
                .collect(),
        }
    }
}

impl TryFrom<v1::Activity> for Activity {
    type Error = ValidationError;

    fn try_from(a: v1::Activity) -> Result<Self, ValidationError> {
        Ok(Self {
            at: a
                .at
                .map(|t| timestamp_from_proto("at", Some(t)))
                .transpose()?,
            window_s: a.window_s,
            fixes: a.fixes,
            persons_present: a.persons_present,
            hotspots: a
                .hotspots
                .into_iter()
                .map(|h| {
                    Ok(Hotspot {
                        place: Coordinates::new(h.latitude, h.longitude)?,
                        persons: h.persons,
                        fixes: h.fixes,
                    })
                })
                .collect::<Result<_, ValidationError>>()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    #[test]
    fn episode_round_trips_and_rejects_bad_pairs() {
        let t = Utc.with_ymd_and_hms(2020, 8, 18, 10, 37, 6).unwrap();
        let e = ContactEpisode {
            episode_id: "1-5-123".into(),
            kind: EpisodeKind::Ended,
            persons: (PersonId::new(1).unwrap(), PersonId::new(5).unwrap()),
            first_seen: t,
            last_seen: t,
            meetings: 3,
            closest_m: 1.5,
            place: Coordinates::new(37.5, -122.2).unwrap(),
            trigger: LocationId::new(9).unwrap(),
            trigger_received_at: t,
            detected_at: t,
        };
        assert_eq!(
            decode_contact_episode(&encode_contact_episode(&e)).unwrap(),
            e
        );
        let mut swapped = v1::ContactEpisode::from(&e);
        swapped.person_a = 5;
        swapped.person_b = 1;
        let err = ContactEpisode::try_from(swapped).unwrap_err();
        assert_eq!(err.field, "person_b");
        let mut unknown = v1::ContactEpisode::from(&e);
        unknown.kind = 0;
        assert_eq!(ContactEpisode::try_from(unknown).unwrap_err().field, "kind");
        assert!(decode_contact_episode(b"\xff\xff").is_err());
    }
}
