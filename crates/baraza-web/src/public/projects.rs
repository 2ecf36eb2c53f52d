//! Public projects and their open contracting data. Pages: every project by ward,
//! department, sector and status; a project's budget, contract, payments, red flags,
//! approved committee reports and documents, with a form for a citizen's concern (a case
//! linked to the project). Data: OCDS 1.1.5 release and record packages per ocid and in
//! bulk (JSON, JSON Lines), OC4IDS project packages, and a CSV of contracts. Everything
//! comes from the public projection (`privacy::public_project`).

use super::{PublicFrame, jurisdiction_of, page_catalog};
use crate::AppState;
use crate::error::{ApiQuery, AppError, FormBody};
use crate::html::{Tr, random_hex, render, set_cookie};
use askama::Template;
use axum::Router;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use baraza_app::privacy::public_project;
use baraza_app::projects::{CONTRACT_COLUMNS, Publication, contract_rows};
use baraza_core::project::{ProcessView, Project, RedFlag, ReportKind};
use baraza_core::ward_map;
use baraza_core::*;
use serde::Deserialize;
use std::collections::HashMap;

const FORM_COOKIE: &str = "bz_project_form";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/projects", get(list))
        .route("/projects/contracts.csv", get(contracts_csv))
        .route("/projects/publication-policy", get(policy))
        .route("/projects/{code}", get(project_page).post(feedback))
        .route("/projects/{code}/files/{sha256}", get(file))
        .route("/ocds/releases.json", get(all_releases))
        .route("/ocds/releases.jsonl", get(all_releases_lines))
        .route("/ocds/releases/{file}", get(release_package))
        .route("/ocds/records/{file}", get(record_package))
        .route("/oc4ids/projects.json", get(all_projects))
        .route("/oc4ids/projects/{file}", get(project_package))
}

#[derive(Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    j: String,
    #[serde(default)]
    ward: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    status: String,
    /// The reference of the concern just filed (after the redirect).
    #[serde(default)]
    filed: String,
    /// The page of the list, from 1.
    #[serde(default)]
    page: String,
}

/// Projects on a page of the list.
const PER_PAGE: usize = 50;

/// A ward on the map: its shape, how many projects it has (under the other filters) and
/// the class of colour that gives.
pub struct MapWard {
    pub code: String,
    pub name: String,
    pub path: String,
    pub count: usize,
    /// `c0` … `c4`, or `cx` for a ward the ward list lacks.
    pub class: &'static str,
    pub listed: bool,
    pub selected: bool,
}

pub struct MapView {
    pub width: u32,
    pub height: u32,
    pub wards: Vec<MapWard>,
    /// (class, label) from no project to the most.
    pub legend: Vec<(&'static str, String)>,
    pub attribution: String,
    /// Names of listed wards the boundaries lack.
    pub missing: Vec<String>,
}

const CLASSES: [&str; 5] = ["c0", "c1", "c2", "c3", "c4"];

/// The colour class of `n` projects when the busiest ward has `max`: none, then four
/// equal steps up to the maximum.
fn class_of(n: usize, max: usize) -> usize {
    if n == 0 {
        0
    } else {
        1 + ((n - 1) * 4 / max.max(1)).min(3)
    }
}

fn map_view(
    map: &ward_map::WardMap,
    counts: &HashMap<&str, usize>,
    selected: &str,
    cat: &baraza_app::JurisdictionCatalog,
    tr: &Tr,
) -> MapView {
    let max = counts.values().copied().max().unwrap_or(0);
    let mut wards: Vec<MapWard> = map
        .shapes
        .iter()
        .map(|s| {
            let count = counts.get(s.code.as_str()).copied().unwrap_or(0);
            MapWard {
                code: s.code.to_string(),
                name: s.name.clone(),
                path: s.path.clone(),
                count,
                class: if s.listed {
                    CLASSES[class_of(count, max)]
                } else {
                    "cx"
                },
                listed: s.listed,
                selected: s.code.as_str() == selected,
            }
        })
        .collect();
    // The chosen ward is drawn last, so that its outline is not hidden by its neighbours.
    wards.sort_by_key(|w| w.selected);
    let mut legend = vec![("c0", "0".to_owned())];
    for (c, class) in CLASSES.iter().enumerate().skip(1) {
        let ns: Vec<usize> = (1..=max).filter(|&n| class_of(n, max) == c).collect();
        match (ns.first(), ns.last()) {
            (Some(a), Some(b)) if a == b => legend.push((*class, a.to_string())),
            (Some(a), Some(b)) => legend.push((*class, format!("{a}–{b}"))),
            _ => {}
        }
    }
    if map.shapes.iter().any(|s| !s.listed) {
        legend.push(("cx", tr.t("map-not-listed")));
    }
    MapView {
        width: map.width,
        height: map.height,
        wards,
        legend,
        attribution: map.attribution.clone(),
        missing: map.missing.iter().map(|w| cat.area_name(Some(w))).collect(),
    }
}

pub struct Row {
    pub code: String,
    pub title: String,
    pub wards: String,
    pub department: String,
    pub status: String,
    pub budget: String,
    pub contract: String,
    pub paid: String,
    pub flags: usize,
}

#[derive(Template)]
#[template(path = "public/projects.html")]
struct ListPage {
    frame: PublicFrame,
    rows: Vec<Row>,
    wards: Vec<(String, String, bool)>,
    departments: Vec<(String, String, bool)>,
    sectors: Vec<(String, String, bool)>,
    statuses: Vec<(String, String, bool)>,
    total: usize,
    /// How many match the filters; the rows are one page of them.
    matching: usize,
    first: usize,
    last: usize,
    previous: Option<String>,
    next: Option<String>,
    map: Option<MapView>,
    /// Projects per ward under the other filters, for the list beside the map.
    by_ward: Vec<(String, String, usize)>,
}

fn money(v: f64, currency: &str) -> String {
    let whole = format!("{:.0}", v.round());
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 && c != '-' {
            out.push(',');
        }
        out.push(c);
    }
    format!("{currency} {out}")
}

pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<Filter>,
) -> Result<Response, AppError> {
    let cat = page_catalog(&state, &headers, Some(&q.j)).await?;
    let frame = PublicFrame::new(&headers, &cat, !q.j.is_empty(), "projects-title");
    let tr = frame.tr;
    let day = cat.targets.local_date(state.clock.now());
    let all = state.app().projects(&cat.jurisdiction.id).await?;
    let others = |p: &&Project| {
        (q.department.is_empty() || p.department == q.department)
            && (q.sector.is_empty() || p.sector.code() == q.sector)
            && (q.status.is_empty() || p.status.code() == q.status)
    };
    let keep = |p: &&Project| {
        (q.ward.is_empty() || p.wards.iter().any(|w| w.as_str() == q.ward)) && others(p)
    };
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for p in all.iter().filter(others) {
        for w in &p.wards {
            *counts.entry(w.as_str()).or_default() += 1;
        }
    }
    let matching = all.iter().filter(keep).count();
    let pages = matching.div_ceil(PER_PAGE).max(1);
    let page = q.page.trim().parse::<usize>().unwrap_or(1).clamp(1, pages);
    let page_link = |n: usize| {
        let mut link = String::from("/projects?");
        for (k, v) in [
            ("ward", &q.ward),
            ("department", &q.department),
            ("sector", &q.sector),
            ("status", &q.status),
        ] {
            // Codes only: anything else in them is dropped from the link.
            let v: String = v
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
                .collect();
            if !v.is_empty() {
                link.push_str(&format!("{k}={v}&"));
            }
        }
        frame.link(&format!("{link}page={n}"))
    };
    let rows: Vec<Row> = all
        .iter()
        .filter(keep)
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|p| Row {
            code: p.code.clone(),
            title: p.title.clone(),
            wards: p
                .wards
                .iter()
                .map(|w| cat.area_name(Some(w)))
                .collect::<Vec<_>>()
                .join(", "),
            department: cat.department_name(Some(&p.department)),
            status: tr.t(&format!("project-status-{}", p.status)),
            budget: money(p.budget, &p.currency),
            contract: match p.contract_value() {
                v if v > 0.0 => money(v, &p.currency),
                _ => String::new(),
            },
            paid: money(p.paid(), &p.currency),
            flags: p.red_flags(day).len(),
        })
        .collect();
    let mut ward_codes: Vec<&AreaCode> = all.iter().flat_map(|p| &p.wards).collect();
    ward_codes.sort();
    ward_codes.dedup();
    let mut departments: Vec<&str> = all.iter().map(|p| p.department.as_str()).collect();
    departments.sort_unstable();
    departments.dedup();
    let mut sectors: Vec<project::Sector> = all.iter().map(|p| p.sector).collect();
    sectors.sort();
    sectors.dedup();
    let mut statuses: Vec<project::ProjectStatus> = all.iter().map(|p| p.status).collect();
    statuses.sort();
    statuses.dedup();
    let map = cat
        .jurisdiction
        .ward_map
        .as_ref()
        .map(|m| map_view(m, &counts, &q.ward, &cat, &tr));
    let mut by_ward: Vec<(String, String, usize)> = cat
        .areas
        .leaves()
        .map(|a| {
            (
                a.code.to_string(),
                a.name.clone(),
                counts.get(a.code.as_str()).copied().unwrap_or(0),
            )
        })
        .collect();
    by_ward.sort_by(|a, b| a.1.cmp(&b.1));
    let first = if matching == 0 {
        0
    } else {
        (page - 1) * PER_PAGE + 1
    };
    Ok(render(&ListPage {
        total: all.len(),
        matching,
        first,
        last: first + rows.len().saturating_sub(1),
        previous: (page > 1).then(|| page_link(page - 1)),
        next: (page < pages).then(|| page_link(page + 1)),
        map,
        by_ward,
        wards: ward_codes
            .iter()
            .map(|w| (w.to_string(), cat.area_name(Some(w)), w.as_str() == q.ward))
            .collect(),
        departments: departments
            .iter()
            .map(|d| {
                (
                    (*d).to_owned(),
                    cat.department_name(Some(d)),
                    *d == q.department,
                )
            })
            .collect(),
        sectors: sectors
            .iter()
            .map(|s| {
                (
                    s.code().to_owned(),
                    tr.t(&format!("sector-{}", s.code().replace('.', "-"))),
                    s.code() == q.sector,
                )
            })
            .collect(),
        statuses: statuses
            .iter()
            .map(|s| {
                (
                    s.code().to_owned(),
                    tr.t(&format!("project-status-{s}")),
                    s.code() == q.status,
                )
            })
            .collect(),
        rows,
        frame,
    }))
}

pub struct ProcessRow {
    pub ocid: String,
    pub stage: String,
    pub method: String,
    pub tender: String,
    pub tender_value: String,
    pub closes: String,
    pub tenderers: String,
    pub supplier: String,
    pub award_value: String,
    pub contract_value: String,
    pub signed: String,
    pub ends: String,
    pub amendments: Vec<(String, String)>,
    pub payments: Vec<(String, String)>,
    pub paid: String,
    pub documents: Vec<(String, String)>,
}

pub struct ReportRow {
    pub id: u32,
    pub kind: String,
    pub status: String,
    pub status_code: String,
    pub approved: String,
    pub text: String,
    pub safeguards: String,
    pub complaints: String,
    pub challenges: String,
    pub handover: bool,
    pub photos: Vec<(String, String)>,
}

/// The committee: when it was elected, at which forum, its members and their roles.
type PmcView = (String, String, Vec<(String, String)>);

#[derive(Template)]
#[template(path = "public/project.html")]
struct ProjectPage {
    frame: PublicFrame,
    p: Project,
    wards: String,
    department: String,
    sector: String,
    status: String,
    budget: String,
    contract: String,
    paid: String,
    flags: Vec<String>,
    processes: Vec<ProcessRow>,
    pmc: Option<PmcView>,
    reports: Vec<ReportRow>,
    documents: Vec<(String, String, String)>,
    feedback_total: u64,
    feedback_open: u64,
    feedback_answered: u64,
    oc4ids: String,
    csrf: String,
    key: String,
    filed: String,
    errors: Vec<String>,
    description: String,
    sms_number: String,
}

fn day_of(s: &Option<String>) -> String {
    s.as_deref()
        .map(|d| d.get(..10).unwrap_or(d).to_owned())
        .unwrap_or_default()
}

fn flag_text(f: &RedFlag, tr: &Tr, currency: &str) -> String {
    match f {
        RedFlag::ValueAboveBudget { value, budget, .. } => format!(
            "{}: {} > {}",
            tr.t("flag-value-above-budget"),
            money(*value, currency),
            money(*budget, currency)
        ),
        RedFlag::PastEndWithoutExtension { ended, .. } => {
            format!("{}: {ended}", tr.t("flag-past-end-without-extension"))
        }
        RedFlag::PaymentWithoutApprovedReport { date, amount, .. } => format!(
            "{}: {} ({date})",
            tr.t("flag-payment-without-approved-report"),
            money(*amount, currency)
        ),
        RedFlag::SingleBidder { .. } => tr.t("flag-single-bidder"),
    }
}

#[allow(clippy::too_many_arguments)]
async fn project_response(
    state: &AppState,
    headers: &HeaderMap,
    j: &str,
    code: &str,
    filed: String,
    errors: Vec<String>,
    description: String,
    status: StatusCode,
) -> Result<Response, AppError> {
    let cat = page_catalog(state, headers, Some(j)).await?;
    let frame = PublicFrame::new(headers, &cat, !j.is_empty(), "projects-title");
    let tr = frame.tr;
    let app = state.app();
    let p = public_project(&app.project(&cat.jurisdiction.id, code).await?);
    let day = cat.targets.local_date(state.clock.now());
    let cur = p.currency.clone();
    let m = |v: Option<f64>| v.map(|v| money(v, &cur)).unwrap_or_default();
    let processes = p
        .processes
        .iter()
        .map(|x| {
            let v = ProcessView::of(x);
            ProcessRow {
                ocid: x.ocid.clone(),
                stage: tr.t(&format!("stage-{}", v.stage)),
                method: v.method.clone().unwrap_or_default(),
                tender: v.tender_title.clone().unwrap_or_default(),
                tender_value: m(v.tender_value),
                closes: day_of(&v.tender_closes),
                tenderers: v.tenderers.map(|t| t.to_string()).unwrap_or_default(),
                supplier: v.supplier.clone().unwrap_or_default(),
                award_value: m(v.award_value),
                contract_value: m(v.contract_value),
                signed: day_of(&v.contract_signed),
                ends: day_of(&v.contract_ends),
                amendments: v
                    .amendments
                    .iter()
                    .map(|(d, r)| (d.get(..10).unwrap_or(d).to_owned(), r.clone()))
                    .collect(),
                payments: v
                    .payments
                    .iter()
                    .map(|(d, a)| (d.get(..10).unwrap_or(d).to_owned(), money(*a, &cur)))
                    .collect(),
                paid: money(v.paid, &cur),
                documents: v
                    .documents
                    .iter()
                    .map(|(t, u, _)| (t.clone(), u.clone()))
                    .collect(),
            }
        })
        .collect();
    let mut reports: Vec<ReportRow> = p
        .reports
        .iter()
        .map(|r| ReportRow {
            id: r.id,
            kind: tr.t(match r.filed.kind {
                ReportKind::Pmc => "report-pmc",
                ReportKind::Inspection => "report-inspection",
            }),
            status: tr.t(&format!("pmc-status-{}", r.filed.status)),
            status_code: r.filed.status.to_string(),
            approved: r
                .approved_at()
                .map(|t| cat.local_time(&t))
                .unwrap_or_default(),
            text: r.filed.text.clone(),
            safeguards: r.filed.social_safeguards.clone(),
            complaints: r.filed.emerging_complaints.clone(),
            challenges: r.filed.challenges.clone(),
            handover: r.filed.handover,
            photos: r
                .filed
                .photos
                .iter()
                .map(|f| {
                    (
                        f.filename.clone(),
                        format!("/projects/{}/files/{}", p.code, f.sha256),
                    )
                })
                .collect(),
        })
        .collect();
    reports.reverse();
    let feedback = app.project_feedback(&cat.jurisdiction.id, &p.code).await?;
    // The disclosure log's publications about it (the Auditor-General's report on it).
    let published = app
        .publications_about(&cat.jurisdiction.id, &p.code)
        .await?;
    let csrf = random_hex(16);
    let mut res = render(&ProjectPage {
        wards: p
            .wards
            .iter()
            .map(|w| cat.area_name(Some(w)))
            .collect::<Vec<_>>()
            .join(", "),
        department: cat.department_name(Some(&p.department)),
        sector: tr.t(&format!("sector-{}", p.sector.code().replace('.', "-"))),
        status: tr.t(&format!("project-status-{}", p.status)),
        budget: money(p.budget, &p.currency),
        contract: match p.contract_value() {
            v if v > 0.0 => money(v, &p.currency),
            _ => String::new(),
        },
        paid: money(p.paid(), &p.currency),
        flags: p
            .red_flags(day)
            .iter()
            .map(|f| flag_text(f, &tr, &p.currency))
            .collect(),
        processes,
        pmc: p.pmc.as_ref().map(|c| {
            (
                c.elected_on.to_string(),
                c.forum.clone(),
                c.members
                    .iter()
                    .map(|m| (m.name.clone(), m.designation.clone()))
                    .collect(),
            )
        }),
        reports,
        documents: p
            .documents
            .iter()
            .map(|d| {
                (
                    d.title.clone(),
                    format!("/projects/{}/files/{}", p.code, d.file.sha256),
                    d.fiscal_year.clone().unwrap_or_default(),
                )
            })
            .chain(published.into_iter().map(|x| {
                let link = match (&x.document, &x.url) {
                    (None, Some(u)) => u.clone(),
                    _ => format!("/information/disclosures/{}/document", x.id),
                };
                (x.title, link, x.period)
            }))
            .collect(),
        feedback_total: feedback.total,
        feedback_open: feedback.open,
        feedback_answered: feedback.answered,
        oc4ids: format!("/oc4ids/projects/{}.json", p.code),
        csrf: csrf.clone(),
        key: random_hex(12),
        filed,
        errors,
        description,
        sms_number: state.channels.sms_number().unwrap_or_default(),
        p,
        frame,
    });
    *res.status_mut() = status;
    if let Ok(v) = set_cookie(headers, FORM_COOKIE, &csrf, 3600).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

pub async fn project_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<Filter>,
) -> Result<Response, AppError> {
    project_response(
        &state,
        &headers,
        &q.j,
        &code,
        q.filed,
        vec![],
        String::new(),
        StatusCode::OK,
    )
    .await
}

/// A citizen's concern about a project, from its page: a case linked to the project,
/// routed to the implementing department like any other.
pub async fn feedback(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Path(code): Path<String>,
    FormBody(values): FormBody<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let j = values.get("j").cloned().unwrap_or_default();
    let tr = Tr::new(crate::html::language(&headers));
    let description = values
        .get("description")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    let again = |errors: Vec<String>, status| {
        project_response(
            &state,
            &headers,
            &j,
            &code,
            String::new(),
            errors,
            description.clone(),
            status,
        )
    };
    if !super::form_token_ok(&headers, FORM_COOKIE, &values) {
        return again(vec![tr.t("csrf-failed")], StatusCode::FORBIDDEN).await;
    }
    if state
        .senders
        .throttled(&format!("web:{}", state.client_ip(peer, &headers)))
    {
        return again(
            vec![tr.t("too-many-requests")],
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    let cat = page_catalog(&state, &headers, Some(&j)).await?;
    let p = state.app().project(&cat.jurisdiction.id, &code).await?;
    let mut body = super::written_filing(
        &values,
        &tr,
        CaseKind::Complaint,
        Some(format!("project:{}", p.code)),
    );
    // The concern is about the project's ward.
    if body.ward.is_none() {
        body.ward = p.wards.first().map(ToString::to_string);
    }
    let key = values
        .get("key")
        .filter(|k| !k.trim().is_empty())
        .map(|k| format!("web:{}", k.trim()));
    let new = match baraza_app::intake::build_new_case(&cat, body, key, state.clock.now()) {
        Ok(new) => new,
        Err(baraza_app::Error::Invalid(errs)) => {
            return again(
                errs.iter()
                    .map(|e| crate::html::field_error(e, &tr))
                    .collect(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    };
    let intake = state.app().file_from_citizen(new, Channel::Web).await?;
    let mut to = format!(
        "/projects/{}?filed={}#feedback",
        p.code,
        intake.case.number.digits()
    );
    if !j.is_empty() {
        to = format!(
            "/projects/{}?filed={}&j={}#feedback",
            p.code,
            intake.case.number.digits(),
            j.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect::<String>()
        );
    }
    Ok(Redirect::to(&to).into_response())
}

/// A photo or document the public projection of the project holds.
pub async fn file(
    State(state): State<AppState>,
    Path((code, sha256)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<Filter>,
) -> Result<Response, AppError> {
    let cat = jurisdiction_of(&state, Some(&q.j)).await?;
    let p = public_project(&state.app().project(&cat.jurisdiction.id, &code).await?);
    match baraza_app::projects::project_file(&p, &sha256) {
        Some(doc) => Ok(crate::html::serve_document(state.media_dir.as_deref(), &doc).await),
        None => Err(AppError::not_found("document")),
    }
}

#[derive(Template)]
#[template(path = "public/publication_policy.html")]
struct PolicyPage {
    frame: PublicFrame,
    prefix: String,
    project_prefix: String,
    publisher: String,
}

/// What is published, when, under which licence, and how to check it.
pub async fn policy(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<Filter>,
) -> Result<Response, AppError> {
    let cat = page_catalog(&state, &headers, Some(&q.j)).await?;
    let oc = baraza_app::projects::open_contracting(&cat.jurisdiction)?;
    Ok(render(&PolicyPage {
        prefix: oc.ocid_prefix.clone(),
        project_prefix: oc.project_prefix.clone(),
        publisher: oc.publisher.clone(),
        frame: PublicFrame::new(&headers, &cat, !q.j.is_empty(), "publication-policy"),
    }))
}

fn json_file(v: serde_json::Value, name: &str) -> Response {
    (
        [(
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{name}\""),
        )],
        axum::Json(v),
    )
        .into_response()
}

/// `{ocid}.json`: the ocid, named as a file.
fn ocid_of(file: &str) -> Result<&str, AppError> {
    file.strip_suffix(".json")
        .ok_or_else(|| AppError::not_found("release package"))
}

async fn owner_of(state: &AppState, j: &JurisdictionId, ocid: &str) -> Result<Project, AppError> {
    Ok(state.app().project_by_ocid(j, ocid).await?)
}

pub async fn release_package(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
    ApiQuery(q): ApiQuery<Filter>,
) -> Result<Response, AppError> {
    let cat = page_catalog(&state, &headers, Some(&q.j)).await?;
    let ocid = ocid_of(&file)?;
    let p = owner_of(&state, &cat.jurisdiction.id, ocid).await?;
    let publication = Publication::new(
        &cat.jurisdiction,
        &state.base_url(&headers),
        state.clock.now(),
    )?;
    let doc = publication
        .release_package(&p, ocid)
        .ok_or_else(|| AppError::not_found("contracting process"))?;
    Ok(json_file(doc, &file))
}

pub async fn record_package(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
    ApiQuery(q): ApiQuery<Filter>,
) -> Result<Response, AppError> {
    let cat = page_catalog(&state, &headers, Some(&q.j)).await?;
    let ocid = ocid_of(&file)?;
    let p = owner_of(&state, &cat.jurisdiction.id, ocid).await?;
    let publication = Publication::new(
        &cat.jurisdiction,
        &state.base_url(&headers),
        state.clock.now(),
    )?;
    let doc = publication
        .record_package(&p, ocid)
        .ok_or_else(|| AppError::not_found("contracting process"))?;
    Ok(json_file(doc, &file))
}

pub async fn all_releases(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<Filter>,
) -> Result<Response, AppError> {
    let cat = page_catalog(&state, &headers, Some(&q.j)).await?;
    let projects = state.app().projects(&cat.jurisdiction.id).await?;
    let publication = Publication::new(
        &cat.jurisdiction,
        &state.base_url(&headers),
        state.clock.now(),
    )?;
    let doc = publication
        .all_releases(&projects)
        .ok_or_else(|| AppError::not_found("release"))?;
    Ok(json_file(doc, "releases.json"))
}

/// Every release, one per line (JSON Lines), oldest project first: for tools that
/// stream (ocdskit, jq -c).
pub async fn all_releases_lines(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<Filter>,
) -> Result<Response, AppError> {
    let cat = jurisdiction_of(&state, Some(&q.j)).await?;
    let projects = state.app().projects(&cat.jurisdiction.id).await?;
    let mut body = Vec::new();
    for r in projects
        .iter()
        .flat_map(|p| &p.processes)
        .flat_map(|x| &x.releases)
    {
        serde_json::to_writer(&mut body, r).map_err(|e| AppError::Internal(e.to_string()))?;
        body.push(b'\n');
    }
    Ok((
        [
            (header::CONTENT_TYPE, "application/jsonl; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "inline; filename=\"releases.jsonl\"",
            ),
        ],
        body,
    )
        .into_response())
}

fn ward_namer(cat: &baraza_app::JurisdictionCatalog) -> impl Fn(&AreaCode) -> String + '_ {
    move |w| cat.area_name(Some(w))
}

pub async fn all_projects(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<Filter>,
) -> Result<Response, AppError> {
    let cat = page_catalog(&state, &headers, Some(&q.j)).await?;
    let projects = state.app().projects(&cat.jurisdiction.id).await?;
    let publication = Publication::new(
        &cat.jurisdiction,
        &state.base_url(&headers),
        state.clock.now(),
    )?;
    let doc = publication
        .project_package(&projects, "/oc4ids/projects.json", &ward_namer(&cat))
        .ok_or_else(|| AppError::not_found("project"))?;
    Ok(json_file(doc, "projects.json"))
}

pub async fn project_package(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
    ApiQuery(q): ApiQuery<Filter>,
) -> Result<Response, AppError> {
    let cat = page_catalog(&state, &headers, Some(&q.j)).await?;
    let code = file
        .strip_suffix(".json")
        .ok_or_else(|| AppError::not_found("project"))?;
    let p = state.app().project(&cat.jurisdiction.id, code).await?;
    let publication = Publication::new(
        &cat.jurisdiction,
        &state.base_url(&headers),
        state.clock.now(),
    )?;
    let doc = publication
        .project_package(
            std::slice::from_ref(&p),
            &format!("/oc4ids/projects/{file}"),
            &ward_namer(&cat),
        )
        .ok_or_else(|| AppError::not_found("project"))?;
    Ok(json_file(doc, &file))
}

pub async fn contracts_csv(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<Filter>,
) -> Result<Response, AppError> {
    let cat = jurisdiction_of(&state, Some(&q.j)).await?;
    let projects = state.app().projects(&cat.jurisdiction.id).await?;
    let mut csv = baraza_app::spreadsheet::Csv::new();
    let e = |e: csv::Error| AppError::Internal(e.to_string());
    csv.row(CONTRACT_COLUMNS.iter().copied()).map_err(e)?;
    for row in contract_rows(&projects) {
        csv.row(row.iter().map(String::as_str)).map_err(e)?;
    }
    let body = csv.finish().map_err(e)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}-contracts.csv\"",
                    cat.jurisdiction.id
                ),
            ),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::class_of;

    #[test]
    fn map_colours_step_from_none_to_the_busiest_ward() {
        assert_eq!(class_of(0, 0), 0);
        assert_eq!(class_of(0, 9), 0);
        assert_eq!(class_of(1, 1), 1);
        let steps: Vec<usize> = (1..=8).map(|n| class_of(n, 8)).collect();
        assert_eq!(steps, [1, 1, 2, 2, 3, 3, 4, 4]);
        assert_eq!(class_of(40, 40), 4);
        assert_eq!(class_of(1, 40), 1);
    }
}
