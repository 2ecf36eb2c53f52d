//! Open government action plans in the JSON API: read them (the plan's workers see the
//! whole record, other staff the public projection), load one from a plan file, and
//! change one with the same actions as the console (`POST .../actions`).

use crate::AppState;
use crate::auth::Staff;
use crate::error::{ApiJson, AppError};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use baraza_app::input::PlanActionRequest;
use baraza_app::plans::{PlanFile, may_work_on_plans};
use baraza_app::privacy::public_plan;
use baraza_core::Role;
use baraza_core::action_plan::{ActionPlan, PlanActor};
use serde::Serialize;
use utoipa::ToSchema;

fn as_seen(staff: &Staff, plan: ActionPlan) -> ActionPlan {
    if may_work_on_plans(staff.user.role) {
        plan
    } else {
        public_plan(&plan)
    }
}

/// The caller's jurisdiction's action plans.
#[utoipa::path(
    get, path = "/api/v1/plans", tag = "action plans",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every plan with its commitments, milestones, proposals and reviews", body = Vec<Object>),
        (status = 401, description = "Missing, unknown or revoked token", body = crate::error::Problem),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Json<Vec<ActionPlan>>, AppError> {
    let plans = state.app().plans(&staff.user.jurisdiction).await?;
    Ok(Json(
        plans.into_iter().map(|p| as_seen(&staff, p)).collect(),
    ))
}

/// One action plan, by its slug.
#[utoipa::path(
    get, path = "/api/v1/plans/{slug}", tag = "action plans",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The plan's slug, e.g. nairobi-2025-2027")),
    responses(
        (status = 200, description = "The plan", body = Object),
        (status = 404, description = "No such plan", body = crate::error::Problem),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    staff: Staff,
    Path(slug): Path<String>,
) -> Result<Json<ActionPlan>, AppError> {
    let plan = state.app().plan(&staff.user.jurisdiction, &slug).await?;
    Ok(Json(as_seen(&staff, plan)))
}

/// Load a plan from a plan file (the format of `data/action-plans/*.toml`, as JSON): the
/// point of contact or an administrator.
#[utoipa::path(
    post, path = "/api/v1/plans", tag = "action plans",
    security(("bearer" = [])),
    request_body(content = Object, description = "A plan file: `plan` (slug, title, government, level, country, starts, ends, forum, source_url, schedule) and `commitment` (each with `irm` and `milestone`)"),
    responses(
        (status = 201, description = "Loaded", body = Object),
        (status = 200, description = "A plan with that slug was already there; left as it was", body = Object),
        (status = 403, description = "The caller's role may not load plans", body = crate::error::Problem),
        (status = 422, description = "Invalid fields, each named", body = crate::error::Problem),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(file): ApiJson<PlanFile>,
) -> Result<Response, AppError> {
    if !matches!(
        staff.user.role,
        Role::OgpPointOfContact | Role::SystemAdministrator
    ) {
        return Err(AppError::Forbidden {
            code: "role_not_allowed",
            detail: format!("a {} may not load action plans", staff.user.role),
        });
    }
    let who = PlanActor {
        username: staff.user.username.clone(),
        name: staff.user.display_name.clone(),
        role: staff.user.role,
    };
    let (plan, added) = baraza_app::plans::load_plan(
        &*state.store,
        &staff.user.jurisdiction,
        file,
        &who,
        staff.actor(),
        state.clock.now(),
    )
    .await?;
    let status = if added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(plan)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct PlanActed {
    /// What happened, in words.
    pub done: String,
    /// The plan's version after the change (send it back to detect concurrent changes).
    pub version: u32,
    #[schema(value_type = Object)]
    pub plan: ActionPlan,
}

/// Change a plan: the point of contact sets statuses, evidence, owners, IRM figures and
/// reviews and answers proposals; civil society proposes and comments; a review's chair
/// approves it. Bad input answers 422 naming each field, and changes nothing.
#[utoipa::path(
    post, path = "/api/v1/plans/{slug}/actions", tag = "action plans",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The plan's slug")),
    request_body = PlanActionRequest,
    responses(
        (status = 200, description = "Done", body = PlanActed),
        (status = 403, description = "The caller's role may not do this", body = crate::error::Problem),
        (status = 409, description = "The plan changed meanwhile, or the proposal or review is already settled", body = crate::error::Problem),
        (status = 422, description = "Invalid fields (unknown commitment or milestone, months outside the plan, a status not in the list), each named", body = crate::error::Problem),
    )
)]
pub async fn act(
    State(state): State<AppState>,
    staff: Staff,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<PlanActionRequest>,
) -> Result<Json<PlanActed>, AppError> {
    let (plan, done) = state
        .app()
        .act_on_plan(&staff.user, &slug, body, None)
        .await?;
    Ok(Json(PlanActed {
        done,
        version: plan.version,
        plan,
    }))
}
