//! HS256 access tokens and opaque refresh tokens.

use std::time::Duration;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use udaconnect_domain::PersonId;

use crate::{AuthError, Principal, Role, SigningKey};

/// Lifetime of an access token.
pub const ACCESS_TOKEN_TTL: Duration = Duration::from_secs(15 * 60);
/// Lifetime of a refresh token (each exchange issues a new one).
pub const REFRESH_TOKEN_TTL: Duration = Duration::from_secs(7 * 24 * 3600);
/// Lifetime of the tokens a process mints for its own calls to other services.
const SERVICE_TOKEN_TTL: Duration = Duration::from_secs(5 * 60);
/// `iss` and `aud` of every token.
const ISSUER: &str = "udaconnect";
/// Clock skew tolerated between processes.
const LEEWAY_S: u64 = 5;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pid: Option<i64>,
    iat: i64,
    exp: i64,
    iss: String,
    aud: String,
}

/// Signs and verifies access tokens with one key; cheap to clone.
#[derive(Clone)]
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    access_ttl: Duration,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("access_ttl", &self.access_ttl)
            .finish_non_exhaustive()
    }
}

impl Tokens {
    pub fn new(key: &SigningKey) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        validation.leeway = LEEWAY_S;
        Self {
            encoding: EncodingKey::from_secret(key.bytes()),
            decoding: DecodingKey::from_secret(key.bytes()),
            validation,
            access_ttl: ACCESS_TOKEN_TTL,
        }
    }

    /// The same, with another access-token lifetime (tests of expiry).
    pub fn with_access_ttl(mut self, ttl: Duration) -> Self {
        self.access_ttl = ttl;
        self
    }

    pub fn access_ttl(&self) -> Duration {
        self.access_ttl
    }

    /// A signed access token for `who`.
    pub fn issue(&self, who: &Principal) -> Result<String, AuthError> {
        self.sign(who, self.access_ttl)
    }

    /// A short-lived organiser token naming this process (`service:NAME`), for the calls a
    /// process makes on its own behalf (e.g. the gateway looking up the names in a contact
    /// feed).
    pub fn service_token(&self, name: &str) -> Result<String, AuthError> {
        let who = Principal {
            username: format!("service:{name}"),
            role: Role::Admin,
            person_id: None,
        };
        self.sign(&who, SERVICE_TOKEN_TTL)
    }

    fn sign(&self, who: &Principal, ttl: Duration) -> Result<String, AuthError> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: who.username.clone(),
            role: who.role.as_str().into(),
            pid: who.person_id.map(PersonId::get),
            iat: now,
            exp: now + ttl.as_secs() as i64,
            iss: ISSUER.into(),
            aud: ISSUER.into(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| AuthError::Internal(format!("signing a token: {e}")))
    }

    /// The caller a token was issued to, if it is genuine, unexpired and well-formed.
    pub fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| AuthError::Unauthenticated)?;
        let c = data.claims;
        let role: Role = c.role.parse().map_err(|_| AuthError::Unauthenticated)?;
        let person_id = c
            .pid
            .map(PersonId::new)
            .transpose()
            .map_err(|_| AuthError::Unauthenticated)?;
        if role != Role::Admin && person_id.is_none() {
            return Err(AuthError::Unauthenticated);
        }
        Ok(Principal {
            username: c.sub,
            role,
            person_id,
        })
    }
}

/// The token of an `Authorization: Bearer …` header value (scheme case-insensitive).
pub fn bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// A new opaque refresh token and the hash it is stored under.
pub(crate) fn new_refresh_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = refresh_hash(&token);
    (token, hash)
}

/// Hex SHA-256 of a refresh token (tokens are 256 random bits: no salt or stretching needed).
pub(crate) fn refresh_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A random id (refresh-token families).
pub(crate) fn random_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attendee() -> Principal {
        Principal {
            username: "pam".into(),
            role: Role::Attendee,
            person_id: Some(PersonId::new(5).unwrap()),
        }
    }

    #[test]
    fn tokens_round_trip_and_carry_the_role() {
        let t = Tokens::new(&SigningKey::generate());
        let token = t.issue(&attendee()).unwrap();
        assert_eq!(t.verify(&token).unwrap(), attendee());
        let service = t.verify(&t.service_token("gateway").unwrap()).unwrap();
        assert_eq!(service.username, "service:gateway");
        assert!(service.is_admin());
    }

    #[test]
    fn forged_tampered_expired_and_unsigned_tokens_are_refused() {
        let t = Tokens::new(&SigningKey::generate());
        let other = Tokens::new(&SigningKey::generate());
        let token = t.issue(&attendee()).unwrap();
        assert!(matches!(
            other.verify(&token),
            Err(AuthError::Unauthenticated)
        ));
        // Change the payload (role attendee -> admin) and keep the signature.
        let parts: Vec<&str> = token.split('.').collect();
        let payload = URL_SAFE_NO_PAD.decode(parts[1]).unwrap();
        let forged = String::from_utf8(payload)
            .unwrap()
            .replace("attendee", "admin");
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode(forged),
            parts[2]
        );
        assert!(t.verify(&forged).is_err());
        // alg=none
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
            parts[1]
        );
        assert!(t.verify(&none).is_err());
        let expired = Tokens::new(&SigningKey::generate());
        let old = expired
            .sign(&attendee(), Duration::ZERO)
            .map(|_| ())
            .and_then(|_| {
                let now = Utc::now().timestamp();
                let claims = Claims {
                    sub: "pam".into(),
                    role: "attendee".into(),
                    pid: Some(5),
                    iat: now - 3600,
                    exp: now - 60,
                    iss: ISSUER.into(),
                    aud: ISSUER.into(),
                };
                jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &expired.encoding)
                    .map_err(|e| AuthError::Internal(e.to_string()))
                    .map(|tok| assert!(expired.verify(&tok).is_err()))
            });
        old.unwrap();
        assert!(t.verify("garbage").is_err());
    }

    #[test]
    fn bearer_headers() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer  abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("abc"), None);
    }

    #[test]
    fn refresh_tokens_are_random_and_stored_hashed() {
        let (a, ha) = new_refresh_token();
        let (b, _) = new_refresh_token();
        assert_ne!(a, b);
        assert_eq!(ha.len(), 64);
        assert_eq!(refresh_hash(&a), ha);
        assert!(!ha.contains(&a));
    }
}
