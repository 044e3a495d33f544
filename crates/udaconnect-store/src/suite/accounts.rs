//! Suite cases for [`AccountStore`](crate::AccountStore).

use chrono::{Duration, TimeZone, Utc};
use udaconnect_domain::{NewPerson, Timestamp};

use super::{StoreFactory, fixtures::pid};
use crate::{Account, RefreshToken, RefreshUse, StoreError};

fn t(s: i64) -> Timestamp {
    Utc.timestamp_opt(1_700_000_000 + s, 0)
        .single()
        .expect("valid time")
}

fn account(username: &str, role: &str, person: Option<i64>) -> Account {
    Account {
        username: username.into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        role: role.into(),
        person_id: person.map(pid),
        created_at: t(0),
    }
}

fn refresh(hash: &str, family: &str, username: &str) -> RefreshToken {
    RefreshToken {
        token_hash: hash.into(),
        family_id: family.into(),
        username: username.into(),
        issued_at: t(0),
        expires_at: t(0) + Duration::days(7),
    }
}

/// Accounts round-trip; usernames are unique; a person link must name a stored person.
pub async fn accounts_round_trip_and_usernames_are_unique(f: &dyn StoreFactory) {
    let store = f.fresh().await;
    assert_eq!(store.count_accounts().await.unwrap(), 0);
    assert_eq!(store.get_account("admin").await.unwrap(), None);
    let admin = account("admin", "admin", None);
    store.create_account(&admin).await.unwrap();
    let pam = store
        .create_person(NewPerson::new("Pam", "Trexler", "Hampton").unwrap())
        .await
        .unwrap();
    let attendee = account("pam", "attendee", Some(pam.id.get()));
    store.create_account(&attendee).await.unwrap();
    assert_eq!(
        store.get_account("admin").await.unwrap(),
        Some(admin.clone())
    );
    assert_eq!(store.get_account("pam").await.unwrap(), Some(attendee));
    assert_eq!(store.get_account("Admin").await.unwrap(), None);
    assert_eq!(store.count_accounts().await.unwrap(), 2);
    match store
        .create_account(&account("admin", "device", None))
        .await
    {
        Err(StoreError::AccountExists(u)) => assert_eq!(u, "admin"),
        other => panic!("duplicate username: {other:?}"),
    }
    match store
        .create_account(&account("ghost", "attendee", Some(pam.id.get() + 1000)))
        .await
    {
        Err(StoreError::UnknownPerson(p)) => assert_eq!(p.get(), pam.id.get() + 1000),
        other => panic!("unknown person: {other:?}"),
    }
    assert_eq!(store.count_accounts().await.unwrap(), 2);
}

/// A refresh token is exchanged once; again it is reported used; revoking its family
/// revokes every token of the family and no other; expired and unknown tokens are reported.
pub async fn refresh_tokens_are_used_once_and_families_revoked(f: &dyn StoreFactory) {
    let store = f.fresh().await;
    store
        .create_account(&account("admin", "admin", None))
        .await
        .unwrap();
    let first = refresh("h1", "fam-a", "admin");
    store.insert_refresh_token(&first).await.unwrap();
    let (got, state) = store.use_refresh_token("h1", t(10)).await.unwrap().unwrap();
    assert_eq!((got, state), (first.clone(), RefreshUse::Fresh));
    let (_, state) = store.use_refresh_token("h1", t(11)).await.unwrap().unwrap();
    assert_eq!(state, RefreshUse::AlreadyUsed);

    store
        .insert_refresh_token(&refresh("h2", "fam-a", "admin"))
        .await
        .unwrap();
    store
        .insert_refresh_token(&refresh("other", "fam-b", "admin"))
        .await
        .unwrap();
    assert_eq!(store.revoke_refresh_family("fam-a").await.unwrap(), 1);
    assert_eq!(store.revoke_refresh_family("fam-a").await.unwrap(), 0);
    for h in ["h1", "h2"] {
        let (_, state) = store.use_refresh_token(h, t(12)).await.unwrap().unwrap();
        assert_eq!(state, RefreshUse::Revoked, "{h}");
    }
    let (_, state) = store
        .use_refresh_token("other", t(12))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state, RefreshUse::Fresh, "another family is untouched");

    store
        .insert_refresh_token(&refresh("old", "fam-c", "admin"))
        .await
        .unwrap();
    let late = t(0) + Duration::days(7);
    let (_, state) = store.use_refresh_token("old", late).await.unwrap().unwrap();
    assert_eq!(state, RefreshUse::Expired);
    assert_eq!(store.use_refresh_token("nope", t(1)).await.unwrap(), None);
}
