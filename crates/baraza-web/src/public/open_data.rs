//! Open data: every case of a jurisdiction as CSV and JSON, free of personal data (no
//! names, contacts, texts, gender or age: those stay in the aggregated, suppressed
//! dashboard), under CC BY 4.0; and daily snapshot files written to the data folder.

use super::{JQuery, PublicFrame, jurisdiction_of, page_catalog};
use crate::AppState;
use crate::error::{ApiQuery, AppError};
use crate::html::render;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use baraza_app::JurisdictionCatalog;
use baraza_core::{CaseStat, Status, clock::canonical};
use serde::Serialize;
use std::sync::Arc;
use tokio::io::AsyncWriteExt;

pub const LICENCE: &str = "CC-BY-4.0";

/// The documented fields, in file order.
pub const FIELDS: &[(&str, &str)] = &[
    (
        "reference",
        "The case's public reference number, e.g. EM-4821-0937",
    ),
    ("jurisdiction", "The county or assembly (its Baraza id)"),
    (
        "kind",
        "complaint, service_request, information_request, compliment or suggestion",
    ),
    (
        "channel",
        "How it arrived: sms, whatsapp, ussd, voice, web, counter, email, post, api",
    ),
    (
        "status",
        "Where it stands now (see the lifecycle in ARCHITECTURE.md)",
    ),
    ("category", "Service category code"),
    ("ward", "Ward code (IEBC code in Kenya)"),
    ("sub_county", "The ward's sub-county code"),
    ("held_by", "The area that holds it now (after escalations)"),
    ("department", "Department code"),
    ("priority", "critical, high, normal or low (after triage)"),
    ("received_at", "When it was received (UTC, RFC 3339)"),
    (
        "first_response_at",
        "The county's first response to the citizen",
    ),
    ("resolved_at", "When the citizen confirmed it solved"),
    (
        "closed_at",
        "When it was closed (confirmed, unconfirmed, rejected, referred or merged)",
    ),
    ("resolution_due", "The resolution target"),
    (
        "confirmed_by_citizen",
        "true if the citizen confirmed it solved",
    ),
    (
        "closed_unconfirmed",
        "true if closed without the citizen's answer",
    ),
    ("satisfaction", "The citizen's rating, 1 to 5"),
    ("reopen_count", "How many times it was reopened"),
];

/// One case as open data.
#[derive(Debug, Serialize)]
pub struct OpenCase {
    pub reference: String,
    pub jurisdiction: String,
    pub kind: String,
    pub channel: String,
    pub status: String,
    pub category: Option<String>,
    pub ward: Option<String>,
    pub sub_county: Option<String>,
    pub held_by: Option<String>,
    pub department: Option<String>,
    pub priority: Option<String>,
    pub received_at: String,
    pub first_response_at: Option<String>,
    pub resolved_at: Option<String>,
    pub closed_at: Option<String>,
    pub resolution_due: Option<String>,
    pub confirmed_by_citizen: bool,
    pub closed_unconfirmed: bool,
    pub satisfaction: Option<u8>,
    pub reopen_count: u32,
}

fn secs(t: &baraza_core::Timestamp) -> String {
    canonical(t)
}

pub fn open_case(c: &CaseStat, cat: &JurisdictionCatalog) -> OpenCase {
    OpenCase {
        reference: c.number.display_with(&cat.jurisdiction.reference_prefix),
        jurisdiction: cat.jurisdiction.id.as_str().to_owned(),
        kind: c.kind.to_string(),
        channel: c.channel.to_string(),
        status: c.status.to_string(),
        category: c.category.clone(),
        ward: c.ward.as_ref().map(|w| w.0.clone()),
        sub_county: c
            .ward
            .as_ref()
            .and_then(|w| cat.areas.get(w))
            .and_then(|a| a.parent.as_ref())
            .map(|p| p.0.clone()),
        held_by: c.holder.as_ref().map(|h| h.0.clone()),
        department: c.department.clone(),
        priority: c.priority.map(|p| p.to_string()),
        received_at: secs(&c.created_at),
        first_response_at: c.first_responded_at.as_ref().map(secs),
        resolved_at: c.resolved_at.as_ref().map(secs),
        closed_at: c.closed_at.as_ref().map(secs),
        resolution_due: c.resolution_due.as_ref().map(secs),
        confirmed_by_citizen: c.resolved_at.is_some(),
        closed_unconfirmed: c.status == Status::ClosedUnconfirmed,
        satisfaction: c.satisfaction,
        reopen_count: c.reopen_count,
    }
}

/// Cases as CSV rows, with the header row first when `header`.
pub fn to_csv(
    rows: &[CaseStat],
    cat: &JurisdictionCatalog,
    header: bool,
) -> Result<Vec<u8>, ::csv::Error> {
    let columns: Vec<&str> = FIELDS.iter().map(|(f, _)| *f).collect();
    let mut w = baraza_app::spreadsheet::Csv::new();
    if header {
        w.row(&columns)?;
    }
    for r in rows {
        w.record(&columns, &open_case(r, cat))?;
    }
    w.finish()
}

/// The two formats of the open data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

/// Cases written to a piece of a file at a time.
const PIECE: usize = 2_000;

/// A jurisdiction's open data file (every case, with the licence in JSON), made a piece
/// of a few thousand cases at a time, so that a million cases never sit in memory as
/// one document. The JSON is `{"fields": …, "jurisdiction": …, "licence": …, "name": …,
/// "cases": […]}`.
pub struct Pieces {
    rows: super::stats::Rows,
    cat: Arc<JurisdictionCatalog>,
    format: Format,
    started: bool,
    done: bool,
}

impl Pieces {
    pub async fn new(
        state: &AppState,
        cat: Arc<JurisdictionCatalog>,
        format: Format,
    ) -> Result<Self, AppError> {
        let rows = state
            .stats
            .rows(&*state.store, &cat.jurisdiction.id)
            .await?;
        Ok(Self {
            rows,
            cat,
            format,
            started: false,
            done: false,
        })
    }

    /// The next piece of the file; `None` after the last.
    pub fn next_piece(&mut self) -> Result<Option<Vec<u8>>, AppError> {
        if self.done {
            return Ok(None);
        }
        let first = !self.started;
        self.started = true;
        let cases = self.rows.next_piece(PIECE);
        let last = cases.len() < PIECE;
        self.done = last;
        let cat = &*self.cat;
        match self.format {
            Format::Csv => to_csv(&cases, cat, first)
                .map(Some)
                .map_err(|e| AppError::Internal(e.to_string())),
            Format::Json => {
                let mut out = Vec::new();
                if first {
                    let head = serde_json::json!({
                        "fields": FIELDS.iter().map(|(f, m)| serde_json::json!({"name": f, "description": m})).collect::<Vec<_>>(),
                        "jurisdiction": cat.jurisdiction.id.as_str(),
                        "licence": LICENCE,
                        "name": cat.jurisdiction.name,
                    });
                    let head =
                        serde_json::to_vec(&head).map_err(|e| AppError::Internal(e.to_string()))?;
                    // The object, open, with its cases to follow.
                    out.extend_from_slice(&head[..head.len() - 1]);
                    out.extend_from_slice(b",\"cases\":[");
                }
                for (i, c) in cases.iter().enumerate() {
                    if !(first && i == 0) {
                        out.push(b',');
                    }
                    serde_json::to_writer(&mut out, &open_case(c, cat))
                        .map_err(|e| AppError::Internal(e.to_string()))?;
                }
                if last {
                    out.extend_from_slice(b"]}");
                }
                Ok(Some(out))
            }
        }
    }

    /// The whole file as a streamed response body.
    pub fn into_body(self) -> axum::body::Body {
        let stream = futures::stream::unfold(self, |mut p| async move {
            match p.next_piece() {
                Ok(Some(bytes)) => Some((Ok(axum::body::Bytes::from(bytes)), p)),
                Ok(None) => None,
                Err(e) => {
                    // Headers are gone: cut the response short, so that no client takes
                    // half a file for the whole.
                    tracing::warn!(error = ?e, "writing open data");
                    p.done = true;
                    Some((Err(std::io::Error::other("open data cut short")), p))
                }
            }
        });
        axum::body::Body::from_stream(stream)
    }
}

#[derive(Template)]
#[template(path = "public/open_data.html")]
struct OpenDataPage {
    frame: PublicFrame,
    csv_href: String,
    json_href: String,
    fields: Vec<(&'static str, &'static str)>,
    snapshots: Vec<String>,
}

pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<JQuery>,
) -> Result<Response, AppError> {
    let cat = page_catalog(&state, &headers, Some(&q.j)).await?;
    let frame = PublicFrame::new(&headers, &cat, !q.j.is_empty(), "open-data-title");
    let mut snapshots = Vec::new();
    if let Some(dir) = state.open_data_dir() {
        let prefix = format!("{}-", cat.jurisdiction.id.as_str());
        if let Ok(mut entries) = tokio::fs::read_dir(&dir).await {
            while let Ok(Some(e)) = entries.next_entry().await {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with(&prefix) {
                    snapshots.push(name);
                }
            }
        }
    }
    snapshots.sort_unstable_by(|a, b| b.cmp(a));
    snapshots.truncate(60);
    let page = OpenDataPage {
        csv_href: frame.link("/open-data/cases.csv"),
        json_href: frame.link("/open-data/cases.json"),
        fields: FIELDS.to_vec(),
        snapshots,
        frame,
    };
    Ok(render(&page))
}

fn attachment(cat: &JurisdictionCatalog, ext: &str) -> String {
    format!(
        "attachment; filename=\"{}-cases.{ext}\"",
        cat.jurisdiction.id.as_str()
    )
}

pub async fn cases_csv(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<JQuery>,
) -> Result<Response, AppError> {
    let cat = jurisdiction_of(&state, Some(&q.j)).await?;
    let disposition = attachment(&cat, "csv");
    let body = Pieces::new(&state, cat, Format::Csv).await?.into_body();
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

pub async fn cases_json(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<JQuery>,
) -> Result<Response, AppError> {
    let cat = jurisdiction_of(&state, Some(&q.j)).await?;
    let disposition = attachment(&cat, "json");
    let body = Pieces::new(&state, cat, Format::Json).await?.into_body();
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

/// A daily snapshot file, by name (`<jurisdiction>-<date>-cases.csv` or `.json`).
pub async fn snapshot(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let ok = !file.is_empty()
        && file
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && !file.contains("..");
    let dir = state.open_data_dir();
    let (Some(dir), true) = (dir, ok) else {
        return Err(AppError::not_found("snapshot"));
    };
    // Streamed from the file: a million cases' snapshot is hundreds of megabytes.
    let file_handle = tokio::fs::File::open(dir.join(&file))
        .await
        .map_err(|_| AppError::not_found("snapshot"))?;
    let bytes =
        axum::body::Body::from_stream(futures::stream::unfold(file_handle, |mut f| async move {
            let mut buf = vec![0u8; 64 * 1024];
            match tokio::io::AsyncReadExt::read(&mut f, &mut buf).await {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok::<_, std::io::Error>(axum::body::Bytes::from(buf)), f))
                }
                Err(e) => Some((Err(e), f)),
            }
        }));
    let kind = if file.ends_with(".json") {
        "application/json"
    } else {
        "text/csv; charset=utf-8"
    };
    Ok(([(header::CONTENT_TYPE, kind)], bytes).into_response())
}

/// Write today's snapshot files for every jurisdiction, unless they exist already.
/// Returns how many files were written.
pub async fn write_snapshots(state: &AppState) -> Result<usize, AppError> {
    let Some(dir) = state.open_data_dir() else {
        return Ok(0);
    };
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| AppError::Internal(format!("creating {}: {e}", dir.display())))?;
    let date = state.clock.now().format("%Y-%m-%d").to_string();
    let mut written = 0;
    for j in state.store.jurisdictions().await? {
        let Some(cat) = state.catalog.fresh(&*state.store, &j.id, |_| true).await? else {
            continue;
        };
        let csv_path = dir.join(format!("{}-{date}-cases.csv", j.id.as_str()));
        if tokio::fs::try_exists(&csv_path).await.unwrap_or(false) {
            continue;
        }
        let json_path = dir.join(format!("{}-{date}-cases.json", j.id.as_str()));
        for (path, format) in [(json_path, Format::Json), (csv_path, Format::Csv)] {
            // Written aside, a piece at a time, then renamed: a reader never sees half a
            // file.
            let tmp = path.with_extension("tmp");
            let failed =
                |e: std::io::Error| AppError::Internal(format!("writing {}: {e}", tmp.display()));
            let mut pieces = Pieces::new(state, cat.clone(), format).await?;
            let mut file =
                tokio::io::BufWriter::new(tokio::fs::File::create(&tmp).await.map_err(failed)?);
            while let Some(bytes) = pieces.next_piece()? {
                file.write_all(&bytes).await.map_err(failed)?;
            }
            file.flush().await.map_err(failed)?;
            drop(file);
            tokio::fs::rename(&tmp, &path)
                .await
                .map_err(|e| AppError::Internal(format!("writing {}: {e}", path.display())))?;
            written += 1;
        }
    }
    Ok(written)
}
