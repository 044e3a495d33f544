//! Suite cases for [`PersonStore`](crate::PersonStore).

use udaconnect_domain::NewPerson;

use super::{
    StoreFactory,
    fixtures::{person, pid},
};

fn new_person(first: &str) -> NewPerson {
    NewPerson::new(first, "Trexler", "Hampton, Hampton and McQuill").expect("valid test person")
}

/// Created persons get distinct increasing ids, read back equal, and list in id order.
pub async fn create_get_list_persons(f: &dyn StoreFactory) {
    let store = f.fresh().await;
    assert!(store.list_persons().await.unwrap().is_empty());
    let a = store.create_person(new_person("Pam")).await.unwrap();
    let b = store.create_person(new_person("Paul")).await.unwrap();
    assert_eq!(a.first_name, "Pam");
    assert_eq!(a.company_name, "Hampton, Hampton and McQuill");
    assert!(b.id > a.id, "ids increase: {} then {}", a.id, b.id);
    assert_eq!(store.get_person(a.id).await.unwrap(), Some(a.clone()));
    assert_eq!(store.get_person(b.id).await.unwrap(), Some(b.clone()));
    assert_eq!(store.list_persons().await.unwrap(), vec![a, b]);
}

pub async fn get_unknown_person_is_none(f: &dyn StoreFactory) {
    let store = f.fresh().await;
    assert_eq!(store.get_person(pid(42)).await.unwrap(), None);
    store.create_person(new_person("Pam")).await.unwrap();
    assert_eq!(store.get_person(pid(i64::MAX)).await.unwrap(), None);
}

/// Re-importing changes nothing (not even names); created ids follow every imported id.
pub async fn import_persons_is_idempotent_and_created_ids_follow(f: &dyn StoreFactory) {
    let store = f.fresh().await;
    let batch = vec![person(10), person(3), person(7)];
    assert_eq!(store.import_persons(&batch).await.unwrap(), 3);
    let mut renamed = person(10);
    renamed.first_name = "Changed".into();
    assert_eq!(
        store
            .import_persons(&[renamed, person(3), person(11)])
            .await
            .unwrap(),
        1
    );
    assert_eq!(store.import_persons(&[]).await.unwrap(), 0);
    assert_eq!(store.get_person(pid(10)).await.unwrap(), Some(person(10)));
    let created = store.create_person(new_person("Pam")).await.unwrap();
    assert!(
        created.id > pid(11),
        "created id {} after imported 11",
        created.id
    );
    let ids: Vec<i64> = store
        .list_persons()
        .await
        .unwrap()
        .iter()
        .map(|p| p.id.get())
        .collect();
    assert_eq!(ids, vec![3, 7, 10, 11, created.id.get()]);
}
