//! The POC demo fixture, parsed independently of the importer, and a haversine for brute
//! force oracles.

/// One fix of the demo fixture.
#[derive(Debug, Clone)]
pub struct Fix {
    pub id: i64,
    pub person_id: i64,
    pub lat: f64,
    pub lon: f64,
    /// Seconds since the epoch, UTC (the fixture has whole seconds).
    pub t: i64,
}

pub fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../udaconnect-import/fixtures/demo/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// Days since the epoch of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub fn parse_time(s: &str) -> i64 {
    let n = |a: usize, b: usize| s[a..b].parse::<i64>().expect("number in timestamp");
    days(n(0, 4), n(5, 7), n(8, 10)) * 86_400 + n(11, 13) * 3600 + n(14, 16) * 60 + n(17, 19)
}

pub fn date(s: &str) -> i64 {
    parse_time(&format!("{s}T00:00:00"))
}

pub fn load_fixes() -> Vec<Fix> {
    let text = fixture("locations.csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect("column");
    let (id, pid, lat, lon, t) = (
        col("id"),
        col("person_id"),
        col("latitude"),
        col("longitude"),
        col("creation_time"),
    );
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Fix {
                id: f[id].parse().expect("id"),
                person_id: f[pid].parse().expect("person_id"),
                lat: f[lat].parse().expect("latitude"),
                lon: f[lon].parse().expect("longitude"),
                t: parse_time(f[t]),
            }
        })
        .collect()
}

pub fn haversine(a: &Fix, b: &Fix) -> f64 {
    let r = 6_371_008.8_f64;
    let (p1, p2) = (a.lat.to_radians(), b.lat.to_radians());
    let dp = (b.lat - a.lat).to_radians();
    let dl = (b.lon - a.lon).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * r * h.sqrt().asin()
}
