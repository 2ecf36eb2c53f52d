//! Staff administration, for system administrators of the jurisdiction: who has which
//! role and scope, who is locked out; reset a password (a temporary one, shown once; it
//! ends the user's sessions) and disable or enable an account.

use super::{ConsoleUser, Frame, csrf_refused, message, not_allowed, password, render};
use crate::AppState;
use crate::error::{AppError, FormBody};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use baraza_core::{Role, Scope, StaffUser, UserId};
use serde::Deserialize;

pub struct UserRow {
    pub id: String,
    pub username: String,
    pub name: String,
    pub role: String,
    pub scope: String,
    pub locked: bool,
    pub disabled: bool,
    pub has_password: bool,
}

#[derive(Template)]
#[template(path = "console/users.html")]
struct UsersPage {
    frame: Frame,
    rows: Vec<UserRow>,
    new_password: Option<(String, String)>,
}

impl UsersPage {
    fn new_password_line(&self) -> String {
        let user = self
            .new_password
            .as_ref()
            .map(|(u, _)| u.clone())
            .unwrap_or_default();
        self.frame.tr.args("new-password-is", &[("user", user)])
    }
}

async fn page(
    state: &AppState,
    u: &ConsoleUser,
    new_password: Option<(String, String)>,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    let mut rows = Vec::new();
    for s in state.store.users(Some(&u.user.jurisdiction)).await? {
        let creds = state.store.credentials(s.id).await?;
        rows.push(UserRow {
            id: s.id.to_string(),
            username: s.username.clone(),
            name: s.display_name.clone(),
            role: u.tr.t(&format!("role-{}", s.role)),
            scope: match &s.scope {
                Scope::Jurisdiction => String::new(),
                Scope::Area(a) => a.0.clone(),
                Scope::Department(d) => d.clone(),
            },
            locked: creds
                .as_ref()
                .and_then(|c| c.locked_until)
                .is_some_and(|t| t > now),
            disabled: s.disabled,
            has_password: creds.is_some_and(|c| c.password_hash.is_some()),
        });
    }
    let page = UsersPage {
        frame: u.frame(u.tr.t("users")),
        rows,
        new_password,
    };
    Ok(render(&page))
}

pub async fn list(State(state): State<AppState>, u: ConsoleUser) -> Result<Response, AppError> {
    if u.role() != Role::SystemAdministrator {
        return Ok(not_allowed(&u));
    }
    page(&state, &u, None).await
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// The target user, if the administrator may manage them (same jurisdiction).
async fn target(
    state: &AppState,
    u: &ConsoleUser,
    id: &str,
) -> Result<Option<StaffUser>, AppError> {
    let Ok(id) = id.parse::<uuid::Uuid>() else {
        return Ok(None);
    };
    Ok(state
        .store
        .user(UserId(id))
        .await?
        .filter(|t| t.jurisdiction == u.user.jurisdiction))
}

pub async fn reset_password(
    State(state): State<AppState>,
    u: ConsoleUser,
    Path(id): Path<String>,
    FormBody(f): FormBody<CsrfForm>,
) -> Result<Response, AppError> {
    if !u.csrf_ok(Some(&f.csrf)) {
        return Ok(csrf_refused(&u));
    }
    if u.role() != Role::SystemAdministrator {
        return Ok(not_allowed(&u));
    }
    let Some(t) = target(&state, &u, &id).await? else {
        return Ok(not_allowed(&u));
    };
    let temporary = password::temporary();
    let pw = temporary.clone();
    let phc = tokio::task::spawn_blocking(move || password::hash(&pw))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::Internal)?;
    state.store.set_password(t.id, &phc).await?;
    tracing::info!(admin = %u.user.id, user = %t.id, "password reset by an administrator");
    page(&state, &u, Some((t.username, temporary))).await
}

async fn set_disabled(
    state: AppState,
    u: ConsoleUser,
    id: String,
    f: CsrfForm,
    disabled: bool,
) -> Result<Response, AppError> {
    if !u.csrf_ok(Some(&f.csrf)) {
        return Ok(csrf_refused(&u));
    }
    if u.role() != Role::SystemAdministrator {
        return Ok(not_allowed(&u));
    }
    let Some(t) = target(&state, &u, &id).await? else {
        return Ok(not_allowed(&u));
    };
    if disabled
        && let Err(baraza_app::Error::Forbidden { detail, .. }) =
            baraza_app::accounts::may_disable(&*state.store, Some(&u.user), &t).await
    {
        return Ok(message(
            StatusCode::CONFLICT,
            u.frame(u.tr.t("error-title")),
            u.tr.t("error-title"),
            vec![detail],
            "/staff/users",
        ));
    }
    state.store.set_user_disabled(t.id, disabled).await?;
    if disabled {
        state.store.end_sessions_of(t.id).await?;
    }
    Ok(Redirect::to("/staff/users").into_response())
}

pub async fn disable(
    State(state): State<AppState>,
    u: ConsoleUser,
    Path(id): Path<String>,
    FormBody(f): FormBody<CsrfForm>,
) -> Result<Response, AppError> {
    set_disabled(state, u, id, f, true).await
}

pub async fn enable(
    State(state): State<AppState>,
    u: ConsoleUser,
    Path(id): Path<String>,
    FormBody(f): FormBody<CsrfForm>,
) -> Result<Response, AppError> {
    set_disabled(state, u, id, f, false).await
}
