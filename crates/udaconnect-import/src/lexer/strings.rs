//! Escape strings (`E'…'`) and dollar-quoted strings (`$tag$…$tag$`).

use std::io::{self, Read};

use super::{Lexer, Tok};

fn hex_value(b: u8) -> Option<u32> {
    char::from(b).to_digit(16)
}

impl<R: Read> Lexer<R> {
    /// After a backslash in an escape string: `\b \f \n \r \t`, octal `\ooo`, `\xhh`,
    /// `\uXXXX`, `\UXXXXXXXX`; any other character stands for itself.
    pub(super) fn escape(&mut self) -> io::Result<()> {
        let Some(b) = self.input.bump()? else {
            return Ok(());
        };
        match b {
            b'b' => self.text.push(8),
            b'f' => self.text.push(12),
            b'n' => self.text.push(b'\n'),
            b'r' => self.text.push(b'\r'),
            b't' => self.text.push(b'\t'),
            b'0'..=b'7' => {
                let mut v = u32::from(b - b'0');
                for _ in 0..2 {
                    match self.input.peek()? {
                        Some(d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            self.input.bump()?;
                        }
                        _ => break,
                    }
                }
                self.text.push(u8::try_from(v & 0xFF).unwrap_or(0));
            }
            b'x' => {
                let v = self.hex_digits(2)?;
                self.text.push(u8::try_from(v & 0xFF).unwrap_or(0));
            }
            b'u' | b'U' => {
                let v = self.hex_digits(if b == b'u' { 4 } else { 8 })?;
                let c = char::from_u32(v).unwrap_or(char::REPLACEMENT_CHARACTER);
                let mut utf8 = [0u8; 4];
                self.text
                    .extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            }
            b => self.text.push(b),
        }
        Ok(())
    }

    fn hex_digits(&mut self, max: usize) -> io::Result<u32> {
        let mut v = 0u32;
        for _ in 0..max {
            match self.input.peek()?.and_then(hex_value) {
                Some(d) => {
                    v = v.wrapping_mul(16).wrapping_add(d);
                    self.input.bump()?;
                }
                None => break,
            }
        }
        Ok(v)
    }

    /// After a `$`: a dollar-quoted string, or a lone `$` (e.g. a `$1` parameter).
    pub(super) fn dollar(&mut self) -> io::Result<Tok> {
        let mut tag = vec![b'$'];
        while let Some(b) = self.input.peek()? {
            if b == b'$' {
                break;
            }
            let ok = if tag.len() == 1 {
                b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
            } else {
                b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
            };
            if !ok {
                return Ok(Tok::Punct(b'$'));
            }
            tag.push(b);
            self.input.bump()?;
        }
        if self.input.bump()?.is_none() {
            return Ok(Tok::Punct(b'$'));
        }
        tag.push(b'$');
        while let Some(b) = self.input.bump()? {
            self.text.push(b);
            if b == b'$' && self.text.ends_with(&tag) {
                self.text.truncate(self.text.len() - tag.len());
                break;
            }
        }
        Ok(Tok::Str)
    }
}
