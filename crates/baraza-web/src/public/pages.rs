//! Home, raise a concern, follow it, and the registry of resolved cases.

use super::{JQuery, PublicFrame, page_catalog};
use crate::AppState;
use crate::error::{ApiQuery, AppError};
use crate::html::{Tr, cookie, random_hex, render, set_cookie};
use askama::Template;
use axum::extract::{ConnectInfo, Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use baraza_app::JurisdictionCatalog;
use baraza_app::input::{AttachmentBody, CitizenBody, CreateCaseRequest, LocationBody};
use baraza_app::privacy::{self, Audience};
use baraza_app::words;
use baraza_channels::gateway::Secret;
use baraza_core::*;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

const FORM_COOKIE: &str = "bz_form";

#[derive(Template)]
#[template(path = "public/home.html")]
struct HomePage {
    frame: PublicFrame,
}

pub async fn home(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<JQuery>,
) -> Result<Response, AppError> {
    let cat = page_catalog(&state, &headers, Some(&q.j)).await?;
    let frame = PublicFrame::new(&headers, &cat, !q.j.is_empty(), "public-name");
    Ok(render(&HomePage { frame }))
}

pub struct Opt {
    pub value: String,
    pub label: String,
}

pub struct Group {
    pub label: String,
    pub options: Vec<Opt>,
}

#[derive(Template)]
#[template(path = "public/raise.html")]
struct RaisePage {
    frame: PublicFrame,
    csrf: String,
    key: String,
    kinds: Vec<Opt>,
    wards: Vec<Group>,
    categories: Vec<Opt>,
    genders: Vec<Opt>,
    ages: Vec<Opt>,
    photos: bool,
    /// (the field's id on the form, or "" when it is about the whole form; the message).
    errors: Vec<(String, String)>,
    values: HashMap<String, String>,
    filed: Option<String>,
    track_link: String,
    anonymous: bool,
    /// The county's SMS number and USSD code, as configured.
    sms_number: Option<String>,
    ussd_code: Option<String>,
    /// When a first response is due at the usual priority, in the county's time.
    first_response_by: String,
    /// "Already reported?": the ward and category checked, and the open concerns there.
    checked: bool,
    understood: Option<(String, String)>,
    /// The map to pick a place on: tiles, attribution, `west,south,east,north`.
    map: Option<(String, String, String)>,
    rows: Vec<super::concerns::OpenRow>,
}

impl RaisePage {
    fn value(&self, k: &str) -> String {
        self.values.get(k).cloned().unwrap_or_default()
    }
    /// The message to show beside a field, if it has one.
    fn error_for(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
    }
    fn selected(&self, k: &str, v: &str) -> bool {
        self.values.get(k).is_some_and(|x| x == v)
    }
}

/// The jurisdiction's categories, as a select's choices.
pub fn category_opts(cat: &JurisdictionCatalog) -> Vec<Opt> {
    cat.categories
        .iter()
        .map(|c| Opt {
            value: c.code.clone(),
            label: c.name.clone(),
        })
        .collect()
}

/// Wards grouped by the level above them (sub-counties), both sorted by name.
pub fn ward_groups(cat: &JurisdictionCatalog) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut parents: Vec<&Area> = cat
        .areas
        .iter()
        .filter(|a| {
            cat.areas
                .leaves()
                .any(|l| l.parent.as_ref() == Some(&a.code))
        })
        .collect();
    parents.sort_by(|a, b| a.name.cmp(&b.name));
    for p in parents {
        let mut options: Vec<Opt> = cat
            .areas
            .leaves()
            .filter(|l| l.parent.as_ref() == Some(&p.code))
            .map(|l| Opt {
                value: l.code.0.clone(),
                label: l.name.clone(),
            })
            .collect();
        options.sort_by(|a, b| a.label.cmp(&b.label));
        groups.push(Group {
            label: p.name.clone(),
            options,
        });
    }
    groups
}

/// What the form page shows besides the form: errors with what was typed, or the result.
#[derive(Default)]
struct Shown {
    /// The contact as understood: (`sms` or `email`, the number or address).
    understood: Option<(String, String)>,
    checked: bool,
    rows: Vec<super::concerns::OpenRow>,
    errors: Vec<(String, String)>,
    values: HashMap<String, String>,
    filed: Option<String>,
    anonymous: bool,
    first_response_by: String,
}

/// The form's field a validation error is about (its `id`), or "" for the whole form.
fn form_field(field: &str) -> String {
    let last = field.rsplit('.').next().unwrap_or(field);
    match last {
        "description" | "ward" | "category" | "kind" | "phone" | "email" | "name" | "gender"
        | "age_band" | "photo" => last.to_owned(),
        "location" | "lat" => "lat".to_owned(),
        "lon" => "lon".to_owned(),
        _ => String::new(),
    }
}

fn raise_page(
    state: &AppState,
    headers: &HeaderMap,
    cat: &JurisdictionCatalog,
    explicit: bool,
    shown: Shown,
    status: StatusCode,
) -> Response {
    let Shown {
        understood,
        checked,
        rows,
        errors,
        values,
        filed,
        anonymous,
        first_response_by,
    } = shown;
    let frame = PublicFrame::new(headers, cat, explicit, "raise-title");
    let tr = frame.tr;
    let csrf = random_hex(16);
    let page = RaisePage {
        csrf: csrf.clone(),
        key: random_hex(12),
        kinds: CaseKind::ALL
            .iter()
            .map(|k| Opt {
                value: k.to_string(),
                label: tr.t(&format!("kind-{k}")),
            })
            .collect(),
        wards: ward_groups(cat),
        categories: category_opts(cat),
        genders: Gender::ALL
            .iter()
            .map(|g| Opt {
                value: g.to_string(),
                label: tr.t(&format!("gender-{g}")),
            })
            .collect(),
        ages: AgeBand::ALL
            .iter()
            .map(|a| Opt {
                value: a.to_string(),
                label: a
                    .as_str()
                    .replace('_', "-")
                    .replace("-plus", "+")
                    .replace("under-", "< "),
            })
            .collect(),
        photos: state.media_dir.is_some(),
        errors,
        values,
        track_link: filed
            .as_ref()
            .map(|r| frame.link(&format!("/track?ref={r}")))
            .unwrap_or_default(),
        filed,
        anonymous,
        sms_number: state.channels.sms_number(),
        ussd_code: state.channels.ussd_code(),
        first_response_by,
        checked,
        rows,
        understood,
        map: state.map_tiles.as_ref().map(|t| {
            let bounds = cat
                .jurisdiction
                .ward_map
                .as_ref()
                .and_then(|m| m.degrees())
                .map(|b| b.map(|v| v.to_string()).join(","))
                .unwrap_or_default();
            (t.url.clone(), t.attribution.clone(), bounds)
        }),
        frame,
    };
    let mut res = render(&page);
    if let Some(t) = &state.map_tiles
        && let Ok(v) = t.csp().parse()
    {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    *res.status_mut() = status;
    if let Ok(v) = set_cookie(headers, FORM_COOKIE, &csrf, 3600).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[derive(Deserialize, Default)]
pub struct RaiseQuery {
    #[serde(default)]
    j: String,
    #[serde(default)]
    ward: String,
    #[serde(default)]
    category: String,
}

/// The form; with a ward and a category checked, the open concerns there first
/// ("already reported?"), and the form's ward and category chosen.
pub async fn raise_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<RaiseQuery>,
) -> Result<Response, AppError> {
    let cat = page_catalog(&state, &headers, Some(&q.j)).await?;
    let mut shown = Shown::default();
    let query = super::concerns::open_query(&cat, &q.ward, &q.category, "", 5);
    if let (Some(ward), Some(category)) = (&query.ward, &query.category) {
        shown.values.insert("ward".into(), ward.0.clone());
        shown.values.insert("category".into(), category.clone());
        let frame = PublicFrame::new(&headers, &cat, !q.j.is_empty(), "raise-title");
        let cases = state.app().open_concerns(&cat, &query).await?;
        shown.rows = super::concerns::open_rows(&state, &cat, &frame, &cases).await?;
        shown.checked = true;
    }
    Ok(raise_page(
        &state,
        &headers,
        &cat,
        !q.j.is_empty(),
        shown,
        StatusCode::OK,
    ))
}

/// A photo as sent, before it is kept.
struct Photo {
    bytes: Vec<u8>,
    media_type: String,
    filename: Option<String>,
}

pub async fn raise(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Result<Response, AppError> {
    let mut values: HashMap<String, String> = HashMap::new();
    let mut photo = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| AppError::invalid("form", e.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "photo" {
            let media_type = field.content_type().unwrap_or_default().to_owned();
            let filename = field.file_name().map(str::to_owned);
            let bytes = field
                .bytes()
                .await
                .map_err(|e| AppError::invalid("photo", e.body_text()))?;
            if !bytes.is_empty() {
                photo = Some(Photo {
                    bytes: bytes.to_vec(),
                    media_type,
                    filename,
                });
            }
        } else {
            let text = field
                .text()
                .await
                .map_err(|e| AppError::invalid(&name, e.body_text()))?;
            values.insert(name, text);
        }
    }
    let j = values.get("j").cloned().unwrap_or_default();
    let cat = page_catalog(&state, &headers, Some(&j)).await?;
    let explicit = !j.is_empty();
    let tr = crate::html::Tr::new(crate::html::language(&headers));
    let again = |errors: Vec<(String, String)>, values: HashMap<String, String>, status| {
        let shown = Shown {
            errors,
            values,
            ..Shown::default()
        };
        Ok(raise_page(&state, &headers, &cat, explicit, shown, status))
    };
    let token_ok = cookie(&headers, FORM_COOKIE).is_some_and(|c| {
        !c.is_empty() && Secret::new(c).matches(values.get("csrf").map_or("", String::as_str))
    });
    if !token_ok {
        return again(
            vec![(String::new(), tr.t("csrf-failed"))],
            values,
            StatusCode::FORBIDDEN,
        );
    }
    // One address may not flood the county's queues; what it sent is kept on the page.
    if state
        .senders
        .throttled(&format!("web:{}", state.client_ip(peer, &headers)))
    {
        return again(
            vec![(
                String::new(),
                "too many concerns from this connection in a minute; wait a moment and send again"
                    .into(),
            )],
            values,
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let v = |k: &str| {
        values
            .get(k)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let mut errors: Vec<(String, String)> = Vec::new();
    // (the form's field, the message in the reader's words)
    let said = |id: &str, field: &str, message: &str| {
        (
            id.to_owned(),
            crate::html::field_error(&FieldError::new(field, message), &tr),
        )
    };
    let location = match (v("lat"), v("lon")) {
        (None, None) => None,
        (Some(lat), Some(lon)) => match (lat.parse::<f64>(), lon.parse::<f64>()) {
            (Ok(lat), Ok(lon)) => Some(LocationBody { lat, lon }),
            _ => {
                errors.push(said(
                    "lat",
                    "location",
                    "latitude and longitude are numbers, e.g. 0.6702 and 35.5081",
                ));
                None
            }
        },
        _ => {
            errors.push(said(
                "lat",
                "location",
                "give both latitude and longitude, or neither",
            ));
            None
        }
    };
    let mut attachments = Vec::new();
    let mut keep = None;
    // A photo sent with a form that had mistakes was kept: it comes back with the form.
    let photo = photo.or_else(|| kept_photo(&state, &values));
    if let Some(p) = photo {
        match &state.media_dir {
            None => errors.push(said("photo", "photo", "this server does not keep photos")),
            Some(_) if !p.media_type.starts_with("image/") => {
                errors.push(said("photo", "photo", "send a picture (JPEG or PNG)"))
            }
            Some(_) if p.bytes.len() > super::MAX_PHOTO_BYTES => {
                errors.push(said("photo", "photo", "at most 5 MB"))
            }
            Some(dir) => {
                let sha256 = hex::encode(Sha256::digest(&p.bytes));
                attachments.push(AttachmentBody {
                    media_type: p.media_type.clone(),
                    size_bytes: p.bytes.len() as u64,
                    sha256: sha256.clone(),
                    filename: p.filename.clone(),
                    url: Some(format!("media/{sha256}")),
                });
                keep = Some((dir.join(&sha256), p.bytes));
            }
        }
    }
    let photo_meta = attachments.first().cloned();
    let has_contact = v("phone").is_some() || v("email").is_some();
    let citizen = CitizenBody {
        phone: v("phone"),
        whatsapp_id: None,
        email: v("email"),
        name: v("name"),
        language: Some(tr.lang.to_string()),
        gender: v("gender"),
        age_band: v("age_band"),
        consent_contact: Some(has_contact),
        consent_publish: Some(values.contains_key("publish")),
    };
    let body = CreateCaseRequest {
        kind: v("kind"),
        channel: Some("web".into()),
        category: v("category"),
        ward: v("ward"),
        location,
        description: v("description"),
        attachments,
        citizen: Some(citizen),
        urgency: None,
        subject: None,
    };
    let key = v("key").map(|k| format!("web:{k}"));
    let built = baraza_app::intake::build_new_case(&cat, body, key, state.clock.now());
    let invalid = match built {
        Ok(new) if errors.is_empty() => Ok(new),
        Ok(_) => Err(Vec::new()),
        Err(baraza_app::Error::Invalid(errs)) => Err(errs),
        Err(e) => return Err(e.into()),
    };
    let new = match invalid {
        Ok(new) => new,
        Err(errs) => {
            errors.extend(
                errs.iter()
                    .map(|e| (form_field(&e.field), crate::html::field_error(e, &tr))),
            );
            let mut values = values;
            // Keep the photo, so that the citizen need not choose it again.
            if let Some((path, bytes)) = keep
                && !errors.iter().any(|(f, _)| f == "photo")
            {
                keep_file(&path, &bytes).await?;
                if let Some(a) = &photo_meta {
                    values.insert("kept_photo".into(), a.sha256.clone());
                    values.insert("kept_photo_type".into(), a.media_type.clone());
                    values.insert(
                        "kept_photo_name".into(),
                        a.filename.clone().unwrap_or_default(),
                    );
                }
            }
            return again(errors, values, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    if let Some((path, bytes)) = keep {
        keep_file(&path, &bytes).await?;
    }
    let anonymous = new.citizen.as_ref().is_none_or(|c| !c.has_contact());
    // What was understood of the contact, for the confirmation to say (this browser only).
    let understood = new.citizen.as_ref().and_then(|c| {
        c.phone
            .as_ref()
            .map(|p| format!("sms:{}", p.as_str()))
            .or_else(|| c.email.as_ref().map(|e| format!("email:{}", e.as_str())))
    });
    let intake = state.app().file_from_citizen(new, Channel::Web).await?;
    let reference = intake
        .case
        .number
        .display_with(&cat.jurisdiction.reference_prefix);
    // Post, redirect, get: a refresh shows the confirmation again, never "form expired".
    let mut to = format!("/raise/received?ref={reference}");
    if anonymous {
        to.push_str("&anonymous=1");
    }
    if explicit {
        to.push_str(&format!("&j={}", cat.jurisdiction.id));
    }
    let mut res = axum::response::Redirect::to(&to).into_response();
    // This browser filed it: its tracking page shows it the photo, before any approval.
    let mut mine = mine(&headers);
    mine.retain(|d| *d != intake.case.number.digits());
    mine.push(intake.case.number.digits());
    let keep_from = mine.len().saturating_sub(MINE_KEPT);
    let cookies = [
        set_cookie(
            &headers,
            MINE_COOKIE,
            &mine[keep_from..].join("."),
            365 * 86400,
        ),
        set_cookie(
            &headers,
            UNDERSTOOD_COOKIE,
            &hex::encode(understood.unwrap_or_default()),
            600,
        ),
    ];
    for c in cookies {
        if let Ok(v) = c.parse() {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(res)
}

/// The cases this browser filed (their digits), for their photos on `/track`.
const MINE_COOKIE: &str = "bz_mine";
const MINE_KEPT: usize = 10;
/// The contact as understood, for the confirmation page (ten minutes, this browser only).
const UNDERSTOOD_COOKIE: &str = "bz_understood";

fn mine(headers: &HeaderMap) -> Vec<String> {
    cookie(headers, MINE_COOKIE)
        .unwrap_or_default()
        .split('.')
        .filter(|d| d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_owned)
        .collect()
}

#[derive(Deserialize, Default)]
pub struct ReceivedQuery {
    #[serde(default, rename = "ref")]
    reference: String,
    #[serde(default)]
    anonymous: String,
    #[serde(default)]
    j: String,
}

/// The confirmation after a concern is raised on the web: its reference, how to follow
/// it (the county's SMS number and USSD code, as configured) and by when a first
/// response is due at the usual priority.
pub async fn raise_received(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ReceivedQuery>,
) -> Result<Response, AppError> {
    let cat = page_catalog(&state, &headers, Some(&q.j)).await?;
    let case = match CaseNumber::parse(q.reference.trim()) {
        Ok(n) => state.store.case_by_number(n).await?,
        Err(_) => None,
    }
    .filter(|c| c.jurisdiction == cat.jurisdiction.id)
    .ok_or_else(|| AppError::not_found("case"))?;
    let due = cat
        .targets
        .first_response(case.created_at, baraza_core::Priority::Normal);
    Ok(raise_page(
        &state,
        &headers,
        &cat,
        !q.j.is_empty(),
        Shown {
            filed: Some(case.number.display_with(&cat.jurisdiction.reference_prefix)),
            anonymous: q.anonymous == "1",
            first_response_by: cat.local_time(&due),
            understood: cookie(&headers, UNDERSTOOD_COOKIE)
                .and_then(|h| hex::decode(h).ok())
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|s| {
                    let (how, to) = s.split_once(':')?;
                    Some((how.to_owned(), to.to_owned()))
                }),
            ..Shown::default()
        },
        StatusCode::OK,
    ))
}

/// Write a photo under its SHA-256 name (once: the same photo is the same file).
async fn keep_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), AppError> {
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| AppError::Internal(format!("keeping a photo: {e}")))?;
    }
    tokio::fs::write(path, bytes)
        .await
        .map_err(|e| AppError::Internal(format!("keeping a photo: {e}")))
}

/// The photo kept from the form's earlier try, if the form names one that is here and is
/// what its name says.
fn kept_photo(state: &AppState, values: &HashMap<String, String>) -> Option<Photo> {
    let sha = values.get("kept_photo")?.trim().to_ascii_lowercase();
    if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let bytes = std::fs::read(state.media_dir.as_ref()?.join(&sha)).ok()?;
    if hex::encode(Sha256::digest(&bytes)) != sha {
        return None;
    }
    Some(Photo {
        bytes,
        media_type: values
            .get("kept_photo_type")
            .filter(|t| t.starts_with("image/"))
            .cloned()
            .unwrap_or_else(|| "image/jpeg".into()),
        filename: values
            .get("kept_photo_name")
            .filter(|n| !n.trim().is_empty())
            .cloned(),
    })
}

/// One line of a public timeline.
pub struct Step {
    pub when: String,
    pub what: String,
    pub detail: String,
}

/// The public timeline of a case: what the public may see of its events, through the
/// privacy projection; the arrival and the citizen's own messages are not lines of it.
pub fn public_timeline(
    events: &[JournalEvent],
    citizen: Option<&Citizen>,
    cat: &JurisdictionCatalog,
    tr: &Tr,
) -> Vec<Step> {
    events
        .iter()
        .filter(|e| !matches!(e.kind, EventKind::CitizenReplied | EventKind::Received))
        .filter_map(|e| privacy::event_view(e, citizen, Audience::Public))
        .map(|v| {
            let (what, detail) = crate::html::say(&words::words(&v, cat), tr);
            Step {
                when: cat.local_time(&v.event.at),
                what,
                detail,
            }
        })
        .collect()
}

pub struct Summary {
    pub reference: String,
    pub digits: String,
    pub status: String,
    pub kind: String,
    pub category: String,
    pub ward: String,
    pub held_by: String,
    pub department: String,
    pub received: String,
    pub text: Option<String>,
    pub timeline: Vec<Step>,
    /// Photos shown: (the photo, its thumbnail, its size in KB).
    pub photos: Vec<(String, String, u64)>,
    /// The photos are the reader's own, not yet (or not) approved for the public.
    pub own_photos: bool,
}

/// The photos among `attachments`: (the photo, its thumbnail, its size in KB).
fn photo_links(case: &Case, attachments: &[&Attachment]) -> Vec<(String, String, u64)> {
    attachments
        .iter()
        .filter(|a| a.media_type.starts_with("image/"))
        .map(|a| {
            let d = case.number.digits();
            (
                format!("/track/{d}/photo/{}", a.sha256),
                format!("/track/{d}/thumb/{}", a.sha256),
                a.size_bytes.div_ceil(1024),
            )
        })
        .collect()
}

/// A photo of a case, for the public when staff approved it and its citizen agreed
/// (the privacy projection's rule), or for the browser that filed the case.
pub async fn photo(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Path((digits, sha)): axum::extract::Path<(String, String)>,
) -> Result<Response, AppError> {
    let (a, public) = photo_of(&state, &headers, &digits, &sha).await?;
    Ok(crate::html::serve_image(state.media_dir.as_deref(), &a, public).await)
}

/// A photo's thumbnail, to whom the photo is shown.
pub async fn thumbnail(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Path((digits, sha)): axum::extract::Path<(String, String)>,
) -> Result<Response, AppError> {
    let (a, public) = photo_of(&state, &headers, &digits, &sha).await?;
    Ok(crate::html::serve_thumbnail(state.media_dir.as_deref(), &a, public).await)
}

/// The photo, and whether the public may see it (else only this browser, which filed it).
async fn photo_of(
    state: &AppState,
    headers: &HeaderMap,
    digits: &str,
    sha: &str,
) -> Result<(Attachment, bool), AppError> {
    let case = match CaseNumber::parse(digits) {
        Ok(n) => state.store.case_by_number(n).await?,
        Err(_) => None,
    }
    .filter(|c| !c.is_request())
    .ok_or_else(|| AppError::not_found("photo"))?;
    let citizen = state.app().citizen_of(&case).await?;
    let view = privacy::case_view(&case, citizen.as_ref(), Audience::Public);
    let public = view.attachments.iter().find(|a| a.sha256 == sha).copied();
    let own = || {
        mine(headers)
            .contains(&case.number.digits())
            .then(|| case.attachments.iter().find(|a| a.sha256 == sha))
            .flatten()
    };
    match public.or_else(own) {
        Some(a) => Ok((a.clone(), public.is_some())),
        None => Err(AppError::not_found("photo")),
    }
}

/// A case as the public sees it, through the privacy projection.
fn summary(
    case: &Case,
    citizen: Option<&Citizen>,
    events: &[JournalEvent],
    cat: &JurisdictionCatalog,
    tr: &Tr,
) -> Summary {
    let view = privacy::case_view(case, citizen, Audience::Public);
    Summary {
        reference: case.number.display_with(&cat.jurisdiction.reference_prefix),
        digits: case.number.digits(),
        status: tr.t(&format!("status-{}", case.status)),
        kind: tr.t(&format!("kind-{}", case.kind)),
        category: case
            .category
            .as_deref()
            .and_then(|c| cat.category(c))
            .map(|c| c.name.clone())
            .unwrap_or_default(),
        ward: cat.area_name(case.ward.as_ref()),
        held_by: cat.area_name(case.holder()),
        department: cat.department_name(case.department.as_deref()),
        received: cat.local_time(&case.created_at),
        photos: photo_links(case, &view.attachments),
        own_photos: false,
        text: view.description,
        timeline: public_timeline(events, citizen, cat, tr),
    }
}

#[derive(Template)]
#[template(path = "public/track.html")]
struct TrackPage {
    frame: PublicFrame,
    typed: String,
    found: Option<Summary>,
    not_found: bool,
    /// An open concern can be followed: the form's token.
    follow_csrf: Option<String>,
    following: bool,
    errors: Vec<String>,
    contact: String,
}

#[derive(Deserialize, Default)]
pub struct TrackQuery {
    #[serde(default)]
    j: String,
    #[serde(default, rename = "ref")]
    reference: String,
    #[serde(default)]
    following: String,
}

const TRACK_FORM_COOKIE: &str = "bz_track_form";

pub async fn track(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<TrackQuery>,
) -> Result<Response, AppError> {
    track_page(&state, &headers, &q, Vec::new(), String::new()).await
}

async fn track_page(
    state: &AppState,
    headers: &HeaderMap,
    q: &TrackQuery,
    errors: Vec<String>,
    contact: String,
) -> Result<Response, AppError> {
    let cat = page_catalog(state, headers, Some(&q.j)).await?;
    let frame = PublicFrame::new(headers, &cat, !q.j.is_empty(), "track-title");
    let typed = q.reference.trim().to_owned();
    let mut found = None;
    let mut open = false;
    if !typed.is_empty()
        && let Ok(n) = CaseNumber::parse(&typed)
        && let Some(case) = state.store.case_by_number(n).await?
        && case.jurisdiction == cat.jurisdiction.id
    {
        // An information request is followed on its own page.
        if case.is_request() {
            let to = frame.link(&format!("/information/{}", case.number.digits()));
            return Ok(axum::response::Redirect::to(&to).into_response());
        }
        open = baraza_app::concerns::OPEN.contains(&case.status);
        let events = state.store.case_events(case.id).await?;
        let citizen = state.app().citizen_of(&case).await?;
        let mut s = summary(&case, citizen.as_ref(), &events, &cat, &frame.tr);
        // The browser that filed it sees its photos, approved or not.
        if mine(headers).contains(&case.number.digits()) {
            let own: Vec<&Attachment> = case.attachments.iter().collect();
            s.photos = photo_links(&case, &own);
            s.own_photos = !s.photos.is_empty();
        }
        found = Some(s);
    }
    let not_found = !typed.is_empty() && found.is_none();
    let status = if not_found {
        StatusCode::NOT_FOUND
    } else if !errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let follow_csrf = open.then(|| random_hex(16));
    let mut res = render(&TrackPage {
        frame,
        typed,
        found,
        not_found,
        follow_csrf: follow_csrf.clone(),
        following: q.following == "1",
        errors,
        contact,
    });
    *res.status_mut() = status;
    if let Some(csrf) = follow_csrf
        && let Ok(v) = set_cookie(headers, TRACK_FORM_COOKIE, &csrf, 3600).parse()
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

/// Follow an open concern from its tracking page, by SMS or email: then back to the page
/// (post, redirect, get), which says so.
pub async fn follow_case(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    crate::error::FormBody(values): crate::error::FormBody<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let tr = Tr::new(crate::html::language(&headers));
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    let q = TrackQuery {
        j: get("j"),
        reference: get("ref"),
        following: String::new(),
    };
    let contact = get("contact");
    if !super::form_token_ok(&headers, TRACK_FORM_COOKIE, &values) {
        return track_page(&state, &headers, &q, vec![tr.t("csrf-failed")], contact).await;
    }
    // One address may not sign the county's SMS budget away.
    if state
        .senders
        .throttled(&format!("web:{}", state.client_ip(peer, &headers)))
    {
        let mut res = track_page(
            &state,
            &headers,
            &q,
            vec![tr.t("too-many-requests")],
            contact,
        )
        .await?;
        *res.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return Ok(res);
    }
    let cat = page_catalog(&state, &headers, Some(&q.j)).await?;
    match state
        .app()
        .follow_case(&cat, &q.reference, &contact, tr.lang, state.clock.now())
        .await
    {
        Ok((case, _)) => {
            let mut to = format!("/track?ref={}&following=1", case.number.digits());
            if !q.j.is_empty() {
                to.push_str(&format!("&j={}", cat.jurisdiction.id));
            }
            Ok(axum::response::Redirect::to(&format!("{to}#follow")).into_response())
        }
        Err(baraza_app::Error::Invalid(errs)) => {
            let errors = errs
                .iter()
                .map(|e| crate::html::field_error(e, &tr))
                .collect();
            track_page(&state, &headers, &q, errors, contact).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "public/registry.html")]
struct RegistryPage {
    frame: PublicFrame,
    wards: Vec<Group>,
    departments: Vec<Opt>,
    categories: Vec<Opt>,
    ward: String,
    department: String,
    category: String,
    cases: Vec<Summary>,
    next: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct RegistryQuery {
    #[serde(default)]
    j: String,
    #[serde(default)]
    ward: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    after: String,
}

/// Resolved cases, confirmed by their citizens; newest first, 10 a page.
pub async fn registry(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<RegistryQuery>,
) -> Result<Response, AppError> {
    const PAGE: usize = 10;
    let cat = page_catalog(&state, &headers, Some(&q.j)).await?;
    let frame = PublicFrame::new(&headers, &cat, !q.j.is_empty(), "registry-title");
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let filter = CaseFilter {
        jurisdiction: Some(cat.jurisdiction.id.clone()),
        confirmed: true,
        ward: opt(&q.ward).map(AreaCode),
        department: opt(&q.department),
        category: opt(&q.category),
        after: q.after.split_once('_').and_then(|(m, id)| {
            Some((
                chrono::DateTime::from_timestamp_micros(m.parse().ok()?)?,
                CaseId(id.parse().ok()?),
            ))
        }),
        limit: PAGE as u32 + 1,
        ..Default::default()
    };
    let mut cases = state.store.list_cases(&filter).await?;
    let next = (cases.len() > PAGE).then(|| {
        cases.truncate(PAGE);
        let last = &cases[PAGE - 1];
        let after = format!("{}_{}", last.created_at.timestamp_micros(), last.id);
        serde_urlencoded::to_string([
            ("ward", q.ward.as_str()),
            ("department", q.department.as_str()),
            ("category", q.category.as_str()),
            ("after", after.as_str()),
        ])
        .map(|q| frame.link(&format!("/registry?{q}")))
        .unwrap_or_default()
    });
    let mut out = Vec::new();
    for case in &cases {
        let citizen = state.app().citizen_of(case).await?;
        let events = state.store.case_events(case.id).await?;
        out.push(summary(case, citizen.as_ref(), &events, &cat, &frame.tr));
    }
    let page = RegistryPage {
        wards: ward_groups(&cat),
        departments: cat
            .departments
            .iter()
            .map(|d| Opt {
                value: d.code.clone(),
                label: d.name.clone(),
            })
            .collect(),
        categories: category_opts(&cat),
        ward: q.ward,
        department: q.department,
        category: q.category,
        cases: out,
        next,
        frame,
    };
    Ok(render(&page))
}

// Keep `IntoResponse` in scope for handlers that build responses by hand.
#[allow(dead_code)]
fn _into(r: Response) -> Response {
    r.into_response()
}
