//! The information officer's console: queues by state and deadline, a request's page
//! with its clock and every action the officer may take (letters prefilled in the
//! applicant's language), documents kept by their SHA-256, and the statutory annual
//! report as HTML or CSV for any period. Role and scope are checked by the application
//! layer, as for every case.

use super::{ConsoleUser, csrf_refused, message};
use crate::AppState;
use crate::error::{ApiQuery, AppError};
use crate::html::{Letter, Tr, letters, render};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use baraza_app::information::{Item, Queue, Report, RequestPage, local_midnight, year_bounds};
use baraza_app::input::ActionRequest;
use baraza_app::privacy::Audience;
use baraza_core::information::{self as info, Decision, Lateness, Prominence, ReviewOutcome};
use baraza_core::lifecycle::{ActionKind, ActorRole};
use baraza_core::*;
use serde::Deserialize;

pub struct Tab {
    pub id: &'static str,
    pub label: String,
    pub active: bool,
    pub count: usize,
}

pub struct QueueRow {
    pub reference: String,
    pub digits: String,
    pub state: String,
    pub due: String,
    pub late: bool,
    pub urgent: bool,
    pub excerpt: String,
}

#[derive(Template)]
#[template(path = "console/information_queues.html")]
struct QueuesPage {
    frame: super::Frame,
    tabs: Vec<Tab>,
    rows: Vec<QueueRow>,
    year: i32,
    /// Disclosure classes whose next publication is late.
    overdue_classes: usize,
}

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    #[serde(default)]
    queue: String,
}

pub async fn queues(
    State(state): State<AppState>,
    u: ConsoleUser,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> Result<Response, AppError> {
    use chrono::Datelike;
    let active = Queue::parse(&q.queue).unwrap_or(Queue::Open);
    let app = state.app();
    let mut tabs = Vec::new();
    let mut rows = Vec::new();
    for queue in Queue::ALL {
        let (listed, cat) = app.request_queue(&u.user, *queue).await?;
        if *queue == active {
            rows = listed
                .iter()
                .map(|l| {
                    let f = l.file();
                    let excerpt: String = l
                        .text
                        .clone()
                        .unwrap_or_default()
                        .chars()
                        .take(90)
                        .collect();
                    QueueRow {
                        reference: l.reference.clone(),
                        digits: l.case.number.digits(),
                        state: u.tr.t(&format!("request-state-{}", l.state)),
                        due: f.due_local.clone(),
                        late: l.lateness != Lateness::OnTime,
                        urgent: f.urgent,
                        excerpt,
                    }
                })
                .collect();
            let _ = cat;
        }
        tabs.push(Tab {
            id: queue.as_str(),
            label: u.tr.t(&format!("information-queue-{}", queue.as_str())),
            active: *queue == active,
            count: listed.len(),
        });
    }
    let cat = app.catalog_of(&u.user).await?.in_language(u.tr.lang);
    let overdue_classes = app
        .disclosure_log(&cat)
        .await?
        .iter()
        .filter(|c| c.overdue)
        .count();
    Ok(render(&QueuesPage {
        frame: u.frame(u.tr.t("nav-information")),
        tabs,
        rows,
        year: state.clock.now().year(),
        overdue_classes,
    }))
}

pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "console/information_request.html")]
struct RequestPageHtml {
    frame: super::Frame,
    reference: String,
    digits: String,
    version: u32,
    text: String,
    state: String,
    received: String,
    due: String,
    late: String,
    urgent: Option<String>,
    extended: bool,
    decision: String,
    exemption: String,
    transferred_to: String,
    prominence: String,
    channel: String,
    applicant: String,
    applicant_language: String,
    letters: Vec<Letter>,
    actions: Vec<String>,
    exemptions: Vec<Choice>,
    decisions: Vec<Choice>,
    outcomes: Vec<Choice>,
    prominences: Vec<Choice>,
    departments: Vec<Choice>,
    next_review: String,
    /// Other bodies served by this server: a transfer to one opens the request there.
    bodies: Vec<String>,
    drafts: Drafts,
    notice: Option<String>,
    errors: Vec<String>,
    law: String,
}

/// Standard letters, in the applicant's language, to start from.
pub struct Drafts {
    pub clarify: String,
    pub extend: String,
    pub grant: String,
    pub refuse: String,
    pub not_held: String,
    pub provide: String,
}

fn drafts(lang: Language, reference: &str, law: &info::InformationPolicy) -> Drafts {
    let tr = Tr::new(lang);
    let a = |id: &str| {
        tr.args(
            id,
            &[
                ("reference", reference.to_owned()),
                ("law", law.law.clone()),
                ("days", law.extension_days.to_string()),
            ],
        )
    };
    Drafts {
        clarify: a("letter-clarify"),
        extend: a("letter-extend"),
        grant: a("letter-grant"),
        refuse: a("letter-refuse"),
        not_held: a("letter-not-held"),
        provide: a("letter-provide"),
    }
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    m: String,
}

pub async fn page(
    State(state): State<AppState>,
    u: ConsoleUser,
    Path(reference): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response, AppError> {
    let notice = matches!(q.m.as_str(), "done" | "version-conflict").then(|| u.tr.t(&q.m));
    show(
        &state,
        &u,
        &reference,
        notice,
        Vec::new(),
        StatusCode::OK,
        false,
    )
    .await
}

fn not_found(u: &ConsoleUser) -> Response {
    message(
        StatusCode::NOT_FOUND,
        u.frame(u.tr.t("not-found")),
        u.tr.t("not-found"),
        vec![],
        "/staff/information",
    )
}

async fn show(
    state: &AppState,
    u: &ConsoleUser,
    reference: &str,
    notice: Option<String>,
    errors: Vec<String>,
    status: StatusCode,
    revealed: bool,
) -> Result<Response, AppError> {
    let app = state.app();
    let (case, cat) = match app.visible_case(&u.user, reference).await {
        Ok(found) if found.0.is_request() => found,
        Ok(_) | Err(baraza_app::Error::NotFound(_) | baraza_app::Error::Invalid(_)) => {
            return Ok(not_found(u));
        }
        Err(e) => return Err(e.into()),
    };
    let cat = cat.in_language(u.tr.lang);
    let events = state.store.case_events(case.id).await?;
    let citizen = app.citizen_of(&case).await?;
    // A reveal is on the record: this answer, and only this one, shows the contact.
    let audience = if revealed {
        Audience::Revealed
    } else {
        Audience::of_role(u.role())
    };
    let now = state.clock.now();
    let Some(view) = RequestPage::new(&case, &events, citizen.as_ref(), audience, &cat, now) else {
        return Ok(not_found(u));
    };
    let tr = u.tr;
    let digits = case.number.digits();
    let law = &cat.policy().information;
    let file = view.file;
    // The applicant as this reader may see them: in clear after a reveal, masked before.
    let applicant = match (&view.view.citizen, citizen.is_some()) {
        (Some(c), _) if revealed => [c.name.clone(), c.phone.clone(), c.email.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · "),
        (Some(c), _) => format!(
            "{} ({})",
            crate::html::masked_contact(Some(c)),
            tr.t("contact-masked")
        ),
        (None, true) => tr.t("contact-masked"),
        (None, false) => tr.t("anonymous"),
    };
    let lang = citizen
        .as_ref()
        .map_or(cat.jurisdiction.default_language, |c| c.language);
    let page = RequestPageHtml {
        reference: view.reference.clone(),
        digits: digits.clone(),
        version: case.version,
        text: view.text.clone().unwrap_or_default(),
        state: tr.t(&format!("request-state-{}", file.state)),
        received: cat.local_time(&file.received_at),
        due: file.due_local.clone(),
        late: match view.lateness {
            Lateness::OnTime => String::new(),
            l => tr.t(&format!("lateness-{l}")),
        },
        urgent: file
            .urgent
            .then(|| view.urgency.clone().unwrap_or_default()),
        extended: file.extended_at.is_some(),
        decision: file
            .decision
            .map(|d| tr.t(&format!("decision-{d}")))
            .unwrap_or_default(),
        exemption: file
            .exemption
            .as_deref()
            .and_then(|e| law.exemption(e))
            .map(|e| format!("{} ({})", e.section, e.ground))
            .unwrap_or_default(),
        transferred_to: file.transferred_to.clone().unwrap_or_default(),
        prominence: tr.t(&format!("prominence-{}", file.prominence)),
        channel: tr.t(&format!("channel-{}", case.channel)),
        applicant,
        applicant_language: lang.to_string(),
        letters: letters(&view, &cat, &tr, &format!("/staff/information/{digits}")),
        actions: info::actions_for(ActorRole::Staff(u.role()), file)
            .into_iter()
            .map(|a| a.to_string())
            .collect(),
        exemptions: law
            .exemptions
            .iter()
            .map(|e| Choice {
                value: e.section.clone(),
                label: format!("{} {}", e.section, e.ground),
            })
            .collect(),
        decisions: Decision::ALL
            .iter()
            .map(|d| Choice {
                value: d.to_string(),
                label: tr.t(&format!("decision-{d}")),
            })
            .collect(),
        outcomes: ReviewOutcome::ALL
            .iter()
            .map(|o| Choice {
                value: o.to_string(),
                label: tr.t(&format!("review-outcome-{o}")),
            })
            .collect(),
        prominences: Prominence::ALL
            .iter()
            .map(|p| Choice {
                value: p.to_string(),
                label: tr.t(&format!("prominence-{p}")),
            })
            .collect(),
        departments: cat
            .departments
            .iter()
            .map(|d| Choice {
                value: d.code.clone(),
                label: d.name.clone(),
            })
            .collect(),
        next_review: file
            .next_review(law)
            .map(|s| s.body.clone())
            .unwrap_or_default(),
        bodies: state
            .store
            .jurisdictions()
            .await?
            .into_iter()
            .filter(|j| j.id != cat.jurisdiction.id)
            .map(|j| j.name)
            .collect(),
        drafts: drafts(lang, &view.reference, law),
        notice,
        errors,
        law: law.law.clone(),
        frame: u.frame(format!(
            "{} {}",
            tr.t("information-request"),
            view.reference
        )),
    };
    let mut res = render(&page);
    *res.status_mut() = status;
    Ok(res)
}

/// A file sent with a form: its bytes, media type and name.
pub(super) type Upload = (axum::body::Bytes, String, Option<String>);

/// A multipart form's text fields, and the file in its `document` field if one was sent.
pub(super) async fn read_form(
    mut form: Multipart,
) -> Result<(Vec<(String, String)>, Option<Upload>), AppError> {
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut upload = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| AppError::invalid("form", e.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "document" {
            let media_type = field.content_type().unwrap_or_default().to_owned();
            let filename = field.file_name().map(str::to_owned);
            let bytes = field
                .bytes()
                .await
                .map_err(|e| AppError::invalid("document", e.body_text()))?;
            if !bytes.is_empty() {
                upload = Some((bytes, media_type, filename));
            }
        } else {
            let text = field
                .text()
                .await
                .map_err(|e| AppError::invalid(&name, e.body_text()))?;
            fields.push((name, text));
        }
    }
    Ok((fields, upload))
}

/// Keep an uploaded document by its SHA-256 (at most `MAX_DOCUMENT_BYTES`).
pub(super) async fn keep_upload(
    state: &AppState,
    (bytes, media_type, filename): Upload,
) -> Result<baraza_app::input::AttachmentBody, AppError> {
    if bytes.len() > crate::html::MAX_DOCUMENT_BYTES {
        return Err(AppError::PayloadTooLarge);
    }
    crate::html::keep_document(
        state.media_dir.as_deref(),
        &bytes,
        &media_type,
        filename.map(|f| baraza_core::text::clean(&f)),
    )
    .await
}

/// Fields an action form may carry.
const FIELDS: &[&str] = &[
    "action",
    "text",
    "reason",
    "to",
    "department",
    "note",
    "decision",
    "reasons",
    "exemption",
    "fee",
    "grounds",
    "outcome",
    "prominence",
    "event",
];

/// Take an action: a multipart form (a document may come with `provide`).
pub async fn act(
    State(state): State<AppState>,
    u: ConsoleUser,
    Path(reference): Path<String>,
    form: Multipart,
) -> Result<Response, AppError> {
    let (fields, upload) = read_form(form).await?;
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if !u.csrf_ok(get("csrf")) {
        return Ok(csrf_refused(&u));
    }
    let app = state.app();
    let case = match app.visible_case(&u.user, &reference).await {
        Ok((case, _)) if case.is_request() => case,
        Ok(_) | Err(baraza_app::Error::NotFound(_) | baraza_app::Error::Invalid(_)) => {
            return Ok(not_found(&u));
        }
        Err(e) => return Err(e.into()),
    };
    let mut body = ActionRequest::default();
    for (k, v) in fields
        .iter()
        .filter(|(k, v)| FIELDS.contains(&k.as_str()) && !v.trim().is_empty())
    {
        let v = Some(v.clone());
        match k.as_str() {
            "action" => body.action = v,
            "text" => body.text = v,
            "reason" => body.reason = v,
            "to" => body.to = v,
            "department" => body.department = v,
            "note" => body.note = v,
            "decision" => body.decision = v,
            "reasons" => body.reasons = v,
            "exemption" => body.exemption = v,
            "fee" => body.fee = v,
            "grounds" => body.grounds = v,
            "outcome" => body.outcome = v,
            "prominence" => body.prominence = v,
            "event" => body.event = v.and_then(|e| e.trim().parse().ok()),
            _ => {}
        }
    }
    // A document is kept (by its SHA-256) only for the action that gives it, and only for
    // a role that may give it: nothing is written to disk for anyone else.
    if let Some(upload) = upload {
        if !info::may(ActorRole::Staff(u.role()), ActionKind::Provide) {
            return show(
                &state,
                &u,
                &reference,
                None,
                vec![u.tr.t("information-document-only-provide")],
                StatusCode::FORBIDDEN,
                false,
            )
            .await;
        }
        if body.action.as_deref() != Some(ActionKind::Provide.as_str()) {
            return show(
                &state,
                &u,
                &reference,
                None,
                vec![u.tr.t("information-document-only-provide")],
                StatusCode::UNPROCESSABLE_ENTITY,
                false,
            )
            .await;
        }
        body.documents.push(keep_upload(&state, upload).await?);
    }
    let expected = get("version").and_then(|v| v.parse().ok());
    let digits = case.number.digits();
    let revealing = body.action.as_deref() == Some(ActionKind::RevealContact.as_str());
    match app
        .act(&u.user, Channel::Web, &digits, expected, body)
        .await
        .map_err(AppError::from)
    {
        Ok(_) if revealing => {
            show(&state, &u, &digits, None, Vec::new(), StatusCode::OK, true).await
        }
        Ok(_) => Ok(Redirect::to(&format!("/staff/information/{digits}?m=done")).into_response()),
        Err(AppError::Conflict {
            code: "version_mismatch",
            ..
        }) => Ok(
            Redirect::to(&format!("/staff/information/{digits}?m=version-conflict"))
                .into_response(),
        ),
        Err(AppError::Invalid(errs)) => {
            let lines = errs
                .iter()
                .map(|e| crate::html::field_error(e, &u.tr))
                .collect();
            show(
                &state,
                &u,
                &digits,
                None,
                lines,
                StatusCode::UNPROCESSABLE_ENTITY,
                false,
            )
            .await
        }
        Err(AppError::Conflict { detail, .. }) => {
            show(
                &state,
                &u,
                &digits,
                None,
                vec![detail],
                StatusCode::CONFLICT,
                false,
            )
            .await
        }
        Err(AppError::Forbidden { detail, .. }) => {
            show(
                &state,
                &u,
                &digits,
                None,
                vec![detail],
                StatusCode::FORBIDDEN,
                false,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// A document of a request the user may see (every document, whatever its prominence).
pub async fn document(
    State(state): State<AppState>,
    u: ConsoleUser,
    Path((reference, sha256)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let app = state.app();
    let (case, cat) = match app.visible_case(&u.user, &reference).await {
        Ok(found) => found,
        Err(_) => return Ok(not_found(&u)),
    };
    let sha256 = sha256.to_ascii_lowercase();
    // Audiences without attachments (observers) get what the public gets: documents of
    // published messages only.
    if baraza_app::privacy::rules(Audience::of_role(u.role())).attachments
        != baraza_app::privacy::AttachmentRule::All
    {
        return match app.published_document(&cat, &reference, &sha256).await {
            Ok(doc) => Ok(crate::html::serve_document(state.media_dir.as_deref(), &doc).await),
            Err(_) => Ok(not_found(&u)),
        };
    }
    let found = case
        .request
        .as_deref()
        .and_then(|f| f.documents.iter().find(|d| d.sha256 == sha256).cloned());
    match found {
        Some(doc) => Ok(crate::html::serve_document(state.media_dir.as_deref(), &doc).await),
        None => Ok(not_found(&u)),
    }
}

#[derive(Template)]
#[template(path = "console/information_report.html")]
struct ReportPage {
    frame: super::Frame,
    rows: Vec<(String, String, String)>,
    from: String,
    to: String,
    report_to: String,
    report_due: String,
    law: String,
}

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    format: String,
}

/// The statutory annual report (Kenya ATI s.27; Ghana Act 989), for any period: HTML, or
/// CSV with `format=csv`. Figures only: no applicant, no text.
pub async fn report(
    State(state): State<AppState>,
    u: ConsoleUser,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, AppError> {
    use chrono::Datelike;
    let app = state.app();
    let cat = app.catalog_of(&u.user).await?;
    let day = |field: &str, s: &str| {
        chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| AppError::invalid(field, "a date as YYYY-MM-DD"))
    };
    let (from, to) = if !q.from.is_empty() || !q.to.is_empty() {
        let f = day("from", &q.from)?;
        let t = day("to", &q.to)?;
        if t < f {
            return Err(AppError::invalid("to", "the end comes after the start"));
        }
        (
            local_midnight(&cat, f),
            local_midnight(&cat, t.succ_opt().unwrap_or(t)),
        )
    } else {
        let year = match q.year.trim() {
            "" => state.clock.now().year(),
            y => y
                .parse()
                .map_err(|_| AppError::invalid("year", "a year, e.g. 2026"))?,
        };
        year_bounds(&cat, year)
    };
    let report: Report = app.information_report(&cat, from, to).await?;
    let law = &cat.policy().information;
    let label = |t: &Timestamp| cat.local_time(t)[..10].to_owned();
    if q.format == "csv" {
        let csv_error = |e: csv::Error| AppError::Internal(format!("writing the report: {e}"));
        let mut csv = baraza_app::spreadsheet::Csv::new();
        csv.row(["section", "item", "count"]).map_err(csv_error)?;
        for r in report.rows() {
            let (section, item) = r.english();
            csv.row([section.to_owned(), item, r.count])
                .map_err(csv_error)?;
        }
        let name = format!(
            "information-report-{}-{}-{}.csv",
            cat.jurisdiction.id,
            label(&from),
            label(&(to - chrono::Duration::seconds(1)))
        );
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            csv.finish().map_err(csv_error)?,
        )
            .into_response());
    }
    Ok(render(&ReportPage {
        frame: u.frame(u.tr.t("information-report")),
        rows: report
            .rows()
            .into_iter()
            .map(|r| {
                let item = match &r.item {
                    Item::Id(id) => u.tr.t(&format!("report-{id}")),
                    Item::Decision(d) => u.tr.t(&format!("decision-{d}")),
                    Item::Text(t) => t.clone(),
                };
                (
                    u.tr.t(&format!("report-section-{}", r.section)),
                    item,
                    r.count,
                )
            })
            .collect(),
        from: label(&from),
        to: label(&(to - chrono::Duration::seconds(1))),
        report_to: law.report_to.clone(),
        report_due: law.report_due.clone(),
        law: law.law.clone(),
    }))
}

/// Who sees the requests at all (in the console's navigation).
pub fn sees_requests(role: Role) -> bool {
    !matches!(role, Role::Open311Integration | Role::SystemAdministrator)
}

pub struct LogRow {
    pub code: String,
    pub name: String,
    pub next_due: String,
    pub overdue: bool,
    pub last: String,
    pub count: usize,
}

#[derive(Template)]
#[template(path = "console/disclosures.html")]
struct DisclosuresPage {
    frame: super::Frame,
    rows: Vec<LogRow>,
    may_publish: bool,
    notice: Option<String>,
    errors: Vec<String>,
    today: String,
    /// Makes a double submission record one publication.
    key: String,
    /// (code, name), by name: what a publication may concern.
    departments: Vec<(String, String)>,
    projects: Vec<(String, String)>,
}

async fn show_log(
    state: &AppState,
    u: &ConsoleUser,
    notice: Option<String>,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let app = state.app();
    let cat = app.catalog_of(&u.user).await?.in_language(u.tr.lang);
    let rows = app
        .disclosure_log(&cat)
        .await?
        .into_iter()
        .map(|s| LogRow {
            last: s
                .publications
                .first()
                .map(|p| format!("{} · {}", p.published_on, p.title))
                .unwrap_or_default(),
            count: s.publications.len(),
            code: s.class.code,
            name: s.class.name,
            next_due: s.next_due.to_string(),
            overdue: s.overdue,
        })
        .collect();
    let departments = cat.departments_by_name();
    let projects = app
        .projects(&cat.jurisdiction.id)
        .await?
        .iter()
        .map(|p| (p.code.clone(), p.title.clone()))
        .collect();
    let mut res = render(&DisclosuresPage {
        frame: u.frame(u.tr.t("disclosure-title")),
        departments,
        projects,
        rows,
        may_publish: baraza_app::disclosure::may_publish(u.role()),
        notice,
        errors,
        today: cat.targets.local_date(state.clock.now()).to_string(),
        key: crate::html::random_hex(12),
    });
    *res.status_mut() = status;
    Ok(res)
}

pub async fn disclosures(
    State(state): State<AppState>,
    u: ConsoleUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response, AppError> {
    let notice = (q.m == "done").then(|| u.tr.t("done"));
    show_log(&state, &u, notice, Vec::new(), StatusCode::OK).await
}

/// Record a publication of the disclosure log (multipart: the document comes with it).
pub async fn publish(
    State(state): State<AppState>,
    u: ConsoleUser,
    form: Multipart,
) -> Result<Response, AppError> {
    let (fields, upload) = read_form(form).await?;
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.trim().is_empty())
    };
    if !u.csrf_ok(get("csrf").as_deref()) {
        return Ok(csrf_refused(&u));
    }
    if !baraza_app::disclosure::may_publish(u.role()) {
        return show_log(
            &state,
            &u,
            None,
            vec![u.tr.t("disclosure-not-yours")],
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let document = match upload {
        Some(upload) => Some(keep_upload(&state, upload).await?),
        None => None,
    };
    let input = baraza_app::disclosure::PublishInput {
        key: get("key"),
        class: get("class"),
        title: get("title"),
        period: get("period"),
        published_on: get("published_on"),
        document,
        url: get("url"),
        department: get("department"),
        project: get("project"),
    };
    match state
        .app()
        .publish(&u.user, input, "/information/disclosures")
        .await
    {
        Ok(_) => Ok(Redirect::to("/staff/information/disclosures?m=done").into_response()),
        Err(baraza_app::Error::Invalid(errs)) => {
            let lines = errs
                .iter()
                .map(|e| crate::html::field_error(e, &u.tr))
                .collect();
            show_log(&state, &u, None, lines, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}
