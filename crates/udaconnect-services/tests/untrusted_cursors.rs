//! Live-feed cursors (`Last-Event-ID`, gRPC `cursor`) come from clients: a cursor the feed
//! gave round-trips, anything else is refused naming `cursor`, never a panic.

use proptest::prelude::*;
use udaconnect_services::feeds::{decode_cursor, encode_cursor};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn feed_cursors_round_trip(next in prop::collection::vec(any::<u64>(), 1..64)) {
        prop_assert_eq!(decode_cursor(&encode_cursor(&next)).unwrap(), next);
    }

    #[test]
    fn any_text_is_a_cursor_or_a_cursor_error(s in prop_oneof![
        "p1(\\.-?[0-9]{0,22}){0,6}",
        "p[0-9]?\\.?[0-9.]{0,12}",
        "\\PC{0,24}",
    ]) {
        match decode_cursor(&s) {
            Ok(next) => prop_assert!(!next.is_empty()),
            Err(e) => prop_assert_eq!(e.field, "cursor"),
        }
    }
}

#[test]
fn a_cursor_naming_too_many_partitions_is_refused() {
    let huge = format!("p1{}", ".0".repeat(10_001));
    assert_eq!(decode_cursor(&huge).unwrap_err().field, "cursor");
}
