use udaconnect_domain::Location;

use crate::{Collect, ParseStats, parse_dump};

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

#[test]
fn copy_blocks() {
    let sql = "COPY public.person (id, first_name, last_name, company_name) FROM stdin;\n\
               1\tPam\tTrexler\tHampton, Hampton and McQuill\n\
               2\tTab\\x41by\tNew\\\\line\tX\\101\n\
               3\t\\N\tNull\tCo\n\
               \\.\n\
               COPY public.location (creation_time, coordinate, person_id, id) FROM stdin;\n\
               2020-08-18 10:37:06+00\t0101000020E6100000000000000000F03F0000000000000040\t1\t10\n\
               2020-08-18 10:37:06\t\\\\x0101000000000000000000F03F0000000000005AC0\t2\t11\n\
               \\.\n";
    let (c, stats) = parse(sql);
    assert_eq!(errors(&c), vec!["dump.sql:4: first_name: must not be null"]);
    assert_eq!(c.persons[1].first_name, "TabAby");
    assert_eq!(c.persons[1].last_name, "New\\line");
    assert_eq!(c.persons[1].company_name, "XA");
    assert_eq!(lat_lon(&c.locations[0]), (2.0, 1.0));
    assert_eq!(lat_lon(&c.locations[1]), (1.0, -104.0));
    assert_eq!(
        (
            stats.persons,
            stats.locations,
            stats.swapped,
            stats.rejected
        ),
        (2, 2, 1, 1)
    );
}

#[test]
fn unsupported_copy_format_is_reported() {
    let sql = "COPY person (id, first_name, last_name, company_name) FROM stdin WITH (FORMAT csv);\n1,a,b,c\n\\.\n";
    let (c, stats) = parse(sql);
    assert_eq!(
        errors(&c),
        vec!["dump.sql:1: statement: only COPY's text format is supported"]
    );
    assert_eq!(stats.persons, 0);
}
