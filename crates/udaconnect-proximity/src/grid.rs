//! Cell geometry: rows of equal latitude height, each cut into columns at least one cell wide
//! (in metres) at the row's poleward edge, so rows touching a pole have a single column.
//!
//! Cells only accelerate: every candidate is finally tested with `haversine_m`, so the cover
//! of a query must contain every cell that can hold a point within the distance, and may
//! contain more. Bounds are widened by a relative 1e-6 and an absolute 1e-9° (≈ 0.1 mm) so
//! that rounding can never drop a point the exact test would accept.

use std::f64::consts::FRAC_PI_2;

use udaconnect_domain::EARTH_RADIUS_M;

const REL: f64 = 1e-6;
const ABS_DEG: f64 = 1e-9;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Grid {
    cell_deg: f64,
    rows: u32,
}

/// The cells, and a cheap conservative box, around a point for a distance.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cover {
    lat: f64,
    lon: f64,
    dlat: f64,
    /// Half-width in longitude, `None` when every longitude may be within the distance.
    dlon: Option<f64>,
    pub(crate) row_lo: u32,
    pub(crate) row_hi: u32,
}

impl Grid {
    pub(crate) fn new(cell_m: f64) -> Self {
        assert!(
            cell_m.is_finite() && cell_m >= 0.01,
            "cell size must be at least 1 cm"
        );
        let cell_deg = (cell_m / EARTH_RADIUS_M).to_degrees();
        let rows = (180.0 / cell_deg).ceil().min(f64::from(u32::MAX / 2)) as u32;
        Self { cell_deg, rows }
    }

    pub(crate) fn row(&self, lat: f64) -> u32 {
        let r = ((lat + 90.0) / self.cell_deg).floor();
        r.clamp(0.0, f64::from(self.rows - 1)) as u32
    }

    pub(crate) fn cols(&self, row: u32) -> u32 {
        let lo = -90.0 + f64::from(row) * self.cell_deg;
        let poleward = lo.abs().max((lo + self.cell_deg).abs()).min(90.0);
        let n = (360.0 * poleward.to_radians().cos() / self.cell_deg).floor();
        n.clamp(1.0, f64::from(u32::MAX / 2)) as u32
    }

    fn col(&self, n: u32, lon: f64) -> u32 {
        let c = ((lon + 180.0) / 360.0 * f64::from(n)).floor();
        c.clamp(0.0, f64::from(n - 1)) as u32
    }

    pub(crate) fn key(&self, lat: f64, lon: f64) -> u64 {
        let row = self.row(lat);
        key(row, self.col(self.cols(row), lon))
    }

    pub(crate) fn cover(&self, lat: f64, lon: f64, distance_m: f64) -> Cover {
        let delta = (distance_m / EARTH_RADIUS_M).max(0.0) * (1.0 + REL);
        let dlat = delta.to_degrees() + ABS_DEG;
        let (lo, hi) = (lat - dlat, lat + dlat);
        let s = delta.sin() / lat.to_radians().cos();
        let dlon = if hi >= 90.0 || lo <= -90.0 || delta >= FRAC_PI_2 || s.is_nan() || s >= 1.0 {
            None
        } else {
            Some(s.asin().to_degrees() * (1.0 + REL) + ABS_DEG)
        };
        Cover {
            lat,
            lon,
            dlat,
            dlon,
            row_lo: self.row(lo.max(-90.0)),
            row_hi: self.row(hi.min(90.0)),
        }
    }

    /// Disjoint, sorted inclusive column ranges of `row` that the cover touches (at most 3).
    pub(crate) fn col_ranges(&self, cover: &Cover, row: u32) -> Ranges {
        let n = self.cols(row);
        let all = Ranges {
            r: [(0, n - 1); 3],
            len: 1,
        };
        let Some(d) = cover.dlon else {
            return all;
        };
        let (lo, hi) = (cover.lon - d, cover.lon + d);
        if hi - lo >= 360.0 {
            return all;
        }
        let mut r = [(self.col(n, lo.max(-180.0)), self.col(n, hi.min(180.0))); 3];
        let mut k = 1;
        if lo <= -180.0 {
            r[k] = (self.col(n, (lo + 360.0).min(180.0)), n - 1);
            k += 1;
        }
        if hi >= 180.0 {
            r[k] = (0, self.col(n, (hi - 360.0).max(-180.0)));
            k += 1;
        }
        r[..k].sort_unstable();
        let mut out = Ranges { r, len: 1 };
        for &(a, b) in &r[1..k] {
            let last = &mut out.r[out.len - 1];
            if a <= last.1.saturating_add(1) {
                last.1 = last.1.max(b);
            } else {
                out.r[out.len] = (a, b);
                out.len += 1;
            }
        }
        out
    }
}

/// Up to three column ranges, without allocating.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ranges {
    r: [(u32, u32); 3],
    len: usize,
}

impl Ranges {
    pub(crate) fn as_slice(&self) -> &[(u32, u32)] {
        &self.r[..self.len]
    }
}

impl Cover {
    /// Cheap necessary condition for being within the distance (no false negatives).
    #[inline]
    pub(crate) fn admits(&self, lat: f64, lon: f64) -> bool {
        if (lat - self.lat).abs() > self.dlat {
            return false;
        }
        match self.dlon {
            None => true,
            Some(d) => {
                let dl = (lon - self.lon).abs();
                dl.min(360.0 - dl) <= d
            }
        }
    }

    pub(crate) fn rows(&self) -> u32 {
        self.row_hi - self.row_lo + 1
    }
}

pub(crate) fn key(row: u32, col: u32) -> u64 {
    (u64::from(row) << 32) | u64::from(col)
}
