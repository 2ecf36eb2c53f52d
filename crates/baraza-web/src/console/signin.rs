//! Signing in and out. The sign-in form carries its own CSRF token (a cookie and a hidden
//! field that must match), since there is no session yet. Failures are counted per user;
//! after `LOCK_AFTER` in a row the account is locked for `LOCK_MINUTES`. An unknown
//! username costs the same time as a wrong password, and gets the same answer.

use super::{
    ConsoleUser, Frame, LOCK_AFTER, LOCK_MINUTES, SESSION_COOKIE, SESSION_HOURS, Tr, cookie,
    csrf_refused, language, password, random_hex, render, safe_next, set_cookie,
};
use crate::AppState;
use crate::error::{ApiQuery, FormBody};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use baraza_channels::gateway::Secret;
use baraza_core::{Session, TokenSecret};
use serde::Deserialize;

const LOGIN_COOKIE: &str = "bz_login";

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage {
    frame: Frame,
    next: String,
    username: String,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
}

fn login_page(
    headers: &HeaderMap,
    status: StatusCode,
    next: &str,
    username: &str,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    let tr = Tr::new(language(headers));
    let token = random_hex(16);
    let page = LoginPage {
        frame: Frame {
            tr,
            title: tr.t("sign-in"),
            user: None,
            role: None,
            csrf: token.clone(),
        },
        next: safe_next(next),
        username: username.to_owned(),
        notice,
        error,
    };
    let cookie = set_cookie(headers, LOGIN_COOKIE, &token, 3600);
    let mut res = render(&page);
    *res.status_mut() = status;
    if let Ok(v) = cookie.parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub async fn form(headers: HeaderMap, ApiQuery(q): ApiQuery<LoginQuery>) -> Response {
    login_page(&headers, StatusCode::OK, &q.next, "", None, None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    FormBody(f): FormBody<LoginForm>,
) -> Result<Response, crate::AppError> {
    let tr = Tr::new(language(&headers));
    let fail = |id: &str| {
        Ok(login_page(
            &headers,
            StatusCode::UNAUTHORIZED,
            &f.next,
            &f.username,
            None,
            Some(tr.t(id)),
        ))
    };
    let token_ok = cookie(&headers, LOGIN_COOKIE)
        .is_some_and(|c| !c.is_empty() && Secret::new(c).matches(&f.csrf));
    if !token_ok {
        return Ok(login_page(
            &headers,
            StatusCode::FORBIDDEN,
            &f.next,
            &f.username,
            None,
            Some(tr.t("csrf-failed")),
        ));
    }
    let username = f.username.trim().to_ascii_lowercase();
    let now = state.clock.now();
    let user = match state.store.user_by_username(&username).await? {
        Some(u) if !u.disabled => u,
        _ => {
            password::verify_nothing(&f.password);
            return fail("sign-in-failed");
        }
    };
    let Some(creds) = state.store.credentials(user.id).await? else {
        return fail("sign-in-failed");
    };
    if creds.locked_until.is_some_and(|t| t > now) {
        return fail("sign-in-locked");
    }
    let Some(hash) = creds.password_hash else {
        password::verify_nothing(&f.password);
        return fail("sign-in-no-password");
    };
    let pw = f.password.clone();
    let good = tokio::task::spawn_blocking(move || password::verify(&pw, &hash))
        .await
        .unwrap_or(false);
    if !good {
        let lock_until = now + chrono::Duration::minutes(LOCK_MINUTES);
        let n = state
            .store
            .record_failed_login(user.id, LOCK_AFTER, lock_until)
            .await?;
        tracing::warn!(user = %user.id, failures = n, "failed console sign-in");
        return fail(if n >= LOCK_AFTER {
            "sign-in-locked"
        } else if n + 1 == LOCK_AFTER {
            // Said before it happens, not after.
            "sign-in-last-attempt"
        } else {
            "sign-in-failed"
        });
    }
    if creds.failed_logins > 0 {
        state.store.clear_failed_logins(user.id).await?;
    }
    let secret = random_hex(32);
    let session = Session {
        id_sha256: TokenSecret::from_presented(&secret).sha256_hex(),
        user: user.id,
        csrf_token: random_hex(32),
        created_at: now,
        expires_at: now + chrono::Duration::hours(SESSION_HOURS),
    };
    state.store.add_session(&session).await?;
    tracing::info!(user = %user.id, "console sign-in");
    let mut res = Redirect::to(&safe_next(&f.next)).into_response();
    let cookies = [
        set_cookie(&headers, SESSION_COOKIE, &secret, SESSION_HOURS * 3600),
        set_cookie(&headers, LOGIN_COOKIE, "", 0),
    ];
    for c in cookies {
        if let Ok(v) = c.parse() {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(res)
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

fn signed_out(headers: &HeaderMap, notice: &str) -> Response {
    let tr = Tr::new(language(headers));
    let mut res = login_page(headers, StatusCode::OK, "", "", Some(tr.t(notice)), None);
    if let Ok(v) = set_cookie(headers, SESSION_COOKIE, "", 0).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub async fn logout(
    State(state): State<AppState>,
    u: ConsoleUser,
    headers: HeaderMap,
    FormBody(f): FormBody<CsrfForm>,
) -> Result<Response, crate::AppError> {
    if !u.csrf_ok(Some(&f.csrf)) {
        return Ok(csrf_refused(&u));
    }
    state.store.end_session(&u.session.id_sha256).await?;
    Ok(signed_out(&headers, "signed-out"))
}

pub async fn logout_everywhere(
    State(state): State<AppState>,
    u: ConsoleUser,
    headers: HeaderMap,
    FormBody(f): FormBody<CsrfForm>,
) -> Result<Response, crate::AppError> {
    if !u.csrf_ok(Some(&f.csrf)) {
        return Ok(csrf_refused(&u));
    }
    let n = state.store.end_sessions_of(u.user.id).await?;
    tracing::info!(user = %u.user.id, sessions = n, "signed out everywhere");
    Ok(signed_out(&headers, "signed-out-everywhere"))
}
