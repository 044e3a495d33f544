//! The binary's command line (part of the deploy manifest checks).

use super::*;

/// `udaconnect [telemetry flags] serve [serve flags]`, as the binary defines it.
pub(crate) fn cli() -> Command {
    TelemetryArgs::augment_args(Command::new("udaconnect"))
        .subcommand(ServeArgs::augment_args(Command::new("serve")))
        .subcommand_required(true)
}

pub(crate) struct Flag {
    pub(crate) long: String,
    pub(crate) takes_value: bool,
}

/// Environment variable → flag, for every flag of `serve` and the global telemetry flags.
pub(crate) fn known_env() -> BTreeMap<String, Flag> {
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
pub(crate) struct Parsed {
    pub(crate) serve: ServeArgs,
    pub(crate) targets: Targets,
}

/// Parses a container's arguments (after the entrypoint) with its environment the way the
/// binary would: flags win over environment variables.
pub(crate) fn parse_container(
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
pub(crate) fn host_port(url: &str) -> Option<(String, u16)> {
    let rest = url.strip_prefix("http://")?.trim_end_matches('/');
    let (host, port) = rest.rsplit_once(':')?;
    Some((host.to_owned(), port.parse().ok()?))
}

/// The password of a `scheme://user:password@host` URL.
pub(crate) fn url_password(s: &str) -> Option<&str> {
    let rest = s.split_once("://")?.1;
    let userinfo = rest.split_once('@')?.0;
    Some(userinfo.split_once(':')?.1)
}

/// Checks of one UdaConnect container that hold everywhere (k8s and compose).
pub(crate) fn check_parsed(at: &str, c: &Parsed, distributed: bool, p: &mut Problems) {
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
pub(crate) fn peer_urls(c: &Parsed) -> Vec<(Target, &'static str, Option<String>)> {
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
