use std::{
    fmt,
    path::{Path, PathBuf},
    str::FromStr,
};

/// A configuration value that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{flag}: {message}")]
    Invalid { flag: &'static str, message: String },
}

/// Where the event log lives, chosen by URL scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BusUrl {
    /// `embedded` or `embedded:///path`: the durable in-process log (default: under the data
    /// directory).
    Embedded(Option<PathBuf>),
    /// `kafka://host:port[,host:port]`: a Kafka-protocol broker.
    Kafka(String),
}

/// Where persons and fixes are stored, chosen by URL scheme. `Debug` masks the password too.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreUrl {
    /// `sqlite` or `sqlite:///path/to/file.db`: the embedded store (default: under the data
    /// directory).
    Sqlite(Option<PathBuf>),
    /// `postgres://…`: PostgreSQL with PostGIS. Kept whole; printed with the password masked.
    Postgres(String),
}

fn split(s: &str) -> (&str, &str) {
    match s.split_once("://") {
        Some((scheme, rest)) => (scheme, rest),
        None => (s, ""),
    }
}

fn path(rest: &str) -> Option<PathBuf> {
    (!rest.is_empty()).then(|| PathBuf::from(rest))
}

impl FromStr for BusUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match split(s.trim()) {
            ("embedded", rest) => Ok(BusUrl::Embedded(path(rest))),
            ("kafka", rest) if !rest.is_empty() => Ok(BusUrl::Kafka(rest.to_owned())),
            _ => Err(format!(
                "{s:?} is not an event log URL; use embedded[:///path] or kafka://host:port"
            )),
        }
    }
}

impl FromStr for StoreUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        match split(s) {
            ("sqlite", rest) => Ok(StoreUrl::Sqlite(path(rest))),
            ("postgres" | "postgresql", rest) if !rest.is_empty() => {
                Ok(StoreUrl::Postgres(s.to_owned()))
            }
            _ => Err(format!(
                "{s:?} is not a store URL; use sqlite[:///path/file.db] or postgres://user@host/db"
            )),
        }
    }
}

impl BusUrl {
    /// The embedded log's directory, defaulting to `<data_dir>/log`.
    pub fn embedded_dir(&self, data_dir: &Path) -> Option<PathBuf> {
        match self {
            BusUrl::Embedded(p) => Some(p.clone().unwrap_or_else(|| data_dir.join("log"))),
            BusUrl::Kafka(_) => None,
        }
    }
}

impl StoreUrl {
    /// The SQLite file, defaulting to `<data_dir>/udaconnect.db`.
    pub fn sqlite_path(&self, data_dir: &Path) -> Option<PathBuf> {
        match self {
            StoreUrl::Sqlite(p) => {
                Some(p.clone().unwrap_or_else(|| data_dir.join("udaconnect.db")))
            }
            StoreUrl::Postgres(_) => None,
        }
    }
}

impl fmt::Display for BusUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BusUrl::Embedded(None) => f.write_str("embedded"),
            BusUrl::Embedded(Some(p)) => write!(f, "embedded://{}", p.display()),
            BusUrl::Kafka(b) => write!(f, "kafka://{b}"),
        }
    }
}

impl fmt::Display for StoreUrl {
    /// Masks a password, so the URL can be logged.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreUrl::Sqlite(None) => f.write_str("sqlite"),
            StoreUrl::Sqlite(Some(p)) => write!(f, "sqlite://{}", p.display()),
            StoreUrl::Postgres(url) => f.write_str(&mask_password(url)),
        }
    }
}

impl fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StoreUrl({self})")
    }
}

fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:****@{host}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_schemes() {
        assert_eq!(
            "embedded".parse::<BusUrl>().unwrap(),
            BusUrl::Embedded(None)
        );
        assert_eq!(
            "kafka://127.0.0.1:9092".parse::<BusUrl>().unwrap(),
            BusUrl::Kafka("127.0.0.1:9092".into())
        );
        assert!("redis://x".parse::<BusUrl>().is_err());
        assert_eq!(
            "sqlite:///tmp/x.db".parse::<StoreUrl>().unwrap(),
            StoreUrl::Sqlite(Some("/tmp/x.db".into()))
        );
        assert!("mysql://x".parse::<StoreUrl>().is_err());
    }

    #[test]
    fn masks_passwords_when_printed() {
        let u: StoreUrl = "postgres://uda:s3cret@db:5432/geo".parse().unwrap();
        assert_eq!(u.to_string(), "postgres://uda:****@db:5432/geo");
        assert!(!format!("{u} {u:?}").contains("s3cret"));
    }

    #[test]
    fn defaults_live_under_the_data_dir() {
        let d = Path::new("/data");
        assert_eq!(
            BusUrl::Embedded(None).embedded_dir(d).unwrap(),
            d.join("log")
        );
        assert_eq!(
            StoreUrl::Sqlite(None).sqlite_path(d).unwrap(),
            d.join("udaconnect.db")
        );
    }
}
