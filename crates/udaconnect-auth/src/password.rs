//! Argon2id password hashes (PHC strings) and generated passwords.

use std::sync::OnceLock;

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use rand::{Rng, distr::Alphanumeric};
use udaconnect_domain::ValidationError;

use crate::AuthError;

/// Shortest password accepted (NIST SP 800-63B).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password accepted (bounds the hashing work an attacker can ask for).
pub const MAX_PASSWORD_BYTES: usize = 256;
/// Characters of a generated password (alphanumeric: ~143 bits).
const GENERATED_CHARS: usize = 24;

/// Argon2id, version 19, m = 19 MiB, t = 2, p = 1 (OWASP's baseline).
fn argon2() -> Argon2<'static> {
    Argon2::default()
}

/// Checks a new password against the policy.
pub fn validate(password: &str) -> Result<(), ValidationError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ValidationError::new(
            "password",
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(ValidationError::new(
            "password",
            format!("must be at most {MAX_PASSWORD_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// A random password for generated accounts.
pub fn generate() -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(GENERATED_CHARS)
        .map(char::from)
        .collect()
}

/// The Argon2id PHC string of `password`, with a fresh salt. CPU-heavy: runs on the
/// blocking pool.
pub async fn hash(password: &str) -> Result<String, AuthError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| AuthError::Internal(format!("hashing task: {e}")))?
}

pub(crate) fn hash_blocking(password: &str) -> Result<String, AuthError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Internal(format!("hashing a password: {e}")))
}

/// Whether `password` matches the PHC string `phc`. With `None` (no such account) a
/// dummy hash is checked instead, so an unknown username costs the same time as a wrong
/// password. CPU-heavy: runs on the blocking pool.
pub async fn verify(password: &str, phc: Option<String>) -> bool {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let known = phc.is_some();
        let phc = phc.unwrap_or_else(|| dummy().to_owned());
        let ok = PasswordHash::new(&phc)
            .map(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
            .unwrap_or(false);
        known && ok
    })
    .await
    .unwrap_or(false)
}

fn dummy() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking(&generate()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_salted_and_verify() {
        let a = hash("correct horse").await.unwrap();
        let b = hash("correct horse").await.unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "fresh salt each time");
        assert!(verify("correct horse", Some(a.clone())).await);
        assert!(!verify("correct horsf", Some(a)).await);
        assert!(!verify("anything", None).await);
        assert!(!verify("x", Some("not a phc string".into())).await);
    }

    #[test]
    fn policy_and_generated_passwords() {
        assert!(validate("short").is_err());
        assert!(validate(&"x".repeat(257)).is_err());
        assert!(validate("long enough").is_ok());
        let p = generate();
        assert_eq!(p.len(), 24);
        assert!(validate(&p).is_ok());
        assert_ne!(generate(), p);
    }
}
