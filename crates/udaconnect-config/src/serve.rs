use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::{Args, ValueEnum};

use crate::{BusUrl, StoreUrl, Target};

/// Logging and metrics flags shared by every command.
#[derive(Debug, Clone, Args)]
pub struct TelemetryArgs {
    /// Log format: human-readable text or one JSON object per line.
    #[arg(long, env = "UDACONNECT_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// Log filter, in `tracing` EnvFilter syntax (e.g. `info,udaconnect_bus=debug`).
    #[arg(long, env = "UDACONNECT_LOG", default_value = "info", global = true)]
    pub log: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// `udaconnect serve`: run one or more targets.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Targets to run in this process, comma-separated (all, gateway, persons, ingest, writer,
    /// connections, detector, notifier).
    #[arg(
        long,
        env = "UDACONNECT_TARGET",
        value_delimiter = ',',
        default_value = "all"
    )]
    pub target: Vec<Target>,

    /// Directory for the embedded store and event log.
    #[arg(long, env = "UDACONNECT_DATA_DIR", default_value = "./udaconnect-data")]
    pub data_dir: PathBuf,

    /// HTTP listen address for the REST API, docs, health and metrics (port 0 picks a free
    /// port; the log says which).
    #[arg(long, env = "UDACONNECT_HTTP_ADDR", default_value = "127.0.0.1:8080")]
    pub http_addr: SocketAddr,

    /// gRPC listen address shared by every gRPC-serving target of this process (persons,
    /// ingest, connections).
    #[arg(long, env = "UDACONNECT_GRPC_ADDR", default_value = "127.0.0.1:50051")]
    pub grpc_addr: SocketAddr,

    /// gRPC endpoint of the persons target (e.g. `http://persons:50051`); defaults to
    /// in-process when this process runs the persons target.
    #[arg(long, env = "UDACONNECT_PERSONS_URL")]
    pub persons_url: Option<String>,

    /// gRPC endpoint of the connections target; defaults to in-process when it runs here.
    #[arg(long, env = "UDACONNECT_CONNECTIONS_URL")]
    pub connections_url: Option<String>,

    /// gRPC endpoint of the ingest target; defaults to in-process when it runs here.
    #[arg(long, env = "UDACONNECT_INGEST_URL")]
    pub ingest_url: Option<String>,

    /// Event log: `embedded` (durable, under the data directory) or `kafka://host:port`.
    #[arg(long, env = "UDACONNECT_BUS", default_value = "embedded")]
    pub bus: BusUrl,

    /// Store: `sqlite` (under the data directory) or `postgres://user@host/db`.
    #[arg(long, env = "UDACONNECT_STORE", default_value = "sqlite")]
    pub store: StoreUrl,

    /// Prefix of every topic and consumer-group name, so that several deployments can share
    /// one Kafka cluster (letters, digits, `.`, `_`, `-`).
    #[arg(long, env = "UDACONNECT_TOPIC_PREFIX", default_value = "", value_parser = topic_prefix)]
    pub topic_prefix: String,

    /// Partitions of the locations topic when it is created.
    #[arg(long, env = "UDACONNECT_PARTITIONS", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub partitions: u32,

    /// Detector: largest distance between two people's fixes that counts as a contact, metres.
    #[arg(long, env = "UDACONNECT_DETECTOR_DISTANCE_M", default_value_t = 5.0, value_parser = positive_metres)]
    pub detector_distance_m: f64,

    /// Extra librdkafka property for every Kafka client, `KEY=VALUE`; repeatable, or
    /// comma-separated in the variable (e.g. `security.protocol=SASL_SSL`,
    /// `sasl.mechanism=PLAIN`, `fetch.wait.max.ms=50`). Applied last, so it overrides
    /// UdaConnect's own settings.
    #[arg(long = "kafka-property", value_name = "KEY=VALUE", env = "UDACONNECT_KAFKA_PROPERTIES", value_delimiter = ',', value_parser = kafka_property)]
    pub kafka_properties: Vec<(String, String)>,

    /// Writer: most fixes stored in one transaction.
    #[arg(long, env = "UDACONNECT_WRITER_BATCH", default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub writer_batch: u32,

    /// Writer: batches stored at once (each in its own transaction and connection) while the
    /// next one is polled; 1 stores one batch at a time.
    #[arg(long, env = "UDACONNECT_WRITER_IN_FLIGHT", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub writer_in_flight: u32,

    /// Detector: largest time between the two fixes of a contact, seconds.
    #[arg(long, env = "UDACONNECT_DETECTOR_WINDOW_S", default_value_t = 300, value_parser = clap::value_parser!(u32).range(0..=86_400))]
    pub detector_window_s: u32,

    /// Detector: longest pause between meetings of one contact episode, seconds; an episode
    /// ends once fixes this much newer than its last meeting have arrived.
    #[arg(long, env = "UDACONNECT_DETECTOR_GAP_S", default_value_t = 600, value_parser = clap::value_parser!(u32).range(0..=86_400))]
    pub detector_gap_s: u32,

    /// Detector: how far (in fix time) a fix may lag behind the newest fix seen and still be
    /// matched against everything it could meet; episodes end this much later too. Fixes from
    /// different partitions arrive interleaved, so this must cover their skew in fix time.
    #[arg(long, env = "UDACONNECT_DETECTOR_LATENESS_S", default_value_t = 30, value_parser = clap::value_parser!(u32).range(0..=86_400))]
    pub detector_lateness_s: u32,

    /// Raster tiles under the web UI's maps: a URL template with `{z}`, `{x}` and `{y}` (e.g.
    /// `https://tile.example.org/{z}/{x}/{y}.png`), fetched by the browser. Without it the maps
    /// are drawn without tiles (points and a scale bar), which works offline.
    #[arg(long, env = "UDACONNECT_MAP_TILE_URL", value_parser = map_tile_url)]
    pub map_tile_url: Option<String>,
    /// How long location fixes (and the contacts computed from them) are kept: `30d`, `12h`,
    /// … or `off` (keep forever). Older fixes are deleted from the store and the read model at
    /// start-up and then every `--retention-interval`; the event log's topics are created with
    /// the same retention (Kafka `retention.ms`, the embedded log's age limit).
    #[arg(long, env = "UDACONNECT_RETENTION", default_value = "off", value_parser = crate::parse_retention)]
    pub retention: crate::Retention,

    /// How often retention deletes expired fixes.
    #[arg(long, env = "UDACONNECT_RETENTION_INTERVAL", default_value = "5m", value_parser = positive_duration)]
    pub retention_interval: Duration,

    /// Do not load the POC's sample data into an empty data directory.
    #[arg(long, env = "UDACONNECT_NO_DEMO_DATA")]
    pub no_demo_data: bool,

    /// Seconds to wait for in-flight work to finish on shutdown.
    #[arg(long, env = "UDACONNECT_SHUTDOWN_TIMEOUT", default_value_t = 10)]
    pub shutdown_timeout_secs: u64,

    /// REST API: sustained requests per second allowed from one client IP (429 with
    /// Retry-After beyond); 0 turns the limit off.
    #[arg(long, env = "UDACONNECT_RATE_LIMIT_PER_S", default_value_t = 50_000)]
    pub rate_limit_per_s: u32,

    /// REST API: requests one client IP may send at once above the sustained rate.
    #[arg(long, env = "UDACONNECT_RATE_LIMIT_BURST", default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit_burst: u32,
    #[command(flatten)]
    pub auth: AuthArgs,
}

/// How access tokens are signed and whether they are required.
#[derive(Debug, Clone, Args)]
pub struct AuthArgs {
    /// File holding the access-token signing key (at least 32 random bytes, raw or base64;
    /// `udaconnect auth-key --out FILE` makes one). Required in distributed mode (any split
    /// target set, PostgreSQL store or Kafka log), where every process must share it. In
    /// embedded mode a key is generated once into `<data-dir>/auth.key` (0600).
    #[arg(long, env = "UDACONNECT_AUTH_KEY_FILE")]
    pub auth_key_file: Option<PathBuf>,

    /// The signing key itself, from the environment (e.g. a Kubernetes Secret); prefer
    /// --auth-key-file. Never printed.
    #[arg(long, env = "UDACONNECT_AUTH_KEY", hide = true, hide_env_values = true)]
    pub auth_key: Option<String>,

    /// INSECURE: serve every REST and gRPC call without a token, as an organiser. Only for
    /// running the POC's old front end against a local copy; logged loudly.
    #[arg(long, env = "UDACONNECT_INSECURE_OPEN_API")]
    pub insecure_open_api: bool,
}

/// `udaconnect admin create`: an organiser account.
#[derive(Debug, Clone, Args)]
pub struct AdminCreateArgs {
    /// The account's username.
    #[arg(long)]
    pub username: String,

    /// Read the password from the first line of standard input; otherwise a random one is
    /// generated and printed once.
    #[arg(long)]
    pub password_stdin: bool,

    /// Directory of the embedded store.
    #[arg(long, env = "UDACONNECT_DATA_DIR", default_value = "./udaconnect-data")]
    pub data_dir: PathBuf,

    /// Store holding the accounts: `sqlite` (under the data directory) or `postgres://…`.
    #[arg(long, env = "UDACONNECT_STORE", default_value = "sqlite")]
    pub store: StoreUrl,
}

/// `udaconnect auth-key`: a new signing key for distributed mode.
#[derive(Debug, Clone, Args)]
pub struct AuthKeyArgs {
    /// Write the key to this new file (mode 0600; an existing file is never overwritten);
    /// without it the key is printed on standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

fn kafka_property(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.trim().to_owned())),
        _ => Err(format!("{s:?} is not KEY=VALUE (a librdkafka property)")),
    }
}

fn positive_duration(s: &str) -> Result<Duration, String> {
    match crate::parse_duration(s)? {
        d if d.is_zero() => Err("must be positive".into()),
        d => Ok(d),
    }
}

fn topic_prefix(s: &str) -> Result<String, String> {
    if s.len() <= 100
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        Ok(s.to_owned())
    } else {
        Err("use at most 100 letters, digits, '.', '_' or '-'".into())
    }
}

/// `udaconnect import`: bulk-load persons and fixes from POC SQL dumps or CSV files.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// Directory of the embedded store to load into.
    #[arg(long, env = "UDACONNECT_DATA_DIR", default_value = "./udaconnect-data")]
    pub data_dir: PathBuf,

    /// Store to load into: `sqlite` (under the data directory) or `postgres://…`.
    #[arg(long, env = "UDACONNECT_STORE", default_value = "sqlite")]
    pub store: StoreUrl,

    /// POC SQL dump files (`insert into …` or pg_dump `COPY`) and CSV files (persons.csv:
    /// id,first_name,last_name,company_name; locations.csv:
    /// id,person_id,latitude,longitude,creation_time). Persons are loaded first.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    /// The message of a command line that must not parse.
    fn parse_error(args: &[&str]) -> String {
        match Cli::try_parse_from(args) {
            Ok(_) => panic!("{args:?} parsed"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn defaults_are_the_embedded_laptop_setup() {
        let c = Cli::try_parse_from(["x"]).unwrap().serve;
        assert_eq!(c.target, vec![Target::All]);
        assert_eq!(c.http_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.data_dir, PathBuf::from("./udaconnect-data"));
        assert_eq!(c.bus, BusUrl::Embedded(None));
        assert_eq!(c.store, StoreUrl::Sqlite(None));
        assert_eq!((c.rate_limit_per_s, c.rate_limit_burst), (50_000, 10_000));
        assert_eq!(
            c.retention.get(),
            None,
            "data is kept unless a retention is set"
        );
    }

    #[test]
    fn kafka_properties_are_key_value_pairs() {
        let c = Cli::try_parse_from([
            "x",
            "--kafka-property",
            "security.protocol=SASL_SSL",
            "--kafka-property",
            "sasl.password=a=b",
        ])
        .unwrap()
        .serve;
        assert_eq!(
            c.kafka_properties,
            vec![
                ("security.protocol".to_owned(), "SASL_SSL".to_owned()),
                ("sasl.password".to_owned(), "a=b".to_owned()),
            ]
        );
        let err = parse_error(&["x", "--kafka-property", "fetch.wait.max.ms"]);
        assert!(err.contains("KEY=VALUE"), "{err}");
        assert!(Cli::try_parse_from(["x", "--kafka-property", "=1"]).is_err());
    }

    #[test]
    fn rate_limit_flags() {
        let c = Cli::try_parse_from(["x", "--rate-limit-per-s", "0", "--rate-limit-burst", "5"])
            .unwrap()
            .serve;
        assert_eq!((c.rate_limit_per_s, c.rate_limit_burst), (0, 5));
        assert!(Cli::try_parse_from(["x", "--rate-limit-burst", "0"]).is_err());
        assert!(Cli::try_parse_from(["x", "--rate-limit-per-s", "-1"]).is_err());
    }

    #[test]
    fn retention_is_a_duration_or_off() {
        let c = Cli::try_parse_from(["x", "--retention", "30d"])
            .unwrap()
            .serve;
        assert_eq!(c.retention.get(), Some(Duration::from_secs(30 * 86_400)));
        assert_eq!(c.retention_interval, Duration::from_secs(300));
        let e = parse_error(&["x", "--retention", "30 days"]);
        assert!(e.contains("--retention"), "{e}");
        assert!(Cli::try_parse_from(["x", "--retention-interval", "0s"]).is_err());
    }

    #[test]
    fn map_tile_url_is_a_template_or_refused() {
        let parse =
            |v: &str| Cli::try_parse_from(["x", "--map-tile-url", v]).map(|c| c.serve.map_tile_url);
        assert_eq!(Cli::try_parse_from(["x"]).unwrap().serve.map_tile_url, None);
        assert_eq!(
            parse("https://tile.example.org/{z}/{x}/{y}.png")
                .unwrap()
                .as_deref(),
            Some("https://tile.example.org/{z}/{x}/{y}.png")
        );
        assert!(parse("http://127.0.0.1:8081/t/{z}/{x}/{y}").is_ok());
        for bad in [
            "tile.example.org/{z}/{x}/{y}.png",
            "ftp://x/{z}/{x}/{y}",
            "https://x/{z}/{x}.png",
            "https:///{z}/{x}/{y}",
            "https://u@x/{z}/{x}/{y}",
            "https://x/{z}/{x}/{y}\"><script>",
            "https://x/{z}/{x}/{y}; script-src *",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn targets_are_comma_separated() {
        let c = Cli::try_parse_from(["x", "--target", "gateway,writer"])
            .unwrap()
            .serve;
        assert_eq!(c.target, vec![Target::Gateway, Target::Writer]);
        assert!(Cli::try_parse_from(["x", "--target", "bogus"]).is_err());
        assert!(Cli::try_parse_from(["x", "--http-addr", "nope"]).is_err());
    }
}

/// `udaconnect simulate`: a deterministic synthetic conference (attendees, booths in a hall,
/// hotels, GPS noise), written straight into a store or streamed through gRPC ingest.
#[derive(Debug, Clone, Args)]
pub struct SimulateArgs {
    /// Attendees (each becomes a new person).
    #[arg(long, default_value_t = 1_000, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub attendees: u32,

    /// Conference days, from `--start`.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=365))]
    pub days: u32,

    /// Midnight (UTC) of the first day, `YYYY-MM-DD`.
    #[arg(long, default_value = "2020-08-18")]
    pub start: String,

    /// Seconds between two fixes of one attendee (±25 %).
    #[arg(long, default_value_t = 240, value_parser = clap::value_parser!(u32).range(1..=86_400))]
    pub fix_interval_s: u32,

    /// Random seed: the same seed gives the same conference.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,

    /// Stream the fixes through this gRPC ingest endpoint (e.g. `http://127.0.0.1:50051`,
    /// which must also serve Persons) instead of writing them into the store.
    #[arg(long, env = "UDACONNECT_INGEST_URL")]
    pub ingest_url: Option<String>,

    /// With `--ingest-url`: the access token to call it with (an organiser's, or a device's
    /// for its one person).
    #[arg(long, env = "UDACONNECT_TOKEN", hide_env_values = true)]
    pub token: Option<String>,

    /// With `--ingest-url`: target fixes per second (0 = as fast as the server accepts).
    #[arg(long, default_value_t = 0)]
    pub rate: u32,

    /// With `--ingest-url`: concurrent ingest streams (fixes split by attendee, so each
    /// attendee's fixes stay in order).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub streams: u32,

    /// With `--ingest-url`: measure end to end and print a report — when every acknowledged
    /// fix was stored, contact-detection latency from ingest ack to `WatchContacts` event,
    /// and `FindContacts` latency percentiles under `--query-rate`.
    #[arg(long, requires = "ingest_url")]
    pub report: bool,

    /// With `--report`: the gRPC endpoint serving Connections (default: `--ingest-url`).
    #[arg(long, requires = "report")]
    pub connections_url: Option<String>,

    /// With `--report`: contact queries per second during the run (0 = none).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(0..=10_000))]
    pub query_rate: u32,

    /// Directory of the embedded store to write into (without `--ingest-url`).
    #[arg(long, env = "UDACONNECT_DATA_DIR", default_value = "./udaconnect-data")]
    pub data_dir: PathBuf,

    /// Store to write into (without `--ingest-url`): `sqlite` or `postgres://…`.
    #[arg(long, env = "UDACONNECT_STORE", default_value = "sqlite")]
    pub store: StoreUrl,
}

/// A tile URL template the browser may load images from: `http(s)://host[:port]/...` with
/// `{z}`, `{x}` and `{y}`, and nothing that could break out of an HTML attribute or a
/// Content-Security-Policy source.
fn map_tile_url(s: &str) -> Result<String, String> {
    let s = s.trim();
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or("must start with http:// or https://")?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty()
        || !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
    {
        return Err("must name a host (letters, digits, '.', '-', an optional :port)".into());
    }
    if let Some(missing) = ["{z}", "{x}", "{y}"].into_iter().find(|p| !s.contains(p)) {
        return Err(format!(
            "must contain {missing} (as in https://host/{{z}}/{{x}}/{{y}}.png)"
        ));
    }
    if s.len() > 2_000
        || s.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(c, '"' | '\'' | '<' | '>' | '`' | ';' | ',')
        })
    {
        return Err(
            "must be a URL of at most 2000 characters without spaces, quotes, '<', '>', ';' or ','"
                .into(),
        );
    }
    Ok(s.to_owned())
}

fn positive_metres(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(m) if m.is_finite() && m > 0.0 && m <= 1_000.0 => Ok(m),
        _ => Err("must be a number of metres above 0 and at most 1000".into()),
    }
}
