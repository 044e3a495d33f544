use std::{net::SocketAddr, path::PathBuf, time::Duration};

use anyhow::{Context, bail};
use tokio::{net::TcpListener, task::JoinHandle};
use tokio_util::sync::CancellationToken;
use udaconnect_config::{ServeArgs, Targets};
use udaconnect_gateway::GatewayState;
use udaconnect_services::{
    ConnectionsClient, IdAllocator, IngestClient, LocalConnections, LocalIngest, LocalPersons,
    LocationWriter, PersonsClient, Readiness, WriterOptions, events,
};
use udaconnect_store::DynStore;

use crate::infra::{self, Bus};

/// Marks a data directory that has been initialised (demo data loaded or declined).
const INITIALISED_MARKER: &str = ".initialised";

/// A built UdaConnect process: adapters open, services wired, listeners bound.
pub struct App {
    http: TcpListener,
    http_addr: SocketAddr,
    router: axum::Router,
    bus: Bus,
    writer: LocationWriter,
    readiness: Readiness,
    shutdown_timeout: Duration,
    summary: String,
}

impl App {
    /// Opens the adapters and wires every target of `args` into this process.
    pub async fn build(args: &ServeArgs) -> anyhow::Result<App> {
        let targets = Targets::new(&args.target);
        if !targets.is_all() {
            bail!(
                "--target {targets}: running a subset of targets needs Kafka, PostgreSQL and gRPC \
                 between processes, which this build does not have yet; run --target all"
            );
        }
        let metrics = udaconnect_telemetry::init_metrics()?;
        udaconnect_services::describe_metrics();
        std::fs::create_dir_all(&args.data_dir)
            .with_context(|| format!("creating data directory {}", args.data_dir.display()))?;

        let store = infra::open_store(&args.store, &args.data_dir).await?;
        let bus = infra::open_bus(&args.bus, &args.data_dir, args.partitions)?;
        let log = bus.log();
        log.ensure_topic(events::LOCATIONS_TOPIC, args.partitions)
            .await
            .context("creating the locations topic")?;
        log.ensure_topic(events::LOCATIONS_DLQ_TOPIC, 1)
            .await
            .context("creating the dead-letter topic")?;
        initialise_data_dir(&args.data_dir, &store, !args.no_demo_data).await?;

        let readiness = Readiness::new();
        readiness.set("store", true);
        readiness.set("writer", false);
        let persons = PersonsClient::new(LocalPersons::new(store.clone()));
        let ingest = IngestClient::new(LocalIngest::new(
            persons.clone(),
            log.clone(),
            IdAllocator::new(store.clone(), IdAllocator::DEFAULT_BLOCK),
        ));
        let connections = ConnectionsClient::new(LocalConnections::new(store.clone()));
        let writer = LocationWriter::new(log, store, WriterOptions::default(), readiness.clone());
        let router = udaconnect_gateway::router(GatewayState {
            persons,
            ingest,
            connections,
            readiness: readiness.clone(),
            metrics: Some(metrics),
        });

        let http = TcpListener::bind(args.http_addr)
            .await
            .with_context(|| format!("binding the HTTP listener to {}", args.http_addr))?;
        let http_addr = http.local_addr().context("reading the HTTP address")?;
        let summary = format!(
            "targets: {targets}; store: {}; event log: {}; data directory: {}",
            args.store,
            args.bus,
            args.data_dir.display()
        );
        Ok(App {
            http,
            http_addr,
            router,
            bus,
            writer,
            readiness,
            shutdown_timeout: Duration::from_secs(args.shutdown_timeout_secs),
            summary,
        })
    }

    /// The bound HTTP address (useful with port 0).
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    /// What a person starting UdaConnect wants to see: where to look.
    pub fn banner(&self) -> String {
        let base = format!("http://{}", self.http_addr);
        format!(
            "UdaConnect {} is running ({})\n\
             \x20 REST API   {base}/api/persons\n\
             \x20 API docs   {base}/docs/\n\
             \x20 OpenAPI    {base}/api/openapi.json\n\
             \x20 Health     {base}/health  (live: {base}/health/live, ready: {base}/health/ready)\n\
             \x20 Metrics    {base}/metrics\n\
             Press Ctrl-C to stop.",
            env!("CARGO_PKG_VERSION"),
            self.summary,
        )
    }

    /// Serves until `shutdown` completes (or a component fails), then stops in order:
    /// readiness off, HTTP drained, writer stopped after committing its batch, log closed.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send,
    ) -> anyhow::Result<()> {
        let App {
            http,
            http_addr,
            router,
            bus,
            writer,
            readiness,
            shutdown_timeout,
            ..
        } = self;
        let http_stop = CancellationToken::new();
        let writer_stop = CancellationToken::new();
        tracing::info!(%http_addr, "http listening");
        let mut http_task: JoinHandle<anyhow::Result<()>> = tokio::spawn({
            let stop = http_stop.clone();
            async move {
                axum::serve(http, router)
                    .with_graceful_shutdown(stop.cancelled_owned())
                    .await
                    .context("http server")
            }
        });
        let mut writer_task: JoinHandle<anyhow::Result<()>> = tokio::spawn({
            let stop = writer_stop.clone();
            async move { writer.run(stop).await.context("location writer") }
        });

        let failure = tokio::select! {
            () = shutdown => None,
            r = &mut http_task => Some(("http server", flatten(r))),
            r = &mut writer_task => Some(("location writer", flatten(r))),
        };
        readiness.begin_shutdown();
        let deadline = tokio::time::Instant::now() + shutdown_timeout;
        http_stop.cancel();
        stop_within(deadline, "http server", &mut http_task).await;
        writer_stop.cancel();
        stop_within(deadline, "location writer", &mut writer_task).await;
        bus.close().await;
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

/// On the first start into a data directory, loads the POC's sample data (unless declined
/// or the store already has data, e.g. from `udaconnect import`).
async fn initialise_data_dir(
    data_dir: &std::path::Path,
    store: &DynStore,
    demo_data: bool,
) -> anyhow::Result<()> {
    let marker: PathBuf = data_dir.join(INITIALISED_MARKER);
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
