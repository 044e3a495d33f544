//! [`LocationStore`](crate::LocationStore) writes and point reads, run on a pool connection.

use std::{collections::HashMap, ops::Range};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use udaconnect_domain::{Location, LocationId, LocationRecorded};

use super::{
    cells::{cell_box, cell_of},
    errors::ResultExt,
    rows::{RawLocation, micros},
    writer::Writer,
};
use crate::{InsertReport, StoreError};

const INSERT_LOCATION: &str = "INSERT INTO location \
     (id, event_id, person_id, latitude, longitude, creation_time, received_at, cell) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING";
const CELL_EXISTS: &str = "SELECT 1 FROM location_cell_rtree WHERE id = ?1";
const INSERT_CELL: &str = "INSERT INTO location_cell_rtree (id, min_lon, max_lon, min_lat, max_lat) \
     VALUES (?1, ?2, ?3, ?4, ?5)";

/// One immediate transaction for the whole batch. A fix of an erased person is skipped (the
/// writer serialises with `erase_person` on this connection). A fix whose id or event id is
/// stored already changes nothing (`ON CONFLICT DO NOTHING` reports 0 rows). Foreign keys are
/// checked per statement, so the failing row names the unknown person; dropping the
/// transaction then rolls the whole batch back. The cells of inserted fixes get their
/// R*Tree row if they have none yet; the writer remembers committed cells so that a busy
/// cell is looked up once, not once per fix.
pub(crate) fn insert(
    w: &mut Writer,
    fixes: &[LocationRecorded],
) -> Result<InsertReport, StoreError> {
    let Writer { conn, known_cells } = w;
    let mut report = InsertReport::default();
    let mut new_cells = Vec::new();
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .db()?;
    {
        let mut location = tx.prepare_cached(INSERT_LOCATION).db()?;
        let mut erased: HashMap<i64, bool> = HashMap::new();
        for fix in fixes {
            let l = &fix.location;
            let person = l.person_id.get();
            let is_erased = match erased.get(&person) {
                Some(&e) => e,
                None => {
                    let e = super::privacy::is_erased(&tx, person)?;
                    erased.insert(person, e);
                    e
                }
            };
            if is_erased {
                report.skipped += 1;
                continue;
            }
            let (lat, lon) = (l.coordinates.lat(), l.coordinates.lon());
            let cell = cell_of(lat, lon);
            let changed = location
                .execute(params![
                    l.id.get(),
                    &fix.event_id.as_bytes()[..],
                    l.person_id.get(),
                    lat,
                    lon,
                    micros(&l.creation_time),
                    micros(&fix.received_at),
                    cell,
                ])
                .for_person(l.person_id)?;
            if changed == 1 {
                report.inserted += 1;
                if !known_cells.contains(cell) {
                    new_cells.push(cell);
                }
            } else {
                report.skipped += 1;
            }
        }
    }
    new_cells.sort_unstable();
    new_cells.dedup();
    {
        let mut exists = tx.prepare_cached(CELL_EXISTS).db()?;
        let mut insert = tx.prepare_cached(INSERT_CELL).db()?;
        for &cell in &new_cells {
            if !exists.exists([cell]).db()? {
                let (min_lon, max_lon, min_lat, max_lat) = cell_box(cell);
                insert
                    .execute(params![cell, min_lon, max_lon, min_lat, max_lat])
                    .db()?;
            }
        }
    }
    tx.commit().db()?;
    known_cells.remember(&new_cells);
    Ok(report)
}

pub(crate) fn get(conn: &Connection, id: LocationId) -> Result<Option<Location>, StoreError> {
    conn.prepare_cached(
        "SELECT id, person_id, latitude, longitude, creation_time FROM location WHERE id = ?1",
    )
    .and_then(|mut s| s.query_row([id.get()], RawLocation::from_row).optional())
    .db()?
    .map(RawLocation::decode)
    .transpose()
}

pub(crate) fn scan(
    conn: &Connection,
    after: Option<LocationId>,
    limit: u32,
) -> Result<Vec<Location>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, person_id, latitude, longitude, creation_time FROM location \
             WHERE id > ?1 ORDER BY id LIMIT ?2",
        )
        .db()?;
    let rows = stmt
        .query_map(
            params![after.map_or(0, LocationId::get), i64::from(limit)],
            RawLocation::from_row,
        )
        .db()?;
    rows.map(|r| r.db().and_then(RawLocation::decode)).collect()
}

pub(crate) fn count(conn: &Connection) -> Result<u64, StoreError> {
    let n: i64 = conn
        .prepare_cached("SELECT count(*) FROM location")
        .and_then(|mut s| s.query_row([], |r| r.get(0)))
        .db()?;
    u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("negative count {n}")))
}

/// Hi/lo: the range starts at the larger of the persisted high-water mark and
/// max(location.id) + 1 (so imported ids are never handed out), and the mark moves past
/// it in the same durable transaction.
pub(crate) fn reserve_ids(w: &mut Writer, n: u32) -> Result<Range<i64>, StoreError> {
    let tx = w
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .db()?;
    let mark: Option<i64> = tx
        .query_row(
            "SELECT next_id FROM id_block WHERE name = 'location'",
            [],
            |r| r.get(0),
        )
        .optional()
        .db()?;
    let mark = mark.ok_or_else(|| StoreError::Corrupt("id_block has no 'location' row".into()))?;
    let above_stored: i64 = tx
        .query_row("SELECT coalesce(max(id), 0) + 1 FROM location", [], |r| {
            r.get(0)
        })
        .db()?;
    let start = mark.max(above_stored).max(1);
    let end = start
        .checked_add(i64::from(n))
        .ok_or_else(|| StoreError::Database("location id space exhausted".into()))?;
    tx.execute(
        "UPDATE id_block SET next_id = ?1 WHERE name = 'location'",
        [end],
    )
    .db()?;
    tx.commit().db()?;
    Ok(start..end)
}
