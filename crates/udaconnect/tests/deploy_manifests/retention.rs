//! Retention (part of the deploy manifest checks): the one `UDACONNECT_RETENTION` of the
//! Kubernetes config and of compose is what every Kafka topic holding personal data keeps
//! (`*_RETENTION_MS` of the kafka-topics ConfigMap, the brokers' `KAFKA_LOG_RETENTION_HOURS`),
//! and the topics the kafka-topics Job creates are UdaConnect's, the erasures topic compacted.

use std::time::Duration;

use super::*;

fn retention(at: &str, value: Option<String>, p: &mut Problems) -> Option<Duration> {
    let Some(value) = value else {
        p.add(at, "sets no UDACONNECT_RETENTION");
        return None;
    };
    match udaconnect_config::parse_retention(&value) {
        Ok(r) if r.get().is_some() => r.get(),
        Ok(_) => {
            p.add(
                at,
                "UDACONNECT_RETENTION is off: personal data would be kept forever",
            );
            None
        }
        Err(e) => {
            p.add(at, format!("UDACONNECT_RETENTION {value:?}: {e}"));
            None
        }
    }
}

fn same(at: &str, what: &str, ms: Option<u128>, want: Duration, p: &mut Problems) {
    match ms {
        Some(ms) if ms == want.as_millis() => {}
        Some(ms) => p.add(
            at,
            format!(
                "{what} is {ms} ms, not UDACONNECT_RETENTION ({} ms)",
                want.as_millis()
            ),
        ),
        None => p.add(at, format!("{what} is missing or not a number")),
    }
}

/// The value of environment variable `name` in a Kubernetes container's `env` list.
fn env_value(container: &Value, name: &str) -> Option<String> {
    items(container.get("env"))
        .iter()
        .find(|e| scalar_at(e, &["name"]).as_deref() == Some(name))
        .and_then(|e| scalar_at(e, &["value"]))
}

fn hours_ms(v: Option<String>) -> Option<u128> {
    v?.trim().parse::<u128>().ok().map(|h| h * 3_600_000)
}

pub(crate) fn check_retention(d: &Deploy, p: &mut Problems) {
    let (objs, _) = k8s_objects(d, &mut Problems::default());
    let config = |name: &str| {
        objs.iter()
            .find(|o| o.kind == "ConfigMap" && o.name == name)
            .map(object_data)
            .unwrap_or_default()
    };
    let at = "deploy/k8s/config.yaml udaconnect-config";
    if let Some(keep) = retention(
        at,
        config("udaconnect-config")
            .get("UDACONNECT_RETENTION")
            .cloned(),
        p,
    ) {
        let topics = config("kafka-topics");
        let at = "deploy/k8s/config.yaml kafka-topics";
        for (key, topic) in [
            ("LOCATIONS", udaconnect_services::events::LOCATIONS_TOPIC),
            ("DLQ", udaconnect_services::events::LOCATIONS_DLQ_TOPIC),
            ("CONTACTS", udaconnect_services::events::CONTACTS_TOPIC),
        ] {
            if topics.get(&format!("{key}_TOPIC")).map(String::as_str) != Some(topic) {
                p.add(at, format!("{key}_TOPIC is not {topic:?}"));
            }
            let ms = topics
                .get(&format!("{key}_RETENTION_MS"))
                .and_then(|v| v.parse().ok());
            same(at, &format!("{key}_RETENTION_MS"), ms, keep, p);
        }
        if topics.get("ERASURES_TOPIC").map(String::as_str)
            != Some(udaconnect_services::events::ERASURES_TOPIC)
        {
            p.add(at, "ERASURES_TOPIC is not the erasures topic");
        }
        let kafka = objs
            .iter()
            .find(|o| o.kind == "StatefulSet" && o.name == "kafka");
        let broker = kafka.and_then(|o| {
            items(at_path(&o.v, &["spec", "template", "spec", "containers"]))
                .first()
                .map(|c| env_value(c, "KAFKA_LOG_RETENTION_HOURS"))
        });
        same(
            "deploy/k8s/kafka.yaml StatefulSet/kafka",
            "KAFKA_LOG_RETENTION_HOURS",
            hours_ms(broker.flatten()),
            keep,
            p,
        );
        let job = d.files.get("k8s/kafka.yaml").cloned().unwrap_or_default();
        for needle in [
            "\"$CONTACTS_TOPIC\" \"$CONTACTS_RETENTION_MS\"",
            "--topic \"$ERASURES_TOPIC\" --partitions 1",
            "cleanup.policy=compact",
        ] {
            if !job.contains(needle) {
                p.add(
                    "deploy/k8s/kafka.yaml Job/kafka-topics",
                    format!("does not run {needle}"),
                );
            }
        }
    }

    let file = "deploy/compose.yaml";
    let docs = yaml_docs(
        file,
        d.files.get("compose.yaml").map_or("", String::as_str),
        p,
    );
    let Some(doc) = docs.first() else { return };
    let env = |svc: &str, name: &str| scalar_at(doc, &["services", svc, "environment", name]);
    let compose_keep = retention(
        &format!("{file} service writer"),
        env("writer", "UDACONNECT_RETENTION"),
        p,
    );
    let k8s_keep = config("udaconnect-config")
        .get("UDACONNECT_RETENTION")
        .and_then(|v| udaconnect_config::parse_retention(v).ok())
        .and_then(|r| r.get());
    if let Some(keep) = compose_keep {
        if k8s_keep.is_some_and(|k| k != keep) {
            p.add(
                file,
                "UDACONNECT_RETENTION differs from deploy/k8s/config.yaml",
            );
        }
        same(
            &format!("{file} service kafka"),
            "KAFKA_LOG_RETENTION_HOURS",
            hours_ms(env("kafka", "KAFKA_LOG_RETENTION_HOURS")),
            keep,
            p,
        );
    }
}

fn at_path<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    at(v, path)
}
