//! Small helpers over YAML values (part of the deploy manifest checks).

use super::*;

pub(crate) fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(k))
}

pub(crate) fn items(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_sequence).map_or(&[], Vec::as_slice)
}

pub(crate) fn entries(v: Option<&Value>) -> Vec<(String, &Value)> {
    v.and_then(Value::as_mapping)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| scalar(k).map(|k| (k, v)))
                .collect()
        })
        .unwrap_or_default()
}

/// A scalar as a string (YAML `8080` and `"8080"` alike).
pub(crate) fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(crate) fn scalar_at(v: &Value, path: &[&str]) -> Option<String> {
    at(v, path).and_then(scalar)
}

pub(crate) fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => s.split_whitespace().map(str::to_owned).collect(),
        other => items(other).iter().filter_map(scalar).collect(),
    }
}

/// Every string scalar (keys included) under `v`.
pub(crate) fn all_strings(v: &Value, out: &mut Vec<String>) {
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
pub(crate) fn udaconnect_words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.len() > "UDACONNECT_".len() && w.starts_with("UDACONNECT_"))
        .map(str::to_owned)
        .collect()
}
