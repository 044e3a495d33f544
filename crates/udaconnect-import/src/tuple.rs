//! One `( value, … )` tuple of an `INSERT`: literals, `NULL`, signed numbers, casts
//! (`'…'::timestamp`), typed literals (`timestamp '…'`) and the PostGIS point constructors.

use std::io::{self, Read};

use crate::{
    expr,
    lexer::{Lexer, Tok},
    values::{Row, Value},
};

/// Parses the values up to the closing `)` (the opening one was consumed) into `row`. A
/// malformed tuple is skipped up to its closing parenthesis and reported as `Err(reason)`.
pub(crate) fn parse_tuple<R: Read>(
    lx: &mut Lexer<R>,
    row: &mut Row,
) -> io::Result<Result<(), String>> {
    loop {
        let v = value(lx, row)?;
        row.values.push(v);
        match lx.next()? {
            Tok::Punct(b',') => {}
            Tok::Punct(b')') => return Ok(Ok(())),
            Tok::Eof => return Ok(Err("unexpected end of input in VALUES".into())),
            _ => {
                recover(lx, 1)?;
                return Ok(Err("expected ',' or ')' between values".into()));
            }
        }
    }
}

/// Skips tokens until `depth` parentheses have been closed (or the statement ends).
pub(crate) fn recover<R: Read>(lx: &mut Lexer<R>, mut depth: u32) -> io::Result<()> {
    while depth > 0 {
        match lx.next()? {
            Tok::Punct(b'(') => depth += 1,
            Tok::Punct(b')') => depth -= 1,
            Tok::Punct(b';') | Tok::Eof => {
                lx.push_back();
                break;
            }
            _ => {}
        }
    }
    Ok(())
}

fn token_str<R: Read>(lx: &Lexer<R>) -> Result<&str, String> {
    std::str::from_utf8(&lx.text).map_err(|_| "invalid UTF-8".to_owned())
}

/// One value; leaves the lexer before the `,` or `)` that follows it.
pub(crate) fn value<R: Read>(lx: &mut Lexer<R>, row: &mut Row) -> io::Result<Value> {
    let v = match lx.next()? {
        Tok::Str => match token_str(lx) {
            Ok(s) => Value::Text(row.push_text(s)),
            Err(e) => Value::Invalid(e),
        },
        Tok::Number => match token_str(lx) {
            Ok(s) => Value::Number(row.push_text(s)),
            Err(e) => Value::Invalid(e),
        },
        Tok::Punct(sign @ (b'-' | b'+')) => match lx.next()? {
            Tok::Number => {
                let start = row.text.len();
                if sign == b'-' {
                    row.text.push('-');
                }
                let digits = token_str(lx).unwrap_or("?");
                row.text.push_str(digits);
                Value::Number(start..row.text.len())
            }
            _ => {
                lx.push_back();
                Value::Invalid("expected a number after a sign".into())
            }
        },
        Tok::Punct(b'(') => {
            let v = value(lx, row)?;
            if lx.next()? != Tok::Punct(b')') {
                lx.push_back();
                recover(lx, 1)?;
            }
            v
        }
        Tok::Word if lx.is_word("null") => Value::Null,
        Tok::Word => word_value(lx, row)?,
        Tok::Punct(b',' | b')' | b';') | Tok::Eof => {
            lx.push_back();
            Value::Invalid("missing value".into())
        }
        _ => Value::Invalid("unsupported value".into()),
    };
    skip_casts(lx)?;
    Ok(v)
}

/// A function call (`st_makepoint(…)`, `public.st_setsrid(…)`) or a typed literal.
fn word_value<R: Read>(lx: &mut Lexer<R>, row: &mut Row) -> io::Result<Value> {
    let mut name = String::from_utf8_lossy(&lx.text).to_ascii_lowercase();
    loop {
        match lx.next()? {
            Tok::Punct(b'.') => {
                if lx.next()? == Tok::Word {
                    name = String::from_utf8_lossy(&lx.text).to_ascii_lowercase();
                }
            }
            Tok::Punct(b'(') => {
                let mut args = Vec::new();
                if lx.next()? != Tok::Punct(b')') {
                    lx.push_back();
                    loop {
                        args.push(value(lx, row)?);
                        match lx.next()? {
                            Tok::Punct(b',') => {}
                            Tok::Punct(b')') => break,
                            _ => {
                                lx.push_back();
                                recover(lx, 1)?;
                                return Ok(Value::Invalid(format!("malformed call to {name}")));
                            }
                        }
                    }
                }
                return Ok(expr::call(&name, &args, row));
            }
            Tok::Str => {
                return Ok(match token_str(lx) {
                    Ok(s) => Value::Text(row.push_text(s)),
                    Err(e) => Value::Invalid(e),
                });
            }
            _ => {
                lx.push_back();
                return Ok(Value::Invalid(format!("unsupported value {name}")));
            }
        }
    }
}

/// Skips `::type` suffixes (`::timestamp without time zone`, `::public.geometry(Point,4326)`).
fn skip_casts<R: Read>(lx: &mut Lexer<R>) -> io::Result<()> {
    let mut in_type = false;
    loop {
        match lx.next()? {
            Tok::Cast => in_type = true,
            Tok::Word | Tok::QuotedIdent | Tok::Punct(b'.' | b'[' | b']') if in_type => {}
            Tok::Punct(b'(') if in_type => recover(lx, 1)?,
            _ => {
                lx.push_back();
                return Ok(());
            }
        }
    }
}
