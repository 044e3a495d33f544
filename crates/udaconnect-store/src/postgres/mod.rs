//! The distributed store: PostgreSQL with PostGIS, shared by every replica of a target.
//!
//! * Schema: `migrations/postgres/*.sql`, applied at connect by sqlx's migrator (embedded at
//!   compile time, serialised across replicas by an advisory lock) ([`migrate`]).
//! * Writes are set-based: a batch of fixes is one `INSERT … SELECT FROM unnest(…) ON
//!   CONFLICT DO NOTHING` ([`locations`]); constraint violations become domain errors in one
//!   function ([`errors`]).
//! * The connection query is one statement over the GiST index on `location.coordinate`,
//!   with the domain's haversine as the exact test ([`connections`], `docs/postgis.md`).

mod accounts;
mod connections;
mod errors;
mod locations;
mod migrate;
mod persons;
mod privacy;
mod rows;
#[cfg(test)]
mod tests;

use std::{ops::Range, str::FromStr, time::Duration};

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use udaconnect_domain::{
    ConnectionQuery, Location, LocationId, LocationRecorded, NewPerson, Person, PersonId, Timestamp,
};

use self::errors::ResultExt;
use crate::{
    Account, AccountStore, Erasure, InsertReport, LocationStore, PersonStore, RefreshToken,
    RefreshUse, StoreError,
};

/// Connection pool settings of a [`PostgresStore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgOptions {
    /// Most connections the pool opens (default 10).
    pub max_connections: u32,
    /// How long an operation waits for a free (or new) connection before it fails with
    /// [`StoreError::Database`] (default 5 s).
    pub acquire_timeout: Duration,
}

impl Default for PgOptions {
    fn default() -> Self {
        Self {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

/// The PostgreSQL/PostGIS adapter. Cheap to clone: clones share the pool.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user[:password]@host[:port]/database`), opening one
    /// connection right away, and brings the schema up to date. An unreachable server is
    /// [`StoreError::Database`].
    pub async fn connect(url: &str, options: PgOptions) -> Result<Self, StoreError> {
        // The URL may hold a password: errors name the problem, never the URL.
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(StoreError::Database(
                "invalid PostgreSQL URL: expected postgres://…".into(),
            ));
        }
        let connect = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Database(format!("invalid PostgreSQL URL: {e}")))?
            .application_name("udaconnect")
            // PostGIS declares high function costs, so the planner estimates the connection
            // query at ~10^6 and JIT-compiles it: ~0.9 s of compiling for a ~0.1 s query.
            // Nothing this store runs gains from JIT.
            .options([("jit", "off")]);
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(options.acquire_timeout)
            .connect_with(connect)
            .await
            .db()?;
        migrate::run(&pool).await?;
        Ok(Self { pool })
    }

    /// Closes every connection; later operations fail with [`StoreError::Closed`].
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// `EXPLAIN (FORMAT JSON)` of the connection query for `query`, with `ANALYZE` (the query
    /// runs) when asked: evidence that it searches the GiST index once per own fix.
    pub async fn explain_connection_query(
        &self,
        query: &ConnectionQuery,
        analyze: bool,
    ) -> Result<String, StoreError> {
        connections::explain(&self.pool, query, analyze).await
    }
}

#[async_trait]
impl PersonStore for PostgresStore {
    async fn create_person(&self, person: NewPerson) -> Result<Person, StoreError> {
        persons::create(&self.pool, person).await
    }

    async fn get_person(&self, id: PersonId) -> Result<Option<Person>, StoreError> {
        persons::get(&self.pool, id).await
    }

    async fn list_persons(&self) -> Result<Vec<Person>, StoreError> {
        persons::list(&self.pool).await
    }

    async fn import_persons(&self, persons: &[Person]) -> Result<u64, StoreError> {
        persons::import(&self.pool, persons).await
    }

    async fn erase_person(
        &self,
        id: PersonId,
        at: Timestamp,
    ) -> Result<Option<Erasure>, StoreError> {
        privacy::erase(&self.pool, id, at).await
    }

    async fn erased_persons(&self) -> Result<Vec<PersonId>, StoreError> {
        privacy::erased(&self.pool).await
    }
}

#[async_trait]
impl LocationStore for PostgresStore {
    async fn insert_locations(
        &self,
        fixes: &[LocationRecorded],
    ) -> Result<InsertReport, StoreError> {
        locations::insert(&self.pool, fixes).await
    }

    async fn get_location(&self, id: LocationId) -> Result<Option<Location>, StoreError> {
        locations::get(&self.pool, id).await
    }

    async fn reserve_location_ids(&self, n: u32) -> Result<Range<i64>, StoreError> {
        locations::reserve_ids(&self.pool, n).await
    }

    async fn find_connection_locations(
        &self,
        query: &ConnectionQuery,
    ) -> Result<Vec<Location>, StoreError> {
        connections::find(&self.pool, query).await
    }

    async fn count_locations(&self) -> Result<u64, StoreError> {
        locations::count(&self.pool).await
    }

    async fn scan_locations(
        &self,
        after: Option<LocationId>,
        limit: u32,
    ) -> Result<Vec<Location>, StoreError> {
        locations::scan(&self.pool, after, limit).await
    }

    async fn purge_locations_before(
        &self,
        cutoff: Timestamp,
        limit: u32,
    ) -> Result<u64, StoreError> {
        privacy::purge_before(&self.pool, cutoff, limit).await
    }
}

#[async_trait]
impl AccountStore for PostgresStore {
    async fn create_account(&self, account: &Account) -> Result<(), StoreError> {
        accounts::create(&self.pool, account).await
    }

    async fn get_account(&self, username: &str) -> Result<Option<Account>, StoreError> {
        accounts::get(&self.pool, username).await
    }

    async fn count_accounts(&self) -> Result<u64, StoreError> {
        accounts::count(&self.pool).await
    }

    async fn insert_refresh_token(&self, token: &RefreshToken) -> Result<(), StoreError> {
        accounts::insert_refresh(&self.pool, token).await
    }

    async fn use_refresh_token(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<(RefreshToken, RefreshUse)>, StoreError> {
        accounts::use_refresh(&self.pool, token_hash, now).await
    }

    async fn revoke_refresh_family(&self, family_id: &str) -> Result<u64, StoreError> {
        accounts::revoke_family(&self.pool, family_id).await
    }
}
