use super::decode_point;

/// Hex of a 2D point, optionally with an SRID, in the given byte order.
fn hex(x: f64, y: f64, little: bool, srid: Option<u32>) -> String {
    let mut b = vec![u8::from(little)];
    let ty: u32 = 1 | if srid.is_some() { 0x2000_0000 } else { 0 };
    let u32b = |v: u32| {
        if little {
            v.to_le_bytes()
        } else {
            v.to_be_bytes()
        }
    };
    let f64b = |v: f64| {
        if little {
            v.to_le_bytes()
        } else {
            v.to_be_bytes()
        }
    };
    b.extend(u32b(ty));
    if let Some(s) = srid {
        b.extend(u32b(s));
    }
    b.extend(f64b(x));
    b.extend(f64b(y));
    b.iter().map(|v| format!("{v:02X}")).collect()
}

#[test]
fn poc_sample_point_little_endian() {
    let (x, y) = decode_point("010100000000ADF9F197925EC0FDA19927D7C64240").unwrap();
    assert_eq!((x, y), (-122.290524, 37.553441));
}

#[test]
fn both_byte_orders_with_and_without_srid() {
    for little in [true, false] {
        for srid in [None, Some(4326)] {
            let h = hex(-106.5719566, 35.0585136, little, srid);
            assert_eq!(decode_point(&h), Ok((-106.5719566, 35.0585136)), "{h}");
            assert_eq!(
                decode_point(&h.to_lowercase()),
                Ok((-106.5719566, 35.0585136))
            );
        }
    }
    assert_eq!(
        decode_point("\\x0101000020E6100000000000000000F03F0000000000000040"),
        Ok((1.0, 2.0))
    );
}

#[test]
fn z_and_m_are_ignored() {
    // EWKB POINT Z, big endian: 1, 2, 3.
    let h = "00800000013FF000000000000040000000000000004008000000000000";
    assert_eq!(decode_point(h), Ok((1.0, 2.0)));
    // ISO WKB POINT ZM (3001), little endian.
    let mut b = vec![1u8];
    b.extend(3001u32.to_le_bytes());
    for v in [5.0f64, 6.0, 7.0, 8.0] {
        b.extend(v.to_le_bytes());
    }
    let h: String = b.iter().map(|v| format!("{v:02x}")).collect();
    assert_eq!(decode_point(&h), Ok((5.0, 6.0)));
}

#[test]
fn wkt_and_ewkt() {
    assert_eq!(decode_point("POINT(-122.29 37.55)"), Ok((-122.29, 37.55)));
    assert_eq!(decode_point("SRID=4326;point ( 1.5  -2 )"), Ok((1.5, -2.0)));
    assert_eq!(decode_point("POINT Z (1 2 3)"), Ok((1.0, 2.0)));
}

#[test]
fn errors_are_clear() {
    let err = |s: &str| decode_point(s).unwrap_err();
    assert!(err("0101000000ZZ").contains("invalid hex digit"));
    assert!(err("010").contains("odd number"));
    assert!(err("0101").contains("too short"));
    assert!(err("0201000000").contains("byte order"));
    // A LINESTRING with two points.
    let line = "010200000002000000000000000000F03F000000000000004000000000000008400000000000001040";
    assert_eq!(err(line), "expected a POINT, found a LINESTRING");
    assert!(err("0101000000000000000000F03F").contains("expected 21 bytes"));
    assert!(err("LINESTRING(1 2, 3 4)").contains("expected a POINT, found LINESTRING"));
    assert!(err("POINT(1)").contains("invalid POINT"));
    assert!(err("POINT EMPTY").contains("POINT"));
    assert!(err("").contains("empty"));
    // NaN, NaN is PostGIS's empty point.
    assert_eq!(err(&hex(f64::NAN, f64::NAN, true, None)), "empty POINT");
    assert!(err("srid=4326POINT(1 2)").contains("';'"));
    assert!(err("é€€€€€").contains("POINT"));
}
