use udaconnect_domain::{NewPerson, Person, PersonId, ValidationError};

use crate::v1;

impl From<&Person> for v1::Person {
    fn from(p: &Person) -> Self {
        Self {
            id: p.id.get(),
            first_name: p.first_name.clone(),
            last_name: p.last_name.clone(),
            company_name: p.company_name.clone(),
        }
    }
}

/// A person from the wire (a response): the names are validated like a new person's, the
/// id must be positive (`person_id`).
impl TryFrom<v1::Person> for Person {
    type Error = ValidationError;

    fn try_from(p: v1::Person) -> Result<Self, Self::Error> {
        let id = PersonId::new(p.id)?;
        Ok(NewPerson::new(&p.first_name, &p.last_name, &p.company_name)?.with_id(id))
    }
}

impl From<&NewPerson> for v1::CreatePersonRequest {
    fn from(p: &NewPerson) -> Self {
        Self {
            first_name: p.first_name.clone(),
            last_name: p.last_name.clone(),
            company_name: p.company_name.clone(),
        }
    }
}

/// Validates and trims the names; errors name `first_name`, `last_name` or `company_name`.
impl TryFrom<v1::CreatePersonRequest> for NewPerson {
    type Error = ValidationError;

    fn try_from(r: v1::CreatePersonRequest) -> Result<Self, Self::Error> {
        NewPerson::new(&r.first_name, &r.last_name, &r.company_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_names_fields() {
        let p = NewPerson::new("Pam", "Trexler", "Hampton, Hampton and McQuill")
            .unwrap()
            .with_id(PersonId::new(5).unwrap());
        assert_eq!(Person::try_from(v1::Person::from(&p)).unwrap(), p);
        let bad = v1::CreatePersonRequest {
            first_name: "Pam".into(),
            last_name: " ".into(),
            company_name: "x".into(),
        };
        assert_eq!(NewPerson::try_from(bad).unwrap_err().field, "last_name");
        let zero = v1::Person {
            id: 0,
            ..v1::Person::from(&p)
        };
        assert_eq!(Person::try_from(zero).unwrap_err().field, "person_id");
    }
}
