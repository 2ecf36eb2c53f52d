//! The JSON API under `/api/v1`: cases, their journal and actions, the caller's
//! jurisdiction. Every handler authenticates with a bearer token and sees only what the
//! token's user may see; a case outside that scope answers as if it did not exist.

pub mod cases;
pub mod dto;
pub mod information;
pub mod plans;
pub mod projects;

use crate::AppState;
use crate::auth::Staff;
use crate::error::AppError;
use axum::Json;
use axum::extract::State;
use dto::*;

/// The caller's jurisdiction: hierarchy, departments, categories and priority targets.
#[utoipa::path(
    get, path = "/api/v1/jurisdiction", tag = "reference data",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's jurisdiction", body = JurisdictionBody),
        (status = 401, description = "Missing, unknown or revoked token", body = crate::error::Problem),
    )
)]
pub async fn jurisdiction(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Json<JurisdictionBody>, AppError> {
    let cat = state.app().catalog_of(&staff.user).await?;
    let j = &cat.jurisdiction;
    let mut areas: Vec<_> = cat.areas.iter().collect();
    areas.sort_by(|a, b| (a.depth, &a.code).cmp(&(b.depth, &b.code)));
    let level = |d: u8| {
        j.levels
            .get(usize::from(d))
            .cloned()
            .unwrap_or_else(|| format!("level {d}"))
    };
    Ok(Json(JurisdictionBody {
        id: j.id.to_string(),
        name: j.name.clone(),
        reference_prefix: j.reference_prefix.clone(),
        levels: j.levels.clone(),
        areas: areas
            .into_iter()
            .map(|a| AreaBody {
                code: a.code.to_string(),
                name: a.name.clone(),
                level: level(a.depth),
                parent: a.parent.as_ref().map(|p| p.to_string()),
            })
            .collect(),
        departments: cat
            .departments
            .iter()
            .map(|d| CodeName {
                code: d.code.clone(),
                name: d.name.clone(),
            })
            .collect(),
        categories: cat
            .categories
            .iter()
            .map(|c| CategoryBody {
                code: c.code.clone(),
                name: c.name.clone(),
                department: c.department.clone(),
            })
            .collect(),
        priorities: baraza_core::Priority::ALL
            .iter()
            .map(|p| PriorityBody {
                code: p.to_string(),
                first_response_hours: cat.policy().targets(*p).0,
                resolution_hours: cat.policy().targets(*p).1,
            })
            .collect(),
    }))
}
