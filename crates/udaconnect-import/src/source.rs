//! The inputs of one import: files, or text embedded in the binary.

use std::{
    fs::File,
    io::{self, Read},
    path::PathBuf,
    sync::Arc,
};

use crate::{Format, ImportError};

/// Enough to tell a CSV header from a SQL dump.
const HEAD_BYTES: usize = 8 * 1024;

pub(crate) enum Origin {
    File(PathBuf),
    Embedded {
        name: &'static str,
        text: &'static str,
    },
}

pub(crate) struct Source {
    /// How row errors name it.
    pub(crate) name: Arc<str>,
    origin: Origin,
    pub(crate) format: Format,
    /// Bytes, for progress.
    pub(crate) size: u64,
}

impl Source {
    /// Reads the start of the input to tell its format. Blocking.
    pub(crate) fn detect(origin: Origin) -> Result<Self, ImportError> {
        let (name, size, head) = match &origin {
            Origin::File(path) => {
                let io_err = |source| ImportError::Io {
                    path: path.clone(),
                    source,
                };
                let mut file = File::open(path).map_err(io_err)?;
                let size = file.metadata().map_err(io_err)?.len();
                let mut head = Vec::with_capacity(HEAD_BYTES);
                (&mut file)
                    .take(HEAD_BYTES as u64)
                    .read_to_end(&mut head)
                    .map_err(io_err)?;
                (path.display().to_string(), size, head)
            }
            Origin::Embedded { name, text } => {
                let head = text.as_bytes().get(..HEAD_BYTES).unwrap_or(text.as_bytes());
                ((*name).to_owned(), text.len() as u64, head.to_vec())
            }
        };
        let format = Format::detect(&head).map_err(|reason| ImportError::UnrecognisedFormat {
            path: PathBuf::from(&name),
            reason,
        })?;
        Ok(Self {
            name: Arc::from(name),
            origin,
            format,
            size,
        })
    }

    /// Opens the input from its start. Blocking.
    pub(crate) fn open(&self) -> Result<Box<dyn Read + Send>, ImportError> {
        match &self.origin {
            Origin::File(path) => File::open(path)
                .map(|f| Box::new(f) as Box<dyn Read + Send>)
                .map_err(|source| ImportError::Io {
                    path: path.clone(),
                    source,
                }),
            Origin::Embedded { text, .. } => Ok(Box::new(text.as_bytes())),
        }
    }

    pub(crate) fn io_error(&self, source: io::Error) -> ImportError {
        ImportError::Io {
            path: PathBuf::from(&*self.name),
            source,
        }
    }
}
