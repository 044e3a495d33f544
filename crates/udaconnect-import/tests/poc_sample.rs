//! The demo fixture is the POC sample dump, parsed by this crate with swapped points fixed.

mod common;

use std::fs::File;

use common::{fixture_dir, poc_seed_dir, poc_seed_files};
use udaconnect_import::{
    Collect, ParseStats, parse_csv, parse_dump, write_locations_csv, write_persons_csv,
};

fn parse_sample(dir: &std::path::Path) -> (Collect, ParseStats) {
    let mut sink = Collect::default();
    let mut stats = ParseStats::default();
    for path in poc_seed_files(dir) {
        let file = File::open(&path).expect("opening a sample file");
        stats += parse_dump(file, &path.display().to_string(), &mut sink).expect("parsing");
    }
    sink.persons.sort_by_key(|p| p.id);
    sink.locations.sort_by_key(|l| l.id);
    (sink, stats)
}

fn parse_fixture() -> Collect {
    let mut sink = Collect::default();
    for name in ["persons.csv", "locations.csv"] {
        let path = fixture_dir().join(name);
        let file = File::open(&path).expect("opening the fixture");
        parse_csv(file, name, &mut sink).expect("parsing the fixture");
    }
    sink
}

#[test]
fn sample_dump_equals_the_demo_fixture() {
    let Some(dir) = poc_seed_dir() else { return };
    let (sample, _) = parse_sample(&dir);
    let fixture = parse_fixture();
    assert!(sample.rejected.is_empty(), "{:?}", sample.rejected);
    assert!(fixture.rejected.is_empty(), "{:?}", fixture.rejected);
    assert_eq!(sample.persons, fixture.persons);
    assert_eq!(sample.locations, fixture.locations);
}

/// Counted independently of the parser: the Y double of each little-endian WKB literal.
#[test]
fn swapped_rows_are_exactly_those_with_y_beyond_90() {
    let Some(dir) = poc_seed_dir() else { return };
    let text =
        std::fs::read_to_string(dir.join("udaconnect_public_location.sql")).expect("reading");
    let mut rows = 0;
    let mut beyond = 0;
    for hex in text
        .split('\'')
        .filter(|s| s.starts_with("0101000000") && s.len() == 42)
    {
        let bytes: Vec<u8> = (0..8)
            .map(|i| u8::from_str_radix(&hex[26 + 2 * i..28 + 2 * i], 16).expect("hex"))
            .collect();
        let y = f64::from_le_bytes(bytes.try_into().expect("8 bytes"));
        rows += 1;
        beyond += u64::from(y.abs() > 90.0);
    }
    let (sample, stats) = parse_sample(&dir);
    assert_eq!(sample.locations.len(), rows);
    assert_eq!((stats.persons, stats.locations), (5, rows as u64));
    assert_eq!(stats.swapped, beyond);
    assert!(beyond > 0);
    assert_eq!(
        stats.statements_skipped, 4,
        "two CREATE TABLE and two CREATE INDEX"
    );
}

/// Regenerates `fixtures/demo/*.csv` from the sample:
/// `cargo test -p udaconnect-import --test poc_sample -- --ignored regenerate`.
#[test]
#[ignore = "writes the fixture; run by hand when the conversion changes"]
fn regenerate_demo_fixture() {
    let Some(dir) = poc_seed_dir() else { return };
    let (sample, _) = parse_sample(&dir);
    assert!(sample.rejected.is_empty(), "{:?}", sample.rejected);
    let out = fixture_dir();
    std::fs::create_dir_all(&out).expect("creating the fixture directory");
    let persons = File::create(out.join("persons.csv")).expect("creating persons.csv");
    write_persons_csv(persons, &sample.persons).expect("writing persons.csv");
    let locations = File::create(out.join("locations.csv")).expect("creating locations.csv");
    write_locations_csv(locations, &sample.locations).expect("writing locations.csv");
}
