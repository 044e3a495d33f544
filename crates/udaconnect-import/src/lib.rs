//! Bulk import of UdaConnect data: the POC's SQL dumps and CSV files, into any store.
//!
//! * **Formats** ([`Format::detect`] looks at the content, never at the file name):
//!   - SQL dumps of the POC's PostGIS database: `INSERT INTO [schema.]person|location …
//!     VALUES (…)[, (…)]*;` (any column order, multi-row) and pg_dump's `COPY … FROM stdin;`
//!     blocks. Other statements are skipped and counted. Coordinates are hex WKB or EWKB
//!     points (either byte order, optional SRID), WKT/EWKT, or `ST_SetSRID(ST_MakePoint(x,
//!     y), 4326)`-style expressions.
//!   - CSV with a header: `id,first_name,last_name,company_name` (persons) or
//!     `id,person_id,latitude,longitude,creation_time` (locations), columns in any order.
//! * **Swapped coordinates** in dumps are detected and fixed (below), and counted.
//! * **Pipeline** ([`import_files`]): persons first, then locations, whatever the order of the
//!   files; parsing on a blocking thread, batched idempotent inserts on the async side, a
//!   bounded channel between them. Bad rows are reported (file, line, field) and skipped.
//!
//! # Swapped coordinates
//!
//! PostGIS points are (X, Y) = (longitude, latitude), and most POC rows follow that. Some
//! rows were stored as (latitude, longitude). A dump point is taken as swapped, and swapped
//! back, exactly when `|Y| > 90` and `|X| <= 90`: Y cannot be a latitude but X can. When both
//! `|X|` and `|Y|` are at most 90 the row is ambiguous and is read as (longitude, latitude),
//! the POC's own convention. CSV files name their columns, so they are only range-checked.

mod batch;
mod csv_parse;
mod demo;
mod error;
mod export;
mod expr;
mod format;
mod geom;
mod input;
mod insert;
mod lexer;
mod options;
mod pipeline;
mod progress;
mod report;
mod rows;
mod sink;
mod source;
mod sql;
mod swap;
mod time;
mod tuple;
mod values;

pub use csv_parse::parse_csv;
pub use demo::import_demo_data;
pub use error::{ImportError, RowError};
pub use export::{write_locations_csv, write_persons_csv};
pub use format::Format;
pub use options::{ImportOptions, Progress, ProgressUpdate};
pub use pipeline::import_files;
pub use report::{ImportReport, MAX_LISTED_REJECTIONS};
pub use sink::{Collect, ParseStats, RowSink, Table};
pub use sql::parse_dump;
