//! Durations on the command line: a whole number and a unit, `90s`, `15m`, `12h`, `30d`, `2w`
//! (several may be joined: `1d12h`), or `off`.

use std::time::Duration;

/// Parses `30d`, `12h`, `1d12h`, `90s`; the error says what is expected.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    const EXPECTED: &str =
        "expected a duration such as 30d, 12h, 15m, 90s or 2w (units: s, m, h, d, w)";
    let s = s.trim();
    if s.is_empty() {
        return Err(EXPECTED.into());
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit: u64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(EXPECTED.into()),
        };
        let n: u64 = digits.parse().map_err(|_| EXPECTED.to_owned())?;
        digits.clear();
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| "is too long".to_owned())?;
    }
    if !digits.is_empty() {
        return Err(EXPECTED.into());
    }
    Ok(Duration::from_secs(total))
}

/// How long personal data is kept: `None` is forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Retention(pub Option<Duration>);

impl Retention {
    pub fn get(self) -> Option<Duration> {
        self.0
    }
}

impl std::fmt::Display for Retention {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            None => f.write_str("off"),
            Some(d) => f.write_str(&format_duration(d)),
        }
    }
}

/// A retention: `off` (keep forever) or a positive duration of at most ten years.
pub fn parse_retention(s: &str) -> Result<Retention, String> {
    parse_retention_duration(s).map(Retention)
}

fn parse_retention_duration(s: &str) -> Result<Option<Duration>, String> {
    if s.trim().eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    let d = parse_duration(s)?;
    if d.is_zero() {
        return Err("must be positive (or `off` to keep data forever)".into());
    }
    if d > Duration::from_secs(10 * 366 * 86_400) {
        return Err("must be at most ten years (or `off`)".into());
    }
    Ok(Some(d))
}

/// Formats a duration as [`parse_duration`] reads it, with the largest exact unit.
pub fn format_duration(d: Duration) -> String {
    let s = d.as_secs();
    for (unit, n) in [("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60)] {
        if s > 0 && s.is_multiple_of(n) {
            return format!("{}{unit}", s / n);
        }
    }
    format!("{s}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_combine_and_garbage_is_refused() {
        assert_eq!(
            parse_duration("30d").unwrap(),
            Duration::from_secs(30 * 86_400)
        );
        assert_eq!(
            parse_duration("1d12h").unwrap(),
            Duration::from_secs(36 * 3_600)
        );
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(
            parse_duration("2w").unwrap(),
            Duration::from_secs(14 * 86_400)
        );
        for bad in ["", "30", "d", "3x", "-1d", "1.5h", "99999999999999999999w"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse_retention("off").unwrap(), Retention(None));
        assert_eq!(parse_retention("30d").unwrap().to_string(), "30d");
        assert!(parse_retention("0d").is_err());
        assert!(parse_retention("11000d").is_err());
        assert_eq!(format_duration(Duration::from_secs(30 * 86_400)), "30d");
        assert_eq!(format_duration(Duration::from_secs(90)), "90s");
        assert_eq!(format_duration(Duration::from_secs(7 * 86_400)), "1w");
    }
}
