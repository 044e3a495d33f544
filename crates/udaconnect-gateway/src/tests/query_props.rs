//! Whatever query string, path id or `Last-Event-ID` a client sends, the gateway answers
//! without a server error, and a 400 names the offending parameter.

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use proptest::prelude::*;

use super::app;

/// Values aimed at the parsers' edges: numbers (NaN, infinities, overflow, signs, hex,
/// exponents), dates at chrono's limits, RFC 3339 instants with odd offsets, cursors of
/// both kinds with overflowing parts, and arbitrary text.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "", " ", "0", "-0", "+5", "5", "5.0", "1e3", "1e309", "-1e309", "NaN", "nan", "inf",
            "-inf", "infinity", "0x10", "1_000", "4294967296", "18446744073709551616",
            "-9223372036854775808", "9223372036854775807", "99999999999999999999", "0.000001",
            "4.9e-324", "1000", "1000.0000001", "86400", "86401", " 7 ",
            "2020-08-18", "+262143-12-31", "-262144-01-01", "262143-12-31", "0000-01-01",
            "2020-02-30", "2020-13-01", "9999-12-31",
            "2020-08-18T10:37:06Z", "2020-08-18T10:37:06+23:59", "2020-08-18T10:37:06-23:59",
            "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z", "2020-08-18T10:37:60Z",
            "2020-08-18T10:37:06.999999999999Z",
            "c1.0.1", "c1.-9223372036854775808.1", "c1.9223372036854775807.9223372036854775807",
            "c1.1.-1", "c1..", "c1.1.1.1", "p1.0", "p1.18446744073709551615", "p1.", "p1.-1",
            "p1.0.0.0.0.0.0.0.0", "%00", "%FF", "%E2%82%AC",
        ]).prop_map(str::to_owned),
        1 => "[0-9+\\-.eE]{0,24}",
        1 => "\\PC{0,16}",
    ]
}

fn encode(s: &str) -> String {
    // Keep '%' escapes the generator wrote; escape what would break the URI.
    s.chars()
        .map(|c| match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '.' | '_' | '~' | '%' | ':' => c.to_string(),
            _ => c.to_string().bytes().map(|b| format!("%{b:02X}")).collect(),
        })
        .collect()
}

fn query(names: &'static [&'static str]) -> impl Strategy<Value = String> {
    let name = prop_oneof![
        6 => prop::sample::select(names).prop_map(str::to_owned),
        1 => "[a-z_]{1,8}",
    ];
    prop::collection::vec((name, value()), 0..6).prop_map(|pairs| {
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    })
}

fn person() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec!["1", "5", "0", "-1", "9223372036854775807",
            "9223372036854775808", "abc", "1.5", "%20", "1e2"]).prop_map(str::to_owned),
        1 => "[0-9]{1,20}",
    ]
}

const CONNECTION: &[&str] = &["start_date", "end_date", "distance"];
const CONTACTS: &[&str] = &["from", "to", "distance_m", "window_s", "limit", "cursor"];
const STREAM: &[&str] = &["person_id"];
const ACTIVITY: &[&str] = &["window_s"];

fn check(uri: String, last_event_id: Option<String>) -> Result<(), TestCaseError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut req = Request::get(&uri);
    if let Some(id) = &last_event_id {
        req = req.header("last-event-id", encode(id));
    }
    let Ok(req) = req.body(Body::empty()) else {
        return Ok(()); // not a URI a client could send
    };
    let r = rt.block_on(async {
        let app = app();
        // Streams answer headers at once and then stay open: read only the head.
        tokio::time::timeout(std::time::Duration::from_millis(500), app.send(req)).await
    });
    let Ok(r) = r else { return Ok(()) }; // an open stream: it was accepted
    prop_assert!(
        !r.status.is_server_error(),
        "{uri} -> {} {}",
        r.status,
        r.text()
    );
    if r.status == StatusCode::BAD_REQUEST {
        let body = r.json();
        prop_assert!(body["error"]["message"].is_string(), "{uri}: {body}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn connection_queries_never_yield_5xx(p in person(), q in query(CONNECTION)) {
        check(format!("/api/persons/{p}/connection?{q}"), None)?;
    }

    #[test]
    fn contact_queries_never_yield_5xx(p in person(), q in query(CONTACTS)) {
        check(format!("/api/v2/persons/{p}/contacts?{q}"), None)?;
    }

    #[test]
    fn activity_queries_never_yield_5xx(q in query(ACTIVITY)) {
        check(format!("/api/v2/activity?{q}"), None)?;
    }

    #[test]
    fn stream_parameters_never_yield_5xx(q in query(STREAM), id in prop::option::of(value())) {
        check(format!("/api/v2/contacts/stream?{q}"), id.clone())?;
        check(format!("/api/v2/locations/stream?{q}"), id)?;
    }
}
