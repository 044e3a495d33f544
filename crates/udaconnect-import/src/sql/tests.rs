use udaconnect_domain::{Location, Person};

use crate::{Collect, ParseStats, RowSink, Table, parse_dump};

fn parse(sql: &str) -> (Collect, ParseStats) {
    let mut sink = Collect::default();
    let stats = parse_dump(sql.as_bytes(), "dump.sql", &mut sink).unwrap();
    (sink, stats)
}

fn errors(c: &Collect) -> Vec<String> {
    c.rejected.iter().map(ToString::to_string).collect()
}

fn lat_lon(l: &Location) -> (f64, f64) {
    (l.coordinates.lat(), l.coordinates.lon())
}

const POC: &str = "\
insert into public.person (id, first_name, last_name, company_name) values (5, 'Taco', 'Fargo', 'Alpha Omega Upholstery');
insert into public.location (id, person_id, coordinate, creation_time) values (29, 1, '010100000000ADF9F197925EC0FDA19927D7C64240', '2020-08-18 10:37:06.000000');
";

#[test]
fn poc_statements() {
    let (c, stats) = parse(POC);
    assert_eq!(errors(&c), Vec::<String>::new());
    assert_eq!(c.persons[0].first_name, "Taco");
    assert_eq!(c.persons[0].id.get(), 5);
    let l = &c.locations[0];
    assert_eq!((l.id.get(), l.person_id.get()), (29, 1));
    assert_eq!(lat_lon(l), (37.553441, -122.290524));
    assert_eq!(l.creation_time.to_rfc3339(), "2020-08-18T10:37:06+00:00");
    assert_eq!((stats.persons, stats.locations, stats.swapped), (1, 1, 0));
}

#[test]
fn multi_row_values_any_column_order_quotes_and_casts() {
    let sql = "INSERT INTO Person (company_name, ID, last_name, first_name) VALUES\n\
               ('O''Reilly & Sons, Inc.', 1, 'D''Arcy', 'Ann'),\n\
               (E'caf\\u00e9 \\\\ \\101', 2, 'B', 'Bob')\n\
               ON CONFLICT (id) DO NOTHING;\n\
               insert into location values (7, 1, ST_SetSRID(ST_MakePoint(-122.5, 37.5), 4326), '2020-08-18T10:37:06'::timestamp without time zone),\
               (8, 2, public.st_point(35.05, -106.57), timestamp '2020-08-18 10:37:06+02'),\
               (9, 2, ST_GeomFromText('SRID=4326;POINT(1 2)'), '2020-08-18 10:37:06'::timestamptz);";
    let (c, stats) = parse(sql);
    assert_eq!(errors(&c), Vec::<String>::new());
    let names: Vec<_> = c
        .persons
        .iter()
        .map(|p: &Person| (p.id.get(), p.last_name.as_str(), p.company_name.as_str()))
        .collect();
    assert_eq!(
        names,
        vec![
            (1, "D'Arcy", "O'Reilly & Sons, Inc."),
            (2, "B", "café \\ A")
        ]
    );
    let coords: Vec<_> = c.locations.iter().map(lat_lon).collect();
    assert_eq!(coords, vec![(37.5, -122.5), (35.05, -106.57), (2.0, 1.0)]);
    assert_eq!(
        c.locations[1].creation_time.to_rfc3339(),
        "2020-08-18T08:37:06+00:00"
    );
    assert_eq!(stats.swapped, 1);
    assert_eq!(stats.statements_skipped, 0);
}

#[test]
fn other_statements_are_skipped_and_counted() {
    let sql = "--\n-- PostgreSQL database dump\n--\nSET statement_timeout = 0;\n\
               SELECT pg_catalog.set_config('search_path', '', false);\n\
               CREATE TABLE public.person (\n    id integer NOT NULL,\n    first_name character varying NOT NULL\n);\n\
               CREATE FUNCTION f() RETURNS int AS $$ select 1; $$ LANGUAGE sql;\n\
               COPY public.other (a, b) FROM stdin;\n1\t2\n\\.\n\
               insert into public.other values (1, 'x;y');\n\
               COPY public.person TO stdout;\n\
               SELECT pg_catalog.setval('public.location_id_seq', 68, true);\n"
        .to_owned()
        + POC;
    let (c, stats) = parse(&sql);
    assert_eq!(errors(&c), Vec::<String>::new());
    assert_eq!((c.persons.len(), c.locations.len()), (1, 1));
    assert_eq!(stats.statements_skipped, 8);
}

#[test]
fn bad_rows_name_file_line_and_field_and_good_rows_survive() {
    let sql = "insert into location (id, person_id, coordinate, creation_time) values\n\
               (1, 1, '0101000000ZZ', '2020-08-18 10:37:06'),\n\
               (2, 1, '010200000002000000000000000000F03F000000000000004000000000000008400000000000001040', '2020-08-18 10:37:06'),\n\
               (3, 1, 'POINT(200 100)', '2020-08-18 10:37:06'),\n\
               (4, 1, 'POINT(1 2)', 'tomorrow'),\n\
               (5, 0, 'POINT(1 2)', '2020-08-18 10:37:06'),\n\
               (6, 1, 'POINT(1 2)'),\n\
               (7, 1, NULL, '2020-08-18 10:37:06'),\n\
               (8, 1, nextval('x'), '2020-08-18 10:37:06'),\n\
               (9, 1, 'POINT(1 2)', '2020-08-18 10:37:06' garbage),\n\
               (10, 1, 'POINT(1 2)', '2020-08-18 10:37:06');";
    let (c, stats) = parse(sql);
    let e = errors(&c);
    assert_eq!(
        e[0],
        "dump.sql:2: coordinate: invalid hex digit at position 11"
    );
    assert_eq!(
        e[1],
        "dump.sql:3: coordinate: expected a POINT, found a LINESTRING"
    );
    assert_eq!(
        e[2],
        "dump.sql:4: coordinate: latitude must be a number between -90 and 90"
    );
    assert!(
        e[3].starts_with("dump.sql:5: creation_time: must be a date-time"),
        "{}",
        e[3]
    );
    assert_eq!(e[4], "dump.sql:6: person_id: must be a positive integer");
    assert_eq!(e[5], "dump.sql:7: row: expected 4 values, found 3");
    assert_eq!(e[6], "dump.sql:8: coordinate: must not be null");
    assert_eq!(e[7], "dump.sql:9: coordinate: unsupported function nextval");
    assert_eq!(e[8], "dump.sql:10: row: expected ',' or ')' between values");
    assert_eq!(e.len(), 9);
    assert_eq!(c.locations.len(), 1);
    assert_eq!(c.locations[0].id.get(), 10);
    assert_eq!(stats.rejected, 9);
}

#[test]
fn missing_columns_reject_the_rows() {
    let (c, _) = parse("insert into person (id, first_name) values (1, 'a'), (2, 'b');");
    assert_eq!(
        errors(&c),
        vec!["dump.sql:1: statement: no last_name column"; 2]
    );
}

/// Wants persons only, like the importer's first pass.
#[derive(Default)]
struct PersonsOnly(Collect);

impl RowSink for PersonsOnly {
    fn wants(&self, table: Table) -> bool {
        table == Table::Persons
    }
    fn person(&mut self, p: Person, line: u64) {
        self.0.person(p, line);
    }
    fn location(&mut self, l: Location, line: u64) {
        self.0.location(l, line);
    }
    fn rejected(&mut self, e: crate::RowError) {
        self.0.rejected(e);
    }
}

#[test]
fn unwanted_tables_are_skipped_unparsed() {
    let sql = "insert into location values (1, 1, 'garbage', 'x');\n\
               COPY location (id, person_id, coordinate, creation_time) FROM stdin;\nbad\n\\.\n"
        .to_owned()
        + POC;
    let mut sink = PersonsOnly::default();
    let stats = parse_dump(sql.as_bytes(), "d", &mut sink).unwrap();
    assert_eq!(
        (
            sink.0.persons.len(),
            sink.0.locations.len(),
            sink.0.rejected.len()
        ),
        (1, 0, 0)
    );
    assert!(stats.has_locations && stats.has_persons);
    assert_eq!(stats.statements_skipped, 0, "{stats:?}");
}
