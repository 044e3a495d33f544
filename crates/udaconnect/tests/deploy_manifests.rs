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
//! - no secret but clearly marked local-dev defaults; resources requests and limits everywhere.
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
const DEPLOYED: [Target; 5] = [
    Target::Gateway,
    Target::Persons,
    Target::Ingest,
    Target::Writer,
    Target::Connections,
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

// ---------------------------------------------------------------------------------------------
// Inputs

/// The files under `deploy/`, by path relative to it (`/`-separated).
#[derive(Clone)]
struct Deploy {
    files: BTreeMap<String, String>,
}

impl Deploy {
    fn load() -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy");
        let mut files = BTreeMap::new();
        let mut dirs = vec![root.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
                let path: PathBuf = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    let rel = path.strip_prefix(&root).unwrap().to_string_lossy();
                    let text = fs::read_to_string(&path)
                        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                    files.insert(rel.replace('\\', "/"), text);
                }
            }
        }
        Self { files }
    }

    /// A copy with `from` replaced by `to` in `file` (which must contain it).
    fn edit(&self, file: &str, from: &str, to: &str) -> Self {
        let mut d = self.clone();
        let text = d.files.get_mut(file).unwrap_or_else(|| panic!("no {file}"));
        assert!(text.contains(from), "{file} does not contain {from:?}");
        *text = text.replacen(from, to, 1);
        d
    }
}

/// Every problem found, as `where: what`.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn add(&mut self, at: &str, what: impl std::fmt::Display) {
        self.0.push(format!("{at}: {what}"));
    }
}

fn yaml_docs(file: &str, text: &str, p: &mut Problems) -> Vec<Value> {
    let mut docs = Vec::new();
    for (i, de) in serde_norway::Deserializer::from_str(text).enumerate() {
        match Value::deserialize(de) {
            Ok(mut v) => {
                if let Err(e) = v.apply_merge() {
                    p.add(&format!("{file} document {}", i + 1), e);
                }
                if !v.is_null() {
                    docs.push(v);
                }
            }
            Err(e) => {
                p.add(&format!("{file} document {}", i + 1), e);
                break;
            }
        }
    }
    docs
}

// ---------------------------------------------------------------------------------------------
// Small helpers over YAML values

fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(k))
}

fn items(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_sequence).map_or(&[], Vec::as_slice)
}

fn entries(v: Option<&Value>) -> Vec<(String, &Value)> {
    v.and_then(Value::as_mapping)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| scalar(k).map(|k| (k, v)))
                .collect()
        })
        .unwrap_or_default()
}

/// A scalar as a string (YAML `8080` and `"8080"` alike).
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn scalar_at(v: &Value, path: &[&str]) -> Option<String> {
    at(v, path).and_then(scalar)
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => s.split_whitespace().map(str::to_owned).collect(),
        other => items(other).iter().filter_map(scalar).collect(),
    }
}

/// Every string scalar (keys included) under `v`.
fn all_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Sequence(s) => s.iter().for_each(|v| all_strings(v, out)),
        Value::Mapping(m) => m.iter().for_each(|(k, v)| {
            all_strings(k, out);
            all_strings(v, out);
        }),
        Value::Tagged(t) => all_strings(&t.value, out),
        _ => {}
    }
}

/// `UDACONNECT_*` words of a text.
fn udaconnect_words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.len() > "UDACONNECT_".len() && w.starts_with("UDACONNECT_"))
        .map(str::to_owned)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The binary's command line

/// `udaconnect [telemetry flags] serve [serve flags]`, as the binary defines it.
fn cli() -> Command {
    TelemetryArgs::augment_args(Command::new("udaconnect"))
        .subcommand(ServeArgs::augment_args(Command::new("serve")))
        .subcommand_required(true)
}

struct Flag {
    long: String,
    takes_value: bool,
}

/// Environment variable → flag, for every flag of `serve` and the global telemetry flags.
fn known_env() -> BTreeMap<String, Flag> {
    let mut cmd = cli();
    cmd.build();
    let serve = cmd.find_subcommand("serve").unwrap().clone();
    cmd.get_arguments()
        .chain(serve.get_arguments())
        .filter_map(|a| {
            let env = a.get_env()?.to_str()?.to_owned();
            let long = a.get_long()?.to_owned();
            Some((
                env,
                Flag {
                    long,
                    takes_value: a.get_action().takes_values(),
                },
            ))
        })
        .collect()
}

/// The parsed configuration of one UdaConnect container.
struct Parsed {
    serve: ServeArgs,
    targets: Targets,
}

/// Parses a container's arguments (after the entrypoint) with its environment the way the
/// binary would: flags win over environment variables.
fn parse_container(
    args: &[String],
    env: &BTreeMap<String, String>,
    known: &BTreeMap<String, Flag>,
) -> Result<Parsed, String> {
    if args.first().map(String::as_str) != Some("serve") {
        return Err(format!("arguments {args:?} do not start with `serve`"));
    }
    // Targets first, with the domain's own parser, for a clear message.
    let mut target_values = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--target" {
            target_values.extend(it.next().cloned());
        } else if let Some(v) = a.strip_prefix("--target=") {
            target_values.push(v.to_owned());
        }
    }
    target_values.extend(env.get("UDACONNECT_TARGET").cloned());
    for v in &target_values {
        for t in v.split(',') {
            Target::from_str(t).map_err(|e| format!("target {t:?}: {e}"))?;
        }
    }

    let given: BTreeSet<&str> = args
        .iter()
        .filter_map(|a| a.strip_prefix("--"))
        .map(|a| a.split('=').next().unwrap())
        .collect();
    let mut argv = vec!["udaconnect".to_owned()];
    argv.extend(args.iter().cloned());
    for (name, value) in env.iter().filter(|(k, _)| k.starts_with("UDACONNECT_")) {
        let flag = known
            .get(name)
            .ok_or_else(|| format!("{name} is not the environment variable of any flag"))?;
        if given.contains(flag.long.as_str()) {
            continue;
        }
        if flag.takes_value {
            argv.push(format!("--{}={value}", flag.long));
        } else {
            match value.to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => argv.push(format!("--{}", flag.long)),
                "0" | "false" | "no" | "off" | "" => {}
                _ => return Err(format!("{name}={value:?} is not a boolean")),
            }
        }
    }
    let matches: ArgMatches = cli().try_get_matches_from(&argv).map_err(|e| {
        let msg = e.to_string();
        format!(
            "`{}` does not parse: {}",
            argv.join(" "),
            msg.lines().next().unwrap_or_default()
        )
    })?;
    TelemetryArgs::from_arg_matches(&matches).map_err(|e| e.to_string())?;
    let serve = ServeArgs::from_arg_matches(matches.subcommand_matches("serve").unwrap())
        .map_err(|e| e.to_string())?;
    let targets = Targets::new(&serve.target);
    Ok(Parsed { serve, targets })
}

/// `http://host:port` → (host, port).
fn host_port(url: &str) -> Option<(String, u16)> {
    let rest = url.strip_prefix("http://")?.trim_end_matches('/');
    let (host, port) = rest.rsplit_once(':')?;
    Some((host.to_owned(), port.parse().ok()?))
}

/// The password of a `scheme://user:password@host` URL.
fn url_password(s: &str) -> Option<&str> {
    let rest = s.split_once("://")?.1;
    let userinfo = rest.split_once('@')?.0;
    Some(userinfo.split_once(':')?.1)
}

/// Checks of one UdaConnect container that hold everywhere (k8s and compose).
fn check_parsed(at: &str, c: &Parsed, distributed: bool, p: &mut Problems) {
    let s = &c.serve;
    if !s.http_addr.ip().is_unspecified() || s.http_addr.port() != HTTP_PORT {
        p.add(
            at,
            format!("HTTP address {} is not 0.0.0.0:{HTTP_PORT}", s.http_addr),
        );
    }
    let serves_grpc = GRPC_SERVERS.iter().any(|t| c.targets.runs(*t));
    if serves_grpc && (!s.grpc_addr.ip().is_unspecified() || s.grpc_addr.port() != GRPC_PORT) {
        p.add(
            at,
            format!("gRPC address {} is not 0.0.0.0:{GRPC_PORT}", s.grpc_addr),
        );
    }
    if !distributed {
        return;
    }
    if !matches!(s.bus, BusUrl::Kafka(_)) {
        p.add(at, format!("event log {:?} is not Kafka", s.bus));
    }
    if NEEDS_STORE.iter().any(|t| c.targets.runs(*t)) && !matches!(s.store, StoreUrl::Postgres(_)) {
        p.add(at, format!("store {:?} is not PostgreSQL", s.store));
    }
}

/// The peer URLs a container needs: (peer target, env name, URL or None).
fn peer_urls(c: &Parsed) -> Vec<(Target, &'static str, Option<String>)> {
    let mut out = Vec::new();
    for t in c.targets.iter() {
        for (peer, env) in peers(t) {
            if c.targets.runs(*peer) {
                continue; // in-process
            }
            let url = match *env {
                "UDACONNECT_PERSONS_URL" => c.serve.persons_url.clone(),
                "UDACONNECT_CONNECTIONS_URL" => c.serve.connections_url.clone(),
                _ => c.serve.ingest_url.clone(),
            };
            out.push((*peer, *env, url));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Dockerfile

/// The `UDACONNECT_*` variables the image sets (`ENV`), after checking the Dockerfile's shape.
fn dockerfile_env(d: &Deploy, p: &mut Problems) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    let Some(text) = d.files.get("Dockerfile") else {
        p.add("deploy/Dockerfile", "missing");
        return env;
    };
    let joined = text.replace("\\\n", " ");
    let instructions: Vec<&str> = joined
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    // Only the final (runtime) stage matters.
    let last_from = instructions
        .iter()
        .rposition(|l| l.starts_with("FROM "))
        .unwrap_or(0);
    let runtime = &instructions[last_from..];
    let has = |prefix: &str, want: &str| {
        runtime
            .iter()
            .any(|l| l.starts_with(prefix) && l.contains(want))
    };
    if !has("ENTRYPOINT", r#"["udaconnect"]"#) {
        p.add(
            "deploy/Dockerfile",
            r#"runtime stage has no ENTRYPOINT ["udaconnect"]"#,
        );
    }
    for port in [HTTP_PORT, GRPC_PORT] {
        if !has("EXPOSE", &port.to_string()) {
            p.add(
                "deploy/Dockerfile",
                format!("runtime stage does not EXPOSE {port}"),
            );
        }
    }
    match runtime.iter().rev().find_map(|l| l.strip_prefix("USER ")) {
        Some(u)
            if u.split(':')
                .next()
                .unwrap()
                .parse::<u32>()
                .is_ok_and(|n| n != 0) => {}
        other => p.add(
            "deploy/Dockerfile",
            format!("runtime user {other:?} is not a numeric non-root id"),
        ),
    }
    for l in runtime {
        if let Some(rest) = l.strip_prefix("ENV ") {
            for pair in rest.split_whitespace() {
                if let Some((k, v)) = pair.split_once('=') {
                    env.insert(k.to_owned(), v.trim_matches('"').to_owned());
                }
            }
        }
    }
    env
}

// ---------------------------------------------------------------------------------------------
// Kubernetes

struct Obj {
    file: String,
    kind: String,
    name: String,
    v: Value,
}

impl Obj {
    fn id(&self) -> String {
        format!("k8s/{} {}/{}", self.file, self.kind, self.name)
    }
}

/// The objects of the kustomization, after checking that its `resources` are exactly the
/// manifest files of `deploy/k8s/`.
fn k8s_objects(d: &Deploy, p: &mut Problems) -> (Vec<Obj>, BTreeSet<String>) {
    let at = "deploy/k8s/kustomization.yaml";
    let Some(text) = d.files.get("k8s/kustomization.yaml") else {
        p.add(at, "missing");
        return (Vec::new(), BTreeSet::new());
    };
    let docs = yaml_docs(at, text, p);
    let Some(k) = docs.first() else {
        p.add(at, "empty");
        return (Vec::new(), BTreeSet::new());
    };
    let listed: Vec<String> = strings(k.get("resources"));
    let on_disk: BTreeSet<String> = d
        .files
        .keys()
        .filter_map(|f| f.strip_prefix("k8s/"))
        .filter(|f| (f.ends_with(".yaml") || f.ends_with(".yml")) && *f != "kustomization.yaml")
        .map(str::to_owned)
        .collect();
    let listed_set: BTreeSet<String> = listed.iter().cloned().collect();
    if listed_set.len() != listed.len() {
        p.add(at, "a resource is listed twice");
    }
    for f in listed_set.difference(&on_disk) {
        p.add(at, format!("resource {f} does not exist"));
    }
    for f in on_disk.difference(&listed_set) {
        p.add(at, format!("deploy/k8s/{f} is not listed in resources"));
    }
    // Objects the kustomization generates.
    let mut generated = BTreeSet::new();
    for g in ["configMapGenerator", "secretGenerator"] {
        for item in items(k.get(g)) {
            generated.extend(scalar_at(item, &["name"]));
        }
    }
    let mut objs = Vec::new();
    for f in listed_set.intersection(&on_disk) {
        for v in yaml_docs(&format!("deploy/k8s/{f}"), &d.files[&format!("k8s/{f}")], p) {
            let (Some(kind), Some(name)) = (
                scalar_at(&v, &["kind"]),
                scalar_at(&v, &["metadata", "name"]),
            ) else {
                p.add(
                    &format!("deploy/k8s/{f}"),
                    "a document without kind or metadata.name",
                );
                continue;
            };
            objs.push(Obj {
                file: f.clone(),
                kind,
                name,
                v,
            });
        }
    }
    let mut seen = BTreeSet::new();
    for o in &objs {
        if !seen.insert((o.kind.clone(), o.name.clone())) {
            p.add(&o.id(), "defined twice");
        }
    }
    (objs, generated)
}

/// Key → value of a ConfigMap (`data`) or Secret (`stringData`, `data`).
fn object_data(o: &Obj) -> BTreeMap<String, String> {
    ["data", "stringData"]
        .iter()
        .flat_map(|f| entries(o.v.get(f)))
        .filter_map(|(k, v)| Some((k, scalar(v)?)))
        .collect()
}

/// A container of a workload, with what is needed to check it.
struct K8sContainer<'a> {
    at: String,
    workload: &'a Obj,
    v: &'a Value,
    /// Declared ports: name → number (unnamed ports under their number).
    ports: BTreeMap<String, i64>,
}

fn containers(objs: &[Obj]) -> Vec<K8sContainer<'_>> {
    let mut out = Vec::new();
    for o in objs {
        if !matches!(
            o.kind.as_str(),
            "Deployment" | "StatefulSet" | "DaemonSet" | "Job"
        ) {
            continue;
        }
        let spec = at(&o.v, &["spec", "template", "spec"]);
        for group in ["initContainers", "containers"] {
            for c in items(spec.and_then(|s| s.get(group))) {
                let name = scalar_at(c, &["name"]).unwrap_or_default();
                let ports = items(c.get("ports"))
                    .iter()
                    .filter_map(|port| {
                        let n = at(port, &["containerPort"])?.as_i64()?;
                        Some((
                            scalar_at(port, &["name"]).unwrap_or_else(|| n.to_string()),
                            n,
                        ))
                    })
                    .collect();
                out.push(K8sContainer {
                    at: format!("{} container {name}", o.id()),
                    workload: o,
                    v: c,
                    ports,
                });
            }
        }
    }
    out
}

fn is_udaconnect_image(image: &str) -> bool {
    image == "udaconnect" || image.starts_with("udaconnect:") || image.ends_with("/udaconnect")
}

/// Resolves a probe or Service port (a name or a number) against declared ports.
fn resolve_port(port: &Value, declared: &BTreeMap<String, i64>) -> Option<i64> {
    match port {
        Value::Number(n) => n.as_i64().filter(|n| declared.values().any(|d| d == n)),
        Value::String(name) => declared.get(name).copied(),
        _ => None,
    }
}

fn check_k8s(
    d: &Deploy,
    image_env: &BTreeMap<String, String>,
    known: &BTreeMap<String, Flag>,
    p: &mut Problems,
) {
    let (objs, generated) = k8s_objects(d, p);
    let by_kind = |kind: &str| -> BTreeMap<String, &Obj> {
        objs.iter()
            .filter(|o| o.kind == kind)
            .map(|o| (o.name.clone(), o))
            .collect()
    };
    let config_maps = by_kind("ConfigMap");
    let secrets = by_kind("Secret");

    // Secrets: local-dev defaults only, readable, and marked.
    for s in secrets.values() {
        if s.v.get("data").is_some() {
            p.add(
                &s.id(),
                "uses `data`: write local-dev defaults as `stringData`",
            );
        }
        if scalar_at(
            &s.v,
            &[
                "metadata",
                "annotations",
                "udaconnect.dev/local-dev-defaults",
            ],
        )
        .as_deref()
            != Some("true")
        {
            p.add(
                &s.id(),
                "lacks the udaconnect.dev/local-dev-defaults: \"true\" annotation",
            );
        }
        for (k, v) in object_data(s) {
            if !v.contains(LOCAL_DEV) {
                p.add(&s.id(), format!("{k} is not a marked {LOCAL_DEV} default"));
            }
        }
    }
    // No password in a URL outside Secrets: only $(VAR) references.
    for o in objs.iter().filter(|o| o.kind != "Secret") {
        let mut all = Vec::new();
        all_strings(&o.v, &mut all);
        for s in all {
            if let Some(pw) = url_password(&s)
                && !(pw.starts_with("$(") && pw.ends_with(')'))
            {
                p.add(
                    &o.id(),
                    format!("a literal password in {s:?}: use a Secret"),
                );
            }
        }
    }

    let mut deployed: BTreeMap<Target, Vec<String>> = BTreeMap::new();
    // (container at, workload, parsed) of the UdaConnect containers, for the URL checks.
    let mut parsed_containers = Vec::new();
    let all_containers = containers(&objs);
    for c in &all_containers {
        // Resources.
        for kind in ["requests", "limits"] {
            if entries(at(c.v, &["resources", kind])).is_empty() {
                p.add(&c.at, format!("no resources.{kind}"));
            }
        }
        // References to ConfigMaps and Secrets, and the environment they give.
        let image = scalar_at(c.v, &["image"]).unwrap_or_default();
        let mut env: BTreeMap<String, String> = if is_udaconnect_image(&image) {
            image_env.clone()
        } else {
            BTreeMap::new()
        };
        let lookup = |kind: &str, name: &str| -> Option<BTreeMap<String, String>> {
            let objs = if kind == "configMap" {
                &config_maps
            } else {
                &secrets
            };
            if let Some(o) = objs.get(name) {
                Some(object_data(o))
            } else if generated.contains(name) {
                Some(BTreeMap::new())
            } else {
                None
            }
        };
        for from in items(c.v.get("envFrom")) {
            for (field, kind) in [("configMapRef", "configMap"), ("secretRef", "secret")] {
                if let Some(name) = scalar_at(from, &[field, "name"]) {
                    match lookup(kind, &name) {
                        Some(data) => env.extend(data),
                        None => p.add(&c.at, format!("{field} {name:?} is not defined")),
                    }
                }
            }
        }
        for e in items(c.v.get("env")) {
            let Some(name) = scalar_at(e, &["name"]) else {
                continue;
            };
            let value = if let Some(v) = scalar_at(e, &["value"]) {
                // $(VAR) refers to variables declared before.
                let mut v = v;
                for (k, val) in &env {
                    v = v.replace(&format!("$({k})"), val);
                }
                if v.contains("$(") {
                    p.add(&c.at, format!("{name}: unresolved reference in {v:?}"));
                }
                v
            } else if at(e, &["valueFrom", "fieldRef"]).is_some() {
                "field".to_owned()
            } else {
                let mut found = None;
                for (field, kind) in [("configMapKeyRef", "configMap"), ("secretKeyRef", "secret")]
                {
                    let Some(r) = at(e, &["valueFrom", field]) else {
                        continue;
                    };
                    let (obj, key) = (
                        scalar_at(r, &["name"]).unwrap_or_default(),
                        scalar_at(r, &["key"]).unwrap_or_default(),
                    );
                    match lookup(kind, &obj) {
                        None => p.add(&c.at, format!("{name}: {field} {obj:?} is not defined")),
                        Some(data) if generated.contains(&obj) => {
                            found = data.get(&key).cloned().or(Some(String::new()))
                        }
                        Some(data) => match data.get(&key) {
                            Some(v) => found = Some(v.clone()),
                            None => p.add(&c.at, format!("{name}: {obj:?} has no key {key:?}")),
                        },
                    }
                }
                found.unwrap_or_default()
            };
            env.insert(name, value);
        }
        // Probes: named ports must be declared.
        for probe in ["startupProbe", "livenessProbe", "readinessProbe"] {
            for method in ["httpGet", "tcpSocket", "grpc"] {
                if let Some(port) = at(c.v, &[probe, method, "port"])
                    && resolve_port(port, &c.ports).is_none()
                {
                    p.add(
                        &c.at,
                        format!("{probe} port {port:?} is not a declared port"),
                    );
                }
            }
        }
        // Ports named http and grpc are UdaConnect's.
        for (name, want) in [("http", HTTP_PORT), ("grpc", GRPC_PORT)] {
            if let Some(n) = c.ports.get(name)
                && *n != i64::from(want)
            {
                p.add(&c.at, format!("port {name} is {n}, not {want}"));
            }
        }

        if !is_udaconnect_image(&image) {
            continue;
        }
        // UdaConnect containers: the command line and environment parse; probes and ports.
        let mut args = strings(c.v.get("command"));
        if let Some(first) = args.first() {
            if first != "udaconnect" {
                p.add(
                    &c.at,
                    format!("command {first:?} is not the udaconnect binary"),
                );
            }
            args.remove(0);
        }
        args.extend(strings(c.v.get("args")));
        let parsed = match parse_container(&args, &env, known) {
            Ok(parsed) => parsed,
            Err(e) => {
                p.add(&c.at, e);
                continue;
            }
        };
        check_parsed(&c.at, &parsed, true, p);
        if c.ports.get("http") != Some(&i64::from(HTTP_PORT)) {
            p.add(&c.at, format!("no container port named http ({HTTP_PORT})"));
        }
        let serves_grpc = GRPC_SERVERS.iter().any(|t| parsed.targets.runs(*t));
        match (serves_grpc, c.ports.get("grpc")) {
            (true, None) => p.add(
                &c.at,
                format!("serves gRPC but declares no port named grpc ({GRPC_PORT})"),
            ),
            (false, Some(_)) => p.add(&c.at, "declares a grpc port but runs no gRPC target"),
            _ => {}
        }
        for (probe, path) in [
            ("startupProbe", None),
            ("livenessProbe", Some("/health/live")),
            ("readinessProbe", Some("/health/ready")),
        ] {
            let Some(get) = at(c.v, &[probe, "httpGet"]) else {
                if path.is_some() {
                    p.add(&c.at, format!("no {probe} httpGet"));
                }
                continue;
            };
            let got = scalar_at(get, &["path"]).unwrap_or_default();
            let ok_path = match path {
                Some(want) => got == want,
                None => got == "/health/live" || got == "/health/ready",
            };
            if !ok_path {
                p.add(
                    &c.at,
                    format!(
                        "{probe} path {got:?} is not {}",
                        path.unwrap_or("a health path")
                    ),
                );
            }
            if get
                .get("port")
                .and_then(|port| resolve_port(port, &c.ports))
                != Some(i64::from(HTTP_PORT))
            {
                p.add(
                    &c.at,
                    format!("{probe} is not on the http port ({HTTP_PORT})"),
                );
            }
        }
        if c.workload.kind == "Deployment" {
            for t in parsed.targets.iter() {
                deployed.entry(t).or_default().push(c.at.clone());
            }
        }
        parsed_containers.push((c.at.clone(), c.workload, parsed));
    }

    // Exactly the implemented targets, once each.
    for t in DEPLOYED {
        if !deployed.contains_key(&t) {
            p.add("deploy/k8s", format!("no Deployment runs the {t} target"));
        }
    }
    for (t, at) in &deployed {
        if !DEPLOYED.contains(t) {
            p.add(
                &at.join(", "),
                format!("runs {t}, which is not deployed yet"),
            );
        } else if at.len() > 1 {
            p.add(
                &at.join(", "),
                format!("{t} runs in more than one Deployment"),
            );
        }
    }

    // Services: select a workload, target a declared port.
    let pod_labels = |o: &Obj| -> BTreeMap<String, String> {
        entries(at(&o.v, &["spec", "template", "metadata", "labels"]))
            .into_iter()
            .filter_map(|(k, v)| Some((k, scalar(v)?)))
            .collect()
    };
    let selected = |svc: &Obj| -> Vec<&Obj> {
        let selector: BTreeMap<String, String> = entries(at(&svc.v, &["spec", "selector"]))
            .into_iter()
            .filter_map(|(k, v)| Some((k, scalar(v)?)))
            .collect();
        if selector.is_empty() {
            return Vec::new();
        }
        let mut workloads: Vec<&Obj> = Vec::new();
        for c in &all_containers {
            let labels = pod_labels(c.workload);
            if selector.iter().all(|(k, v)| labels.get(k) == Some(v))
                && !workloads.iter().any(|w| std::ptr::eq(*w, c.workload))
            {
                workloads.push(c.workload);
            }
        }
        workloads
    };
    let services = by_kind("Service");
    for svc in services.values() {
        let workloads = selected(svc);
        if workloads.is_empty() {
            p.add(&svc.id(), "selects no workload");
            continue;
        }
        let declared: BTreeMap<String, i64> = all_containers
            .iter()
            .filter(|c| workloads.iter().any(|w| std::ptr::eq(*w, c.workload)))
            .flat_map(|c| c.ports.clone())
            .collect();
        for port in items(at(&svc.v, &["spec", "ports"])) {
            let target = port.get("targetPort").or_else(|| port.get("port"));
            if target.and_then(|t| resolve_port(t, &declared)).is_none() {
                p.add(
                    &svc.id(),
                    format!("targetPort {:?} is not a port of the selected pods", target),
                );
            }
        }
    }
    // The gateway is reached on NodePort 30001, as the POC's API was.
    let gateway_services: Vec<&&Obj> = services
        .values()
        .filter(|svc| {
            selected(svc).iter().any(|w| {
                parsed_containers
                    .iter()
                    .any(|(_, cw, c)| std::ptr::eq(*cw, *w) && c.targets.runs(Target::Gateway))
            })
        })
        .collect();
    let node_port_ok = gateway_services.iter().any(|svc| {
        scalar_at(&svc.v, &["spec", "type"]).as_deref() == Some("NodePort")
            && items(at(&svc.v, &["spec", "ports"])).iter().any(|port| {
                at(port, &["nodePort"]).and_then(Value::as_i64) == Some(GATEWAY_NODE_PORT)
            })
    });
    if !node_port_ok {
        p.add(
            "deploy/k8s",
            format!("no NodePort {GATEWAY_NODE_PORT} Service for the gateway"),
        );
    }
    // Peer URLs: a Service, on a port it has, selecting pods that run the peer target.
    for (at_, _, c) in &parsed_containers {
        for (peer, env, url) in peer_urls(c) {
            let Some(url) = url else {
                p.add(
                    at_,
                    format!("{env} is not set (the {peer} target runs elsewhere)"),
                );
                continue;
            };
            let Some((host, port)) = host_port(&url) else {
                p.add(at_, format!("{env}={url:?} is not http://host:port"));
                continue;
            };
            let Some(svc) = services.get(&host) else {
                p.add(at_, format!("{env}: no Service named {host:?}"));
                continue;
            };
            let has_port = items(at(&svc.v, &["spec", "ports"]))
                .iter()
                .any(|sp| at(sp, &["port"]).and_then(Value::as_i64) == Some(i64::from(port)));
            if !has_port {
                p.add(at_, format!("{env}: Service {host} has no port {port}"));
            }
            let runs_peer = selected(svc).iter().any(|w| {
                parsed_containers
                    .iter()
                    .any(|(_, cw, pc)| std::ptr::eq(*cw, *w) && pc.targets.runs(peer))
            });
            if !runs_peer {
                p.add(
                    at_,
                    format!("{env}: Service {host} does not select the {peer} target"),
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// compose.yaml

fn check_compose(
    d: &Deploy,
    image_env: &BTreeMap<String, String>,
    known: &BTreeMap<String, Flag>,
    p: &mut Problems,
) {
    let file = "deploy/compose.yaml";
    let Some(text_) = d.files.get("compose.yaml") else {
        p.add(file, "missing");
        return;
    };
    let docs = yaml_docs(file, text_, p);
    let Some(doc) = docs.first() else {
        p.add(file, "empty");
        return;
    };
    let services = entries(doc.get("services"));
    let names: BTreeSet<&str> = services.iter().map(|(n, _)| n.as_str()).collect();
    let mut parsed: Vec<(String, String, Parsed, bool)> = Vec::new();
    for (name, svc) in &services {
        let at_ = format!("{file} service {name}");
        let deps: Vec<String> = match svc.get("depends_on") {
            Some(Value::Mapping(_)) => entries(svc.get("depends_on"))
                .into_iter()
                .map(|(k, _)| k)
                .collect(),
            other => strings(other),
        };
        for dep in deps {
            if !names.contains(dep.as_str()) {
                p.add(&at_, format!("depends on unknown service {dep:?}"));
            }
        }
        let mut env = BTreeMap::new();
        match svc.get("environment") {
            Some(Value::Mapping(_)) => {
                for (k, v) in entries(svc.get("environment")) {
                    env.insert(k, scalar(v).unwrap_or_default());
                }
            }
            other => {
                for kv in strings(other) {
                    let (k, v) = kv.split_once('=').unwrap_or((&kv, ""));
                    env.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        for (k, v) in &env {
            let secretish = k.contains("PASSWORD") || k.contains("SECRET") || k.contains("TOKEN");
            if secretish && !v.contains(LOCAL_DEV) {
                p.add(&at_, format!("{k} is not a marked {LOCAL_DEV} default"));
            }
            if let Some(pw) = url_password(v)
                && !pw.contains(LOCAL_DEV)
            {
                p.add(
                    &at_,
                    format!("{k}: password in {v:?} is not a marked {LOCAL_DEV} default"),
                );
            }
        }
        let image = scalar_at(svc, &["image"]).unwrap_or_default();
        if !is_udaconnect_image(&image) {
            continue;
        }
        let mut full_env = image_env.clone();
        full_env.extend(env);
        let args = strings(svc.get("command"));
        let c = match parse_container(&args, &full_env, known) {
            Ok(c) => c,
            Err(e) => {
                p.add(&at_, e);
                continue;
            }
        };
        let optional = svc.get("profiles").is_some();
        check_parsed(&at_, &c, !c.targets.is_all(), p);
        for published in strings(svc.get("ports")) {
            let container_port = published.rsplit(':').next().unwrap_or_default();
            if container_port != HTTP_PORT.to_string() && container_port != GRPC_PORT.to_string() {
                p.add(
                    &at_,
                    format!("publishes {published:?}, not the http or grpc port"),
                );
            }
        }
        parsed.push((name.clone(), at_, c, optional));
    }
    // The default (profile-less) services run exactly the deployed targets, once each.
    let mut deployed: BTreeMap<Target, usize> = BTreeMap::new();
    for (_, _, c, optional) in &parsed {
        if !optional {
            c.targets
                .iter()
                .for_each(|t| *deployed.entry(t).or_default() += 1);
        }
    }
    for t in DEPLOYED {
        if deployed.get(&t) != Some(&1) {
            p.add(
                file,
                format!(
                    "the {t} target runs in {} services, not 1",
                    deployed.get(&t).unwrap_or(&0)
                ),
            );
        }
    }
    for t in deployed.keys().filter(|t| !DEPLOYED.contains(t)) {
        p.add(file, format!("runs {t}, which is not deployed yet"));
    }
    // Peer URLs name a service running that target, on the gRPC port.
    for (_, at_, c, _) in &parsed {
        for (peer, env, url) in peer_urls(c) {
            let Some(url) = url else {
                p.add(
                    at_,
                    format!("{env} is not set (the {peer} target runs elsewhere)"),
                );
                continue;
            };
            match host_port(&url) {
                Some((host, GRPC_PORT)) => {
                    if !parsed
                        .iter()
                        .any(|(n, _, pc, _)| *n == host && pc.targets.runs(peer))
                    {
                        p.add(
                            at_,
                            format!("{env}: service {host:?} does not run the {peer} target"),
                        );
                    }
                }
                _ => p.add(
                    at_,
                    format!("{env}={url:?} is not http://service:{GRPC_PORT}"),
                ),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------

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
        r#""--target", "detector""#,
    );
    assert_caught(&d, "no Deployment runs the writer target");
    assert_caught(&d, "runs detector");
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
