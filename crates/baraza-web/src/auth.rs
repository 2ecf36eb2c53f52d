//! Bearer-token authentication. A token acts as its user: same role, same scope. Only the
//! SHA-256 of a secret is stored and looked up; secrets never reach the logs.
//!
//! A verified token is remembered for [`TOKEN_CACHE_TTL`], sparing two reads per request
//! under load; revoking a token or disabling a user takes effect within that time.

use crate::AppState;
use crate::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use baraza_core::{Actor, Channel, Role, StaffUser, TokenSecret};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const TOKEN_CACHE_TTL: Duration = Duration::from_secs(2);
const TOKEN_CACHE_MAX: usize = 10_000;

/// Recently verified tokens, by the SHA-256 of their secret.
#[derive(Default)]
pub struct TokenCache {
    entries: Mutex<HashMap<String, (Instant, StaffUser)>>,
}

impl TokenCache {
    fn get(&self, hash: &str) -> Option<StaffUser> {
        let map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        map.get(hash)
            .filter(|(at, _)| at.elapsed() < TOKEN_CACHE_TTL)
            .map(|(_, u)| u.clone())
    }

    fn put(&self, hash: String, user: StaffUser) {
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= TOKEN_CACHE_MAX {
            map.retain(|_, (at, _)| at.elapsed() < TOKEN_CACHE_TTL);
        }
        map.insert(hash, (Instant::now(), user));
    }
}

/// The authenticated staff member behind a request.
#[derive(Debug, Clone)]
pub struct Staff {
    pub user: StaffUser,
}

impl Staff {
    pub fn actor(&self) -> Actor {
        Actor::staff(self.user.id, self.user.role, Channel::Api)
    }
    /// The same, acting through another surface (the console is `web`).
    pub fn actor_via(&self, via: Channel) -> Actor {
        Actor::staff(self.user.id, self.user.role, via)
    }
    pub fn role(&self) -> Role {
        self.user.role
    }
}

fn unauthorized(code: &'static str, detail: &str) -> AppError {
    AppError::Unauthorized {
        code,
        detail: detail.into(),
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let value = parts.headers.get(header::AUTHORIZATION).ok_or_else(|| {
            unauthorized(
                "missing_token",
                "send an API token: Authorization: Bearer <token>",
            )
        })?;
        let value = value
            .to_str()
            .map_err(|_| unauthorized("invalid_token", "the Authorization header is not text"))?;
        let secret = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                unauthorized(
                    "invalid_token",
                    "use the Bearer scheme: Authorization: Bearer <token>",
                )
            })?;
        let hash = TokenSecret::from_presented(secret).sha256_hex();
        if let Some(user) = state.tokens.get(&hash) {
            return Ok(Staff { user });
        }
        let token = state
            .store
            .token_by_secret_sha256(&hash)
            .await?
            .ok_or_else(|| unauthorized("invalid_token", "this API token is not known"))?;
        if token.revoked_at.is_some() {
            return Err(unauthorized(
                "token_revoked",
                "this API token has been revoked",
            ));
        }
        let user = state.store.user(token.user).await?.ok_or_else(|| {
            unauthorized("invalid_token", "this API token's user no longer exists")
        })?;
        if user.disabled {
            return Err(unauthorized(
                "user_disabled",
                "this API token's user is disabled",
            ));
        }
        state.tokens.put(hash, user.clone());
        Ok(Staff { user })
    }
}
