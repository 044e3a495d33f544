use crate::{Collect, parse_csv};

fn parse(name: &str, text: &str) -> Collect {
    let mut sink = Collect::default();
    parse_csv(text.as_bytes(), name, &mut sink).unwrap();
    sink
}

fn errors(c: &Collect) -> Vec<String> {
    c.rejected.iter().map(ToString::to_string).collect()
}

#[test]
fn persons_with_quoted_commas_any_column_order() {
    let c = parse(
        "people.txt",
        "company_name,id,last_name,first_name\n\"Hampton, Hampton and McQuill\",1,Trexler,Pam\n\"Say \"\"hi\"\"\", 2 ,B,Bob\n",
    );
    assert_eq!(errors(&c), Vec::<String>::new());
    assert_eq!(c.persons[0].company_name, "Hampton, Hampton and McQuill");
    assert_eq!(c.persons[1].company_name, "Say \"hi\"");
    assert_eq!(c.persons[1].id.get(), 2);
}

#[test]
fn locations_mean_what_they_say() {
    let c = parse(
        "locations.csv",
        "id,person_id,latitude,longitude,creation_time\n1,5,35.05,-106.57,2020-08-18T10:37:06\n",
    );
    let l = &c.locations[0];
    assert_eq!((l.coordinates.lat(), l.coordinates.lon()), (35.05, -106.57));
    assert_eq!(l.creation_time.to_rfc3339(), "2020-08-18T10:37:06+00:00");
}

#[test]
fn bad_rows_are_rejected_with_file_line_and_field() {
    let text = "id,person_id,latitude,longitude,creation_time\n\
                1,5,-106.57,35.05,2020-08-18T10:37:06\n\
                2,5,north,35.05,2020-08-18T10:37:06\n\
                3,5,35.05,-190,2020-08-18T10:37:06\n\
                4,x,35.05,-106.57,2020-08-18T10:37:06\n\
                -5,1,35.05,-106.57,2020-08-18T10:37:06\n\
                6,1,35.05,-106.57,soon\n\
                7,1,35.05\n\
                \n\
                8,1,35.05,-106.57,2020-08-18 10:37:06\n";
    let c = parse("locations.csv", text);
    let e = errors(&c);
    assert_eq!(
        e[0],
        "locations.csv:2: latitude: must be a number between -90 and 90"
    );
    assert_eq!(
        e[1],
        "locations.csv:3: latitude: must be a number between -90 and 90"
    );
    assert_eq!(
        e[2],
        "locations.csv:4: longitude: must be a number between -180 and 180"
    );
    assert_eq!(
        e[3],
        "locations.csv:5: person_id: must be a positive integer"
    );
    assert_eq!(e[4], "locations.csv:6: id: must be a positive integer");
    assert!(
        e[5].starts_with("locations.csv:7: creation_time: "),
        "{}",
        e[5]
    );
    assert_eq!(e[6], "locations.csv:8: row: expected 5 fields, found 3");
    assert_eq!(e.len(), 7);
    assert_eq!(c.locations.len(), 1);
    assert_eq!(c.locations[0].id.get(), 8);
}

#[test]
fn invalid_utf8_and_unknown_headers() {
    let mut sink = Collect::default();
    let bytes = b"id,first_name,last_name,company_name\n1,\xff,b,c\n2,a,b,c\n";
    parse_csv(&bytes[..], "p.csv", &mut sink).unwrap();
    assert_eq!(errors(&sink), vec!["p.csv:2: first_name: invalid UTF-8"]);
    assert_eq!(sink.persons.len(), 1);
    let err = parse_csv(&b"a,b\n1,2\n"[..], "x.csv", &mut sink).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    assert!(
        err.to_string().starts_with("x.csv: CSV header must name"),
        "{err}"
    );
}
