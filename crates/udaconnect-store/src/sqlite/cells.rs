//! The grid that the spatial index is built on.
//!
//! A cell is `CELL_DEGREES` of latitude by `CELL_DEGREES` of longitude (about 11 m × 11 m
//! at the equator, narrower towards the poles). Every location stores its cell id; the
//! R*Tree `location_cell_rtree` holds one box per occupied cell. Changing the grid changes
//! stored values: it needs a migration that recomputes `location.cell` and the R*Tree.

/// Cell size in degrees.
pub(crate) const CELL_DEGREES: f64 = 1e-4;
const PER_DEGREE: f64 = 1.0 / CELL_DEGREES;
/// Longitude indexes per latitude row (3,600,001 are used).
const ROW: i64 = 4_000_000;
/// Each stored box is widened by this much, so a point whose index computation rounded
/// across a cell edge still lies inside its cell's box.
const EDGE_SLACK: f64 = 1e-9;

/// The cell of a valid (lat, lon): a non-negative id below 2^43.
pub(crate) fn cell_of(lat: f64, lon: f64) -> i64 {
    let row = ((lat + 90.0) * PER_DEGREE).floor() as i64;
    let col = ((lon + 180.0) * PER_DEGREE).floor() as i64;
    row * ROW + col
}

/// (min_lon, max_lon, min_lat, max_lat) of a cell, widened by `EDGE_SLACK`.
pub(crate) fn cell_box(cell: i64) -> (f64, f64, f64, f64) {
    let (row, col) = (cell.div_euclid(ROW), cell.rem_euclid(ROW));
    let min_lat = row as f64 * CELL_DEGREES - 90.0;
    let min_lon = col as f64 * CELL_DEGREES - 180.0;
    (
        min_lon - EDGE_SLACK,
        min_lon + CELL_DEGREES + EDGE_SLACK,
        min_lat - EDGE_SLACK,
        min_lat + CELL_DEGREES + EDGE_SLACK,
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn extreme_coordinates_have_distinct_cells_in_range() {
        let corners = [
            (-90.0, -180.0),
            (-90.0, 180.0),
            (90.0, -180.0),
            (90.0, 180.0),
        ];
        let cells: Vec<i64> = corners.iter().map(|&(a, o)| cell_of(a, o)).collect();
        assert_eq!(cells[0], 0);
        assert!(cells.iter().all(|&c| (0..1 << 43).contains(&c)));
        for (i, a) in cells.iter().enumerate() {
            assert!(!cells[i + 1..].contains(a));
        }
    }

    proptest! {
        #[test]
        fn every_point_lies_in_its_cell_box(lat in -90.0f64..=90.0, lon in -180.0f64..=180.0) {
            let (min_lon, max_lon, min_lat, max_lat) = cell_box(cell_of(lat, lon));
            prop_assert!(min_lon <= lon && lon <= max_lon, "{lon} in [{min_lon}, {max_lon}]");
            prop_assert!(min_lat <= lat && lat <= max_lat, "{lat} in [{min_lat}, {max_lat}]");
            prop_assert!(max_lon - min_lon < 1.1 * CELL_DEGREES);
        }

        #[test]
        fn points_on_cell_edges_are_in_their_box(row in 0i64..1_800_000, col in 0i64..3_600_000) {
            let (lat, lon) = (row as f64 * CELL_DEGREES - 90.0, col as f64 * CELL_DEGREES - 180.0);
            let (min_lon, max_lon, min_lat, max_lat) = cell_box(cell_of(lat, lon));
            prop_assert!(min_lon <= lon && lon <= max_lon);
            prop_assert!(min_lat <= lat && lat <= max_lat);
        }
    }
}
