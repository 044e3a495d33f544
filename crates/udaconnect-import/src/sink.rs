use udaconnect_domain::{Location, Person};

use crate::RowError;

/// The two tables an import knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    Persons,
    Locations,
}

impl Table {
    pub fn as_str(self) -> &'static str {
        match self {
            Table::Persons => "persons",
            Table::Locations => "locations",
        }
    }
}

/// Where a parser delivers what it read, row by row, in input order.
pub trait RowSink {
    /// Whether rows of `table` are wanted. Unwanted rows are skipped quickly, without being
    /// converted or validated (the importer reads persons and locations in two passes).
    fn wants(&self, table: Table) -> bool {
        let _ = table;
        true
    }

    /// A valid person row that starts on `line`.
    fn person(&mut self, person: Person, line: u64);

    /// A valid location row that starts on `line`, coordinates already un-swapped.
    fn location(&mut self, location: Location, line: u64);

    /// A row that was skipped, and why.
    fn rejected(&mut self, error: RowError);
}

/// Counts of one parse.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParseStats {
    /// Valid rows delivered to the sink.
    pub persons: u64,
    pub locations: u64,
    /// Rows delivered as rejected.
    pub rejected: u64,
    /// Dump points stored as (latitude, longitude), swapped back (see the crate docs).
    pub swapped: u64,
    /// Statements that carry no person or location rows (DDL, `SET`, other tables…).
    pub statements_skipped: u64,
    /// The input holds person / location rows, wanted or not.
    pub has_persons: bool,
    pub has_locations: bool,
}

impl std::ops::AddAssign for ParseStats {
    fn add_assign(&mut self, rhs: Self) {
        self.persons += rhs.persons;
        self.locations += rhs.locations;
        self.rejected += rhs.rejected;
        self.swapped += rhs.swapped;
        self.statements_skipped += rhs.statements_skipped;
        self.has_persons |= rhs.has_persons;
        self.has_locations |= rhs.has_locations;
    }
}

/// A sink that keeps everything in memory: for tests, tools and small inputs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Collect {
    pub persons: Vec<Person>,
    pub locations: Vec<Location>,
    pub rejected: Vec<RowError>,
}

impl RowSink for Collect {
    fn person(&mut self, person: Person, _line: u64) {
        self.persons.push(person);
    }

    fn location(&mut self, location: Location, _line: u64) {
        self.locations.push(location);
    }

    fn rejected(&mut self, error: RowError) {
        self.rejected.push(error);
    }
}
