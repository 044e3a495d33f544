//! Tests of the Kafka adapter against a real Kafka-protocol broker.
//!
//! They are `#[ignore]`d so that `cargo test --workspace` stays green without a broker, and
//! they FAIL (never skip) when run without one. To run them:
//!
//! ```sh
//! eval "$(scripts/kafka.sh start)"                      # tansu on a free port
//! UDACONNECT_TEST_KAFKA=$KAFKA_BROKERS \
//!   cargo test -p udaconnect-bus --lib -- --ignored kafka::tests
//! scripts/kafka.sh stop
//! ```

mod conformance;
mod throughput;
mod units;

use std::{sync::Arc, time::Duration};

use super::{KafkaLog, KafkaOptions};

/// Options for the broker named by `UDACONNECT_TEST_KAFKA`; panics when it is unset.
pub(super) fn options() -> KafkaOptions {
    let brokers = match std::env::var("UDACONNECT_TEST_KAFKA") {
        Ok(brokers) if !brokers.trim().is_empty() => brokers,
        _ => panic!(
            "UDACONNECT_TEST_KAFKA is not set: start a broker with `scripts/kafka.sh start` \
             and set UDACONNECT_TEST_KAFKA to the address it prints (KAFKA_BROKERS=...)"
        ),
    };
    KafkaOptions {
        brokers,
        client_id: "udaconnect-bus-tests".to_owned(),
        // tansu lets a join wait about half the session timeout; 6 s is the brokers' minimum.
        session_timeout: Duration::from_secs(6),
        ..KafkaOptions::default()
    }
}

pub(super) fn connect() -> Arc<KafkaLog> {
    KafkaLog::connect(options()).expect("connect")
}
