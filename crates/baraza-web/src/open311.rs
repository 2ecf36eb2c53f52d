//! Open311 GeoReport v2, in XML and JSON, under `/open311/v2`: discovery, the service list
//! (one service per category), service definitions, filing a request (with an API token
//! as `api_key`), token lookup, listing requests with the standard filters, one request;
//! plus the `servicerequestupdates` extension as FixMyStreet uses it. A request filed
//! here is an ordinary case: same reference numbers, journal and deadlines.
//!
//! Nothing personal goes out: a request's description is shown only where the citizen
//! agreed to publication, masked like every public text; contacts never.

use crate::AppState;
use crate::error::AppError;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use baraza_app::JurisdictionCatalog;
use baraza_app::input::{CitizenBody, CreateCaseRequest, LocationBody};
use baraza_app::privacy::{self, Audience};
use baraza_app::words;
use baraza_core::lifecycle::status_after_event;
use baraza_core::*;
use chrono::SecondsFormat;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

pub const BASE: &str = "/open311/v2";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/discovery.{fmt}", get(discovery))
        .route("/open311/v2/services.{fmt}", get(services))
        .route("/open311/v2/services/{file}", get(service_definition))
        .route("/open311/v2/requests.{fmt}", get(requests).post(create))
        .route("/open311/v2/requests/{file}", get(one_request))
        .route("/open311/v2/tokens/{file}", get(token))
        .route(
            "/open311/v2/servicerequestupdates.{fmt}",
            get(updates).post(post_update),
        )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xml,
    Json,
}

impl Format {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "xml" => Some(Format::Xml),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// `name.fmt` -> (name, format).
fn split_file(file: &str) -> Result<(String, Format), Open311Error> {
    let (name, ext) = file
        .rsplit_once('.')
        .ok_or_else(|| Open311Error::not_found(Format::Xml, "add .xml or .json to the path"))?;
    let fmt = Format::parse(ext)
        .ok_or_else(|| Open311Error::not_found(Format::Xml, "the format is .xml or .json"))?;
    Ok((name.to_owned(), fmt))
}

/// An unknown path under the Open311 base: a 404 in the format the path asks for (XML
/// unless it ends in `.json`), as the specification asks and FixMyStreet's client reads.
pub fn unknown_route(path: &str) -> Response {
    let format = if path.ends_with(".json") {
        Format::Json
    } else {
        Format::Xml
    };
    Open311Error::not_found(format, format!("no such Open311 endpoint: {path}")).into_response()
}

fn format_of(fmt: &str) -> Result<Format, Open311Error> {
    Format::parse(fmt)
        .ok_or_else(|| Open311Error::not_found(Format::Xml, "the format is .xml or .json"))
}

/// An Open311 error: the HTTP status and the body's code agree.
#[derive(Debug)]
pub struct Open311Error {
    format: Format,
    status: StatusCode,
    description: String,
}

impl Open311Error {
    fn new(format: Format, status: StatusCode, description: impl Into<String>) -> Self {
        Self {
            format,
            status,
            description: description.into(),
        }
    }
    fn bad(format: Format, d: impl Into<String>) -> Self {
        Self::new(format, StatusCode::BAD_REQUEST, d)
    }
    fn not_found(format: Format, d: impl Into<String>) -> Self {
        Self::new(format, StatusCode::NOT_FOUND, d)
    }
    fn forbidden(format: Format, d: impl Into<String>) -> Self {
        Self::new(format, StatusCode::FORBIDDEN, d)
    }
    fn from_app(format: Format, e: AppError) -> Self {
        match e {
            AppError::Invalid(errs) => Self::bad(
                format,
                errs.iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            AppError::NotFound { detail, .. } => Self::not_found(format, detail),
            AppError::Forbidden { detail, .. } | AppError::Unauthorized { detail, .. } => {
                Self::forbidden(format, detail)
            }
            AppError::Conflict { detail, .. } | AppError::BadRequest { detail, .. } => {
                Self::bad(format, detail)
            }
            other => {
                tracing::error!(error = ?other, "open311 request failed");
                Self::new(
                    format,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the server could not complete the request; try again later",
                )
            }
        }
    }
}

impl From<baraza_store::StoreError> for Open311Error {
    fn from(e: baraza_store::StoreError) -> Self {
        Self::from_app(Format::Xml, e.into())
    }
}

impl IntoResponse for Open311Error {
    fn into_response(self) -> Response {
        let body = json!([{ "code": self.status.as_u16(), "description": self.description }]);
        let mut res = render(self.format, "errors", &body);
        *res.status_mut() = self.status;
        res
    }
}

type Result311<T> = Result<T, Open311Error>;

/// The XML element each list's items get, by the list's name.
fn item_name(list: &str) -> &'static str {
    match list {
        "services" => "service",
        "service_requests" => "request",
        "attributes" => "attribute",
        "values" => "value",
        "endpoints" => "endpoint",
        "formats" => "format",
        "errors" => "error",
        "service_request_updates" => "request_update",
        _ => "item",
    }
}

/// The order of an element's children, as the specification lists them.
fn field_order(element: &str) -> &'static [&'static str] {
    match element {
        "discovery" => &["changeset", "contact", "key_service", "endpoints"],
        "endpoint" => &["specification", "url", "changeset", "type", "formats"],
        "service" => &[
            "service_code",
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group",
        ],
        "service_definition" => &["service_code", "attributes"],
        "attribute" => &[
            "variable",
            "code",
            "datatype",
            "required",
            "datatype_description",
            "order",
            "description",
            "values",
        ],
        "value" => &["key", "name"],
        "request" => &[
            "service_request_id",
            "token",
            "status",
            "status_notes",
            "service_name",
            "service_code",
            "description",
            "agency_responsible",
            "service_notice",
            "requested_datetime",
            "updated_datetime",
            "expected_datetime",
            "address",
            "address_id",
            "zipcode",
            "lat",
            "long",
            "media_url",
            "account_id",
        ],
        "request_update" => &[
            "update_id",
            "service_request_id",
            "status",
            "updated_datetime",
            "description",
            "media_url",
        ],
        "error" => &["code", "description"],
        _ => &[],
    }
}

/// Text allowed in XML 1.0, escaped.
fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn xml_value(name: &str, v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str(&format!("<{name}/>")),
        Value::Array(items) => {
            out.push_str(&format!("<{name}>"));
            let item = item_name(name);
            for i in items {
                xml_value(item, i, out);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Object(map) => {
            out.push_str(&format!("<{name}>"));
            // The spec's element order (JSON objects keep none).
            let order = field_order(name);
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by_key(|k| order.iter().position(|o| o == k).unwrap_or(usize::MAX));
            for k in keys {
                xml_value(k, &map[k], out);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::String(s) => out.push_str(&format!("<{name}>{}</{name}>", xml_text(s))),
        Value::Bool(b) => out.push_str(&format!("<{name}>{b}</{name}>")),
        Value::Number(n) => out.push_str(&format!("<{name}>{n}</{name}>")),
    }
}

/// The XML form of a JSON answer: the list (or object) under `root`.
pub fn to_xml(root: &str, body: &Value) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    xml_value(root, body, &mut out);
    out
}

fn render(format: Format, root: &str, body: &Value) -> Response {
    match format {
        Format::Json => (
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            body.to_string(),
        )
            .into_response(),
        Format::Xml => (
            [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
            to_xml(root, body),
        )
            .into_response(),
    }
}

/// Query or form parameters, in order; repeated keys kept.
struct Params(Vec<(String, String)>);

impl Params {
    fn from_query(q: Option<String>) -> Self {
        Self(serde_urlencoded::from_str(q.as_deref().unwrap_or_default()).unwrap_or_default())
    }
    fn from_form(body: &[u8]) -> Self {
        Self(serde_urlencoded::from_bytes(body).unwrap_or_default())
    }
    /// A parameter; an empty one counts as absent.
    fn get(&self, k: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, v)| n == k && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    }
}

/// `jurisdiction_id` is required only when this server serves several jurisdictions.
async fn jurisdiction(
    state: &AppState,
    p: &Params,
    f: Format,
) -> Result311<Arc<JurisdictionCatalog>> {
    let all = state.store.jurisdictions().await?;
    let id = match p.get("jurisdiction_id") {
        Some(j) => JurisdictionId::parse(j)
            .map_err(|_| Open311Error::not_found(f, format!("no jurisdiction {j:?}")))?,
        None if all.len() == 1 => all[0].id.clone(),
        None => {
            return Err(Open311Error::bad(
                f,
                "jurisdiction_id is required: this server serves several jurisdictions",
            ));
        }
    };
    if !all.iter().any(|j| j.id == id) {
        return Err(Open311Error::not_found(
            f,
            format!("no jurisdiction {:?}", id.as_str()),
        ));
    }
    state
        .catalog
        .fresh(&*state.store, &id, |_| true)
        .await
        .map_err(|e| Open311Error::from_app(f, e.into()))?
        .ok_or_else(|| Open311Error::not_found(f, "no such jurisdiction"))
}

fn datetime(t: &Timestamp) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn parse_datetime(f: Format, field: &str, s: &str) -> Result311<Timestamp> {
    chrono::DateTime::parse_from_rfc3339(s)
        .or_else(|_| chrono::DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M%:z"))
        .map(|d| d.with_timezone(&chrono::Utc))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
        })
        .map_err(|_| {
            Open311Error::bad(
                f,
                format!("{field}: a W3C date and time, e.g. 2026-11-26T08:00:00Z"),
            )
        })
}

/// `start_date` and `end_date`: the end defaults to now, the start to `default_span`
/// before the end.
fn date_window(
    p: &Params,
    f: Format,
    now: Timestamp,
    default_span: chrono::Duration,
) -> Result311<(Timestamp, Timestamp)> {
    let end = match p.get("end_date") {
        Some(s) => parse_datetime(f, "end_date", s)?,
        None => now,
    };
    let start = match p.get("start_date") {
        Some(s) => parse_datetime(f, "start_date", s)?,
        None => end - default_span,
    };
    if end < start {
        return Err(Open311Error::bad(f, "end_date is before start_date"));
    }
    // The specification's window, for requests and for updates alike.
    if end - start > chrono::Duration::days(90) {
        return Err(Open311Error::bad(
            f,
            "start_date to end_date spans at most 90 days",
        ));
    }
    Ok((start, end))
}

async fn discovery(State(state): State<AppState>, Path(fmt): Path<String>) -> Result311<Response> {
    let f = format_of(&fmt)?;
    let changeset = state
        .store
        .jurisdictions()
        .await?
        .is_empty()
        .then(String::new)
        .unwrap_or_else(|| "2026-11-26T00:00:00Z".to_owned());
    let body = json!({
        "changeset": changeset,
        "contact": "The county's communications desk; see the public site's home page.",
        "key_service": "API keys are Baraza API tokens, issued by the county's system administrator (baraza token create).",
        "endpoints": [{
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": BASE,
            "changeset": changeset,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    });
    Ok(render(f, "discovery", &body))
}

fn service(c: &ServiceCategory, cat: &JurisdictionCatalog) -> Value {
    json!({
        "service_code": c.code,
        "service_name": c.name,
        "description": c.name,
        "metadata": true,
        "type": "realtime",
        "keywords": c.department,
        "group": cat.department(&c.department).map(|d| d.name.clone()),
    })
}

async fn services(
    State(state): State<AppState>,
    Path(fmt): Path<String>,
    RawQuery(q): RawQuery,
) -> Result311<Response> {
    let f = format_of(&fmt)?;
    let cat = jurisdiction(&state, &Params::from_query(q), f).await?;
    let list: Vec<Value> = cat.categories.iter().map(|c| service(c, &cat)).collect();
    Ok(render(f, "services", &Value::Array(list)))
}

async fn service_definition(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
) -> Result311<Response> {
    let (code, f) = split_file(&file)?;
    let cat = jurisdiction(&state, &Params::from_query(q), f).await?;
    let c = cat
        .category(&code)
        .ok_or_else(|| Open311Error::not_found(f, format!("no service {code:?}")))?;
    let mut wards: Vec<&Area> = cat.areas.leaves().collect();
    wards.sort_by(|a, b| a.name.cmp(&b.name));
    let body = json!({
        "service_code": c.code,
        "attributes": [{
            "variable": true,
            "code": "ward",
            "datatype": "singlevaluelist",
            "required": false,
            "datatype_description": "The ward where the problem is, if the location does not say",
            "order": 1,
            "description": "Ward",
            "values": wards.iter().map(|w| json!({"key": w.code.0, "name": w.name})).collect::<Vec<_>>(),
        }],
    });
    Ok(render(f, "service_definition", &body))
}

fn is_closed(s: Status) -> bool {
    s.is_final() || s == Status::Resolved
}

fn request_body(
    view: &privacy::CaseView<'_>,
    cat: &JurisdictionCatalog,
    notes: Option<String>,
    base: &str,
) -> Value {
    let case = view.case;
    let published = view.description.clone();
    let address = case.ward.as_ref().and_then(|w| cat.areas.get(w)).map(|a| {
        let parent = a
            .parent
            .as_ref()
            .and_then(|p| cat.areas.get(p))
            .map(|p| format!(", {}", p.name))
            .unwrap_or_default();
        format!("{}{parent}", a.name)
    });
    json!({
        "service_request_id": case.number.display_with(&cat.jurisdiction.reference_prefix),
        "status": if is_closed(case.status) { "closed" } else { "open" },
        "status_notes": notes,
        "service_name": case.category.as_deref().and_then(|c| cat.category(c)).map(|c| c.name.clone()),
        "service_code": case.category.clone().unwrap_or_else(|| "uncategorised".into()),
        "description": published,
        "agency_responsible": case.department.as_deref().and_then(|d| cat.department(d)).map(|d| d.name.clone()),
        "service_notice": Value::Null,
        "requested_datetime": datetime(&case.created_at),
        "updated_datetime": datetime(&case.updated_at),
        "expected_datetime": case.resolution_due.as_ref().map(datetime),
        "address": address,
        "address_id": case.ward.as_ref().map(|w| w.0.clone()),
        "zipcode": Value::Null,
        "lat": view.location.map(|l| l.lat),
        "long": view.location.map(|l| l.lon),
        // The first photo the public may see (approved by staff, with the citizen's
        // consent), where its tracking page serves it.
        "media_url": view.attachments.first().map(|a| {
            format!("{base}/track/{}/photo/{}", case.number.digits(), a.sha256)
        }),
    })
}

/// The kinds of event whose text is a request's `status_notes`: the official answer.
const NOTE_KINDS: [EventKind; 3] = [
    EventKind::Responded,
    EventKind::Rejected,
    EventKind::Referred,
];

/// Cases as Open311 requests: what Open311 clients may see of each (its text with the
/// citizen's consent, masked) and its last official response. Two queries for the whole
/// page, whatever its length: the citizens, and the answers.
async fn requests_of(
    state: &AppState,
    cases: &[Case],
    cat: &JurisdictionCatalog,
    base: &str,
) -> Result311<Vec<Value>> {
    let citizens = state
        .app()
        .citizens_of(cases)
        .await
        .map_err(|e| Open311Error::from_app(Format::Xml, e.into()))?;
    let ids: Vec<CaseId> = cases.iter().map(|c| c.id).collect();
    let mut answers: HashMap<CaseId, Vec<JournalEvent>> = HashMap::new();
    for e in state.store.events_of_kinds(&ids, &NOTE_KINDS).await? {
        answers.entry(e.case_id).or_default().push(e);
    }
    Ok(cases
        .iter()
        .zip(&citizens)
        .map(|(case, citizen)| {
            let view = privacy::case_view(case, citizen.as_ref(), Audience::Open311);
            let notes = answers
                .get(&case.id)
                .into_iter()
                .flatten()
                .rev()
                .find_map(|e| privacy::event_view(e, citizen.as_ref(), Audience::Open311))
                .and_then(|v| v.str("text").or_else(|| v.str("reason")).map(str::to_owned));
            request_body(&view, cat, notes, base)
        })
        .collect())
}

async fn requests(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Path(fmt): Path<String>,
    RawQuery(q): RawQuery,
) -> Result311<Response> {
    let f = format_of(&fmt)?;
    let p = Params::from_query(q);
    let cat = jurisdiction(&state, &p, f).await?;
    let mut cases = Vec::new();
    if let Some(ids) = p.get("service_request_id") {
        for id in ids.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            // Information requests are published on their own pages, at their prominence:
            // they are no Open311 service requests.
            if let Ok(n) = CaseNumber::parse(id)
                && let Some(c) = state.store.case_by_number(n).await?
                && c.jurisdiction == cat.jurisdiction.id
                && !c.is_request()
            {
                cases.push(c);
            }
        }
    } else {
        let (start, end) = date_window(&p, f, state.clock.now(), chrono::Duration::days(90))?;
        let statuses: Vec<Status> = match p.get("status") {
            None => Vec::new(),
            Some(list) => {
                let mut out = Vec::new();
                for s in list.split(',').map(str::trim) {
                    match s {
                        "open" => out.extend(Status::ALL.iter().filter(|s| !is_closed(**s))),
                        "closed" => out.extend(Status::ALL.iter().filter(|s| is_closed(**s))),
                        other => {
                            return Err(Open311Error::bad(
                                f,
                                format!("status: open or closed, not {other:?}"),
                            ));
                        }
                    }
                }
                out
            }
        };
        let codes: Vec<&str> = p
            .get("service_code")
            .map(|c| {
                c.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        // `max_requests` (FixMyStreet's and most clients' page size): at most 1,000, the
        // GeoReport v2 limit, which is also the default.
        let limit = match p.get("max_requests") {
            None => 1000,
            Some(m) => match m.trim().parse::<u32>() {
                Ok(n) if (1..=1000).contains(&n) => n,
                _ => {
                    return Err(Open311Error::bad(
                        f,
                        format!("max_requests: a number from 1 to 1000, not {m:?}"),
                    ));
                }
            },
        };
        let filter = CaseFilter {
            jurisdiction: Some(cat.jurisdiction.id.clone()),
            statuses,
            created_from: Some(start),
            created_to: Some(end + chrono::Duration::microseconds(1)),
            information: Some(false),
            limit,
            ..Default::default()
        };
        if codes.is_empty() {
            cases = state.store.list_cases(&filter).await?;
        } else {
            for code in codes {
                let mut fc = filter.clone();
                fc.category = Some(code.to_owned());
                cases.extend(state.store.list_cases(&fc).await?);
            }
            cases.sort_by_key(|c| std::cmp::Reverse((c.created_at, c.id.0)));
            cases.truncate(limit as usize);
        }
    }
    let base = state.base_url(&headers);
    let list = requests_of(&state, &cases, &cat, &base).await?;
    Ok(render(f, "service_requests", &Value::Array(list)))
}

async fn one_request(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
) -> Result311<Response> {
    let (id, f) = split_file(&file)?;
    let cat = jurisdiction(&state, &Params::from_query(q), f).await?;
    let case = match CaseNumber::parse(&id) {
        Ok(n) => state.store.case_by_number(n).await?,
        Err(_) => None,
    }
    .filter(|c| c.jurisdiction == cat.jurisdiction.id && !c.is_request())
    .ok_or_else(|| Open311Error::not_found(f, format!("no service request {id:?}")))?;
    let base = state.base_url(&headers);
    let body = Value::Array(requests_of(&state, &[case], &cat, &base).await?);
    Ok(render(f, "service_requests", &body))
}

/// Requests are filed at once (`realtime`): no token is ever issued.
async fn token(Path(file): Path<String>) -> Result311<Response> {
    let (t, f) = split_file(&file)?;
    Err(Open311Error::not_found(
        f,
        format!("no token {t:?}: requests here get their id at once"),
    ))
}

/// The staff user (or Open311 integration) behind an `api_key` (a Baraza API token) of
/// this jurisdiction; what it may do is decided by the application layer.
async fn api_user(
    state: &AppState,
    p: &Params,
    f: Format,
    cat: &JurisdictionCatalog,
) -> Result311<StaffUser> {
    let key = p
        .get("api_key")
        .ok_or_else(|| Open311Error::forbidden(f, "api_key is required"))?;
    let token = state
        .store
        .token_by_secret_sha256(&TokenSecret::from_presented(key).sha256_hex())
        .await?
        .filter(|t| t.revoked_at.is_none())
        .ok_or_else(|| Open311Error::forbidden(f, "this api_key is not valid"))?;
    let user = state
        .store
        .user(token.user)
        .await?
        .filter(|u| !u.disabled && u.jurisdiction == cat.jurisdiction.id)
        .ok_or_else(|| {
            Open311Error::forbidden(f, "this api_key is not valid for this jurisdiction")
        })?;
    Ok(user)
}

async fn create(
    State(state): State<AppState>,
    Path(fmt): Path<String>,
    body: Bytes,
) -> Result311<Response> {
    let f = format_of(&fmt)?;
    let p = Params::from_form(&body);
    let cat = jurisdiction(&state, &p, f).await?;
    let user = api_user(&state, &p, f, &cat).await?;
    let code = p
        .get("service_code")
        .ok_or_else(|| Open311Error::bad(f, "service_code is required"))?;
    let category = cat
        .category(code)
        .ok_or_else(|| Open311Error::not_found(f, format!("no service {code:?}")))?;
    let location = match (p.get("lat"), p.get("long")) {
        (Some(lat), Some(lon)) => Some(LocationBody {
            lat: lat
                .parse()
                .map_err(|_| Open311Error::bad(f, "lat: a decimal latitude"))?,
            lon: lon
                .parse()
                .map_err(|_| Open311Error::bad(f, "long: a decimal longitude"))?,
        }),
        (None, None) => None,
        _ => return Err(Open311Error::bad(f, "give both lat and long")),
    };
    let address = p.get("address_string");
    let ward = p.get("attribute[ward]").map(str::to_owned).or_else(|| {
        p.get("address_id")
            .filter(|a| !a.starts_with('#'))
            .map(str::to_owned)
    });
    if location.is_none() && address.is_none() && p.get("address_id").is_none() {
        return Err(Open311Error::bad(
            f,
            "a location is required: lat and long, address_string or address_id",
        ));
    }
    let mut description = p
        .get("description")
        .map(str::to_owned)
        .unwrap_or_else(|| category.name.clone());
    if let Some(a) = address {
        description = format!("{description}\n({a})");
    }
    let name = [p.get("first_name"), p.get("last_name")]
        .into_iter()
        .flatten()
        .filter(|n| *n != "-")
        .collect::<Vec<_>>()
        .join(" ");
    let contact = p.get("email").is_some() || p.get("phone").is_some();
    let request = CreateCaseRequest {
        kind: Some("complaint".into()),
        channel: Some("api".into()),
        category: Some(category.code.clone()),
        ward,
        location,
        description: Some(description),
        attachments: Vec::new(),
        citizen: (contact || !name.is_empty()).then(|| CitizenBody {
            phone: p.get("phone").map(str::to_owned),
            whatsapp_id: None,
            email: p.get("email").map(str::to_owned),
            name: (!name.is_empty()).then_some(name),
            language: None,
            gender: None,
            age_band: None,
            consent_contact: Some(contact),
            consent_publish: Some(false),
        }),
        urgency: None,
        subject: None,
    };
    // One intake path and one scope rule: the same as the API's.
    let (intake, _) = state
        .app()
        .file_for_citizen(&user, Channel::Api, request, None)
        .await
        .map_err(|e| Open311Error::from_app(f, e.into()))?;
    let reference = intake
        .case
        .number
        .display_with(&cat.jurisdiction.reference_prefix);
    let body = json!([{
        "service_request_id": reference,
        "service_notice": format!("Reference {reference}. Follow it at /track?ref={}", intake.case.number.digits()),
        "account_id": Value::Null,
    }]);
    Ok(render(f, "service_requests", &body))
}

/// The extended status FixMyStreet reads, for a case status.
fn update_status(s: Status) -> &'static str {
    match s {
        Status::Received | Status::Reopened => "open",
        Status::Acknowledged | Status::Triaged | Status::Escalated => "investigating",
        Status::Assigned => "action_scheduled",
        Status::InProgress => "in_progress",
        Status::Responded | Status::Resolved => "fixed",
        Status::Closed | Status::ClosedUnconfirmed => "closed",
        Status::Rejected => "no_further_action",
        Status::Referred => "not_councils_responsibility",
        Status::Duplicate => "duplicate",
    }
}

async fn updates(
    State(state): State<AppState>,
    Path(fmt): Path<String>,
    RawQuery(q): RawQuery,
) -> Result311<Response> {
    let f = format_of(&fmt)?;
    let p = Params::from_query(q);
    let cat = jurisdiction(&state, &p, f).await?;
    if p.get("api_key").is_some() {
        api_user(&state, &p, f, &cat).await?;
    }
    let (start, end) = date_window(&p, f, state.clock.now(), chrono::Duration::hours(24))?;
    let events = state
        .store
        .public_events(&cat.jurisdiction.id, start, end, 1000)
        .await?;
    // Each update carries the status its case had right after it.
    let mut list = Vec::new();
    let mut statuses: std::collections::HashMap<CaseId, Option<Status>> = Default::default();
    let mut citizens: std::collections::HashMap<CaseId, Option<Citizen>> = Default::default();
    for (number, e) in &events {
        if let std::collections::hash_map::Entry::Vacant(slot) = statuses.entry(e.case_id) {
            // The status before the window: replay the case's journal up to this event.
            let mut s = None;
            for earlier in state.store.case_events(e.case_id).await? {
                if earlier.seq >= e.seq {
                    break;
                }
                s = status_after_event(earlier.kind, s);
            }
            slot.insert(s);
        }
        let entry = statuses.entry(e.case_id).or_default();
        *entry = status_after_event(e.kind, *entry);
        let status = entry.map_or("open", update_status);
        // What the citizen wrote stays theirs: their messages are not updates.
        if matches!(e.kind, EventKind::CitizenReplied | EventKind::Received) {
            continue;
        }
        if let std::collections::hash_map::Entry::Vacant(slot) = citizens.entry(e.case_id) {
            let case = state.store.case_by_number(*number).await?;
            let citizen = match case.as_ref() {
                Some(c) => state
                    .app()
                    .citizen_of(c)
                    .await
                    .map_err(|e| Open311Error::from_app(f, e.into()))?,
                None => None,
            };
            slot.insert(citizen);
        }
        let citizen = citizens.get(&e.case_id).and_then(Option::as_ref);
        let text = privacy::event_view(e, citizen, Audience::Open311)
            .and_then(|v| words::update_text(&v))
            .unwrap_or_default();
        list.push(json!({
            "update_id": e.seq.to_string(),
            "service_request_id": number.display_with(&cat.jurisdiction.reference_prefix),
            "status": status,
            "updated_datetime": datetime(&e.at),
            "description": text,
            "media_url": "",
        }));
    }
    Ok(render(f, "service_request_updates", &Value::Array(list)))
}

/// An update on a request: from an integration (FixMyStreet), its citizen's words on a
/// request it filed; from a staff member's key, a staff action. The rules, and the
/// once-only `update_id`, are the application layer's (`baraza_app::updates`).
async fn post_update(
    State(state): State<AppState>,
    Path(fmt): Path<String>,
    body: Bytes,
) -> Result311<Response> {
    let f = format_of(&fmt)?;
    let p = Params::from_form(&body);
    let cat = jurisdiction(&state, &p, f).await?;
    let user = api_user(&state, &p, f, &cat).await?;
    let id = p
        .get("service_request_id")
        .ok_or_else(|| Open311Error::bad(f, "service_request_id is required"))?;
    let update_id = p
        .get("update_id")
        .ok_or_else(|| Open311Error::bad(f, "update_id is required"))?;
    let status = p
        .get("status")
        .ok_or_else(|| Open311Error::bad(f, "status is required"))?;
    let number = CaseNumber::parse(id)
        .map_err(|_| Open311Error::not_found(f, format!("no service request {id:?}")))?;
    let seq = state
        .app()
        .post_update(&user, &cat, number, update_id, status, p.get("description"))
        .await
        .map_err(|e| match e {
            baraza_app::Error::NotFound(_) => {
                Open311Error::not_found(f, format!("no service request {id:?}"))
            }
            other => Open311Error::from_app(f, other.into()),
        })?;
    let body = json!([{ "update_id": seq.to_string() }]);
    Ok(render(f, "service_request_updates", &body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_mirrors_json_with_spec_element_names() {
        let body = json!([{"service_code": "a&b", "metadata": true, "group": null}]);
        assert_eq!(
            to_xml("services", &body),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><services><service><service_code>a&amp;b</service_code>\
             <metadata>true</metadata><group/></service></services>"
        );
        assert_eq!(xml_text("a\u{1}b<"), "ab&lt;");
    }
}
