//! Information requests in public, as on WhatDoTheyKnow: anyone may ask (on the web, by
//! SMS, USSD or at the counter), and every request is published with its correspondence
//! unless an officer lowers its prominence with a reason. The applicant's identity is
//! never shown; texts go through the privacy projection and the jurisdiction's redaction
//! rules. Also the request figures (on-time share, median days, refusals by exemption).

use super::pages::Opt;
use super::{JQuery, PublicFrame, jurisdiction_of, page_catalog};
use crate::AppState;
use crate::error::{ApiQuery, AppError, FormBody};
use crate::html::{Letter, Tr, letters, random_hex, render, set_cookie};
use askama::Template;
use axum::Router;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use baraza_app::information::{Listed, Report, RequestPage, Search};
use baraza_app::privacy::Audience;
use baraza_core::information::{Lateness, Prominence, RequestState};
use baraza_core::*;
use serde::Deserialize;
use std::collections::HashMap;

const FORM_COOKIE: &str = "bz_info_form";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/information", get(list))
        .route("/information/new", get(form).post(submit))
        .route("/information/statistics", get(statistics))
        .route("/information/requests.json", get(list_json))
        .route("/information/{reference}", get(page))
        .route("/information/{reference}/documents/{sha256}", get(document))
}

pub struct Row {
    pub reference: String,
    pub digits: String,
    pub text: String,
    pub department: String,
    pub received: String,
    pub state: String,
    pub due: String,
    pub late: String,
}

fn row(l: &Listed, cat: &baraza_app::JurisdictionCatalog, tr: &Tr) -> Row {
    let f = l.file();
    let mut text = l.text.clone().unwrap_or_default();
    if text.chars().count() > 160 {
        text = text.chars().take(157).collect::<String>() + "…";
    }
    Row {
        reference: l.reference.clone(),
        digits: l.case.number.digits(),
        text,
        department: cat.department_name(l.case.department.as_deref()),
        received: cat.local_time(&f.received_at),
        state: match (f.decision, &f.exemption) {
            (Some(d), Some(e)) => format!("{} ({e})", tr.t(&format!("decision-{d}"))),
            (Some(d), None) => tr.t(&format!("decision-{d}")),
            (None, _) => tr.t(&format!("request-state-{}", l.state)),
        },
        due: f.due_local.clone(),
        late: match l.lateness {
            Lateness::OnTime => String::new(),
            other => tr.t(&format!("lateness-{other}")),
        },
    }
}

#[derive(Template)]
#[template(path = "public/information_list.html")]
struct ListPage {
    frame: PublicFrame,
    rows: Vec<Row>,
    next: Option<String>,
    departments: Vec<Opt>,
    states: Vec<Opt>,
    q: ListQuery,
}

#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    #[serde(default)]
    j: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    late: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// The next page: `<created micros>_<id>` of the last request shown.
    #[serde(default)]
    after: String,
}

fn date(field: &str, s: &str) -> Result<Option<chrono::NaiveDate>, AppError> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map(Some)
        .map_err(|_| AppError::invalid(field, "a date as YYYY-MM-DD, e.g. 2026-11-02"))
}

/// Published requests, searchable by body (department), state, lateness and date.
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, AppError> {
    let cat = page_catalog(&state, &headers, Some(&q.j)).await?;
    let frame = PublicFrame::new(&headers, &cat, !q.j.is_empty(), "information-title");
    let search = search_of(&q)?;
    let page = state.app().published_requests(&cat, &search, PAGE).await?;
    let tr = frame.tr;
    Ok(render(&ListPage {
        rows: page.requests.iter().map(|l| row(l, &cat, &tr)).collect(),
        next: next_query(&q, page.next).map(|n| frame.link(&format!("/information?{n}"))),
        departments: cat
            .departments
            .iter()
            .map(|d| Opt {
                value: d.code.clone(),
                label: d.name.clone(),
            })
            .collect(),
        states: RequestState::ALL
            .iter()
            .map(|s| Opt {
                value: s.to_string(),
                label: tr.t(&format!("request-state-{s}")),
            })
            .collect(),
        q,
        frame,
    }))
}

/// What the list's query asks for.
fn search_of(q: &ListQuery) -> Result<Search, AppError> {
    Ok(Search {
        department: Some(q.department.clone()).filter(|d| !d.is_empty()),
        state: match q.state.as_str() {
            "" => None,
            s => Some(
                s.parse::<RequestState>()
                    .map_err(|e| AppError::Invalid(vec![e]))?,
            ),
        },
        lateness: match q.late.as_str() {
            "" => None,
            s => Some(
                s.parse::<Lateness>()
                    .map_err(|e| AppError::Invalid(vec![e]))?,
            ),
        },
        from: date("from", &q.from)?,
        to: date("to", &q.to)?,
        text: Some(q.q.clone()).filter(|t| !t.trim().is_empty()),
        after: match q.after.split_once('_') {
            None if q.after.is_empty() => None,
            Some((micros, id)) => Some((
                micros
                    .parse::<i64>()
                    .ok()
                    .and_then(chrono::DateTime::from_timestamp_micros)
                    .ok_or_else(|| AppError::invalid("after", "a page link from this site"))?,
                CaseId(
                    id.parse()
                        .map_err(|_| AppError::invalid("after", "a page link from this site"))?,
                ),
            )),
            None => return Err(AppError::invalid("after", "a page link from this site")),
        },
    })
}

/// A page of the register, 20 at a time (a page stays small on 2G).
const PAGE: usize = 20;
/// The JSON export's pages are larger.
const JSON_PAGE: usize = 500;

/// The query for the page after `next`, keeping the filters.
fn next_query(q: &ListQuery, next: Option<(Timestamp, CaseId)>) -> Option<String> {
    let (at, id) = next?;
    let after = format!("{}_{}", at.timestamp_micros(), id);
    serde_urlencoded::to_string([
        ("q", q.q.as_str()),
        ("department", q.department.as_str()),
        ("state", q.state.as_str()),
        ("late", q.late.as_str()),
        ("from", q.from.as_str()),
        ("to", q.to.as_str()),
        ("after", after.as_str()),
    ])
    .ok()
}

/// A published request as open data (the same projection as its page).
#[derive(serde::Serialize)]
struct RequestJson {
    reference: String,
    state: String,
    decision: Option<String>,
    exemption: Option<String>,
    department: Option<String>,
    received_at: String,
    due: String,
    lateness: String,
    urgent: bool,
    request: Option<String>,
    url: String,
}

/// The published register as JSON (open data: no applicant, texts as published), with
/// the list's filters.
pub async fn list_json(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, AppError> {
    let cat = jurisdiction_of(&state, Some(&q.j)).await?;
    let search = search_of(&q)?;
    let page = state
        .app()
        .published_requests(&cat, &search, JSON_PAGE)
        .await?;
    let requests: Vec<RequestJson> = page
        .requests
        .iter()
        .map(|l| {
            let f = l.file();
            RequestJson {
                reference: l.reference.clone(),
                state: l.state.to_string(),
                decision: f.decision.map(|d| d.to_string()),
                exemption: f.exemption.clone(),
                department: l.case.department.clone(),
                received_at: baraza_core::clock::canonical(&f.received_at),
                due: f.due_local.clone(),
                lateness: l.lateness.to_string(),
                urgent: f.urgent,
                request: l.text.clone(),
                url: format!("/information/{}", l.case.number.digits()),
            }
        })
        .collect();
    Ok(axum::Json(serde_json::json!({
        "jurisdiction": cat.jurisdiction.id.as_str(),
        "law": cat.policy().information.law,
        "requests": requests,
        "next": next_query(&q, page.next).map(|n| format!("/information/requests.json?{n}")),
    }))
    .into_response())
}

#[derive(Template)]
#[template(path = "public/information_request.html")]
struct RequestPageHtml {
    frame: PublicFrame,
    reference: String,
    text: String,
    department: String,
    received: String,
    state: String,
    due: String,
    late: String,
    urgent: bool,
    requester_only: bool,
    letters: Vec<Letter>,
    filed: bool,
    sms_number: String,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    j: String,
    #[serde(default)]
    filed: String,
}

/// One request with its correspondence; a requester-only request shows its state only.
pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(reference): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response, AppError> {
    let cat = page_catalog(&state, &headers, Some(&q.j)).await?;
    let frame = PublicFrame::new(&headers, &cat, !q.j.is_empty(), "information-request");
    let app = state.app();
    let (case, events, citizen) = app.published_request(&cat, &reference).await?;
    let now = state.clock.now();
    let Some(view) = RequestPage::new(
        &case,
        &events,
        citizen.as_ref(),
        Audience::Public,
        &cat,
        now,
    ) else {
        return Err(AppError::not_found("information request"));
    };
    let requester_only = view.file.prominence == Prominence::RequesterOnly;
    let tr = frame.tr;
    let digits = case.number.digits();
    let letters = if requester_only {
        Vec::new()
    } else {
        letters(&view, &cat, &tr, &format!("/information/{digits}"))
            .into_iter()
            .map(|mut l| {
                l.documents.iter_mut().for_each(|d| d.0 = frame.link(&d.0));
                l
            })
            .collect()
    };
    Ok(render(&RequestPageHtml {
        reference: view.reference.clone(),
        text: if requester_only {
            String::new()
        } else {
            view.text.clone().unwrap_or_default()
        },
        department: cat.department_name(case.department.as_deref()),
        received: cat.local_time(&view.file.received_at),
        state: tr.t(&format!("request-state-{}", view.file.state)),
        due: view.file.due_local.clone(),
        late: match view.lateness {
            Lateness::OnTime => String::new(),
            other => tr.t(&format!("lateness-{other}")),
        },
        urgent: view.file.urgent,
        requester_only,
        letters,
        filed: q.filed == "1",
        sms_number: state.channels.sms_number().unwrap_or_default(),
        frame,
    }))
}

/// A document given in answer to a published request.
pub async fn document(
    State(state): State<AppState>,
    Path((reference, sha256)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response, AppError> {
    let cat = jurisdiction_of(&state, Some(&q.j)).await?;
    let doc = state
        .app()
        .published_document(&cat, &reference, &sha256.to_ascii_lowercase())
        .await?;
    Ok(crate::html::serve_document(state.media_dir.as_deref(), &doc).await)
}

#[derive(Template)]
#[template(path = "public/information_new.html")]
struct NewPage {
    frame: PublicFrame,
    csrf: String,
    key: String,
    errors: Vec<String>,
    values: HashMap<String, String>,
    law: String,
    decision_days: u32,
    urgent_hours: u32,
    sms_number: String,
}

impl NewPage {
    fn value(&self, k: &str) -> String {
        self.values.get(k).cloned().unwrap_or_default()
    }
}

fn new_page(
    state: &AppState,
    headers: &HeaderMap,
    cat: &baraza_app::JurisdictionCatalog,
    explicit: bool,
    errors: Vec<String>,
    values: HashMap<String, String>,
    status: StatusCode,
) -> Response {
    let frame = PublicFrame::new(headers, cat, explicit, "information-new");
    let csrf = random_hex(16);
    let law = &cat.policy().information;
    let mut res = render(&NewPage {
        frame,
        csrf: csrf.clone(),
        key: values.get("key").cloned().unwrap_or_else(|| random_hex(12)),
        errors,
        values,
        law: law.law.clone(),
        decision_days: law.decision_days,
        urgent_hours: law.urgent_hours,
        sms_number: state.channels.sms_number().unwrap_or_default(),
    });
    *res.status_mut() = status;
    if let Ok(v) = set_cookie(headers, FORM_COOKIE, &csrf, 3600).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<JQuery>,
) -> Result<Response, AppError> {
    let cat = page_catalog(&state, &headers, Some(&q.j)).await?;
    Ok(new_page(
        &state,
        &headers,
        &cat,
        !q.j.is_empty(),
        Vec::new(),
        HashMap::new(),
        StatusCode::OK,
    ))
}

/// File a request from the web form; then post-redirect-get to its page.
pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    FormBody(values): FormBody<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let j = values.get("j").cloned().unwrap_or_default();
    let cat = page_catalog(&state, &headers, Some(&j)).await?;
    let explicit = !j.is_empty();
    let tr = Tr::new(crate::html::language(&headers));
    let again = |errors: Vec<String>, values: HashMap<String, String>, status| {
        Ok(new_page(
            &state, &headers, &cat, explicit, errors, values, status,
        ))
    };
    if !super::form_token_ok(&headers, FORM_COOKIE, &values) {
        return again(vec![tr.t("csrf-failed")], values, StatusCode::FORBIDDEN);
    }
    if state
        .senders
        .throttled(&format!("web:{}", state.client_ip(peer, &headers)))
    {
        return again(
            vec![tr.t("too-many-requests")],
            values,
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let v = |k: &str| {
        values
            .get(k)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let body = super::written_filing(&values, &tr, CaseKind::InformationRequest, None);
    let key = v("key").map(|k| format!("web:{k}"));
    let new = match baraza_app::intake::build_new_case(&cat, body, key, state.clock.now()) {
        Ok(new) => new,
        Err(baraza_app::Error::Invalid(errs)) => {
            let errors = errs
                .iter()
                .map(|e| crate::html::field_error(e, &tr))
                .collect();
            return again(errors, values, StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(e) => return Err(e.into()),
    };
    let intake = state.app().file_from_citizen(new, Channel::Web).await?;
    let digits = intake.case.number.digits();
    let target = if explicit {
        format!("/information/{digits}?filed=1&j={j}")
    } else {
        format!("/information/{digits}?filed=1")
    };
    Ok(Redirect::to(&target).into_response())
}

#[derive(Template)]
#[template(path = "public/information_statistics.html")]
struct StatisticsPage {
    frame: PublicFrame,
    report: Report,
    year: i32,
    on_time: String,
    median: String,
}

#[derive(Deserialize, Default)]
pub struct StatsQuery {
    #[serde(default)]
    j: String,
    #[serde(default)]
    year: String,
}

/// The year's figures, the same as the statutory report's.
pub async fn statistics(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> Result<Response, AppError> {
    use chrono::Datelike;
    let cat = page_catalog(&state, &headers, Some(&q.j)).await?;
    let frame = PublicFrame::new(&headers, &cat, !q.j.is_empty(), "information-statistics");
    let year = match q.year.trim() {
        "" => state.clock.now().year(),
        y => y
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| AppError::invalid("year", "a year, e.g. 2026"))?,
    };
    let (from, to) = baraza_app::information::year_bounds(&cat, year);
    let report = state.app().information_report(&cat, from, to).await?;
    Ok(render(&StatisticsPage {
        on_time: report
            .on_time_percent()
            .map_or_else(|| "–".into(), |p| format!("{p:.0}%")),
        median: report
            .median_days()
            .map_or_else(|| "–".into(), |d| format!("{d:.1}")),
        report,
        year,
        frame,
    }))
}
