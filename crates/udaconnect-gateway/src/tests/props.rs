//! Whatever JSON a client sends, the gateway answers it without a server error.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::app;

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        "\\PC{0,12}".prop_map(Value::String),
        "-?[0-9]{1,4}(\\.[0-9]{1,8})?".prop_map(Value::String),
        "20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9](Z|[+-]0[0-9]:00)?"
            .prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("\\PC{0,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Objects built mostly from the real field names, so validation is reached deeply.
fn body_like(fields: &'static [&'static str]) -> impl Strategy<Value = Value> {
    let key =
        prop_oneof![4 => prop::sample::select(fields).prop_map(str::to_owned), 1 => "[a-z_]{1,10}"];
    prop::collection::vec((key, any_json()), 0..7)
        .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>()))
}

const PERSON_FIELDS: &[&str] = &["id", "first_name", "last_name", "company_name"];
const LOCATION_FIELDS: &[&str] = &["id", "person_id", "latitude", "longitude", "creation_time"];

fn check(path: &'static str, body: String) -> Result<(), TestCaseError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let r = rt.block_on(async { app().post_json(path, body.clone()).await });
    prop_assert!(
        !r.status.is_server_error(),
        "{path} {body} -> {} {}",
        r.status,
        r.text()
    );
    if !r.status.is_success() {
        prop_assert!(r.json()["error"]["code"].is_string());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn random_person_bodies_never_yield_5xx(body in prop_oneof![any_json(), body_like(PERSON_FIELDS)]) {
        check("/api/persons", body.to_string())?;
    }

    #[test]
    fn random_location_bodies_never_yield_5xx(body in prop_oneof![any_json(), body_like(LOCATION_FIELDS)]) {
        check("/api/locations", body.to_string())?;
    }

    #[test]
    fn random_bytes_never_yield_5xx(body in "\\PC{0,64}") {
        check("/api/locations", body)?;
    }
}
