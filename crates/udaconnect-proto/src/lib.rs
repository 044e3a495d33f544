//! UdaConnect's protobuf contracts (`proto/udaconnect/v1/`): the generated messages and
//! tonic clients and servers ([`v1`]), conversions between them and the domain types, and
//! the protobuf codec of the events on the log ([`encode_location_recorded`]).
//!
//! Conversions from the wire validate as the domain does and return a
//! [`ValidationError`](udaconnect_domain::ValidationError) naming the proto field
//! (`latitude`, `person_id`, `distance_m`, …):
//!
//! | proto | domain | direction |
//! |---|---|---|
//! | `Person` | `Person` | both (`From<&Person>`, `TryFrom<v1::Person>`) |
//! | `CreatePersonRequest` | `NewPerson` | both |
//! | `Location` | `Location` | both |
//! | `RecordLocationRequest` | `NewLocation` | both |
//! | `Connection` | `Connection` | both |
//! | `FindConnectionsRequest` | `ConnectionQuery` | both |
//! | `Contact`, `Activity` | `Contact`, `Activity` | both |
//! | `ContactEpisode` | `ContactEpisode` | [`encode_contact_episode`], [`decode_contact_episode`] |
//! | `LocationRecorded` | `LocationRecorded` | [`encode_location_recorded`], [`decode_location_recorded`] |
//! | `PersonErased` | `PersonErased` | [`encode_person_erased`], [`decode_person_erased`] |

mod connection;
mod contact;
mod event;
mod location;
mod person;
mod time;

pub use contact::{CONTACT_EPISODE_CONTENT_TYPE, decode_contact_episode, encode_contact_episode};
pub use event::{
    EventDecodeError, LOCATION_RECORDED_CONTENT_TYPE, PERSON_ERASED_CONTENT_TYPE,
    decode_location_recorded, decode_person_erased, encode_location_recorded, encode_person_erased,
};
pub use time::{timestamp_from_proto, timestamp_to_proto};

/// Generated code for package `udaconnect.v1`: messages, `*_client` and `*_server` modules.
#[allow(
    unreachable_pub,
    missing_docs,
    clippy::all,
    clippy::pedantic,
    rustdoc::bare_urls,
    rustdoc::broken_intra_doc_links,
    rustdoc::invalid_html_tags
)]
pub mod v1 {
    tonic::include_proto!("udaconnect.v1");
}

/// The encoded `google.protobuf.FileDescriptorSet` of every UdaConnect proto file and its
/// imports, with comments: register it with gRPC server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/udaconnect_v1_descriptor.bin"));

/// Fully qualified names of the gRPC services, as reflection and health checks know them.
pub mod service_names {
    pub const PERSONS: &str = "udaconnect.v1.Persons";
    pub const LOCATION_INGEST: &str = "udaconnect.v1.LocationIngest";
    pub const CONNECTIONS: &str = "udaconnect.v1.Connections";
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;

    #[test]
    fn descriptor_set_holds_every_service_with_comments_and_imports() {
        let fds = prost_types::FileDescriptorSet::decode(FILE_DESCRIPTOR_SET).unwrap();
        let services: Vec<String> = fds
            .file
            .iter()
            .flat_map(|f| {
                let package = f.package().to_owned();
                f.service
                    .iter()
                    .map(move |s| format!("{package}.{}", s.name()))
            })
            .collect();
        for name in [
            service_names::PERSONS,
            service_names::LOCATION_INGEST,
            service_names::CONNECTIONS,
        ] {
            assert!(services.iter().any(|s| s == name), "{name} in {services:?}");
        }
        assert!(
            fds.file
                .iter()
                .any(|f| f.name() == "google/protobuf/timestamp.proto")
        );
        let ours = fds
            .file
            .iter()
            .filter(|f| f.name().starts_with("udaconnect/"));
        assert!(ours.clone().count() == 5 && ours.clone().all(|f| f.source_code_info.is_some()));
    }
}
