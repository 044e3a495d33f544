//! Authentication end to end, over real HTTP and gRPC against the `udaconnect` binary: the
//! first admin printed once at the first embedded start, `admin create`, `auth-key`, the
//! refusal to start distributed without a (strong) key, and `--insecure-open-api`.

mod common;

use std::{process::Command, time::Duration};

use common::{BIN, Server, anonymous_client};
use serde_json::Value;

fn run(args: &[&str], stdin: Option<&str>) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .args(args)
        .env("UDACONNECT_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn udaconnect");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(s) = stdin {
        input.write_all(s.as_bytes()).expect("write stdin");
    }
    drop(input);
    child.wait_with_output().expect("wait")
}

async fn login(server: &Server, user: &str, password: &str) -> reqwest::Response {
    anonymous_client()
        .post(server.url("/api/v2/auth/login"))
        .basic_auth(user, Some(password))
        .send()
        .await
        .expect("login request")
}

#[tokio::test]
async fn first_embedded_start_prints_a_generated_admin_password_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start_without_test_key(&data, &["--no-demo-data"]);
    let password = server
        .first_admin_password
        .clone()
        .unwrap_or_else(|| panic!("no password in the banner: {:?}", server.banner));
    assert_eq!(password.len(), 24);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("auth.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "auth.key is the owner's only");
    }
    // Without a token: 401; with the printed password: a session.
    let r = anonymous_client()
        .get(server.url("/api/persons"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = login(&server, "admin", "not-the-password").await;
    assert_eq!(r.status(), 401);
    let r = login(&server, "admin", &password).await;
    assert_eq!(r.status(), 200);
    let session: Value = r.json().await.unwrap();
    let token = session["access_token"].as_str().unwrap().to_owned();
    let me: Value = anonymous_client()
        .get(server.url("/api/v2/auth/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "admin");
    // The same token works over gRPC; none is refused.
    let grpc = server.grpc.clone().unwrap();
    let persons = udaconnect_grpc::persons_client_with_token(&grpc, Some(token)).unwrap();
    assert!(persons.list().await.unwrap().is_empty());
    let anonymous = udaconnect_grpc::persons_client(&grpc).unwrap();
    assert!(matches!(
        anonymous.list().await,
        Err(udaconnect_services::ServiceError::Unauthenticated)
    ));
    drop(server);
    // A restart keeps the key (the token still verifies) and prints no password.
    let again = Server::start_without_test_key(&data, &["--no-demo-data"]);
    assert_eq!(again.first_admin_password, None, "{:?}", again.banner);
    let r = login(&again, "admin", &password).await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn admin_create_from_stdin_or_generated_then_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap();
    let out = run(
        &[
            "admin",
            "create",
            "--username",
            "ops",
            "--password-stdin",
            "--data-dir",
            data_arg,
        ],
        Some("correct horse battery\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(
        &[
            "admin",
            "create",
            "--username",
            "ops2",
            "--data-dir",
            data_arg,
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let generated = stdout
        .split("password: ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("no generated password in {stdout}"))
        .to_owned();
    let out = run(
        &[
            "admin",
            "create",
            "--username",
            "ops",
            "--data-dir",
            data_arg,
        ],
        None,
    );
    assert!(!out.status.success(), "a taken username is refused");
    let out = run(
        &[
            "admin",
            "create",
            "--username",
            "x",
            "--password-stdin",
            "--data-dir",
            data_arg,
        ],
        Some("short\n"),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("password"));
    // Accounts exist: no generated admin at the first start.
    let server = Server::start(&data, &["--no-demo-data"]);
    assert_eq!(server.first_admin_password, None);
    assert_eq!(
        login(&server, "ops", "correct horse battery")
            .await
            .status(),
        200
    );
    assert_eq!(login(&server, "ops2", &generated).await.status(), 200);
}

#[test]
fn distributed_mode_refuses_to_start_without_a_strong_key() {
    let dir = tempfile::tempdir().unwrap();
    let base = [
        "serve",
        "--target",
        "persons",
        "--http-addr",
        "127.0.0.1:0",
        "--grpc-addr",
        "127.0.0.1:0",
        "--data-dir",
        dir.path().to_str().unwrap(),
    ];
    let out = run(&base, None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("distributed mode needs an access-token signing key")
            && err.contains("auth-key"),
        "{err}"
    );
    let weak = dir.path().join("weak.key");
    std::fs::write(&weak, "None").unwrap();
    let mut args = base.to_vec();
    args.extend(["--auth-key-file", weak.to_str().unwrap()]);
    let out = run(&args, None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("too weak") && err.contains("only 4 bytes"),
        "{err}"
    );
    // `auth-key` makes a good one (0600, never overwritten).
    let key = dir.path().join("auth.key");
    let out = run(&["auth-key", "--out", key.to_str().unwrap()], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !run(&["auth-key", "--out", key.to_str().unwrap()], None)
            .status
            .success()
    );
    let printed = run(&["auth-key"], None);
    assert!(
        udaconnect_auth::SigningKey::from_text(&String::from_utf8_lossy(&printed.stdout), "stdout")
            .is_ok()
    );
    let mut args = base.to_vec();
    args.extend(["--auth-key-file", key.to_str().unwrap()]);
    let server = Server::start_without_test_key(&dir.path().join("d"), &args[9..]);
    drop(server);
}

#[tokio::test]
async fn insecure_open_api_is_loud_and_open() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &["--insecure-open-api"]);
    assert!(
        server
            .banner
            .iter()
            .any(|l| l.contains("WARNING") && l.contains("--insecure-open-api")),
        "{:?}",
        server.banner
    );
    let r = anonymous_client()
        .get(server.url("/api/persons"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(server.logs().contains("insecure-open-api"), "logged loudly");
}
