//! UdaConnect's authentication and authorisation (issue #6).
//!
//! * **Accounts** ([`AuthService`]): `admin` (an organiser), `attendee` (linked to one
//!   person) and `device` (submits fixes for one person), stored through
//!   [`AccountStore`](udaconnect_store::AccountStore) with Argon2id password hashes
//!   ([`password`]).
//! * **Tokens** ([`Tokens`]): 15-minute HS256 access tokens signed with a [`SigningKey`]
//!   that must be configured in distributed mode and is generated once (0600) in embedded
//!   mode; rotating refresh tokens, stored only as hashes, whose reuse revokes the whole
//!   family.
//! * **Throttling** ([`LoginThrottle`]): failed sign-ins per username and per client.
//! * **Rules** ([`Principal`]): one place that says who may read, ingest for or erase which
//!   person; the REST middleware and the gRPC layer both ask it.
//! * **Propagation** ([`propagate`]): the caller's token, forwarded on calls to remote
//!   services.

mod error;
mod key;
pub mod password;
mod principal;
pub mod propagate;
mod service;
mod throttle;
mod token;

pub use error::AuthError;
pub use key::{KeyError, MIN_KEY_BYTES, SigningKey};
pub use principal::{Denied, Principal, Role};
pub use service::{AuthService, NewAccount, Session};
pub use throttle::{LoginThrottle, ThrottlePolicy};
pub use token::{ACCESS_TOKEN_TTL, REFRESH_TOKEN_TTL, Tokens, bearer};
