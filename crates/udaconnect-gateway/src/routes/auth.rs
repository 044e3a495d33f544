//! `/api/v2/auth/…`: register, sign in (Basic) for an access and a refresh token, refresh
//! (rotating), sign out, who am I.

use std::net::SocketAddr;

use axum::{
    Json,
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, StatusCode, header},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde::{Deserialize, Serialize};
use udaconnect_auth::{AuthError, NewAccount, Principal, Role, Session};
use udaconnect_domain::{PersonId, ValidationError};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    GatewayState,
    auth::Caller,
    error::ApiError,
    extract::{Fields, FromJsonObject, JsonBody, as_integer},
};

pub(crate) fn router() -> OpenApiRouter<GatewayState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(me))
}

/// An account to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RegisterRequest)]
pub(crate) struct RegisterRequest {
    /// 1 to 64 letters, digits, `.`, `_`, `-` or `@`.
    #[schema(example = "pam", pattern = r"^[A-Za-z0-9._@-]{1,64}$")]
    username: String,
    /// At least 8 characters, at most 256 bytes.
    #[schema(example = "correct horse battery", min_length = 8)]
    password: String,
    /// `admin`, `attendee` or `device`.
    #[schema(example = "attendee", pattern = "^(admin|attendee|device)$")]
    role: String,
    /// The person an attendee or device account is linked to (required for them, refused
    /// for admins). An attendee registering leaves it out or gives their own.
    #[schema(example = 1, minimum = 1, nullable = true)]
    person_id: Option<i64>,
}

impl FromJsonObject for RegisterRequest {
    fn from_fields(f: &mut Fields) -> Result<Self, ValidationError> {
        let person_id = match f.optional("person_id") {
            None => None,
            Some(v) => Some(
                as_integer(&v)
                    .ok_or_else(|| ValidationError::new("person_id", "must be an integer"))?,
            ),
        };
        Ok(Self {
            username: f.string("username")?,
            password: f.string("password")?,
            role: f.string("role")?,
            person_id,
        })
    }
}

/// An account, as `me` and `register` show it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Account)]
pub(crate) struct AccountDto {
    #[schema(example = "pam")]
    username: String,
    #[schema(example = "attendee")]
    role: &'static str,
    #[schema(example = 1)]
    person_id: Option<i64>,
}

impl From<&Principal> for AccountDto {
    fn from(p: &Principal) -> Self {
        Self {
            username: p.username.clone(),
            role: p.role.as_str(),
            person_id: p.person_id.map(PersonId::get),
        }
    }
}

/// A signed-in session.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Session)]
pub(crate) struct SessionDto {
    /// Send as `Authorization: Bearer …`.
    access_token: String,
    #[schema(example = "Bearer")]
    token_type: &'static str,
    /// Seconds the access token is valid for.
    #[schema(example = 900)]
    expires_in: u64,
    /// Exchange at `/api/v2/auth/refresh` for a new session (once: it rotates).
    refresh_token: String,
    #[schema(example = "attendee")]
    role: &'static str,
    #[schema(example = 1)]
    person_id: Option<i64>,
    #[schema(example = "pam")]
    username: String,
}

impl From<Session> for SessionDto {
    fn from(s: Session) -> Self {
        Self {
            access_token: s.access_token,
            token_type: "Bearer",
            expires_in: s.expires_in,
            refresh_token: s.refresh_token,
            role: s.principal.role.as_str(),
            person_id: s.principal.person_id.map(PersonId::get),
            username: s.principal.username,
        }
    }
}

/// `{"refresh_token"}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RefreshRequest)]
pub(crate) struct RefreshRequest {
    refresh_token: String,
}

impl FromJsonObject for RefreshRequest {
    fn from_fields(f: &mut Fields) -> Result<Self, ValidationError> {
        Ok(Self {
            refresh_token: f.string("refresh_token")?,
        })
    }
}

/// Register an account. Organisers register any role (attendees and devices linked to an
/// existing person); an attendee may register another attendee account for their own
/// person only; devices may not register.
#[utoipa::path(
    post,
    path = "/api/v2/auth/register",
    tag = "auth",
    request_body(content = RegisterRequest,
        example = json!({"username": "pam", "password": "correct horse battery", "role": "attendee", "person_id": 1})),
    responses(
        (status = 201, description = "registered", body = AccountDto),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 409, description = "the username is taken", body = crate::error::ErrorBody),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
#[tracing::instrument(skip_all)]
async fn register(
    State(state): State<GatewayState>,
    caller: Caller,
    JsonBody(body): JsonBody<RegisterRequest>,
) -> Result<(StatusCode, Json<AccountDto>), ApiError> {
    let role: Role = body
        .role
        .parse()
        .map_err(|m: String| ValidationError::new("role", m))?;
    let person_id = body.person_id.map(PersonId::new).transpose()?;
    let account = state
        .auth
        .service
        .register(
            &caller,
            NewAccount {
                username: body.username,
                password: body.password,
                role,
                person_id,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(AccountDto::from(&account))))
}

/// `username:password` of a Basic header.
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// Sign in with `Authorization: Basic base64(username:password)`: a 15-minute access token
/// and a refresh token. Failed sign-ins are throttled per username and per client (429
/// with `Retry-After`); a 401 never says whether the username or the password was wrong.
#[utoipa::path(
    post,
    path = "/api/v2/auth/login",
    tag = "auth",
    security(("basic" = [])),
    responses(
        (status = 200, description = "signed in", body = SessionDto),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 429, response = crate::openapi::TooManyRequests),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
#[tracing::instrument(skip_all)]
async fn login(
    State(state): State<GatewayState>,
    request: Request,
) -> Result<Json<SessionDto>, ApiError> {
    let Some((username, password)) = basic(request.headers()) else {
        return Err(AuthError::Unauthenticated.into());
    };
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string());
    let session = state
        .auth
        .service
        .login(&username, &password, &client)
        .await?;
    Ok(Json(session.into()))
}

/// Exchange a refresh token for a new session. Each refresh token works once; presenting
/// one again (a stolen copy) revokes every token of that sign-in.
#[utoipa::path(
    post,
    path = "/api/v2/auth/refresh",
    tag = "auth",
    security(()),
    request_body(content = RefreshRequest),
    responses(
        (status = 200, description = "a new session", body = SessionDto),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
#[tracing::instrument(skip_all)]
async fn refresh(
    State(state): State<GatewayState>,
    JsonBody(body): JsonBody<RefreshRequest>,
) -> Result<Json<SessionDto>, ApiError> {
    let session = state.auth.service.refresh(&body.refresh_token).await?;
    Ok(Json(session.into()))
}

/// Sign out: revokes the refresh token and every token rotated from the same sign-in
/// (access tokens expire on their own within 15 minutes).
#[utoipa::path(
    post,
    path = "/api/v2/auth/logout",
    tag = "auth",
    security(()),
    request_body(content = RefreshRequest),
    responses(
        (status = 204, description = "signed out"),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
#[tracing::instrument(skip_all)]
async fn logout(
    State(state): State<GatewayState>,
    JsonBody(body): JsonBody<RefreshRequest>,
) -> Result<StatusCode, ApiError> {
    state.auth.service.logout(&body.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in account.
#[utoipa::path(
    get,
    path = "/api/v2/auth/me",
    tag = "auth",
    responses((status = 200, description = "the caller", body = AccountDto))
)]
async fn me(caller: Caller) -> Json<AccountDto> {
    Json(AccountDto::from(&caller.0))
}
