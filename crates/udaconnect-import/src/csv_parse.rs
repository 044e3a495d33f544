//! CSV files with a header: persons or locations, told apart by their columns.

use std::{
    io::{self, Read},
    sync::Arc,
};

use udaconnect_domain::{
    Coordinates, Location, LocationId, NewPerson, Person, PersonId, ValidationError,
};

use crate::{
    ParseStats, RowError, RowSink, Table,
    format::{CsvColumns, header_name},
    time::parse_timestamp,
};

/// Streams a persons or locations CSV (see [`crate::Format`]) into `sink`. A header that
/// names neither is an [`io::ErrorKind::InvalidData`] error; bad rows are rejected.
pub fn parse_csv<R: Read, S: RowSink + ?Sized>(
    reader: R,
    source: &str,
    sink: &mut S,
) -> io::Result<ParseStats> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .buffer_capacity(256 * 1024)
        .from_reader(reader);
    let names: Vec<String> = rdr.byte_headers()?.iter().map(header_name).collect();
    let columns = CsvColumns::find(&names)
        .map_err(|m| io::Error::new(io::ErrorKind::InvalidData, format!("{source}: {m}")))?;
    let mut stats = ParseStats::default();
    let table = columns.table();
    match table {
        Table::Persons => stats.has_persons = true,
        Table::Locations => stats.has_locations = true,
    }
    if !sink.wants(table) {
        return Ok(stats);
    }
    let file: Arc<str> = Arc::from(source);
    let mut rec = csv::ByteRecord::new();
    loop {
        let line = rdr.position().line();
        let (result, line) = match rdr.read_byte_record(&mut rec) {
            Ok(false) => return Ok(stats),
            Ok(true) => {
                let line = rec.position().map_or(line, csv::Position::line);
                (convert(&columns, &rec, names.len()), line)
            }
            Err(e) => match e.kind() {
                csv::ErrorKind::Io(_) => return Err(e.into()),
                _ => {
                    let line = e.position().map_or(line, csv::Position::line);
                    (Err(ValidationError::new("row", e.to_string())), line)
                }
            },
        };
        match result {
            Ok(Converted::Person(p)) => {
                stats.persons += 1;
                sink.person(p, line);
            }
            Ok(Converted::Location(l)) => {
                stats.locations += 1;
                sink.location(l, line);
            }
            Err(e) => {
                stats.rejected += 1;
                sink.rejected(RowError::from_validation(&file, line, e));
            }
        }
    }
}

enum Converted {
    Person(Person),
    Location(Location),
}

fn convert(
    columns: &CsvColumns,
    rec: &csv::ByteRecord,
    width: usize,
) -> Result<Converted, ValidationError> {
    {
        if rec.len() != width {
            let m = format!("expected {width} fields, found {}", rec.len());
            return Err(ValidationError::new("row", m));
        }
        let field = |i: usize, name: &'static str| -> Result<&str, ValidationError> {
            let bytes = rec.get(i).unwrap_or_default();
            std::str::from_utf8(bytes)
                .map(str::trim)
                .map_err(|_| ValidationError::new(name, "invalid UTF-8"))
        };
        let int = |i: usize, name: &'static str| -> Result<i64, ValidationError> {
            field(i, name)?
                .parse()
                .map_err(|_| ValidationError::new(name, "must be a positive integer"))
        };
        match *columns {
            CsvColumns::Persons([id, first, last, company]) => {
                let id = PersonId::new(int(id, "id")?)
                    .map_err(|e| ValidationError::new("id", e.message))?;
                let p = NewPerson::new(
                    field(first, "first_name")?,
                    field(last, "last_name")?,
                    field(company, "company_name")?,
                )?;
                Ok(Converted::Person(p.with_id(id)))
            }
            CsvColumns::Locations([id, person_id, lat, lon, time]) => {
                let id = LocationId::new(int(id, "id")?)
                    .map_err(|e| ValidationError::new("id", e.message))?;
                let person_id = PersonId::new(int(person_id, "person_id")?)?;
                let latitude = number(field(lat, "latitude")?, "latitude", 90)?;
                let longitude = number(field(lon, "longitude")?, "longitude", 180)?;
                let coordinates = Coordinates::new(latitude, longitude)?;
                let creation_time =
                    parse_timestamp("creation_time", field(time, "creation_time")?)?;
                Ok(Converted::Location(Location {
                    id,
                    person_id,
                    coordinates,
                    creation_time,
                }))
            }
        }
    }
}

fn number(s: &str, field: &'static str, bound: u32) -> Result<f64, ValidationError> {
    s.parse().map_err(|_| {
        ValidationError::new(
            field,
            format!("must be a number between -{bound} and {bound}"),
        )
    })
}

#[cfg(test)]
mod tests;
