//! Dockerfile (part of the deploy manifest checks).

use super::*;

/// The `UDACONNECT_*` variables the image sets (`ENV`), after checking the Dockerfile's shape.
pub(crate) fn dockerfile_env(d: &Deploy, p: &mut Problems) -> BTreeMap<String, String> {
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
