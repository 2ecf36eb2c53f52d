//! Action plans in the console: the point of contact sets milestones' statuses with
//! evidence, names owners, records the IRM's figures and reviews, and answers civil
//! society's proposals; a civil-society member proposes and comments; a review's chair
//! approves its record. Every form posts to one action endpoint, parsed and decided by
//! the application layer (`App::act_on_plan`), with documents kept by SHA-256.

use super::{ConsoleUser, Frame, csrf_refused, message, not_allowed};
use crate::AppState;
use crate::error::{ApiQuery, AppError};
use crate::html::render;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use baraza_app::input::{AttachmentBody, MemberBody, PlanActionRequest, ReviewItemBody};
use baraza_app::plans::may_work_on_plans;
use baraza_core::Role;
use baraza_core::action_plan::{
    ActionPlan, Evidence, IrmIndicator, MilestoneStatus, ProposalState,
};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "console/plans.html")]
struct ListPage {
    frame: Frame,
    plans: Vec<(String, String, String)>,
}

pub async fn list(State(state): State<AppState>, u: ConsoleUser) -> Result<Response, AppError> {
    if !may_work_on_plans(u.role()) {
        return Ok(not_allowed(&u));
    }
    let today = state
        .app()
        .catalog_of(&u.user)
        .await?
        .targets
        .local_date(state.clock.now());
    let plans = state.app().plans(&u.user.jurisdiction).await?;
    Ok(render(&ListPage {
        frame: u.frame(u.tr.t("plans-title")),
        plans: plans
            .iter()
            .map(|p| {
                let pr = p.progress(today);
                (
                    p.slug.clone(),
                    p.title.clone(),
                    format!(
                        "{} {} · {} {} · {} {}",
                        pr.total,
                        u.tr.t("milestones"),
                        pr.late,
                        u.tr.t("late"),
                        p.proposals
                            .iter()
                            .filter(|x| x.state == ProposalState::Open)
                            .count(),
                        u.tr.t("proposal-open")
                    ),
                )
            })
            .collect(),
    })
    .into_response())
}

pub struct MilestoneForm {
    pub commitment: String,
    pub number: u32,
    pub text: String,
    pub status: String,
    pub late: bool,
    pub owner: String,
    pub evidence: Vec<String>,
    pub comments: Vec<String>,
}

pub struct ProposalView {
    pub id: u32,
    pub about: String,
    pub by: String,
    pub note: String,
    pub evidence: Vec<String>,
    pub open: bool,
    pub state: String,
}

pub struct ReviewView {
    pub id: u32,
    pub title: String,
    pub members: String,
    pub approvable: bool,
    pub approved: bool,
}

#[derive(Template)]
#[template(path = "console/plan.html")]
struct PlanPage {
    frame: Frame,
    plan: ActionPlan,
    government: bool,
    milestones: Vec<MilestoneForm>,
    proposals: Vec<ProposalView>,
    reviews: Vec<ReviewView>,
    overdue: Vec<String>,
    statuses: Vec<(String, String)>,
    indicators: Vec<String>,
    staff: Vec<(String, String)>,
    notice: String,
    errors: Vec<String>,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    m: String,
}

fn evidence_text(e: &Evidence, slug: &str) -> String {
    match e {
        Evidence::Document { name, sha256, .. } | Evidence::Photo { name, sha256, .. } => {
            format!("{name} → /staff/plans/{slug}/files/{sha256}")
        }
        Evidence::Link { url } => url.clone(),
    }
}

async fn show(
    state: &AppState,
    u: &ConsoleUser,
    slug: &str,
    notice: String,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    if !may_work_on_plans(u.role()) {
        return Ok(not_allowed(u));
    }
    let app = state.app();
    let plan = match app.plan(&u.user.jurisdiction, slug).await {
        Ok(p) => p,
        Err(baraza_app::Error::NotFound(_)) => {
            return Ok(message(
                StatusCode::NOT_FOUND,
                u.frame(u.tr.t("not-found")),
                u.tr.t("not-found"),
                vec![],
                "/staff/plans",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let today = app
        .catalog_of(&u.user)
        .await?
        .targets
        .local_date(state.clock.now());
    let tr = u.tr;
    let mut staff: Vec<(String, String)> = state
        .store
        .users(Some(&u.user.jurisdiction))
        .await?
        .into_iter()
        .filter(|s| !s.disabled && s.role != Role::Open311Integration)
        .map(|s| (s.username, s.display_name))
        .collect();
    staff.sort_by(|a, b| a.1.cmp(&b.1));
    let milestones = plan
        .commitments
        .iter()
        .flat_map(|c| c.milestones.iter().map(move |m| (c, m)))
        .map(|(c, m)| MilestoneForm {
            commitment: c.ogp_id.clone(),
            number: m.number,
            text: m.text.clone(),
            status: m.status.to_string(),
            late: m.late(today),
            owner: m.owner.clone().unwrap_or_default(),
            evidence: m
                .evidence
                .iter()
                .flat_map(|e| {
                    let head = format!("{}: {}", e.by.name, e.note);
                    std::iter::once(head)
                        .chain(e.evidence.iter().map(|x| evidence_text(x, &plan.slug)))
                })
                .collect(),
            comments: m
                .comments
                .iter()
                .map(|c| {
                    format!(
                        "{} ({}): {}",
                        c.by.name,
                        tr.t(&format!("role-{}", c.by.role)),
                        c.text
                    )
                })
                .collect(),
        })
        .collect();
    let proposals = plan
        .proposals
        .iter()
        .rev()
        .map(|p| ProposalView {
            id: p.id,
            about: format!(
                "{} {} · {}{}",
                p.commitment,
                p.milestone,
                p.status
                    .map(|s| tr.t(&format!("milestone-{s}")))
                    .unwrap_or_else(|| tr.t("evidence")),
                p.answer
                    .as_ref()
                    .map(|a| format!(" · {}: {}", a.by.name, a.text))
                    .unwrap_or_default()
            ),
            by: p.by.name.clone(),
            note: p.note.clone(),
            evidence: p
                .evidence
                .iter()
                .map(|e| evidence_text(e, &plan.slug))
                .collect(),
            open: p.state == ProposalState::Open,
            state: tr.t(&format!("proposal-{}", p.state)),
        })
        .collect();
    let reviews = plan
        .reviews
        .iter()
        .map(|r| ReviewView {
            id: r.id,
            title: format!(
                "{}, {} ({}: {})",
                r.body,
                r.held_on,
                tr.t("review-chair"),
                r.chair_name
            ),
            members: r
                .members
                .iter()
                .map(|m| format!("{} ({})", m.name, tr.t(&format!("side-{}", m.side))))
                .collect::<Vec<_>>()
                .join(", "),
            approvable: !r.published() && r.chair == u.user.username,
            approved: r.published(),
        })
        .collect();
    let overdue = plan
        .schedule_standing(today)
        .into_iter()
        .filter_map(|(s, st)| {
            st.overdue_since
                .map(|d| format!("{}: {} {d}", s.body, tr.t("review-overdue")))
        })
        .collect();
    let government = matches!(
        u.role(),
        Role::OgpPointOfContact | Role::SystemAdministrator
    );
    let page = PlanPage {
        frame: u.frame(plan.title.clone()),
        government,
        milestones,
        proposals,
        reviews,
        overdue,
        statuses: MilestoneStatus::ALL
            .iter()
            .map(|s| (s.to_string(), tr.t(&format!("milestone-{s}"))))
            .collect(),
        indicators: IrmIndicator::ALL.iter().map(|i| i.to_string()).collect(),
        staff,
        notice,
        errors,
        plan,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    u: ConsoleUser,
    Path(slug): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response, AppError> {
    show(&state, &u, &slug, q.m, vec![], StatusCode::OK).await
}

/// The one action endpoint: the form's fields, and at most one document or photo.
pub async fn act(
    State(state): State<AppState>,
    u: ConsoleUser,
    Path(slug): Path<String>,
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
    if !may_work_on_plans(u.role()) {
        return Ok(not_allowed(&u));
    }
    let mut errors = Vec::new();
    let number = |k: &str, errors: &mut Vec<String>| {
        get(k).and_then(|v| match v.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push(format!("{k}: {v:?} is not a number"));
                None
            }
        })
    };
    let milestone = number("milestone", &mut errors);
    let proposal = number("proposal", &mut errors);
    let review = number("review", &mut errors);
    // Review members: one per line, "Name | government" or "Name | civil_society".
    let members = get("members")
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (name, side) = l.rsplit_once('|').unwrap_or((l, ""));
            MemberBody {
                name: name.trim().to_owned(),
                side: side.trim().to_owned(),
            }
        })
        .collect();
    // Review items: one per line, "KENMS0005 2 | in_progress | note".
    let mut items = Vec::new();
    for l in get("items")
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        let mut parts = l.splitn(3, '|').map(str::trim);
        let which = parts.next().unwrap_or("");
        let (c, n) = which.split_once(' ').unwrap_or((which, ""));
        match n.trim().parse::<u32>() {
            Ok(n) => items.push(ReviewItemBody {
                commitment: c.to_owned(),
                milestone: n,
                status: parts.next().unwrap_or("").to_owned(),
                note: parts.next().unwrap_or("").to_owned(),
            }),
            Err(_) => errors.push(format!(
                "items: {l:?}: write the commitment and milestone number first, e.g. KENMS0005 2 | in_progress | note"
            )),
        }
    }
    if !errors.is_empty() {
        return show(
            &state,
            &u,
            &slug,
            String::new(),
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    // The point of contact's form with no status chosen adds evidence only.
    let action = match get("action") {
        Some(a) if a == "set_status" && get("status").is_none() => Some("add_evidence".to_owned()),
        other => other,
    };
    let kept: Option<AttachmentBody> = match upload {
        Some(u) => Some(super::information::keep_upload(&state, u).await?),
        None => None,
    };
    let is_review = action.as_deref() == Some("record_review");
    let body = PlanActionRequest {
        commitment: get("commitment"),
        milestone,
        status: get("status"),
        note: get("note"),
        text: get("text"),
        links: get("link").into_iter().collect(),
        documents: if is_review {
            vec![]
        } else {
            kept.clone().into_iter().collect()
        },
        owner: if action.as_deref() == Some("set_owner") {
            Some(get("owner").unwrap_or_default())
        } else {
            None
        },
        proposal,
        review,
        indicator: get("indicator"),
        value: get("value"),
        assessed: get("assessed"),
        source: get("source"),
        body: get("body"),
        held_on: get("held_on"),
        chair: get("chair"),
        members,
        items,
        decisions: get("decisions")
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect(),
        minutes: if is_review { kept } else { None },
        action,
    };
    let expected = get("version").and_then(|v| v.parse().ok());
    match state
        .app()
        .act_on_plan(&u.user, &slug, body, expected)
        .await
    {
        Ok((_, done)) => {
            let q = serde_urlencoded::to_string([("m", done)]).unwrap_or_default();
            Ok(Redirect::to(&format!("/staff/plans/{slug}?{q}")).into_response())
        }
        Err(baraza_app::Error::Invalid(errs)) => {
            show(
                &state,
                &u,
                &slug,
                String::new(),
                errs.iter()
                    .map(|e| crate::html::field_error(e, &u.tr))
                    .collect(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(baraza_app::Error::Forbidden { detail, .. }) => {
            show(
                &state,
                &u,
                &slug,
                String::new(),
                vec![detail],
                StatusCode::FORBIDDEN,
            )
            .await
        }
        Err(baraza_app::Error::Store(baraza_store::StoreError::Conflict { message, .. })) => {
            show(
                &state,
                &u,
                &slug,
                String::new(),
                vec![message],
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// A document or photo kept as evidence or minutes of one of the jurisdiction's plans.
pub async fn file(
    State(state): State<AppState>,
    u: ConsoleUser,
    Path((slug, sha256)): Path<(String, String)>,
) -> Result<Response, AppError> {
    if !may_work_on_plans(u.role()) {
        return Ok(not_allowed(&u));
    }
    let plan = state.app().plan(&u.user.jurisdiction, &slug).await?;
    match baraza_app::plans::plan_file(&plan, &sha256) {
        Some(doc) => Ok(crate::html::serve_document(state.media_dir.as_deref(), &doc).await),
        None => Err(AppError::not_found("document")),
    }
}
