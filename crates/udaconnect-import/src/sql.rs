//! SQL dumps: statement dispatch, and what `INSERT` and `COPY` share.

use std::{
    io::{self, Read},
    sync::Arc,
};

use udaconnect_domain::ValidationError;

use crate::{
    ParseStats, RowError, RowSink, Table,
    lexer::{Lexer, Tok},
    rows::ColumnMap,
    values::Row,
};

/// Streams a POC SQL dump (`INSERT` statements and/or pg_dump `COPY … FROM stdin` blocks)
/// into `sink`. `source` names the input in row errors. Only I/O errors stop the parse.
pub fn parse_dump<R: Read, S: RowSink + ?Sized>(
    reader: R,
    source: &str,
    sink: &mut S,
) -> io::Result<ParseStats> {
    let mut dump = Dump {
        lx: Lexer::new(reader),
        sink,
        file: Arc::from(source),
        stats: ParseStats::default(),
        row: Row::default(),
        columns: Vec::new(),
        line: Vec::new(),
        scratch: Vec::new(),
    };
    dump.run()?;
    Ok(dump.stats)
}

struct Dump<'s, R, S: ?Sized> {
    lx: Lexer<R>,
    sink: &'s mut S,
    file: Arc<str>,
    stats: ParseStats,
    row: Row,
    columns: Vec<String>,
    /// COPY buffers.
    line: Vec<u8>,
    scratch: Vec<u8>,
}

impl<R: Read, S: RowSink + ?Sized> Dump<'_, R, S> {
    fn run(&mut self) -> io::Result<()> {
        loop {
            match self.lx.next()? {
                Tok::Eof => return Ok(()),
                Tok::Punct(b';') => {}
                Tok::Word if self.lx.is_word("insert") => self.insert()?,
                Tok::Word if self.lx.is_word("copy") => self.copy()?,
                _ => self.skip_statement()?,
            }
        }
    }

    /// Skips to the end of the current statement and counts it.
    fn skip_statement(&mut self) -> io::Result<()> {
        self.stats.statements_skipped += 1;
        self.skip_rest()
    }

    fn skip_rest(&mut self) -> io::Result<()> {
        loop {
            if let Tok::Punct(b';') | Tok::Eof = self.lx.next()? {
                return Ok(());
            }
        }
    }

    /// `[schema.]name`: the last part.
    fn table_name(&mut self) -> io::Result<Option<String>> {
        let mut name = None;
        loop {
            match self.lx.next()? {
                Tok::Word | Tok::QuotedIdent => {
                    name = Some(String::from_utf8_lossy(&self.lx.text).into_owned());
                }
                _ => {
                    self.lx.push_back();
                    return Ok(name);
                }
            }
            if self.lx.next()? != Tok::Punct(b'.') {
                self.lx.push_back();
                return Ok(name);
            }
        }
    }

    /// `(a, b, "c")` into `self.columns`, if the next token opens a list.
    fn column_list(&mut self) -> io::Result<Option<()>> {
        if self.lx.next()? != Tok::Punct(b'(') {
            self.lx.push_back();
            return Ok(None);
        }
        self.columns.clear();
        loop {
            match self.lx.next()? {
                Tok::Word | Tok::QuotedIdent => self
                    .columns
                    .push(String::from_utf8_lossy(&self.lx.text).into_owned()),
                Tok::Punct(b',') => {}
                Tok::Punct(b')') => return Ok(Some(())),
                _ => {
                    self.lx.push_back();
                    return Ok(Some(()));
                }
            }
        }
    }

    fn reject(&mut self, line: u64, e: ValidationError) {
        self.stats.rejected += 1;
        self.sink
            .rejected(RowError::from_validation(&self.file, line, e));
    }

    /// Converts `self.row` and hands it to the sink.
    fn emit(&mut self, map: &Result<ColumnMap, String>, line: u64) {
        let map = match map {
            Ok(map) => map,
            Err(m) => {
                let e = ValidationError::new("statement", m.clone());
                return self.reject(line, e);
            }
        };
        match map.table {
            Table::Persons => match map.person(&self.row) {
                Ok(p) => {
                    self.stats.persons += 1;
                    self.sink.person(p, line);
                }
                Err(e) => self.reject(line, e),
            },
            Table::Locations => match map.location(&self.row) {
                Ok((l, swapped)) => {
                    self.stats.locations += 1;
                    self.stats.swapped += u64::from(swapped);
                    self.sink.location(l, line);
                }
                Err(e) => self.reject(line, e),
            },
        }
    }

    /// Records that the input holds rows of `table`; whether the sink wants them.
    fn wanted(&mut self, table: Table) -> bool {
        match table {
            Table::Persons => self.stats.has_persons = true,
            Table::Locations => self.stats.has_locations = true,
        }
        self.sink.wants(table)
    }
}

mod copy;
mod insert;
#[cfg(test)]
mod tests;
