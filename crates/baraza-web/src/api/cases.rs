//! Case handlers: intake, listing, reading with the journal, and actions. Requests are
//! parsed here into domain types, collecting every invalid field; the lifecycle decides
//! inside the store's transaction.

use super::dto::*;
use crate::AppState;
use crate::auth::Staff;
use crate::catalog::JurisdictionCatalog;
use crate::error::{ApiJson, ApiQuery, AppError};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use baraza_core::lifecycle::{Action, ActionKind, may};
use baraza_core::*;
use base64::Engine;
use std::sync::Arc;

/// Roles that take concerns in on a citizen's behalf (counter, phone, letters).
fn may_file(role: Role) -> bool {
    may(lifecycle::ActorRole::Staff(role), ActionKind::Assign)
}

pub(crate) async fn catalog_of(
    state: &AppState,
    staff: &Staff,
) -> Result<Arc<JurisdictionCatalog>, AppError> {
    state
        .catalog
        .fresh(&*state.store, &staff.user.jurisdiction, |_| true)
        .await?
        .ok_or_else(|| {
            AppError::Internal(format!(
                "jurisdiction {} has no reference data",
                staff.user.jurisdiction
            ))
        })
}

/// The catalog, reloaded once if it does not yet know a code the request names.
async fn catalog_knowing(
    state: &AppState,
    staff: &Staff,
    ward: Option<&str>,
    category: Option<&str>,
    department: Option<&str>,
) -> Result<Arc<JurisdictionCatalog>, AppError> {
    let knows = |c: &JurisdictionCatalog| {
        ward.is_none_or(|w| c.areas.get(&AreaCode(w.to_owned())).is_some())
            && category.is_none_or(|k| c.category(k).is_some())
            && department.is_none_or(|d| c.department(d).is_some())
    };
    state
        .catalog
        .fresh(&*state.store, &staff.user.jurisdiction, knows)
        .await?
        .ok_or_else(|| {
            AppError::Internal(format!(
                "jurisdiction {} has no reference data",
                staff.user.jurisdiction
            ))
        })
}

/// Collects field errors so that one response names them all.
#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        r.map_err(|e| self.0.push(e)).ok()
    }
    fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }
    fn required<T>(&mut self, field: &str, v: Option<T>) -> Option<T> {
        if v.is_none() {
            self.push(field, "is required");
        }
        v
    }
    fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self.0))
        }
    }
}

fn parse_enum<T: std::str::FromStr<Err = FieldError>>(
    field: &str,
    v: &str,
) -> Result<T, FieldError> {
    v.parse()
        .map_err(|e: FieldError| FieldError::new(field, e.message))
}

fn parse_ward(cat: &JurisdictionCatalog, field: &str, code: &str) -> Result<AreaCode, FieldError> {
    cat.areas
        .ward(code)
        .map(|a| a.code.clone())
        .map_err(|e| FieldError::new(field, e.message))
}

fn parse_category<'a>(
    cat: &'a JurisdictionCatalog,
    code: &str,
) -> Result<&'a ServiceCategory, FieldError> {
    cat.category(code).ok_or_else(|| {
        FieldError::new(
            "category",
            format!("no category {code:?} in this jurisdiction"),
        )
    })
}

fn parse_reference(field: &str, s: &str) -> Result<CaseNumber, FieldError> {
    CaseNumber::parse(s).map_err(|e| FieldError::new(field, e.to_string()))
}

/// Whether the caller may see this case at all.
pub(crate) fn visible(staff: &Staff, case: &Case, cat: &JurisdictionCatalog) -> bool {
    case.jurisdiction == staff.user.jurisdiction && staff.user.scope.covers(case, &cat.areas)
}

/// Narrow a listing to what the user may see: their jurisdiction, their area or department.
pub(crate) fn restrict_to_scope(
    user: &StaffUser,
    cat: &JurisdictionCatalog,
    filter: &mut CaseFilter,
) {
    filter.jurisdiction = Some(user.jurisdiction.clone());
    match &user.scope {
        Scope::Jurisdiction => {}
        Scope::Area(area) => filter.wards_in = Some(cat.areas.wards_within(area)),
        Scope::Department(d) => filter.department_in = Some(d.clone()),
    }
}

pub(crate) async fn load_visible(
    state: &AppState,
    staff: &Staff,
    reference: &str,
) -> Result<(Case, Arc<JurisdictionCatalog>), AppError> {
    let number = parse_reference("reference", reference).map_err(|e| AppError::Invalid(vec![e]))?;
    let cat = catalog_of(state, staff).await?;
    match state.store.case_by_number(number).await? {
        Some(case) if visible(staff, &case, &cat) => Ok((case, cat)),
        _ => Err(AppError::not_found("case")),
    }
}

fn parse_citizen(body: CitizenBody, default_language: Language, errors: &mut Errors) -> NewCitizen {
    let phone = body.phone.as_deref().and_then(|p| {
        errors.take(PhoneNumber::parse(p).map_err(|e| FieldError::new("citizen.phone", e.message)))
    });
    let email = body.email.as_deref().and_then(|e| {
        errors.take(Email::parse(e).map_err(|e| FieldError::new("citizen.email", e.message)))
    });
    let language = body
        .language
        .as_deref()
        .and_then(|l| errors.take(parse_enum("citizen.language", l)))
        .unwrap_or(default_language);
    let gender = body
        .gender
        .as_deref()
        .and_then(|g| errors.take(parse_enum("citizen.gender", g)));
    let age_band = body
        .age_band
        .as_deref()
        .and_then(|a| errors.take(parse_enum("citizen.age_band", a)));
    let name = body
        .name
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    if name.as_ref().is_some_and(|n| n.chars().count() > 200) {
        errors.push("citizen.name", "at most 200 characters");
    }
    let whatsapp_id = body
        .whatsapp_id
        .map(|w| w.trim().to_owned())
        .filter(|w| !w.is_empty());
    if whatsapp_id
        .as_ref()
        .is_some_and(|w| w.len() > 32 || !w.bytes().all(|b| b.is_ascii_digit()))
    {
        errors.push(
            "citizen.whatsapp_id",
            "a WhatsApp id is the number's digits, e.g. 254712345678",
        );
    }
    let mut c = NewCitizen {
        phone,
        whatsapp_id,
        email,
        name,
        language,
        gender,
        age_band,
        consent: Consent {
            contact: false,
            publish: body.consent_publish.unwrap_or(false),
        },
    };
    c.consent.contact = body.consent_contact.unwrap_or(c.has_contact());
    c
}

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
    let key = idempotency_key(&headers)?;
    let (intake, cat) = file_case(
        &state,
        &staff,
        body,
        key.map(|k| format!("api:{}:{k}", staff.user.id)),
    )
    .await?;
    if !intake.created && !visible(&staff, &intake.case, &cat) {
        return Err(AppError::not_found("case"));
    }
    let citizen = match (intake.citizen, intake.case.citizen) {
        (Some(c), _) => Some(c),
        (None, Some(id)) => best_effort_citizen(&state, id).await,
        (None, None) => None,
    };
    let body = case_body(
        &intake.case,
        &cat.jurisdiction.reference_prefix,
        citizen.as_ref(),
        staff.role(),
    );
    let status = if intake.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let location = format!("/api/v1/cases/{}", intake.case.number.digits());
    Ok((status, [(header::LOCATION, location)], Json(body)).into_response())
}

/// File a case on a citizen's behalf (API and console): checks the role, every field
/// and the filer's area. `key` is the filer's own idempotency key, already namespaced.
pub(crate) async fn file_case(
    state: &AppState,
    staff: &Staff,
    body: CreateCaseRequest,
    key: Option<String>,
) -> Result<(baraza_store::Intake, Arc<JurisdictionCatalog>), AppError> {
    if !may_file(staff.role()) {
        return Err(AppError::Forbidden {
            code: "role_not_allowed",
            detail: format!("a {} may not file cases", staff.role()),
        });
    }
    let cat = catalog_knowing(
        state,
        staff,
        body.ward.as_deref(),
        body.category.as_deref(),
        None,
    )
    .await?;
    let new = build_new_case(&cat, body, key)?;
    if let Scope::Area(area) = &staff.user.scope {
        let inside = new
            .ward
            .as_ref()
            .is_some_and(|w| cat.areas.is_within(w, area));
        if !inside {
            return Err(AppError::Forbidden {
                code: "outside_scope",
                detail: format!("file cases in a ward within your area ({area})"),
            });
        }
    }
    let intake = state
        .store
        .create_case(new, staff.actor(), state.clock.now())
        .await?;
    Ok((intake, cat))
}

/// A concern checked whole against a jurisdiction's reference data: every invalid field
/// is named at once. `key` is the filer's idempotency key, already namespaced.
pub(crate) fn build_new_case(
    cat: &JurisdictionCatalog,
    body: CreateCaseRequest,
    key: Option<String>,
) -> Result<NewCase, AppError> {
    let mut errors = Errors::default();
    let kind = errors
        .required("kind", body.kind.as_deref())
        .and_then(|k| errors.take(parse_enum::<CaseKind>("kind", k)));
    let channel = match body.channel.as_deref() {
        Some(c) => errors.take(parse_enum::<Channel>("channel", c)),
        None => Some(Channel::Api),
    };
    let description = errors
        .required("description", body.description.as_deref())
        .and_then(|d| errors.take(case::parse_description(d)));
    let ward = body
        .ward
        .as_deref()
        .and_then(|w| errors.take(parse_ward(cat, "ward", w)));
    let category = body
        .category
        .as_deref()
        .and_then(|c| errors.take(parse_category(cat, c).map(|c| c.code.clone())));
    let location = body
        .location
        .and_then(|l| errors.take(GeoPoint::parse(l.lat, l.lon)));
    let mut attachments = Vec::new();
    for (i, a) in body.attachments.into_iter().enumerate() {
        if a.sha256.len() != 64 || !a.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            errors.push(
                &format!("attachments[{i}].sha256"),
                "a hex SHA-256 has 64 characters",
            );
        }
        if !a.media_type.contains('/') {
            errors.push(
                &format!("attachments[{i}].media_type"),
                "a media type, e.g. image/jpeg",
            );
        }
        attachments.push(Attachment {
            media_type: a.media_type,
            size_bytes: a.size_bytes,
            sha256: a.sha256,
            filename: a.filename,
            url: a.url,
        });
    }
    let citizen = body
        .citizen
        .map(|c| parse_citizen(c, cat.jurisdiction.default_language, &mut errors));
    errors.finish()?;
    let (Some(kind), Some(channel), Some(description)) = (kind, channel, description) else {
        return Err(AppError::Internal("validated fields missing".into()));
    };
    let new = NewCase {
        jurisdiction: cat.jurisdiction.id.clone(),
        kind,
        channel,
        category,
        ladder: ward
            .as_ref()
            .map(|w| cat.areas.ladder(w))
            .unwrap_or_default(),
        ward,
        location,
        description,
        attachments,
        citizen,
        // Keys are the filer's own: another user's key can never return their case.
        idempotency_key: key,
        // The reference goes back in this response, to whoever files it for the citizen.
        acknowledged_on_intake: matches!(
            channel,
            Channel::Api | Channel::Web | Channel::Counter | Channel::Voice
        ),
    };
    Ok(new)
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

/// After a write has committed, a failed read must not turn success into an error (the
/// client would retry a write that is already stored): the citizen is then left out.
pub(crate) async fn best_effort_citizen(state: &AppState, id: CitizenId) -> Option<Citizen> {
    match state.store.citizen(id).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "reading a citizen after a committed write");
            None
        }
    }
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
    let cat = catalog_of(&state, &staff).await?;
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
    restrict_to_scope(&staff.user, &cat, &mut filter);
    let mut rows = state.store.list_cases(&filter).await?;
    let next_cursor = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(encode_cursor)
    } else {
        None
    };
    let prefix = &cat.jurisdiction.reference_prefix;
    // Lists carry no citizen: one lookup per row would cost more than it tells.
    let cases = rows
        .iter()
        .map(|c| case_body(c, prefix, None, staff.role()))
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
    let (case, cat) = load_visible(&state, &staff, &reference).await?;
    let citizen = match case.citizen {
        Some(id) => state.store.citizen(id).await?,
        None => None,
    };
    let role = staff.role();
    let journal = state
        .store
        .case_events(case.id)
        .await?
        .iter()
        .filter(|e| e.visibility == Visibility::Public || role.sees_internal_events())
        .map(|e| event_body(e, role))
        .collect();
    Ok(Json(CaseDetail {
        case: case_body(
            &case,
            &cat.jurisdiction.reference_prefix,
            citizen.as_ref(),
            role,
        ),
        journal,
    }))
}

/// Which request fields each action uses; any other field is an error, not silently ignored.
fn fields_of(kind: ActionKind) -> &'static [&'static str] {
    match kind {
        ActionKind::Triage => &["category", "priority", "urgency", "ward"],
        ActionKind::RevealContact => &["reason"],
        ActionKind::Assign => &["department", "officer", "note"],
        ActionKind::Respond | ActionKind::Note | ActionKind::CitizenReply => &["text"],
        ActionKind::Escalate | ActionKind::Reopen | ActionKind::Reject => &["reason"],
        ActionKind::Refer => &["reason", "to"],
        ActionKind::MarkDuplicate => &["of"],
        ActionKind::Rate => &["score"],
        _ => &[],
    }
}

pub(crate) async fn parse_action(
    state: &AppState,
    staff: &Staff,
    body: ActionRequest,
    case: &Case,
) -> Result<(Action, Arc<JurisdictionCatalog>), AppError> {
    let mut errors = Errors::default();
    let kind = errors
        .required("action", body.action.as_deref())
        .and_then(|a| errors.take(parse_enum::<ActionKind>("action", a)));
    let Some(kind) = kind else {
        errors.finish()?;
        return Err(AppError::Internal("action missing".into()));
    };
    let present = [
        ("category", body.category.is_some()),
        ("priority", body.priority.is_some()),
        ("ward", body.ward.is_some()),
        ("department", body.department.is_some()),
        ("officer", body.officer.is_some()),
        ("note", body.note.is_some()),
        ("text", body.text.is_some()),
        ("reason", body.reason.is_some()),
        ("to", body.to.is_some()),
        ("of", body.of.is_some()),
        ("score", body.score.is_some()),
    ];
    for (field, given) in present {
        if given && !fields_of(kind).contains(&field) {
            errors.push(field, format!("not used by {kind}"));
        }
    }
    let cat = catalog_knowing(
        state,
        staff,
        body.ward.as_deref(),
        body.category.as_deref(),
        body.department.as_deref(),
    )
    .await?;
    let text = |errors: &mut Errors, field: &str, v: Option<String>| {
        errors.required(field, v).unwrap_or_default()
    };
    let action = match kind {
        ActionKind::Acknowledge => Action::Acknowledge,
        ActionKind::Start => Action::Start,
        ActionKind::Resolve => Action::Resolve,
        ActionKind::Close => Action::Close,
        ActionKind::CloseUnconfirmed => Action::CloseUnconfirmed,
        ActionKind::Triage => {
            let category = errors
                .required("category", body.category.as_deref())
                .and_then(|c| errors.take(parse_category(&cat, c)));
            let urgency = body
                .urgency
                .as_deref()
                .and_then(|u| errors.take(parse_enum::<Urgency>("urgency", u)));
            let priority = match (body.priority.as_deref(), urgency, category) {
                (Some(p), _, _) => errors.take(parse_enum::<Priority>("priority", p)),
                (None, Some(u), Some(c)) => Some(cat.policy().priority_for(&c.code, u)),
                (None, Some(_), None) => None,
                (None, None, _) => {
                    errors.push("priority", "give a priority, or an urgency for the matrix");
                    None
                }
            };
            let ward = body
                .ward
                .as_deref()
                .and_then(|w| errors.take(parse_ward(&cat, "ward", w)));
            let ladder = ward
                .as_ref()
                .map(|w| cat.areas.ladder(w))
                .unwrap_or_default();
            Action::Triage {
                category: category.map(|c| c.code.clone()).unwrap_or_default(),
                priority: priority.unwrap_or(Priority::Normal),
                urgency,
                department: category.map(|c| c.department.clone()),
                ward,
                ladder,
            }
        }
        ActionKind::Assign => {
            let department = errors
                .required("department", body.department.as_deref())
                .and_then(|d| {
                    errors.take(cat.department(d).map(|d| d.code.clone()).ok_or_else(|| {
                        FieldError::new(
                            "department",
                            format!("no department {d:?} in this jurisdiction"),
                        )
                    }))
                });
            let officer = match body.officer.as_deref() {
                None => None,
                Some(o) => match o.parse::<uuid::Uuid>() {
                    Err(_) => {
                        errors.push("officer", "a staff user's id (a UUID)");
                        None
                    }
                    Ok(id) => match state.store.user(UserId(id)).await? {
                        Some(u) if u.jurisdiction == staff.user.jurisdiction && !u.disabled => {
                            Some(u.id)
                        }
                        _ => {
                            errors.push(
                                "officer",
                                "no active staff user with this id in this jurisdiction",
                            );
                            None
                        }
                    },
                },
            };
            Action::Assign {
                department: department.unwrap_or_default(),
                officer,
                note: body.note,
            }
        }
        ActionKind::Respond => Action::Respond {
            text: text(&mut errors, "text", body.text),
        },
        ActionKind::Remind => Action::Remind,
        // Only the media job attaches files (the role check refuses everyone else).
        ActionKind::AttachMedia => {
            return Err(AppError::Forbidden {
                code: "role_not_allowed",
                detail: "files are attached by Baraza when it fetches them".into(),
            });
        }
        ActionKind::CitizenReply => Action::CitizenReply {
            text: text(&mut errors, "text", body.text),
            source: None,
        },
        ActionKind::Note => Action::Note {
            text: text(&mut errors, "text", body.text),
        },
        ActionKind::RevealContact => Action::RevealContact {
            reason: text(&mut errors, "reason", body.reason),
        },
        ActionKind::Escalate => Action::Escalate {
            reason: text(&mut errors, "reason", body.reason),
        },
        ActionKind::Reopen => Action::Reopen {
            reason: text(&mut errors, "reason", body.reason),
        },
        ActionKind::Reject => Action::Reject {
            reason: text(&mut errors, "reason", body.reason),
        },
        ActionKind::Refer => Action::Refer {
            reason: text(&mut errors, "reason", body.reason),
            to: text(&mut errors, "to", body.to),
        },
        ActionKind::Rate => Action::Rate {
            score: errors.required("score", body.score).unwrap_or(0),
        },
        ActionKind::MarkDuplicate => {
            let of = errors
                .required("of", body.of.as_deref())
                .and_then(|o| errors.take(parse_reference("of", o)));
            if let Some(of) = of {
                match state.store.case_by_number(of).await? {
                    Some(original) if visible(staff, &original, &cat) => {}
                    _ => errors.push("of", "no such case in your scope"),
                }
                if of == case.number {
                    errors.push("of", "a case cannot duplicate itself");
                }
            }
            Action::MarkDuplicate {
                of: of.unwrap_or(case.number),
            }
        }
    };
    errors.finish()?;
    Ok((action, cat))
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
    let (case, _) = load_visible(&state, &staff, &reference).await?;
    let (action, cat) = parse_action(&state, &staff, body, &case).await?;
    let acted = state
        .store
        .act(
            case.number,
            expected_version,
            staff.actor(),
            action,
            cat.targets.clone(),
            state.clock.now(),
        )
        .await?;
    let citizen = match acted.case.citizen {
        Some(id) => best_effort_citizen(&state, id).await,
        None => None,
    };
    let role = staff.role();
    let contact = match (&acted.event.kind[..], &citizen) {
        ("case.contact_revealed", Some(z)) => Some(ContactBody {
            name: z.name.clone(),
            phone: z.phone.as_ref().map(|p| p.as_str().to_owned()),
            whatsapp: z.whatsapp_id.clone(),
            email: z.email.as_ref().map(|e| e.as_str().to_owned()),
        }),
        _ => None,
    };
    Ok(Json(ActionResult {
        case: case_body(
            &acted.case,
            &cat.jurisdiction.reference_prefix,
            citizen.as_ref(),
            role,
        ),
        event: event_body(&acted.event, role),
        contact,
    }))
}
