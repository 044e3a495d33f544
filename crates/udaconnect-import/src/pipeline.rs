//! `import_files`: persons first, then locations; each phase parses on a blocking thread
//! and inserts on the async side, with a bounded channel of batches in between.

use std::{
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Instant,
};

use chrono::SubsecRound;
use tokio::sync::mpsc;
use udaconnect_domain::Timestamp;
use udaconnect_store::{DynStore, InsertReport};

use crate::{
    Format, ImportError, ImportOptions, ImportReport, ParseStats, Table,
    batch::Batcher,
    insert::Inserter,
    parse_csv, parse_dump,
    progress::{Reporter, Tracked},
    report::Rejections,
    source::{Origin, Source},
};

/// Batches in flight between the parsing thread and the store: enough to keep both busy.
const CHANNEL_BATCHES: usize = 2;

/// Imports SQL dumps and CSV files (see the crate docs) into `store`: all persons before any
/// location, whatever the order of `files`. Idempotent: rows already stored are skipped.
/// Bad rows and locations of unknown persons are rejected and listed in the report; only
/// unreadable or unrecognisable files and store failures stop the import.
#[tracing::instrument(skip_all, fields(files = files.len()))]
pub async fn import_files(
    store: &DynStore,
    files: &[PathBuf],
    options: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let origins = files.iter().cloned().map(Origin::File).collect();
    import(store, origins, options).await
}

pub(crate) async fn import(
    store: &DynStore,
    origins: Vec<Origin>,
    options: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    let received_at = chrono::Utc::now().trunc_subsecs(6);
    let sources: Vec<Arc<Source>> = tokio::task::spawn_blocking(move || {
        origins
            .into_iter()
            .map(|o| Source::detect(o).map(Arc::new))
            .collect::<Result<_, _>>()
    })
    .await
    .map_err(|e| ImportError::Task(e.to_string()))??;
    let mut report = ImportReport {
        files: sources.len(),
        ..ImportReport::default()
    };

    let dumps_and_persons: Vec<_> = sources
        .iter()
        .filter(|s| s.format != Format::LocationsCsv)
        .cloned()
        .collect();
    let persons = phase(
        store,
        Table::Persons,
        dumps_and_persons.clone(),
        options,
        received_at,
    )
    .await?;
    report.persons_inserted = persons.store.inserted;
    report.persons_skipped = persons.store.skipped;
    report.statements_skipped = persons.stats.iter().map(|s| s.statements_skipped).sum();
    report.add_rejections(persons.rejections);

    let with_locations = sources.iter().filter(|s| match s.format {
        Format::LocationsCsv => true,
        Format::PersonsCsv => false,
        Format::SqlDump => dumps_and_persons
            .iter()
            .zip(&persons.stats)
            .any(|(d, st)| Arc::ptr_eq(d, s) && st.has_locations),
    });
    let with_locations = with_locations.cloned().collect();
    let locations = phase(
        store,
        Table::Locations,
        with_locations,
        options,
        received_at,
    )
    .await?;
    report.locations_inserted = locations.store.inserted;
    report.locations_skipped = locations.store.skipped;
    report.swapped_fixed = locations.stats.iter().map(|s| s.swapped).sum();
    report.add_rejections(locations.rejections);
    report.elapsed = started.elapsed();
    tracing::debug!(
        persons = report.persons_inserted,
        locations = report.locations_inserted,
        rejected = report.rejected,
        "import finished"
    );
    Ok(report)
}

#[derive(Default)]
struct Phase {
    /// Per source, in order.
    stats: Vec<ParseStats>,
    store: InsertReport,
    rejections: Rejections,
}

async fn phase(
    store: &DynStore,
    table: Table,
    sources: Vec<Arc<Source>>,
    options: &ImportOptions,
    received_at: Timestamp,
) -> Result<Phase, ImportError> {
    if sources.is_empty() {
        return Ok(Phase::default());
    }
    let (tx, mut rx) = mpsc::channel(CHANNEL_BATCHES);
    let cancelled = Arc::new(AtomicBool::new(false));
    let total = sources.iter().map(|s| s.size).sum();
    let reporter = Reporter::new(&options.progress, table, total);
    let bytes = Arc::new(AtomicU64::new(0));
    let batcher = Batcher::new(
        tx,
        table,
        options.batch_size,
        received_at,
        reporter,
        Arc::clone(&bytes),
    );
    let parser = {
        let cancelled = Arc::clone(&cancelled);
        tokio::task::spawn_blocking(move || parse_all(&sources, batcher, &bytes, &cancelled))
    };
    let mut inserter = Inserter::new(Arc::clone(store));
    let mut failure = None;
    while let Some(msg) = rx.recv().await {
        if let Err(e) = inserter.handle(msg).await {
            cancelled.store(true, Ordering::Relaxed);
            failure = Some(e);
            break;
        }
    }
    drop(rx);
    let parsed = parser.await.map_err(|e| ImportError::Task(e.to_string()))?;
    if let Some(e) = failure {
        return Err(ImportError::Store(e));
    }
    let (stats, mut rejections) = parsed?;
    rejections.merge(inserter.rejections);
    let store = match table {
        Table::Persons => inserter.persons,
        Table::Locations => inserter.locations,
    };
    Ok(Phase {
        stats,
        store,
        rejections,
    })
}

/// The parsing thread: every source in turn through the batcher. Blocking.
fn parse_all(
    sources: &[Arc<Source>],
    mut batcher: Batcher,
    bytes: &Arc<AtomicU64>,
    cancelled: &Arc<AtomicBool>,
) -> Result<(Vec<ParseStats>, Rejections), ImportError> {
    let mut all = Vec::with_capacity(sources.len());
    for source in sources {
        let reader = Tracked::new(source.open()?, Arc::clone(bytes), Arc::clone(cancelled));
        batcher.start_file(Arc::clone(&source.name));
        let stats = match source.format {
            Format::SqlDump => parse_dump(reader, &source.name, &mut batcher),
            Format::PersonsCsv | Format::LocationsCsv => {
                parse_csv(reader, &source.name, &mut batcher)
            }
        }
        .map_err(|e| source.io_error(e))?;
        batcher.flush();
        all.push(stats);
    }
    Ok((all, batcher.finish()))
}
