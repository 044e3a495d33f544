//! Whatever the input, parsing ends without a panic (errors and rejections are fine).

use proptest::prelude::*;
use udaconnect_import::{Collect, parse_csv, parse_dump};

/// Fragments that steer random input into the parsers' deeper paths.
const PIECES: &[&str] = &[
    "insert into ",
    "public.",
    "location",
    "person",
    " (",
    ")",
    "id",
    ", ",
    "person_id",
    "coordinate",
    "creation_time",
    "first_name",
    " values ",
    "(",
    "'",
    "''",
    "E'\\",
    "\\x",
    "0101000000",
    "0101000020E6100000",
    "00000000",
    "F03F",
    "POINT(",
    "SRID=4326;",
    "1",
    "-122.5",
    "35.05",
    " NULL",
    "::timestamp",
    "ST_MakePoint(",
    "ST_SetSRID(",
    "$$",
    "$a$",
    "--",
    "/*",
    "*/",
    ";",
    "\n",
    "\t",
    "\\N",
    "\\.",
    "COPY location ",
    "FROM stdin",
    "\"",
    "2020-08-18 10:37:06",
    "+02",
    "é",
    "\u{feff}",
    ",",
];

fn sqlish() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(PIECES).prop_map(str::to_owned),
            1 => ".{0,8}",
        ],
        0..60,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn dumps_never_panic(text in sqlish()) {
        let mut sink = Collect::default();
        let _ = parse_dump(text.as_bytes(), "fuzz.sql", &mut sink);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut sink = Collect::default();
        let _ = parse_dump(&bytes[..], "fuzz.sql", &mut sink);
        let _ = parse_csv(&bytes[..], "fuzz.csv", &mut sink);
    }

    #[test]
    fn csv_rows_never_panic(lines in prop::collection::vec(".{0,60}", 0..8)) {
        for header in ["id,person_id,latitude,longitude,creation_time", "id,first_name,last_name,company_name"] {
            let text = format!("{header}\n{}", lines.join("\n"));
            let mut sink = Collect::default();
            let stats = parse_csv(text.as_bytes(), "fuzz.csv", &mut sink);
            prop_assert!(stats.is_ok());
        }
    }
}
