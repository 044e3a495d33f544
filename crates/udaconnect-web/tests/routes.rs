//! The UI's routes over HTTP semantics: pages, embedded assets, cache validation and the
//! security headers, through the real router (no server needed).

use std::path::{Path, PathBuf};

use axum::{
    Router,
    body::{Body, to_bytes},
    http::{HeaderMap, Request, StatusCode, header},
};
use tower::ServiceExt;
use udaconnect_web::{WebConfig, router};

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(&name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no {name} header"))
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8 body")
    }
}

async fn send(app: &Router, req: Request<Body>) -> Reply {
    let res = app.clone().oneshot(req).await.expect("infallible");
    let (parts, body) = res.into_parts();
    Reply {
        status: parts.status,
        headers: parts.headers,
        body: to_bytes(body, usize::MAX).await.expect("body").to_vec(),
    }
}

async fn get(app: &Router, uri: &str) -> Reply {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

fn app() -> Router {
    router(WebConfig::default())
}

/// The strict policy: no inline script or style, nothing from elsewhere.
fn assert_secure(r: &Reply) {
    let csp = r.header(header::CONTENT_SECURITY_POLICY);
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ] {
        assert!(csp.contains(directive), "{directive} missing from {csp}");
    }
    assert!(!csp.contains("unsafe"), "{csp}");
    assert_eq!(r.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
}

/// Every `<script` is an external module from /assets/: no inline script anywhere.
fn assert_no_inline_script(html: &str) {
    let scripts: Vec<&str> = html.split("<script").skip(1).collect();
    assert!(!scripts.is_empty(), "no script at all: {html}");
    for s in scripts {
        assert!(
            s.starts_with(" type=\"module\" src=\"/assets/js/")
                && s[s.find('>').unwrap()..].starts_with("></script>"),
            "inline or foreign script: <script{}",
            &s[..s.len().min(120)]
        );
    }
    assert!(!html.contains(" style="), "inline style attribute");
    assert!(!html.contains("<style"), "inline style element");
    // No inline event handler attribute (` onclick=`, ...).
    for (i, _) in html.match_indices(" on") {
        let name: String = html[i + 3..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase())
            .collect();
        assert!(
            !html[i + 3 + name.len()..].starts_with('='),
            "inline event handler on{name}"
        );
    }
}

#[tokio::test]
async fn pages_are_html_with_landmarks_and_their_module() {
    let app = app();
    for (uri, module, heading) in [
        ("/", "people", "<h1>People</h1>"),
        (
            "/people/1",
            "person",
            "<h1 id=\"person-name\">Person 1</h1>",
        ),
        ("/live", "live", "<h1>Live</h1>"),
        ("/organiser", "organiser", "<h1>Organiser</h1>"),
    ] {
        let r = get(&app, uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
        assert_eq!(
            r.header(header::CONTENT_TYPE),
            "text/html; charset=utf-8",
            "{uri}"
        );
        assert_eq!(r.header(header::CACHE_CONTROL), "no-cache", "{uri}");
        assert_secure(&r);
        let html = r.text();
        assert!(
            html.starts_with("<!DOCTYPE html><html lang=\"en\">"),
            "{uri}"
        );
        assert!(
            html.contains(&format!("src=\"/assets/js/{module}.js\"")),
            "{uri} lacks its module"
        );
        assert!(html.contains(heading), "{uri}: {heading}");
        for landmark in [
            "<main id=\"main\"",
            "<nav aria-label=\"Main\"",
            "href=\"#main\"",
            "<dialog id=\"signin\"",
            "<label for=\"signin-username\">",
        ] {
            assert!(html.contains(landmark), "{uri} lacks {landmark}");
        }
        assert_no_inline_script(&html);
    }
}

#[tokio::test]
async fn person_page_renders_the_query_back_escaped() {
    let r = get(
        &app(),
        "/people/7?distance_m=12.5&window_s=60&from=2020-08-15T10:00&to=%22%3E%3Cscript%3E",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("data-person-id=\"7\""), "{html}");
    assert!(html.contains("value=\"12.5\""), "{html}");
    assert!(html.contains("value=\"60\""), "{html}");
    assert!(html.contains("value=\"2020-08-15T10:00\""), "{html}");
    assert!(
        html.contains("value=\"&quot;&gt;&lt;script&gt;\""),
        "{html}"
    );
    assert_no_inline_script(&html);
}

#[tokio::test]
async fn unknown_person_ids_are_a_404_page() {
    for uri in [
        "/people/0",
        "/people/-3",
        "/people/abc",
        "/people/99999999999999999999",
    ] {
        let r = get(&app(), uri).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(r.header(header::CONTENT_TYPE), "text/html; charset=utf-8");
        assert_secure(&r);
        assert!(r.text().contains("<h1>Not found</h1>"), "{uri}");
    }
}

fn asset_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("assets dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            asset_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[tokio::test]
async fn every_file_under_assets_is_served_with_its_type_and_etag() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    let mut files = Vec::new();
    asset_files(&root, &mut files);
    assert!(files.len() >= 9, "{files:?}");
    let app = app();
    for file in files {
        let rel = file
            .strip_prefix(&root)
            .unwrap()
            .to_str()
            .unwrap()
            .replace('\\', "/");
        let uri = format!("/assets/{rel}");
        let r = get(&app, &uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri} is not embedded");
        let want = match file.extension().and_then(|e| e.to_str()) {
            Some("js") => "text/javascript; charset=utf-8",
            Some("css") => "text/css; charset=utf-8",
            Some("svg") => "image/svg+xml",
            other => panic!("unexpected asset type {other:?}"),
        };
        assert_eq!(r.header(header::CONTENT_TYPE), want, "{uri}");
        assert_eq!(
            r.body,
            std::fs::read(&file).unwrap(),
            "{uri} differs from the file"
        );
        assert_eq!(r.header(header::CACHE_CONTROL), "no-cache", "{uri}");
        assert_secure(&r);
        let etag = r.header(header::ETAG).to_owned();
        assert!(
            etag.starts_with('"') && etag.ends_with('"') && etag.len() == 18,
            "{etag}"
        );

        // Revalidation: same tag → 304 without a body; weak form too; another tag → 200.
        for tag in [
            etag.clone(),
            format!("W/{etag}"),
            format!("\"nope\", {etag}"),
        ] {
            let r = send(
                &app,
                Request::get(&uri)
                    .header(header::IF_NONE_MATCH, tag.as_str())
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
            assert_eq!(r.status, StatusCode::NOT_MODIFIED, "{uri} {tag}");
            assert!(r.body.is_empty());
            assert_eq!(r.header(header::ETAG), etag);
        }
        let r = send(
            &app,
            Request::get(&uri)
                .header(header::IF_NONE_MATCH, "\"0000000000000000\"")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
    }
}

#[tokio::test]
async fn every_module_import_resolves_to_an_embedded_asset() {
    let app = app();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/js");
    let mut files = Vec::new();
    asset_files(&root, &mut files);
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for line in source.lines().filter(|l| l.contains(" from './")) {
            let target = line
                .split("from './")
                .nth(1)
                .unwrap()
                .split('\'')
                .next()
                .unwrap();
            let r = get(&app, &format!("/assets/js/{target}")).await;
            assert_eq!(
                r.status,
                StatusCode::OK,
                "{} imports missing {target}",
                file.display()
            );
        }
    }
}

#[tokio::test]
async fn unknown_assets_are_404() {
    let app = app();
    for uri in [
        "/assets/nope.js",
        "/assets/js/nope.js",
        "/assets/../Cargo.toml",
        "/assets/js/../../src/lib.rs",
        "/assets/APP.CSS",
    ] {
        let r = get(&app, uri).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
    }
}

#[tokio::test]
async fn a_tile_server_is_allowed_for_images_only_and_given_to_the_page() {
    let app = router(WebConfig {
        map_tile_url: Some("https://tiles.example.org/{z}/{x}/{y}.png?a=1&b=2".into()),
    });
    let r = get(&app, "/people/1").await;
    let csp = r.header(header::CONTENT_SECURITY_POLICY);
    assert!(
        csp.contains("img-src 'self' data: https://tiles.example.org;"),
        "{csp}"
    );
    assert!(csp.contains("connect-src 'self';"), "{csp}");
    assert!(
        r.text().contains(
            "data-map-tile-url=\"https://tiles.example.org/{z}/{x}/{y}.png?a=1&amp;b=2\""
        ),
        "{}",
        r.text()
    );
    // Without one, the page says nothing about tiles.
    let r = get(&crate::app(), "/people/1").await;
    assert!(!r.text().contains("data-map-tile-url"));
}
