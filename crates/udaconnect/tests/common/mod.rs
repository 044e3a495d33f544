//! Spawns the real `udaconnect` binary for end-to-end tests: its own temporary data
//! directory, HTTP on port 0, logs captured to a file shown when a test fails.
#![allow(dead_code, unreachable_pub)]

pub mod demo;
pub mod pg;
pub mod rest;

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

pub const BIN: &str = env!("CARGO_BIN_EXE_udaconnect");

/// The signing key every test server is started with (`--auth-key-file`), so that the tests
/// can sign their own organiser token ([`admin_token`]). Test-only; never a real key.
pub const TEST_AUTH_KEY: &str = "W9GcPPogRlwYXOFXt+PYV63IJW5p1QDN6U6PklOjIzHivPfavRPoxWtK1YzATF9v";

/// [`TEST_AUTH_KEY`] in a file (written once per test process).
pub fn test_key_file() -> PathBuf {
    static FILE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    FILE.get_or_init(|| {
        let path = std::env::temp_dir().join(format!(
            "udaconnect-e2e-auth-{}-{}.key",
            std::process::id(),
            unique()
        ));
        std::fs::write(&path, TEST_AUTH_KEY).expect("write the test key");
        path
    })
    .clone()
}

/// An organiser's access token for servers started with the test key (valid 4 hours).
pub fn admin_token() -> String {
    let key = udaconnect_auth::SigningKey::from_text(TEST_AUTH_KEY, "test key").expect("key");
    udaconnect_auth::Tokens::new(&key)
        .with_access_ttl(Duration::from_secs(4 * 3600))
        .issue(&udaconnect_auth::Principal {
            username: "e2e-admin".into(),
            role: udaconnect_auth::Role::Admin,
            person_id: None,
        })
        .expect("token")
}

/// A running `udaconnect serve`.
pub struct Server {
    pub child: Child,
    /// `http://127.0.0.1:PORT` of its HTTP listener (REST API when it runs the gateway;
    /// health and metrics always).
    pub base: String,
    /// `http://127.0.0.1:PORT` of its gRPC listener, when it serves gRPC.
    pub grpc: Option<String>,
    pub log: PathBuf,
    /// The first admin's password, when the banner showed one.
    pub first_admin_password: Option<String>,
    /// Every banner line.
    pub banner: Vec<String>,
}

impl Server {
    /// Starts `udaconnect serve --data-dir DIR --http-addr 127.0.0.1:0 EXTRA…` and waits until
    /// it prints where it listens.
    pub fn start(data_dir: &Path, extra: &[&str]) -> Server {
        let key = test_key_file();
        let mut args: Vec<&str> = vec!["--auth-key-file", key.to_str().expect("utf-8 path")];
        args.extend(extra);
        Self::start_without_test_key(data_dir, &args)
    }

    /// [`Server::start`] without the test key: embedded mode generates its own.
    pub fn start_without_test_key(data_dir: &Path, extra: &[&str]) -> Server {
        let log = data_dir.with_extension(format!("log-{}", unique()));
        let stderr = std::fs::File::create(&log).expect("create log file");
        let mut child = Command::new(BIN)
            .args([
                "serve",
                "--http-addr",
                "127.0.0.1:0",
                "--grpc-addr",
                "127.0.0.1:0",
                "--data-dir",
            ])
            .arg(data_dir)
            .args(extra)
            .env("UDACONNECT_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("spawn udaconnect");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut grpc = None;
            let mut password = None;
            let mut banner = Vec::new();
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                banner.push(line.clone());
                let line = line.trim();
                if let Some(rest) = line.strip_prefix("Sign in") {
                    password = rest
                        .split("password ")
                        .nth(1)
                        .and_then(|r| r.split_whitespace().next())
                        .map(str::to_owned);
                }
                if let Some(rest) = line.strip_prefix("gRPC") {
                    let addr = rest.split_whitespace().next().unwrap_or_default();
                    grpc = Some(format!("http://{addr}"));
                }
                // The banner ends with the health line, which every process prints.
                if let Some(rest) = line.strip_prefix("Health") {
                    let url = rest.split_whitespace().next().unwrap_or_default();
                    let base = url.trim_end_matches("/health").to_owned();
                    let _ = tx.send((base, grpc.take(), password.take(), banner.clone()));
                }
            }
        });
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok((base, grpc, first_admin_password, banner)) => Server {
                child,
                base,
                grpc,
                log,
                first_admin_password,
                banner,
            },
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "udaconnect did not print its address in 60 s; log:\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `kill -9`: no chance to flush or clean up.
    pub fn kill9(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("wait");
    }

    /// Sends SIGTERM and waits for the exit status (bounded).
    pub fn terminate(mut self, within: Duration) -> ExitStatus {
        let pid = self.child.id().to_string();
        let ok = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(ok.success(), "kill -TERM failed");
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            if start.elapsed() > within {
                let _ = self.child.kill();
                panic!(
                    "udaconnect did not stop within {within:?} after SIGTERM; log:\n{}",
                    self.logs()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Fixes the writer has stored so far, read from `/metrics`.
    pub async fn stored_fixes(&self, http: &reqwest::Client) -> Option<u64> {
        let m = http
            .get(self.url("/metrics"))
            .send()
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        Some(
            m.lines()
                .filter(|l| l.starts_with("udaconnect_writer_fixes_stored_total"))
                .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
                .sum::<f64>() as u64,
        )
    }

    /// Waits until the writer has stored at least `n` fixes; returns the count then, or
    /// `None` after `within`.
    pub async fn wait_stored(
        &self,
        http: &reqwest::Client,
        n: u64,
        within: Duration,
    ) -> Option<u64> {
        eventually(within, || async {
            let stored = self.stored_fixes(http).await?;
            (stored >= n).then_some(stored)
        })
        .await
    }

    /// Waits until `/health/ready` answers 200 (every component, the read model included, is
    /// ready), panicking with the log after `within`.
    pub async fn wait_ready(&self, http: &reqwest::Client, within: Duration) {
        let ready = eventually(within, || async {
            let r = http.get(self.url("/health/ready")).send().await.ok()?;
            r.status().is_success().then_some(())
        })
        .await;
        assert!(
            ready.is_some(),
            "not ready within {within:?}; log:\n{}",
            self.logs()
        );
    }

    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- udaconnect log ---\n{}", self.logs());
        }
    }
}

fn unique() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// Polls `f` until it returns `Some` or `within` passes.
pub async fn eventually<T, F, Fut>(within: Duration, mut f: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return Some(v);
        }
        if start.elapsed() > within {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// An HTTP client without credentials.
pub fn anonymous_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client")
}

/// GETs `url` and decodes the JSON body, panicking with the URL on any failure.
pub async fn get_json<T: serde::de::DeserializeOwned>(http: &reqwest::Client, url: String) -> T {
    let resp = http
        .get(&url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    resp.json()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: not the expected JSON: {e}"))
}

/// An HTTP client that sends an organiser's token ([`admin_token`]) on every request.
pub fn client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {}", admin_token())
            .parse()
            .expect("header value"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client")
}
