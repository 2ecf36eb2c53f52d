//! The public side: raise a concern on the web and follow it, the registry of resolved
//! cases, the transparency dashboard and open data. Server-rendered, no JavaScript, small
//! pages for 2G (under 30 KB), in English, Kiswahili and French.
//!
//! No public page or file carries a citizen's phone number, email or name: pages are
//! built from case fields and public journal events only; free text is shown only where
//! the citizen agreed to publication, and then with anything like a phone number or an
//! email address masked. Official responses are masked the same way.

mod concerns;
pub mod dashboard;
mod disclosure;
mod information;
pub mod open_data;
mod pages;
mod plans;
mod projects;
pub mod stats;

use crate::AppState;
use crate::error::AppError;
use crate::html::Tr;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::HeaderMap;
use axum::routing::get;
use baraza_app::JurisdictionCatalog;
use baraza_core::JurisdictionId;
use std::sync::Arc;

/// A photo sent with the web form: at most this many bytes.
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/track", get(pages::track))
        .route("/track/follow", axum::routing::post(pages::follow_case))
        .route("/track/{digits}/photo/{sha}", get(pages::photo))
        .route("/track/{digits}/thumb/{sha}", get(pages::thumbnail))
        .route("/registry", get(pages::registry))
        .route("/dashboard", get(dashboard::page))
        .route("/dashboard.csv", get(dashboard::csv))
        .route("/open-data", get(open_data::page))
        .route("/open-data/cases.csv", get(open_data::cases_csv))
        .route("/open-data/cases.json", get(open_data::cases_json))
        .route("/open-data/snapshots/{file}", get(open_data::snapshot))
        .route("/static/baraza.css", get(crate::html::stylesheet))
        .route("/static/map/{*file}", get(crate::html::map::asset))
        .route("/language", get(crate::html::choose_language))
        .merge(concerns::routes())
        .merge(information::routes())
        .merge(disclosure::routes())
        .merge(plans::routes())
        .merge(projects::routes())
}

/// The web form takes a photo: its own, larger body limit (merged outside the global one).
pub fn raise_routes() -> Router<AppState> {
    Router::new()
        .route("/raise", get(pages::raise_form).post(pages::raise))
        .route("/raise/received", get(pages::raise_received))
        .layer(DefaultBodyLimit::max(MAX_PHOTO_BYTES + 64 * 1024))
}

/// The jurisdiction a public page is about: `?j=` when given, else the first one.
pub async fn jurisdiction_of(
    state: &AppState,
    j: Option<&str>,
) -> Result<Arc<JurisdictionCatalog>, AppError> {
    let id = match j.filter(|j| !j.is_empty()) {
        Some(j) => JurisdictionId::parse(j).map_err(|e| AppError::Invalid(vec![e]))?,
        None => state
            .store
            .jurisdictions()
            .await?
            .into_iter()
            .map(|j| j.id)
            .min()
            .ok_or_else(|| AppError::NotFound {
                code: "no_jurisdiction",
                detail: "no jurisdiction is loaded yet".into(),
            })?,
    };
    state
        .catalog
        .fresh(&*state.store, &id, |_| true)
        .await?
        .ok_or_else(|| AppError::not_found("jurisdiction"))
}

/// The jurisdiction a page is about, its departments and categories named in the
/// reader's language (data files keep the jurisdiction's own: `jurisdiction_of`).
pub async fn page_catalog(
    state: &AppState,
    headers: &HeaderMap,
    j: Option<&str>,
) -> Result<Arc<JurisdictionCatalog>, AppError> {
    Ok(jurisdiction_of(state, j)
        .await?
        .in_language(crate::html::language(headers)))
}

/// A public page's only parameter: the jurisdiction (`?j=`), when several share a server.
#[derive(serde::Deserialize, Default)]
pub struct JQuery {
    #[serde(default)]
    pub j: String,
}

/// What every public page's frame needs.
pub struct PublicFrame {
    pub tr: Tr,
    pub title: String,
    pub jurisdiction: String,
    /// `&j=...` to keep in links when the jurisdiction was chosen explicitly.
    pub j: String,
}

impl PublicFrame {
    pub fn new(
        headers: &HeaderMap,
        cat: &JurisdictionCatalog,
        explicit: bool,
        title_id: &str,
    ) -> Self {
        let tr = Tr::new(crate::html::language(headers));
        Self {
            tr,
            title: tr.t(title_id),
            jurisdiction: cat.jurisdiction.name.clone(),
            j: if explicit {
                format!("j={}", cat.jurisdiction.id.as_str())
            } else {
                String::new()
            },
        }
    }
    pub fn t(&self, id: &str) -> String {
        self.tr.t(id)
    }
    /// A link to one of our pages, keeping the jurisdiction.
    pub fn link(&self, path: &str) -> String {
        if self.j.is_empty() {
            path.to_owned()
        } else if path.contains('?') {
            format!("{path}&{}", self.j)
        } else {
            format!("{path}?{}", self.j)
        }
    }
}

/// Whether a public form's `csrf` field matches the cookie it was issued with.
pub fn form_token_ok(
    headers: &HeaderMap,
    cookie_name: &str,
    values: &std::collections::HashMap<String, String>,
) -> bool {
    crate::html::cookie(headers, cookie_name).is_some_and(|c| {
        !c.is_empty()
            && baraza_channels::gateway::Secret::new(c)
                .matches(values.get("csrf").map_or("", String::as_str))
    })
}

/// A written filing from a public form (an information request, a comment on a
/// commitment): its words, and the contact the citizen chose to give, for the answer.
pub fn written_filing(
    values: &std::collections::HashMap<String, String>,
    tr: &Tr,
    kind: baraza_core::CaseKind,
    subject: Option<String>,
) -> baraza_app::input::CreateCaseRequest {
    let v = |k: &str| {
        values
            .get(k)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let has_contact = v("phone").is_some() || v("email").is_some();
    baraza_app::input::CreateCaseRequest {
        kind: Some(kind.to_string()),
        channel: Some("web".into()),
        category: None,
        ward: None,
        location: None,
        description: v("description"),
        attachments: Vec::new(),
        citizen: Some(baraza_app::input::CitizenBody {
            phone: v("phone"),
            whatsapp_id: None,
            email: v("email"),
            name: v("name"),
            language: Some(tr.lang.to_string()),
            gender: None,
            age_band: None,
            consent_contact: Some(has_contact),
            consent_publish: Some(false),
        }),
        urgency: v("urgency"),
        subject,
    }
}
