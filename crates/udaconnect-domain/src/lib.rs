//! UdaConnect domain: the types every other crate speaks, validated on construction.
//!
//! Nothing here performs I/O. Coordinates are WGS 84 degrees; distances are metres on a
//! sphere of mean Earth radius; times are UTC.

mod connection;
mod contact;
mod error;
mod geo;
mod ids;
mod location;
mod person;
mod time;

pub use connection::{Connection, ConnectionQuery};
pub use contact::{
    Activity, Contact, ContactCursor, ContactEpisode, ContactPage, ContactQuery, EpisodeKind,
    FeedItem, Hotspot,
};
pub use error::ValidationError;
pub use geo::{Coordinates, DistanceMeters, EARTH_RADIUS_M, Latitude, Longitude, haversine_m};
pub use ids::{EventId, LocationId, PersonId};
pub use location::{Location, LocationRecorded, NewLocation};
pub use person::{MAX_NAME_CHARS, NewPerson, Person, PersonErased};
pub use time::{Timestamp, format_poc_datetime, parse_date, parse_datetime};
