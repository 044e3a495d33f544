use std::{sync::Arc, time::Duration};

use udaconnect_domain::{NewPerson, PersonId};
use udaconnect_store::{PersonStore, sqlite::SqliteStore};

use super::*;
use crate::{SigningKey, ThrottlePolicy};

struct Fixture {
    _dir: tempfile::TempDir,
    store: SqliteStore,
    auth: AuthService,
}

async fn fixture(policy: ThrottlePolicy) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let store = tokio::task::spawn_blocking(move || SqliteStore::open(&path))
        .await
        .unwrap()
        .unwrap();
    let auth = AuthService::new(
        Arc::new(store.clone()),
        Tokens::new(&SigningKey::generate()),
        LoginThrottle::new(policy),
    );
    Fixture {
        _dir: dir,
        store,
        auth,
    }
}

async fn person(store: &SqliteStore) -> PersonId {
    store
        .create_person(NewPerson::new("Pam", "Trexler", "Hampton").unwrap())
        .await
        .unwrap()
        .id
}

fn admin() -> Principal {
    Principal {
        username: "root".into(),
        role: Role::Admin,
        person_id: None,
    }
}

fn new(username: &str, role: Role, person_id: Option<PersonId>) -> NewAccount {
    NewAccount {
        username: username.into(),
        password: "s3cret-enough".into(),
        role,
        person_id,
    }
}

#[tokio::test]
async fn first_admin_is_generated_once_and_can_sign_in() {
    let f = fixture(ThrottlePolicy::default()).await;
    let password = f.auth.ensure_first_admin().await.unwrap().expect("created");
    assert_eq!(password.len(), 24);
    assert_eq!(f.auth.ensure_first_admin().await.unwrap(), None);
    let s = f.auth.login("admin", &password, "c").await.unwrap();
    assert!(s.principal.is_admin());
    assert_eq!(s.expires_in, 900);
    assert_eq!(
        f.auth.tokens().verify(&s.access_token).unwrap(),
        s.principal
    );
}

#[tokio::test]
async fn wrong_password_and_unknown_user_fail_alike() {
    let f = fixture(ThrottlePolicy::default()).await;
    f.auth
        .create_admin("root", Some("s3cret-enough".into()))
        .await
        .unwrap();
    let a = f
        .auth
        .login("root", "wrong-password", "c")
        .await
        .unwrap_err();
    let b = f
        .auth
        .login("nobody", "s3cret-enough", "c")
        .await
        .unwrap_err();
    assert_eq!(a.to_string(), b.to_string());
    assert!(matches!(a, AuthError::Unauthenticated));
    assert!(matches!(b, AuthError::Unauthenticated));
}

#[tokio::test]
async fn registration_rules() {
    let f = fixture(ThrottlePolicy::default()).await;
    let pam = person(&f.store).await;
    let paul = person(&f.store).await;
    let a = f
        .auth
        .register(&admin(), new("pam", Role::Attendee, Some(pam)))
        .await
        .unwrap();
    assert_eq!(a.person_id, Some(pam));
    f.auth
        .register(&admin(), new("pams-phone", Role::Device, Some(pam)))
        .await
        .unwrap();
    // An attendee: another attendee account of their own person only.
    let own = f
        .auth
        .register(&a, new("pam2", Role::Attendee, None))
        .await
        .unwrap();
    assert_eq!(own.person_id, Some(pam));
    for refused in [
        new("x1", Role::Attendee, Some(paul)),
        new("x2", Role::Device, Some(pam)),
        new("x3", Role::Admin, None),
    ] {
        assert!(matches!(
            f.auth.register(&a, refused).await,
            Err(AuthError::Forbidden(_))
        ));
    }
    let device = Principal {
        username: "pams-phone".into(),
        role: Role::Device,
        person_id: Some(pam),
    };
    assert!(matches!(
        f.auth
            .register(&device, new("x4", Role::Attendee, Some(pam)))
            .await,
        Err(AuthError::Forbidden(_))
    ));
    // Validation names the field.
    for (account, field) in [
        (new("pam", Role::Attendee, Some(pam)), None),
        (new("bad name", Role::Admin, None), Some("username")),
        (new("ok", Role::Attendee, None), Some("person_id")),
        (new("ok", Role::Admin, Some(pam)), Some("person_id")),
        (
            new("ok", Role::Attendee, Some(PersonId::new(999).unwrap())),
            Some("person_id"),
        ),
        (
            NewAccount {
                password: "short".into(),
                ..new("ok", Role::Admin, None)
            },
            Some("password"),
        ),
    ] {
        match (f.auth.register(&admin(), account).await, field) {
            (Err(AuthError::UsernameTaken(u)), None) => assert_eq!(u, "pam"),
            (Err(AuthError::Invalid(v)), Some(field)) => assert_eq!(v.field, field),
            (other, _) => panic!("{field:?}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let f = fixture(ThrottlePolicy::default()).await;
    f.auth
        .create_admin("root", Some("s3cret-enough".into()))
        .await
        .unwrap();
    let s1 = f.auth.login("root", "s3cret-enough", "c").await.unwrap();
    let s2 = f.auth.refresh(&s1.refresh_token).await.unwrap();
    assert_ne!(s1.refresh_token, s2.refresh_token);
    assert!(f.auth.tokens().verify(&s2.access_token).is_ok());
    // A second sign-in is another family, unaffected below.
    let other = f.auth.login("root", "s3cret-enough", "c").await.unwrap();
    // The thief replays s1: refused, and s2 (the owner's current token) dies too.
    assert!(matches!(
        f.auth.refresh(&s1.refresh_token).await,
        Err(AuthError::Unauthenticated)
    ));
    assert!(matches!(
        f.auth.refresh(&s2.refresh_token).await,
        Err(AuthError::Unauthenticated)
    ));
    let other2 = f.auth.refresh(&other.refresh_token).await.unwrap();
    // Logout revokes.
    f.auth.logout(&other2.refresh_token).await.unwrap();
    assert!(f.auth.refresh(&other2.refresh_token).await.is_err());
    f.auth.logout("unknown").await.unwrap();
    assert!(f.auth.refresh("unknown").await.is_err());
}

#[tokio::test]
async fn sign_ins_are_throttled_per_username_even_with_the_right_password() {
    let f = fixture(ThrottlePolicy {
        per_username: 3,
        per_client: 100,
        window: Duration::from_secs(60),
    })
    .await;
    f.auth
        .create_admin("root", Some("s3cret-enough".into()))
        .await
        .unwrap();
    for _ in 0..3 {
        assert!(matches!(
            f.auth.login("root", "guess-guess", "c").await,
            Err(AuthError::Unauthenticated)
        ));
    }
    match f.auth.login("root", "s3cret-enough", "other-client").await {
        Err(AuthError::Throttled { retry_after_s }) => assert!((1..=60).contains(&retry_after_s)),
        other => panic!("{other:?}"),
    }
}
