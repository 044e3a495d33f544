use serde::{Deserialize, Serialize};

use crate::{PersonId, ValidationError};

/// A registered attendee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: PersonId,
    pub first_name: String,
    pub last_name: String,
    pub company_name: String,
}

/// A person to be registered; the id is assigned by the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPerson {
    pub first_name: String,
    pub last_name: String,
    pub company_name: String,
}

/// Longest name we accept, in characters.
pub const MAX_NAME_CHARS: usize = 200;

impl NewPerson {
    /// Validates and normalises (trims) the names. The POC required all three as non-null
    /// strings; we also refuse blank ones.
    pub fn new(
        first_name: &str,
        last_name: &str,
        company_name: &str,
    ) -> Result<Self, ValidationError> {
        Ok(Self {
            first_name: name("first_name", first_name)?,
            last_name: name("last_name", last_name)?,
            company_name: name("company_name", company_name)?,
        })
    }

    pub fn with_id(self, id: PersonId) -> Person {
        Person {
            id,
            first_name: self.first_name,
            last_name: self.last_name,
            company_name: self.company_name,
        }
    }
}

fn name(field: &'static str, value: &str) -> Result<String, ValidationError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ValidationError::new(field, "must not be empty"));
    }
    if value.chars().count() > MAX_NAME_CHARS {
        return Err(ValidationError::new(
            field,
            format!("must be at most {MAX_NAME_CHARS} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(ValidationError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_required() {
        let p = NewPerson::new(" Pam ", "Trexler", "Hampton").unwrap();
        assert_eq!(p.first_name, "Pam");
        assert_eq!(
            NewPerson::new("", "x", "y").unwrap_err().field,
            "first_name"
        );
        assert_eq!(
            NewPerson::new("x", "  ", "y").unwrap_err().field,
            "last_name"
        );
        let long = "a".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(
            NewPerson::new("x", "y", &long).unwrap_err().field,
            "company_name"
        );
    }
}

/// The tombstone of an erased person (topic `udaconnect.erasures.v1`): every consumer forgets
/// the person's record, fixes and contacts, and skips fixes of theirs it reads later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonErased {
    pub event_id: crate::EventId,
    pub person_id: crate::PersonId,
    pub erased_at: crate::Timestamp,
}
