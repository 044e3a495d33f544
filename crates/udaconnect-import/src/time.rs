//! Timestamps, fast: the common `YYYY-MM-DD[T ]HH:MM:SS[.ffffff][Z|±HH[[:]MM]]` forms are
//! parsed by hand (no format string per row); anything else goes to the domain parser.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use udaconnect_domain::{Timestamp, ValidationError, parse_datetime};

/// Parses an instant; naive times are UTC. Same results as [`parse_datetime`] on the forms
/// both accept, plus PostgreSQL's `timestamptz` output (`+00`, `+05:30`).
pub(crate) fn parse_timestamp(field: &'static str, s: &str) -> Result<Timestamp, ValidationError> {
    match fast(s.trim().as_bytes()) {
        Some(t) => Ok(t),
        None => parse_datetime(field, s),
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &d| {
        d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
    })
}

fn fast(b: &[u8]) -> Option<Timestamp> {
    let head = b.get(..19)?;
    if head[4] != b'-' || head[7] != b'-' || head[13] != b':' || head[16] != b':' {
        return None;
    }
    if head[10] != b'T' && head[10] != b' ' {
        return None;
    }
    let year = i32::try_from(digits(&head[..4])?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, digits(&head[5..7])?, digits(&head[8..10])?)?;
    let (h, m, s) = (
        digits(&head[11..13])?,
        digits(&head[14..16])?,
        digits(&head[17..19])?,
    );
    let mut rest = &b[19..];
    let mut micros = 0;
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|d| d.is_ascii_digit()).count();
        if n == 0 || n > 9 {
            return None;
        }
        let kept = &frac[..n.min(6)];
        micros = digits(kept)? * 10u32.pow(6 - u32::try_from(kept.len()).ok()?);
        rest = &frac[n..];
    }
    let offset = offset_seconds(rest)?;
    let time = NaiveTime::from_hms_micro_opt(h, m, s, micros)?;
    let t = NaiveDateTime::new(date, time).and_utc();
    t.checked_sub_signed(Duration::seconds(offset))
}

/// ``, `Z`, `±HH`, `±HHMM`, `±HH:MM` → seconds east of UTC.
fn offset_seconds(b: &[u8]) -> Option<i64> {
    let sign = match b.first() {
        None => return Some(0),
        Some(b'Z' | b'z') if b.len() == 1 => return Some(0),
        Some(b'+') => 1,
        Some(b'-') => -1,
        Some(_) => return None,
    };
    let (hh, mm) = match &b[1..] {
        [h1, h2] => ([*h1, *h2], [b'0', b'0']),
        [h1, h2, m1, m2] | [h1, h2, b':', m1, m2] => ([*h1, *h2], [*m1, *m2]),
        _ => return None,
    };
    let (hh, mm) = (digits(&hh)?, digits(&mm)?);
    (hh < 24 && mm < 60).then(|| sign * i64::from(hh * 3600 + mm * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_domain_parser() {
        for s in [
            "2020-08-18 10:37:06.000000",
            "2020-08-18T10:37:06",
            "2020-08-18T10:37:06.5",
            "2020-08-18T10:37:06.1234567",
            "2020-08-18T10:37:06Z",
            "2020-08-18T12:37:06+02:00",
            "2020-08-18T08:07:06-02:30",
            "1999-12-31 23:59:59.999999",
        ] {
            let fast = fast(s.as_bytes()).unwrap_or_else(|| panic!("fast path for {s}"));
            assert_eq!(Ok(fast), parse_datetime("t", s), "{s}");
        }
    }

    #[test]
    fn postgres_offsets() {
        let a = parse_timestamp("t", "2020-08-18 12:37:06+02").unwrap();
        let b = parse_timestamp("t", "2020-08-18 10:37:06+00").unwrap();
        assert_eq!(a, b);
        assert_eq!(parse_timestamp("t", "2020-08-18 10:37:06+0000"), Ok(b));
    }

    #[test]
    fn invalid_dates_are_rejected_naming_the_field() {
        for s in [
            "2020-02-30 10:00:00",
            "2020-08-18 25:00:00",
            "yesterday",
            "",
            "2020-08-18",
        ] {
            assert_eq!(
                parse_timestamp("creation_time", s).unwrap_err().field,
                "creation_time"
            );
        }
        assert!(fast(b"2020-08-18 10:37:06+99").is_none());
        assert!(fast(b"2020-08-18 10:37:06.").is_none());
    }
}
