//! The embedded assets (`/assets/...`): compiled into the binary with `include_bytes!`, each
//! with a strong `ETag` (a hash of its bytes, computed at compile time). Browsers revalidate
//! on every use (`Cache-Control: no-cache`) and get a bodiless `304` while the binary is the
//! same, so an upgraded server never serves a stale module.

use axum::{
    body::Body,
    extract::Path,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// One embedded file.
pub(crate) struct Asset {
    pub(crate) path: &'static str,
    pub(crate) content_type: &'static str,
    pub(crate) body: &'static [u8],
    hash: u64,
}

impl Asset {
    pub(crate) fn etag(&self) -> String {
        format!("\"{:016x}\"", self.hash)
    }
}

/// FNV-1a, 64 bits: stable across builds and platforms (unlike `DefaultHasher`).
const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

macro_rules! asset {
    ($path:literal, $content_type:expr) => {
        Asset {
            path: $path,
            content_type: $content_type,
            body: include_bytes!(concat!("../assets/", $path)),
            hash: fnv1a(include_bytes!(concat!("../assets/", $path))),
        }
    };
}

pub(crate) static ASSETS: &[Asset] = &[
    asset!("app.css", CSS),
    asset!("favicon.svg", SVG),
    asset!("js/api.js", JS),
    asset!("js/dom.js", JS),
    asset!("js/map.js", JS),
    asset!("js/people.js", JS),
    asset!("js/person.js", JS),
    asset!("js/live.js", JS),
    asset!("js/organiser.js", JS),
];

pub(crate) fn find(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.path == path)
}

/// Whether an `If-None-Match` header names this entity tag (weak comparison, `*` matches).
fn matches(if_none_match: &HeaderValue, etag: &str) -> bool {
    let Ok(list) = if_none_match.to_str() else {
        return false;
    };
    list.split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// `GET /assets/{*path}`.
pub(crate) async fn serve(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = find(&path) else {
        return (StatusCode::NOT_FOUND, "no such asset").into_response();
    };
    let etag = asset.etag();
    let cache = [
        (header::ETAG, etag.clone()),
        (header::CACHE_CONTROL, "no-cache".to_owned()),
    ];
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| matches(v, &etag))
    {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (
        cache,
        [(header::CONTENT_TYPE, asset.content_type)],
        Body::from(asset.body),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_is_unique_and_not_empty() {
        for (i, a) in ASSETS.iter().enumerate() {
            assert!(!a.body.is_empty(), "{}", a.path);
            assert!(
                ASSETS[i + 1..].iter().all(|b| b.path != a.path),
                "{} listed twice",
                a.path
            );
        }
    }

    #[test]
    fn if_none_match_forms() {
        let tag = "\"00000000000000ff\"";
        for yes in [
            "\"00000000000000ff\"",
            "W/\"00000000000000ff\"",
            "*",
            "\"x\", \"00000000000000ff\"",
        ] {
            assert!(matches(&HeaderValue::from_static(yes), tag), "{yes}");
        }
        for no in ["\"00000000000000fe\"", "", "00000000000000ff"] {
            assert!(!matches(&HeaderValue::from_static(no), tag), "{no}");
        }
    }
}
