//! Who is calling, and the access rules — the one place that decides.

use std::{fmt, str::FromStr};

use udaconnect_domain::PersonId;

/// An account's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// An organiser: sees and manages everything.
    Admin,
    /// A conference attendee, linked to one person: sees only that person, their fixes and
    /// their contacts.
    Attendee,
    /// A phone or badge: submits fixes for its one person, nothing else.
    Device,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Attendee => "attendee",
            Role::Device => "device",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "admin" => Ok(Role::Admin),
            "attendee" => Ok(Role::Attendee),
            "device" => Ok(Role::Device),
            _ => Err("must be one of admin, attendee, device".into()),
        }
    }
}

/// A refusal: a valid caller without the right (403 / `PERMISSION_DENIED`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Denied(pub String);

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub username: String,
    pub role: Role,
    /// The person an attendee or device is linked to.
    pub person_id: Option<PersonId>,
}

impl Principal {
    /// What every request runs as under `--insecure-open-api`.
    pub fn insecure_open_api() -> Self {
        Self {
            username: "insecure-open-api".into(),
            role: Role::Admin,
            person_id: None,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    fn owns(&self, person: PersonId) -> bool {
        self.person_id == Some(person)
    }

    fn deny(&self, what: impl fmt::Display) -> Denied {
        Denied(format!("a {} account may not {what}", self.role))
    }

    /// Only organisers see every person or register persons.
    pub fn may_manage_persons(&self) -> Result<(), Denied> {
        match self.is_admin() {
            true => Ok(()),
            false => Err(self.deny("list or register persons")),
        }
    }

    /// A person record: organisers any; attendees and devices their own.
    pub fn may_read_person(&self, person: PersonId) -> Result<(), Denied> {
        match self.is_admin() || self.owns(person) {
            true => Ok(()),
            false => Err(self.deny(format_args!("read person {person}"))),
        }
    }

    /// A person's fixes, connections and contacts: organisers any; attendees their own.
    pub fn may_read_activity_of(&self, person: PersonId) -> Result<(), Denied> {
        match self.is_admin() || (self.role == Role::Attendee && self.owns(person)) {
            true => Ok(()),
            false => Err(self.deny(format_args!(
                "read the fixes or contacts of person {person}"
            ))),
        }
    }

    /// Submitting a fix: organisers for anyone; devices and attendees for their own person.
    pub fn may_ingest_for(&self, person: PersonId) -> Result<(), Denied> {
        match self.is_admin() || self.owns(person) {
            true => Ok(()),
            false => Err(self.deny(format_args!("submit fixes for person {person}"))),
        }
    }

    /// Erasing a person: organisers, or the attendee themself.
    pub fn may_delete_person(&self, person: PersonId) -> Result<(), Denied> {
        match self.is_admin() || (self.role == Role::Attendee && self.owns(person)) {
            true => Ok(()),
            false => Err(self.deny(format_args!("delete person {person}"))),
        }
    }

    /// Which person a live feed may follow: organisers any (or all, `None`); attendees only
    /// their own, which is also what they get without asking.
    pub fn feed_scope(&self, asked: Option<PersonId>) -> Result<Option<PersonId>, Denied> {
        match (self.role, asked) {
            (Role::Admin, asked) => Ok(asked),
            (Role::Attendee, None) => Ok(self.person_id),
            (Role::Attendee, Some(p)) if self.owns(p) => Ok(Some(p)),
            (_, Some(p)) => Err(self.deny(format_args!("follow the feed of person {p}"))),
            (_, None) => Err(self.deny("follow live feeds")),
        }
    }

    /// Crowd figures over everyone: organisers only.
    pub fn may_see_overview(&self) -> Result<(), Denied> {
        match self.is_admin() {
            true => Ok(()),
            false => Err(self.deny("see activity over everyone")),
        }
    }

    /// Whether contacts shown to this caller may carry more than the other person's name.
    pub fn sees_contact_details(&self) -> bool {
        self.is_admin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(n: i64) -> PersonId {
        PersonId::new(n).unwrap()
    }

    fn who(role: Role, person: Option<i64>) -> Principal {
        Principal {
            username: "x".into(),
            role,
            person_id: person.map(p),
        }
    }

    #[test]
    fn admins_may_do_everything() {
        let a = who(Role::Admin, None);
        assert!(a.may_manage_persons().is_ok());
        assert!(a.may_read_person(p(7)).is_ok());
        assert!(a.may_read_activity_of(p(7)).is_ok());
        assert!(a.may_ingest_for(p(7)).is_ok());
        assert!(a.may_delete_person(p(7)).is_ok());
        assert_eq!(a.feed_scope(None), Ok(None));
        assert!(a.may_see_overview().is_ok());
        assert!(a.sees_contact_details());
    }

    #[test]
    fn attendees_see_only_themselves() {
        let a = who(Role::Attendee, Some(5));
        assert!(a.may_manage_persons().is_err());
        assert!(a.may_read_person(p(5)).is_ok());
        assert!(a.may_read_person(p(6)).is_err());
        assert!(a.may_read_activity_of(p(5)).is_ok());
        assert!(a.may_read_activity_of(p(6)).is_err());
        assert!(a.may_ingest_for(p(5)).is_ok());
        assert!(a.may_ingest_for(p(6)).is_err());
        assert!(a.may_delete_person(p(5)).is_ok());
        assert!(a.may_delete_person(p(6)).is_err());
        assert_eq!(a.feed_scope(None), Ok(Some(p(5))));
        assert_eq!(a.feed_scope(Some(p(5))), Ok(Some(p(5))));
        assert!(a.feed_scope(Some(p(6))).is_err());
        assert!(a.may_see_overview().is_err());
        assert!(!a.sees_contact_details());
    }

    #[test]
    fn devices_only_ingest_for_their_person() {
        let d = who(Role::Device, Some(5));
        assert!(d.may_ingest_for(p(5)).is_ok());
        assert!(d.may_ingest_for(p(6)).is_err());
        assert!(d.may_read_activity_of(p(5)).is_err());
        assert!(d.may_delete_person(p(5)).is_err());
        assert!(d.feed_scope(None).is_err());
        assert!(d.feed_scope(Some(p(5))).is_err());
        assert!(d.may_manage_persons().is_err());
        assert!(d.may_see_overview().is_err());
        let msg = d.may_ingest_for(p(6)).unwrap_err().0;
        assert_eq!(msg, "a device account may not submit fixes for person 6");
    }
}
