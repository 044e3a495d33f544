//! compose.yaml (part of the deploy manifest checks).

use super::*;

pub(crate) fn check_compose(
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
