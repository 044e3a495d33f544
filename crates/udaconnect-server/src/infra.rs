//! Opens the adapters that the configuration names: shared infrastructure is built once per
//! process, whatever targets run.

use std::{path::Path, sync::Arc};

use anyhow::Context;
use udaconnect_bus::{
    EventLog,
    embedded::{EmbeddedLog, EmbeddedOptions},
    kafka::{KafkaLog, KafkaOptions},
};
use udaconnect_config::{BusUrl, StoreUrl};
use udaconnect_store::{
    DynStore,
    postgres::{PgOptions, PostgresStore},
    sqlite::SqliteStore,
};

/// The event log of this process, with what is needed to close it cleanly.
pub(crate) enum Bus {
    Embedded(Arc<EmbeddedLog>),
    Kafka(Arc<KafkaLog>),
}

impl Bus {
    pub(crate) fn log(&self) -> Arc<dyn EventLog> {
        match self {
            Bus::Embedded(log) => log.clone(),
            Bus::Kafka(log) => log.clone(),
        }
    }

    pub(crate) async fn close(&self) {
        let closed = match self {
            Bus::Embedded(log) => log.close().await,
            Bus::Kafka(log) => log.close().await,
        };
        if let Err(e) = closed {
            tracing::warn!(error = %e, "closing the event log failed");
        }
    }
}

/// The event log's retention: records older than `retention` are deleted (Kafka
/// `retention.ms` on the topics UdaConnect creates, the embedded log's age limit), except on
/// the erasures topic, which is kept (compacted on Kafka).
pub(crate) struct LogRetention {
    pub(crate) retention: Option<std::time::Duration>,
    pub(crate) erasures_topic: String,
}

pub(crate) fn open_bus(
    url: &BusUrl,
    data_dir: &Path,
    partitions: u32,
    retention: &LogRetention,
    kafka_properties: &[(String, String)],
) -> anyhow::Result<Bus> {
    match url {
        BusUrl::Embedded(_) => {
            let dir = url
                .embedded_dir(data_dir)
                .context("embedded log directory")?;
            let options = EmbeddedOptions {
                default_partitions: partitions,
                retention_max_age: retention.retention,
                retention_exempt_topics: vec![retention.erasures_topic.clone()],
                ..EmbeddedOptions::default()
            };
            let log = EmbeddedLog::open(&dir, options)
                .with_context(|| format!("opening the event log in {}", dir.display()))?;
            Ok(Bus::Embedded(log))
        }
        BusUrl::Kafka(brokers) => {
            let options = KafkaOptions {
                brokers: brokers.clone(),
                default_partitions: partitions,
                retention: retention.retention,
                compacted_topics: vec![retention.erasures_topic.clone()],
                extra: kafka_properties.to_vec(),
                ..KafkaOptions::default()
            };
            let log = KafkaLog::connect(options)
                .with_context(|| format!("connecting to Kafka at {brokers}"))?;
            Ok(Bus::Kafka(log))
        }
    }
}

pub(crate) async fn open_store(url: &StoreUrl, data_dir: &Path) -> anyhow::Result<DynStore> {
    match url {
        StoreUrl::Sqlite(_) => {
            let path = url.sqlite_path(data_dir).context("sqlite path")?;
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("creating {}", parent.display()))?;
            }
            let store = tokio::task::spawn_blocking(move || {
                SqliteStore::open(&path).with_context(|| format!("opening {}", path.display()))
            })
            .await
            .context("opening the store")??;
            Ok(Arc::new(store))
        }
        StoreUrl::Postgres(secret) => {
            let store = PostgresStore::connect(secret, PgOptions::default())
                .await
                .with_context(|| format!("connecting to {url}"))?;
            Ok(Arc::new(store))
        }
    }
}
