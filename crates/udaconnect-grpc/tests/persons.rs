//! `udaconnect.v1.Persons` through the gRPC client against the local registry.

mod common;

use udaconnect_domain::{NewPerson, PersonId};
use udaconnect_services::ServiceError;

#[tokio::test]
async fn create_get_list_round_trip() {
    let app = common::spawn_app().await;
    let new = NewPerson::new("  Pam ", "Trexler", "Hampton, Hampton and McQuill").unwrap();
    let pam = app.persons.create(new).await.unwrap();
    assert!(pam.id.get() > 0);
    assert_eq!(pam.first_name, "Pam");
    let taco = app.person("Taco").await;
    assert_ne!(taco.id, pam.id);

    assert_eq!(app.persons.get(pam.id).await.unwrap(), pam);
    assert_eq!(app.persons.list().await.unwrap(), vec![pam, taco]);
    app.stop().await;
}

#[tokio::test]
async fn missing_person_is_not_found() {
    let app = common::spawn_app().await;
    let e = app
        .persons
        .get(PersonId::new(999).unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            ServiceError::NotFound {
                entity: "person",
                id: 999
            }
        ),
        "{e:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn invalid_person_names_the_field() {
    let app = common::spawn_app().await;
    // Bypass the domain constructor, as a foreign client would.
    let blank = NewPerson {
        first_name: "Pam".into(),
        last_name: String::new(),
        company_name: "Acme".into(),
    };
    match app.persons.create(blank).await {
        Err(ServiceError::Invalid(v)) => {
            assert_eq!(v.field, "last_name");
            assert_eq!(v.message, "must not be empty");
        }
        other => panic!("expected invalid last_name, got {other:?}"),
    }
    app.stop().await;
}
