//! Dump rows (INSERT tuples and COPY lines) to domain values, by column name.

use udaconnect_domain::{Location, LocationId, NewPerson, Person, PersonId, ValidationError};

use crate::{
    Table,
    geom::decode_point,
    swap::coordinates_from_xy,
    time::parse_timestamp,
    values::{Field, Row},
};

use crate::format::PERSON_COLUMNS;
const LOCATION_COLUMNS: [&str; 4] = ["id", "person_id", "coordinate", "creation_time"];

/// The POC table a dump statement targets, from its (possibly schema-qualified) name.
pub(crate) fn table_of(name: &str) -> Option<Table> {
    match name.to_ascii_lowercase().as_str() {
        "person" => Some(Table::Persons),
        "location" => Some(Table::Locations),
        _ => None,
    }
}

/// Where the columns a table needs are in a statement's rows.
#[derive(Debug, Clone)]
pub(crate) struct ColumnMap {
    pub(crate) table: Table,
    idx: [usize; 4],
    width: usize,
}

impl ColumnMap {
    /// From a statement's column list; `None` means the table's own order (the POC's DDL).
    pub(crate) fn new(table: Table, columns: Option<&[String]>) -> Result<Self, String> {
        let names = match table {
            Table::Persons => PERSON_COLUMNS,
            Table::Locations => LOCATION_COLUMNS,
        };
        let Some(columns) = columns else {
            return Ok(Self {
                table,
                idx: [0, 1, 2, 3],
                width: 4,
            });
        };
        let mut idx = [0; 4];
        for (slot, name) in idx.iter_mut().zip(names) {
            *slot = columns
                .iter()
                .position(|c| c.eq_ignore_ascii_case(name))
                .ok_or_else(|| format!("no {name} column"))?;
        }
        Ok(Self {
            table,
            idx,
            width: columns.len(),
        })
    }

    fn check_width(&self, row: &Row) -> Result<(), ValidationError> {
        if row.values.len() == self.width {
            Ok(())
        } else {
            Err(ValidationError::new(
                "row",
                format!("expected {} values, found {}", self.width, row.values.len()),
            ))
        }
    }

    pub(crate) fn person(&self, row: &Row) -> Result<Person, ValidationError> {
        self.check_width(row)?;
        let id = int(row.field(self.idx[0]), "id")?;
        let id = PersonId::new(id).map_err(|e| ValidationError::new("id", e.message))?;
        let first = text(row.field(self.idx[1]), "first_name")?;
        let last = text(row.field(self.idx[2]), "last_name")?;
        let company = text(row.field(self.idx[3]), "company_name")?;
        Ok(NewPerson::new(first, last, company)?.with_id(id))
    }

    /// The location and whether its point was swapped back.
    pub(crate) fn location(&self, row: &Row) -> Result<(Location, bool), ValidationError> {
        self.check_width(row)?;
        let id = int(row.field(self.idx[0]), "id")?;
        let id = LocationId::new(id).map_err(|e| ValidationError::new("id", e.message))?;
        let person_id = PersonId::new(int(row.field(self.idx[1]), "person_id")?)?;
        let (x, y) = match row.field(self.idx[2]) {
            Field::Point(x, y) => (x, y),
            Field::Text(t) => decode_point(t).map_err(|m| ValidationError::new("coordinate", m))?,
            other => return Err(not("coordinate", other, "a point")),
        };
        let (coordinates, swapped) = coordinates_from_xy(x, y)?;
        let time = text(row.field(self.idx[3]), "creation_time")?;
        let creation_time = parse_timestamp("creation_time", time)?;
        let location = Location {
            id,
            person_id,
            coordinates,
            creation_time,
        };
        Ok((location, swapped))
    }
}

fn not(field: &'static str, f: Field<'_>, what: &str) -> ValidationError {
    let message = match f {
        Field::Null => "must not be null".to_owned(),
        Field::Invalid(m) => m.to_owned(),
        _ => format!("must be {what}"),
    };
    ValidationError::new(field, message)
}

fn int(f: Field<'_>, field: &'static str) -> Result<i64, ValidationError> {
    match f {
        Field::Number(s) | Field::Text(s) => s
            .trim()
            .parse()
            .map_err(|_| ValidationError::new(field, "must be a positive integer")),
        other => Err(not(field, other, "a positive integer")),
    }
}

fn text<'a>(f: Field<'a>, field: &'static str) -> Result<&'a str, ValidationError> {
    match f {
        Field::Text(s) | Field::Number(s) => Ok(s),
        other => Err(not(field, other, "a string")),
    }
}
