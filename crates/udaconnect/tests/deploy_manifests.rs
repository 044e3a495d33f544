//! The deployment artefacts under `deploy/` (the Dockerfile, `compose.yaml` and the Kubernetes
//! manifests of `deploy/k8s/`) agree with the binary they run. Every YAML document is parsed,
//! and every UdaConnect container's command line and environment is parsed by the binary's own
//! clap definitions (`ServeArgs`, `TelemetryArgs`), so a misspelt target, flag, variable or URL
//! fails here, not in a cluster. Checked:
//!
//! - every `--target` / `UDACONNECT_TARGET` value is a `Target`; the deployments run exactly
//!   the implemented distributed targets, once each;
//! - every `UDACONNECT_*` name anywhere under `deploy/` (comments included) is the environment
//!   variable of a flag, and every container's configuration parses;
//! - ports: `http` is 8080 and `grpc` 50051, as the listen addresses say; probes hit
//!   `/health/live` and `/health/ready` on `http`; every named probe port is declared;
//! - every Service selects a workload and targets a port its pods declare; the gateway is
//!   NodePort 30001; every peer URL names a Service (or compose service) running that target;
//! - every ConfigMap/Secret reference (and key) names an object of the kustomization, whose
//!   `resources` are exactly the files of `deploy/k8s/`;
//! - no secret but clearly marked local-dev defaults; resources requests and limits everywhere;
//! - retention: `UDACONNECT_RETENTION` is set (not `off`), the same in compose and Kubernetes,
//!   and equal to every Kafka topic's `retention.ms` and the brokers' default; the erasures
//!   topic is created compacted.
//!
//! The `*_fails` tests below break one thing each in a copy of the files and check that it
//! is caught.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
    str::FromStr,
};

use clap::{ArgMatches, Args, Command, FromArgMatches};
use serde::Deserialize;
use serde_norway::Value;
use udaconnect_config::{BusUrl, ServeArgs, StoreUrl, Target, Targets, TelemetryArgs};

/// The targets that are deployed, one Deployment (and one compose service) each.
const DEPLOYED: [Target; 6] = [
    Target::Gateway,
    Target::Persons,
    Target::Ingest,
    Target::Writer,
    Target::Connections,
    Target::Detector,
];
/// Targets that need the store (ingest: for its hi/lo id blocks), and the peers (`*_URL`
/// flags) each target calls over gRPC.
const NEEDS_STORE: [Target; 4] = [
    Target::Persons,
    Target::Ingest,
    Target::Writer,
    Target::Connections,
];
const GRPC_SERVERS: [Target; 3] = [Target::Persons, Target::Ingest, Target::Connections];
const HTTP_PORT: u16 = 8080;
const GRPC_PORT: u16 = 50051;
const GATEWAY_NODE_PORT: i64 = 30001;
const LOCAL_DEV: &str = "local-dev";

fn peers(t: Target) -> &'static [(Target, &'static str)] {
    match t {
        Target::Gateway => &[
            (Target::Persons, "UDACONNECT_PERSONS_URL"),
            (Target::Connections, "UDACONNECT_CONNECTIONS_URL"),
            (Target::Ingest, "UDACONNECT_INGEST_URL"),
        ],
        Target::Ingest => &[(Target::Persons, "UDACONNECT_PERSONS_URL")],
        _ => &[],
    }
}

#[path = "deploy_manifests/cli.rs"]
mod cli;
#[path = "deploy_manifests/compose.rs"]
mod compose;
#[path = "deploy_manifests/dockerfile.rs"]
mod dockerfile;
#[path = "deploy_manifests/inputs.rs"]
mod inputs;
#[path = "deploy_manifests/k8s.rs"]
mod k8s;
#[path = "deploy_manifests/retention.rs"]
mod retention;
#[path = "deploy_manifests/yaml.rs"]
mod yaml;

#[allow(unused_imports)]
use cli::*;
#[allow(unused_imports)]
use compose::*;
#[allow(unused_imports)]
use dockerfile::*;
#[allow(unused_imports)]
use inputs::*;
#[allow(unused_imports)]
use k8s::*;
#[allow(unused_imports)]
use retention::*;
#[allow(unused_imports)]
use yaml::*;

fn check(d: &Deploy) -> Vec<String> {
    let mut p = Problems::default();
    let known = known_env();
    // Every UDACONNECT_* word anywhere under deploy/, comments included.
    for (file, text) in &d.files {
        for w in udaconnect_words(text) {
            if !known.contains_key(&w) {
                p.add(
                    &format!("deploy/{file}"),
                    format!("{w} is not the environment variable of any flag"),
                );
            }
        }
    }
    let image_env = dockerfile_env(d, &mut p);
    check_k8s(d, &image_env, &known, &mut p);
    check_compose(d, &image_env, &known, &mut p);
    check_retention(d, &mut p);
    p.0
}

fn assert_clean(d: &Deploy) {
    let problems = check(d);
    assert!(
        problems.is_empty(),
        "deploy/ problems:\n  {}",
        problems.join("\n  ")
    );
}

fn assert_caught(d: &Deploy, needle: &str) {
    let problems = check(d);
    assert!(
        problems.iter().any(|p| p.contains(needle)),
        "expected a problem mentioning {needle:?}, got:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn deploy_manifests_agree_with_the_binary() {
    let d = Deploy::load();
    assert!(d.files.contains_key("k8s/kustomization.yaml"));
    assert_clean(&d);
}

#[test]
fn the_flag_table_is_read_from_the_binary() {
    let known = known_env();
    for env in [
        "UDACONNECT_TARGET",
        "UDACONNECT_HTTP_ADDR",
        "UDACONNECT_GRPC_ADDR",
        "UDACONNECT_BUS",
        "UDACONNECT_STORE",
        "UDACONNECT_LOG_FORMAT",
    ] {
        assert!(
            known.contains_key(env),
            "{env} missing from {:?}",
            known.keys()
        );
    }
}

#[test]
fn the_ports_are_those_of_the_default_addresses() {
    let mut cmd = cli();
    cmd.build();
    let serve = cmd.find_subcommand("serve").unwrap();
    for (long, want) in [("http-addr", HTTP_PORT), ("grpc-addr", GRPC_PORT)] {
        let arg = serve
            .get_arguments()
            .find(|a| a.get_long() == Some(long))
            .unwrap_or_else(|| panic!("no --{long}"));
        let default = arg.get_default_values()[0].to_str().unwrap();
        let addr: std::net::SocketAddr = default.parse().unwrap();
        assert_eq!(addr.port(), want, "--{long} defaults to {default}");
    }
}

#[test]
fn a_misspelt_target_fails() {
    let d = Deploy::load().edit(
        "k8s/writer.yaml",
        r#""--target", "writer""#,
        r#""--target", "writter""#,
    );
    assert_caught(&d, "\"writter\"");
    let d = Deploy::load().edit(
        "compose.yaml",
        r#""--target", "connections""#,
        r#""--target", "conections""#,
    );
    assert_caught(&d, "\"conections\"");
}

#[test]
fn an_undeployed_or_missing_target_fails() {
    let d = Deploy::load().edit(
        "k8s/writer.yaml",
        r#""--target", "writer""#,
        r#""--target", "notifier""#,
    );
    assert_caught(&d, "no Deployment runs the writer target");
    assert_caught(&d, "runs notifier");
}

#[test]
fn an_unknown_environment_variable_fails() {
    let d = Deploy::load().edit(
        "k8s/config.yaml",
        "UDACONNECT_LOG_FORMAT:",
        "UDACONNECT_LOGFORMAT:",
    );
    assert_caught(
        &d,
        "UDACONNECT_LOGFORMAT is not the environment variable of any flag",
    );
    let d = Deploy::load().edit("compose.yaml", "UDACONNECT_BUS:", "UDACONNECT_BROKER:");
    assert_caught(&d, "UDACONNECT_BROKER");
}

#[test]
fn a_value_the_binary_rejects_fails() {
    let d = Deploy::load().edit(
        "k8s/config.yaml",
        "kafka://kafka:9092",
        "kafak://kafka:9092",
    );
    assert_caught(&d, "does not parse");
    let d = Deploy::load().edit(
        "k8s/config.yaml",
        r#"UDACONNECT_HTTP_ADDR: "0.0.0.0:8080""#,
        r#"UDACONNECT_HTTP_ADDR: "127.0.0.1:8080""#,
    );
    assert_caught(&d, "is not 0.0.0.0:8080");
}

#[test]
fn a_wrong_port_or_probe_fails() {
    let d = Deploy::load().edit(
        "k8s/persons.yaml",
        "containerPort: 50051",
        "containerPort: 50052",
    );
    assert_caught(&d, "port grpc is 50052");
    let d = Deploy::load().edit("k8s/ingest.yaml", "path: /health/ready", "path: /healthz");
    assert_caught(&d, "readinessProbe path \"/healthz\"");
    let d = Deploy::load().edit(
        "k8s/gateway.yaml",
        "port: http\n            periodSeconds: 10",
        "port: htp\n            periodSeconds: 10",
    );
    assert_caught(
        &d,
        "livenessProbe port String(\"htp\") is not a declared port",
    );
}

#[test]
fn a_service_without_its_port_or_node_port_fails() {
    let d = Deploy::load().edit(
        "k8s/connections.yaml",
        "targetPort: grpc",
        "targetPort: grcp",
    );
    assert_caught(&d, "Service/udaconnect-connections: targetPort");
    let d = Deploy::load().edit("k8s/gateway.yaml", "nodePort: 30001", "nodePort: 30002");
    assert_caught(&d, "no NodePort 30001 Service for the gateway");
    let d = Deploy::load().edit(
        "k8s/gateway.yaml",
        "http://udaconnect-persons:50051",
        "http://udaconnect-person:50051",
    );
    assert_caught(&d, "no Service named \"udaconnect-person\"");
}

#[test]
fn a_dangling_reference_fails() {
    let d = Deploy::load().edit(
        "k8s/gateway.yaml",
        "name: udaconnect-config",
        "name: udaconnect-configs",
    );
    assert_caught(&d, "configMapRef \"udaconnect-configs\" is not defined");
    let d = Deploy::load().edit("k8s/writer.yaml", "key: POSTGRES_PASSWORD", "key: PASSWORD");
    assert_caught(&d, "has no key \"PASSWORD\"");
}

#[test]
fn an_unlisted_or_missing_resource_fails() {
    let mut d = Deploy::load();
    d.files.insert(
        "k8s/extra.yaml".into(),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n".into(),
    );
    assert_caught(&d, "deploy/k8s/extra.yaml is not listed in resources");
    let mut d = Deploy::load();
    d.files.remove("k8s/ingest.yaml");
    assert_caught(&d, "resource ingest.yaml does not exist");
}

#[test]
fn a_real_looking_secret_fails() {
    let d = Deploy::load().edit(
        "k8s/secret.yaml",
        r#"POSTGRES_PASSWORD: "local-dev-password""#,
        r#"POSTGRES_PASSWORD: "hunter2""#,
    );
    assert_caught(&d, "POSTGRES_PASSWORD is not a marked local-dev default");
    let d = Deploy::load().edit(
        "compose.yaml",
        "POSTGRES_PASSWORD: local-dev-password",
        "POSTGRES_PASSWORD: hunter2",
    );
    assert_caught(&d, "POSTGRES_PASSWORD is not a marked local-dev default");
    let d = Deploy::load().edit("k8s/persons.yaml", "$(POSTGRES_PASSWORD)@", "hunter2@");
    assert_caught(&d, "a literal password");
}

#[test]
fn a_kafka_retention_that_differs_from_udaconnect_retention_fails() {
    let d = Deploy::load().edit(
        "k8s/config.yaml",
        r#"CONTACTS_RETENTION_MS: "2592000000""#,
        r#"CONTACTS_RETENTION_MS: "604800000""#,
    );
    assert_caught(
        &d,
        "CONTACTS_RETENTION_MS is 604800000 ms, not UDACONNECT_RETENTION",
    );
    let d = Deploy::load().edit(
        "compose.yaml",
        r#"KAFKA_LOG_RETENTION_HOURS: "720""#,
        r#"KAFKA_LOG_RETENTION_HOURS: "168""#,
    );
    assert_caught(&d, "KAFKA_LOG_RETENTION_HOURS is 604800000 ms");
    let d = Deploy::load().edit(
        "k8s/config.yaml",
        r#"UDACONNECT_RETENTION: "30d""#,
        r#"UDACONNECT_RETENTION: "off""#,
    );
    assert_caught(&d, "personal data would be kept forever");
    let d = Deploy::load().edit(
        "compose.yaml",
        "UDACONNECT_RETENTION: 30d",
        "UDACONNECT_RETENTION: 7d",
    );
    assert_caught(&d, "differs from deploy/k8s/config.yaml");
}
