//! pg_dump's `COPY [schema.]table (columns) FROM stdin;` blocks: text format, one row per
//! line, tab-separated, `\N` for NULL, backslash escapes, ended by a `\.` line.

use std::io::{self, Read};

use udaconnect_domain::ValidationError;

use super::Dump;
use crate::{
    RowSink,
    lexer::Tok,
    rows::{ColumnMap, table_of},
    values::{Row, Value},
};

impl<R: Read, S: RowSink + ?Sized> Dump<'_, R, S> {
    /// After `COPY`.
    pub(super) fn copy(&mut self) -> io::Result<()> {
        let table = self.table_name()?.as_deref().and_then(table_of);
        let has_columns = self.column_list()?.is_some();
        let from_stdin = self.lx.next()? == Tok::Word
            && self.lx.is_word("from")
            && self.lx.next()? == Tok::Word
            && self.lx.is_word("stdin");
        if !from_stdin {
            // COPY … TO …, or FROM a server-side file: no data follows in the dump.
            self.lx.push_back();
            return self.skip_statement();
        }
        let mut text_format = true;
        loop {
            match self.lx.next()? {
                Tok::Punct(b';') | Tok::Eof => break,
                Tok::Word if self.lx.is_word("csv") || self.lx.is_word("binary") => {
                    text_format = false;
                }
                _ => {}
            }
        }
        // The data starts on the next line.
        self.scratch.clear();
        self.lx.input.read_line(&mut self.scratch)?;
        let header_line = self.lx.line();
        let map = table.map(|t| ColumnMap::new(t, has_columns.then_some(self.columns.as_slice())));
        let wanted = match table {
            Some(t) => self.wanted(t),
            None => {
                self.stats.statements_skipped += 1;
                false
            }
        };
        if wanted && !text_format {
            let e = ValidationError::new("statement", "only COPY's text format is supported");
            self.reject(header_line, e);
        }
        let decode = wanted && text_format;
        loop {
            self.line.clear();
            let line_no = self.lx.input.line();
            if !self.lx.input.read_line(&mut self.line)? || self.line == b"\\." {
                return Ok(());
            }
            if !decode {
                continue;
            }
            self.row.clear();
            match decode_copy_line(&self.line, &mut self.row, &mut self.scratch) {
                Ok(()) => {
                    if let Some(map) = &map {
                        self.emit(map, line_no);
                    }
                }
                Err(m) => self.reject(line_no, ValidationError::new("row", m)),
            }
        }
    }
}

/// Splits and unescapes one data line into `row`.
fn decode_copy_line(line: &[u8], row: &mut Row, scratch: &mut Vec<u8>) -> Result<(), String> {
    for field in line.split(|&b| b == b'\t') {
        if field == b"\\N" {
            row.values.push(Value::Null);
            continue;
        }
        let text = if field.contains(&b'\\') {
            scratch.clear();
            unescape(field, scratch);
            std::str::from_utf8(scratch)
        } else {
            std::str::from_utf8(field)
        };
        match text {
            Ok(s) => {
                let range = row.push_text(s);
                row.values.push(Value::Text(range));
            }
            Err(_) => return Err("invalid UTF-8".into()),
        }
    }
    Ok(())
}

/// `\b \f \n \r \t \v`, octal `\ooo`, `\xhh`; any other escaped byte stands for itself.
fn unescape(field: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < field.len() {
        let b = field[i];
        i += 1;
        if b != b'\\' || i == field.len() {
            out.push(b);
            continue;
        }
        let e = field[i];
        i += 1;
        match e {
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                let end = (i + 2).min(field.len());
                while i < end && (b'0'..=b'7').contains(&field[i]) {
                    v = v * 8 + u32::from(field[i] - b'0');
                    i += 1;
                }
                out.push(u8::try_from(v & 0xFF).unwrap_or(0));
            }
            b'x' if field.get(i).is_some_and(u8::is_ascii_hexdigit) => {
                let mut v = 0u32;
                let end = (i + 2).min(field.len());
                while i < end && field[i].is_ascii_hexdigit() {
                    v = v * 16 + char::from(field[i]).to_digit(16).unwrap_or(0);
                    i += 1;
                }
                out.push(u8::try_from(v).unwrap_or(0));
            }
            other => out.push(other),
        }
    }
}

#[cfg(test)]
mod tests;
