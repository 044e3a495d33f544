//! Points as PostGIS writes them: hex WKB/EWKB (either byte order, optional SRID, Z/M
//! ignored) or WKT/EWKT. Returns (X, Y) as stored; see [`crate::swap`] for their meaning.

/// Longest point: byte order, type, SRID, X, Y, Z, M.
const MAX_POINT_BYTES: usize = 1 + 4 + 4 + 4 * 8;
const EWKB_Z: u32 = 0x8000_0000;
const EWKB_M: u32 = 0x4000_0000;
const EWKB_SRID: u32 = 0x2000_0000;

/// Decodes one point from its text form (`0101000000…`, `\x0101…`, `SRID=4326;POINT(x y)`).
pub(crate) fn decode_point(text: &str) -> Result<(f64, f64), String> {
    let text = text.trim();
    let text = text.strip_prefix("\\x").unwrap_or(text);
    match text.as_bytes().first() {
        None => Err("must not be empty".into()),
        Some(b) if b.is_ascii_hexdigit() => decode_hex_wkb(text.as_bytes()),
        Some(_) => decode_wkt(text),
    }
}

fn nibble(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn decode_hex_wkb(hex: &[u8]) -> Result<(f64, f64), String> {
    if let Some(i) = hex.iter().position(|b| nibble(*b).is_none()) {
        return Err(format!("invalid hex digit at position {}", i + 1));
    }
    if hex.len() % 2 == 1 {
        return Err("odd number of hex digits".into());
    }
    let len = hex.len() / 2;
    let mut buf = [0u8; MAX_POINT_BYTES];
    for (out, pair) in buf.iter_mut().zip(hex.chunks_exact(2)) {
        *out = (nibble(pair[0]).unwrap_or(0) << 4) | nibble(pair[1]).unwrap_or(0);
    }
    parse_wkb(&buf[..len.min(MAX_POINT_BYTES)], len)
}

/// `bytes` is the start of the geometry (at most [`MAX_POINT_BYTES`]); `len` its full length.
fn parse_wkb(bytes: &[u8], len: usize) -> Result<(f64, f64), String> {
    if len < 5 {
        return Err(format!("WKB too short ({len} bytes)"));
    }
    let little = match bytes[0] {
        0 => false,
        1 => true,
        other => return Err(format!("invalid WKB byte order {other}")),
    };
    let ty = read_u32(bytes, 1, little);
    let mut extra_dims = usize::from(ty & EWKB_Z != 0) + usize::from(ty & EWKB_M != 0);
    let base = ty & 0x0FFF_FFFF;
    extra_dims += match base / 1000 {
        0 => 0,
        1 | 2 => 1,
        3 => 2,
        _ => return Err(format!("unknown WKB geometry type {ty:#x}")),
    };
    if base % 1000 != 1 {
        return Err(format!(
            "expected a POINT, found {}",
            type_name(base % 1000)
        ));
    }
    let srid = if ty & EWKB_SRID != 0 { 4 } else { 0 };
    let expected = 5 + srid + 8 * (2 + extra_dims);
    if len != expected {
        return Err(format!(
            "expected {expected} bytes of WKB for this POINT, found {len}"
        ));
    }
    let (x, y) = (
        read_f64(bytes, 5 + srid, little),
        read_f64(bytes, 13 + srid, little),
    );
    if x.is_nan() && y.is_nan() {
        return Err("empty POINT".into());
    }
    Ok((x, y))
}

fn read_u32(b: &[u8], at: usize, little: bool) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[at..at + 4]);
    if little {
        u32::from_le_bytes(a)
    } else {
        u32::from_be_bytes(a)
    }
}

fn read_f64(b: &[u8], at: usize, little: bool) -> f64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    if little {
        f64::from_le_bytes(a)
    } else {
        f64::from_be_bytes(a)
    }
}

fn type_name(kind: u32) -> String {
    let name = match kind {
        2 => "LINESTRING",
        3 => "POLYGON",
        4 => "MULTIPOINT",
        5 => "MULTILINESTRING",
        6 => "MULTIPOLYGON",
        7 => "GEOMETRYCOLLECTION",
        _ => return format!("WKB geometry type {kind}"),
    };
    format!("a {name}")
}

/// `[SRID=n;]POINT[ Z|M|ZM](x y[ z[ m]])`, case-insensitive.
fn decode_wkt(text: &str) -> Result<(f64, f64), String> {
    let mut t = text;
    if t.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("srid=")) {
        let semi = t.find(';').ok_or("EWKT SRID must end with ';'")?;
        t = t[semi + 1..].trim_start();
    }
    let open = t.find('(').ok_or("expected a POINT in WKB or WKT")?;
    let kind = t[..open].trim();
    let kind_word = kind.split_whitespace().next().unwrap_or("");
    if !kind_word.eq_ignore_ascii_case("point") {
        return Err(format!("expected a POINT, found {kind}"));
    }
    let inner = t[open + 1..]
        .trim_end()
        .strip_suffix(')')
        .ok_or("POINT must end with ')'")?;
    let mut nums = inner.split_whitespace().map(str::parse::<f64>);
    match (nums.next(), nums.next()) {
        (Some(Ok(x)), Some(Ok(y))) if nums.all(|n| n.is_ok()) => Ok((x, y)),
        _ => Err(format!("invalid POINT coordinates ({inner})")),
    }
}

#[cfg(test)]
mod tests;
