//! `INSERT INTO [schema.]table [(columns)] VALUES (…)[, (…)]* [ON CONFLICT …];`

use std::io::{self, Read};

use udaconnect_domain::ValidationError;

use super::Dump;
use crate::{
    RowSink,
    lexer::Tok,
    rows::{ColumnMap, table_of},
    tuple::parse_tuple,
};

impl<R: Read, S: RowSink + ?Sized> Dump<'_, R, S> {
    /// After `INSERT`.
    pub(super) fn insert(&mut self) -> io::Result<()> {
        if !(self.lx.next()? == Tok::Word && self.lx.is_word("into")) {
            return self.skip_statement();
        }
        let table = self.table_name()?.as_deref().and_then(table_of);
        if self.lx.next()? == Tok::Word && self.lx.is_word("as") {
            self.lx.next()?;
        } else {
            self.lx.push_back();
        }
        let has_columns = self.column_list()?.is_some();
        loop {
            match self.lx.next()? {
                Tok::Word if self.lx.is_word("values") => break,
                Tok::Word if self.lx.is_word("overriding") => {}
                Tok::Word if self.lx.is_word("system") || self.lx.is_word("user") => {}
                Tok::Word if self.lx.is_word("value") => {}
                _ => return self.skip_statement(),
            }
        }
        let Some(table) = table else {
            return self.skip_statement();
        };
        if !self.wanted(table) {
            return self.skip_rest();
        }
        let map = ColumnMap::new(table, has_columns.then_some(self.columns.as_slice()));
        loop {
            if self.lx.next()? != Tok::Punct(b'(') {
                self.lx.push_back();
                return self.end_of_insert();
            }
            let line = self.lx.line();
            self.row.clear();
            match parse_tuple(&mut self.lx, &mut self.row)? {
                Ok(()) => self.emit(&map, line),
                Err(m) => self.reject(line, ValidationError::new("row", m)),
            }
            if self.lx.next()? != Tok::Punct(b',') {
                self.lx.push_back();
                return self.end_of_insert();
            }
        }
    }

    /// After the last tuple: `;`, or `ON CONFLICT …;` / `RETURNING …;` (skipped).
    fn end_of_insert(&mut self) -> io::Result<()> {
        let line = self.lx.line();
        match self.lx.next()? {
            Tok::Punct(b';') | Tok::Eof => Ok(()),
            Tok::Word if self.lx.is_word("on") || self.lx.is_word("returning") => self.skip_rest(),
            _ => {
                let e = ValidationError::new(
                    "statement",
                    "unexpected text after VALUES, skipped to the next ';'",
                );
                self.reject(line, e);
                self.skip_rest()
            }
        }
    }
}
