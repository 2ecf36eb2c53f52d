//! Data-protection rights in the console, for system administrators: everything held
//! about a contact (a page, or JSON to hand to the citizen), rectification, and erasure
//! approved by a second person who signs with their own password. The rules are the
//! application layer's (`baraza_app::rights`); this module adds forms.

use super::{ConsoleUser, Frame, csrf_refused, not_allowed, password, render};
use crate::AppState;
use crate::error::{AppError, FormBody};
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use baraza_app::rights;
use baraza_core::Role;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "console/privacy.html")]
struct PrivacyPage {
    frame: Frame,
    contact: String,
    errors: Vec<String>,
    notices: Vec<String>,
}

fn page(
    u: &ConsoleUser,
    contact: String,
    errors: Vec<String>,
    notices: Vec<String>,
    status: StatusCode,
) -> Response {
    let mut res = render(&PrivacyPage {
        frame: u.frame(u.tr.t("privacy-title")),
        contact,
        errors,
        notices,
    });
    *res.status_mut() = status;
    res
}

/// What went wrong, in words, as the page shows it (internals are logged, not shown).
fn refusal(u: &ConsoleUser, contact: String, e: baraza_app::Error) -> Result<Response, AppError> {
    let (status, lines) = match e {
        baraza_app::Error::Invalid(fields) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            fields
                .iter()
                .map(|f| crate::html::field_error(f, &u.tr))
                .collect(),
        ),
        baraza_app::Error::NotFound(what) => (StatusCode::NOT_FOUND, vec![format!("no {what}")]),
        baraza_app::Error::Forbidden { detail, .. } => (StatusCode::FORBIDDEN, vec![detail]),
        other => return Err(other.into()),
    };
    Ok(page(u, contact, lines, vec![], status))
}

pub async fn form(u: ConsoleUser) -> Response {
    if u.role() != Role::SystemAdministrator {
        return not_allowed(&u);
    }
    page(&u, String::new(), vec![], vec![], StatusCode::OK)
}

#[derive(Deserialize)]
pub struct AccessForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    format: String,
}

/// Everything held about a contact: the readable page, or the JSON file.
pub async fn access(
    State(state): State<AppState>,
    u: ConsoleUser,
    FormBody(f): FormBody<AccessForm>,
) -> Result<Response, AppError> {
    if !u.csrf_ok(Some(&f.csrf)) {
        return Ok(csrf_refused(&u));
    }
    if u.role() != Role::SystemAdministrator {
        return Ok(not_allowed(&u));
    }
    let record = match rights::access(&*state.store, &*state.clock, &f.contact).await {
        Ok(r) => r,
        Err(e) => return refusal(&u, f.contact, e),
    };
    // Only the administrator's own jurisdiction.
    let mut record = record;
    record
        .citizens
        .retain(|c| c.jurisdiction == u.user.jurisdiction.as_str());
    tracing::info!(user = %u.user.id, records = record.citizens.len(), "subject access request answered");
    let no_store = (header::CACHE_CONTROL, "no-store");
    if f.format == "json" {
        let body = serde_json::to_vec_pretty(&record)
            .map_err(|e| AppError::Internal(format!("access record: {e}")))?;
        return Ok((
            [
                (header::CONTENT_TYPE, "application/json"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"personal-data.json\"",
                ),
                no_store,
            ],
            body,
        )
            .into_response());
    }
    let html = crate::html::subject_access_html(&record)
        .map_err(|e| AppError::Internal(format!("access page: {e}")))?;
    Ok((
        [(header::CONTENT_TYPE, "text/html; charset=utf-8"), no_store],
        html,
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct RectifyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    language: String,
}

pub async fn rectify(
    State(state): State<AppState>,
    u: ConsoleUser,
    FormBody(f): FormBody<RectifyForm>,
) -> Result<Response, AppError> {
    if !u.csrf_ok(Some(&f.csrf)) {
        return Ok(csrf_refused(&u));
    }
    if u.role() != Role::SystemAdministrator {
        return Ok(not_allowed(&u));
    }
    let given = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    let fix = rights::Rectification {
        name: given(&f.name),
        phone: given(&f.phone),
        email: given(&f.email),
        language: given(&f.language),
    };
    match rights::rectify(&*state.store, &f.contact, Some(&u.user.jurisdiction), &fix).await {
        Ok(n) => Ok(page(
            &u,
            f.contact,
            vec![],
            vec![u.tr.args("privacy-rectified", &[("count", n.to_string())])],
            StatusCode::OK,
        )),
        Err(e) => refusal(&u, f.contact, e),
    }
}

#[derive(Deserialize)]
pub struct EraseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    basis: String,
    #[serde(default)]
    approver: String,
    #[serde(default)]
    approver_password: String,
}

/// Erasure, approved by a second person present at the keyboard: their own password.
pub async fn erase(
    State(state): State<AppState>,
    u: ConsoleUser,
    FormBody(f): FormBody<EraseForm>,
) -> Result<Response, AppError> {
    if !u.csrf_ok(Some(&f.csrf)) {
        return Ok(csrf_refused(&u));
    }
    if u.role() != Role::SystemAdministrator {
        return Ok(not_allowed(&u));
    }
    let approver_refused = || {
        page(
            &u,
            f.contact.clone(),
            vec![u.tr.t("privacy-approver-refused")],
            vec![],
            StatusCode::FORBIDDEN,
        )
    };
    let Some(approver) = state.store.user_by_username(f.approver.trim()).await? else {
        password::verify_nothing(&f.approver_password);
        return Ok(approver_refused());
    };
    let hash = state
        .store
        .credentials(approver.id)
        .await?
        .and_then(|c| c.password_hash);
    let Some(hash) = hash else {
        password::verify_nothing(&f.approver_password);
        return Ok(approver_refused());
    };
    let pw = f.approver_password.clone();
    let good = tokio::task::spawn_blocking(move || password::verify(&pw, &hash))
        .await
        .unwrap_or(false);
    if !good {
        tracing::warn!(user = %u.user.id, "erasure refused: the approver's password was wrong");
        return Ok(approver_refused());
    }
    match rights::erase(
        &*state.store,
        &*state.clock,
        &f.contact,
        &f.basis,
        &u.user,
        &approver,
        state.media_dir.as_deref(),
    )
    .await
    {
        Ok(done) => {
            let sum = |g: fn(&baraza_store::erasure::Erased) -> usize| {
                done.iter().map(g).sum::<usize>().to_string()
            };
            let line = u.tr.args(
                "privacy-erased",
                &[
                    ("cases", sum(|d| d.cases as usize)),
                    ("events", sum(|d| d.events.len())),
                    ("inbound", sum(|d| d.inbound_messages as usize)),
                    ("outbox", sum(|d| d.outbox_messages as usize)),
                    ("files", sum(|d| d.files.len())),
                ],
            );
            tracing::info!(user = %u.user.id, approver = %approver.id, "personal data erased");
            Ok(page(&u, String::new(), vec![], vec![line], StatusCode::OK))
        }
        Err(e) => refusal(&u, f.contact, e),
    }
}
