//! The POC connection query, as one statement: see `queries/postgres/connection_locations.sql`
//! for the plan. Candidates come from the GiST index (ST_DWithin on the sphere); the
//! domain's haversine, replicated in SQL, makes the final, exact decision.

use sqlx::{
    PgPool, Postgres, Row,
    postgres::{PgArguments, PgRow},
    query::Query,
};
use udaconnect_domain::{ConnectionQuery, Location};

use super::{errors::ResultExt, rows};
use crate::StoreError;

/// The statement, so that the EXPLAIN variants below can prefix it at compile time.
macro_rules! connection_sql {
    () => {
        include_str!("../../queries/postgres/connection_locations.sql")
    };
}

const CONNECTION_SQL: &str = connection_sql!();
const EXPLAIN_SQL: &str = concat!("EXPLAIN (FORMAT JSON) ", connection_sql!());
const EXPLAIN_ANALYZE_SQL: &str = concat!(
    "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ",
    connection_sql!()
);

fn bind(sql: &'static str, q: &ConnectionQuery) -> Query<'static, Postgres, PgArguments> {
    let (start, own_end) = q.own_window();
    let (_, others_end) = q.others_window();
    sqlx::query(sql)
        .bind(q.person_id.get())
        .bind(start)
        .bind(own_end)
        .bind(others_end)
        .bind(q.distance.metres())
}

pub(crate) async fn find(pool: &PgPool, q: &ConnectionQuery) -> Result<Vec<Location>, StoreError> {
    let all = bind(CONNECTION_SQL, q).fetch_all(pool).await.db()?;
    all.iter().map(rows::location).collect()
}

/// The plan as PostgreSQL's JSON text; with `analyze` the query runs and the plan carries
/// the actual row counts and times.
pub(crate) async fn explain(
    pool: &PgPool,
    q: &ConnectionQuery,
    analyze: bool,
) -> Result<String, StoreError> {
    let sql = if analyze {
        EXPLAIN_ANALYZE_SQL
    } else {
        EXPLAIN_SQL
    };
    let row: PgRow = bind(sql, q).fetch_one(pool).await.db()?;
    // The column is `json`, whose wire form is its text: read it as a string.
    row.try_get_unchecked::<String, _>(0).db()
}
