//! Accounts, sign-in, token refresh with reuse detection, sign-out.

use std::sync::Arc;

use chrono::Utc;
use udaconnect_domain::{PersonId, ValidationError};
use udaconnect_store::{Account, AccountStore, RefreshToken, RefreshUse};

use crate::{
    AuthError, LoginThrottle, Principal, Role, Tokens, password,
    token::{REFRESH_TOKEN_TTL, new_refresh_token, random_id, refresh_hash},
};

/// Longest username.
const MAX_USERNAME_CHARS: usize = 64;

/// What a successful sign-in or refresh returns.
#[derive(Debug, Clone)]
pub struct Session {
    pub access_token: String,
    /// Seconds the access token is valid for.
    pub expires_in: u64,
    pub refresh_token: String,
    pub principal: Principal,
}

/// An account to register.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub password: String,
    pub role: Role,
    pub person_id: Option<PersonId>,
}

/// The account service; cheap to clone.
#[derive(Debug, Clone)]
pub struct AuthService {
    store: Arc<dyn AccountStore>,
    tokens: Tokens,
    throttle: LoginThrottle,
}

fn validate_username(username: &str) -> Result<(), ValidationError> {
    let ok = !username.is_empty()
        && username.chars().count() <= MAX_USERNAME_CHARS
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    match ok {
        true => Ok(()),
        false => Err(ValidationError::new(
            "username",
            format!("must be 1 to {MAX_USERNAME_CHARS} letters, digits, '.', '_', '-' or '@'"),
        )),
    }
}

impl AuthService {
    pub fn new(store: Arc<dyn AccountStore>, tokens: Tokens, throttle: LoginThrottle) -> Self {
        Self {
            store,
            tokens,
            throttle,
        }
    }

    pub fn tokens(&self) -> &Tokens {
        &self.tokens
    }

    /// Registers an account on behalf of `caller`: organisers may register any role
    /// (attendees and devices linked to an existing person, admins to none); an attendee
    /// may register only another attendee account for their own person; devices nothing.
    pub async fn register(
        &self,
        caller: &Principal,
        mut account: NewAccount,
    ) -> Result<Principal, AuthError> {
        match caller.role {
            Role::Admin => {}
            Role::Attendee => {
                if account.role != Role::Attendee {
                    return Err(AuthError::Forbidden(format!(
                        "an attendee account may not register {} accounts",
                        account.role
                    )));
                }
                let own = caller.person_id;
                if account.person_id.is_some_and(|p| Some(p) != own) {
                    return Err(AuthError::Forbidden(
                        "an attendee account may register accounts for its own person only".into(),
                    ));
                }
                account.person_id = own;
            }
            Role::Device => {
                return Err(AuthError::Forbidden(
                    "a device account may not register accounts".into(),
                ));
            }
        }
        self.create(account).await
    }

    /// Creates an account with no caller check (the `admin create` command, first start).
    pub async fn create(&self, account: NewAccount) -> Result<Principal, AuthError> {
        validate_username(&account.username)?;
        password::validate(&account.password)?;
        match (account.role, account.person_id) {
            (Role::Admin, Some(_)) => {
                return Err(ValidationError::new(
                    "person_id",
                    "an admin account is not linked to a person",
                )
                .into());
            }
            (Role::Attendee | Role::Device, None) => {
                return Err(ValidationError::new(
                    "person_id",
                    format!("a {} account must name its person", account.role),
                )
                .into());
            }
            _ => {}
        }
        let hash = password::hash(&account.password).await?;
        self.store
            .create_account(&Account {
                username: account.username.clone(),
                password_hash: hash,
                role: account.role.as_str().into(),
                person_id: account.person_id,
                created_at: Utc::now(),
            })
            .await?;
        tracing::info!(username = %account.username, role = %account.role, "account created");
        Ok(Principal {
            username: account.username,
            role: account.role,
            person_id: account.person_id,
        })
    }

    /// Creates an `admin` account with `password`, or a generated one (returned).
    pub async fn create_admin(
        &self,
        username: &str,
        password: Option<String>,
    ) -> Result<Option<String>, AuthError> {
        let (password, generated) = match password {
            Some(p) => (p, false),
            None => (password::generate(), true),
        };
        self.create(NewAccount {
            username: username.into(),
            password: password.clone(),
            role: Role::Admin,
            person_id: None,
        })
        .await?;
        Ok(generated.then_some(password))
    }

    /// When no account exists yet, creates `admin` with a generated password and returns it
    /// (to be shown once).
    pub async fn ensure_first_admin(&self) -> Result<Option<String>, AuthError> {
        if self.store.count_accounts().await? > 0 {
            return Ok(None);
        }
        match self.create_admin("admin", None).await {
            Err(AuthError::UsernameTaken(_)) => Ok(None),
            other => other,
        }
    }

    /// Signs in. `client` identifies the caller's address for throttling.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client: &str,
    ) -> Result<Session, AuthError> {
        if let Err(wait) = self.throttle.check(username, client) {
            tracing::warn!(%client, "sign-in throttled");
            return Err(AuthError::Throttled {
                retry_after_s: wait.as_secs().max(1),
            });
        }
        let account = match password.len() <= password::MAX_PASSWORD_BYTES {
            true => self.store.get_account(username).await?,
            false => None,
        };
        let phc = account.as_ref().map(|a| a.password_hash.clone());
        let ok = password::verify(password, phc).await;
        let principal = match (ok, account) {
            (true, Some(a)) => principal_of(&a)?,
            _ => {
                self.throttle.record_failure(username, client);
                tracing::info!(%client, "sign-in failed");
                return Err(AuthError::Unauthenticated);
            }
        };
        self.throttle.record_success(username, client);
        self.session(principal, random_id()).await
    }

    /// Exchanges a refresh token for a new session (the old token is used up). Presenting a
    /// used or revoked token again revokes its whole family: a thief and the owner both lose
    /// the session, and the owner signs in again.
    pub async fn refresh(&self, refresh_token: &str) -> Result<Session, AuthError> {
        let found = self
            .store
            .use_refresh_token(&refresh_hash(refresh_token), Utc::now())
            .await?;
        let Some((token, state)) = found else {
            return Err(AuthError::Unauthenticated);
        };
        match state {
            RefreshUse::Fresh => {}
            RefreshUse::AlreadyUsed | RefreshUse::Revoked => {
                let revoked = self.store.revoke_refresh_family(&token.family_id).await?;
                tracing::warn!(
                    username = %token.username,
                    revoked,
                    "refresh token reused: every token of its sign-in is revoked"
                );
                return Err(AuthError::Unauthenticated);
            }
            RefreshUse::Expired => return Err(AuthError::Unauthenticated),
        }
        let Some(account) = self.store.get_account(&token.username).await? else {
            return Err(AuthError::Unauthenticated);
        };
        self.session(principal_of(&account)?, token.family_id).await
    }

    /// Revokes the refresh token's sign-in (every token of its family). Unknown tokens are
    /// ignored.
    pub async fn logout(&self, refresh_token: &str) -> Result<(), AuthError> {
        let found = self
            .store
            .use_refresh_token(&refresh_hash(refresh_token), Utc::now())
            .await?;
        if let Some((token, _)) = found {
            self.store.revoke_refresh_family(&token.family_id).await?;
        }
        Ok(())
    }

    async fn session(&self, principal: Principal, family_id: String) -> Result<Session, AuthError> {
        let access_token = self.tokens.issue(&principal)?;
        let (refresh_token, token_hash) = new_refresh_token();
        let now = Utc::now();
        let ttl = chrono::Duration::from_std(REFRESH_TOKEN_TTL)
            .map_err(|e| AuthError::Internal(e.to_string()))?;
        self.store
            .insert_refresh_token(&RefreshToken {
                token_hash,
                family_id,
                username: principal.username.clone(),
                issued_at: now,
                expires_at: now + ttl,
            })
            .await?;
        Ok(Session {
            access_token,
            expires_in: self.tokens.access_ttl().as_secs(),
            refresh_token,
            principal,
        })
    }
}

fn principal_of(a: &Account) -> Result<Principal, AuthError> {
    let role = a
        .role
        .parse()
        .map_err(|e| AuthError::Internal(format!("account {:?}: role {e}", a.username)))?;
    Ok(Principal {
        username: a.username.clone(),
        role,
        person_id: a.person_id,
    })
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
