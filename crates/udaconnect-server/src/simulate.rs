//! `udaconnect simulate`: a deterministic synthetic conference
//! (`udaconnect_proximity::sim`), either written straight into a store in large batches (for
//! bulk benchmarks) or streamed through the gRPC ingest at a target rate (for end-to-end
//! runs). Progress shows as a bar on a terminal, as log lines otherwise.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressStyle};
use udaconnect_config::SimulateArgs;
use udaconnect_domain::{EventId, LocationRecorded, NewLocation, NewPerson, Person, PersonId};
use udaconnect_proximity::{Fix, sim::ConferenceConfig};
use udaconnect_store::DynStore;

use crate::infra;
use crate::loadreport::LoadProbe;

/// Fixes per store transaction or per gRPC stream.
const BATCH: usize = 10_000;

/// What a run did, for the user.
#[derive(Debug)]
pub struct SimulationReport {
    pub persons: u64,
    pub fixes: u64,
    pub elapsed: Duration,
}

impl std::fmt::Display for SimulationReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        write!(
            f,
            "simulated {} attendees and {} fixes in {:.2} s ({:.0} fixes/s)",
            self.persons,
            self.fixes,
            secs,
            self.fixes as f64 / secs
        )
    }
}

pub async fn run_simulate(args: &SimulateArgs) -> anyhow::Result<()> {
    let start = NaiveDate::parse_from_str(&args.start, "%Y-%m-%d")
        .context("--start must be a date such as 2020-08-18")?;
    let mut config = ConferenceConfig {
        seed: args.seed,
        attendees: args.attendees,
        days: args.days,
        start: start.and_time(chrono::NaiveTime::MIN).and_utc(),
        fix_interval_s: args.fix_interval_s,
        ..ConferenceConfig::default()
    };
    let report = match &args.ingest_url {
        Some(url) => stream(&mut config, args, url).await?,
        None => {
            std::fs::create_dir_all(&args.data_dir)
                .with_context(|| format!("creating data directory {}", args.data_dir.display()))?;
            let store = infra::open_store(&args.store, &args.data_dir).await?;
            write(&mut config, &store).await?
        }
    };
    println!("{report}");
    Ok(())
}

/// An upper bound of the fixes a configuration produces (intervals vary by ±25 %).
fn max_fixes(c: &ConferenceConfig) -> u64 {
    let per_attendee = u64::from(c.days) * 86_400 / u64::from(c.fix_interval_s) * 4 / 3 + 2;
    u64::from(c.attendees) * per_attendee
}

fn progress(total: u64) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} fixes ({per_sec}, eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    if bar.is_hidden() {
        tracing::info!(fixes = total, "simulating (at most)");
    }
    bar
}

fn attendee(i: u32) -> Result<NewPerson, udaconnect_domain::ValidationError> {
    NewPerson::new(
        "Attendee",
        &format!("{:05}", i + 1),
        &format!("Simulated Company {}", i % 50 + 1),
    )
}

/// Bulk mode: persons and fixes go straight into the store, ids after every stored one.
async fn write(
    config: &mut ConferenceConfig,
    store: &DynStore,
) -> anyhow::Result<SimulationReport> {
    let started = Instant::now();
    let first_person = store
        .list_persons()
        .await?
        .last()
        .map_or(1, |p| p.id.get() + 1);
    let persons = (0..config.attendees)
        .map(|i| Ok(attendee(i)?.with_id(PersonId::new(first_person + i64::from(i))?)))
        .collect::<Result<Vec<Person>, udaconnect_domain::ValidationError>>()?;
    store.import_persons(&persons).await?;
    let total = max_fixes(config);
    let ids = store
        .reserve_location_ids(u32::try_from(total).context("too many fixes for one run")?)
        .await?;
    config.first_person_id = first_person;
    config.first_location_id = ids.start;
    let bar = progress(total);
    let received_at = chrono::Utc::now();
    let mut fixes = 0u64;
    let mut last_log = Instant::now();
    let mut batch = Vec::with_capacity(BATCH);
    let mut sim = config.fixes();
    loop {
        batch.clear();
        batch.extend(sim.by_ref().take(BATCH).map(|f| recorded(&f, received_at)));
        if batch.is_empty() {
            break;
        }
        store.insert_locations(&batch).await?;
        fixes += batch.len() as u64;
        bar.set_position(fixes);
        if bar.is_hidden() && last_log.elapsed() >= Duration::from_secs(2) {
            tracing::info!(fixes, "simulating");
            last_log = Instant::now();
        }
    }
    bar.finish_and_clear();
    Ok(SimulationReport {
        persons: u64::from(config.attendees),
        fixes,
        elapsed: started.elapsed(),
    })
}

fn recorded(f: &Fix, received_at: udaconnect_domain::Timestamp) -> LocationRecorded {
    LocationRecorded {
        event_id: EventId::new_v7(),
        location: NewLocation {
            person_id: f.person,
            coordinates: f.coordinates,
            creation_time: f.time,
        }
        .with_id(f.location),
        received_at,
    }
}

/// Streaming mode: attendees are registered through gRPC Persons, fixes sent through
/// `LocationIngest/StreamLocations` at the target rate, split by attendee over `streams`
/// concurrent client streams; with `report`, measured end to end ([`LoadProbe`]).
async fn stream(
    config: &mut ConferenceConfig,
    args: &SimulateArgs,
    url: &str,
) -> anyhow::Result<SimulationReport> {
    let token = args.token.clone();
    let persons = udaconnect_grpc::persons_client_with_token(url, token.clone())?;
    let ingest = udaconnect_grpc::ingest_client_with_token(url, token.clone())?;
    let mut probe = if args.report {
        let connections = udaconnect_grpc::connections_client_with_token(
            args.connections_url.as_deref().unwrap_or(url),
            token,
        )?;
        let from = config.start;
        let to = from + chrono::Duration::days(i64::from(config.days) + 1);
        Some(LoadProbe::start(connections, args.query_rate, from, to).await?)
    } else {
        None
    };
    let mut ids = Vec::with_capacity(config.attendees as usize);
    for i in 0..config.attendees {
        ids.push(
            persons
                .create(attendee(i)?)
                .await
                .context("registering attendees")?
                .id,
        );
    }
    if let Some(probe) = &probe {
        probe.set_persons(&ids).await;
    }
    config.first_person_id = 1;
    let bar = progress(max_fixes(config));
    let rate = args.rate;
    // With a rate, send a tenth of a second's worth at a time.
    let chunk = if rate == 0 {
        BATCH * args.streams as usize
    } else {
        (rate as usize / 10).clamp(1, BATCH * args.streams as usize)
    };
    let streams = args.streams as usize;
    let started = Instant::now();
    let mut fixes = 0u64;
    let mut sim = config.fixes();
    loop {
        let mut parts: Vec<Vec<NewLocation>> = vec![Vec::new(); streams];
        let mut sent = 0u64;
        for f in sim.by_ref().take(chunk) {
            let person = ids[(f.person.get() - 1) as usize];
            parts[(person.get() as usize) % streams].push(NewLocation {
                person_id: person,
                coordinates: f.coordinates,
                creation_time: f.time,
            });
            sent += 1;
        }
        if sent == 0 {
            break;
        }
        let answers = futures::future::try_join_all(
            parts
                .into_iter()
                .filter(|p| !p.is_empty())
                .map(|part| ingest.record_many(part)),
        )
        .await
        .context("streaming fixes")?;
        for results in answers {
            let mut acked = Vec::with_capacity(results.len());
            for r in results {
                match r {
                    Ok(location) => acked.push((location.person_id, location.id)),
                    Err(e) => bail!("the ingest refused a simulated fix: {e}"),
                }
            }
            if let Some(probe) = &mut probe {
                probe.acknowledged(acked);
            }
        }
        fixes += sent;
        bar.set_position(fixes);
        if rate > 0 {
            let due = Duration::from_secs_f64(fixes as f64 / f64::from(rate));
            if let Some(wait) = due.checked_sub(started.elapsed()) {
                tokio::time::sleep(wait).await;
            }
        }
    }
    let acked_in = started.elapsed();
    bar.finish_and_clear();
    if let Some(probe) = probe {
        let report = probe
            .finish(
                fixes,
                started,
                Duration::from_secs(300),
                Duration::from_secs(2),
            )
            .await;
        println!("{report}");
    }
    Ok(SimulationReport {
        persons: ids.len() as u64,
        fixes,
        elapsed: acked_in,
    })
}
