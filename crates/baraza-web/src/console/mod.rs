//! The staff console: server-rendered pages (askama) for the people who work cases every
//! day, often on a phone with a poor connection. No JavaScript is needed (one small
//! inline script counts SMS parts as one types), no external fonts or CDNs; pages stay
//! well under 50 KB.
//!
//! Security: argon2id passwords, a session cookie (HttpOnly, SameSite=Lax, Secure behind
//! TLS) whose secret is stored only as a SHA-256, a CSRF token bound to the session on
//! every form, lockout after repeated failures. Every page and action checks the user's
//! role and scope on the server, with the same rules as the JSON API: a case outside
//! one's scope answers as if it did not exist.

pub(crate) mod cases;
pub mod i18n;
pub mod password;
mod signin;
mod users;

use crate::AppState;
use crate::auth::Staff;
use askama::Template;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::{HeaderMap, StatusCode, header, request::Parts};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use baraza_core::{Language, Role, Session, StaffUser, TokenSecret};
pub use i18n::Tr;

pub const SESSION_COOKIE: &str = "bz_session";
pub const LANG_COOKIE: &str = "bz_lang";
/// A session lasts a working day and a half, then one signs in again.
pub const SESSION_HOURS: i64 = 12;
/// After this many failed sign-ins in a row, the account is locked for `LOCK_MINUTES`.
pub const LOCK_AFTER: u32 = 5;
pub const LOCK_MINUTES: i64 = 15;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff", get(cases::queues))
        .route("/staff/login", get(signin::form).post(signin::submit))
        .route("/staff/logout", post(signin::logout))
        .route("/staff/logout-everywhere", post(signin::logout_everywhere))
        .route("/staff/language", get(choose_language))
        .route("/staff/cases/{reference}", get(cases::case_page))
        .route("/staff/cases/{reference}/act", post(cases::act))
        .route("/staff/intake", get(cases::intake_form).post(cases::intake))
        .route("/staff/overview", get(cases::overview))
        .route("/staff/users", get(users::list))
        .route("/staff/users/{id}/password", post(users::reset_password))
        .route("/staff/users/{id}/disable", post(users::disable))
        .route("/staff/users/{id}/enable", post(users::enable))
        .route("/staff/console.css", get(stylesheet))
}

const CSS: &str = include_str!("../../templates/console/console.css");

pub(crate) async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        CSS,
    )
        .into_response()
}

/// A cookie's value from the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Behind a TLS-terminating proxy (`X-Forwarded-Proto: https`) cookies are marked Secure.
fn secure(headers: &HeaderMap) -> &'static str {
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    if https { "; Secure" } else { "" }
}

pub fn set_cookie(headers: &HeaderMap, name: &str, value: &str, max_age_secs: i64) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{}",
        secure(headers)
    )
}

/// The reader's language: their choice (cookie), else the browser's, else English.
pub fn language(headers: &HeaderMap) -> Language {
    if let Some(l) = cookie(headers, LANG_COOKIE).and_then(|l| l.parse().ok()) {
        return l;
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .filter_map(|part| part.split(';').next())
                .filter_map(|tag| tag.trim().get(..2))
                .find_map(|code| code.to_ascii_lowercase().parse().ok())
        })
        .unwrap_or(Language::English)
}

#[derive(serde::Deserialize)]
pub(crate) struct LanguageQuery {
    l: String,
    #[serde(default)]
    next: String,
}

/// Choose the console's language (a cookie), then go back.
pub(crate) async fn choose_language(
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<LanguageQuery>,
) -> Response {
    let Ok(lang) = q.l.parse::<Language>() else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let cookie = set_cookie(&headers, LANG_COOKIE, lang.as_str(), 365 * 24 * 3600);
    // Back where the reader was: `next`, else the page they came from (its path only).
    let came_from = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://"))
        .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_owned()))
        .unwrap_or_else(|| "/".to_owned());
    let next = if q.next.is_empty() { came_from } else { q.next };
    (
        [(header::SET_COOKIE, cookie)],
        Redirect::to(&safe_next(&next)),
    )
        .into_response()
}

/// Only our own pages are places to go back to (no open redirect).
pub fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_owned()
    } else {
        "/staff".to_owned()
    }
}

/// A signed-in staff member, from the session cookie. Pages that need one redirect to
/// the sign-in page when there is none.
#[derive(Debug, Clone)]
pub struct ConsoleUser {
    pub user: StaffUser,
    pub session: Session,
    pub tr: Tr,
}

impl ConsoleUser {
    pub fn staff(&self) -> Staff {
        Staff {
            user: self.user.clone(),
        }
    }
    pub fn role(&self) -> Role {
        self.user.role
    }
    /// What every page's frame needs.
    pub fn frame(&self, title: String) -> Frame {
        Frame {
            tr: self.tr,
            title,
            user: Some(self.user.display_name.clone()),
            role: Some(self.user.role),
            csrf: self.session.csrf_token.clone(),
        }
    }
    /// Is this form's token the session's? Compared in constant time.
    pub fn csrf_ok(&self, presented: Option<&str>) -> bool {
        presented.is_some_and(|p| {
            baraza_channels::gateway::Secret::new(self.session.csrf_token.clone()).matches(p)
        })
    }
}

/// The part of every page around its content: title, language, who is signed in.
pub struct Frame {
    pub tr: Tr,
    pub title: String,
    pub user: Option<String>,
    pub role: Option<Role>,
    pub csrf: String,
}

impl Frame {
    pub fn t(&self, id: &str) -> String {
        self.tr.t(id)
    }
    pub fn is_admin(&self) -> bool {
        self.role == Some(Role::SystemAdministrator)
    }
    pub fn may_file(&self) -> bool {
        self.role.is_some_and(cases::may_file)
    }
    pub fn sees_overview(&self) -> bool {
        self.role
            .is_some_and(|r| !matches!(r, Role::SystemAdministrator))
    }
}

pub struct SignInRedirect(Response);

impl IntoResponse for SignInRedirect {
    fn into_response(self) -> Response {
        self.0
    }
}

impl FromRequestParts<AppState> for ConsoleUser {
    type Rejection = SignInRedirect;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default();
        let to_sign_in = || {
            let q = serde_urlencoded::to_string([("next", safe_next(&next))]).unwrap_or_default();
            SignInRedirect(Redirect::to(&format!("/staff/login?{q}")).into_response())
        };
        let tr = Tr::new(language(&parts.headers));
        let Some(secret) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_sign_in());
        };
        let id = TokenSecret::from_presented(secret).sha256_hex();
        let unavailable =
            |e: baraza_store::StoreError| SignInRedirect(crate::AppError::from(e).into_response());
        let Some(session) = state.store.session(&id).await.map_err(unavailable)? else {
            return Err(to_sign_in());
        };
        if session.expires_at <= state.clock.now() {
            let _ = state.store.end_session(&id).await;
            return Err(to_sign_in());
        }
        match state.store.user(session.user).await.map_err(unavailable)? {
            Some(user) if !user.disabled => Ok(ConsoleUser { user, session, tr }),
            _ => Err(to_sign_in()),
        }
    }
}

#[derive(Template)]
#[template(path = "console/message.html")]
pub struct MessagePage {
    pub frame: Frame,
    pub heading: String,
    pub lines: Vec<String>,
    pub back: String,
}

/// A page that says what went wrong (or right), with a way back.
pub fn message(
    status: StatusCode,
    frame: Frame,
    heading: String,
    lines: Vec<String>,
    back: &str,
) -> Response {
    let page = MessagePage {
        frame,
        heading,
        lines,
        back: back.to_owned(),
    };
    (status, render(&page)).into_response()
}

/// A form post without the session's CSRF token: refused, nothing done.
pub fn csrf_refused(u: &ConsoleUser) -> Response {
    tracing::warn!(user = %u.user.id, "form post refused: missing or wrong CSRF token");
    message(
        StatusCode::FORBIDDEN,
        u.frame(u.tr.t("error-title")),
        u.tr.t("error-title"),
        vec![u.tr.t("csrf-failed")],
        "/staff",
    )
}

pub fn render<T: Template>(page: &T) -> Response {
    match page.render() {
        Ok(html) => ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response(),
        Err(e) => crate::AppError::Internal(format!("rendering a page: {e}")).into_response(),
    }
}

/// A fresh random secret, hex.
pub fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut b = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}
