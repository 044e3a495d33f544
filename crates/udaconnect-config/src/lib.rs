//! UdaConnect configuration. Every flag has a `UDACONNECT_*` environment fallback; backends
//! are chosen by URL scheme. Parsing is clap's, so tests use `try_parse_from` and never touch
//! the process environment.

mod backends;
mod duration;
mod serve;
mod target;

pub use backends::{BusUrl, ConfigError, StoreUrl};
pub use duration::{Retention, format_duration, parse_duration, parse_retention};
pub use serve::{
    AdminCreateArgs, AuthArgs, AuthKeyArgs, ImportArgs, LogFormat, ServeArgs, SimulateArgs,
    TelemetryArgs,
};
pub use target::{Target, Targets};
