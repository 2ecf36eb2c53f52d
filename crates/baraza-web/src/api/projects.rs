//! Public projects in the JSON API: read them (the project's workers see the whole
//! record, other staff the public projection), register one, and change one with the
//! same actions as the console (`POST .../actions`): tenders, awards, contracts,
//! amendments, payments, the PMC, reports and their approval, documents.

use crate::AppState;
use crate::auth::Staff;
use crate::error::{ApiJson, AppError};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use baraza_app::input::{ProjectActionRequest, ProjectBody};
use baraza_app::privacy::public_project;
use baraza_app::projects::may_work_on_projects;
use baraza_core::project::Project;
use serde::Serialize;
use utoipa::ToSchema;

fn as_seen(staff: &Staff, p: Project) -> Project {
    if may_work_on_projects(staff.user.role) {
        p
    } else {
        public_project(&p)
    }
}

/// The caller's jurisdiction's projects.
#[utoipa::path(
    get, path = "/api/v1/projects", tag = "projects",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every project with its contracting processes (OCDS releases), PMC, reports and documents", body = Vec<Object>),
        (status = 401, description = "Missing, unknown or revoked token", body = crate::error::Problem),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Json<Vec<Project>>, AppError> {
    let all = state.app().projects(&staff.user.jurisdiction).await?;
    Ok(Json(
        all.iter().map(|p| as_seen(&staff, p.clone())).collect(),
    ))
}

/// One project, by its code.
#[utoipa::path(
    get, path = "/api/v1/projects/{code}", tag = "projects",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The project's code, e.g. EM-RD-014")),
    responses(
        (status = 200, description = "The project", body = Object),
        (status = 404, description = "No such project", body = crate::error::Problem),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
) -> Result<Json<Project>, AppError> {
    let p = state.app().project(&staff.user.jurisdiction, &code).await?;
    Ok(Json(as_seen(&staff, p)))
}

/// Register a project: a procurement or implementation officer, or an administrator.
#[utoipa::path(
    post, path = "/api/v1/projects", tag = "projects",
    security(("bearer" = [])),
    request_body = ProjectBody,
    responses(
        (status = 201, description = "Registered", body = Object),
        (status = 403, description = "The caller's role may not register projects", body = crate::error::Problem),
        (status = 409, description = "A project with this code exists already", body = crate::error::Problem),
        (status = 422, description = "Invalid fields, each named", body = crate::error::Problem),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ProjectBody>,
) -> Result<Response, AppError> {
    let p = state
        .app()
        .create_project(&staff.user, body, &state.base_url(&headers))
        .await?;
    Ok((StatusCode::CREATED, Json(p)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct ProjectActed {
    /// What happened, in words.
    pub done: String,
    /// The project's version after the change.
    pub version: u32,
    #[schema(value_type = Object)]
    pub project: Project,
}

/// Change a project. Procurement officers publish planning, tenders (amending one needs
/// a rationale), awards, contracts and contract amendments; implementation officers
/// record payments, the PMC's election, inspection reports and the project's status;
/// PMC members file reports on their own project; validators approve or return reports.
/// Every release is checked against the OCDS 1.1.5 schema before it is written; bad
/// input answers 422 naming each field (a schema error names its path), and changes
/// nothing.
#[utoipa::path(
    post, path = "/api/v1/projects/{code}/actions", tag = "projects",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The project's code")),
    request_body = ProjectActionRequest,
    responses(
        (status = 200, description = "Done", body = ProjectActed),
        (status = 403, description = "The caller's role or scope may not do this", body = crate::error::Problem),
        (status = 409, description = "The project changed meanwhile", body = crate::error::Problem),
        (status = 422, description = "Invalid fields, each named", body = crate::error::Problem),
    )
)]
pub async fn act(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<ProjectActionRequest>,
) -> Result<Json<ProjectActed>, AppError> {
    let (project, done) = state
        .app()
        .act_on_project(&staff.user, &code, body, None, &state.base_url(&headers))
        .await?;
    Ok(Json(ProjectActed {
        done,
        version: project.version,
        project,
    }))
}
