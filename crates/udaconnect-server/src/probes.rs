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
/// A dependency that does not answer a probe within this failed the probe.
pub(crate) const PROBE_TIMEOUT: Duration = Duration::from_secs(3);
/// Failed probes in a row that make a dependency count as lost (one slow answer from a
/// busy broker is not an outage); one good answer makes it ready again.
pub(crate) const FAILURES_TO_LOSE: u32 = 2;

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
        let (mut postgres_failures, mut kafka_failures) = (0u32, 0u32);
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
                self.record("postgres", error, &mut postgres_failures);
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
                self.record("kafka", error, &mut kafka_failures);
            }
        }
    }

    /// Updates the component after [`FAILURES_TO_LOSE`] failures in a row (or one success),
    /// logging only the transitions.
    fn record(&self, component: &'static str, error: Option<String>, failures: &mut u32) {
        *failures = if error.is_some() { *failures + 1 } else { 0 };
        if error.is_some() && *failures < FAILURES_TO_LOSE {
            tracing::debug!(
                component,
                error = error.as_deref(),
                "dependency probe failed once"
            );
            return;
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dependency_is_lost_after_failures_in_a_row_and_back_after_one_answer() {
        let probes = Probes {
            readiness: Readiness::new(),
            postgres: None,
            kafka: None,
        };
        let mut failures = 0;
        probes.readiness.set("kafka", true);
        probes.record("kafka", Some("slow".into()), &mut failures);
        assert!(
            probes.readiness.is_ready(),
            "one failed probe is not an outage"
        );
        probes.record("kafka", Some("down".into()), &mut failures);
        assert!(!probes.readiness.is_ready());
        assert_eq!(probes.readiness.report().0, vec![("kafka", false)]);
        probes.record("kafka", None, &mut failures);
        assert!(probes.readiness.is_ready());
    }
}
