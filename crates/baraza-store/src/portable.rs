//! Export and import: everything, as JSON lines, streaming in constant memory, so a
//! county can move from SQLite to PostgreSQL (or to a new server after an election)
//! with nothing lost and the journal's hash chain intact.
//!
//! Order: header, jurisdictions, areas, departments, categories, users, tokens, citizens,
//! cases, events, head, footer. Import only into an empty database.

use crate::{Store, StoreError, StoreResult, verify};
use baraza_core::{
    ApiToken, Area, Case, ChainHead, Citizen, Department, JournalEvent, Jurisdiction,
    ServiceCategory, StaffUser, Timestamp,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

pub const FORMAT: &str = "baraza-export";
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum Record {
    Header {
        format: String,
        version: u32,
        exported_at: Timestamp,
        source: String,
    },
    Jurisdiction(Jurisdiction),
    Area(Area),
    Department(Department),
    Category(ServiceCategory),
    User(StaffUser),
    Token(ApiToken),
    Citizen(Citizen),
    Case(Box<Case>),
    Event(JournalEvent),
    /// The journal head recorded in the snapshot.
    Head(ChainHead),
    Footer {
        counts: BTreeMap<String, u64>,
    },
}

impl Record {
    pub fn kind(&self) -> &'static str {
        match self {
            Record::Header { .. } => "header",
            Record::Jurisdiction(_) => "jurisdiction",
            Record::Area(_) => "area",
            Record::Department(_) => "department",
            Record::Category(_) => "category",
            Record::User(_) => "user",
            Record::Token(_) => "token",
            Record::Citizen(_) => "citizen",
            Record::Case(_) => "case",
            Record::Event(_) => "event",
            Record::Head(_) => "head",
            Record::Footer { .. } => "footer",
        }
    }
}

/// Run `store.export` and hand each record to `each`, in order.
pub async fn for_each_record<F>(store: &dyn Store, mut each: F) -> StoreResult<()>
where
    F: FnMut(Record) -> StoreResult<()> + Send,
{
    let (tx, mut rx) = mpsc::channel(512);
    let producer = store.export(tx);
    let consumer = async move {
        while let Some(r) = rx.recv().await {
            each(r)?;
        }
        Ok::<(), StoreError>(())
    };
    let (p, c) = tokio::join!(producer, consumer);
    p.and(c)
}

/// Write the whole database as JSON lines; returns the counts per record kind.
pub async fn export_jsonl<W: AsyncWrite + Unpin + Send>(
    store: &dyn Store,
    out: &mut W,
    now: Timestamp,
) -> StoreResult<BTreeMap<String, u64>> {
    let io = |e: std::io::Error| StoreError::Backend(format!("writing the export: {e}"));
    let header = Record::Header {
        format: FORMAT.into(),
        version: VERSION,
        exported_at: now,
        source: store.backend().into(),
    };
    out.write_all(line(&header)?.as_bytes()).await.map_err(io)?;
    let (tx, mut rx) = mpsc::channel::<Record>(512);
    let producer = store.export(tx);
    let mut counts = BTreeMap::new();
    let consumer = async {
        while let Some(r) = rx.recv().await {
            *counts.entry(r.kind().to_owned()).or_insert(0u64) += 1;
            out.write_all(line(&r)?.as_bytes()).await.map_err(io)?;
        }
        Ok::<(), StoreError>(())
    };
    let (p, c) = tokio::join!(producer, consumer);
    p.and(c)?;
    out.write_all(
        line(&Record::Footer {
            counts: counts.clone(),
        })?
        .as_bytes(),
    )
    .await
    .map_err(io)?;
    out.flush().await.map_err(io)?;
    Ok(counts)
}

fn line(r: &Record) -> StoreResult<String> {
    let mut s = serde_json::to_string(r)
        .map_err(|e| StoreError::Backend(format!("serialising the export: {e}")))?;
    s.push('\n');
    Ok(s)
}

const IMPORT_BATCH: usize = 500;

/// Read an export into an empty database, then verify the journal chain.
pub async fn import_jsonl<R: AsyncBufRead + Unpin + Send>(
    store: &dyn Store,
    input: R,
) -> StoreResult<BTreeMap<String, u64>> {
    if !store.is_empty().await? {
        return Err(StoreError::Conflict {
            code: "import_target_not_empty",
            message: "import only goes into an empty database; this one already holds data".into(),
        });
    }
    let mut lines = input.lines();
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let mut batch = Vec::with_capacity(IMPORT_BATCH);
    let mut line_no = 0u64;
    let mut footer = None;
    while let Some(text) = lines
        .next_line()
        .await
        .map_err(|e| StoreError::Backend(format!("reading the export: {e}")))?
    {
        line_no += 1;
        if text.trim().is_empty() {
            continue;
        }
        let record: Record = serde_json::from_str(&text).map_err(|e| {
            StoreError::Invalid(baraza_core::FieldError::new(
                format!("line {line_no}"),
                e.to_string(),
            ))
        })?;
        match record {
            Record::Header {
                format, version, ..
            } => {
                if line_no != 1 || format != FORMAT || version != VERSION {
                    return Err(invalid(
                        line_no,
                        format!("expected a {FORMAT} version {VERSION} header on line 1"),
                    ));
                }
                continue;
            }
            _ if line_no == 1 => {
                return Err(invalid(
                    1,
                    "not a Baraza export: the first line is not its header",
                ));
            }
            Record::Footer { counts: expected } => {
                footer = Some(expected);
                continue;
            }
            r => {
                if footer.is_some() {
                    return Err(invalid(line_no, "records after the footer"));
                }
                *counts.entry(r.kind().to_owned()).or_insert(0) += 1;
                batch.push(r);
            }
        }
        if batch.len() >= IMPORT_BATCH {
            store.import(std::mem::take(&mut batch)).await?;
        }
    }
    if !batch.is_empty() {
        store.import(batch).await?;
    }
    match footer {
        None => {
            return Err(invalid(
                line_no,
                "the export is truncated: its footer is missing",
            ));
        }
        Some(expected) if expected != counts => {
            return Err(invalid(
                line_no,
                format!("the footer announces {expected:?} but the file holds {counts:?}"),
            ));
        }
        Some(_) => {}
    }
    if let Err(broken) = verify::verify_journal(store).await? {
        return Err(StoreError::Corrupt(format!(
            "the imported journal does not verify: {broken}"
        )));
    }
    Ok(counts)
}

fn invalid(line: u64, msg: impl Into<String>) -> StoreError {
    StoreError::Invalid(baraza_core::FieldError::new(format!("line {line}"), msg))
}
