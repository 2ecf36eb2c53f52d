//! Staff administration, for system administrators of the jurisdiction: who has which
//! role and scope (by name), who is locked out; add a user (with a temporary password,
//! shown once), unlock an account, reset a password (a temporary one, shown once; it
//! ends the user's sessions) and disable or enable an account. Resetting and disabling
//! ask for confirmation first.

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
    notice: Option<String>,
    errors: Vec<String>,
    roles: Vec<(String, String)>,
    areas: Vec<(String, String)>,
    departments: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "console/confirm.html")]
struct ConfirmPage {
    frame: Frame,
    heading: String,
    consequence: String,
    action: String,
    button: String,
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
    page_with(state, u, new_password, None, Vec::new(), StatusCode::OK).await
}

async fn page_with(
    state: &AppState,
    u: &ConsoleUser,
    new_password: Option<(String, String)>,
    notice: Option<String>,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    let cat = state
        .app()
        .catalog_of(&u.user)
        .await?
        .in_language(u.tr.lang);
    let mut rows = Vec::new();
    let mut users = state.store.users(Some(&u.user.jurisdiction)).await?;
    users.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    for s in users {
        let creds = state.store.credentials(s.id).await?;
        rows.push(UserRow {
            id: s.id.to_string(),
            username: s.username.clone(),
            name: s.display_name.clone(),
            role: u.tr.t(&format!("role-{}", s.role)),
            scope: scope_name(&s.scope, &cat, &u.tr),
            locked: creds
                .as_ref()
                .and_then(|c| c.locked_until)
                .is_some_and(|t| t > now),
            disabled: s.disabled,
            has_password: creds.is_some_and(|c| c.password_hash.is_some()),
        });
    }
    let mut roles: Vec<(String, String)> = Role::ALL
        .iter()
        .map(|r| (r.to_string(), u.tr.t(&format!("role-{r}"))))
        .collect();
    roles.sort_by(|a, b| a.1.cmp(&b.1));
    // Wards and sub-counties (the levels a scope names), by name.
    let mut areas: Vec<(String, String)> = cat
        .areas
        .iter()
        .filter(|a| a.depth > 0)
        .map(|a| (a.code.to_string(), a.name.clone()))
        .collect();
    areas.sort_by(|a, b| a.1.cmp(&b.1));
    let departments = cat.departments_by_name();
    let page = UsersPage {
        frame: u.frame(u.tr.t("users")),
        rows,
        new_password,
        notice,
        errors,
        roles,
        areas,
        departments,
    };
    let mut res = render(&page);
    *res.status_mut() = status;
    Ok(res)
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
    /// `yes` once the administrator has confirmed (resetting, disabling).
    #[serde(default)]
    confirm: String,
}

/// Ask before doing something that locks a person out: what will happen, and a button.
fn confirm(u: &ConsoleUser, t: &StaffUser, what: &str, action: String) -> Response {
    let who = format!("{} ({})", t.display_name, t.username);
    render(&ConfirmPage {
        frame: u.frame(u.tr.t(&format!("confirm-{what}-title"))),
        heading: u
            .tr
            .args(&format!("confirm-{what}-title"), &[("user", who.clone())]),
        consequence: u.tr.args(&format!("confirm-{what}-text"), &[("user", who)]),
        action,
        button: u.tr.t(&format!("confirm-{what}-button")),
    })
}

/// Why an administration form is refused, if it is: no session token, or not an
/// administrator. Checked first, before anything is read.
fn refused(u: &ConsoleUser, csrf: &str) -> Option<Response> {
    if !u.csrf_ok(Some(csrf)) {
        Some(csrf_refused(u))
    } else if u.role() != Role::SystemAdministrator {
        Some(not_allowed(u))
    } else {
        None
    }
}

/// A scope as people say it: the area's or department's name.
fn scope_name(
    scope: &Scope,
    cat: &baraza_app::JurisdictionCatalog,
    tr: &crate::html::Tr,
) -> String {
    match scope {
        Scope::Jurisdiction => tr.t("scope-jurisdiction"),
        Scope::Area(a) => cat.area_name(Some(a)),
        Scope::Department(d) => cat.department_name(Some(d)),
    }
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
    if let Some(refused) = refused(&u, &f.csrf) {
        return Ok(refused);
    }
    let Some(t) = target(&state, &u, &id).await? else {
        return Ok(not_allowed(&u));
    };
    if f.confirm != "yes" {
        return Ok(confirm(
            &u,
            &t,
            "reset",
            format!("/staff/users/{}/password", t.id),
        ));
    }
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
    if let Some(refused) = refused(&u, &f.csrf) {
        return Ok(refused);
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
    // Refused before asking: no point confirming what will not be done.
    if disabled && f.confirm != "yes" {
        return Ok(confirm(
            &u,
            &t,
            "disable",
            format!("/staff/users/{}/disable", t.id),
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

/// Unlock an account locked by failed sign-ins (its failures forgotten).
pub async fn unlock(
    State(state): State<AppState>,
    u: ConsoleUser,
    Path(id): Path<String>,
    FormBody(f): FormBody<CsrfForm>,
) -> Result<Response, AppError> {
    if let Some(refused) = refused(&u, &f.csrf) {
        return Ok(refused);
    }
    let Some(t) = target(&state, &u, &id).await? else {
        return Ok(not_allowed(&u));
    };
    state.store.clear_failed_logins(t.id).await?;
    tracing::info!(admin = %u.user.id, user = %t.id, "account unlocked by an administrator");
    let done = u.tr.args("user-unlocked", &[("user", t.display_name)]);
    page_with(&state, &u, None, Some(done), Vec::new(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    email: String,
}

/// Add a user to the administrator's jurisdiction: checked by the same rules as `baraza
/// user add`; the new user gets a temporary password, shown once.
pub async fn add(
    State(state): State<AppState>,
    u: ConsoleUser,
    FormBody(f): FormBody<AddForm>,
) -> Result<Response, AppError> {
    if let Some(refused) = refused(&u, &f.csrf) {
        return Ok(refused);
    }
    let input = baraza_app::accounts::NewUser {
        username: f.username,
        name: f.name,
        role: f.role,
        area: f.area,
        department: f.department,
        email: f.email,
        phone: String::new(),
    };
    let user = match baraza_app::accounts::new_user(
        &*state.store,
        &u.user.jurisdiction,
        input,
        state.clock.now(),
    )
    .await
    {
        Ok(user) => user,
        Err(baraza_app::Error::Invalid(errs)) => {
            let lines = errs
                .iter()
                .map(|e| crate::html::field_error(e, &u.tr))
                .collect();
            return page_with(
                &state,
                &u,
                None,
                None,
                lines,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    };
    let temporary = password::temporary();
    let pw = temporary.clone();
    let phc = tokio::task::spawn_blocking(move || password::hash(&pw))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::Internal)?;
    state.store.set_password(user.id, &phc).await?;
    tracing::info!(admin = %u.user.id, user = %user.id, role = %user.role, "user added by an administrator");
    let done = u.tr.args(
        "user-added",
        &[
            ("user", user.display_name.clone()),
            ("role", u.tr.t(&format!("role-{}", user.role))),
        ],
    );
    page_with(
        &state,
        &u,
        Some((user.username, temporary)),
        Some(done),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    department: String,
}

/// Give a user another role and scope (the rules of a new user; not one's own, and the
/// last administrator stays one). Their sessions end, so that the new role applies at
/// their next sign-in and nothing of the old one lingers.
pub async fn change_role(
    State(state): State<AppState>,
    u: ConsoleUser,
    FormBody(f): FormBody<RoleForm>,
) -> Result<Response, AppError> {
    if let Some(refused) = refused(&u, &f.csrf) {
        return Ok(refused);
    }
    let Some(t) = target(&state, &u, &f.user).await? else {
        return page_with(
            &state,
            &u,
            None,
            None,
            vec![u.tr.t("user-unknown")],
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let changed = baraza_app::accounts::change_role(
        &*state.store,
        &u.user,
        &t,
        &f.role,
        &f.area,
        &f.department,
    )
    .await;
    match changed {
        Ok(now) => {
            state.store.end_sessions_of(now.id).await?;
            tracing::info!(admin = %u.user.id, user = %now.id, role = %now.role, "role changed by an administrator");
            let cat = state
                .app()
                .catalog_of(&u.user)
                .await?
                .in_language(u.tr.lang);
            let scope = scope_name(&now.scope, &cat, &u.tr);
            let done = u.tr.args(
                "user-role-changed",
                &[
                    ("user", now.display_name.clone()),
                    ("role", u.tr.t(&format!("role-{}", now.role))),
                    ("scope", scope),
                ],
            );
            page_with(&state, &u, None, Some(done), Vec::new(), StatusCode::OK).await
        }
        Err(baraza_app::Error::Invalid(errs)) => {
            let lines = errs
                .iter()
                .map(|e| crate::html::field_error(e, &u.tr))
                .collect();
            page_with(
                &state,
                &u,
                None,
                None,
                lines,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(baraza_app::Error::Forbidden { detail, .. }) => {
            page_with(&state, &u, None, None, vec![detail], StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}
