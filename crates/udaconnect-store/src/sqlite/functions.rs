//! Scalar SQL functions the connection query needs, written in Rust:
//!
//! * `udc_haversine_m(lat1, lon1, lat2, lon2)`: the domain's great-circle distance, so the
//!   store decides "within d" exactly as the rest of UdaConnect does;
//! * `udc_box(lat, lon, d, part, edge)`: one edge (0 min lon, 1 max lon, 2 min lat,
//!   3 max lat) of search box `part` (0 or 1) for the points within `d` metres of
//!   (lat, lon); see [`search_boxes`].

use rusqlite::{Connection, functions::FunctionFlags};
use udaconnect_domain::{EARTH_RADIUS_M, haversine_m};

/// A (lon, lat) rectangle in degrees. `EMPTY` matches nothing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LonLatBox {
    pub(crate) min_lon: f64,
    pub(crate) max_lon: f64,
    pub(crate) min_lat: f64,
    pub(crate) max_lat: f64,
}

impl LonLatBox {
    pub(crate) const EMPTY: Self = Self {
        min_lon: 1000.0,
        max_lon: -1000.0,
        min_lat: 1000.0,
        max_lat: -1000.0,
    };

    #[cfg(test)]
    pub(crate) fn contains(&self, lat: f64, lon: f64) -> bool {
        (self.min_lon..=self.max_lon).contains(&lon) && (self.min_lat..=self.max_lat).contains(&lat)
    }

    fn edge(&self, edge: i64) -> f64 {
        match edge {
            0 => self.min_lon,
            1 => self.max_lon,
            2 => self.min_lat,
            _ => self.max_lat,
        }
    }
}

/// Relative widening of the search radius: covers rounding in the trigonometry below and
/// in the haversine that makes the final decision.
const RELATIVE_MARGIN: f64 = 1e-6;
/// Absolute widening of every edge, degrees: more than half a float32 ulp at 180° (7.6e-6),
/// so R*Tree rounding could never drop a true match even if SQLite rounded to nearest.
const DEGREE_MARGIN: f64 = 1e-5;
/// Past this half-width the two parts could touch: search every longitude instead.
const FULL_LON_HALF_WIDTH: f64 = 179.5;

/// Two disjoint boxes that together contain every point within `d` metres (great circle)
/// of (`lat`, `lon`). Latitude band: lat ± d/R. Longitude half-width: asin(sin r / cos lat),
/// the exact extent of a spherical cap that does not contain a pole; if the band reaches
/// a pole, every longitude. A box crossing ±180° is split: part 0 is clipped to
/// [-180, 180], part 1 is the wrapped remainder (or empty).
pub(crate) fn search_boxes(lat: f64, lon: f64, d: f64) -> [LonLatBox; 2] {
    let r = d / EARTH_RADIUS_M * (1.0 + RELATIVE_MARGIN);
    let r_deg = r.to_degrees() + DEGREE_MARGIN;
    let (min_lat, max_lat) = (lat - r_deg, lat + r_deg);
    let full = LonLatBox {
        min_lon: -180.0,
        max_lon: 180.0,
        min_lat,
        max_lat,
    };
    if max_lat >= 90.0 || min_lat <= -90.0 {
        return [full, LonLatBox::EMPTY];
    }
    let s = r.sin() / lat.to_radians().cos();
    if s.is_nan() || s >= 1.0 {
        return [full, LonLatBox::EMPTY];
    }
    let half = s.asin().to_degrees() + DEGREE_MARGIN;
    if half >= FULL_LON_HALF_WIDTH {
        return [full, LonLatBox::EMPTY];
    }
    let (lo, hi) = (lon - half, lon + half);
    let part0 = LonLatBox {
        min_lon: lo.max(-180.0),
        max_lon: hi.min(180.0),
        ..full
    };
    let part1 = if lo < -180.0 {
        LonLatBox {
            min_lon: lo + 360.0,
            max_lon: 180.0,
            ..full
        }
    } else if hi > 180.0 {
        LonLatBox {
            min_lon: -180.0,
            max_lon: hi - 360.0,
            ..full
        }
    } else {
        LonLatBox::EMPTY
    };
    [part0, part1]
}

/// Registers the functions on a connection (every connection that runs the query).
pub(crate) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_INNOCUOUS;
    conn.create_scalar_function("udc_haversine_m", 4, flags, |ctx| {
        Ok(haversine_m(
            ctx.get::<f64>(0)?,
            ctx.get::<f64>(1)?,
            ctx.get::<f64>(2)?,
            ctx.get::<f64>(3)?,
        ))
    })?;
    conn.create_scalar_function("udc_box", 5, flags, |ctx| {
        let boxes = search_boxes(ctx.get::<f64>(0)?, ctx.get::<f64>(1)?, ctx.get::<f64>(2)?);
        let part = if ctx.get::<i64>(3)? == 0 { 0 } else { 1 };
        Ok(boxes[part].edge(ctx.get::<i64>(4)?))
    })?;
    Ok(())
}
