//! The access-token signing key: configured (distributed mode) or generated once and kept
//! in the data directory (embedded mode). Never printed.

use std::{
    collections::HashSet,
    fmt,
    io::Write,
    path::{Path, PathBuf},
};

use base64::{
    Engine,
    engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD},
};
use rand::RngCore;

/// Bytes of key material a key must hold at least (HS256: as many as the hash output).
pub const MIN_KEY_BYTES: usize = 32;
/// Bytes of a generated key.
const GENERATED_KEY_BYTES: usize = 64;
/// A key with fewer distinct byte values than this is not random (`aaaa…`, `abab…`).
const MIN_DISTINCT_BYTES: usize = 16;

/// Why a key could not be loaded or stored.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "the auth signing key from {source_name} is too weak: {why}; it must hold at least \
         {MIN_KEY_BYTES} random bytes (raw or base64). Generate one with `udaconnect auth-key \
         --out FILE` and pass it with --auth-key-file"
    )]
    Weak { source_name: String, why: String },
    #[error("reading the auth signing key {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("writing the auth signing key {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// An HMAC-SHA256 signing key. `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey(Vec<u8>);

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningKey(<{} bytes, redacted>)", self.0.len())
    }
}

impl SigningKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; GENERATED_KEY_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// A key from its text form: base64 (standard or URL-safe) when it decodes to at least
    /// [`MIN_KEY_BYTES`], else the raw bytes of the trimmed text. Refuses weak keys (too
    /// short, or too few distinct bytes to be random); `source_name` names where it came
    /// from in the error.
    pub fn from_text(text: &str, source_name: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        let decoded = [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD]
            .iter()
            .find_map(|e| e.decode(text).ok())
            .filter(|b| b.len() >= MIN_KEY_BYTES);
        let bytes = decoded.unwrap_or_else(|| text.as_bytes().to_vec());
        let weak = |why: String| KeyError::Weak {
            source_name: source_name.to_owned(),
            why,
        };
        if bytes.is_empty() {
            return Err(weak("it is empty".into()));
        }
        if bytes.len() < MIN_KEY_BYTES {
            return Err(weak(format!("it holds only {} bytes", bytes.len())));
        }
        let distinct = bytes.iter().collect::<HashSet<_>>().len();
        if distinct < MIN_DISTINCT_BYTES {
            return Err(weak(format!(
                "it has only {distinct} distinct byte values, so it is not random"
            )));
        }
        Ok(Self(bytes))
    }

    /// The key stored in `path`.
    pub fn read(path: &Path) -> Result<Self, KeyError> {
        let text = std::fs::read_to_string(path).map_err(|source| KeyError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_text(&text, &path.display().to_string())
    }

    /// The text form written to key files (base64, one line).
    pub fn to_text(&self) -> String {
        format!("{}\n", STANDARD.encode(&self.0))
    }

    /// Writes the key to a new file readable by its owner only (0600). Refuses to
    /// overwrite an existing file.
    pub fn write_new(&self, path: &Path) -> Result<(), KeyError> {
        let err = |source| KeyError::Write {
            path: path.to_owned(),
            source,
        };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(err)?;
        file.write_all(self.to_text().as_bytes()).map_err(err)?;
        file.sync_all().map_err(err)
    }

    /// Embedded mode: the key in `path`, or a new one generated and written there (0600)
    /// on the first start. Returns whether it was created.
    pub fn load_or_create(path: &Path) -> Result<(Self, bool), KeyError> {
        if path.exists() {
            return Ok((Self::read(path)?, false));
        }
        let key = Self::generate();
        key.write_new(path)?;
        Ok((key, true))
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_keys_are_refused_with_a_clear_message() {
        for (text, why) in [
            ("", "empty"),
            ("None", "only 4 bytes"),
            ("secret", "only 6 bytes"),
            (&"a".repeat(64), "distinct"),
            (&"ab".repeat(40), "distinct"),
        ] {
            let e = SigningKey::from_text(text, "UDACONNECT_AUTH_KEY").unwrap_err();
            let msg = e.to_string();
            assert!(msg.contains(why), "{text:?}: {msg}");
            assert!(
                msg.contains("UDACONNECT_AUTH_KEY") && msg.contains("auth-key"),
                "{msg}"
            );
        }
    }

    #[test]
    fn generated_keys_round_trip_through_their_text() {
        let k = SigningKey::generate();
        assert_eq!(k.bytes().len(), 64);
        assert_eq!(SigningKey::from_text(&k.to_text(), "f").unwrap(), k);
        assert_ne!(SigningKey::generate(), k);
        assert!(!format!("{k:?}").contains(&k.to_text().trim()[..10]));
    }

    #[test]
    fn a_long_random_passphrase_is_accepted_raw() {
        let k = SigningKey::from_text("correct horse battery staple, quietly 1984!", "f").unwrap();
        assert_eq!(k.bytes(), b"correct horse battery staple, quietly 1984!");
    }

    #[cfg(unix)]
    #[test]
    fn embedded_keys_are_created_once_with_mode_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("auth.key");
        let (a, created) = SigningKey::load_or_create(&path).unwrap();
        assert!(created);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let (b, created) = SigningKey::load_or_create(&path).unwrap();
        assert!(!created);
        assert_eq!(a, b);
        assert!(matches!(a.write_new(&path), Err(KeyError::Write { .. })));
    }
}
