//! UdaConnect proximity index: a space-time index of location fixes that answers
//! fixed-radius, time-windowed neighbour queries on the sphere. No I/O, no async.
//!
//! * [`ProximityIndex::contacts_of`]: whom a person met (distance **and** time window),
//!   grouped per other person.
//! * [`ProximityIndex::near`]: every fix within a distance of a point in a time range (the
//!   POC's v1 semantics are a loop of `near` over the person's own fixes).
//!
//! * [`detect::ContactDetector`]: real-time contact episodes over a stream of fixes.
//!
//! Answers are exactly those of a brute-force scan with `udaconnect_domain::haversine_m`
//! (inclusive distance, inclusive window), at microsecond time resolution. Cells of about
//! [`DEFAULT_CELL_M`] metres only choose candidates; any radius is answered exactly, larger
//! ones visit more cells (up to all of them).
//!
//! Layout: one immutable segment (struct-of-arrays sorted by cell, time and location id,
//! with permutations by person and by location id; 44 bytes per fix plus 12 per occupied
//! cell) and a small ordered delta of recent inserts, folded in once it exceeds 1/32 of the
//! segment.

mod delta;
pub mod detect;
mod grid;
mod index;
mod query;
mod segment;
pub mod sim;
mod types;

pub use index::{DEFAULT_CELL_M, ProximityIndex};
pub use types::{Contact, Fix};
