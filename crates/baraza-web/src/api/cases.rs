//! Case handlers: intake, listing, reading with the journal, and actions. The rules are
//! the application layer's (`baraza_app`); what callers see of a case is its privacy
//! projection for their role. This module adds JSON, headers and cursors.

use super::dto::*;
use crate::AppState;
use crate::auth::Staff;
use crate::error::{ApiJson, ApiQuery, AppError};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use baraza_app::error::{FieldErrors as Errors, parse_enum};
use baraza_app::privacy::{self, Audience};
use baraza_core::*;
use base64::Engine;

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, AppError> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let s = v
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|s| (1..=200).contains(&s.len()));
    match s {
        Some(s) => Ok(Some(s.to_owned())),
        None => Err(AppError::invalid(
            "Idempotency-Key",
            "use 1-200 visible ASCII characters",
        )),
    }
}

/// Take in a concern on a citizen's behalf.
#[utoipa::path(
    post, path = "/api/v1/cases", tag = "cases",
    security(("bearer" = [])),
    request_body = CreateCaseRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key return the first case instead of creating another")),
    responses(
        (status = 201, description = "Created; `Location` names the case", body = CaseBody),
        (status = 200, description = "An earlier request with the same Idempotency-Key created this case", body = CaseBody),
        (status = 401, description = "Missing, unknown or revoked token", body = crate::error::Problem),
        (status = 403, description = "The caller's role may not file cases, or not in this ward", body = crate::error::Problem),
        (status = 422, description = "Invalid fields, each named", body = crate::error::Problem),
    )
)]
pub async fn create_case(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CreateCaseRequest>,
) -> Result<Response, AppError> {
    file(&state, &staff, &headers, body, "/api/v1/cases").await
}

/// File for a citizen and answer with the case as the caller may see it: 201 with its
/// `Location` under `location`, or 200 for a retry with the same Idempotency-Key.
pub(super) async fn file(
    state: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    body: CreateCaseRequest,
    location: &str,
) -> Result<Response, AppError> {
    let key = idempotency_key(headers)?;
    let app = state.app();
    let (intake, cat) = app
        .file_for_citizen(
            &staff.user,
            Channel::Api,
            body,
            key.map(|k| format!("api:{}:{k}", staff.user.id)),
        )
        .await?;
    if !intake.created && !baraza_app::scope::visible(&staff.user, &intake.case, &cat) {
        return Err(AppError::not_found("case"));
    }
    let citizen = match (intake.citizen, intake.case.citizen) {
        (Some(c), _) => Some(c),
        (None, Some(id)) => app.best_effort_citizen(id).await,
        (None, None) => None,
    };
    let view = privacy::case_view(
        &intake.case,
        citizen.as_ref(),
        Audience::of_role(staff.role()),
    );
    let body = super::information::body_of(&view, &cat, state.clock.now());
    let status = if intake.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let location = format!("{location}/{}", intake.case.number.digits());
    Ok((status, [(header::LOCATION, location)], Json(body)).into_response())
}

/// `If-Match: <version>` (or `"<version>"`): act only if the case is still at that
/// version, so that a retried or concurrent action is not applied twice.
fn expected_version(headers: &HeaderMap) -> Result<Option<u32>, AppError> {
    let Some(v) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    v.to_str()
        .ok()
        .map(|s| s.trim().trim_matches('"'))
        .and_then(|s| s.parse().ok())
        .map(Some)
        .ok_or_else(|| {
            AppError::invalid(
                "If-Match",
                "the case's version, as in the `version` field of the case",
            )
        })
}

fn parse_time(field: &str, s: &str, end_of_day: bool) -> Result<Timestamp, FieldError> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&chrono::Utc));
    }
    match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => {
            let d = if end_of_day {
                d.succ_opt().unwrap_or(d)
            } else {
                d
            };
            Ok(d.and_time(chrono::NaiveTime::MIN).and_utc())
        }
        Err(_) => Err(FieldError::new(
            field,
            "use RFC 3339 (2026-11-26T08:00:00Z) or a date (2026-11-26)",
        )),
    }
}

fn encode_cursor(c: &Case) -> String {
    let raw = format!("{}:{}", c.created_at.timestamp_micros(), c.id.0);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

fn decode_cursor(s: &str) -> Result<(Timestamp, CaseId), FieldError> {
    let bad = || FieldError::new("cursor", "not a cursor from a previous page");
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| bad())?;
    let raw = String::from_utf8(raw).map_err(|_| bad())?;
    let (micros, id) = raw.split_once(':').ok_or_else(bad)?;
    let at = chrono::DateTime::from_timestamp_micros(micros.parse().map_err(|_| bad())?)
        .ok_or_else(bad)?;
    Ok((at, CaseId(id.parse().map_err(|_| bad())?)))
}

/// List cases in the caller's scope, newest first, with filters and a cursor.
#[utoipa::path(
    get, path = "/api/v1/cases", tag = "cases",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "One page of cases", body = CaseList),
        (status = 401, description = "Missing, unknown or revoked token", body = crate::error::Problem),
        (status = 422, description = "Invalid filters, each named", body = crate::error::Problem),
    )
)]
pub async fn list_cases(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<CaseList>, AppError> {
    let app = state.app();
    let cat = app.catalog_of(&staff.user).await?;
    let mut errors = Errors::default();
    let statuses = q
        .status
        .as_deref()
        .map(|s| {
            s.split(',')
                .filter(|x| !x.is_empty())
                .filter_map(|x| errors.take(parse_enum::<Status>("status", x.trim())))
                .collect()
        })
        .unwrap_or_default();
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        errors.push("limit", "from 1 to 200");
    }
    let mut filter = CaseFilter {
        jurisdiction: Some(staff.user.jurisdiction.clone()),
        statuses,
        kind: q
            .kind
            .as_deref()
            .and_then(|k| errors.take(parse_enum("kind", k))),
        channel: q
            .channel
            .as_deref()
            .and_then(|c| errors.take(parse_enum("channel", c))),
        category: q.category.clone(),
        ward: q.ward.clone().map(AreaCode),
        department: q.department.clone(),
        created_from: q
            .created_from
            .as_deref()
            .and_then(|t| errors.take(parse_time("created_from", t, false))),
        created_to: q
            .created_to
            .as_deref()
            .and_then(|t| errors.take(parse_time("created_to", t, true))),
        after: q
            .cursor
            .as_deref()
            .and_then(|c| errors.take(decode_cursor(c))),
        limit: limit.clamp(1, 200) + 1,
        ..Default::default()
    };
    errors.finish()?;
    baraza_app::scope::restrict(&staff.user, &cat, &mut filter);
    let mut rows = state.store.list_cases(&filter).await?;
    let next_cursor = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(encode_cursor)
    } else {
        None
    };
    let prefix = &cat.jurisdiction.reference_prefix;
    let audience = Audience::of_role(staff.role());
    // Lists carry no citizen summary (one lookup per row would cost more than it tells).
    let citizens = app.citizens_for_list(&rows, audience).await?;
    let cases = rows
        .iter()
        .zip(&citizens)
        .map(|(c, z)| {
            let mut view = privacy::case_view(c, z.as_ref(), audience);
            view.citizen = None;
            case_body(&view, prefix)
        })
        .collect();
    Ok(Json(CaseList { cases, next_cursor }))
}

/// One case with its journal.
#[utoipa::path(
    get, path = "/api/v1/cases/{reference}", tag = "cases",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "`EM-4821-0937`, `48210937`, with or without prefix, spaces or hyphens")),
    responses(
        (status = 200, description = "The case and its journal", body = CaseDetail),
        (status = 401, description = "Missing, unknown or revoked token", body = crate::error::Problem),
        (status = 404, description = "No such case in the caller's scope", body = crate::error::Problem),
        (status = 422, description = "Not a well-formed reference number", body = crate::error::Problem),
    )
)]
pub async fn get_case(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
) -> Result<Json<CaseDetail>, AppError> {
    let app = state.app();
    let (case, cat) = app.visible_case(&staff.user, &reference).await?;
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
        case: super::information::body_of(&view, &cat, state.clock.now()),
        journal,
    }))
}

/// Act on a case: triage, assign, start, respond, escalate, resolve, reopen, close,
/// reject, refer, mark as duplicate, or add an internal note.
#[utoipa::path(
    post, path = "/api/v1/cases/{reference}/actions", tag = "cases",
    security(("bearer" = [])),
    params(
        ("reference" = String, Path, description = "The case's reference"),
        ("If-Match" = Option<String>, Header, description = "Act only if the case is still at this `version`; 409 `version_mismatch` otherwise"),
    ),
    request_body = ActionRequest,
    responses(
        (status = 200, description = "Done: the case as it is now, and the journal event", body = ActionResult),
        (status = 401, description = "Missing, unknown or revoked token", body = crate::error::Problem),
        (status = 403, description = "The caller's role may not take this action", body = crate::error::Problem),
        (status = 404, description = "No such case in the caller's scope", body = crate::error::Problem),
        (status = 409, description = "The lifecycle forbids this action from the case's status", body = crate::error::Problem),
        (status = 422, description = "Invalid fields, each named", body = crate::error::Problem),
    )
)]
pub async fn act(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ActionRequest>,
) -> Result<Json<ActionResult>, AppError> {
    let expected_version = expected_version(&headers)?;
    let app = state.app();
    let (acted, cat) = app
        .act(
            &staff.user,
            Channel::Api,
            &reference,
            expected_version,
            body,
        )
        .await?;
    let citizen = match acted.case.citizen {
        Some(id) => app.best_effort_citizen(id).await,
        None => None,
    };
    let audience = Audience::of_role(staff.role());
    // The reveal is on the record now: its answer, and only its answer, shows the contact.
    let contact = match (acted.event.kind, &citizen) {
        (EventKind::ContactRevealed, Some(z)) => {
            let seen = privacy::case_view(&acted.case, Some(z), Audience::Revealed);
            seen.citizen.map(|c| ContactBody {
                name: c.name,
                phone: c.phone,
                whatsapp: c.whatsapp,
                email: c.email,
            })
        }
        _ => None,
    };
    let view = privacy::case_view(&acted.case, citizen.as_ref(), audience);
    let event = privacy::event_view(&acted.event, citizen.as_ref(), audience)
        .map(|v| event_body(&v))
        .ok_or_else(|| AppError::Internal("an actor cannot see their own event".into()))?;
    Ok(Json(ActionResult {
        case: super::information::body_of(&view, &cat, state.clock.now()),
        event,
        contact,
    }))
}
