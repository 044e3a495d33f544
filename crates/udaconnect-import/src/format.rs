//! What an input holds, judged by its content: a CSV header names its columns; anything
//! else is read as a SQL dump.

use crate::Table;

/// The kinds of input the importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `INSERT` statements and/or pg_dump `COPY` blocks (persons, locations or both).
    SqlDump,
    /// `id,first_name,last_name,company_name`, any order.
    PersonsCsv,
    /// `id,person_id,latitude,longitude,creation_time`, any order.
    LocationsCsv,
}

impl Format {
    /// Detects the format from the start of an input (its first line is enough). A first
    /// line made only of comma-separated names is a CSV header, which must then name the
    /// columns of one of the two CSV formats.
    pub fn detect(head: &[u8]) -> Result<Format, String> {
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        let first = head.split(|&b| b == b'\n').next().unwrap_or_default();
        let header_like = first.contains(&b',')
            && first
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b" _,\"\t\r".contains(&b));
        if !header_like {
            return Ok(Format::SqlDump);
        }
        let names: Vec<String> = first.split(|&b| b == b',').map(header_name).collect();
        CsvColumns::find(&names).map(|c| match c {
            CsvColumns::Persons(_) => Format::PersonsCsv,
            CsvColumns::Locations(_) => Format::LocationsCsv,
        })
    }
}

/// A header cell: trimmed, unquoted, lowercase.
pub(crate) fn header_name(cell: &[u8]) -> String {
    let s = String::from_utf8_lossy(cell);
    let s = s.trim_start_matches('\u{feff}').trim();
    s.trim_matches('"').trim().to_ascii_lowercase()
}

pub(crate) const PERSON_COLUMNS: [&str; 4] = ["id", "first_name", "last_name", "company_name"];
pub(crate) const LOCATION_COLUMNS: [&str; 5] =
    ["id", "person_id", "latitude", "longitude", "creation_time"];

/// Where a CSV file's columns are, in the order of [`PERSON_COLUMNS`] or [`LOCATION_COLUMNS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CsvColumns {
    Persons([usize; 4]),
    Locations([usize; 5]),
}

impl CsvColumns {
    pub(crate) fn find(names: &[String]) -> Result<Self, String> {
        let has = |c: &str| names.iter().any(|n| n == c);
        let position = |c: &str| {
            names
                .iter()
                .position(|n| n == c)
                .ok_or_else(|| format!("CSV header has no {c} column (found: {})", names.join(",")))
        };
        if ["person_id", "latitude", "longitude"]
            .iter()
            .any(|c| has(c))
        {
            let mut idx = [0; 5];
            for (slot, c) in idx.iter_mut().zip(LOCATION_COLUMNS) {
                *slot = position(c)?;
            }
            Ok(CsvColumns::Locations(idx))
        } else if ["first_name", "last_name", "company_name"]
            .iter()
            .any(|c| has(c))
        {
            let mut idx = [0; 4];
            for (slot, c) in idx.iter_mut().zip(PERSON_COLUMNS) {
                *slot = position(c)?;
            }
            Ok(CsvColumns::Persons(idx))
        } else {
            Err(format!(
                "CSV header must name the columns {} (persons) or {} (locations); found: {}",
                PERSON_COLUMNS.join(","),
                LOCATION_COLUMNS.join(","),
                names.join(",")
            ))
        }
    }

    pub(crate) fn table(self) -> Table {
        match self {
            CsvColumns::Persons(_) => Table::Persons,
            CsvColumns::Locations(_) => Table::Locations,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_headers_in_any_order() {
        let d = |s: &str| Format::detect(s.as_bytes());
        assert_eq!(
            d("id,first_name,last_name,company_name\n1,a,b,c"),
            Ok(Format::PersonsCsv)
        );
        assert_eq!(
            d("\u{feff}\"company_name\", last_name,first_name,ID\r\n"),
            Ok(Format::PersonsCsv)
        );
        assert_eq!(
            d("creation_time,longitude,latitude,person_id,id\n"),
            Ok(Format::LocationsCsv)
        );
        let e = d("id,person_id,latitude,creation_time\n").unwrap_err();
        assert!(e.contains("no longitude column"), "{e}");
        assert!(d("a,b,c\n").unwrap_err().contains("must name the columns"));
    }

    #[test]
    fn anything_else_is_a_dump() {
        let d = |s: &str| Format::detect(s.as_bytes());
        assert_eq!(
            d("insert into public.person (id, first_name) values (1, 'a');"),
            Ok(Format::SqlDump)
        );
        assert_eq!(d("--\n-- PostgreSQL database dump\n"), Ok(Format::SqlDump));
        assert_eq!(d("SET statement_timeout = 0;"), Ok(Format::SqlDump));
        assert_eq!(d(""), Ok(Format::SqlDump));
    }
}
