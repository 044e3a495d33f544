//! CSV output in the importer's own formats (used to build the demo fixture).

use std::io::{self, Write};

use udaconnect_domain::{Location, Person, format_poc_datetime};

use crate::format::{LOCATION_COLUMNS, PERSON_COLUMNS};

/// Writes `id,first_name,last_name,company_name` and one line per person.
pub fn write_persons_csv<W: Write>(w: W, persons: &[Person]) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(PERSON_COLUMNS)?;
    for p in persons {
        out.write_record([
            p.id.to_string().as_str(),
            &p.first_name,
            &p.last_name,
            &p.company_name,
        ])?;
    }
    out.flush()
}

/// Writes `id,person_id,latitude,longitude,creation_time` and one line per location;
/// coordinates in the shortest form that reads back exactly, times as `2020-08-18T10:37:06`.
pub fn write_locations_csv<W: Write>(w: W, locations: &[Location]) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(LOCATION_COLUMNS)?;
    for l in locations {
        out.write_record([
            l.id.to_string(),
            l.person_id.to_string(),
            l.coordinates.lat().to_string(),
            l.coordinates.lon().to_string(),
            format_poc_datetime(&l.creation_time),
        ])?;
    }
    out.flush()
}
