//! Public projects in the console: a procurement officer registers projects and
//! publishes planning, tenders, awards, contracts and amendments; the implementing
//! department's officer records payments, the committee's election, inspection reports
//! and the project's status; a PMC member files reports from a phone, with a photo; a
//! validator approves or returns them. Every form posts to one action endpoint, parsed
//! and decided by the application layer (`App::act_on_project`).

use super::{ConsoleUser, Frame, csrf_refused, message, not_allowed};
use crate::AppState;
use crate::error::{ApiQuery, AppError, FormBody};
use crate::html::render;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use baraza_app::input::{
    AttachmentBody, ItemBody, LinkBody, PmcMemberBody, ProjectActionRequest, ProjectBody,
};
use baraza_app::projects::may_work_on_projects;
use baraza_core::Role;
use baraza_core::project::{
    DocumentKind, PmcStatus, ProcessView, Project, ProjectStatus, ReportState, Sector,
};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "console/projects.html")]
struct ListPage {
    frame: Frame,
    projects: Vec<(String, String, String)>,
    registers: bool,
    sectors: Vec<String>,
    statuses: Vec<String>,
    departments: Vec<(String, String)>,
    errors: Vec<String>,
}

async fn list_page(
    state: &AppState,
    u: &ConsoleUser,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    if !may_work_on_projects(u.role()) {
        return Ok(not_allowed(u));
    }
    let app = state.app();
    let cat = app.catalog_of(&u.user).await?.in_language(u.tr.lang);
    let today = cat.targets.local_date(state.clock.now());
    let projects = app.projects(&u.user.jurisdiction).await?;
    let page = ListPage {
        frame: u.frame(u.tr.t("projects-title")),
        projects: projects
            .iter()
            .map(|p| {
                let drafts = p
                    .reports
                    .iter()
                    .filter(|r| r.state == ReportState::Draft)
                    .count();
                (
                    p.code.clone(),
                    p.title.clone(),
                    format!(
                        "{} · {} · {} {} · {} {}",
                        cat.department_name(Some(&p.department)),
                        u.tr.t(&format!("project-status-{}", p.status)),
                        drafts,
                        u.tr.t("reports-to-validate"),
                        p.red_flags(today).len(),
                        u.tr.t("red-flags")
                    ),
                )
            })
            .collect(),
        registers: matches!(
            u.role(),
            Role::ProcurementOfficer | Role::ImplementationOfficer | Role::SystemAdministrator
        ),
        sectors: Sector::ALL.iter().map(|s| s.code().to_owned()).collect(),
        statuses: ProjectStatus::ALL
            .iter()
            .map(|s| s.code().to_owned())
            .collect(),
        departments: cat
            .departments
            .iter()
            .map(|d| (d.code.clone(), d.name.clone()))
            .collect(),
        errors,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn list(State(state): State<AppState>, u: ConsoleUser) -> Result<Response, AppError> {
    list_page(&state, &u, vec![], StatusCode::OK).await
}

/// Register a project (the list page's form).
pub async fn create(
    State(state): State<AppState>,
    u: ConsoleUser,
    headers: HeaderMap,
    FormBody(f): FormBody<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let get = |k: &str| {
        f.get(k)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    if !u.csrf_ok(get("csrf").as_deref()) {
        return Ok(csrf_refused(&u));
    }
    let mut errors = vec![];
    let budget = get("budget").and_then(|b| match b.replace(',', "").parse::<f64>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.push(format!("budget: {b:?} is not an amount"));
            None
        }
    });
    if !errors.is_empty() {
        return list_page(&state, &u, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let body = ProjectBody {
        code: get("code"),
        title: get("title"),
        description: get("description"),
        department: get("department"),
        fiscal_year: get("fiscal_year"),
        sector: get("sector"),
        wards: get("wards")
            .unwrap_or_default()
            .split([',', ' '])
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect(),
        lat: None,
        lon: None,
        budget,
        status: get("status"),
        target_groups: f
            .iter()
            .filter(|(k, v)| k.starts_with("group-") && v.as_str() == "on")
            .map(|(k, _)| k.trim_start_matches("group-").to_owned())
            .collect(),
        planned_end: get("planned_end"),
    };
    match state
        .app()
        .create_project(&u.user, body, &state.base_url(&headers))
        .await
    {
        Ok(p) => Ok(Redirect::to(&format!("/staff/projects/{}", p.code)).into_response()),
        Err(baraza_app::Error::Invalid(errs)) => {
            let errs = errs
                .iter()
                .map(|e| crate::html::field_error(e, &u.tr))
                .collect();
            list_page(&state, &u, errs, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(baraza_app::Error::Forbidden { detail, .. }) => {
            list_page(&state, &u, vec![detail], StatusCode::FORBIDDEN).await
        }
        Err(baraza_app::Error::Store(baraza_store::StoreError::Conflict { message, .. })) => {
            list_page(&state, &u, vec![message], StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

pub struct ReportView {
    pub id: u32,
    pub title: String,
    pub text: String,
    pub details: Vec<String>,
    pub photos: Vec<(String, String)>,
    pub state: String,
    pub draft: bool,
}

#[derive(Template)]
#[template(path = "console/project.html")]
struct ProjectPage {
    frame: Frame,
    p: Project,
    status: String,
    budget: String,
    processes: Vec<(String, String)>,
    ocids: Vec<String>,
    reports: Vec<ReportView>,
    flags: Vec<String>,
    pmc: Vec<String>,
    procurement: bool,
    implementation: bool,
    pmc_member: bool,
    validator: bool,
    statuses: Vec<String>,
    pmc_statuses: Vec<String>,
    document_kinds: Vec<String>,
    notice: String,
    errors: Vec<String>,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    m: String,
}

async fn show(
    state: &AppState,
    u: &ConsoleUser,
    code: &str,
    notice: String,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    if !may_work_on_projects(u.role()) {
        return Ok(not_allowed(u));
    }
    let app = state.app();
    let p = match app.project(&u.user.jurisdiction, code).await {
        Ok(p) => p,
        Err(baraza_app::Error::NotFound(_)) => {
            return Ok(message(
                StatusCode::NOT_FOUND,
                u.frame(u.tr.t("not-found")),
                u.tr.t("not-found"),
                vec![],
                "/staff/projects",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let cat = app.catalog_of(&u.user).await?.in_language(u.tr.lang);
    let today = cat.targets.local_date(state.clock.now());
    let tr = u.tr;
    let money = |v: Option<f64>| {
        v.map(|v| format!("{} {v:.0}", p.currency))
            .unwrap_or_default()
    };
    let processes = p
        .processes
        .iter()
        .map(|x| {
            let v = ProcessView::of(x);
            let mut facts = vec![tr.t(&format!("stage-{}", v.stage))];
            if let Some(t) = &v.tender_title {
                facts.push(format!("{}: {t} {}", tr.t("tender"), money(v.tender_value)));
            }
            if let Some(s) = &v.supplier {
                facts.push(format!(
                    "{}: {s} {}",
                    tr.t("supplier"),
                    money(v.award_value)
                ));
            }
            if v.contract_value.is_some() {
                facts.push(format!(
                    "{}: {} → {}",
                    tr.t("contract-value"),
                    money(v.contract_value),
                    v.contract_ends
                        .as_deref()
                        .unwrap_or("")
                        .get(..10)
                        .unwrap_or("")
                ));
            }
            facts.push(format!("{}: {}", tr.t("paid"), money(Some(v.paid))));
            (x.ocid.clone(), facts.join(" · "))
        })
        .collect();
    let reports = p
        .reports
        .iter()
        .rev()
        .map(|r| ReportView {
            id: r.id,
            title: format!(
                "{} {} · {} · {} ({})",
                tr.t(match r.filed.kind {
                    baraza_core::project::ReportKind::Pmc => "report-pmc",
                    baraza_core::project::ReportKind::Inspection => "report-inspection",
                }),
                r.id,
                tr.t(&format!("pmc-status-{}", r.filed.status)),
                r.by.name,
                r.filed.channel
            ),
            text: r.filed.text.clone(),
            details: [
                ("social-safeguards", &r.filed.social_safeguards),
                ("emerging-complaints", &r.filed.emerging_complaints),
                ("challenges", &r.filed.challenges),
            ]
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{}: {v}", tr.t(k)))
            .collect(),
            photos: r
                .filed
                .photos
                .iter()
                .map(|f| {
                    (
                        f.filename.clone(),
                        format!("/staff/projects/{}/files/{}", p.code, f.sha256),
                    )
                })
                .collect(),
            state: match &r.state {
                ReportState::Draft => tr.t("report-draft"),
                ReportState::Approved { by, .. } => format!("{} ({})", tr.t("approved"), by.name),
                ReportState::Returned { by, reason, .. } => {
                    format!("{} ({}): {reason}", tr.t("report-returned"), by.name)
                }
            },
            draft: r.state == ReportState::Draft,
        })
        .collect();
    let role = u.role();
    let admin = role == Role::SystemAdministrator;
    let page = ProjectPage {
        frame: u.frame(p.title.clone()),
        status: tr.t(&format!("project-status-{}", p.status)),
        budget: format!("{} {:.0}", p.currency, p.budget),
        processes,
        ocids: p.processes.iter().map(|x| x.ocid.clone()).collect(),
        reports,
        flags: p
            .red_flags(today)
            .iter()
            .map(|f| tr.t(&format!("flag-{}", f.code().replace('_', "-"))))
            .collect(),
        pmc: p
            .pmc
            .iter()
            .flat_map(|c| {
                std::iter::once(format!(
                    "{}: {}, {}",
                    tr.t("pmc-elected"),
                    c.elected_on,
                    c.forum
                ))
                .chain(c.members.iter().map(|m| {
                    format!(
                        "{} ({}){}",
                        m.name,
                        m.designation,
                        m.phone
                            .as_ref()
                            .map(|ph| format!(" · {}", ph.as_str()))
                            .unwrap_or_default()
                    )
                }))
            })
            .collect(),
        procurement: admin || role == Role::ProcurementOfficer,
        implementation: admin || role == Role::ImplementationOfficer,
        pmc_member: admin || role == Role::PmcMember,
        validator: admin || role == Role::ProjectValidator,
        statuses: ProjectStatus::ALL
            .iter()
            .map(|s| s.code().to_owned())
            .collect(),
        pmc_statuses: PmcStatus::ALL.iter().map(|s| s.code().to_owned()).collect(),
        document_kinds: DocumentKind::ALL
            .iter()
            .map(|s| s.code().to_owned())
            .collect(),
        notice,
        errors,
        p,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    u: ConsoleUser,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response, AppError> {
    show(&state, &u, &code, q.m, vec![], StatusCode::OK).await
}

/// The one action endpoint: the form's fields, and at most one photo or document.
pub async fn act(
    State(state): State<AppState>,
    u: ConsoleUser,
    headers: HeaderMap,
    Path(code): Path<String>,
    form: Multipart,
) -> Result<Response, AppError> {
    let (fields, upload) = super::information::read_form(form).await?;
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    if !u.csrf_ok(get("csrf").as_deref()) {
        return Ok(csrf_refused(&u));
    }
    if !may_work_on_projects(u.role()) {
        return Ok(not_allowed(&u));
    }
    let mut errors = Vec::new();
    let amount = |k: &str, errors: &mut Vec<String>| {
        get(k).and_then(|v| match v.replace(',', "").parse::<f64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push(format!("{k}: {v:?} is not an amount"));
                None
            }
        })
    };
    let value = amount("value", &mut errors);
    let budget = amount("budget", &mut errors);
    let paid = amount("amount", &mut errors);
    let whole = |k: &str, errors: &mut Vec<String>| {
        get(k).and_then(|v| match v.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push(format!("{k}: {v:?} is not a number"));
                None
            }
        })
    };
    let tenderers = whole("tenderers", &mut errors);
    let report = whole("report", &mut errors);
    // Committee members: one per line, "Name | designation | phone".
    let members = get("members")
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut parts = l.split('|').map(str::trim);
            PmcMemberBody {
                name: parts.next().unwrap_or("").to_owned(),
                designation: parts.next().unwrap_or("").to_owned(),
                phone: parts.next().filter(|p| !p.is_empty()).map(str::to_owned),
            }
        })
        .collect();
    if !errors.is_empty() {
        return show(
            &state,
            &u,
            &code,
            String::new(),
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let kept: Option<AttachmentBody> = match upload {
        Some(up) => Some(super::information::keep_upload(&state, up).await?),
        None => None,
    };
    let body = ProjectActionRequest {
        action: get("action"),
        ocid: get("ocid"),
        status: get("status"),
        note: get("note"),
        budget,
        method: get("method"),
        rationale: get("rationale"),
        number: get("number"),
        title: get("title"),
        description: get("description"),
        value,
        opens: get("opens"),
        closes: get("closes"),
        items: match (get("item"), get("quantity"), get("unit")) {
            (Some(description), Some(q), Some(unit)) => vec![ItemBody {
                description,
                quantity: q.parse().unwrap_or(1.0),
                unit,
            }],
            _ => vec![],
        },
        links: match (get("link_title"), get("link")) {
            (Some(title), Some(url)) => vec![LinkBody { title, url }],
            (None, Some(url)) => vec![LinkBody {
                title: url.clone(),
                url,
            }],
            _ => vec![],
        },
        supplier: get("supplier"),
        date: get("date"),
        tenderers,
        signed: get("signed"),
        starts: get("starts"),
        ends: get("ends"),
        amount: paid,
        elected_on: get("elected_on"),
        forum: get("forum"),
        members,
        kind: get("kind"),
        text: get("text"),
        social_safeguards: get("social_safeguards"),
        emerging_complaints: get("emerging_complaints"),
        challenges: get("challenges"),
        handover: get("handover").is_some(),
        authorizes_payment: get("authorizes_payment").is_some(),
        documents: kept.into_iter().collect(),
        report,
        reason: get("reason"),
        document_kind: get("document_kind"),
        fiscal_year: get("fiscal_year"),
    };
    let expected = get("version").and_then(|v| v.parse().ok());
    let refused =
        |errors: Vec<String>, status| show(&state, &u, &code, String::new(), errors, status);
    match state
        .app()
        .act_on_project(&u.user, &code, body, expected, &state.base_url(&headers))
        .await
    {
        Ok((p, done)) => {
            let q = serde_urlencoded::to_string([("m", done)]).unwrap_or_default();
            Ok(Redirect::to(&format!("/staff/projects/{}?{q}", p.code)).into_response())
        }
        Err(baraza_app::Error::Invalid(errs)) => {
            refused(
                errs.iter()
                    .map(|e| crate::html::field_error(e, &u.tr))
                    .collect(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(baraza_app::Error::Forbidden { detail, .. }) => {
            refused(vec![detail], StatusCode::FORBIDDEN).await
        }
        Err(baraza_app::Error::Store(baraza_store::StoreError::Conflict { message, .. })) => {
            refused(vec![message], StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A photo or document the project keeps, for its workers (drafts' photos included).
pub async fn file(
    State(state): State<AppState>,
    u: ConsoleUser,
    Path((code, sha256)): Path<(String, String)>,
) -> Result<Response, AppError> {
    if !may_work_on_projects(u.role()) {
        return Ok(not_allowed(&u));
    }
    let p = state.app().project(&u.user.jurisdiction, &code).await?;
    match baraza_app::projects::project_file(&p, &sha256) {
        Some(doc) => Ok(crate::html::serve_document(state.media_dir.as_deref(), &doc).await),
        None => Err(AppError::not_found("document")),
    }
}
