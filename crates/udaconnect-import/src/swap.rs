//! The swapped-coordinates heuristic for dump points (documented in the crate docs).

use udaconnect_domain::{Coordinates, ValidationError};

/// Reads a dump point (X, Y) as (longitude, latitude), unless Y cannot be a latitude while X
/// can, in which case the row was stored (latitude, longitude) and is swapped back. Returns
/// the coordinates and whether they were swapped.
pub(crate) fn coordinates_from_xy(x: f64, y: f64) -> Result<(Coordinates, bool), ValidationError> {
    let swapped = y.abs() > 90.0 && x.abs() <= 90.0;
    let (lat, lon) = if swapped { (x, y) } else { (y, x) };
    Coordinates::new(lat, lon)
        .map(|c| (c, swapped))
        .map_err(|e| ValidationError::new("coordinate", format!("{} {}", e.field, e.message)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lat_lon(x: f64, y: f64) -> (f64, f64, bool) {
        let (c, swapped) = coordinates_from_xy(x, y).unwrap();
        (c.lat(), c.lon(), swapped)
    }

    #[test]
    fn lon_lat_is_the_convention() {
        assert_eq!(lat_lon(-122.29, 37.55), (37.55, -122.29, false));
    }

    #[test]
    fn lat_lon_rows_are_swapped_back() {
        assert_eq!(lat_lon(35.05, -106.57), (35.05, -106.57, true));
    }

    #[test]
    fn ambiguous_rows_are_read_as_lon_lat() {
        assert_eq!(lat_lon(10.0, 45.0), (45.0, 10.0, false));
        assert_eq!(lat_lon(90.0, -90.0), (-90.0, 90.0, false));
    }

    #[test]
    fn impossible_points_are_rejected_naming_the_coordinate() {
        for (x, y) in [
            (120.0, 100.0),
            (200.0, 0.0),
            (f64::NAN, 0.0),
            (0.0, f64::INFINITY),
        ] {
            let e = coordinates_from_xy(x, y).unwrap_err();
            assert_eq!(e.field, "coordinate", "{x} {y}");
        }
        let e = coordinates_from_xy(181.0, 10.0).unwrap_err();
        assert_eq!(e.message, "longitude must be a number between -180 and 180");
    }
}
