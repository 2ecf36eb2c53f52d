//! Working cases: the queues with their counts, the case page (timeline, contact, the
//! actions one's role may take now), intake on a citizen's behalf, and the overview of
//! what is overdue. Every read goes through the same scope rules as the JSON API, and
//! every action through `parse_action` and the lifecycle: the console adds no rules.

use super::{ConsoleUser, Frame, Tr, csrf_refused, message, random_hex, render};
use crate::AppState;
use crate::error::{ApiQuery, AppError};
use askama::Template;
use axum::extract::{Path, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use baraza_app::JurisdictionCatalog;
use baraza_app::input::{ActionRequest, CitizenBody, CreateCaseRequest};
use baraza_app::privacy::{self, Audience, CaseView, EventView};
use baraza_app::scope::{may_file, restrict as restrict_to_scope, visible};
use baraza_app::words;
use baraza_core::lifecycle::{self, ActionKind, ActorRole, may};
use baraza_core::*;
use serde::Deserialize;
use std::collections::HashMap;

const OPEN: &[Status] = &[
    Status::Received,
    Status::Acknowledged,
    Status::Triaged,
    Status::Assigned,
    Status::InProgress,
    Status::Reopened,
    Status::Escalated,
];

/// The queues, in the order shown.
const QUEUES: &[&str] = &[
    "triage",
    "assigned",
    "due-soon",
    "overdue",
    "waiting",
    "reopened",
    "escalated",
    "all",
];

fn queue_filter(queue: &str, now: Timestamp) -> CaseFilter {
    let mut f = CaseFilter::default();
    match queue {
        "triage" => f.statuses = vec![Status::Received, Status::Acknowledged],
        "assigned" => f.statuses = vec![Status::Assigned, Status::InProgress],
        "due-soon" => {
            f.statuses = OPEN.to_vec();
            f.deadline_from = Some(now);
            f.deadline_before = Some(now + chrono::Duration::hours(24));
        }
        "overdue" => {
            f.statuses = OPEN.to_vec();
            f.deadline_before = Some(now);
        }
        "waiting" => f.statuses = vec![Status::Responded],
        "reopened" => {
            f.statuses = OPEN.to_vec();
            f.reopened = true;
        }
        "escalated" => f.statuses = vec![Status::Escalated],
        _ => {}
    }
    f
}

async fn catalog_of(
    state: &AppState,
    u: &ConsoleUser,
) -> Result<std::sync::Arc<JurisdictionCatalog>, AppError> {
    Ok(state
        .app()
        .catalog_of(&u.user)
        .await?
        .in_language(u.tr.lang))
}

/// One case in a list.
pub struct Row {
    pub digits: String,
    pub reference: String,
    pub status: String,
    pub priority: String,
    pub place: String,
    pub department: String,
    pub deadline: String,
    pub overdue: bool,
    pub excerpt: String,
}

/// "3 d 4 h", "5 h 10 min".
fn span(d: chrono::Duration) -> String {
    let mins = d.num_minutes().max(0);
    let (days, hours, m) = (mins / 1440, (mins % 1440) / 60, mins % 60);
    if days > 0 {
        format!("{days} d {hours} h")
    } else if hours > 0 {
        format!("{hours} h {m} min")
    } else {
        format!("{m} min")
    }
}

/// Cases as list rows, each shown through the reader's privacy projection.
async fn rows_of(
    state: &AppState,
    u: &ConsoleUser,
    cases: &[Case],
    cat: &JurisdictionCatalog,
    now: Timestamp,
) -> Result<Vec<Row>, AppError> {
    let audience = Audience::of_role(u.role());
    let citizens = state.app().citizens_for_list(cases, audience).await?;
    Ok(cases
        .iter()
        .zip(&citizens)
        .map(|(c, z)| {
            row(
                &privacy::case_view(c, z.as_ref(), audience),
                cat,
                &u.tr,
                now,
            )
        })
        .collect())
}

fn row(v: &CaseView<'_>, cat: &JurisdictionCatalog, tr: &Tr, now: Timestamp) -> Row {
    let c = v.case;
    let text = v.description.clone().unwrap_or_default();
    let excerpt: String = text.chars().take(90).collect();
    Row {
        digits: c.number.digits(),
        reference: c.number.display_with(&cat.jurisdiction.reference_prefix),
        status: tr.t(&format!("status-{}", c.status)),
        priority: c
            .priority
            .map(|p| tr.t(&format!("priority-{p}")))
            .unwrap_or_default(),
        place: cat.area_name(c.holder().or(c.ward.as_ref())),
        department: cat.department_name(c.department.as_deref()),
        deadline: c.deadline.map(|d| cat.local_time(&d)).unwrap_or_default(),
        overdue: c.deadline.is_some_and(|d| d < now),
        excerpt: if text.chars().count() > 90 {
            format!("{excerpt}…")
        } else {
            excerpt
        },
    }
}

pub struct Tab {
    pub id: &'static str,
    pub label: String,
    pub count: u64,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "console/queues.html")]
struct QueuesPage {
    frame: Frame,
    tabs: Vec<Tab>,
    queue: String,
    q: String,
    /// Searching: every queue at once.
    searching: bool,
    rows: Vec<Row>,
    next: Option<String>,
    /// The filters and the order, as chosen, and their choices.
    chosen: QueueQuery,
    wards: Vec<Opt>,
    departments: Vec<Opt>,
    categories: Vec<Opt>,
    priorities: Vec<Opt>,
    orders: Vec<Opt>,
    /// `&ward=...&sort=...`: the filters, kept in the tabs' links.
    kept: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct QueueQuery {
    #[serde(default)]
    queue: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    after: String,
    #[serde(default)]
    page: u32,
    #[serde(default)]
    ward: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    sort: String,
}

/// The queues where each role's work is, in the order it looks at them: it lands on
/// the first that has cases.
fn landing_queues(role: Role) -> &'static [&'static str] {
    match role {
        Role::CommunicationsDesk => &["triage", "overdue", "due-soon", "reopened"],
        Role::WardAdministrator | Role::SubCountyAdministrator => {
            &["escalated", "triage", "overdue", "due-soon"]
        }
        Role::FeedbackCoordinator => &["assigned", "overdue", "due-soon", "reopened"],
        Role::DepartmentDirector => &["escalated", "overdue", "assigned"],
        Role::CountyExecutive => &["overdue", "escalated"],
        _ => &["all"],
    }
}

pub async fn queues(
    State(state): State<AppState>,
    u: ConsoleUser,
    ApiQuery(query): ApiQuery<QueueQuery>,
) -> Result<Response, AppError> {
    let cat = catalog_of(&state, &u).await?;
    let now = state.clock.now();
    let q = query.q.trim().to_owned();
    // A reference number goes straight to its case (if in scope).
    if let Ok(n) = CaseNumber::parse(&q)
        && let Some(c) = state.store.case_by_number(n).await?
        && visible(&u.user, &c, &cat)
    {
        return Ok(Redirect::to(&format!("/staff/cases/{}", n.digits())).into_response());
    }
    // The filters: only codes the catalog knows; anything else is no filter.
    let ward = cat
        .areas
        .get(&AreaCode(query.ward.clone()))
        .map(|a| a.code.clone());
    let department = cat.department(&query.department).map(|d| d.code.clone());
    let category = cat.category(&query.category).map(|c| c.code.clone());
    let priority: Option<Priority> = query.priority.parse().ok();
    let order: CaseOrder = query.sort.parse().unwrap_or_default();
    let text = (!q.is_empty()).then(|| q.clone());
    let filtered = |queue: &str| {
        let mut f = queue_filter(queue, now);
        f.text = text.clone();
        f.ward = ward.clone();
        f.department = department.clone();
        f.category = category.clone();
        f.priority = priority;
        restrict_to_scope(&u.user, &cat, &mut f);
        f
    };
    let mut tabs = Vec::new();
    for id in QUEUES {
        tabs.push(Tab {
            id,
            label: u.tr.t(&format!("queue-{id}")),
            count: state.store.count_cases(&filtered(id)).await?,
            active: false,
        });
    }
    // A search covers every case one may see, whichever tab it started from; without a
    // queue chosen, each role lands where its work is.
    let searching = text.is_some() && query.queue.is_empty();
    let queue = if QUEUES.contains(&query.queue.as_str()) {
        query.queue.clone()
    } else if searching {
        "all".to_owned()
    } else {
        let prefs = landing_queues(u.role());
        prefs
            .iter()
            .find(|id| tabs.iter().any(|t| t.id == **id && t.count > 0))
            .or(prefs.first())
            .map_or("all", |v| v)
            .to_owned()
    };
    for t in &mut tabs {
        t.active = t.id == queue;
    }
    const PAGE: usize = 30;
    let mut f = filtered(&queue);
    f.order = order;
    f.limit = PAGE as u32 + 1;
    f.after = decode_after(&query.after);
    f.offset = query.page * PAGE as u32;
    let mut cases = state.store.list_cases(&f).await?;
    let kept = serde_urlencoded::to_string([
        ("ward", ward.as_ref().map_or("", |w| w.0.as_str())),
        ("department", department.as_deref().unwrap_or("")),
        ("category", category.as_deref().unwrap_or("")),
        ("priority", priority.map_or("", |p| p.as_str())),
        (
            "sort",
            if order == CaseOrder::Newest {
                ""
            } else {
                order.as_str()
            },
        ),
    ])
    .map(|s| {
        s.split('&')
            .filter(|kv| !kv.ends_with('='))
            .map(|kv| format!("&{kv}"))
            .collect::<String>()
    })
    .unwrap_or_default();
    let next = if cases.len() > PAGE {
        cases.truncate(PAGE);
        cases.last().map(|c| {
            let cursor = if order.keyset() {
                (
                    "after",
                    format!("{}_{}", c.created_at.timestamp_micros(), c.id),
                )
            } else {
                ("page", (query.page + 1).to_string())
            };
            let mut link = serde_urlencoded::to_string([
                ("queue", queue.as_str()),
                ("q", q.as_str()),
                (cursor.0, cursor.1.as_str()),
            ])
            .unwrap_or_default();
            link.push_str(&kept);
            link
        })
    } else {
        None
    };
    let rows = rows_of(&state, &u, &cases, &cat, now).await?;
    let tr = u.tr;
    let mut wards: Vec<Opt> = cat
        .areas
        .leaves()
        .filter(|a| match &u.user.scope {
            Scope::Area(area) => cat.areas.is_within(&a.code, area),
            _ => true,
        })
        .map(|a| Opt {
            value: a.code.0.clone(),
            label: a.name.clone(),
        })
        .collect();
    wards.sort_by(|a, b| a.label.cmp(&b.label));
    let page = QueuesPage {
        frame: u.frame(tr.t("nav-queues")),
        tabs,
        queue,
        q,
        searching,
        rows,
        next,
        wards,
        departments: cat
            .departments_by_name()
            .into_iter()
            .map(|(value, label)| Opt { value, label })
            .collect(),
        categories: {
            let mut c: Vec<Opt> = cat
                .categories
                .iter()
                .map(|c| Opt {
                    value: c.code.clone(),
                    label: c.name.clone(),
                })
                .collect();
            c.sort_by(|a, b| a.label.cmp(&b.label));
            c
        },
        priorities: Priority::ALL
            .iter()
            .map(|p| Opt {
                value: p.to_string(),
                label: tr.t(&format!("priority-{p}")),
            })
            .collect(),
        orders: CaseOrder::ALL
            .iter()
            .map(|o| Opt {
                value: o.to_string(),
                label: tr.t(&format!("sort-{o}")),
            })
            .collect(),
        kept,
        chosen: query,
    };
    Ok(render(&page))
}

fn decode_after(s: &str) -> Option<(Timestamp, CaseId)> {
    let (micros, id) = s.split_once('_')?;
    let at = chrono::DateTime::from_timestamp_micros(micros.parse().ok()?)?;
    Some((at, CaseId(id.parse().ok()?)))
}

/// One journal event as the timeline shows it.
pub struct Entry {
    pub when: String,
    pub what: String,
    pub who: String,
    pub detail: String,
    pub internal: bool,
}

pub struct Opt {
    pub value: String,
    pub label: String,
}

/// The case page's forms: which actions, and the choices they offer.
pub struct ActionForm {
    pub kind: &'static str,
    pub label: String,
}

pub struct Forms {
    pub kinds: Vec<ActionForm>,
    pub categories: Vec<Opt>,
    pub wards: Vec<Opt>,
    pub departments: Vec<Opt>,
    pub officers: Vec<Opt>,
    pub priorities: Vec<Opt>,
    pub urgencies: Vec<Opt>,
}

impl Forms {
    pub fn has(&self, kind: &str) -> bool {
        self.kinds.iter().any(|a| a.kind == kind)
    }
}

pub struct Contact {
    pub name: String,
    pub phone: String,
    pub email: String,
}

#[derive(Template)]
#[template(path = "console/case.html")]
struct CasePage {
    frame: Frame,
    digits: String,
    reference: String,
    version: u32,
    facts: Vec<(String, String)>,
    description: String,
    timeline: Vec<Entry>,
    /// The masked contact, or None for an anonymous case.
    masked: Option<String>,
    may_reveal: bool,
    revealed: Option<Contact>,
    forms: Forms,
    notice: Option<String>,
    error: Vec<String>,
    category_hint: String,
    /// The SMS the citizen would get, with `@@TEXT@@` where the answer goes (for the count).
    sms_frame: String,
    sms_template: String,
    sms_counter: &'static str,
    /// The case's photos, shown to staff (served under the same scope check).
    photos: Vec<StaffPhoto>,
    /// Whether this user may approve a photo for the public.
    may_publish: bool,
    /// Whether the citizen agreed to publication (else an approval shows nothing).
    citizen_consented: bool,
    place: Option<Place>,
    /// Open cases nearby, while this one is open (possible duplicates at triage).
    nearby: Option<Vec<Nearby>>,
}

/// Where the citizen said the problem is: the numbers, a link to a map, and the point
/// on the jurisdiction's ward map when it has boundaries.
struct Place {
    coords: String,
    osm: String,
    svg: Option<String>,
}

/// An open case near this one (a possible duplicate).
struct Nearby {
    digits: String,
    reference: String,
    status: String,
    /// "120 m away".
    away: String,
}

/// Open cases within this distance of a case are shown at triage as possible duplicates.
const NEARBY_METRES: f64 = 300.0;

fn place_of(case: &Case, p: GeoPoint, cat: &JurisdictionCatalog, tr: &Tr) -> Place {
    use std::fmt::Write;
    let svg = cat.jurisdiction.ward_map.as_ref().and_then(|m| {
        let (x, y) = m.project(p.lat, p.lon)?;
        let mut s = format!(
            "<svg viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\">",
            m.width,
            m.height,
            tr.t("location")
        );
        for shape in &m.shapes {
            let class = if case.ward.as_ref() == Some(&shape.code) {
                "c1 sel"
            } else {
                "c0"
            };
            let _ = write!(s, "<path class=\"{class}\" d=\"{}\"/>", shape.path);
        }
        let _ = write!(
            s,
            "<circle class=\"pin\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"6\"/></svg>"
        );
        Some(s)
    });
    Place {
        coords: format!("{:.6}, {:.6}", p.lat, p.lon),
        osm: format!(
            "https://www.openstreetmap.org/?mlat={:.6}&mlon={:.6}#map=17/{:.6}/{:.6}",
            p.lat, p.lon, p.lat, p.lon
        ),
        svg,
    }
}

/// Open concerns of the same ward within `NEARBY_METRES`, nearest first, that the user
/// may see.
async fn nearby_of(
    state: &AppState,
    u: &ConsoleUser,
    case: &Case,
    p: GeoPoint,
    cat: &JurisdictionCatalog,
) -> Result<Vec<Nearby>, AppError> {
    let mut f = CaseFilter {
        statuses: OPEN.to_vec(),
        ward: case.ward.clone(),
        information: Some(false),
        limit: 500,
        ..Default::default()
    };
    restrict_to_scope(&u.user, cat, &mut f);
    let mut near: Vec<(f64, Case)> = state
        .store
        .list_cases(&f)
        .await?
        .into_iter()
        .filter(|c| c.id != case.id)
        .filter_map(|c| Some((c.location?.distance_m(&p), c)))
        .filter(|(d, _)| *d <= NEARBY_METRES)
        .collect();
    near.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(near
        .into_iter()
        .take(10)
        .map(|(d, c)| Nearby {
            digits: c.number.digits(),
            reference: c.number.display_with(&cat.jurisdiction.reference_prefix),
            status: u.tr.t(&format!("status-{}", c.status)),
            away: u
                .tr
                .args("metres-away", &[("metres", (d.round() as u32).to_string())]),
        })
        .collect())
}

/// A photo on the case page.
struct StaffPhoto {
    url: String,
    thumb: String,
    sha256: String,
    kb: u64,
    published: bool,
}

/// The actions the console offers, in the order shown.
const CONSOLE_ACTIONS: &[ActionKind] = &[
    ActionKind::Triage,
    ActionKind::Assign,
    ActionKind::Start,
    ActionKind::Respond,
    ActionKind::Note,
    ActionKind::Escalate,
    ActionKind::Resolve,
    ActionKind::Reopen,
    ActionKind::Close,
    ActionKind::Reject,
    ActionKind::Refer,
    ActionKind::MarkDuplicate,
];

fn actions_for(role: Role, status: Status, tr: &Tr) -> Vec<ActionForm> {
    CONSOLE_ACTIONS
        .iter()
        .filter(|k| {
            let rule = lifecycle::rule(**k);
            may(ActorRole::Staff(role), **k) && rule.from.contains(&status)
        })
        .map(|k| ActionForm {
            kind: k.as_str(),
            label: tr.t(&format!("act-{}", k.as_str().trim_start_matches("mark_"))),
        })
        .collect()
}

fn who(ev: &EventView<'_>, tr: &Tr, names: &HashMap<String, String>) -> String {
    match ev.event.actor_role.as_str() {
        "citizen" => tr.t("actor-citizen"),
        "system" => tr.t("actor-system"),
        role => {
            let name = ev
                .actor_id
                .as_ref()
                .and_then(|id| names.get(id))
                .cloned()
                .unwrap_or_default();
            let role = tr.t(&format!("role-{role}"));
            if name.is_empty() {
                role
            } else {
                format!("{name} ({role})")
            }
        }
    }
}

#[derive(Deserialize, Default)]
pub struct CaseQuery {
    #[serde(default)]
    m: String,
}

pub async fn case_page(
    State(state): State<AppState>,
    u: ConsoleUser,
    Path(reference): Path<String>,
    ApiQuery(q): ApiQuery<CaseQuery>,
) -> Result<Response, AppError> {
    let notice = match q.m.as_str() {
        // What the action did, in words, from the case as it now stands.
        "done" => Some(what_was_done(&state, &u, &reference).await?),
        "version-conflict" => Some(u.tr.t(&q.m)),
        _ => None,
    };
    show_case(
        &state,
        &u,
        &reference,
        notice,
        Vec::new(),
        None,
        StatusCode::OK,
    )
    .await
}

/// A photo of a case the user may see, for the case page.
pub async fn photo(
    State(state): State<AppState>,
    u: ConsoleUser,
    Path((reference, sha)): Path<(String, String)>,
) -> Result<Response, AppError> {
    staff_photo(state, u, reference, sha, false).await
}

/// Its thumbnail.
pub async fn thumbnail(
    State(state): State<AppState>,
    u: ConsoleUser,
    Path((reference, sha)): Path<(String, String)>,
) -> Result<Response, AppError> {
    staff_photo(state, u, reference, sha, true).await
}

async fn staff_photo(
    state: AppState,
    u: ConsoleUser,
    reference: String,
    sha: String,
    thumb: bool,
) -> Result<Response, AppError> {
    let case = match state.app().visible_case(&u.user, &reference).await {
        Ok((case, _)) => case,
        Err(baraza_app::Error::NotFound(_) | baraza_app::Error::Invalid(_)) => {
            return Ok(not_found(&u));
        }
        Err(e) => return Err(e.into()),
    };
    let view = privacy::case_view(&case, None, Audience::of_role(u.role()));
    match view.attachments.iter().find(|a| a.sha256 == sha) {
        Some(a) if thumb => {
            Ok(crate::html::serve_thumbnail(state.media_dir.as_deref(), a, false).await)
        }
        Some(a) => Ok(crate::html::serve_image(state.media_dir.as_deref(), a, false).await),
        None => Ok(not_found(&u)),
    }
}

fn not_found(u: &ConsoleUser) -> Response {
    message(
        StatusCode::NOT_FOUND,
        u.frame(u.tr.t("not-found")),
        u.tr.t("not-found"),
        vec![],
        "/staff",
    )
}

/// The confirmation after an action, saying what happened ("Assigned to Water and
/// Sanitation: Jane Chebet"), read from the case's latest event as the user may see it.
async fn what_was_done(
    state: &AppState,
    u: &ConsoleUser,
    reference: &str,
) -> Result<String, AppError> {
    use baraza_core::journal::EventKind as K;
    let tr = u.tr;
    let Ok((case, cat)) = state.app().visible_case(&u.user, reference).await else {
        return Ok(tr.t("done"));
    };
    let cat = cat.in_language(tr.lang);
    let events = state.store.case_events(case.id).await?;
    let Some(last) = events.last() else {
        return Ok(tr.t("done"));
    };
    let department = cat.department_name(case.department.as_deref());
    Ok(match last.kind {
        K::Triaged => tr.args(
            "did-triaged",
            &[
                ("category", cat.category_name(case.category.as_deref())),
                (
                    "priority",
                    case.priority
                        .map(|p| tr.t(&format!("priority-{p}")))
                        .unwrap_or_default(),
                ),
                ("department", department),
            ],
        ),
        K::Assigned => {
            let officer = match case.officer {
                Some(id) => state
                    .store
                    .user(id)
                    .await?
                    .map(|o| o.display_name)
                    .unwrap_or_default(),
                None => String::new(),
            };
            if officer.is_empty() {
                tr.args("did-assigned", &[("department", department)])
            } else {
                tr.args(
                    "did-assigned-to",
                    &[("department", department), ("officer", officer)],
                )
            }
        }
        K::Responded => tr.t("did-responded"),
        K::NoteAdded => tr.t("did-noted"),
        K::PhotoPublished
            if last.data().get("published").and_then(|v| v.as_bool()) == Some(true) =>
        {
            tr.t("did-photo-shown")
        }
        K::PhotoPublished => tr.t("did-photo-withdrawn"),
        K::Escalated => tr.args(
            "did-escalated",
            &[(
                "to",
                cat.area_name(case.ladder.get(case.ladder_position as usize)),
            )],
        ),
        _ => tr.args(
            "did-status",
            &[("status", tr.t(&format!("status-{}", case.status)))],
        ),
    })
}

async fn show_case(
    state: &AppState,
    u: &ConsoleUser,
    reference: &str,
    notice: Option<String>,
    error: Vec<String>,
    revealed: Option<Contact>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (case, cat) = match state.app().visible_case(&u.user, reference).await {
        // An information request has its own page, with its clock and its actions.
        Ok((case, _)) if case.is_request() => {
            return Ok(
                Redirect::to(&format!("/staff/information/{}", case.number.digits()))
                    .into_response(),
            );
        }
        Ok(found) => found,
        Err(baraza_app::Error::NotFound(_) | baraza_app::Error::Invalid(_)) => {
            return Ok(not_found(u));
        }
        Err(e) => return Err(e.into()),
    };
    let cat = cat.in_language(u.tr.lang);
    let tr = u.tr;
    let role = u.role();
    let now = state.clock.now();
    let audience = Audience::of_role(role);
    let users = state.store.users(Some(&u.user.jurisdiction)).await?;
    let names: HashMap<String, String> = users
        .iter()
        .map(|s| (s.id.to_string(), s.display_name.clone()))
        .collect();
    let citizen = match case.citizen {
        Some(id) => state.app().best_effort_citizen(id).await,
        None => None,
    };
    let events = state.store.case_events(case.id).await?;
    let timeline = events
        .iter()
        .filter_map(|e| privacy::event_view(e, citizen.as_ref(), audience))
        .map(|v| {
            let (what, detail) = crate::html::say(&words::words(&v, &cat), &tr);
            Entry {
                when: cat.local_time(&v.event.at),
                what,
                who: who(&v, &tr, &names),
                detail,
                internal: v.internal(),
            }
        })
        .collect();
    let view = privacy::case_view(&case, citizen.as_ref(), audience);
    let masked = citizen
        .as_ref()
        .map(|_| crate::html::masked_contact(view.citizen.as_ref()));
    let may_reveal = citizen.is_some()
        && revealed.is_none()
        && may(ActorRole::Staff(role), ActionKind::RevealContact);
    let mut facts = vec![
        (tr.t("status"), tr.t(&format!("status-{}", case.status))),
        (tr.t("kind"), tr.t(&format!("kind-{}", case.kind))),
        (tr.t("channel"), tr.t(&format!("channel-{}", case.channel))),
        (tr.t("received"), cat.local_time(&case.created_at)),
        (
            tr.t("category"),
            case.category
                .as_deref()
                .map(|c| cat.category(c).map_or(c.to_owned(), |c| c.name.clone()))
                .unwrap_or_default(),
        ),
        (tr.t("ward"), cat.area_name(case.ward.as_ref())),
        (tr.t("held-by"), cat.area_name(case.holder())),
        (
            tr.t("department"),
            cat.department_name(case.department.as_deref()),
        ),
        (
            tr.t("officer"),
            case.officer
                .and_then(|o| names.get(&o.to_string()).cloned())
                .unwrap_or_default(),
        ),
        (
            tr.t("priority"),
            case.priority
                .map(|p| tr.t(&format!("priority-{p}")))
                .unwrap_or_default(),
        ),
    ];
    if let Some(d) = case.deadline {
        let mut text = cat.local_time(&d);
        if d < now {
            text = format!("{text} ({} {})", tr.t("overdue-by"), span(now - d));
        }
        facts.push((tr.t("deadline"), text));
    }
    for (label, t) in [
        ("first-response-due", case.first_response_due),
        ("resolution-due", case.resolution_due),
    ] {
        if let Some(t) = t {
            facts.push((tr.t(label), cat.local_time(&t)));
        }
    }
    if case.reopen_count > 0 {
        facts.push((tr.t("reopened-times"), case.reopen_count.to_string()));
    }
    if let Some(baraza_core::Subject::Commitment(id)) = &case.subject {
        facts.push((tr.t("about-commitment"), id.clone()));
    }
    if let Some(s) = case.satisfaction {
        facts.push((tr.t("satisfaction"), format!("{s}/5")));
    }
    if !view.attachments.is_empty() {
        facts.push((tr.t("attachments"), view.attachments.len().to_string()));
    }
    let photos = view
        .attachments
        .iter()
        .filter(|a| a.media_type.starts_with("image/"))
        .map(|a| StaffPhoto {
            url: format!("/staff/cases/{}/photos/{}", case.number.digits(), a.sha256),
            thumb: format!("/staff/cases/{}/thumbs/{}", case.number.digits(), a.sha256),
            sha256: a.sha256.clone(),
            kb: a.size_bytes.div_ceil(1024),
            published: a.published,
        })
        .collect();
    let may_publish = baraza_core::lifecycle::may(
        baraza_core::lifecycle::ActorRole::Staff(role),
        ActionKind::PublishPhoto,
    );
    let citizen_consented = view.citizen.as_ref().is_some_and(|c| c.consent_publish);
    let place = view.location.map(|p| place_of(&case, p, &cat, &tr));
    let nearby = match view.location {
        Some(p) if OPEN.contains(&case.status) => Some(nearby_of(state, u, &case, p, &cat).await?),
        _ => None,
    };
    facts.retain(|(_, v)| !v.is_empty());
    let opts = |it: Vec<(String, String)>| {
        it.into_iter()
            .map(|(value, label)| Opt { value, label })
            .collect::<Vec<_>>()
    };
    let caseworkers = [
        Role::CommunicationsDesk,
        Role::WardAdministrator,
        Role::SubCountyAdministrator,
        Role::FeedbackCoordinator,
        Role::DepartmentDirector,
    ];
    let forms = Forms {
        kinds: actions_for(role, case.status, &tr),
        categories: opts(
            cat.categories
                .iter()
                .map(|c| (c.code.clone(), c.name.clone()))
                .collect(),
        ),
        wards: opts(
            cat.areas
                .leaves()
                .map(|a| (a.code.0.clone(), a.name.clone()))
                .collect(),
        ),
        departments: opts(
            cat.departments
                .iter()
                .map(|d| (d.code.clone(), d.name.clone()))
                .collect(),
        ),
        officers: opts(
            users
                .iter()
                .filter(|s| !s.disabled && caseworkers.contains(&s.role))
                .map(|s| {
                    (
                        s.id.to_string(),
                        format!("{} ({})", s.display_name, tr.t(&format!("role-{}", s.role))),
                    )
                })
                .collect(),
        ),
        priorities: opts(
            Priority::ALL
                .iter()
                .map(|p| (p.to_string(), tr.t(&format!("priority-{p}"))))
                .collect(),
        ),
        urgencies: opts(
            Urgency::ALL
                .iter()
                .map(|x| (x.to_string(), tr.t(&format!("urgency-{x}"))))
                .collect(),
        ),
    };
    let page = CasePage {
        frame: u.frame(format!(
            "{} {}",
            tr.t("case"),
            case.number.display_with(&cat.jurisdiction.reference_prefix)
        )),
        digits: case.number.digits(),
        reference: case.number.display_with(&cat.jurisdiction.reference_prefix),
        version: case.version,
        facts,
        description: view.description.clone().unwrap_or_default(),
        timeline,
        masked,
        may_reveal,
        revealed,
        forms,
        notice,
        error,
        category_hint: case.category.clone().unwrap_or_default(),
        sms_frame: state
            .templates
            .render(
                &baraza_core::outbound::Template::Response {
                    reference: case.number.display_with(&cat.jurisdiction.reference_prefix),
                    text: "@@TEXT@@".into(),
                },
                citizen
                    .as_ref()
                    .map_or(cat.jurisdiction.default_language, |c| c.language),
                baraza_core::outbound::OutboundChannel::Sms,
            )
            .unwrap_or_else(|_| "@@TEXT@@".into()),
        sms_template: tr.args(
            "sms-count",
            &[
                ("segments", "{segments}".into()),
                ("chars", "{chars}".into()),
                ("encoding", "{encoding}".into()),
            ],
        ),
        sms_counter: crate::html::SMS_COUNTER.as_str(),
        photos,
        may_publish,
        citizen_consented,
        place,
        nearby,
    };
    let mut res = render(&page);
    *res.status_mut() = status;
    Ok(res)
}

/// The fields a console form may send for an action (the rest are the form's own).
const ACTION_FIELDS: &[&str] = &[
    "action",
    "photo",
    "publish",
    "category",
    "priority",
    "urgency",
    "ward",
    "department",
    "officer",
    "note",
    "text",
    "reason",
    "to",
    "of",
];

pub async fn act(
    State(state): State<AppState>,
    u: ConsoleUser,
    Path(reference): Path<String>,
    RawForm(raw): RawForm,
) -> Result<Response, AppError> {
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&raw).unwrap_or_default();
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if !u.csrf_ok(get("csrf")) {
        return Ok(csrf_refused(&u));
    }
    let app = state.app();
    let case = match app.visible_case(&u.user, &reference).await {
        Ok((case, _)) => case,
        Err(baraza_app::Error::NotFound(_) | baraza_app::Error::Invalid(_)) => {
            return Ok(not_found(&u));
        }
        Err(e) => return Err(e.into()),
    };
    // Empty inputs (an unchosen select) mean "not given".
    let kept: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(k, v)| ACTION_FIELDS.contains(&k.as_str()) && !v.trim().is_empty())
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let body: ActionRequest = serde_urlencoded::to_string(&kept)
        .ok()
        .and_then(|s| serde_urlencoded::from_str(&s).ok())
        .unwrap_or_default();
    let revealing = body.action.as_deref() == Some("reveal_contact");
    let expected = get("version").and_then(|v| v.parse().ok());
    let outcome = app
        .act(&u.user, Channel::Web, &case.number.digits(), expected, body)
        .await
        .map(|(acted, _)| acted)
        .map_err(AppError::from);
    let digits = case.number.digits();
    match outcome {
        Ok(acted) if revealing => {
            // The reveal is on the record now: this answer, and only this one, shows it.
            let citizen = match acted.case.citizen {
                Some(id) => app.best_effort_citizen(id).await,
                None => None,
            };
            let contact = citizen.as_ref().and_then(|z| {
                let seen = privacy::case_view(&acted.case, Some(z), Audience::Revealed);
                seen.citizen.map(|c| Contact {
                    name: c.name.unwrap_or_default(),
                    phone: c.phone.or(c.whatsapp).unwrap_or_default(),
                    email: c.email.unwrap_or_default(),
                })
            });
            show_case(
                &state,
                &u,
                &digits,
                None,
                Vec::new(),
                contact,
                StatusCode::OK,
            )
            .await
        }
        Ok(_) => Ok(Redirect::to(&format!("/staff/cases/{digits}?m=done")).into_response()),
        Err(AppError::Conflict {
            code: "version_mismatch",
            ..
        }) => {
            Ok(Redirect::to(&format!("/staff/cases/{digits}?m=version-conflict")).into_response())
        }
        Err(AppError::Invalid(errs)) => {
            let lines = errs
                .iter()
                .map(|e| crate::html::field_error(e, &u.tr))
                .collect();
            show_case(
                &state,
                &u,
                &digits,
                None,
                lines,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(
            e @ (AppError::Conflict { .. }
            | AppError::Forbidden { .. }
            | AppError::BadRequest { .. }),
        ) => {
            let (status, line) = match &e {
                AppError::Conflict { detail, .. } => (StatusCode::CONFLICT, detail.clone()),
                AppError::Forbidden { detail, .. } => (StatusCode::FORBIDDEN, detail.clone()),
                AppError::BadRequest { detail, .. } => (StatusCode::BAD_REQUEST, detail.clone()),
                _ => (StatusCode::BAD_REQUEST, String::new()),
            };
            show_case(&state, &u, &digits, None, vec![line], None, status).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "console/intake.html")]
struct IntakePage {
    frame: Frame,
    key: String,
    kinds: Vec<Opt>,
    channels: Vec<Opt>,
    wards: Vec<Opt>,
    categories: Vec<Opt>,
    languages: Vec<Opt>,
    error: Vec<String>,
    filed: Option<(String, String)>,
    values: HashMap<String, String>,
}

impl IntakePage {
    fn value(&self, k: &str) -> String {
        self.values.get(k).cloned().unwrap_or_default()
    }
    fn selected(&self, k: &str, v: &str) -> bool {
        self.values.get(k).is_some_and(|x| x == v)
    }
}

async fn intake_page(
    state: &AppState,
    u: &ConsoleUser,
    error: Vec<String>,
    filed: Option<(String, String)>,
    values: HashMap<String, String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let cat = catalog_of(state, u).await?;
    let tr = u.tr;
    let reachable: Vec<AreaCode> = match &u.user.scope {
        Scope::Area(a) => cat.areas.wards_within(a),
        _ => cat.areas.leaves().map(|a| a.code.clone()).collect(),
    };
    let page = IntakePage {
        frame: u.frame(tr.t("intake")),
        key: random_hex(12),
        kinds: CaseKind::ALL
            .iter()
            .map(|k| Opt {
                value: k.to_string(),
                label: tr.t(&format!("kind-{k}")),
            })
            .collect(),
        channels: [
            Channel::Voice,
            Channel::Counter,
            Channel::Post,
            Channel::Email,
        ]
        .iter()
        .map(|c| Opt {
            value: c.to_string(),
            label: tr.t(&format!("channel-{c}")),
        })
        .collect(),
        wards: cat
            .areas
            .leaves()
            .filter(|a| reachable.contains(&a.code))
            .map(|a| Opt {
                value: a.code.0.clone(),
                label: a.name.clone(),
            })
            .collect(),
        categories: cat
            .categories
            .iter()
            .map(|c| Opt {
                value: c.code.clone(),
                label: c.name.clone(),
            })
            .collect(),
        languages: Language::ALL
            .iter()
            .map(|l| Opt {
                value: l.to_string(),
                label: match l {
                    Language::English => "English".into(),
                    Language::Kiswahili => "Kiswahili".into(),
                    Language::French => "Français".into(),
                },
            })
            .collect(),
        error,
        filed,
        values,
    };
    let mut res = render(&page);
    *res.status_mut() = status;
    Ok(res)
}

fn refuse_role(u: &ConsoleUser) -> Response {
    message(
        StatusCode::FORBIDDEN,
        u.frame(u.tr.t("not-allowed")),
        u.tr.t("not-allowed"),
        vec![],
        "/staff",
    )
}

pub async fn intake_form(
    State(state): State<AppState>,
    u: ConsoleUser,
) -> Result<Response, AppError> {
    if !may_file(u.role()) {
        return Ok(refuse_role(&u));
    }
    intake_page(&state, &u, Vec::new(), None, HashMap::new(), StatusCode::OK).await
}

pub async fn intake(
    State(state): State<AppState>,
    u: ConsoleUser,
    RawForm(raw): RawForm,
) -> Result<Response, AppError> {
    let values: HashMap<String, String> = serde_urlencoded::from_bytes(&raw).unwrap_or_default();
    if !u.csrf_ok(values.get("csrf").map(String::as_str)) {
        return Ok(csrf_refused(&u));
    }
    if !may_file(u.role()) {
        return Ok(refuse_role(&u));
    }
    let v = |k: &str| {
        values
            .get(k)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let has_contact = v("phone").is_some() || v("email").is_some();
    let citizen = (has_contact || v("name").is_some()).then(|| CitizenBody {
        phone: v("phone"),
        whatsapp_id: None,
        email: v("email"),
        name: v("name"),
        language: v("language"),
        gender: None,
        age_band: None,
        consent_contact: Some(has_contact && values.contains_key("consent")),
        consent_publish: None,
    });
    let body = CreateCaseRequest {
        kind: v("kind"),
        channel: v("channel"),
        category: v("category"),
        ward: v("ward"),
        location: None,
        description: v("description"),
        attachments: Vec::new(),
        citizen,
        urgency: v("urgency"),
        subject: None,
    };
    // The form's key: a double submission files one case.
    let key = v("key").map(|k| format!("console:{}:{k}", u.user.id));
    match state
        .app()
        .file_for_citizen(&u.user, Channel::Web, body, key)
        .await
    {
        Ok((intake, cat)) => {
            let reference = intake
                .case
                .number
                .display_with(&cat.jurisdiction.reference_prefix);
            intake_page(
                &state,
                &u,
                Vec::new(),
                Some((reference, intake.case.number.digits())),
                HashMap::new(),
                StatusCode::OK,
            )
            .await
        }
        Err(baraza_app::Error::Invalid(errs)) => {
            let lines = errs
                .iter()
                .map(|e| crate::html::field_error(e, &u.tr))
                .collect();
            intake_page(
                &state,
                &u,
                lines,
                None,
                values,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(baraza_app::Error::Forbidden { detail, .. }) => {
            intake_page(
                &state,
                &u,
                vec![detail],
                None,
                values,
                StatusCode::FORBIDDEN,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub struct Group {
    pub name: String,
    pub count: usize,
    pub longest: String,
    pub median: String,
}

#[derive(Template)]
#[template(path = "console/overview.html")]
struct OverviewPage {
    frame: Frame,
    by_holder: Vec<Group>,
    by_department: Vec<Group>,
    rows: Vec<Row>,
}

fn groups(items: Vec<(String, chrono::Duration)>) -> Vec<Group> {
    let mut map: HashMap<String, Vec<chrono::Duration>> = HashMap::new();
    for (k, d) in items {
        map.entry(k).or_default().push(d);
    }
    let mut out: Vec<(chrono::Duration, Group)> = map
        .into_iter()
        .map(|(name, mut ds)| {
            ds.sort();
            let longest = ds.last().copied().unwrap_or_default();
            let median = ds[ds.len() / 2];
            (
                longest,
                Group {
                    name,
                    count: ds.len(),
                    longest: span(longest),
                    median: span(median),
                },
            )
        })
        .collect();
    out.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(b.0.cmp(&a.0)));
    out.into_iter().map(|(_, g)| g).collect()
}

/// What is overdue, where and for how long: for coordinators, directors, the desk and
/// the executive; each sees their own scope.
pub async fn overview(State(state): State<AppState>, u: ConsoleUser) -> Result<Response, AppError> {
    let cat = catalog_of(&state, &u).await?;
    let now = state.clock.now();
    let mut f = queue_filter("overdue", now);
    f.limit = 2000;
    restrict_to_scope(&u.user, &cat, &mut f);
    let cases = state.store.list_cases(&f).await?;
    let late = |c: &Case| now - c.deadline.unwrap_or(now);
    let by_holder = groups(
        cases
            .iter()
            .map(|c| (cat.area_name(c.holder()), late(c)))
            .collect(),
    );
    let by_department = groups(
        cases
            .iter()
            .map(|c| (cat.department_name(c.department.as_deref()), late(c)))
            .collect(),
    );
    let mut sorted: Vec<Case> = cases.clone();
    sorted.sort_by_key(|c| c.deadline);
    sorted.truncate(30);
    let rows = rows_of(&state, &u, &sorted, &cat, now).await?;
    let page = OverviewPage {
        frame: u.frame(u.tr.t("overview")),
        by_holder,
        by_department,
        rows,
    };
    Ok(render(&page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_as_days_hours_minutes() {
        assert_eq!(span(chrono::Duration::minutes(3 * 1440 + 125)), "3 d 2 h");
        assert_eq!(span(chrono::Duration::minutes(70)), "1 h 10 min");
    }
}
