//! Tests of the whole router against in-memory fake services.

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
}

/// Two persons (1 Pam, 5 Taco) and one fix of Taco's (id 29).
fn app() -> TestApp {
    app_with(crate::router)
}

fn app_with(build: impl FnOnce(GatewayState) -> Router) -> TestApp {
    let world = Arc::new(World::default());
    world.add_person(1, "Pam", "Trexler", "Hampton, Hampton and McQuill");
    world.add_person(5, "Taco", "Fargo", "Alpha Omega Upholstery");
    world.add_location(Location {
        id: LocationId::new(29).unwrap(),
        person_id: PersonId::new(5).unwrap(),
        coordinates: Coordinates::new(37.553441, -122.290524).unwrap(),
        creation_time: Utc.with_ymd_and_hms(2020, 8, 18, 10, 37, 6).unwrap(),
    });
    let readiness = Readiness::new();
    readiness.set("store", true);
    let state = GatewayState {
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
    async fn send(&self, req: Request<Body>) -> Reply {
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
