//! Cell geometry: rows of equal latitude height, each cut into columns at least one cell wide
//! (in metres) at the row's poleward edge, so rows touching a pole have a single column.
//!
//! Cells only accelerate: every candidate is finally tested with `haversine_m` (or a bound
//! that provably agrees with it), so the cover of a query must contain every cell that can
//! hold a point within the distance, and may contain more. Bounds are widened by a relative 1e-6 and an absolute 1e-9° (≈ 0.1 mm) so
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

/// The part of a cover that depends only on the distance.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reach {
    dlat: f64,
    sin_delta: f64,
    /// At least a quarter of a great circle: no longitude bound.
    wide: bool,
}

impl Reach {
    pub(crate) fn new(distance_m: f64) -> Self {
        let delta = (distance_m / EARTH_RADIUS_M).max(0.0) * (1.0 + REL);
        Self {
            dlat: delta.to_degrees() + ABS_DEG,
            sin_delta: delta.sin(),
            wide: delta >= FRAC_PI_2,
        }
    }
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
        self.cover_at(&Reach::new(distance_m), lat, lon, lat.to_radians().cos())
    }

    /// [`Grid::cover`] with the distance's part and `cos_lat = lat.to_radians().cos()` known.
    pub(crate) fn cover_at(&self, reach: &Reach, lat: f64, lon: f64, cos_lat: f64) -> Cover {
        let dlat = reach.dlat;
        let (lo, hi) = (lat - dlat, lat + dlat);
        let s = reach.sin_delta / cos_lat;
        let dlon = if hi >= 90.0 || lo <= -90.0 || reach.wide || s.is_nan() || s >= 1.0 {
            None
        } else {
            // tan(asin s) >= asin s: a slightly wider, still conservative box without asin.
            Some((s / (1.0 - s * s).sqrt()).to_degrees() * (1.0 + REL) + ABS_DEG)
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
        self.col_ranges_n(cover, self.cols(row))
    }

    /// [`Grid::col_ranges`] with the row's number of columns `n = self.cols(row)` known.
    pub(crate) fn col_ranges_n(&self, cover: &Cover, n: u32) -> Ranges {
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

    /// [`Cover::admits`] without branches (for filtering loops).
    #[inline(always)]
    pub(crate) fn admits_flat(&self, lat: f64, lon: f64) -> bool {
        let d = self.dlon.unwrap_or(f64::INFINITY);
        let dl = (lon - self.lon).abs();
        ((lat - self.lat).abs() <= self.dlat) & (dl.min(360.0 - dl) <= d)
    }

    /// Half-height and half-width of the box in radians, when the box neither reaches a pole
    /// nor comes within a degree of the antimeridian (every admitted point then has
    /// `|Δlat| <= .0` and `|Δlon| <= .1` without wrapping).
    pub(crate) fn box_rad(&self) -> Option<(f64, f64)> {
        let d = self.dlon?;
        (self.lon - d > -179.0 && self.lon + d < 179.0)
            .then(|| (self.dlat.to_radians(), d.to_radians()))
    }

    pub(crate) fn rows(&self) -> u32 {
        self.row_hi - self.row_lo + 1
    }
}

pub(crate) fn key(row: u32, col: u32) -> u64 {
    (u64::from(row) << 32) | u64::from(col)
}
