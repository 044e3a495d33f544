//! Readiness that follows the dependencies: every [`PROBE_INTERVAL`] the process checks the
//! PostgreSQL store and the Kafka brokers it uses, and marks the `postgres` / `kafka`
//! readiness component down when one does not answer within [`PROBE_TIMEOUT`], so
//! `/health/ready` turns 503 naming it; up again once it answers. (The embedded store and
//! log live in the process: nothing to lose.)
//!
//! The Kafka probe is `ensure_topic` on the topics this process uses: it answers only when
//! a broker does, and it re-creates a topic a restarted broker lost (tansu keeps its log in
//! memory), so producers and consumers find it again.

use std::{sync::Arc, time::Duration};

use tokio_util::sync::CancellationToken;
use udaconnect_bus::EventLog;
use udaconnect_domain::PersonId;
use udaconnect_services::Readiness;
use udaconnect_store::DynStore;

/// Time between two probes of a dependency.
pub(crate) const PROBE_INTERVAL: Duration = Duration::from_secs(1);
/// A dependency that does not answer a probe within this is down.
pub(crate) const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// Topics to keep existing, with their partition counts.
pub(crate) type Topics = Vec<(String, u32)>;

/// The dependencies this process probes.
pub(crate) struct Probes {
    pub(crate) readiness: Readiness,
    /// The PostgreSQL store (not the embedded SQLite one).
    pub(crate) postgres: Option<DynStore>,
    /// The Kafka log and the topics (with their partition counts) to keep existing.
    pub(crate) kafka: Option<(Arc<dyn EventLog>, Topics)>,
}

impl Probes {
    pub(crate) fn is_empty(&self) -> bool {
        self.postgres.is_none() && self.kafka.is_none()
    }

    /// Registers the components as ready (the adapters just opened), then probes until
    /// `stop`.
    pub(crate) async fn run(self, stop: CancellationToken) -> anyhow::Result<()> {
        if self.postgres.is_some() {
            self.readiness.set("postgres", true);
        }
        if self.kafka.is_some() {
            self.readiness.set("kafka", true);
        }
        // Any id does: the probe only needs the database to answer a query.
        let any_person = PersonId::new(1)?;
        loop {
            tokio::select! {
                () = stop.cancelled() => return Ok(()),
                () = tokio::time::sleep(PROBE_INTERVAL) => {}
            }
            if let Some(store) = &self.postgres {
                let probe = async { store.get_person(any_person).await.map(drop) };
                let answer = tokio::time::timeout(PROBE_TIMEOUT, probe).await;
                let error = match answer {
                    Ok(Ok(())) => None,
                    Ok(Err(e)) => Some(e.to_string()),
                    Err(_) => Some(format!("no answer within {PROBE_TIMEOUT:?}")),
                };
                self.record("postgres", error);
            }
            if let Some((log, topics)) = &self.kafka {
                let probe = async {
                    for (topic, partitions) in topics {
                        log.ensure_topic(topic, *partitions).await?;
                    }
                    Ok::<_, udaconnect_bus::BusError>(())
                };
                let error = match tokio::time::timeout(PROBE_TIMEOUT, probe).await {
                    Ok(Ok(())) => None,
                    Ok(Err(e)) => Some(e.to_string()),
                    Err(_) => Some(format!("no answer within {PROBE_TIMEOUT:?}")),
                };
                self.record("kafka", error);
            }
        }
    }

    /// Updates the component, logging only the transitions.
    fn record(&self, component: &'static str, error: Option<String>) {
        let was = self
            .readiness
            .report()
            .0
            .iter()
            .find(|(name, _)| *name == component)
            .is_none_or(|(_, ok)| *ok);
        match (&error, was) {
            (Some(error), true) => tracing::warn!(component, %error, "dependency lost: not ready"),
            (None, false) => tracing::info!(component, "dependency back: ready"),
            _ => {}
        }
        self.readiness.set(component, error.is_none());
    }
}
