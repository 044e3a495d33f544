//! The `udaconnect` binary: parse the command line, set up telemetry, hand off to
//! `udaconnect-server`. Everything testable lives in the library crates.

use clap::{Parser, Subcommand};

/// jemalloc instead of glibc's malloc: under load glibc's per-thread arenas held about twice
/// the live heap as resident memory (docs/reliability.md, "Soak"), and allocation was the
/// bottleneck of embedded ingest and detection (docs/benchmarks.md). The feature also makes
/// jemalloc the process's `malloc`, which the C libraries (librdkafka, SQLite) call.
#[cfg(feature = "jemalloc")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
use udaconnect_config::{
    AdminCreateArgs, AuthKeyArgs, ImportArgs, ServeArgs, SimulateArgs, TelemetryArgs,
};

#[derive(Parser)]
#[command(
    name = "udaconnect",
    version,
    about = "Who met whom at a conference, from their phones' GPS fixes"
)]
struct Cli {
    #[command(flatten)]
    telemetry: TelemetryArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run UdaConnect (all targets in one process by default, embedded store and event log).
    Serve(Box<ServeArgs>),
    /// Bulk-load persons and location fixes from POC SQL dumps or CSV files.
    Import(ImportArgs),
    /// Generate a deterministic synthetic conference into a store, or stream it through gRPC.
    Simulate(SimulateArgs),
    /// Print the OpenAPI document of the REST API (YAML).
    Openapi,
    /// Manage accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Generate an access-token signing key for distributed mode.
    AuthKey(AuthKeyArgs),
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an organiser (admin) account; prints a generated password unless
    /// --password-stdin is given.
    Create(AdminCreateArgs),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    udaconnect_telemetry::init_logging(&cli.telemetry)?;
    match cli.command {
        Command::Serve(args) => {
            let app = udaconnect_server::App::build(&args).await?;
            println!("{}", app.banner());
            app.run_until_stopped(udaconnect_server::shutdown_signal())
                .await
        }
        Command::Import(args) => udaconnect_server::run_import(&args).await,
        Command::Simulate(args) => udaconnect_server::run_simulate(&args).await,
        Command::Admin(AdminCommand::Create(args)) => {
            udaconnect_server::run_admin_create(&args).await
        }
        Command::AuthKey(args) => udaconnect_server::run_auth_key(&args),
        Command::Openapi => {
            print!("{}", udaconnect_gateway::openapi_yaml());
            Ok(())
        }
    }
}
