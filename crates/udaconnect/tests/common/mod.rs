//! Spawns the real `udaconnect` binary for end-to-end tests: its own temporary data
//! directory, HTTP on port 0, logs captured to a file shown when a test fails.
#![allow(dead_code, unreachable_pub)]

pub mod demo;
pub mod rest;

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

pub const BIN: &str = env!("CARGO_BIN_EXE_udaconnect");

/// A running `udaconnect serve`.
pub struct Server {
    pub child: Child,
    /// `http://127.0.0.1:PORT` of its HTTP listener (REST API when it runs the gateway;
    /// health and metrics always).
    pub base: String,
    /// `http://127.0.0.1:PORT` of its gRPC listener, when it serves gRPC.
    pub grpc: Option<String>,
    pub log: PathBuf,
}

impl Server {
    /// Starts `udaconnect serve --data-dir DIR --http-addr 127.0.0.1:0 EXTRA…` and waits until
    /// it prints where it listens.
    pub fn start(data_dir: &Path, extra: &[&str]) -> Server {
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
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let line = line.trim();
                if let Some(rest) = line.strip_prefix("gRPC") {
                    let addr = rest.split_whitespace().next().unwrap_or_default();
                    grpc = Some(format!("http://{addr}"));
                }
                // The banner ends with the health line, which every process prints.
                if let Some(rest) = line.strip_prefix("Health") {
                    let url = rest.split_whitespace().next().unwrap_or_default();
                    let base = url.trim_end_matches("/health").to_owned();
                    let _ = tx.send((base, grpc.take()));
                }
            }
        });
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok((base, grpc)) => Server {
                child,
                base,
                grpc,
                log,
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

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client")
}
