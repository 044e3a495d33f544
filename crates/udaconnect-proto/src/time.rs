use chrono::{DateTime, SubsecRound};
use udaconnect_domain::{Timestamp, ValidationError};

/// A domain instant as a `google.protobuf.Timestamp`.
pub fn timestamp_to_proto(t: &Timestamp) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: t.timestamp(),
        // At most 999_999_999 (chrono keeps leap seconds in the seconds field here).
        nanos: t.timestamp_subsec_nanos().min(999_999_999) as i32,
    }
}

/// A required `google.protobuf.Timestamp` from the wire, truncated to microseconds (the
/// store's precision). Missing or out-of-range values are a [`ValidationError`] on `field`.
pub fn timestamp_from_proto(
    field: &'static str,
    t: Option<prost_types::Timestamp>,
) -> Result<Timestamp, ValidationError> {
    let t = t.ok_or_else(|| ValidationError::new(field, "is required"))?;
    u32::try_from(t.nanos)
        .ok()
        .filter(|n| *n < 1_000_000_000)
        .and_then(|nanos| DateTime::from_timestamp(t.seconds, nanos))
        .map(|t| t.trunc_subsecs(6))
        .ok_or_else(|| ValidationError::new(field, "must be a valid timestamp"))
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    #[test]
    fn round_trips_at_microsecond_precision() {
        let t = Utc.with_ymd_and_hms(2020, 8, 18, 10, 37, 6).unwrap()
            + chrono::Duration::nanoseconds(123_456_789);
        let back = timestamp_from_proto("creation_time", Some(timestamp_to_proto(&t))).unwrap();
        assert_eq!(back, t.trunc_subsecs(6));
        let before_epoch = Utc.with_ymd_and_hms(1969, 12, 31, 23, 59, 59).unwrap();
        let p = timestamp_to_proto(&before_epoch);
        assert_eq!(timestamp_from_proto("t", Some(p)).unwrap(), before_epoch);
    }

    #[test]
    fn missing_or_invalid_names_the_field() {
        assert_eq!(
            timestamp_from_proto("creation_time", None)
                .unwrap_err()
                .field,
            "creation_time"
        );
        for bad in [(0, -1), (0, 1_000_000_000), (i64::MAX, 0)] {
            let t = prost_types::Timestamp {
                seconds: bad.0,
                nanos: bad.1,
            };
            assert_eq!(
                timestamp_from_proto("received_at", Some(t))
                    .unwrap_err()
                    .field,
                "received_at"
            );
        }
    }
}
