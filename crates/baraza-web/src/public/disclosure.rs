//! The proactive disclosure log in public: each class the county publishes on a schedule,
//! its publications with their documents, whether the next is late, and a form to follow
//! a class by SMS or email.

use super::{JQuery, PublicFrame, jurisdiction_of, page_catalog};
use crate::AppState;
use crate::error::{ApiQuery, AppError, FormBody};
use crate::html::{Tr, cookie, random_hex, render, set_cookie};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use baraza_channels::gateway::Secret;
use std::collections::HashMap;

const FORM_COOKIE: &str = "bz_follow_form";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/information/disclosures", get(page))
        .route("/information/disclosures/follow", post(follow))
        .route("/information/disclosures/{id}/document", get(document))
}

pub struct Item {
    pub id: String,
    pub title: String,
    pub period: String,
    pub published_on: String,
    pub document: Option<(String, u64)>,
    pub url: Option<String>,
    /// The department's name, if it concerns one.
    pub department: Option<String>,
    /// The project's code, if it concerns one.
    pub project: Option<String>,
}

pub struct Class {
    pub code: String,
    pub name: String,
    pub basis: String,
    pub every: String,
    pub next_due: String,
    pub overdue: bool,
    pub items: Vec<Item>,
}

#[derive(Template)]
#[template(path = "public/disclosures.html")]
struct DisclosuresPage {
    frame: PublicFrame,
    classes: Vec<Class>,
    csrf: String,
    notice: Option<String>,
    errors: Vec<String>,
    sms_number: String,
}

async fn render_page(
    state: &AppState,
    headers: &HeaderMap,
    j: &str,
    notice: Option<String>,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let cat = page_catalog(state, headers, Some(j)).await?;
    let frame = PublicFrame::new(headers, &cat, !j.is_empty(), "disclosure-title");
    let tr = frame.tr;
    let log = state.app().disclosure_log(&cat).await?;
    let classes = log
        .into_iter()
        .map(|s| Class {
            every: every(&tr, s.class.every_months),
            name: s.class.name_in(tr.lang).to_owned(),
            code: s.class.code,
            basis: s.class.basis,
            next_due: s.next_due.to_string(),
            overdue: s.overdue,
            items: s
                .publications
                .into_iter()
                .map(|p| Item {
                    id: p.id.to_string(),
                    title: p.title,
                    period: p.period,
                    published_on: p.published_on.to_string(),
                    document: p.document.map(|d| {
                        (
                            d.filename.unwrap_or_else(|| d.sha256[..12].to_owned()),
                            d.size_bytes.div_ceil(1024),
                        )
                    }),
                    url: p.url,
                    department: p.department.map(|d| cat.department_name(Some(&d))),
                    project: p.project,
                })
                .collect(),
        })
        .collect();
    let csrf = random_hex(16);
    let mut res = render(&DisclosuresPage {
        frame,
        classes,
        csrf: csrf.clone(),
        notice,
        errors,
        sms_number: state.channels.sms_number().unwrap_or_default(),
    });
    *res.status_mut() = status;
    if let Ok(v) = set_cookie(headers, FORM_COOKIE, &csrf, 3600).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

fn every(tr: &Tr, months: u32) -> String {
    match months {
        1 => tr.t("every-month"),
        3 => tr.t("every-quarter"),
        6 => tr.t("every-half-year"),
        12 => tr.t("every-year"),
        n => tr.args("every-months", &[("months", n.to_string())]),
    }
}

pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<JQuery>,
) -> Result<Response, AppError> {
    render_page(&state, &headers, &q.j, None, Vec::new(), StatusCode::OK).await
}

/// Follow a class with a phone number or an email address.
pub async fn follow(
    State(state): State<AppState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    FormBody(values): FormBody<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let j = values.get("j").cloned().unwrap_or_default();
    let tr = Tr::new(crate::html::language(&headers));
    let token_ok = cookie(&headers, FORM_COOKIE).is_some_and(|c| {
        !c.is_empty() && Secret::new(c).matches(values.get("csrf").map_or("", String::as_str))
    });
    if !token_ok {
        return render_page(
            &state,
            &headers,
            &j,
            None,
            vec![tr.t("csrf-failed")],
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    // One address may not sign the county's SMS budget away.
    if state
        .senders
        .throttled(&format!("web:{}", state.client_ip(peer, &headers)))
    {
        return render_page(
            &state,
            &headers,
            &j,
            None,
            vec![tr.t("too-many-requests")],
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    let cat = page_catalog(&state, &headers, Some(&j)).await?;
    let class = values.get("class").map(String::as_str).unwrap_or_default();
    let contact = values
        .get("contact")
        .map(String::as_str)
        .unwrap_or_default();
    match state
        .app()
        .follow(&cat, class, contact, tr.lang, state.clock.now())
        .await
    {
        Ok(_) => {
            let name = cat
                .policy()
                .information
                .disclosure_class(class)
                .map(|c| c.name_in(tr.lang).to_owned())
                .unwrap_or_default();
            let notice = tr.args("disclosure-following", &[("class", name)]);
            render_page(
                &state,
                &headers,
                &j,
                Some(notice),
                Vec::new(),
                StatusCode::OK,
            )
            .await
        }
        Err(baraza_app::Error::Invalid(errs)) => {
            let errors = errs
                .iter()
                .map(|e| crate::html::field_error(e, &tr))
                .collect();
            render_page(
                &state,
                &headers,
                &j,
                None,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn document(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<JQuery>,
) -> Result<Response, AppError> {
    let cat = jurisdiction_of(&state, Some(&q.j)).await?;
    let p = state.app().publication(&cat, &id).await?;
    match p.document {
        Some(doc) => Ok(crate::html::serve_document(state.media_dir.as_deref(), &doc).await),
        None => Err(AppError::not_found("document")),
    }
}
