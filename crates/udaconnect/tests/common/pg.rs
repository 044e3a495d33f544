//! Helpers of the suites that run against the test services started by `scripts/test.sh`
//! (PostgreSQL + PostGIS, Kafka): their URLs, unique names, fresh databases, `psql`.

use std::process::Command;

/// The value of a test-service variable (`UDACONNECT_TEST_POSTGRES`, `UDACONNECT_TEST_KAFKA`).
pub fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: start the services with `scripts/test.sh` (or scripts/kafka.sh and scripts/postgres.sh)")
    })
}

/// `prefix` + this process's id + the time in nanoseconds: unique per test run.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{prefix}{}_{nanos}", std::process::id())
}

/// A fresh database (named `prefix…`) on the test server; returns its URL.
pub fn fresh_database(prefix: &str) -> String {
    let admin = env("UDACONNECT_TEST_POSTGRES");
    let name = unique(prefix);
    psql(&admin, &format!("CREATE DATABASE {name}"));
    let (base, _) = admin.rsplit_once('/').expect("database URL");
    format!("{base}/{name}")
}

/// Runs `sql` with psql against `url`; its output, trimmed (fails the test on an error).
pub fn psql(url: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-tAc", sql])
        .output()
        .expect("run psql");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}
