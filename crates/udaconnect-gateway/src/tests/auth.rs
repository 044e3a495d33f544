//! Authentication and the access rules, route by route: the happy path and each refusal.

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::{Value, json};
use udaconnect_auth::{NewAccount, Role, SigningKey, Tokens};
use udaconnect_domain::PersonId;

use super::{Reply, TestApp, app, app_built, token_for};

/// Every protected route, with a request that an organiser may make.
const PROTECTED: &[(&str, &str)] = &[
    ("GET", "/api/persons"),
    ("POST", "/api/persons"),
    ("GET", "/api/persons/1"),
    ("POST", "/api/locations"),
    ("GET", "/api/locations/29"),
    (
        "GET",
        "/api/persons/1/connection?start_date=2020-01-01&end_date=2020-12-30",
    ),
    ("GET", "/api/v2/persons/1/contacts"),
    ("GET", "/api/v2/contacts/stream"),
    ("GET", "/api/v2/locations/stream"),
    ("GET", "/api/v2/activity"),
    ("GET", "/api/v2/auth/me"),
    ("DELETE", "/api/v2/persons/1"),
    ("POST", "/api/v2/auth/register"),
    ("GET", "/api/no-such-route"),
];

fn request(method: &str, uri: &str, auth: Option<&str>) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(uri);
    if let Some(a) = auth {
        b = b.header(header::AUTHORIZATION, a);
    }
    if method == "POST" {
        b = b.header(header::CONTENT_TYPE, "application/json");
        b.body(Body::from("{}")).unwrap()
    } else {
        b.body(Body::empty()).unwrap()
    }
}

fn anonymous(mut app: TestApp) -> TestApp {
    app.default_token = None;
    app
}

fn assert_401(r: &Reply, what: &str) {
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{what}: {}", r.text());
    assert_eq!(
        r.json(),
        json!({"error": {"code": "unauthorized", "message": "invalid credentials"}}),
        "{what}"
    );
    assert_eq!(r.header(header::WWW_AUTHENTICATE), Some("Bearer"), "{what}");
}

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
}

#[tokio::test]
async fn every_protected_route_refuses_missing_malformed_forged_and_expired_tokens() {
    let app = anonymous(app());
    let forged = token_for(&Tokens::new(&SigningKey::generate()), Role::Admin, None);
    let expired = {
        let t = app
            .tokens
            .clone()
            .with_access_ttl(std::time::Duration::ZERO);
        // Beyond the 5 s leeway.
        let token = token_for(&t, Role::Admin, None);
        tokio::time::sleep(std::time::Duration::from_secs(6)).await;
        token
    };
    for (method, uri) in PROTECTED {
        for auth in [
            None,
            Some("Bearer".to_owned()),
            Some("Bearer not-a-jwt".to_owned()),
            Some(format!("Bearer {forged}")),
            Some(format!("Bearer {expired}")),
            Some(basic("admin", "whatever")),
        ] {
            let r = app.send(request(method, uri, auth.as_deref())).await;
            assert_401(&r, &format!("{method} {uri} with {auth:?}"));
        }
    }
    // The token in the query string counts on the two feeds only.
    let admin = token_for(&app.tokens, Role::Admin, None);
    let r = app
        .send(request(
            "GET",
            &format!("/api/persons?access_token={admin}"),
            None,
        ))
        .await;
    assert_401(&r, "query token on a non-feed route");
    let r = app
        .send(request(
            "GET",
            &format!("/api/v2/activity?access_token={admin}"),
            None,
        ))
        .await;
    assert_401(&r, "query token on activity");
}

#[tokio::test]
async fn public_routes_need_no_token() {
    let app = anonymous(app());
    for uri in [
        "/health",
        "/health/live",
        "/metrics",
        "/api/openapi.json",
        "/docs/",
    ] {
        let r = app.send(request("GET", uri, None)).await;
        assert!(r.status.is_success(), "{uri}: {} {}", r.status, r.text());
    }
}

#[tokio::test]
async fn sign_in_refresh_rotation_reuse_and_sign_out() {
    let app = anonymous(app());
    app.accounts
        .create_admin("root", Some("s3cret-enough".into()))
        .await
        .unwrap();
    let login = app
        .send(request(
            "POST",
            "/api/v2/auth/login",
            Some(&basic("root", "s3cret-enough")),
        ))
        .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.text());
    let s = login.json();
    assert_eq!(s["token_type"], "Bearer");
    assert_eq!(s["expires_in"], 900);
    assert_eq!(s["role"], "admin");
    assert_eq!(s["username"], "root");
    assert_eq!(s["person_id"], Value::Null);
    let access = s["access_token"].as_str().unwrap();
    let me = app
        .send(request(
            "GET",
            "/api/v2/auth/me",
            Some(&format!("Bearer {access}")),
        ))
        .await;
    assert_eq!(
        me.json(),
        json!({"username": "root", "role": "admin", "person_id": null})
    );

    let refresh = |token: &str| {
        Request::post("/api/v2/auth/refresh")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"refresh_token": token}).to_string()))
            .unwrap()
    };
    let first = s["refresh_token"].as_str().unwrap().to_owned();
    let r = app.send(refresh(&first)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let second = r.json()["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    // Replaying the used token revokes the family: the current one dies with it.
    assert_401(&app.send(refresh(&first)).await, "reused refresh token");
    assert_401(
        &app.send(refresh(&second)).await,
        "family revoked after reuse",
    );

    let s = app
        .send(request(
            "POST",
            "/api/v2/auth/login",
            Some(&basic("root", "s3cret-enough")),
        ))
        .await
        .json();
    let token = s["refresh_token"].as_str().unwrap();
    let out = app
        .send(
            Request::post("/api/v2/auth/logout")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json!({"refresh_token": token}).to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_401(&app.send(refresh(token)).await, "after logout");
    app.send(refresh(""))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized", None);
}

#[tokio::test]
async fn failed_sign_ins_never_say_which_part_was_wrong_and_are_throttled() {
    let app = anonymous(app());
    app.accounts
        .create_admin("root", Some("s3cret-enough".into()))
        .await
        .unwrap();
    let wrong_password = app
        .send(request(
            "POST",
            "/api/v2/auth/login",
            Some(&basic("root", "nope-nope")),
        ))
        .await;
    let unknown_user = app
        .send(request(
            "POST",
            "/api/v2/auth/login",
            Some(&basic("nobody", "s3cret-enough")),
        ))
        .await;
    let no_header = app.send(request("POST", "/api/v2/auth/login", None)).await;
    let garbage = app
        .send(request("POST", "/api/v2/auth/login", Some("Basic %%%")))
        .await;
    for (r, what) in [
        (&wrong_password, "wrong password"),
        (&unknown_user, "unknown user"),
        (&no_header, "no header"),
        (&garbage, "garbage"),
    ] {
        assert_401(r, what);
        assert_eq!(r.body, wrong_password.body, "{what}: identical bodies");
    }
    // The test app allows 3 failures per username (one so far for root).
    for _ in 0..2 {
        app.send(request(
            "POST",
            "/api/v2/auth/login",
            Some(&basic("root", "nope-again")),
        ))
        .await;
    }
    let r = app
        .send(request(
            "POST",
            "/api/v2/auth/login",
            Some(&basic("root", "s3cret-enough")),
        ))
        .await;
    r.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", None);
    let retry: u64 = r.header(header::RETRY_AFTER).unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
}

#[tokio::test]
async fn registration_rules() {
    let app = app();
    let register = |token: Option<String>, body: Value| {
        let mut b =
            Request::post("/api/v2/auth/register").header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        b.body(Body::from(body.to_string())).unwrap()
    };
    let admin = token_for(&app.tokens, Role::Admin, None);
    let attendee = token_for(&app.tokens, Role::Attendee, Some(1));
    let device = token_for(&app.tokens, Role::Device, Some(1));
    let pam =
        json!({"username": "pam", "password": "s3cret-enough", "role": "attendee", "person_id": 1});
    let r = app.send(register(Some(admin.clone()), pam.clone())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(
        r.json(),
        json!({"username": "pam", "role": "attendee", "person_id": 1})
    );
    app.send(register(Some(admin.clone()), pam))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict", Some("username"));
    // The new account signs in and is an attendee of person 1.
    let s = app
        .send(request(
            "POST",
            "/api/v2/auth/login",
            Some(&basic("pam", "s3cret-enough")),
        ))
        .await
        .json();
    assert_eq!(
        (s["role"].clone(), s["person_id"].clone()),
        (json!("attendee"), json!(1))
    );
    // An attendee: another attendee account of their own person (201), nothing else (403).
    let r = app
        .send(register(
            Some(attendee.clone()),
            json!({"username": "pam2", "password": "s3cret-enough", "role": "attendee"}),
        ))
        .await;
    assert_eq!(r.json()["person_id"], 1, "{}", r.text());
    for body in [
        json!({"username": "x", "password": "s3cret-enough", "role": "device", "person_id": 1}),
        json!({"username": "x", "password": "s3cret-enough", "role": "admin"}),
        json!({"username": "x", "password": "s3cret-enough", "role": "attendee", "person_id": 5}),
    ] {
        app.send(register(Some(attendee.clone()), body))
            .await
            .assert_error(StatusCode::FORBIDDEN, "forbidden", None);
    }
    app.send(register(
        Some(device),
        json!({"username": "x", "password": "s3cret-enough", "role": "attendee", "person_id": 1}),
    ))
    .await
    .assert_error(StatusCode::FORBIDDEN, "forbidden", None);
    let anonymous = anonymous(app);
    let r = anonymous
        .send(register(
            None,
            json!({"username": "x", "password": "s3cret-enough", "role": "attendee", "person_id": 1}),
        ))
        .await;
    assert_401(&r, "anonymous registration");
    // Bad input names the field.
    let app = super::app();
    let admin = token_for(&app.tokens, Role::Admin, None);
    for (body, field) in [
        (
            json!({"username": "x y", "password": "s3cret-enough", "role": "admin"}),
            "username",
        ),
        (
            json!({"username": "x", "password": "short", "role": "admin"}),
            "password",
        ),
        (
            json!({"username": "x", "password": "s3cret-enough", "role": "boss"}),
            "role",
        ),
        (
            json!({"username": "x", "password": "s3cret-enough", "role": "attendee"}),
            "person_id",
        ),
        (
            json!({"username": "x", "password": "s3cret-enough", "role": "attendee", "person_id": 99}),
            "person_id",
        ),
        (
            json!({"username": "x", "password": "s3cret-enough", "role": "admin", "extra": 1}),
            "extra",
        ),
    ] {
        app.send(register(Some(admin.clone()), body))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "invalid_argument", Some(field));
    }
}

/// An attendee (person 1) sees only themself, their fixes and their contacts (names only).
#[tokio::test]
async fn attendees_see_only_their_own_person_fixes_and_contacts() {
    let mut app = app();
    app.default_token = Some(token_for(&app.tokens, Role::Attendee, Some(1)));
    let r = app.get("/api/persons").await;
    assert_eq!(r.status, StatusCode::OK);
    let ids: Vec<i64> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![1], "their own person only");
    assert_eq!(app.get("/api/persons/1").await.status, StatusCode::OK);
    let forbidden = |r: Reply| r.assert_error(StatusCode::FORBIDDEN, "forbidden", None);
    forbidden(app.get("/api/persons/5").await);
    forbidden(
        app.post_json(
            "/api/persons",
            json!({"first_name": "A", "last_name": "B", "company_name": "C"}).to_string(),
        )
        .await,
    );
    forbidden(app.get("/api/locations/29").await); // Taco's fix
    forbidden(
        app.get("/api/persons/5/connection?start_date=2020-01-01&end_date=2020-12-30")
            .await,
    );
    forbidden(app.get("/api/v2/persons/5/contacts").await);
    forbidden(app.get("/api/v2/activity").await);
    forbidden(app.get("/api/v2/contacts/stream?person_id=5").await);
    forbidden(app.get("/api/v2/locations/stream?person_id=5").await);
    forbidden(
        app.post_json(
            "/api/locations",
            json!({"person_id": 5, "latitude": 1, "longitude": 1}).to_string(),
        )
        .await,
    );
    // Their own: allowed; contacts name the other person and nothing else.
    let r = app
        .get("/api/persons/1/connection?start_date=2020-01-01&end_date=2020-12-30")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let c = &r.json()[0];
    assert_eq!(c["person"]["first_name"], "Taco");
    assert_eq!(c["person"]["company_name"], "", "{c}");
    let r = app.get("/api/v2/persons/1/contacts").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let c = &r.json()["contacts"][0]["person"];
    assert_eq!(
        c,
        &json!({"id": 5, "first_name": "Taco", "last_name": "Fargo", "company_name": ""})
    );
    let r = app
        .post_json(
            "/api/locations",
            json!({"person_id": 1, "latitude": 1, "longitude": 1}).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let own = r.header(header::LOCATION).unwrap().to_owned();
    assert_eq!(app.get(&own).await.status, StatusCode::OK, "their own fix");
    // Erasure: not of someone else.
    forbidden(
        app.send(
            Request::delete("/api/v2/persons/5")
                .body(Body::empty())
                .unwrap(),
        )
        .await,
    );
    // Feeds: their own person, also when not asked for.
    assert_eq!(
        app.get("/api/v2/locations/stream?person_id=1").await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v2/contacts/stream").await.status,
        StatusCode::OK
    );
}

/// The same rules with the admin's view for contrast: organisers see everything.
#[tokio::test]
async fn organisers_see_everyone_with_details() {
    let app = app();
    let r = app.get("/api/persons").await;
    assert_eq!(r.json().as_array().unwrap().len(), 2);
    let r = app.get("/api/v2/persons/1/contacts").await;
    assert_eq!(
        r.json()["contacts"][0]["person"]["company_name"],
        "Alpha Omega Upholstery"
    );
    assert_eq!(app.get("/api/locations/29").await.status, StatusCode::OK);
    assert_eq!(app.get("/api/v2/activity").await.status, StatusCode::OK);
}

/// A device (person 1) only submits fixes for its person.
#[tokio::test]
async fn devices_only_ingest_for_their_person() {
    let mut app = app();
    app.default_token = Some(token_for(&app.tokens, Role::Device, Some(1)));
    let r = app
        .post_json(
            "/api/locations",
            json!({"person_id": 1, "latitude": 1, "longitude": 1}).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let own = r.header(header::LOCATION).unwrap().to_owned();
    let forbidden = |r: Reply| r.assert_error(StatusCode::FORBIDDEN, "forbidden", None);
    forbidden(
        app.post_json(
            "/api/locations",
            json!({"person_id": 5, "latitude": 1, "longitude": 1}).to_string(),
        )
        .await,
    );
    forbidden(app.get(&own).await);
    forbidden(
        app.get("/api/persons/1/connection?start_date=2020-01-01&end_date=2020-12-30")
            .await,
    );
    forbidden(app.get("/api/v2/persons/1/contacts").await);
    forbidden(app.get("/api/v2/locations/stream").await);
    forbidden(app.get("/api/v2/activity").await);
    forbidden(app.get("/api/persons/5").await);
    forbidden(
        app.send(
            Request::delete("/api/v2/persons/1")
                .body(Body::empty())
                .unwrap(),
        )
        .await,
    );
}

#[tokio::test]
async fn attendees_may_erase_themselves() {
    let mut app = app();
    app.default_token = Some(token_for(&app.tokens, Role::Attendee, Some(1)));
    let r = app
        .send(
            Request::delete("/api/v2/persons/1")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
}

#[tokio::test]
async fn feeds_take_the_token_from_the_query_string() {
    let app = anonymous(app());
    let attendee = token_for(&app.tokens, Role::Attendee, Some(1));
    let r = app
        .send(request(
            "GET",
            &format!("/api/v2/locations/stream?access_token={attendee}"),
            None,
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app
        .send(request(
            "GET",
            &format!("/api/v2/contacts/stream?person_id=5&access_token={attendee}"),
            None,
        ))
        .await;
    r.assert_error(StatusCode::FORBIDDEN, "forbidden", None);
}

#[tokio::test]
async fn insecure_open_api_serves_without_tokens() {
    let app = anonymous(app_built(crate::router, false));
    assert_eq!(app.get("/api/persons").await.status, StatusCode::OK);
    assert_eq!(app.get("/api/v2/activity").await.status, StatusCode::OK);
}

#[tokio::test]
async fn accounts_created_by_the_service_sign_in_with_their_role() {
    let app = anonymous(app());
    app.accounts
        .create(NewAccount {
            username: "phone".into(),
            password: "s3cret-enough".into(),
            role: Role::Device,
            person_id: Some(PersonId::new(5).unwrap()),
        })
        .await
        .unwrap();
    let s = app
        .send(request(
            "POST",
            "/api/v2/auth/login",
            Some(&basic("phone", "s3cret-enough")),
        ))
        .await
        .json();
    assert_eq!(
        (s["role"].clone(), s["person_id"].clone()),
        (json!("device"), json!(5))
    );
}
