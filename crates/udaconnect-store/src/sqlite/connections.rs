//! The POC connection query, as one statement: see `queries/sqlite/connection_locations.sql`
//! for the plan. Candidates come from the R*Tree, one range search per own fix and box
//! part; the domain's haversine makes the final, exact decision.

use rusqlite::{Connection, params};
use udaconnect_domain::{ConnectionQuery, Location};

use super::{
    errors::ResultExt,
    rows::{RawLocation, micros},
};
use crate::StoreError;

pub(crate) const CONNECTION_SQL: &str =
    include_str!("../../queries/sqlite/connection_locations.sql");

pub(crate) fn find(conn: &Connection, q: &ConnectionQuery) -> Result<Vec<Location>, StoreError> {
    let (start, own_end) = q.own_window();
    let (_, others_end) = q.others_window();
    let mut stmt = conn.prepare_cached(CONNECTION_SQL).db()?;
    let rows = stmt
        .query_map(
            params![
                q.person_id.get(),
                micros(&start),
                micros(&own_end),
                micros(&others_end),
                q.distance.metres(),
            ],
            RawLocation::from_row,
        )
        .db()?;
    rows.map(|r| r.db().and_then(RawLocation::decode)).collect()
}

/// `EXPLAIN QUERY PLAN` of the connection query, one `detail` line per step.
pub(crate) fn explain(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {CONNECTION_SQL}"))
        .db()?;
    let rows = stmt
        .query_map(params![1, 0, 0, 0, 5.0], |r| r.get::<_, String>(3))
        .db()?;
    rows.map(|r| r.db()).collect()
}
