//! The domain's parsers of client text — cursors, dates, instants, distances, coordinates,
//! event ids — accept what they produce and refuse anything else with an error naming the
//! field, never a panic.

use proptest::prelude::*;
use udaconnect_domain::{
    ContactCursor, Coordinates, DistanceMeters, EventId, PersonId, Timestamp, parse_date,
    parse_datetime,
};

fn cursorish() -> impl Strategy<Value = String> {
    prop_oneof![
        "c1\\.-?[0-9]{0,21}\\.-?[0-9]{0,21}",
        "c[0-9]\\.[0-9.]{0,12}",
        "\\PC{0,24}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn contact_cursors_round_trip(micros in any::<i64>(), person in 1i64..) {
        // Every instant chrono can hold, every valid person.
        if let Some(first_met) = Timestamp::from_timestamp_micros(micros) {
            let c = ContactCursor { first_met, person_id: PersonId::new(person).unwrap() };
            prop_assert_eq!(ContactCursor::decode(&c.encode()).unwrap(), c);
        }
    }

    #[test]
    fn any_text_is_a_cursor_or_a_cursor_error(s in cursorish()) {
        if let Err(e) = ContactCursor::decode(&s) {
            prop_assert_eq!(e.field, "cursor");
        }
    }

    #[test]
    fn dates_and_instants_parse_or_name_the_field(s in prop_oneof![
        "[+-]?[0-9]{1,7}-[0-9]{1,2}-[0-9]{1,2}",
        "[+-]?[0-9]{4,6}-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-6][0-9]:[0-6][0-9](\\.[0-9]{0,12})?(Z|[+-][0-9]{2}:[0-9]{2})?",
        "\\PC{0,30}",
    ]) {
        if let Err(e) = parse_date("start_date", &s) {
            prop_assert_eq!(e.field, "start_date");
        }
        match parse_datetime("creation_time", &s) {
            Ok(t) => prop_assert_eq!(t.timestamp_subsec_nanos() % 1000, 0),
            Err(e) => prop_assert_eq!(e.field, "creation_time"),
        }
    }

    #[test]
    fn numbers_are_in_range_or_refused(a in any::<f64>(), b in any::<f64>()) {
        match Coordinates::new(a, b) {
            Ok(c) => prop_assert!(c.lat().abs() <= 90.0 && c.lon().abs() <= 180.0),
            Err(e) => prop_assert!(e.field == "latitude" || e.field == "longitude"),
        }
        match DistanceMeters::new(a) {
            Ok(d) => prop_assert!(d.metres().is_finite() && d.metres() > 0.0),
            Err(e) => prop_assert_eq!(e.field, "distance"),
        }
    }

    #[test]
    fn event_ids_parse_or_name_the_field(s in "\\PC{0,40}") {
        if let Err(e) = s.parse::<EventId>() {
            prop_assert_eq!(e.field, "event_id");
        }
    }
}
