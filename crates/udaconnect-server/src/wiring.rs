//! Which services run in this process and how the others are reached: a target that runs
//! here gets the local implementation, one that runs elsewhere a gRPC client from its
//! `--*-url`. Everything else (gateway, gRPC listener, writer) is built from those clients,
//! so the code paths are the same in one process and in many.

use anyhow::{Context, bail};
use udaconnect_config::{ServeArgs, Target, Targets};
use udaconnect_services::{
    ConnectionsClient, IdAllocator, IngestClient, LocalConnections, LocalIngest, LocalPersons,
    PersonsClient, ReadModel, events,
};
use udaconnect_store::DynStore;

use crate::infra::Bus;

/// The service clients of this process: local where the target runs here, remote (gRPC)
/// where a URL names it, absent otherwise.
pub(crate) struct Clients {
    pub(crate) persons: Option<PersonsClient>,
    pub(crate) ingest: Option<IngestClient>,
    pub(crate) connections: Option<ConnectionsClient>,
    /// The connections target's read model, to be synchronised by the app.
    pub(crate) read_model: Option<std::sync::Arc<ReadModel>>,
}

pub(crate) fn clients(
    args: &ServeArgs,
    targets: &Targets,
    store: Option<&DynStore>,
    bus: Option<&Bus>,
) -> anyhow::Result<Clients> {
    let local_store = |t: Target| {
        store
            .cloned()
            .with_context(|| format!("the {t} target needs a store"))
    };
    let persons = if targets.runs(Target::Persons) {
        let log = bus
            .context("the persons target publishes erasures: it needs an event log")?
            .log();
        Some(PersonsClient::new(LocalPersons::new(
            local_store(Target::Persons)?,
            log,
            &events::Topics::with_prefix(&args.topic_prefix),
        )))
    } else {
        remote(args.persons_url.as_deref(), udaconnect_grpc::persons_client)?
    };
    let ingest = if targets.runs(Target::Ingest) {
        let store = local_store(Target::Ingest)?;
        let Some(persons) = persons.clone() else {
            bail!(
                "the ingest target checks person ids with the persons target: run it in this \
                 process or give --persons-url"
            );
        };
        let log = bus.context("the ingest target needs an event log")?.log();
        Some(IngestClient::new(
            LocalIngest::new(
                persons,
                log,
                IdAllocator::new(store, IdAllocator::DEFAULT_BLOCK),
            )
            .with_topics(&events::Topics::with_prefix(&args.topic_prefix)),
        ))
    } else {
        remote(args.ingest_url.as_deref(), udaconnect_grpc::ingest_client)?
    };
    let mut read_model = None;
    let connections = if targets.runs(Target::Connections) {
        let model = std::sync::Arc::new(ReadModel::new());
        read_model = Some(model.clone());
        let log = bus
            .context("the connections target needs an event log")?
            .log();
        Some(ConnectionsClient::new(LocalConnections::new(
            local_store(Target::Connections)?,
            model,
            log,
            events::Topics::with_prefix(&args.topic_prefix),
        )))
    } else {
        remote(
            args.connections_url.as_deref(),
            udaconnect_grpc::connections_client,
        )?
    };
    Ok(Clients {
        persons,
        ingest,
        connections,
        read_model,
    })
}

fn remote<C>(
    url: Option<&str>,
    connect: fn(&str) -> Result<C, udaconnect_grpc::GrpcError>,
) -> anyhow::Result<Option<C>> {
    url.map(|u| connect(u).with_context(|| format!("gRPC endpoint {u}")))
        .transpose()
}

/// What a target set needs from the shared infrastructure. The gateway needs the store
/// for the accounts it signs in.
pub(crate) fn needs_store(targets: &Targets) -> bool {
    [
        Target::Gateway,
        Target::Persons,
        Target::Ingest,
        Target::Writer,
        Target::Connections,
    ]
    .into_iter()
    .any(|t| targets.runs(t))
}

pub(crate) fn needs_bus(targets: &Targets) -> bool {
    [
        Target::Persons,
        Target::Ingest,
        Target::Writer,
        Target::Connections,
        Target::Detector,
    ]
    .into_iter()
    .any(|t| targets.runs(t))
}

pub(crate) fn serves_grpc(targets: &Targets) -> bool {
    [Target::Persons, Target::Ingest, Target::Connections]
        .into_iter()
        .any(|t| targets.runs(t))
}

/// Targets that exist in the architecture but are not built yet.
pub(crate) fn refuse_unbuilt(targets: &Targets) -> anyhow::Result<()> {
    for t in [Target::Notifier] {
        if targets.runs(t) && !targets.is_all() {
            bail!("the {t} target is not available in this version");
        }
    }
    Ok(())
}
