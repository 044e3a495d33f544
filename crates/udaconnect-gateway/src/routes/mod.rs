//! One module per resource, each exposing its routes.

pub(crate) mod auth;
pub(crate) mod connections;
pub(crate) mod docs;
pub(crate) mod erasure;
pub(crate) mod health;
pub(crate) mod locations;
pub(crate) mod persons;
pub(crate) mod v2;
