use std::{net::SocketAddr, path::Path, time::Duration};

use anyhow::{Context, bail};
use tokio::{net::TcpListener, task::JoinHandle};
use tokio_util::sync::CancellationToken;
use udaconnect_config::{ServeArgs, Target, Targets};
use udaconnect_gateway::{AdminState, GatewayState};
use udaconnect_services::{
    DetectorWorker, LocationWriter, ReadModel, Readiness, RetentionWorker, WriterOptions, events,
};
use udaconnect_store::DynStore;

use crate::{
    infra::{self, Bus},
    wiring,
};

/// Marks a data directory that has been initialised (demo data loaded or declined).
const INITIALISED_MARKER: &str = ".initialised";

/// A built UdaConnect process: adapters open, services wired, listeners bound.
pub struct App {
    http: TcpListener,
    http_addr: SocketAddr,
    router: axum::Router,
    grpc: Option<(TcpListener, udaconnect_grpc::GrpcRoutes)>,
    grpc_addr: Option<SocketAddr>,
    bus: Option<Bus>,
    writer: Option<LocationWriter>,
    /// The read model and what feeds it.
    read_model: Option<(std::sync::Arc<ReadModel>, DynStore, events::Topics)>,
    detector: Option<DetectorWorker>,
    retention: Option<RetentionWorker>,
    readiness: Readiness,
    /// Periodic probes of PostgreSQL and Kafka feeding readiness.
    probes: crate::probes::Probes,
    shutdown_timeout: Duration,
    targets: Targets,
    summary: String,
    /// The generated password of the first admin, shown once in the banner.
    first_admin_password: Option<String>,
    insecure_open_api: bool,
}

impl App {
    /// Opens the adapters the targets need and wires the targets of `args` into this process.
    pub async fn build(args: &ServeArgs) -> anyhow::Result<App> {
        let targets = Targets::new(&args.target);
        wiring::refuse_unbuilt(&targets)?;
        let metrics = udaconnect_telemetry::init_metrics()?;
        udaconnect_services::describe_metrics();
        std::fs::create_dir_all(&args.data_dir)
            .with_context(|| format!("creating data directory {}", args.data_dir.display()))?;

        let store = match wiring::needs_store(&targets) {
            true => Some(infra::open_store(&args.store, &args.data_dir).await?),
            false => None,
        };
        let bus = match wiring::needs_bus(&targets) {
            true => Some(open_bus(args).await?),
            false => None,
        };
        if let (Some(store), true) = (&store, targets.is_all()) {
            initialise_data_dir(&args.data_dir, store, !args.no_demo_data).await?;
        }

        // Authentication: a key wherever tokens are issued or checked (REST, gRPC).
        let embedded = crate::auth::is_embedded(args, &targets);
        let insecure = args.auth.insecure_open_api;
        let checks_tokens = targets.runs(Target::Gateway) || wiring::serves_grpc(&targets);
        let key = match checks_tokens {
            true => Some(crate::auth::signing_key(
                &args.auth,
                &args.data_dir,
                embedded,
            )?),
            false => None,
        };
        if insecure {
            tracing::warn!(
                "--insecure-open-api: EVERY REST AND gRPC CALL IS SERVED WITHOUT A TOKEN, AS AN \
                 ORGANISER; anyone who can reach this process reads everyone's movements"
            );
        }
        let auth_service = match (&store, &key) {
            (Some(store), Some(key)) => Some(crate::auth::service(store.clone(), key)),
            _ => None,
        };
        let mut first_admin_password = None;
        if let (Some(service), true) = (&auth_service, embedded) {
            first_admin_password = service
                .ensure_first_admin()
                .await
                .context("creating the first admin account")?;
        }

        let readiness = Readiness::new();
        if store.is_some() {
            readiness.set("store", true);
        }
        let clients = wiring::clients(args, &targets, store.as_ref(), bus.as_ref())?;
        let writer = match (targets.runs(Target::Writer), &bus, &store) {
            (true, Some(bus), Some(store)) => {
                readiness.set("writer", false);
                Some(LocationWriter::new(
                    bus.log(),
                    store.clone(),
                    WriterOptions {
                        batch_size: args.writer_batch as usize,
                        max_in_flight: args.writer_in_flight as usize,
                        ..WriterOptions::for_topics(events::Topics::with_prefix(&args.topic_prefix))
                    },
                    readiness.clone(),
                ))
            }
            _ => None,
        };
        let topics = events::Topics::with_prefix(&args.topic_prefix);
        let read_model = match (&clients.read_model, &store) {
            (Some(model), Some(store)) => {
                readiness.set("read_model", false);
                Some((model.clone(), store.clone(), topics.clone()))
            }
            _ => None,
        };
        let detector = match (targets.runs(Target::Detector), &bus) {
            (true, Some(bus)) => Some(
                DetectorWorker::new(
                    bus.log(),
                    topics.clone(),
                    udaconnect_proximity::detect::DetectorConfig {
                        distance_m: args.detector_distance_m,
                        window_s: args.detector_window_s,
                        gap_s: args.detector_gap_s,
                        lateness_s: args.detector_lateness_s,
                    },
                    readiness.clone(),
                )
                .with_retention(args.retention.get()),
            ),
            _ => None,
        };
        let retention = args.retention.get().and_then(|keep| {
            let worker = RetentionWorker {
                keep,
                interval: args.retention_interval,
                store: store.clone().filter(|_| targets.runs(Target::Writer)),
                model: clients.read_model.clone(),
            };
            (worker.store.is_some() || worker.model.is_some()).then_some(worker)
        });
        let admin = AdminState {
            readiness: readiness.clone(),
            metrics: Some(metrics),
        };
        let router = if targets.runs(Target::Gateway) {
            let missing = |what: &str, flag: &str| {
                format!(
                    "the gateway needs the {what} target: run it in this process or give {flag}"
                )
            };
            let service = auth_service
                .clone()
                .context("the gateway needs the store and a signing key")?;
            let limits = udaconnect_gateway::HttpLimits {
                rate_per_s: args.rate_limit_per_s,
                burst: args.rate_limit_burst,
            };
            udaconnect_gateway::router_with(
                GatewayState {
                    auth: udaconnect_gateway::ApiAuth {
                        service,
                        enforce: !insecure,
                    },
                    persons: clients
                        .persons
                        .clone()
                        .with_context(|| missing("persons", "--persons-url"))?,
                    ingest: clients
                        .ingest
                        .clone()
                        .with_context(|| missing("ingest", "--ingest-url"))?,
                    connections: clients
                        .connections
                        .clone()
                        .with_context(|| missing("connections", "--connections-url"))?,
                    readiness: admin.readiness,
                    metrics: admin.metrics,
                    web: udaconnect_gateway::WebConfig {
                        map_tile_url: args.map_tile_url.clone(),
                    },
                },
                limits,
            )
        } else {
            udaconnect_gateway::admin_router(admin)
        };

        let grpc = if wiring::serves_grpc(&targets) {
            let grpc_auth = match (&key, insecure) {
                (_, true) => udaconnect_grpc::GrpcAuth::InsecureOpen,
                (Some(key), false) => {
                    udaconnect_grpc::GrpcAuth::Enforce(Box::new(udaconnect_auth::Tokens::new(key)))
                }
                (None, false) => bail!("serving gRPC needs a signing key"),
            };
            let mut services = udaconnect_grpc::GrpcServices::new().auth(grpc_auth);
            if let (true, Some(c)) = (targets.runs(Target::Persons), &clients.persons) {
                services = services.persons(c.clone());
            }
            if let (true, Some(c)) = (targets.runs(Target::Ingest), &clients.ingest) {
                services = services.ingest(c.clone());
            }
            if let (true, Some(c)) = (targets.runs(Target::Connections), &clients.connections) {
                services = services.connections(c.clone());
            }
            let routes = services
                .build()
                .await
                .context("building the gRPC services")?;
            let listener = TcpListener::bind(args.grpc_addr)
                .await
                .with_context(|| format!("binding the gRPC listener to {}", args.grpc_addr))?;
            Some((listener, routes))
        } else {
            None
        };
        let grpc_addr = match &grpc {
            Some((l, _)) => Some(l.local_addr().context("reading the gRPC address")?),
            None => None,
        };

        let http = TcpListener::bind(args.http_addr)
            .await
            .with_context(|| format!("binding the HTTP listener to {}", args.http_addr))?;
        let http_addr = http.local_addr().context("reading the HTTP address")?;
        let summary = format!(
            "targets: {targets}; store: {}; event log: {}; data directory: {}",
            if store.is_some() {
                args.store.to_string()
            } else {
                "-".into()
            },
            if bus.is_some() {
                args.bus.to_string()
            } else {
                "-".into()
            },
            args.data_dir.display()
        );
        let probes = crate::probes::Probes {
            readiness: readiness.clone(),
            postgres: store
                .clone()
                .filter(|_| matches!(args.store, udaconnect_config::StoreUrl::Postgres(_))),
            kafka: bus
                .as_ref()
                .filter(|_| matches!(args.bus, udaconnect_config::BusUrl::Kafka(_)))
                .map(|bus| {
                    let topics = events::Topics::with_prefix(&args.topic_prefix);
                    let keep = vec![
                        (topics.locations, args.partitions),
                        (topics.locations_dlq, 1),
                        (topics.contacts, args.partitions),
                    ];
                    (bus.log(), keep)
                }),
        };
        Ok(App {
            http,
            http_addr,
            router,
            grpc,
            grpc_addr,
            bus,
            writer,
            read_model,
            detector,
            retention,
            readiness,
            probes,
            shutdown_timeout: Duration::from_secs(args.shutdown_timeout_secs),
            targets,
            summary,
            first_admin_password,
            insecure_open_api: insecure,
        })
    }

    /// The bound HTTP address (useful with port 0).
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    /// The bound gRPC address, when this process serves gRPC.
    pub fn grpc_addr(&self) -> Option<SocketAddr> {
        self.grpc_addr
    }

    /// What a person starting UdaConnect wants to see: where to look.
    pub fn banner(&self) -> String {
        let base = format!("http://{}", self.http_addr);
        let mut lines = vec![format!(
            "UdaConnect {} is running ({})",
            env!("CARGO_PKG_VERSION"),
            self.summary
        )];
        if self.insecure_open_api {
            lines.push(
                "  WARNING    --insecure-open-api: the REST and gRPC APIs answer anyone, without \
                 a token, as an organiser. Never expose this process."
                    .into(),
            );
        }
        if let Some(password) = &self.first_admin_password {
            lines.push(format!(
                "  Sign in    username admin, password {password}  (generated on this first \
                 start and shown only now)"
            ));
        }
        if self.targets.runs(Target::Gateway) {
            lines.push(format!("  Web UI     {base}/"));
            lines.push(format!("  REST API   {base}/api/persons"));
            lines.push(format!("  API docs   {base}/docs/"));
            lines.push(format!("  OpenAPI    {base}/api/openapi.json"));
        }
        if let Some(addr) = self.grpc_addr {
            lines.push(format!(
                "  gRPC       {addr}  (try: grpcurl -plaintext {addr} list)"
            ));
        }
        lines.push(format!(
            "  Health     {base}/health  (live: {base}/health/live, ready: {base}/health/ready)"
        ));
        lines.push(format!("  Metrics    {base}/metrics"));
        lines.push("Press Ctrl-C to stop.".into());
        lines.join("\n")
    }

    /// Serves until `shutdown` completes (or a component fails), then stops in order:
    /// readiness off, listeners drained, writer stopped after committing its batch, log
    /// closed.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send,
    ) -> anyhow::Result<()> {
        let App {
            http,
            http_addr,
            router,
            grpc,
            bus,
            writer,
            read_model,
            detector,
            retention,
            readiness,
            probes,
            shutdown_timeout,
            ..
        } = self;
        let listeners_stop = CancellationToken::new();
        let writer_stop = CancellationToken::new();
        tracing::info!(%http_addr, "http listening");
        let mut tasks: Vec<(&'static str, JoinHandle<anyhow::Result<()>>)> = Vec::new();
        tasks.push((
            "http server",
            tokio::spawn({
                let stop = listeners_stop.clone();
                async move {
                    // The peer address keys the per-client rate limit.
                    let app = router.into_make_service_with_connect_info::<SocketAddr>();
                    axum::serve(http, app)
                        .with_graceful_shutdown(stop.cancelled_owned())
                        .await
                        .context("http server")
                }
            }),
        ));
        let mut grpc_health = None;
        if let Some((listener, routes)) = grpc {
            tracing::info!(grpc_addr = ?listener.local_addr().ok(), services = ?routes.service_names, "grpc listening");
            grpc_health = Some((routes.health.clone(), routes.service_names.clone()));
            let stop = listeners_stop.clone();
            tasks.push((
                "grpc server",
                tokio::spawn(async move {
                    udaconnect_grpc::serve(listener, routes.routes, stop.cancelled_owned())
                        .await
                        .context("grpc server")
                }),
            ));
        }
        let listeners = tasks.len();
        if let Some(writer) = writer {
            let stop = writer_stop.clone();
            tasks.push((
                "location writer",
                tokio::spawn(async move { writer.run(stop).await.context("location writer") }),
            ));
        }
        if let (Some((model, store, topics)), Some(bus)) = (read_model, &bus) {
            let stop = writer_stop.clone();
            let log = bus.log();
            let ready = readiness.clone();
            let watched = model.clone();
            tokio::spawn(async move {
                watched.wait_ready().await;
                ready.set("read_model", true);
            });
            tasks.push((
                "read model",
                tokio::spawn(async move {
                    model
                        .sync(log, store, topics, stop)
                        .await
                        .context("read model")
                }),
            ));
        }
        if let Some(detector) = detector {
            let stop = writer_stop.clone();
            tasks.push((
                "contact detector",
                tokio::spawn(async move { detector.run(stop).await.context("contact detector") }),
            ));
        }
        if let Some(retention) = retention {
            let stop = writer_stop.clone();
            tasks.push((
                "retention",
                tokio::spawn(async move { retention.run(stop).await.context("retention") }),
            ));
        }

        if !probes.is_empty() {
            let stop = writer_stop.clone();
            tasks.push((
                "dependency probes",
                tokio::spawn(async move { probes.run(stop).await.context("dependency probes") }),
            ));
        }

        let failure = {
            let first_to_end = futures::future::select_all(tasks.iter_mut().map(|(_, t)| t));
            tokio::select! {
                () = shutdown => None,
                (r, i, _) = first_to_end => Some((i, flatten(r))),
            }
        };
        let failure = failure.map(|(i, r)| (tasks[i].0, r));
        readiness.begin_shutdown();
        if let Some((health, names)) = &grpc_health {
            for name in names {
                health
                    .set_service_status(*name, tonic_health::ServingStatus::NotServing)
                    .await;
            }
        }
        let deadline = tokio::time::Instant::now() + shutdown_timeout;
        listeners_stop.cancel();
        for (what, task) in tasks.iter_mut().take(listeners) {
            stop_within(deadline, what, task).await;
        }
        writer_stop.cancel();
        for (what, task) in tasks.iter_mut().skip(listeners) {
            stop_within(deadline, what, task).await;
        }
        if let Some(bus) = bus {
            bus.close().await;
        }
        tracing::info!("stopped");
        match failure {
            None => Ok(()),
            Some((what, Err(e))) => Err(e.context(format!("{what} failed"))),
            Some((what, Ok(()))) => bail!("{what} stopped unexpectedly"),
        }
    }
}

fn flatten(r: Result<anyhow::Result<()>, tokio::task::JoinError>) -> anyhow::Result<()> {
    r.map_err(anyhow::Error::from).and_then(|r| r)
}

async fn stop_within(
    deadline: tokio::time::Instant,
    what: &'static str,
    task: &mut JoinHandle<anyhow::Result<()>>,
) {
    if task.is_finished() {
        return;
    }
    match tokio::time::timeout_at(deadline, &mut *task).await {
        Ok(r) => {
            if let Err(e) = flatten(r) {
                tracing::error!(error = %format!("{e:#}"), what, "stopped with an error");
            }
        }
        Err(_) => {
            tracing::warn!(what, "did not stop in time, aborting");
            task.abort();
        }
    }
}

async fn open_bus(args: &ServeArgs) -> anyhow::Result<Bus> {
    let (url, data_dir, partitions) = (args.bus.clone(), args.data_dir.clone(), args.partitions);
    let kafka_properties = args.kafka_properties.clone();
    let topics = events::Topics::with_prefix(&args.topic_prefix);
    let retention = infra::LogRetention {
        retention: args.retention.get(),
        erasures_topic: topics.erasures.clone(),
    };
    // Opening reads the embedded log's segments or connects to brokers: blocking work.
    let bus = tokio::task::spawn_blocking(move || {
        infra::open_bus(&url, &data_dir, partitions, &retention, &kafka_properties)
    })
    .await
    .context("opening the event log")??;
    let log = bus.log();
    log.ensure_topic(&topics.locations, args.partitions)
        .await
        .context("creating the locations topic")?;
    log.ensure_topic(&topics.locations_dlq, 1)
        .await
        .context("creating the dead-letter topic")?;
    log.ensure_topic(&topics.erasures, udaconnect_services::erasures::PARTITIONS)
        .await
        .context("creating the erasures topic")?;
    Ok(bus)
}

/// On the first start into a data directory, loads the POC's sample data (unless declined
/// or the store already has data, e.g. from `udaconnect import`).
async fn initialise_data_dir(
    data_dir: &Path,
    store: &DynStore,
    demo_data: bool,
) -> anyhow::Result<()> {
    let marker = data_dir.join(INITIALISED_MARKER);
    if marker.exists() {
        return Ok(());
    }
    let empty = store.list_persons().await?.is_empty();
    if demo_data && empty {
        let report = udaconnect_import::import_demo_data(store)
            .await
            .context("loading the demo data")?;
        tracing::info!(%report, "demo data loaded");
    }
    std::fs::write(&marker, b"").with_context(|| format!("writing {}", marker.display()))?;
    Ok(())
}
