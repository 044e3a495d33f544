//! A byte source with its own buffer and a line counter: the SQL lexer reads it one byte at
//! a time, COPY blocks one line at a time.

use std::io::{self, Read};

const BUFFER: usize = 64 * 1024;

pub(crate) struct Input<R> {
    reader: R,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    /// 1-based line of the next byte.
    line: u64,
}

impl<R: Read> Input<R> {
    pub(crate) fn new(reader: R) -> Self {
        Self {
            reader,
            buf: vec![0; BUFFER].into_boxed_slice(),
            pos: 0,
            len: 0,
            line: 1,
        }
    }

    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// Refills the buffer when it is used up; `false` at the end of the input.
    #[inline]
    fn fill(&mut self) -> io::Result<bool> {
        if self.pos < self.len {
            return Ok(true);
        }
        loop {
            match self.reader.read(&mut self.buf) {
                Ok(n) => {
                    self.pos = 0;
                    self.len = n;
                    return Ok(n > 0);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    #[inline]
    pub(crate) fn peek(&mut self) -> io::Result<Option<u8>> {
        Ok(if self.fill()? {
            Some(self.buf[self.pos])
        } else {
            None
        })
    }

    #[inline]
    pub(crate) fn bump(&mut self) -> io::Result<Option<u8>> {
        let b = self.peek()?;
        if let Some(b) = b {
            self.pos += 1;
            if b == b'\n' {
                self.line += 1;
            }
        }
        Ok(b)
    }

    /// Appends the rest of the current line to `out`, without its `\n` (or `\r\n`), and moves
    /// past it. `false` when the input had already ended.
    pub(crate) fn read_line(&mut self, out: &mut Vec<u8>) -> io::Result<bool> {
        let mut any = false;
        while self.fill()? {
            any = true;
            let chunk = &self.buf[self.pos..self.len];
            match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    out.extend_from_slice(&chunk[..i]);
                    self.pos += i + 1;
                    self.line += 1;
                    if out.last() == Some(&b'\r') {
                        out.pop();
                    }
                    return Ok(true);
                }
                None => {
                    out.extend_from_slice(chunk);
                    self.pos = self.len;
                }
            }
        }
        if out.last() == Some(&b'\r') {
            out.pop();
        }
        Ok(any)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_bytes() {
        let mut input = Input::new(&b"ab\r\ncd\nlast"[..]);
        assert_eq!(input.bump().unwrap(), Some(b'a'));
        let mut line = Vec::new();
        assert!(input.read_line(&mut line).unwrap());
        assert_eq!(line, b"b");
        assert_eq!(input.line(), 2);
        assert_eq!(input.bump().unwrap(), Some(b'c'));
        assert_eq!(input.bump().unwrap(), Some(b'd'));
        assert_eq!(input.bump().unwrap(), Some(b'\n'));
        assert_eq!(input.line(), 3);
        line.clear();
        assert!(input.read_line(&mut line).unwrap());
        assert_eq!(line, b"last");
        line.clear();
        assert!(!input.read_line(&mut line).unwrap());
        assert_eq!(input.peek().unwrap(), None);
    }
}
