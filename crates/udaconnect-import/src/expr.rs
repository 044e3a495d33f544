//! The PostGIS functions a dump may use to build a point, evaluated.

use crate::{
    geom::decode_point,
    values::{Row, Value},
};

/// Evaluates `name(args)`; anything but a known point constructor is [`Value::Invalid`].
pub(crate) fn call(name: &str, args: &[Value], row: &Row) -> Value {
    match name {
        "st_point" | "st_makepoint" | "st_makepointm" | "st_pointz" | "st_pointm" => {
            match (number(args.first(), row), number(args.get(1), row)) {
                (Some(x), Some(y)) => Value::Point(x, y),
                _ => Value::Invalid(format!("{name} needs numeric x and y")),
            }
        }
        "st_setsrid"
        | "st_force2d"
        | "st_geomfromtext"
        | "st_geometryfromtext"
        | "st_geogfromtext"
        | "st_geographyfromtext"
        | "st_pointfromtext"
        | "st_geomfromewkt"
        | "st_geomfromwkb"
        | "st_geomfromewkb"
        | "st_geogfromwkb"
        | "geometry"
        | "geography" => point(args.first(), row, name),
        "decode" => match args.first() {
            Some(v @ Value::Text(_)) => v.clone(),
            _ => Value::Invalid("decode needs a string".into()),
        },
        _ => Value::Invalid(format!("unsupported function {name}")),
    }
}

fn number(v: Option<&Value>, row: &Row) -> Option<f64> {
    match v? {
        Value::Number(_) => row.str_of(v?)?.parse().ok(),
        _ => None,
    }
}

fn point(v: Option<&Value>, row: &Row, name: &str) -> Value {
    match v {
        Some(Value::Point(x, y)) => Value::Point(*x, *y),
        Some(v @ Value::Text(_)) => match decode_point(row.str_of(v).unwrap_or("")) {
            Ok((x, y)) => Value::Point(x, y),
            Err(e) => Value::Invalid(e),
        },
        Some(Value::Invalid(e)) => Value::Invalid(e.clone()),
        _ => Value::Invalid(format!("{name} needs a geometry")),
    }
}
