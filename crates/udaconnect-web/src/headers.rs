//! Security headers of every UI response: a strict Content-Security-Policy (scripts, styles
//! and connections from this origin only, no inline code), `nosniff`, no referrer, no framing.

use std::sync::Arc;

use axum::{
    extract::State,
    http::{HeaderValue, header},
    response::Response,
};

use crate::Web;

/// The policy: everything from this origin, nothing inline; images also from `data:` and the
/// tile server's origin when one is configured.
pub(crate) fn content_security_policy(tile_url: Option<&str>) -> HeaderValue {
    let mut img = String::from("'self' data:");
    if let Some(origin) = tile_url.and_then(origin) {
        img.push(' ');
        img.push_str(&origin);
    }
    let policy = format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src {img}; \
         connect-src 'self'; font-src 'self'; manifest-src 'self'; form-action 'self'; \
         base-uri 'none'; frame-ancestors 'none'; object-src 'none'"
    );
    HeaderValue::from_str(&policy).unwrap_or_else(|_| {
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        )
    })
}

/// `scheme://host[:port]` of an `http(s)` URL template, if it is one whose origin can safely
/// go into a CSP source list.
pub(crate) fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if !matches!(scheme, "http" | "https") {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_ok = !authority.is_empty()
        && !authority.contains('@')
        && authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    host_ok.then(|| format!("{scheme}://{authority}"))
}

pub(crate) async fn secure(State(web): State<Arc<Web>>, mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, web.csp.clone());
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_of_tile_templates() {
        assert_eq!(
            origin("https://tile.example.org/{z}/{x}/{y}.png").as_deref(),
            Some("https://tile.example.org")
        );
        assert_eq!(
            origin("http://127.0.0.1:8081/tiles/{z}/{x}/{y}").as_deref(),
            Some("http://127.0.0.1:8081")
        );
        for bad in [
            "ftp://x/{z}",
            "https://",
            "https://a b/{z}",
            "https://u@x/{z}",
            "https://x;script-src *",
            "nope",
        ] {
            assert_eq!(origin(bad), None, "{bad}");
        }
    }

    #[test]
    fn policy_has_no_inline_script_and_adds_the_tile_origin() {
        let p = content_security_policy(None);
        let p = p.to_str().unwrap();
        assert!(p.contains("script-src 'self';"), "{p}");
        assert!(!p.contains("unsafe-inline"), "{p}");
        let p = content_security_policy(Some("https://t.example/{z}/{x}/{y}.png"));
        assert!(
            p.to_str()
                .unwrap()
                .contains("img-src 'self' data: https://t.example;")
        );
    }
}
