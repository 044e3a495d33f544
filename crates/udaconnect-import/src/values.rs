//! The values of one `INSERT … VALUES (…)` tuple or one COPY line, kept in reusable buffers.

use std::ops::Range;

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    /// A string (quoted in SQL, or any COPY field): a range of [`Row::text`].
    Text(Range<usize>),
    /// An unquoted number, sign included: a range of [`Row::text`].
    Number(Range<usize>),
    /// A point built by an expression such as `ST_SetSRID(ST_MakePoint(x, y), 4326)`.
    Point(f64, f64),
    /// Something this importer cannot evaluate, and why.
    Invalid(String),
}

/// A row: its values, and the text they point into. Cleared and reused for every row.
#[derive(Debug, Default)]
pub(crate) struct Row {
    pub(crate) text: String,
    pub(crate) values: Vec<Value>,
}

/// A value resolved against its row's text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Field<'a> {
    Null,
    Text(&'a str),
    Number(&'a str),
    Point(f64, f64),
    Invalid(&'a str),
}

impl Row {
    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.values.clear();
    }

    /// Appends `s` to the text and returns its range.
    pub(crate) fn push_text(&mut self, s: &str) -> Range<usize> {
        let start = self.text.len();
        self.text.push_str(s);
        start..self.text.len()
    }

    pub(crate) fn field(&self, i: usize) -> Field<'_> {
        let text = |r: &Range<usize>| self.text.get(r.clone()).unwrap_or("");
        match self.values.get(i) {
            None | Some(Value::Null) => Field::Null,
            Some(Value::Text(r)) => Field::Text(text(r)),
            Some(Value::Number(r)) => Field::Number(text(r)),
            Some(Value::Point(x, y)) => Field::Point(*x, *y),
            Some(Value::Invalid(m)) => Field::Invalid(m),
        }
    }

    /// The text of a `Text` or `Number` value.
    pub(crate) fn str_of(&self, v: &Value) -> Option<&str> {
        match v {
            Value::Text(r) | Value::Number(r) => self.text.get(r.clone()),
            _ => None,
        }
    }
}
