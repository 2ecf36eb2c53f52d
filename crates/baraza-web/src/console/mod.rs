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
mod information;
pub mod password;
mod plans;
mod privacy;
mod projects;
mod signin;
mod users;

use crate::AppState;
use crate::auth::Staff;
use crate::html::{Tr, cookie, language, random_hex, render, safe_next, set_cookie};
use askama::Template;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::{StatusCode, request::Parts};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use baraza_core::{Role, Session, StaffUser, TokenSecret};

pub const SESSION_COOKIE: &str = "bz_session";
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
        .route("/staff/language", get(crate::html::choose_language))
        .route("/staff/cases/{reference}", get(cases::case_page))
        .route("/staff/cases/{reference}/act", post(cases::act))
        .route("/staff/cases/{reference}/photos/{sha}", get(cases::photo))
        .route(
            "/staff/cases/{reference}/thumbs/{sha}",
            get(cases::thumbnail),
        )
        .route("/staff/intake", get(cases::intake_form).post(cases::intake))
        .route("/staff/overview", get(cases::overview))
        .route("/staff/users", get(users::list).post(users::add))
        .route("/staff/users/{id}/unlock", post(users::unlock))
        .route("/staff/users/role", post(users::change_role))
        .route("/staff/users/{id}/password", post(users::reset_password))
        .route("/staff/users/{id}/disable", post(users::disable))
        .route("/staff/users/{id}/enable", post(users::enable))
        .route("/staff/privacy", get(privacy::form))
        .route("/staff/privacy/access", post(privacy::access))
        .route("/staff/privacy/rectify", post(privacy::rectify))
        .route("/staff/privacy/erase", post(privacy::erase))
        .route("/staff/information", get(information::queues))
        .route("/staff/information/report", get(information::report))
        .route(
            "/staff/information/disclosures",
            get(information::disclosures),
        )
        .route("/staff/information/{reference}", get(information::page))
        .route(
            "/staff/information/{reference}/documents/{sha256}",
            get(information::document),
        )
        .route(
            "/staff/projects",
            get(projects::list).post(projects::create),
        )
        .route("/staff/projects/{code}", get(projects::page))
        .route("/staff/projects/{code}/files/{sha256}", get(projects::file))
        .route("/staff/plans", get(plans::list))
        .route("/staff/plans/{slug}", get(plans::page))
        .route("/staff/plans/{slug}/files/{sha256}", get(plans::file))
        .route("/staff/console.css", get(crate::html::stylesheet))
}

/// The request page's action form takes a document: its own, larger body limit.
pub fn document_routes() -> Router<AppState> {
    Router::new()
        .route("/staff/information/{reference}/act", post(information::act))
        .route(
            "/staff/information/disclosures/publish",
            post(information::publish),
        )
        .route("/staff/plans/{slug}/act", post(plans::act))
        .route("/staff/projects/{code}/act", post(projects::act))
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
        self.role.is_some_and(baraza_app::scope::may_file)
    }
    pub fn sees_requests(&self) -> bool {
        self.role.is_some_and(information::sees_requests)
    }
    pub fn works_on_projects(&self) -> bool {
        self.role
            .is_some_and(baraza_app::projects::may_work_on_projects)
    }
    pub fn works_on_plans(&self) -> bool {
        self.role.is_some_and(baraza_app::plans::may_work_on_plans)
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

/// A page or action the user's role may not use: refused, nothing done.
pub fn not_allowed(u: &ConsoleUser) -> Response {
    message(
        StatusCode::FORBIDDEN,
        u.frame(u.tr.t("not-allowed")),
        u.tr.t("not-allowed"),
        vec![],
        "/staff",
    )
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
