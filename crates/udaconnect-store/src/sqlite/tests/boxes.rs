//! The search boxes contain every point the haversine test would accept.

use proptest::prelude::*;
use udaconnect_domain::haversine_m;

use crate::{
    sqlite::functions::{LonLatBox, search_boxes},
    suite::fixtures::destination,
};

fn covered(lat: f64, lon: f64, d: f64, plat: f64, plon: f64) -> bool {
    let boxes = search_boxes(lat, lon, d);
    let hits = boxes.iter().filter(|b| b.contains(plat, plon)).count();
    assert!(hits <= 1, "parts overlap at ({plat}, {plon}): {boxes:?}");
    hits == 1
}

#[test]
fn a_box_across_the_antimeridian_is_split() {
    let [a, b] = search_boxes(0.0, 179.9999, 50.0);
    assert_eq!(a.max_lon, 180.0);
    assert_eq!(b.min_lon, -180.0);
    assert!(b.max_lon > -179.9999 && b.max_lon < -179.999);
    assert!(covered(0.0, 179.9999, 50.0, 0.0, -179.99995));
    let [_, b] = search_boxes(0.0, 0.0, 50.0);
    assert_eq!(b, LonLatBox::EMPTY);
}

#[test]
fn near_a_pole_every_longitude_is_searched() {
    for lat in [90.0, 89.9999, -89.9995, -90.0] {
        let [a, b] = search_boxes(lat, 10.0, 100.0);
        assert_eq!((a.min_lon, a.max_lon), (-180.0, 180.0), "{lat}");
        assert_eq!(b, LonLatBox::EMPTY);
    }
    assert!(covered(89.9999, 10.0, 100.0, 89.9999, -170.0));
}

#[test]
fn the_empty_box_contains_nothing() {
    assert!(!LonLatBox::EMPTY.contains(0.0, 0.0));
    assert!(!LonLatBox::EMPTY.contains(90.0, 180.0));
}

fn center() -> impl Strategy<Value = (f64, f64)> {
    prop_oneof![
        (-90.0f64..=90.0, -180.0f64..=180.0),
        (89.0f64..=90.0, -180.0f64..=180.0),
        (-90.0f64..=-89.0, -180.0f64..=180.0),
        (
            -90.0f64..=90.0,
            prop_oneof![179.0f64..=180.0, -180.0f64..=-179.0]
        ),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn every_point_within_d_is_in_exactly_one_box(
        (lat, lon) in center(),
        d in prop_oneof![0.001f64..10.0, 10.0f64..100_000.0],
        bearing in 0.0f64..std::f64::consts::TAU,
        k in prop_oneof![0.0f64..=1.0, Just(1.0), 0.999_999f64..=1.000_001],
    ) {
        let (plat, plon) = destination(lat, lon, bearing, d * k);
        if haversine_m(lat, lon, plat, plon) <= d {
            prop_assert!(covered(lat, lon, d, plat, plon), "({lat}, {lon}) d={d} misses ({plat}, {plon})");
        }
    }
}
