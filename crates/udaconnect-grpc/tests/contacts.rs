//! `udaconnect.v1.Connections` contacts, live feeds and activity through the gRPC client
//! (`app.connections` is a `ConnectionsClient` over gRPC) against the local services, with
//! the writer, the proximity read model and the contact detector running.

mod common;

use std::time::Duration;

use futures::StreamExt;
use tonic::Code;
use udaconnect_domain::{
    Activity, Contact, ContactCursor, ContactEpisode, ContactQuery, Coordinates, EpisodeKind,
    FeedItem, Location, NewLocation, Person, PersonId, Timestamp,
};
use udaconnect_proto::v1::{self, connections_client::ConnectionsClient as Stub};
use udaconnect_services::{ServiceError, feeds::Feed};

/// Longest wait for something asynchronous (the read model, the detector, a feed).
const WAIT: Duration = Duration::from_secs(10);

/// Pam's place in the demo data, and one about 1.1 m north of it.
const HERE: (f64, f64) = (37.553441, -122.290524);
const NEAR: (f64, f64) = (37.553451, -122.290524);

fn at(t: &str) -> Timestamp {
    format!("2020-08-18T{t}Z").parse().expect("timestamp")
}

fn fix(person: &Person, (lat, lon): (f64, f64), t: &str) -> NewLocation {
    NewLocation {
        person_id: person.id,
        coordinates: Coordinates::new(lat, lon).expect("coordinates"),
        creation_time: at(t),
    }
}

fn query(person: PersonId) -> ContactQuery {
    ContactQuery::new(person, None, None, None, None, None, None).expect("query")
}

/// Records `fixes` through ingest (gRPC) and waits until the read model holds them all:
/// `expected` fixes in the last day of fix time.
async fn record(app: &common::TestApp, fixes: Vec<NewLocation>, expected: u64) -> Vec<Location> {
    let mut recorded = Vec::new();
    for f in fixes {
        recorded.push(app.ingest.record(f).await.expect("record"));
    }
    let activity = wait_for("the read model to hold the fixes", || async {
        let a = app.connections.activity(86_400).await.expect("activity");
        (a.fixes == expected).then_some(a)
    })
    .await;
    assert_eq!(activity.fixes, expected);
    recorded
}

/// Polls `probe` every 20 ms until it answers, for at most [`WAIT`].
async fn wait_for<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(t) = probe().await {
            return t;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The next item of `feed`, failing the test after [`WAIT`] instead of hanging.
async fn next<T>(feed: &mut Feed<T>) -> FeedItem<T> {
    tokio::time::timeout(WAIT, feed.next())
        .await
        .expect("the feed delivered nothing in time")
        .expect("the feed ended")
        .expect("a feed item")
}

fn persons(contacts: &[Contact]) -> Vec<PersonId> {
    contacts.iter().map(|c| c.person.id).collect()
}

#[tokio::test]
async fn contacts_are_near_in_space_and_time() {
    let app = common::spawn_app().await;
    let pam = app.person("Pam").await;
    let taco = app.person("Taco").await;
    let far = app.person("Far").await;
    let late = app.person("Late").await;
    record(
        &app,
        vec![
            fix(&pam, HERE, "10:00:00"),
            // 1.1 m and 4 s from Pam's fix: a meeting.
            fix(&taco, NEAR, "10:00:04"),
            // Same time, 100 km away.
            fix(&far, (38.5, HERE.1), "10:00:02"),
            // Pam's place, 10 minutes later: outside the default window of 300 s.
            fix(&late, HERE, "10:10:00"),
        ],
        4,
    )
    .await;

    let page = app.connections.find_contacts(query(pam.id)).await.unwrap();
    assert_eq!(persons(&page.contacts), [taco.id], "{page:?}");
    assert_eq!(page.next_cursor, None);
    let c = &page.contacts[0];
    assert_eq!(c.person, taco);
    assert_eq!((c.meetings, c.own_fixes), (1, 1));
    // Times and place are Pam's own fix.
    assert_eq!(
        (c.first_met, c.last_met, c.closest_at),
        (at("10:00:00"), at("10:00:00"), at("10:00:00"))
    );
    assert_eq!((c.place.lat(), c.place.lon()), HERE);
    assert!((1.0..1.2).contains(&c.closest_m), "{}", c.closest_m);

    // The relation is symmetric; Taco's own fix is the one reported.
    let page = app.connections.find_contacts(query(taco.id)).await.unwrap();
    assert_eq!(persons(&page.contacts), [pam.id], "{page:?}");
    let c = &page.contacts[0];
    assert_eq!((c.first_met, c.meetings), (at("10:00:04"), 1));
    assert_eq!((c.place.lat(), c.place.lon()), NEAR);
    assert!((1.0..1.2).contains(&c.closest_m), "{}", c.closest_m);

    for lonely in [&far, &late] {
        let page = app
            .connections
            .find_contacts(query(lonely.id))
            .await
            .unwrap();
        assert!(
            page.contacts.is_empty(),
            "{} met {page:?}",
            lonely.first_name
        );
    }
    // A 10-minute window reaches Late; no distance up to the maximum reaches Far.
    let wide_window = ContactQuery {
        window_s: 600,
        ..query(pam.id)
    };
    let page = app.connections.find_contacts(wide_window).await.unwrap();
    assert_eq!(persons(&page.contacts), [taco.id, late.id], "{page:?}");
    let wide_distance = ContactQuery {
        distance_m: ContactQuery::MAX_DISTANCE_M,
        ..query(far.id)
    };
    let page = app.connections.find_contacts(wide_distance).await.unwrap();
    assert!(page.contacts.is_empty(), "{page:?}");
    // `from`/`to` bound Pam's own fixes: none in [10:00:01, 11:00:00).
    let later = ContactQuery::new(
        pam.id,
        Some(at("10:00:01")),
        Some(at("11:00:00")),
        None,
        None,
        None,
        None,
    )
    .unwrap();
    let page = app.connections.find_contacts(later).await.unwrap();
    assert!(page.contacts.is_empty(), "{page:?}");
    app.stop().await;
}

#[tokio::test]
async fn pages_follow_the_cursor_without_overlap() {
    let app = common::spawn_app().await;
    let pam = app.person("Pam").await;
    let mut others = Vec::new();
    for name in ["Ada", "Bob", "Cy"] {
        others.push(app.person(name).await);
    }
    // Bob and Cy meet Pam at 10:00 (ties go by id), Ada only at 10:30, 1 km away.
    let away = (HERE.0, HERE.1 + 0.0113);
    let (ada, bob, cy) = (&others[0], &others[1], &others[2]);
    record(
        &app,
        vec![
            fix(&pam, HERE, "10:00:00"),
            fix(&pam, away, "10:30:00"),
            fix(ada, away, "10:30:02"),
            fix(cy, HERE, "10:00:03"),
            fix(bob, NEAR, "09:59:58"),
        ],
        5,
    )
    .await;
    let all = app.connections.find_contacts(query(pam.id)).await.unwrap();
    let ids = [bob.id, cy.id, ada.id];
    assert_eq!(persons(&all.contacts), ids, "{all:?}");
    assert_eq!(all.next_cursor, None);

    let mut pages = Vec::new();
    let mut cursor: Option<ContactCursor> = None;
    loop {
        let q = ContactQuery::new(pam.id, None, None, None, None, Some(1), cursor).unwrap();
        let page = app.connections.find_contacts(q).await.unwrap();
        assert_eq!(page.contacts.len(), 1, "{page:?}");
        pages.extend(page.contacts);
        match page.next_cursor {
            Some(next) => {
                assert!(pages.len() < 3, "a cursor after the last page");
                cursor = Some(next);
            }
            None => break,
        }
    }
    assert_eq!(pages, all.contacts);

    // limit 2: the second page holds exactly what the first left out.
    let q = ContactQuery::new(pam.id, None, None, None, None, Some(2), None).unwrap();
    let first = app.connections.find_contacts(q.clone()).await.unwrap();
    let second = ContactQuery {
        cursor: first.next_cursor,
        ..q
    };
    let second = app.connections.find_contacts(second).await.unwrap();
    assert_eq!(persons(&first.contacts), ids[..2]);
    assert_eq!(persons(&second.contacts), ids[2..]);
    assert_eq!(second.next_cursor, None);
    app.stop().await;
}

#[tokio::test]
async fn bad_input_is_invalid_argument_naming_the_field() {
    let app = common::spawn_app().await;
    let pam = app.person("Pam").await.id;
    let ok = query(pam);
    // The client sends what it is given; the server validates.
    let cases = [
        (
            ContactQuery {
                distance_m: 0.0,
                ..ok.clone()
            },
            "distance_m",
        ),
        (
            ContactQuery {
                distance_m: 1_000.5,
                ..ok.clone()
            },
            "distance_m",
        ),
        (
            ContactQuery {
                window_s: 86_401,
                ..ok.clone()
            },
            "window_s",
        ),
        (
            ContactQuery {
                limit: 0,
                ..ok.clone()
            },
            "limit",
        ),
        (
            ContactQuery {
                limit: 1_001,
                ..ok.clone()
            },
            "limit",
        ),
        (
            ContactQuery {
                from: Some(at("11:00:00")),
                to: Some(at("10:00:00")),
                ..ok.clone()
            },
            "to",
        ),
    ];
    for (q, field) in cases {
        match app.connections.find_contacts(q.clone()).await {
            Err(ServiceError::Invalid(e)) => assert_eq!(e.field, field, "{q:?}: {e:?}"),
            other => panic!("{q:?}: expected an invalid {field}, got {other:?}"),
        }
    }
    match app.connections.activity(0).await {
        Err(ServiceError::Invalid(e)) => assert_eq!(e.field, "window_s"),
        other => panic!("expected an invalid window_s, got {other:?}"),
    }
    for result in [
        app.connections
            .watch_contacts(None, Some("bogus".into()))
            .await
            .map(drop),
        app.connections
            .watch_locations(Some(pam), Some("p1.x".into()))
            .await
            .map(drop),
    ] {
        match result {
            Err(ServiceError::Invalid(e)) => assert_eq!(e.field, "cursor"),
            other => panic!("expected an invalid cursor, got {other:?}"),
        }
    }

    // What the client cannot express, sent with the generated stub.
    let mut stub = Stub::new(app.channel());
    let request = v1::FindContactsRequest {
        person_id: pam.get(),
        ..Default::default()
    };
    assert!(stub.find_contacts(request.clone()).await.is_ok());
    let wire_cases = [
        (
            v1::FindContactsRequest {
                cursor: "c1.yesterday.5".into(),
                ..request.clone()
            },
            "cursor",
        ),
        (
            v1::FindContactsRequest {
                person_id: 0,
                ..request.clone()
            },
            "person_id",
        ),
        (
            v1::FindContactsRequest {
                distance_m: Some(f64::NAN),
                ..request.clone()
            },
            "distance_m",
        ),
    ];
    for (r, field) in wire_cases {
        let status = stub.find_contacts(r).await.unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
        assert!(
            status.message().starts_with(&format!("{field}: ")),
            "{status:?}"
        );
    }
    let status = stub
        .watch_locations(v1::WatchLocationsRequest {
            person_id: -3,
            cursor: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    assert!(status.message().starts_with("person_id: "), "{status:?}");
    app.stop().await;
}

#[tokio::test]
async fn unknown_persons_are_not_found() {
    let app = common::spawn_app().await;
    let ghost = PersonId::new(4242).unwrap();
    let not_found = |r: Result<(), ServiceError>| {
        assert!(
            matches!(
                r,
                Err(ServiceError::NotFound {
                    entity: "person",
                    id: 4242
                })
            ),
            "{r:?}"
        );
    };
    not_found(app.connections.find_contacts(query(ghost)).await.map(drop));
    not_found(
        app.connections
            .watch_contacts(Some(ghost), None)
            .await
            .map(drop),
    );
    not_found(
        app.connections
            .watch_locations(Some(ghost), None)
            .await
            .map(drop),
    );
    app.stop().await;
}

/// The episode `feed` delivers next, after skipping none.
async fn started(feed: &mut Feed<ContactEpisode>) -> FeedItem<ContactEpisode> {
    let item = next(feed).await;
    assert_eq!(item.item.kind, EpisodeKind::Started, "{item:?}");
    item
}

#[tokio::test]
async fn watch_contacts_sees_episodes_start_and_resumes_after_a_cursor() {
    let app = common::spawn_app().await;
    let pam = app.person("Pam").await;
    let taco = app.person("Taco").await;
    let ada = app.person("Ada").await;
    let bob = app.person("Bob").await;
    // From now: nothing recorded before this returns is delivered.
    let mut feed = app.connections.watch_contacts(None, None).await.unwrap();
    let mut pams = app
        .connections
        .watch_contacts(Some(pam.id), None)
        .await
        .unwrap();

    app.ingest
        .record(fix(&pam, HERE, "10:00:00"))
        .await
        .unwrap();
    let trigger = app
        .ingest
        .record(fix(&taco, NEAR, "10:00:04"))
        .await
        .unwrap();
    let first = started(&mut feed).await;
    let e = &first.item;
    assert_eq!(e.persons, (pam.id, taco.id));
    assert_eq!(e.trigger, trigger.id);
    assert_eq!(e.meetings, 1);
    assert_eq!(
        (e.first_seen, e.last_seen),
        (at("10:00:04"), at("10:00:04"))
    );
    assert!((1.0..1.2).contains(&e.closest_m), "{}", e.closest_m);
    assert!(e.trigger_received_at <= e.detected_at, "{e:?}");
    assert_eq!(started(&mut pams).await.item, first.item);

    // A second pair, 10 km away.
    let there = (HERE.0 + 0.09, HERE.1);
    app.ingest
        .record(fix(&ada, there, "10:00:10"))
        .await
        .unwrap();
    app.ingest
        .record(fix(&bob, there, "10:00:12"))
        .await
        .unwrap();
    let second = started(&mut feed).await;
    assert_eq!(second.item.persons, (ada.id, bob.id));

    // Resuming after the first episode delivers the second next, not the first again.
    let mut resumed = app
        .connections
        .watch_contacts(None, Some(first.cursor.clone()))
        .await
        .unwrap();
    assert_eq!(next(&mut resumed).await, second);
    // Resuming after the second waits for what comes next: nothing yet.
    let mut after = app
        .connections
        .watch_contacts(None, Some(second.cursor.clone()))
        .await
        .unwrap();
    let quiet = tokio::time::timeout(Duration::from_millis(300), after.next()).await;
    assert!(quiet.is_err(), "{quiet:?}");
    // Pam's feed skips the episode of Ada and Bob.
    let none = tokio::time::timeout(Duration::from_millis(300), pams.next()).await;
    assert!(none.is_err(), "{none:?}");
    // Open streams would hold up the server's graceful shutdown.
    drop((feed, pams, resumed, after));
    app.stop().await;
}

#[tokio::test]
async fn watch_locations_delivers_recorded_fixes() {
    let app = common::spawn_app().await;
    let pam = app.person("Pam").await;
    let taco = app.person("Taco").await;
    let mut all = app.connections.watch_locations(None, None).await.unwrap();
    let mut pams = app
        .connections
        .watch_locations(Some(pam.id), None)
        .await
        .unwrap();
    let tacos_fix = app
        .ingest
        .record(fix(&taco, NEAR, "10:00:04"))
        .await
        .unwrap();
    let pams_fix = app
        .ingest
        .record(fix(&pam, HERE, "10:00:00"))
        .await
        .unwrap();

    // Pam's feed skips Taco's fix, recorded first.
    let mine = next(&mut pams).await;
    assert_eq!(mine.item, pams_fix);
    let mut seen = [next(&mut all).await, next(&mut all).await];
    seen.sort_by_key(|i| i.item.id);
    let fixes: Vec<&Location> = seen.iter().map(|i| &i.item).collect();
    assert_eq!(fixes, [&tacos_fix, &pams_fix]);

    // From Pam's cursor nothing of hers is left; a new fix of hers comes next.
    let mut resumed = app
        .connections
        .watch_locations(Some(pam.id), Some(mine.cursor))
        .await
        .unwrap();
    let again = app
        .ingest
        .record(fix(&pam, HERE, "10:05:00"))
        .await
        .unwrap();
    assert_eq!(next(&mut resumed).await.item, again);
    drop((all, pams, resumed));
    app.stop().await;
}

#[tokio::test]
async fn activity_counts_recorded_fixes() {
    let app = common::spawn_app().await;
    let empty = app.connections.activity(300).await.unwrap();
    assert_eq!(
        empty,
        Activity {
            at: None,
            window_s: 300,
            fixes: 0,
            persons_present: 0,
            hotspots: Vec::new(),
        }
    );
    let pam = app.person("Pam").await;
    let taco = app.person("Taco").await;
    // 1 km east: another cell.
    let away = (HERE.0, HERE.1 + 0.0113);
    record(
        &app,
        vec![
            fix(&pam, HERE, "10:00:00"),
            fix(&taco, HERE, "10:00:30"),
            fix(&pam, away, "10:01:00"),
        ],
        3,
    )
    .await;
    let a = app.connections.activity(300).await.unwrap();
    assert_eq!(
        (a.at, a.window_s, a.fixes, a.persons_present),
        (Some(at("10:01:00")), 300, 3, 2),
        "{a:?}"
    );
    let busiest: Vec<(u64, u64)> = a.hotspots.iter().map(|h| (h.persons, h.fixes)).collect();
    assert_eq!(busiest, [(2, 2), (1, 1)], "{a:?}");
    let near = |(lat, lon): (f64, f64), c: &Coordinates| {
        (c.lat() - lat).abs() < 1e-4 && (c.lon() - lon).abs() < 1e-4
    };
    assert!(near(HERE, &a.hotspots[0].place), "{a:?}");
    assert!(near(away, &a.hotspots[1].place), "{a:?}");

    // The last 20 s of fix time hold Pam's last fix only.
    let recent = app.connections.activity(20).await.unwrap();
    assert_eq!((recent.fixes, recent.persons_present), (1, 1), "{recent:?}");
    app.stop().await;
}
