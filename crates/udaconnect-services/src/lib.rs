//! UdaConnect's services. Each is a trait plus a cheap `Clone` client wrapping an
//! `Arc<dyn Trait>`: callers never know whether the implementation runs in this process
//! (`Local*`) or behind gRPC, so running every target in one process or one per process is
//! only wiring (see `udaconnect-server`).
//!
//! | service | trait | local implementation |
//! |---|---|---|
//! | persons | [`PersonService`] | [`LocalPersons`] (store) |
//! | ingest | [`IngestService`] | [`LocalIngest`] (validate, assign id, append to the log) |
//! | writer | — (a consumer) | [`LocationWriter`] (log → store, idempotent) |
//! | connections | [`ConnectionService`] | [`LocalConnections`] ([`ReadModel`] fed by the log; feeds from the log) |
//! | detector | — (a consumer) | [`DetectorWorker`] (locations → contact episodes) |
//! | retention | — (a timer) | [`RetentionWorker`] (expired fixes out of store and read model) |
//!
//! Erasure: [`PersonService::delete`] publishes a tombstone on `udaconnect.erasures.v1`
//! ([`erasures`]) and erases the person in the store; every consumer follows that topic.

mod connections;
mod detector;
#[cfg(test)]
mod detector_tests;
pub mod erasures;
mod error;
pub mod events;
pub mod feeds;
mod health;
mod ids;
mod ingest;
#[cfg(test)]
mod ingest_timeout_tests;
mod metrics;
mod persons;
pub mod readmodel;
mod retention;
mod writer;
#[cfg(test)]
mod writer_tests;

pub use connections::{ConnectionService, ConnectionsClient, LocalConnections};
pub use detector::DetectorWorker;
pub use error::ServiceError;
pub use health::Readiness;
pub use ids::IdAllocator;
pub use ingest::{IngestClient, IngestService, LocalIngest};
pub use metrics::describe_all as describe_metrics;
pub use persons::{LocalPersons, PersonService, PersonsClient};
pub use readmodel::ReadModel;
pub use retention::{PURGE_BATCH, RetentionWorker};
pub use writer::{LocationWriter, WriterOptions};

/// Defines the cheap, cloneable client of a service trait: a newtype over `Arc<dyn Trait>`
/// that dereferences to the trait.
macro_rules! service_client {
    ($(#[$doc:meta])* $client:ident, $service:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $client(std::sync::Arc<dyn $service>);

        impl $client {
            pub fn new(service: impl $service) -> Self {
                Self(std::sync::Arc::new(service))
            }

            pub fn from_arc(service: std::sync::Arc<dyn $service>) -> Self {
                Self(service)
            }
        }

        impl std::ops::Deref for $client {
            type Target = dyn $service;

            fn deref(&self) -> &Self::Target {
                &*self.0
            }
        }
    };
}
pub(crate) use service_client;
