//! Open government action plans in public: every plan with its progress (milestones by
//! status, late ones first) and review schedules, every commitment with its IRM figures,
//! milestones, evidence, civil society's proposals and history, and a form for a
//! citizen's comment (a case linked to the commitment). The plan's JSON is the public
//! projection of its record (`privacy::public_plan`).

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
use baraza_app::plans::HistoryEntry;
use baraza_app::privacy::public_plan;
use baraza_core::action_plan::{
    ActionPlan, Commitment, Evidence, Milestone, MilestoneStatus, PlanChange, ProposalState,
    StatusOrigin,
};
use baraza_core::*;
use serde::Deserialize;
use std::collections::HashMap;

const FORM_COOKIE: &str = "bz_plan_form";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/plans", get(list))
        .route("/plans/feed.atom", get(feed))
        .route("/plans/data", get(data_page))
        .route("/plans/data/{file}", get(data_file))
        .route("/plans/{slug}", get(plan_page))
        .route("/plans/{slug}/plan.json", get(plan_json))
        .route("/plans/{slug}/files/{sha256}", get(file))
        .route(
            "/plans/{slug}/commitments/{ogp_id}",
            get(commitment_page).post(comment),
        )
}

#[derive(Deserialize, Default)]
pub struct JQ {
    #[serde(default)]
    j: String,
    /// The reference of the comment just filed (after the redirect).
    #[serde(default)]
    commented: String,
}

pub struct Count {
    pub label: String,
    pub status: String,
    pub n: u32,
}

pub struct PlanRow {
    pub slug: String,
    pub title: String,
    pub government: String,
    pub period: String,
    pub counts: Vec<Count>,
    pub late: u32,
    pub total: u32,
}

fn counts(p: &baraza_core::action_plan::Progress, tr: &Tr) -> Vec<Count> {
    MilestoneStatus::ALL
        .iter()
        .map(|s| Count {
            label: tr.t(&format!("milestone-{s}")),
            status: s.to_string(),
            n: p.count(*s),
        })
        .collect()
}

fn period(p: &ActionPlan) -> String {
    format!("{} – {}", p.starts.ogp(), p.ends.ogp())
}

fn today(cat: &baraza_app::JurisdictionCatalog, now: Timestamp) -> chrono::NaiveDate {
    cat.targets.local_date(now)
}

#[derive(Template)]
#[template(path = "public/plans.html")]
struct ListPage {
    frame: PublicFrame,
    plans: Vec<PlanRow>,
}

pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<JQ>,
) -> Result<Response, AppError> {
    let cat = page_catalog(&state, &headers, Some(&q.j)).await?;
    let frame = PublicFrame::new(&headers, &cat, !q.j.is_empty(), "plans-title");
    let day = today(&cat, state.clock.now());
    let plans = state.app().plans(&cat.jurisdiction.id).await?;
    let tr = frame.tr;
    Ok(render(&ListPage {
        plans: plans
            .iter()
            .map(|p| {
                let progress = p.progress(day);
                PlanRow {
                    slug: p.slug.clone(),
                    title: p.title.clone(),
                    government: p.government.clone(),
                    period: period(p),
                    counts: counts(&progress, &tr),
                    late: progress.late,
                    total: progress.total,
                }
            })
            .collect(),
        frame,
    }))
}

pub struct MilestoneRow {
    pub commitment: String,
    pub number: u32,
    pub text: String,
    pub period: String,
    pub status: String,
    pub status_code: String,
    pub origin: String,
    pub late: bool,
}

fn milestone_row(c: &Commitment, m: &Milestone, day: chrono::NaiveDate, tr: &Tr) -> MilestoneRow {
    MilestoneRow {
        commitment: c.ogp_id.clone(),
        number: m.number,
        text: m.text.clone(),
        period: format!("{} – {}", m.starts.ogp(), m.ends.ogp()),
        status: tr.t(&format!("milestone-{}", m.status)),
        status_code: m.status.to_string(),
        origin: match (m.status_origin, &m.page_status) {
            (StatusOrigin::OgpPage, Some(label)) => {
                format!("{} ({label})", tr.t("status-origin-ogp_page"))
            }
            (o, _) => tr.t(&format!("status-origin-{o}")),
        },
        late: m.late(day),
    }
}

pub struct ScheduleRow {
    pub body: String,
    pub every: String,
    pub last_held: String,
    pub next_due: String,
    pub overdue: String,
}

pub struct ReviewRow {
    pub body: String,
    pub held_on: String,
    pub members: String,
    pub items: Vec<String>,
    pub decisions: Vec<String>,
    pub minutes: Option<String>,
}

#[derive(Template)]
#[template(path = "public/plan.html")]
struct PlanPage {
    frame: PublicFrame,
    plan: ActionPlan,
    period: String,
    counts: Vec<Count>,
    late: u32,
    total: u32,
    milestones: Vec<MilestoneRow>,
    schedules: Vec<ScheduleRow>,
    reviews: Vec<ReviewRow>,
}

impl PlanPage {
    fn link_to(&self, tail: &str) -> String {
        self.frame.link(&format!("/plans/{}{tail}", self.plan.slug))
    }
}

impl CommitmentPage {
    fn link_to(&self, tail: &str) -> String {
        self.frame.link(&format!("/plans/{}{tail}", self.slug))
    }
}

pub async fn plan_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    ApiQuery(q): ApiQuery<JQ>,
) -> Result<Response, AppError> {
    let cat = page_catalog(&state, &headers, Some(&q.j)).await?;
    let frame = PublicFrame::new(&headers, &cat, !q.j.is_empty(), "plans-title");
    let plan = public_plan(&state.app().plan(&cat.jurisdiction.id, &slug).await?);
    let day = today(&cat, state.clock.now());
    let tr = frame.tr;
    let progress = plan.progress(day);
    let member = |m: &baraza_core::action_plan::Member| {
        format!("{} ({})", m.name, tr.t(&format!("side-{}", m.side)))
    };
    Ok(render(&PlanPage {
        period: period(&plan),
        counts: counts(&progress, &tr),
        late: progress.late,
        total: progress.total,
        milestones: plan
            .milestones_late_first(day)
            .into_iter()
            .map(|(c, m)| milestone_row(c, m, day, &tr))
            .collect(),
        schedules: plan
            .schedule_standing(day)
            .into_iter()
            .map(|(s, st)| ScheduleRow {
                body: s.body.clone(),
                every: tr.args("every-months", &[("n", s.every_months.to_string())]),
                last_held: st.last_held.map(|d| d.to_string()).unwrap_or_default(),
                next_due: st.next_due.map(|d| d.to_string()).unwrap_or_default(),
                overdue: st.overdue_since.map(|d| d.to_string()).unwrap_or_default(),
            })
            .collect(),
        reviews: plan
            .reviews
            .iter()
            .map(|r| ReviewRow {
                body: r.body.clone(),
                held_on: r.held_on.to_string(),
                members: r.members.iter().map(member).collect::<Vec<_>>().join(", "),
                items: r
                    .items
                    .iter()
                    .map(|i| {
                        format!(
                            "{} {}: {}. {}",
                            i.commitment,
                            i.milestone,
                            tr.t(&format!("milestone-{}", i.status)),
                            i.note
                        )
                    })
                    .collect(),
                decisions: r.decisions.clone(),
                minutes: r.minutes.as_ref().and_then(evidence_name),
            })
            .collect(),
        plan,
        frame,
    }))
}

fn evidence_name(e: &Evidence) -> Option<String> {
    match e {
        Evidence::Document { name, sha256, .. } | Evidence::Photo { name, sha256, .. } => {
            Some(format!("{name} (SHA-256 {sha256})"))
        }
        Evidence::Link { url } => Some(url.clone()),
    }
}

pub async fn plan_json(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ApiQuery(q): ApiQuery<JQ>,
) -> Result<Response, AppError> {
    let cat = jurisdiction_of(&state, Some(&q.j)).await?;
    let plan = public_plan(&state.app().plan(&cat.jurisdiction.id, &slug).await?);
    Ok(axum::Json(plan).into_response())
}

/// A document or photo the public projection of the plan holds.
pub async fn file(
    State(state): State<AppState>,
    Path((slug, sha256)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<JQ>,
) -> Result<Response, AppError> {
    let cat = jurisdiction_of(&state, Some(&q.j)).await?;
    let plan = public_plan(&state.app().plan(&cat.jurisdiction.id, &slug).await?);
    match baraza_app::plans::plan_file(&plan, &sha256) {
        Some(doc) => Ok(crate::html::serve_document(state.media_dir.as_deref(), &doc).await),
        None => Err(AppError::not_found("document")),
    }
}

pub struct HistoryRow {
    pub at: String,
    pub by: String,
    pub what: String,
    pub note: String,
    /// (label, address): a kept document's own address here, or the link given.
    pub evidence: Vec<(String, String)>,
}

fn evidence_link(e: &Evidence, slug: &str) -> (String, String) {
    match e {
        Evidence::Document { name, sha256, .. } | Evidence::Photo { name, sha256, .. } => {
            (name.clone(), format!("/plans/{slug}/files/{sha256}"))
        }
        Evidence::Link { url } => (url.clone(), url.clone()),
    }
}

fn history_row(
    h: &HistoryEntry,
    slug: &str,
    cat: &baraza_app::JurisdictionCatalog,
    tr: &Tr,
) -> HistoryRow {
    let by = |c: &baraza_core::action_plan::Changer| {
        format!("{} ({})", c.name, tr.t(&format!("role-{}", c.role)))
    };
    let files = |e: &[Evidence]| e.iter().map(|x| evidence_link(x, slug)).collect::<Vec<_>>();
    let (who, what, note, evidence) = match &h.change {
        PlanChange::StatusChanged {
            milestone,
            from,
            to,
            note,
            evidence,
            proposal,
            by: b,
            ..
        } => (
            by(b),
            format!(
                "{} {milestone}: {} → {}{}",
                tr.t("milestone"),
                tr.t(&format!("milestone-{from}")),
                tr.t(&format!("milestone-{to}")),
                proposal
                    .map(|p| format!(" ({} {p})", tr.t("proposal-accepted")))
                    .unwrap_or_default()
            ),
            note.clone(),
            files(evidence),
        ),
        PlanChange::EvidenceAdded {
            milestone,
            note,
            evidence,
            by: b,
            ..
        } => (
            by(b),
            format!(
                "{} {milestone}: {}",
                tr.t("milestone"),
                tr.t("evidence-added")
            ),
            note.clone(),
            files(evidence),
        ),
        PlanChange::Proposed { proposal } => (
            by(&proposal.by),
            format!(
                "{} {}: {} {}{}",
                tr.t("milestone"),
                proposal.milestone,
                tr.t("proposal"),
                proposal.id,
                proposal
                    .status
                    .map(|s| format!(" → {}", tr.t(&format!("milestone-{s}"))))
                    .unwrap_or_default()
            ),
            proposal.note.clone(),
            files(&proposal.evidence),
        ),
        PlanChange::ProposalAccepted {
            proposal,
            note,
            by: b,
        } => (
            by(b),
            format!(
                "{} {proposal}: {}",
                tr.t("proposal"),
                tr.t("proposal-accepted")
            ),
            note.clone(),
            vec![],
        ),
        PlanChange::ProposalAnswered {
            proposal,
            reply,
            by: b,
        } => (
            by(b),
            format!(
                "{} {proposal}: {}",
                tr.t("proposal"),
                tr.t("proposal-answered")
            ),
            reply.clone(),
            vec![],
        ),
        PlanChange::Commented {
            milestone,
            text,
            by: b,
            ..
        } => (
            by(b),
            format!("{} {milestone}: {}", tr.t("milestone"), tr.t("comment")),
            text.clone(),
            vec![],
        ),
        PlanChange::Assessed {
            assessment, by: b, ..
        } => (
            by(b),
            format!(
                "IRM: {} = {}",
                tr.t(&format!("irm-{}", assessment.indicator)),
                assessment.value
            ),
            assessment.source.clone(),
            vec![],
        ),
        PlanChange::CommitmentAdded { by: b, .. } | PlanChange::Created { by: b, .. } => {
            (by(b), tr.t("plan-loaded"), String::new(), vec![])
        }
        PlanChange::MilestoneAdded {
            milestone, by: b, ..
        } => (
            by(b),
            format!(
                "{} {}: {}",
                tr.t("milestone"),
                milestone.number,
                tr.t("milestone-added")
            ),
            String::new(),
            vec![],
        ),
        PlanChange::ReviewApproved { review, by: b } => (
            by(b),
            format!("{} {review}: {}", tr.t("review"), tr.t("review-approved")),
            String::new(),
            vec![],
        ),
        PlanChange::OwnerSet { .. } | PlanChange::ReviewRecorded { .. } => {
            (String::new(), String::new(), String::new(), vec![])
        }
    };
    HistoryRow {
        at: cat.local_time(&h.at),
        by: who,
        what,
        note,
        evidence,
    }
}

pub struct ProposalRow {
    pub id: u32,
    pub milestone: u32,
    pub by: String,
    pub status: String,
    pub note: String,
    pub state: String,
    pub answer: String,
}

#[derive(Template)]
#[template(path = "public/commitment.html")]
struct CommitmentPage {
    frame: PublicFrame,
    slug: String,
    plan_title: String,
    c: Commitment,
    values: String,
    irm: Vec<(String, String, String)>,
    milestones: Vec<MilestoneRow>,
    proposals: Vec<ProposalRow>,
    history: Vec<HistoryRow>,
    comments_total: u64,
    comments_answered: u64,
    csrf: String,
    key: String,
    commented: String,
    errors: Vec<String>,
    description: String,
    sms_number: String,
}

#[expect(
    clippy::too_many_arguments,
    reason = "the page and its re-rendering after a refused comment"
)]
async fn commitment_response(
    state: &AppState,
    headers: &HeaderMap,
    j: &str,
    slug: &str,
    ogp_id: &str,
    commented: String,
    errors: Vec<String>,
    description: String,
    status: StatusCode,
) -> Result<Response, AppError> {
    let cat = page_catalog(state, headers, Some(j)).await?;
    let frame = PublicFrame::new(headers, &cat, !j.is_empty(), "plans-title");
    let app = state.app();
    let plan = public_plan(&app.plan(&cat.jurisdiction.id, slug).await?);
    let c = plan
        .commitment(ogp_id)
        .cloned()
        .ok_or(AppError::not_found("commitment"))?;
    let day = today(&cat, state.clock.now());
    let tr = frame.tr;
    let history = app
        .plan_history(&plan, true)
        .await?
        .iter()
        .filter(|h| h.change.commitment().is_some_and(|x| x == c.ogp_id))
        .map(|h| history_row(h, &plan.slug, &cat, &tr))
        .rev()
        .collect();
    let comments = app
        .commitment_comments(&cat.jurisdiction.id, &c.ogp_id)
        .await?;
    let csrf = random_hex(16);
    let mut res = render(&CommitmentPage {
        slug: plan.slug.clone(),
        plan_title: plan.title.clone(),
        values: c
            .values
            .iter()
            .map(|v| tr.t(&format!("ogp-value-{v}")))
            .collect::<Vec<_>>()
            .join(", "),
        irm: c
            .irm
            .iter()
            .map(|a| {
                (
                    tr.t(&format!("irm-{}", a.indicator)),
                    a.value.replace('_', " "),
                    format!(
                        "{}{}{}",
                        a.source,
                        a.assessed
                            .map(|d| format!(", {}", d.ogp()))
                            .unwrap_or_default(),
                        a.note
                            .as_ref()
                            .map(|n| format!(". {n}"))
                            .unwrap_or_default()
                    ),
                )
            })
            .collect(),
        milestones: c
            .milestones
            .iter()
            .map(|m| milestone_row(&c, m, day, &tr))
            .collect(),
        proposals: plan
            .proposals
            .iter()
            .filter(|p| p.commitment == c.ogp_id)
            .map(|p| ProposalRow {
                id: p.id,
                milestone: p.milestone,
                by: p.by.name.clone(),
                status: p
                    .status
                    .map(|s| tr.t(&format!("milestone-{s}")))
                    .unwrap_or_default(),
                note: p.note.clone(),
                state: tr.t(&format!("proposal-{}", p.state)),
                answer: match (&p.answer, p.state) {
                    (Some(a), ProposalState::Answered | ProposalState::Accepted) => a.text.clone(),
                    _ => String::new(),
                },
            })
            .collect(),
        history,
        comments_total: comments.total,
        comments_answered: comments.answered,
        csrf: csrf.clone(),
        key: random_hex(12),
        commented,
        errors,
        description,
        sms_number: state.channels.sms_number().unwrap_or_default(),
        c,
        frame,
    });
    *res.status_mut() = status;
    if let Ok(v) = set_cookie(headers, FORM_COOKIE, &csrf, 3600).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

pub async fn commitment_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, ogp_id)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<JQ>,
) -> Result<Response, AppError> {
    commitment_response(
        &state,
        &headers,
        &q.j,
        &slug,
        &ogp_id,
        q.commented,
        vec![],
        String::new(),
        StatusCode::OK,
    )
    .await
}

/// A citizen's comment on a commitment: a case linked to it, with a reference, answered
/// through the ordinary loop.
pub async fn comment(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Path((slug, ogp_id)): Path<(String, String)>,
    FormBody(values): FormBody<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let j = values.get("j").cloned().unwrap_or_default();
    let tr = Tr::new(crate::html::language(&headers));
    let v = |k: &str| {
        values
            .get(k)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let again = |errors: Vec<String>, status| {
        commitment_response(
            &state,
            &headers,
            &j,
            &slug,
            &ogp_id,
            String::new(),
            errors,
            v("description").unwrap_or_default(),
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
    let plan = state.app().plan(&cat.jurisdiction.id, &slug).await?;
    let c = plan
        .commitment(&ogp_id)
        .ok_or(AppError::not_found("commitment"))?;
    let body = super::written_filing(
        &values,
        &tr,
        CaseKind::Suggestion,
        Some(format!("commitment:{}", c.ogp_id)),
    );
    let key = v("key").map(|k| format!("web:{k}"));
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
    let reference = intake.case.number.digits();
    let mut to = format!(
        "/plans/{slug}/commitments/{}?commented={}",
        c.ogp_id,
        urlencoding(&reference)
    );
    if !j.is_empty() {
        to.push_str(&format!("&j={}", urlencoding(&j)));
    }
    Ok(Redirect::to(&to).into_response())
}

fn urlencoding(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .unwrap_or_default()
        .trim_start_matches('=')
        .to_owned()
}

#[derive(Template)]
#[template(path = "public/plans_data.html")]
struct DataPage {
    frame: PublicFrame,
    tables: Vec<(String, Vec<(String, String)>)>,
}

/// The register's open data: each table as CSV and JSON, and what its fields mean.
pub async fn data_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<JQ>,
) -> Result<Response, AppError> {
    let cat = page_catalog(&state, &headers, Some(&q.j)).await?;
    let frame = PublicFrame::new(&headers, &cat, !q.j.is_empty(), "plans-data");
    Ok(render(&DataPage {
        frame,
        tables: baraza_app::plans::TABLE_FIELDS
            .iter()
            .map(|(t, fields)| {
                (
                    (*t).to_owned(),
                    fields
                        .iter()
                        .map(|(f, d)| ((*f).to_owned(), (*d).to_owned()))
                        .collect(),
                )
            })
            .collect(),
    }))
}

/// One table of the register, `<table>.csv` or `<table>.json`.
pub async fn data_file(
    State(state): State<AppState>,
    Path(file): Path<String>,
    ApiQuery(q): ApiQuery<JQ>,
) -> Result<Response, AppError> {
    let cat = jurisdiction_of(&state, Some(&q.j)).await?;
    let (table, ext) = file
        .rsplit_once('.')
        .ok_or_else(|| AppError::not_found("table"))?;
    let t = state
        .app()
        .plan_tables(&cat.jurisdiction.id, today(&cat, state.clock.now()))
        .await?;
    let name = format!("{}-{table}.{ext}", cat.jurisdiction.id);
    let disposition = format!("attachment; filename=\"{name}\"");
    macro_rules! out {
        ($rows:expr) => {
            match ext {
                "json" => Ok((
                    [(header::CONTENT_DISPOSITION, disposition)],
                    axum::Json(&$rows),
                )
                    .into_response()),
                "csv" => {
                    let columns = baraza_app::plans::columns(table);
                    let mut csv = baraza_app::spreadsheet::Csv::new();
                    csv.row(columns.iter().copied())
                        .map_err(|e| AppError::Internal(e.to_string()))?;
                    for r in &$rows {
                        csv.record(columns, r)
                            .map_err(|e| AppError::Internal(e.to_string()))?;
                    }
                    let body = csv
                        .finish()
                        .map_err(|e| AppError::Internal(e.to_string()))?;
                    Ok((
                        [
                            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                            (header::CONTENT_DISPOSITION, disposition),
                        ],
                        body,
                    )
                        .into_response())
                }
                _ => Err(AppError::not_found("table")),
            }
        };
    }
    match table {
        "plans" => out!(t.plans),
        "commitments" => out!(t.commitments),
        "milestones" => out!(t.milestones),
        "reviews" => out!(t.reviews),
        _ => Err(AppError::not_found("table")),
    }
}

pub struct FeedEntry {
    pub id: String,
    pub title: String,
    pub link: String,
    pub updated: String,
    pub summary: String,
}

#[derive(Template)]
#[template(path = "public/plans_feed.xml")]
struct Feed {
    title: String,
    base: String,
    updated: String,
    entries: Vec<FeedEntry>,
}

/// An Atom feed of the plans' public changes, newest first.
pub async fn feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<JQ>,
) -> Result<Response, AppError> {
    let cat = page_catalog(&state, &headers, Some(&q.j)).await?;
    let tr = Tr::new(crate::html::language(&headers));
    // Links are absolute, as Atom readers expect: the host the reader asked.
    let base = state.base_url(&headers);
    let changes = state.app().plan_changes(&cat.jurisdiction.id, 50).await?;
    let entries: Vec<FeedEntry> = changes
        .iter()
        .map(|c| {
            let row = history_row(&c.entry, &c.slug, &cat, &tr);
            let link = match c.entry.change.commitment() {
                Some(id) => format!("{base}/plans/{}/commitments/{id}", c.slug),
                None => format!("{base}/plans/{}", c.slug),
            };
            FeedEntry {
                id: format!("urn:baraza:{}:journal:{}", cat.jurisdiction.id, c.entry.seq),
                title: format!("{}: {}", c.title, row.what),
                link,
                updated: c.entry.at.to_rfc3339(),
                summary: [
                    row.by,
                    row.note,
                    row.evidence
                        .iter()
                        .map(|(l, _)| l.as_str())
                        .collect::<Vec<_>>()
                        .join(" · "),
                ]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(". "),
            }
        })
        .collect();
    let body = Feed {
        title: format!("{}: {}", cat.jurisdiction.name, tr.t("plans-title")),
        updated: entries
            .first()
            .map(|e| e.updated.clone())
            .unwrap_or_else(|| state.clock.now().to_rfc3339()),
        base,
        entries,
    }
    .render()
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        body,
    )
        .into_response())
}
