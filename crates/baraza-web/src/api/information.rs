//! Information requests in the JSON API: file one for an applicant (at the counter, or
//! from another system), list and read them with their clock, and upload the documents
//! an answer gives. Actions (`acknowledge`, `ask_clarification`, `transfer`, `extend`,
//! `decide`, `provide`, `ask_review`, `decide_review`, `close`, `set_prominence`) go
//! through `POST /api/v1/cases/{reference}/actions`, like every case's.

use super::dto::*;
use crate::AppState;
use crate::auth::Staff;
use crate::error::{ApiJson, ApiQuery, AppError};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use baraza_app::information::Queue;
use baraza_app::privacy::{self, Audience};
use baraza_core::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A case's body, with its request state when it is an information request.
pub fn body_of(
    view: &privacy::CaseView<'_>,
    cat: &baraza_app::JurisdictionCatalog,
    now: Timestamp,
) -> CaseBody {
    let mut body = case_body(view, &cat.jurisdiction.reference_prefix);
    body.request = view
        .case
        .request
        .as_deref()
        .map(|f| request_body(f, &cat.policy().information, now));
    body
}

/// File an information request for an applicant: the body of `POST /api/v1/cases`, whose
/// `kind` is `information_request` (given or not); `urgency` says why it is urgent.
#[utoipa::path(
    post, path = "/api/v1/information-requests", tag = "information requests",
    security(("bearer" = [])),
    request_body = CreateCaseRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key return the first request")),
    responses(
        (status = 201, description = "Filed; `Location` names it", body = CaseBody),
        (status = 200, description = "An earlier request with the same Idempotency-Key filed it", body = CaseBody),
        (status = 403, description = "The caller's role may not file", body = crate::error::Problem),
        (status = 422, description = "Invalid fields, each named", body = crate::error::Problem),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    ApiJson(mut body): ApiJson<CreateCaseRequest>,
) -> Result<Response, AppError> {
    let wanted = CaseKind::InformationRequest.as_str();
    match body.kind.as_deref() {
        None => body.kind = Some(wanted.to_owned()),
        Some(k) if k == wanted => {}
        Some(_) => {
            return Err(AppError::invalid(
                "kind",
                "an information request's kind is information_request (or leave it out)",
            ));
        }
    }
    super::cases::file(
        &state,
        &staff,
        &headers,
        body,
        "/api/v1/information-requests",
    )
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RequestListQuery {
    /// `open` (the default), `due-soon`, `overdue`, `awaiting-clarification`,
    /// `under-review`, `to-provide` or `all`.
    pub queue: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestList {
    pub requests: Vec<CaseBody>,
}

/// Information requests in the caller's scope, by queue (soonest due first).
#[utoipa::path(
    get, path = "/api/v1/information-requests", tag = "information requests",
    security(("bearer" = [])),
    params(RequestListQuery),
    responses(
        (status = 200, description = "The queue's requests", body = RequestList),
        (status = 422, description = "Unknown queue", body = crate::error::Problem),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(q): ApiQuery<RequestListQuery>,
) -> Result<Json<RequestList>, AppError> {
    let queue = match q.queue.as_deref() {
        None | Some("") => Queue::Open,
        Some(s) => Queue::parse(s).ok_or_else(|| {
            AppError::invalid(
                "queue",
                "one of open, due-soon, overdue, awaiting-clarification, under-review, to-provide, all",
            )
        })?,
    };
    let app = state.app();
    let (listed, cat) = app.request_queue(&staff.user, queue).await?;
    let audience = Audience::of_role(staff.role());
    let now = state.clock.now();
    let cases: Vec<Case> = listed.into_iter().map(|l| l.case).collect();
    let citizens = app.citizens_for_list(&cases, audience).await?;
    let requests = cases
        .iter()
        .zip(&citizens)
        .map(|(c, z)| {
            let mut view = privacy::case_view(c, z.as_ref(), audience);
            view.citizen = None;
            body_of(&view, &cat, now)
        })
        .collect();
    Ok(Json(RequestList { requests }))
}

/// One information request with its journal.
#[utoipa::path(
    get, path = "/api/v1/information-requests/{reference}", tag = "information requests",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "The request's reference")),
    responses(
        (status = 200, description = "The request and its journal", body = CaseDetail),
        (status = 404, description = "No such request in the caller's scope", body = crate::error::Problem),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
) -> Result<Json<CaseDetail>, AppError> {
    let app = state.app();
    let (case, cat) = app.visible_case(&staff.user, &reference).await?;
    if !case.is_request() {
        return Err(AppError::not_found("information request"));
    }
    let citizen = app.citizen_of(&case).await?;
    let audience = Audience::of_role(staff.role());
    let events = state.store.case_events(case.id).await?;
    let journal = events
        .iter()
        .filter_map(|e| privacy::event_view(e, citizen.as_ref(), audience))
        .map(|v| event_body(&v))
        .collect();
    let view = privacy::case_view(&case, citizen.as_ref(), audience);
    Ok(Json(CaseDetail {
        case: body_of(&view, &cat, state.clock.now()),
        journal,
    }))
}

/// Keep a document (the request body's bytes, with its `Content-Type`) by its SHA-256,
/// to give with `provide`; `?filename=` names it.
#[utoipa::path(
    post, path = "/api/v1/documents", tag = "information requests",
    security(("bearer" = [])),
    params(("filename" = Option<String>, Query, description = "The file's name as shown to readers")),
    responses(
        (status = 201, description = "Kept; give it in `documents` of a `provide` action", body = AttachmentBody),
        (status = 403, description = "The caller's role does not provide information", body = crate::error::Problem),
        (status = 413, description = "Larger than 20 MB", body = crate::error::Problem),
        (status = 422, description = "Empty", body = crate::error::Problem),
    )
)]
pub async fn upload(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<DocumentQuery>,
    bytes: Bytes,
) -> Result<Response, AppError> {
    use baraza_core::lifecycle::{ActionKind, ActorRole};
    if !baraza_core::information::may(ActorRole::Staff(staff.role()), ActionKind::Provide) {
        return Err(AppError::Forbidden {
            code: "role_not_allowed",
            detail: format!("a {} does not provide information", staff.role()),
        });
    }
    if bytes.is_empty() {
        return Err(AppError::invalid("body", "send the document's bytes"));
    }
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream");
    let doc = crate::html::keep_document(
        state.media_dir.as_deref(),
        &bytes,
        media_type,
        q.filename.map(|f| baraza_core::text::clean(&f)),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(doc)).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DocumentQuery {
    pub filename: Option<String>,
}
