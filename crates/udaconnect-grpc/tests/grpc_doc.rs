//! docs/grpc.md's grpcurl samples, run as written against a real server loaded with the
//! demo data (grpcurl itself is not needed): each request's JSON is decoded with the
//! descriptors into a dynamic message of the method's input type and sent with a dynamic
//! gRPC client, and the answer must be the one the doc shows — the JSON exactly, or an
//! error's code and message. The samples run in the doc's order against one server, as a
//! reader would run them against a fresh `udaconnect serve`.

mod common;
#[path = "grpc_doc/discovery.rs"]
mod discovery;
#[path = "grpc_doc/dynamic.rs"]
mod dynamic;
#[path = "grpc_doc/samples.rs"]
mod samples;

use std::collections::BTreeSet;

use prost_reflect::DescriptorPool;
use samples::{Action, Sample};
use tonic::{Code, Status};
use tonic_types::StatusExt;
use udaconnect_grpc::status::FIELD_METADATA_KEY;

const DOC: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/grpc.md"));

#[tokio::test]
async fn every_grpcurl_sample_of_the_doc_answers_as_shown() {
    let app = common::spawn_app_with_demo_data().await;
    let pool = dynamic::pool();
    let samples = samples::parse(DOC);
    let mut failures = Vec::new();
    for sample in &samples {
        if let Err(e) = check(&app.url, &app.admin_token, &pool, sample).await {
            failures.push(format!("docs/grpc.md:{}: {e}", sample.line));
        }
    }
    app.stop().await;
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
    assert_every_rpc_has_a_sample(&pool, &samples);
}

async fn check(
    url: &str,
    token: &str,
    pool: &DescriptorPool,
    sample: &Sample,
) -> Result<(), String> {
    let lines = |s: &str| -> Vec<String> {
        s.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    };
    match &sample.action {
        Action::List { service: None } => same(
            &lines(&sample.expected),
            &discovery::reflected_services(url).await,
        ),
        Action::List {
            service: Some(service),
        } => same(
            &lines(&sample.expected),
            &discovery::methods_listed(pool, service),
        ),
        Action::Describe { symbol } => discovery::check_describe(pool, symbol, &sample.expected),
        Action::Call {
            method,
            body,
            max_time,
        } => {
            let method = dynamic::method(pool, method)?;
            let requests = dynamic::requests(&method.input(), body)?;
            // The samples send `-H "authorization: Bearer $TOKEN"`: an organiser's token.
            let channel = common::authed(url, Some(token.to_owned()));
            if method.is_server_streaming() {
                let max_time = max_time.ok_or(
                    "a server stream does not end by itself: bound the sample with -max-time",
                )?;
                let [request] = <[_; 1]>::try_from(requests)
                    .map_err(|r| format!("{} requests for a server stream", r.len()))?;
                let (messages, end) =
                    dynamic::call_server_streaming(channel, &method, request, max_time).await;
                return check_stream(&sample.expected, &messages, end.as_ref());
            }
            if max_time.is_some() {
                return Err("-max-time is for the samples of server streams".into());
            }
            let answer = dynamic::call(channel, &method, requests).await;
            match (samples::expected_error(&sample.expected), answer) {
                (Some(want), Err(status)) => check_error(&want, &status),
                (Some(want), Ok(got)) => Err(format!(
                    "expected {want:?}, got {:#}",
                    dynamic::to_json(&got)
                )),
                (None, Err(status)) => Err(format!("expected an answer, got {status:?}")),
                (None, Ok(got)) => {
                    let want: serde_json::Value = serde_json::from_str(&sample.expected)
                        .map_err(|e| format!("expected output is not one JSON value: {e}"))?;
                    let got = dynamic::to_json(&got);
                    let pretty = |v| serde_json::to_string_pretty(v).expect("JSON");
                    same(&want, &got).map_err(|_| {
                        format!(
                            "the doc shows\n{}\nbut the server answered\n{}",
                            pretty(&want),
                            pretty(&got)
                        )
                    })
                }
            }
        }
    }
}

/// A server stream's sample: the messages the doc shows, in order, then how the stream
/// ended. Wall-clock fields (see [`WALL_CLOCK_FIELDS`]) are compared by presence only.
fn check_stream(
    expected: &str,
    messages: &[prost_reflect::DynamicMessage],
    end: Option<&Status>,
) -> Result<(), String> {
    let (shown, want_end) = samples::expected_stream(expected);
    let want: Vec<serde_json::Value> = serde_json::Deserializer::from_str(&shown)
        .into_iter()
        .collect::<Result<_, _>>()
        .map_err(|e| format!("expected messages are not JSON values: {e}"))?;
    let mut got: Vec<serde_json::Value> = messages.iter().map(dynamic::to_json).collect();
    for (w, g) in want.iter().zip(got.iter_mut()) {
        wall_clock_as_shown(w, g)?;
    }
    let pretty = |v: &[serde_json::Value]| {
        v.iter()
            .map(|m| serde_json::to_string_pretty(m).expect("JSON"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    if want != got {
        return Err(format!(
            "the doc shows the messages\n{}\nbut the server streamed\n{}",
            pretty(&want),
            pretty(&got)
        ));
    }
    match (want_end, end) {
        (None, None) => Ok(()),
        (Some(want), Some(status)) => check_error(&want, status),
        (None, Some(status)) => Err(format!("the stream failed with {status:?}")),
        (Some(want), None) => Err(format!("expected the stream to end with {want:?}")),
    }
}

/// Fields holding the time something happened on the server (when ingest accepted a fix,
/// when the detector emitted an event): they differ on every run, so the doc's value
/// stands for any timestamp.
const WALL_CLOCK_FIELDS: [&str; 2] = ["triggerReceivedAt", "detectedAt"];

/// Where `want` shows a wall-clock field, `got` must hold an RFC 3339 timestamp there too,
/// which is then replaced by the doc's value; everything else is left to the comparison.
fn wall_clock_as_shown(
    want: &serde_json::Value,
    got: &mut serde_json::Value,
) -> Result<(), String> {
    use serde_json::Value;
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (key, w) in w {
                let Some(g) = g.get_mut(key) else { continue };
                if WALL_CLOCK_FIELDS.contains(&key.as_str()) {
                    for (whose, at) in [("the doc's", w), ("the server's", &*g)] {
                        chrono::DateTime::parse_from_rfc3339(at.as_str().unwrap_or_default())
                            .map_err(|e| {
                                format!("{whose} {key} {at} is not an RFC 3339 timestamp: {e}")
                            })?;
                    }
                    *g = w.clone();
                } else {
                    wall_clock_as_shown(w, g)?;
                }
            }
            Ok(())
        }
        (Value::Array(w), Value::Array(g)) => {
            for (w, g) in w.iter().zip(g.iter_mut()) {
                wall_clock_as_shown(w, g)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The code and message the doc shows; an INVALID_ARGUMENT also carries the field its
/// message starts with as `x-udaconnect-field` metadata and as a google.rpc.BadRequest.
fn check_error(want: &samples::ExpectedError, status: &Status) -> Result<(), String> {
    same(
        &(want.code.as_str(), want.message.as_str()),
        &(format!("{:?}", status.code()).as_str(), status.message()),
    )?;
    if status.code() != Code::InvalidArgument {
        return Ok(());
    }
    let (field, _) = status
        .message()
        .split_once(": ")
        .ok_or("INVALID_ARGUMENT message without `field: `")?;
    let metadata = status.metadata().get(FIELD_METADATA_KEY);
    let metadata = metadata.and_then(|v| v.to_str().ok());
    let details = status.get_error_details();
    let violation = details
        .bad_request()
        .and_then(|b| b.field_violations.first())
        .map(|v| v.field.as_str());
    same(&(Some(field), Some(field)), &(metadata, violation))
}

fn same<T: PartialEq + std::fmt::Debug>(want: &T, got: &T) -> Result<(), String> {
    if want == got {
        Ok(())
    } else {
        Err(format!(
            "the doc shows\n{want:#?}\nbut the server answered\n{got:#?}"
        ))
    }
}

/// Every method of the UdaConnect services, and the health check, `list` and `describe`.
fn assert_every_rpc_has_a_sample(pool: &DescriptorPool, samples: &[Sample]) {
    let shown: BTreeSet<String> = samples
        .iter()
        .filter_map(|s| match &s.action {
            Action::Call { method, .. } => Some(method.clone()),
            Action::List { service: None } => Some("list".into()),
            Action::Describe { .. } => Some("describe".into()),
            Action::List { .. } => None,
        })
        .collect();
    let mut wanted: BTreeSet<String> = ["list", "describe", "grpc.health.v1.Health/Check"]
        .map(str::to_owned)
        .into();
    for service in pool.services() {
        if service.package_name() == "udaconnect.v1" {
            wanted.extend(
                service
                    .methods()
                    .map(|m| format!("{}/{}", service.full_name(), m.name())),
            );
        }
    }
    let missing: Vec<_> = wanted.difference(&shown).collect();
    assert!(
        missing.is_empty(),
        "docs/grpc.md has no sample of {missing:?}"
    );
}
