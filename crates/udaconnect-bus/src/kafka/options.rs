//! Settings of the Kafka adapter and the librdkafka configurations derived from them.

use std::time::Duration;

use rdkafka::ClientConfig;

use crate::BusError;

/// How [`KafkaLog`](super::KafkaLog) reaches the brokers and creates topics.
#[derive(Debug, Clone)]
pub struct KafkaOptions {
    /// Bootstrap brokers, comma-separated `host:port`. Default `127.0.0.1:9092`.
    pub brokers: String,
    /// `client.id` sent to the brokers (shows in their logs and quotas). Default `udaconnect`.
    pub client_id: String,
    /// Partitions of topics created implicitly by `append` or `subscribe` on a missing
    /// topic (as the embedded log does). Default 4.
    pub default_partitions: u32,
    /// Replication factor of the topics this adapter creates: 1 for a dev broker, 3 in
    /// production. Default 1.
    pub replication_factor: i16,
    /// Consumer-group session timeout; heartbeats go every sixth of it. A member that stops
    /// heartbeating is evicted after it. Default 10 s (brokers accept 6 s–5 min by default).
    pub session_timeout: Duration,
    /// Bound on admin, metadata and offset requests. Appends wait up to three times as long
    /// for delivery (`message.timeout.ms`). Default 10 s.
    pub request_timeout: Duration,
    /// `retention.ms` of the topics this adapter creates (records older than this are
    /// deleted by the brokers). Default `None`: the broker's default.
    pub retention: Option<Duration>,
    /// Topics created compacted (`cleanup.policy=compact`): the latest record per key is kept
    /// forever, whatever the retention (the erasures topic).
    pub compacted_topics: Vec<String>,
    /// Extra librdkafka properties applied to every client last, so they override the
    /// adapter's (e.g. `security.protocol`, `sasl.*`, `fetch.wait.max.ms`).
    pub extra: Vec<(String, String)>,
}

impl Default for KafkaOptions {
    fn default() -> Self {
        Self {
            brokers: "127.0.0.1:9092".to_owned(),
            client_id: "udaconnect".to_owned(),
            default_partitions: 4,
            replication_factor: 1,
            session_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(10),
            retention: None,
            compacted_topics: Vec::new(),
            extra: Vec::new(),
        }
    }
}

impl KafkaOptions {
    pub(crate) fn validate(&self) -> Result<(), BusError> {
        let invalid = |field, message: &str| {
            Err(BusError::InvalidArgument {
                field,
                message: message.to_owned(),
            })
        };
        if self.brokers.trim().is_empty() {
            return invalid("brokers", "must name at least one host:port");
        }
        if !(1..=super::MAX_PARTITIONS).contains(&self.default_partitions) {
            return invalid("default_partitions", "must be between 1 and 10000");
        }
        if self.replication_factor < 1 {
            return invalid("replication_factor", "must be at least 1");
        }
        if !(Duration::from_millis(600)..=Duration::from_secs(3600)).contains(&self.session_timeout)
        {
            return invalid("session_timeout", "must be between 600 ms and 1 h");
        }
        if !(Duration::from_millis(100)..=Duration::from_secs(600)).contains(&self.request_timeout)
        {
            return invalid("request_timeout", "must be between 100 ms and 10 min");
        }
        Ok(())
    }

    fn base(&self) -> ClientConfig {
        let mut config = ClientConfig::new();
        config
            .set("bootstrap.servers", &self.brokers)
            .set("client.id", &self.client_id)
            // Missing topics are created by the adapter, with its partitions and replication.
            .set("allow.auto.create.topics", "false");
        config
    }

    fn finish(&self, mut config: ClientConfig) -> ClientConfig {
        for (key, value) in &self.extra {
            config.set(key, value);
        }
        config
    }

    /// Durable, ordered, batching, lz4-compressing producer. `murmur2_random` is the Java client's partitioner:
    /// the same key lands on the same partition whichever Kafka client produced it; records
    /// with an empty key are sent without one and spread at random.
    pub(crate) fn producer(&self) -> ClientConfig {
        let mut config = self.base();
        let delivery = self.request_timeout * 3;
        config
            .set("acks", "all")
            .set("enable.idempotence", "true")
            .set("linger.ms", "5")
            // lz4: the broker stores and serves batches as compressed; it halved tansu's CPU per
            // fix at 20k fixes/s (docs/benchmarks.md), and costs the producer little.
            .set("compression.type", "lz4")
            .set("partitioner", "murmur2_random")
            .set("message.timeout.ms", delivery.as_millis().to_string());
        self.finish(config)
    }

    /// A member of `group` that commits explicitly and starts from the beginning.
    pub(crate) fn consumer(&self, group: &str) -> ClientConfig {
        let mut config = self.base();
        let session = self.session_timeout.as_millis();
        config
            .set("group.id", group)
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("auto.offset.reset", "earliest")
            .set("session.timeout.ms", session.to_string())
            .set("heartbeat.interval.ms", (session / 6).max(100).to_string());
        self.finish(config)
    }

    /// The consumer that reads the tail of partitions to check end offsets (see `tail`):
    /// assigned, never subscribed (librdkafka wants a group id for that). Reaching the end
    /// is signalled by an EOF event; the 10 ms fetch wait keeps that quick (0 would be
    /// quicker on Kafka, but tansu answers a zero-wait fetch with nothing).
    pub(crate) fn tail_probe(&self) -> ClientConfig {
        let mut config = self.base();
        config
            .set("group.id", format!("{}.end-offsets", self.client_id))
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false");
        let mut config = self.finish(config);
        config
            .set("enable.partition.eof", "true")
            .set("fetch.wait.max.ms", "10");
        config
    }

    /// Admin client, and the group-less consumer used for metadata and watermarks.
    pub(crate) fn plain(&self) -> ClientConfig {
        let config = self.base();
        self.finish(config)
    }
}
