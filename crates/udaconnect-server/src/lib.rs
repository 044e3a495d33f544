//! Runs UdaConnect's targets. [`App::build`] opens the adapters the configuration names,
//! wires the services of the chosen targets (in-process clients when a target runs here),
//! binds the listeners and returns; [`App::run_until_stopped`] serves until a shutdown signal
//! and then drains in order. Tests build an `App` on port 0 with a temporary data directory.

mod app;
mod auth;
mod import;
mod infra;
mod loadreport;
mod probes;
mod shutdown;
mod simulate;
mod wiring;

pub use app::App;
pub use auth::{run_admin_create, run_auth_key};
pub use import::run_import;
pub use loadreport::{LoadReport, Percentiles};
pub use shutdown::shutdown_signal;
pub use simulate::{SimulationReport, run_simulate};
