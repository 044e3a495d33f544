//! `spawn_app`: a real tonic server on 127.0.0.1:0 running the LOCAL services over a
//! SQLite store and an embedded log in a temp dir (plus the writer, so recorded fixes
//! become readable, the proximity read model and the contact detector), and gRPC clients
//! of it.
#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use tokio::{net::TcpListener, task::JoinHandle};
use tokio_util::sync::CancellationToken;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use udaconnect_auth::{Principal, Role, SigningKey, Tokens};
use udaconnect_bus::{EventLog, embedded::EmbeddedLog};
use udaconnect_domain::{Coordinates, NewLocation, NewPerson, Person, PersonId};
use udaconnect_grpc::{CallerToken, GrpcAuth, GrpcLimits, GrpcServices};
use udaconnect_proto::v1::{self, location_ingest_client::LocationIngestClient};
use udaconnect_services::{
    ConnectionsClient, DetectorWorker, IdAllocator, IngestClient, LocalConnections, LocalIngest,
    LocalPersons, LocationWriter, PersonsClient, ReadModel, Readiness, WriterOptions, events,
};
use udaconnect_store::{DynStore, sqlite::SqliteStore};

pub struct TestApp {
    pub url: String,
    /// Signs tokens with the server's key.
    pub tokens: Tokens,
    /// An organiser's token; the clients below call with it.
    pub admin_token: String,
    /// gRPC clients of the server (what a remote gateway would hold).
    pub persons: PersonsClient,
    pub ingest: IngestClient,
    pub connections: ConnectionsClient,
    pub log: Arc<dyn EventLog>,
    pub store: DynStore,
    cancel: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(GrpcLimits::default()).await
}

pub async fn spawn_app_with(limits: GrpcLimits) -> TestApp {
    spawn(limits, false, 2).await
}

/// Partitions of the locations topic that `udaconnect serve` creates (its `--partitions`
/// default): feed cursors have one offset per partition.
pub const SERVE_PARTITIONS: u32 = 4;

/// [`spawn_app`] set up as a fresh `udaconnect serve`: a store holding the POC's demo data
/// (loaded before the read model starts) and [`SERVE_PARTITIONS`] locations partitions.
pub async fn spawn_app_with_demo_data() -> TestApp {
    spawn(GrpcLimits::default(), true, SERVE_PARTITIONS).await
}

async fn spawn(limits: GrpcLimits, demo: bool, partitions: u32) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let store: DynStore =
        Arc::new(SqliteStore::open(&dir.path().join("udaconnect.db")).expect("open store"));
    if demo {
        udaconnect_import::import_demo_data(&store)
            .await
            .expect("demo data");
    }
    let log: Arc<dyn EventLog> =
        EmbeddedLog::open(&dir.path().join("log"), Default::default()).expect("open log");
    log.ensure_topic(events::LOCATIONS_TOPIC, partitions)
        .await
        .expect("topic");
    log.ensure_topic(events::LOCATIONS_DLQ_TOPIC, 1)
        .await
        .expect("dlq");

    let persons = PersonsClient::new(LocalPersons::new(
        store.clone(),
        log.clone(),
        &events::Topics::default(),
    ));
    let ids = IdAllocator::new(store.clone(), IdAllocator::DEFAULT_BLOCK);
    let ingest = IngestClient::new(LocalIngest::new(persons.clone(), log.clone(), ids));
    let model = Arc::new(ReadModel::new());
    let connections = ConnectionsClient::new(LocalConnections::new(
        store.clone(),
        model.clone(),
        log.clone(),
        events::Topics::default(),
    ));
    let tokens = Tokens::new(&SigningKey::generate());
    let admin_token = token(&tokens, Role::Admin, None);
    let routes = GrpcServices::new()
        .auth(GrpcAuth::Enforce(Box::new(tokens.clone())))
        .persons(persons)
        .ingest(ingest)
        .connections(connections)
        .limits(limits)
        .build()
        .await
        .expect("grpc routes");

    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let cancel = CancellationToken::new();
    let shutdown = cancel.clone().cancelled_owned();
    let server = tokio::spawn(async move {
        udaconnect_grpc::serve(listener, routes.routes, shutdown)
            .await
            .expect("grpc server");
    });
    let writer = LocationWriter::new(
        log.clone(),
        store.clone(),
        WriterOptions::default(),
        Readiness::new(),
    );
    let writer_cancel = cancel.clone();
    let writer = tokio::spawn(async move {
        writer.run(writer_cancel).await.expect("writer");
    });
    let (sync_log, sync_store, sync_cancel) = (log.clone(), store.clone(), cancel.clone());
    let syncing = model.clone();
    let sync = tokio::spawn(async move {
        syncing
            .sync(sync_log, sync_store, events::Topics::default(), sync_cancel)
            .await
            .expect("read model");
    });
    let detector = DetectorWorker::new(
        log.clone(),
        events::Topics::default(),
        Default::default(),
        Readiness::new(),
    );
    let detector_cancel = cancel.clone();
    let detector = tokio::spawn(async move {
        detector.run(detector_cancel).await.expect("detector");
    });
    model.wait_ready().await;
    TestApp {
        persons: udaconnect_grpc::persons_client_with_token(&url, Some(admin_token.clone()))
            .expect("persons client"),
        ingest: udaconnect_grpc::ingest_client_with_token(&url, Some(admin_token.clone()))
            .expect("ingest client"),
        connections: udaconnect_services::ConnectionsClient::new(
            udaconnect_grpc::GrpcConnections::with_token(
                udaconnect_grpc::channel(&url).expect("channel"),
                Some(admin_token.clone()),
            ),
        ),
        tokens,
        admin_token,
        url,
        log,
        store,
        cancel,
        tasks: vec![server, writer, sync, detector],
        _dir: dir,
    }
}

/// A token for `role` (linked to `person`), signed with `tokens`' key.
pub fn token(tokens: &Tokens, role: Role, person: Option<PersonId>) -> String {
    tokens
        .issue(&Principal {
            username: format!("test-{role}"),
            role,
            person_id: person,
        })
        .expect("token")
}

/// A channel whose calls carry `token` (for the generated stubs).
pub fn authed(url: &str, token: Option<String>) -> InterceptedService<Channel, CallerToken> {
    InterceptedService::new(
        udaconnect_grpc::channel(url).expect("channel"),
        CallerToken::new(token),
    )
}

impl TestApp {
    /// A channel carrying the organiser's token (for the generated stubs).
    pub fn channel(&self) -> InterceptedService<Channel, CallerToken> {
        authed(&self.url, Some(self.admin_token.clone()))
    }

    /// Registers a person through gRPC.
    pub async fn person(&self, first: &str) -> Person {
        let new = NewPerson::new(first, "Tester", "Acme").expect("valid person");
        self.persons.create(new).await.expect("create person")
    }

    /// Stops the server and the writer, and waits for them.
    pub async fn stop(self) {
        self.cancel.cancel();
        for task in self.tasks {
            task.await.expect("task");
        }
    }
}

/// A valid fix of `person` at `(lat, lon)` on 2020-08-18 at `hour`:00 UTC.
pub fn fix(person: PersonId, lat: f64, lon: f64, hour: u32) -> NewLocation {
    NewLocation {
        person_id: person,
        coordinates: Coordinates::new(lat, lon).expect("valid coordinates"),
        creation_time: Utc
            .with_ymd_and_hms(2020, 8, 18, hour, 0, 0)
            .single()
            .expect("valid time"),
    }
}

/// A raw request for a fix, bypassing domain validation (as a foreign client may send it).
pub fn raw_fix(person_id: i64, latitude: f64, longitude: f64) -> v1::RecordLocationRequest {
    v1::RecordLocationRequest {
        person_id,
        latitude,
        longitude,
        creation_time: Some(udaconnect_proto::timestamp_to_proto(
            &fix(PersonId::new(1).expect("id"), 0.0, 0.0, 10).creation_time,
        )),
    }
}

/// The generated ingest stub (with the organiser's token), to send what the domain types
/// cannot express.
pub async fn raw_ingest(
    app: &TestApp,
) -> LocationIngestClient<InterceptedService<Channel, CallerToken>> {
    LocationIngestClient::new(app.channel())
}
