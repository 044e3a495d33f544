use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// Mean Earth radius (IUGG), metres. Distances are great-circle distances on this sphere.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// WGS 84 latitude in degrees, in [-90, 90].
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Latitude(f64);

/// WGS 84 longitude in degrees, in [-180, 180].
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Longitude(f64);

impl Latitude {
    pub fn new(degrees: f64) -> Result<Self, ValidationError> {
        if degrees.is_finite() && (-90.0..=90.0).contains(&degrees) {
            Ok(Self(degrees))
        } else {
            Err(ValidationError::new(
                "latitude",
                "must be a number between -90 and 90",
            ))
        }
    }

    pub fn degrees(self) -> f64 {
        self.0
    }
}

impl Longitude {
    pub fn new(degrees: f64) -> Result<Self, ValidationError> {
        if degrees.is_finite() && (-180.0..=180.0).contains(&degrees) {
            Ok(Self(degrees))
        } else {
            Err(ValidationError::new(
                "longitude",
                "must be a number between -180 and 180",
            ))
        }
    }

    pub fn degrees(self) -> f64 {
        self.0
    }
}

macro_rules! f64_conversions {
    ($t:ident) => {
        impl TryFrom<f64> for $t {
            type Error = ValidationError;
            fn try_from(v: f64) -> Result<Self, Self::Error> {
                Self::new(v)
            }
        }
        impl From<$t> for f64 {
            fn from(v: $t) -> f64 {
                v.0
            }
        }
    };
}
f64_conversions!(Latitude);
f64_conversions!(Longitude);

/// A point on the WGS 84 ellipsoid, stored as (latitude, longitude) in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Coordinates {
    pub latitude: Latitude,
    pub longitude: Longitude,
}

impl Coordinates {
    pub fn new(latitude: f64, longitude: f64) -> Result<Self, ValidationError> {
        Ok(Self {
            latitude: Latitude::new(latitude)?,
            longitude: Longitude::new(longitude)?,
        })
    }

    pub fn lat(&self) -> f64 {
        self.latitude.degrees()
    }

    pub fn lon(&self) -> f64 {
        self.longitude.degrees()
    }

    /// Great-circle distance in metres to `other`.
    pub fn distance_m(&self, other: &Coordinates) -> f64 {
        haversine_m(self.lat(), self.lon(), other.lat(), other.lon())
    }
}

/// Haversine great-circle distance in metres between two (lat, lon) points in degrees.
///
/// Numerically stable for the short distances UdaConnect cares about (a few metres) and
/// correct across the antimeridian and at the poles.
pub fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (phi1, phi2) = (lat1.to_radians(), lat2.to_radians());
    let dphi = (lat2 - lat1).to_radians();
    let dlambda = (lon2 - lon1).to_radians();
    let a = (dphi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (dlambda / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

/// A search radius in metres: finite and strictly positive.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct DistanceMeters(f64);

impl DistanceMeters {
    /// The POC's default search radius.
    pub const POC_DEFAULT: DistanceMeters = DistanceMeters(5.0);
    /// Half the Earth's circumference on the mean sphere: every point is within this distance
    /// of every other, so a larger radius means nothing more.
    pub const MAX: f64 = std::f64::consts::PI * EARTH_RADIUS_M;

    pub fn new(metres: f64) -> Result<Self, ValidationError> {
        if metres.is_finite() && metres > 0.0 && metres <= Self::MAX {
            Ok(Self(metres))
        } else {
            Err(ValidationError::new(
                "distance",
                format!(
                    "must be a positive number of metres, at most {:.0} (half the Earth's circumference)",
                    Self::MAX
                ),
            ))
        }
    }

    pub fn metres(self) -> f64 {
        self.0
    }
}

impl TryFrom<f64> for DistanceMeters {
    type Error = ValidationError;
    fn try_from(v: f64) -> Result<Self, Self::Error> {
        Self::new(v)
    }
}
impl From<DistanceMeters> for f64 {
    fn from(v: DistanceMeters) -> f64 {
        v.0
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn coordinate_ranges_are_enforced_and_named() {
        assert!(Coordinates::new(90.0, 180.0).is_ok());
        assert!(Coordinates::new(-90.0, -180.0).is_ok());
        assert_eq!(Coordinates::new(90.1, 0.0).unwrap_err().field, "latitude");
        assert_eq!(
            Coordinates::new(0.0, -180.5).unwrap_err().field,
            "longitude"
        );
        assert_eq!(
            Coordinates::new(f64::NAN, 0.0).unwrap_err().field,
            "latitude"
        );
        assert_eq!(
            Coordinates::new(0.0, f64::INFINITY).unwrap_err().field,
            "longitude"
        );
    }

    #[test]
    fn distance_must_be_positive() {
        assert!(DistanceMeters::new(5.0).is_ok());
        assert!(DistanceMeters::new(0.0).is_err());
        assert!(DistanceMeters::new(-1.0).is_err());
        assert!(DistanceMeters::new(f64::NAN).is_err());
        assert_eq!(DistanceMeters::new(-1.0).unwrap_err().field, "distance");
    }

    #[test]
    fn known_distances() {
        // One degree of latitude on the mean sphere.
        let d = haversine_m(0.0, 0.0, 1.0, 0.0);
        assert!((d - 111_195.08).abs() < 0.5, "{d}");
        // Across the antimeridian: 0.002 degrees of longitude at the equator.
        let d = haversine_m(0.0, 179.999, 0.0, -179.999);
        assert!((d - 222.39).abs() < 0.05, "{d}");
        // At the pole every longitude is the same point.
        assert!(haversine_m(90.0, 10.0, 90.0, -170.0) < 1e-6);
        // San Mateo to Albuquerque, roughly 1 430 km.
        let d = haversine_m(37.553441, -122.290524, 35.058514, -106.571957);
        assert!((1_400_000.0..1_460_000.0).contains(&d), "{d}");
    }

    proptest! {
        #[test]
        fn haversine_is_a_symmetric_non_negative_metric(
            a in -90.0f64..=90.0, b in -180.0f64..=180.0,
            c in -90.0f64..=90.0, d in -180.0f64..=180.0,
        ) {
            let x = haversine_m(a, b, c, d);
            let y = haversine_m(c, d, a, b);
            prop_assert!(x >= 0.0);
            prop_assert!((x - y).abs() < 1e-6);
            prop_assert!(x <= std::f64::consts::PI * EARTH_RADIUS_M + 1e-6);
            prop_assert!(haversine_m(a, b, a, b) < 1e-6);
        }
    }
}
