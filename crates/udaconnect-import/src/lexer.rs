//! SQL tokens, as PostgreSQL and pg_dump write them: words, `"quoted"` identifiers,
//! `'strings'` with `''`, `E'escape strings'`, `$tag$dollar strings$tag$`, numbers,
//! punctuation and `::`; `--` and nested `/* */` comments are skipped.

use std::io::{self, Read};

use crate::input::Input;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tok {
    Eof,
    Word,
    QuotedIdent,
    Str,
    Number,
    /// `::`
    Cast,
    Punct(u8),
}

pub(crate) struct Lexer<R> {
    pub(crate) input: Input<R>,
    /// Text of the current token (unquoted and unescaped for strings and identifiers).
    pub(crate) text: Vec<u8>,
    tok: Tok,
    line: u64,
    pushed_back: bool,
}

fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_word_byte(b: u8) -> bool {
    is_word_start(b) || b.is_ascii_digit() || b == b'$'
}

impl<R: Read> Lexer<R> {
    pub(crate) fn new(reader: R) -> Self {
        Self {
            input: Input::new(reader),
            text: Vec::with_capacity(256),
            tok: Tok::Eof,
            line: 1,
            pushed_back: false,
        }
    }

    /// Line where the current token starts.
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// Makes the next [`Lexer::next`] return the current token again.
    pub(crate) fn push_back(&mut self) {
        self.pushed_back = true;
    }

    pub(crate) fn is_word(&self, keyword: &str) -> bool {
        self.tok == Tok::Word && self.text.eq_ignore_ascii_case(keyword.as_bytes())
    }

    pub(crate) fn next(&mut self) -> io::Result<Tok> {
        if std::mem::take(&mut self.pushed_back) {
            return Ok(self.tok);
        }
        self.tok = self.lex()?;
        Ok(self.tok)
    }

    fn lex(&mut self) -> io::Result<Tok> {
        self.text.clear();
        loop {
            self.line = self.input.line();
            let Some(b) = self.input.bump()? else {
                return Ok(Tok::Eof);
            };
            match b {
                b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' => {}
                b'-' if self.input.peek()? == Some(b'-') => self.line_comment()?,
                b'/' if self.input.peek()? == Some(b'*') => self.block_comment()?,
                b'\'' => return self.string(false).map(|()| Tok::Str),
                b'"' => return self.quoted_ident().map(|()| Tok::QuotedIdent),
                b'$' => return self.dollar(),
                b':' if self.input.peek()? == Some(b':') => {
                    self.input.bump()?;
                    return Ok(Tok::Cast);
                }
                b'0'..=b'9' => return self.number(b),
                b'.' if self.input.peek()?.is_some_and(|n| n.is_ascii_digit()) => {
                    return self.number(b);
                }
                b if is_word_start(b) => return self.word(b),
                b => return Ok(Tok::Punct(b)),
            }
        }
    }

    fn line_comment(&mut self) -> io::Result<()> {
        while let Some(b) = self.input.bump()? {
            if b == b'\n' {
                break;
            }
        }
        Ok(())
    }

    fn block_comment(&mut self) -> io::Result<()> {
        self.input.bump()?;
        let (mut depth, mut prev) = (1u32, 0u8);
        while let Some(b) = self.input.bump()? {
            match (prev, b) {
                (b'*', b'/') => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    prev = 0;
                }
                (b'/', b'*') => {
                    depth += 1;
                    prev = 0;
                }
                _ => prev = b,
            }
        }
        Ok(())
    }

    fn word(&mut self, first: u8) -> io::Result<Tok> {
        self.text.push(first);
        while let Some(b) = self.input.peek()? {
            if !is_word_byte(b) {
                break;
            }
            self.text.push(b);
            self.input.bump()?;
        }
        if self.text.eq_ignore_ascii_case(b"e") && self.input.peek()? == Some(b'\'') {
            self.text.clear();
            self.input.bump()?;
            self.string(true)?;
            return Ok(Tok::Str);
        }
        Ok(Tok::Word)
    }

    fn number(&mut self, first: u8) -> io::Result<Tok> {
        self.text.push(first);
        while let Some(b) = self.input.peek()? {
            let exponent_sign =
                (b == b'-' || b == b'+') && matches!(self.text.last(), Some(b'e' | b'E'));
            if !(b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || exponent_sign) {
                break;
            }
            self.text.push(b);
            self.input.bump()?;
        }
        Ok(Tok::Number)
    }

    /// After the opening quote. Unterminated strings end at the end of the input.
    fn string(&mut self, escapes: bool) -> io::Result<()> {
        while let Some(b) = self.input.bump()? {
            match b {
                b'\'' if self.input.peek()? == Some(b'\'') => {
                    self.input.bump()?;
                    self.text.push(b'\'');
                }
                b'\'' => break,
                b'\\' if escapes => self.escape()?,
                b => self.text.push(b),
            }
        }
        Ok(())
    }

    fn quoted_ident(&mut self) -> io::Result<()> {
        while let Some(b) = self.input.bump()? {
            if b == b'"' {
                if self.input.peek()? != Some(b'"') {
                    break;
                }
                self.input.bump()?;
            }
            self.text.push(b);
        }
        Ok(())
    }
}

mod strings;
#[cfg(test)]
mod tests;
