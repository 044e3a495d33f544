//! Tests of the whole router against in-memory fake services.

mod auth;
mod connections;
mod errors;
mod fakes;
mod http;
mod limits;
mod locations;
mod openapi_file;
mod ops;
mod persons;
mod props;
mod query_props;
mod v2;

use std::{
    sync::{Arc, OnceLock},
    time::Duration,
};

use axum::{
    Router,
    body::Body,
    http::{HeaderMap, Request, StatusCode, header},
};
use chrono::{TimeZone, Utc};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde_json::Value;
use tower::ServiceExt;
use udaconnect_domain::{Coordinates, Location, LocationId, PersonId};
use udaconnect_services::{ConnectionsClient, IngestClient, PersonsClient, Readiness};

use udaconnect_auth::{LoginThrottle, Principal, Role, SigningKey, ThrottlePolicy, Tokens};
use udaconnect_store::sqlite::SqliteStore;

use crate::GatewayState;
use fakes::{Fake, World};

/// The process-wide Prometheus recorder, installed once for all tests.
fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .install_recorder()
                .expect("install the test recorder")
        })
        .clone()
}

struct TestApp {
    router: Router,
    world: Arc<World>,
    readiness: Readiness,
    /// Signs the tests' tokens with the app's key.
    tokens: Tokens,
    /// The accounts (a SQLite store holding persons 1 and 5 for the links).
    accounts: udaconnect_auth::AuthService,
    /// Sent on requests that carry no `Authorization` header (an organiser's token).
    default_token: Option<String>,
    _dir: tempfile::TempDir,
}

/// Two persons (1 Pam, 5 Taco) and one fix of Taco's (id 29).
fn app() -> TestApp {
    app_with(crate::router)
}

/// An organiser's, an attendee's (person 1) or a device's (person 1) access token.
fn token_for(tokens: &Tokens, role: Role, person: Option<i64>) -> String {
    tokens
        .issue(&Principal {
            username: format!("test-{role}"),
            role,
            person_id: person.map(|p| PersonId::new(p).unwrap()),
        })
        .unwrap()
}

fn app_with(build: impl FnOnce(GatewayState) -> Router) -> TestApp {
    app_built(build, true)
}

fn app_built(build: impl FnOnce(GatewayState) -> Router, enforce: bool) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("accounts.sqlite")).expect("open store");
    let key = SigningKey::generate();
    let tokens = Tokens::new(&key);
    let accounts = udaconnect_auth::AuthService::new(
        Arc::new(store.clone()),
        tokens.clone(),
        LoginThrottle::new(ThrottlePolicy {
            per_username: 3,
            per_client: 50,
            window: Duration::from_secs(60),
        }),
    );
    let world = Arc::new(World::default());
    let pam = world.add_person(1, "Pam", "Trexler", "Hampton, Hampton and McQuill");
    let taco = world.add_person(5, "Taco", "Fargo", "Alpha Omega Upholstery");
    world.add_location(Location {
        id: LocationId::new(29).unwrap(),
        person_id: PersonId::new(5).unwrap(),
        coordinates: Coordinates::new(37.553441, -122.290524).unwrap(),
        creation_time: Utc.with_ymd_and_hms(2020, 8, 18, 10, 37, 6).unwrap(),
    });
    // A runtime of its own: app() is called inside and outside tokio tests.
    let importing = store.clone();
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(udaconnect_store::PersonStore::import_persons(
                &importing,
                &[pam, taco],
            ))
    })
    .join()
    .expect("import thread")
    .expect("import persons");
    let readiness = Readiness::new();
    readiness.set("store", true);
    let state = GatewayState {
        auth: crate::ApiAuth {
            service: accounts.clone(),
            enforce,
        },
        persons: PersonsClient::new(Fake(world.clone())),
        ingest: IngestClient::new(Fake(world.clone())),
        connections: ConnectionsClient::new(Fake(world.clone())),
        readiness: readiness.clone(),
        metrics: Some(metrics_handle()),
        web: Default::default(),
    };
    TestApp {
        router: build(state),
        world,
        readiness,
        default_token: Some(token_for(&tokens, Role::Admin, None)),
        tokens,
        accounts,
        _dir: dir,
    }
}

fn short_timeout_app() -> TestApp {
    app_with(|state| crate::build(state, Duration::from_millis(50)))
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.text()))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a JSON error with this status, code and field.
    fn assert_error(&self, status: StatusCode, code: &str, field: Option<&str>) {
        assert_eq!(self.status, status, "{}", self.text());
        let body = self.json();
        assert_eq!(body["error"]["code"], code, "{body}");
        assert!(body["error"]["message"].is_string(), "{body}");
        assert_eq!(body["error"]["field"].as_str(), field, "{body}");
    }
}

impl TestApp {
    async fn send(&self, mut req: Request<Body>) -> Reply {
        if let (Some(token), false) = (
            &self.default_token,
            req.headers().contains_key(header::AUTHORIZATION),
        ) {
            let value = format!("Bearer {token}").parse().expect("header value");
            req.headers_mut().insert(header::AUTHORIZATION, value);
        }
        let res = self.router.clone().oneshot(req).await.expect("infallible");
        let (parts, body) = res.into_parts();
        let body = axum::body::to_bytes(body, usize::MAX).await.expect("body");
        Reply {
            status: parts.status,
            headers: parts.headers,
            body: body.to_vec(),
        }
    }

    async fn get(&self, uri: &str) -> Reply {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    async fn post_json(&self, uri: &str, body: impl Into<Body>) -> Reply {
        let req = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.into())
            .unwrap();
        self.send(req).await
    }
}
