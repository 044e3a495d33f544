use anyhow::Context;
use udaconnect_config::ImportArgs;

use crate::infra;

/// `udaconnect import`: loads the files into the configured store and prints the report.
/// Fails (non-zero exit) when any row was rejected, after importing every good row.
pub async fn run_import(args: &ImportArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.data_dir)
        .with_context(|| format!("creating data directory {}", args.data_dir.display()))?;
    let store = infra::open_store(&args.store, &args.data_dir).await?;
    let report = udaconnect_import::import_files(
        &store,
        &args.files,
        &udaconnect_import::ImportOptions::default(),
    )
    .await
    .context("importing")?;
    println!("{report}");
    if report.rejected > 0 {
        anyhow::bail!("{} rows were rejected (see above)", report.rejected);
    }
    Ok(())
}
