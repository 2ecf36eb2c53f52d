//! Concerns still open, as the public sees them: the list by ward and category with status
//! and age ("already reported?"), the same rows on the raise form once a ward and a
//! category are chosen, and following one by SMS or email from its tracking page. Texts
//! only where the citizen agreed to publication, through the privacy projection.

use super::pages::{Group, Opt, category_opts, ward_groups};
use super::{PublicFrame, page_catalog};
use crate::AppState;
use crate::error::{ApiQuery, AppError};
use crate::html::render;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use baraza_app::JurisdictionCatalog;
use baraza_app::concerns::OpenQuery;
use baraza_app::privacy::{self, Audience};
use baraza_core::{AreaCode, Case, CaseId, Timestamp};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/concerns", get(list))
}

/// One open concern as the public sees it.
pub struct OpenRow {
    pub reference: String,
    pub digits: String,
    pub status: String,
    pub category: String,
    pub ward: String,
    /// "opened today", "opened 3 days ago".
    pub age: String,
    /// The text, masked, where the citizen agreed to publication.
    pub text: Option<String>,
    /// Its tracking page, where it can be followed.
    pub track: String,
}

/// Open concerns as rows, in the order given.
pub async fn open_rows(
    state: &AppState,
    cat: &JurisdictionCatalog,
    frame: &PublicFrame,
    cases: &[Case],
) -> Result<Vec<OpenRow>, AppError> {
    let now = state.clock.now();
    let citizens = state
        .app()
        .citizens_for_list(cases, Audience::Public)
        .await?;
    let mut rows = Vec::with_capacity(cases.len());
    for (case, citizen) in cases.iter().zip(&citizens) {
        let view = privacy::case_view(case, citizen.as_ref(), Audience::Public);
        rows.push(OpenRow {
            reference: case.number.display_with(&cat.jurisdiction.reference_prefix),
            digits: case.number.digits(),
            status: frame.t(&format!("status-{}", case.status)),
            category: cat.category_name(case.category.as_deref()),
            ward: cat.area_name(case.ward.as_ref()),
            age: age(frame, case, now),
            text: view.description,
            track: frame.link(&format!("/track?ref={}", case.number.digits())),
        });
    }
    Ok(rows)
}

fn age(frame: &PublicFrame, case: &Case, now: Timestamp) -> String {
    let days = (now - case.created_at).num_days().max(0);
    if days == 0 {
        frame.t("opened-today")
    } else {
        frame
            .tr
            .args("opened-days-ago", &[("days", days.to_string())])
    }
}

#[derive(Template)]
#[template(path = "public/concerns.html")]
struct ConcernsPage {
    frame: PublicFrame,
    wards: Vec<Group>,
    categories: Vec<Opt>,
    ward: String,
    category: String,
    rows: Vec<OpenRow>,
    next: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    j: String,
    #[serde(default)]
    ward: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    after: String,
}

/// Parse a `ward` and a `category` the catalog knows (anything else is no filter), and a
/// keyset cursor `micros_id`.
pub fn open_query(
    cat: &JurisdictionCatalog,
    ward: &str,
    category: &str,
    after: &str,
    limit: u32,
) -> OpenQuery {
    let ward = AreaCode(ward.trim().to_owned());
    OpenQuery {
        ward: cat.areas.get(&ward).is_some().then_some(ward),
        category: cat.category(category.trim()).map(|c| c.code.clone()),
        after: after.split_once('_').and_then(|(m, id)| {
            Some((
                chrono::DateTime::from_timestamp_micros(m.parse().ok()?)?,
                CaseId(id.parse().ok()?),
            ))
        }),
        limit,
    }
}

/// Open concerns by ward and category, with status and age; 20 a page.
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, AppError> {
    const PAGE: u32 = 20;
    let cat = page_catalog(&state, &headers, Some(&q.j)).await?;
    let frame = PublicFrame::new(&headers, &cat, !q.j.is_empty(), "concerns-title");
    let query = open_query(&cat, &q.ward, &q.category, &q.after, PAGE + 1);
    let mut cases = state.app().open_concerns(&cat, &query).await?;
    let next = (cases.len() > PAGE as usize).then(|| {
        cases.truncate(PAGE as usize);
        let last = &cases[PAGE as usize - 1];
        let after = format!("{}_{}", last.created_at.timestamp_micros(), last.id);
        serde_urlencoded::to_string([
            ("ward", q.ward.as_str()),
            ("category", q.category.as_str()),
            ("after", after.as_str()),
        ])
        .map(|q| frame.link(&format!("/concerns?{q}")))
        .unwrap_or_default()
    });
    let rows = open_rows(&state, &cat, &frame, &cases).await?;
    Ok(render(&ConcernsPage {
        wards: ward_groups(&cat),
        categories: category_opts(&cat),
        ward: q.ward,
        category: q.category,
        rows,
        next,
        frame,
    }))
}
