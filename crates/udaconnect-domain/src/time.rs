use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound, Timelike, Utc};

use crate::ValidationError;

/// Instants are UTC with microsecond precision (PostgreSQL `timestamptz` resolution).
pub type Timestamp = DateTime<Utc>;

/// Parses an instant: RFC 3339 with an offset (converted to UTC), or a naive ISO 8601
/// date-time (`2020-08-18T10:37:06`, also with a space and fractional seconds) taken as UTC,
/// as the POC stored it. Truncated to microseconds.
pub fn parse_datetime(field: &'static str, s: &str) -> Result<Timestamp, ValidationError> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc).trunc_subsecs(6));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Ok(t.and_utc().trunc_subsecs(6));
        }
    }
    Err(ValidationError::new(
        field,
        "must be a date-time such as 2020-08-18T10:37:06 or 2020-08-18T10:37:06Z",
    ))
}

/// Parses a calendar date in the POC's `YYYY-MM-DD` format.
pub fn parse_date(field: &'static str, s: &str) -> Result<NaiveDate, ValidationError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| ValidationError::new(field, "must be a date in the form YYYY-MM-DD"))
}

/// Formats an instant the way the POC's marshmallow schema did (Python `isoformat()` of a
/// naive UTC timestamp): `2020-08-18T10:37:06`, with `.ffffff` only when there are
/// fractional seconds.
pub fn format_poc_datetime(t: &Timestamp) -> String {
    if t.nanosecond() == 0 {
        t.format("%Y-%m-%dT%H:%M:%S").to_string()
    } else {
        t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_naive_and_offset_forms() {
        let a = parse_datetime("creation_time", "2020-08-18T10:37:06").unwrap();
        let b = parse_datetime("creation_time", "2020-08-18 10:37:06.000000").unwrap();
        let c = parse_datetime("creation_time", "2020-08-18T12:37:06+02:00").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(format_poc_datetime(&a), "2020-08-18T10:37:06");
        let d = parse_datetime("creation_time", "2020-08-18T10:37:06.1234567Z").unwrap();
        assert_eq!(format_poc_datetime(&d), "2020-08-18T10:37:06.123456");
    }

    #[test]
    fn bad_input_names_the_field() {
        let e = parse_datetime("creation_time", "yesterday").unwrap_err();
        assert_eq!(e.field, "creation_time");
        assert_eq!(
            parse_date("end_date", "2020-13-01").unwrap_err().field,
            "end_date"
        );
        assert!(parse_date("start_date", "2020-01-01").is_ok());
    }
}
