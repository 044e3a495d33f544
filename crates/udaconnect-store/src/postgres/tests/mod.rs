//! PostgreSQL tests. They need a server with PostGIS (`scripts/postgres.sh start`) and its
//! admin URL in `UDACONNECT_TEST_POSTGRES`, so they are `#[ignore]`d by default and fail,
//! loudly, when run (`--ignored`) without one. Each test works in its own database.

mod integrity;
mod plan;
mod reconnect;
mod sql;
mod suite_cases;
mod support;
