//! Kubernetes (part of the deploy manifest checks).

use super::*;

pub(crate) struct Obj {
    pub(crate) file: String,
    pub(crate) kind: String,
    pub(crate) name: String,
    pub(crate) v: Value,
}

impl Obj {
    pub(crate) fn id(&self) -> String {
        format!("k8s/{} {}/{}", self.file, self.kind, self.name)
    }
}

/// The objects of the kustomization, after checking that its `resources` are exactly the
/// manifest files of `deploy/k8s/`.
pub(crate) fn k8s_objects(d: &Deploy, p: &mut Problems) -> (Vec<Obj>, BTreeSet<String>) {
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
pub(crate) fn object_data(o: &Obj) -> BTreeMap<String, String> {
    ["data", "stringData"]
        .iter()
        .flat_map(|f| entries(o.v.get(f)))
        .filter_map(|(k, v)| Some((k, scalar(v)?)))
        .collect()
}

/// A container of a workload, with what is needed to check it.
pub(crate) struct K8sContainer<'a> {
    pub(crate) at: String,
    pub(crate) workload: &'a Obj,
    pub(crate) v: &'a Value,
    /// Declared ports: name → number (unnamed ports under their number).
    pub(crate) ports: BTreeMap<String, i64>,
}

pub(crate) fn containers(objs: &[Obj]) -> Vec<K8sContainer<'_>> {
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

pub(crate) fn is_udaconnect_image(image: &str) -> bool {
    image == "udaconnect" || image.starts_with("udaconnect:") || image.ends_with("/udaconnect")
}

/// Resolves a probe or Service port (a name or a number) against declared ports.
pub(crate) fn resolve_port(port: &Value, declared: &BTreeMap<String, i64>) -> Option<i64> {
    match port {
        Value::Number(n) => n.as_i64().filter(|n| declared.values().any(|d| d == n)),
        Value::String(name) => declared.get(name).copied(),
        _ => None,
    }
}

pub(crate) fn check_k8s(
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
