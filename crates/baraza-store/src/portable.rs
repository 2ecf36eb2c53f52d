//! Export and import: everything, as JSON lines, streaming in constant memory, so a
//! county can move from SQLite to PostgreSQL (or to a new server after an election)
//! with nothing lost and the journal's hash chain intact.
//!
//! Order: header, jurisdictions, areas, departments, categories, users, tokens, citizens,
//! cases, plans, projects; the shared chain's events (and links), its head; each
//! jurisdiction's chain of events; outbox, inbound messages, publications, followers;
//! each chain's head; footer. Import only into an empty database.
//!
//! Version 2 has a chain per jurisdiction. A database made before (version 1) had one
//! chain for all: it is kept as the shared chain, which every jurisdiction's chain
//! follows. An export of one jurisdiction carries that chain's other events as links
//! (place and hashes) only. Version 1 files import as a shared chain.

use crate::{Store, StoreError, StoreResult, Verifier};
use baraza_core::{
    ApiToken, Area, Case, ChainHead, ChainLink, Citizen, Department, JournalEvent, Jurisdiction,
    ServiceCategory, StaffUser, Timestamp,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

pub const FORMAT: &str = "baraza-export";
pub const VERSION: u32 = 2;
/// The version of exports made before chains per jurisdiction, which import still reads.
pub const VERSION_ONE_CHAIN: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum Record {
    Header {
        format: String,
        version: u32,
        exported_at: Timestamp,
        source: String,
    },
    Jurisdiction(Box<Jurisdiction>),
    Area(Area),
    Department(Department),
    Category(ServiceCategory),
    User(StaffUser),
    Token(ApiToken),
    Citizen(Citizen),
    Case(Box<Case>),
    Event(JournalEvent),
    Outbox(Box<baraza_core::outbound::OutboxEntry>),
    Inbound(Box<baraza_core::outbound::InboundMessage>),
    Publication(Box<baraza_core::disclosure::Publication>),
    Follower(Box<baraza_core::disclosure::Subscription>),
    /// An action plan as it stands (exported before the events, which prove it).
    Plan(Box<baraza_core::action_plan::ActionPlan>),
    /// A public project as it stands (exported before the events, which prove it).
    Project(Box<baraza_core::project::Project>),
    /// The end of the shared chain (version 1: of the one chain), as recorded.
    Head(ChainHead),
    /// Another jurisdiction's event in the shared chain, by its place and hashes.
    Link(ChainLink),
    /// A jurisdiction's chain head, as recorded.
    Chain {
        jurisdiction: baraza_core::JurisdictionId,
        head: ChainHead,
    },
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
            Record::Outbox(_) => "outbox",
            Record::Inbound(_) => "inbound",
            Record::Publication(_) => "publication",
            Record::Follower(_) => "follower",
            Record::Plan(_) => "plan",
            Record::Project(_) => "project",
            Record::Head(_) => "head",
            Record::Link(_) => "link",
            Record::Chain { .. } => "chain",
            Record::Footer { .. } => "footer",
        }
    }
}

/// Run `store.export` (of one jurisdiction, or all) and hand each record to `each`, in order.
pub async fn for_each_record<F>(
    store: &dyn Store,
    only: Option<&baraza_core::JurisdictionId>,
    mut each: F,
) -> StoreResult<()>
where
    F: FnMut(Record) -> StoreResult<()> + Send,
{
    let (tx, mut rx) = mpsc::channel(512);
    let producer = store.export(only, tx);
    let consumer = async move {
        while let Some(r) = rx.recv().await {
            each(r)?;
        }
        Ok::<(), StoreError>(())
    };
    let (p, c) = tokio::join!(producer, consumer);
    p.and(c)
}

/// Write the whole database, or one jurisdiction's part of it, as JSON lines; returns the
/// counts per record kind.
pub async fn export_jsonl<W: AsyncWrite + Unpin + Send>(
    store: &dyn Store,
    only: Option<&baraza_core::JurisdictionId>,
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
    let producer = store.export(only, tx);
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

/// Read an export into an empty database, in one transaction: every record is checked
/// (header, hash chain, case states, head, footer counts) before anything is committed,
/// so an import either lands whole or leaves the database as empty as it found it.
pub async fn import_jsonl<R: AsyncBufRead + Unpin + Send>(
    store: &dyn Store,
    input: R,
) -> StoreResult<BTreeMap<String, u64>> {
    import_jsonl_of(store, input, None).await
}

/// [`import_jsonl`], keeping only one jurisdiction of the export when `only` is given:
/// the whole file is checked, then that jurisdiction's records are stored, with the
/// shared chain's other events as links, as its own export would have them.
pub async fn import_jsonl_of<R: AsyncBufRead + Unpin + Send>(
    store: &dyn Store,
    input: R,
    only: Option<&baraza_core::JurisdictionId>,
) -> StoreResult<BTreeMap<String, u64>> {
    if !store.is_empty().await? {
        return Err(StoreError::Conflict {
            code: "import_target_not_empty",
            message: "import only goes into an empty database; this one already holds data".into(),
        });
    }
    // Room for two of the stores' batches: the checker goes on while the database writes one.
    let (tx, rx) = mpsc::channel::<StoreResult<Record>>(8_192);
    let (lines_tx, lines_rx) = mpsc::channel::<StoreResult<Vec<String>>>(16);
    // Parsing and checking the records costs about what storing them does: the checker
    // has a thread of its own, while this task reads the file and the store writes.
    let only = only.map(Only::new);
    let checker = tokio::spawn(async move {
        let mut lines = Lines {
            rx: lines_rx,
            batch: Vec::new().into_iter(),
        };
        let checked = read_checked(&mut lines, &tx, only).await;
        if let Err(e) = &checked {
            // The store rolls back on this; if it has already gone, so has the transaction.
            let _ = tx.send(Err(e.duplicate())).await;
        }
        checked
    });
    let ((), stored) = tokio::join!(read_lines(input, lines_tx), store.import(rx));
    let counts = checker
        .await
        .map_err(|e| StoreError::Backend(format!("checking the export failed: {e}")))?;
    // The store's own failure explains more than the checker's "stopped writing".
    stored?;
    counts
}

/// Lines go from the reader to the checker this many at a time.
const LINES: usize = 256;

/// Read `input` line by line, in batches, to the checker; a failure to read goes as an error.
async fn read_lines<R: AsyncBufRead + Unpin + Send>(
    input: R,
    out: mpsc::Sender<StoreResult<Vec<String>>>,
) {
    let mut lines = input.lines();
    let mut batch = Vec::with_capacity(LINES);
    loop {
        match lines.next_line().await {
            Ok(Some(line)) => {
                batch.push(line);
                if batch.len() == LINES && out.send(Ok(std::mem::take(&mut batch))).await.is_err() {
                    return;
                }
            }
            Ok(None) => {
                let _ = out.send(Ok(batch)).await;
                return;
            }
            Err(e) => {
                let error = StoreError::Backend(format!("reading the export: {e}"));
                let _ = out.send(Err(error)).await;
                return;
            }
        }
    }
}

/// The export's lines as the reader sends them, one at a time.
struct Lines {
    rx: mpsc::Receiver<StoreResult<Vec<String>>>,
    batch: std::vec::IntoIter<String>,
}

impl Lines {
    async fn next_line(&mut self) -> StoreResult<Option<String>> {
        loop {
            if let Some(line) = self.batch.next() {
                return Ok(Some(line));
            }
            match self.rx.recv().await {
                Some(batch) => self.batch = batch?.into_iter(),
                None => return Ok(None),
            }
        }
    }
}

/// Parse and check every line, passing records on; the footer goes last, only if all is well.
async fn read_checked(
    lines: &mut Lines,
    out: &mpsc::Sender<StoreResult<Record>>,
    mut only: Option<Only>,
) -> StoreResult<BTreeMap<String, u64>> {
    let stopped = || StoreError::Backend("the import stopped writing".into());
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let mut verifier = Verifier::default();
    let mut line_no = 0u64;
    // Version 1's events do not say their jurisdiction: their stream's case, plan or
    // project (all before the events) does.
    let mut one_chain: Option<HashMap<String, String>> = None;
    while let Some(text) = lines.next_line().await? {
        line_no += 1;
        if text.trim().is_empty() {
            continue;
        }
        let record: Record = match one_chain.as_mut() {
            Some(streams) => from_one_chain(&text, streams),
            None => serde_json::from_str(&text),
        }
        .map_err(|e| invalid(line_no, e.to_string()))?;
        match record {
            Record::Header {
                format, version, ..
            } => {
                if line_no != 1
                    || format != FORMAT
                    || !(version == VERSION || version == VERSION_ONE_CHAIN)
                {
                    return Err(invalid(
                        line_no,
                        format!(
                            "expected a {FORMAT} version {VERSION} (or {VERSION_ONE_CHAIN}) header on line 1"
                        ),
                    ));
                }
                if version == VERSION_ONE_CHAIN {
                    one_chain = Some(HashMap::new());
                }
            }
            _ if line_no == 1 => {
                return Err(invalid(
                    1,
                    "not a Baraza export: the first line is not its header",
                ));
            }
            Record::Footer { counts: expected } => {
                if expected != counts {
                    return Err(invalid(
                        line_no,
                        format!("the footer announces {expected:?} but the file holds {counts:?}"),
                    ));
                }
                verifier.finish().map_err(|b| {
                    StoreError::Corrupt(format!("the export's journal does not verify: {b}"))
                })?;
                if let Some(o) = &only
                    && !o.found
                {
                    return Err(invalid(
                        line_no,
                        format!("the export holds no jurisdiction {}", o.id),
                    ));
                }
                while let Some(after) = lines.next_line().await? {
                    line_no += 1;
                    if !after.trim().is_empty() {
                        return Err(invalid(line_no, "records after the footer"));
                    }
                }
                out.send(Ok(Record::Footer { counts: expected }))
                    .await
                    .map_err(|_| stopped())?;
                return Ok(counts);
            }
            r => {
                verifier.feed(&r).map_err(|b| {
                    StoreError::Corrupt(format!(
                        "line {line_no}: the export's journal does not verify: {b}"
                    ))
                })?;
                *counts.entry(r.kind().to_owned()).or_insert(0) += 1;
                let kept = match only.as_mut() {
                    Some(o) => o.keep(r),
                    None => Some(r),
                };
                if let Some(r) = kept {
                    out.send(Ok(r)).await.map_err(|_| stopped())?;
                }
            }
        }
    }
    Err(invalid(
        line_no,
        "the export is truncated: its footer is missing",
    ))
}

/// One jurisdiction kept out of a whole export: what its own export would hold.
struct Only {
    id: baraza_core::JurisdictionId,
    found: bool,
    /// Whether the shared chain's head has come: events after it are in their
    /// jurisdiction's chain.
    after_shared: bool,
    users: std::collections::HashSet<baraza_core::UserId>,
    cases: std::collections::HashSet<baraza_core::CaseId>,
}

impl Only {
    fn new(id: &baraza_core::JurisdictionId) -> Self {
        Self {
            id: id.clone(),
            found: false,
            after_shared: false,
            users: Default::default(),
            cases: Default::default(),
        }
    }

    fn keep(&mut self, r: Record) -> Option<Record> {
        let mine = |j: &baraza_core::JurisdictionId| *j == self.id;
        let keep = match &r {
            Record::Jurisdiction(j) => {
                self.found |= mine(&j.id);
                mine(&j.id)
            }
            Record::Area(a) => mine(&a.jurisdiction),
            Record::Department(d) => mine(&d.jurisdiction),
            Record::Category(c) => mine(&c.jurisdiction),
            Record::User(u) => {
                if mine(&u.jurisdiction) {
                    self.users.insert(u.id);
                }
                mine(&u.jurisdiction)
            }
            Record::Token(t) => self.users.contains(&t.user),
            Record::Citizen(c) => mine(&c.jurisdiction),
            Record::Case(c) => {
                if mine(&c.jurisdiction) {
                    self.cases.insert(c.id);
                }
                mine(&c.jurisdiction)
            }
            Record::Plan(p) => mine(&p.jurisdiction),
            Record::Project(p) => mine(&p.jurisdiction),
            Record::Event(e) if !mine(&e.jurisdiction) => {
                // Another jurisdiction's event: a link in the shared chain, else nothing.
                return (!self.after_shared).then(|| Record::Link(ChainLink::from(e)));
            }
            Record::Event(_) | Record::Link(_) => true,
            Record::Head(_) => {
                self.after_shared = true;
                true
            }
            Record::Chain { jurisdiction, .. } => mine(jurisdiction),
            // Messages say their jurisdiction; those of a version 1 export, through their case.
            Record::Outbox(o) => match &o.message.jurisdiction {
                Some(j) => mine(j),
                None => o.message.case_id.is_some_and(|c| self.cases.contains(&c)),
            },
            Record::Inbound(m) => match &m.jurisdiction {
                Some(j) => mine(j),
                None => m.case_id.is_some_and(|c| self.cases.contains(&c)),
            },
            Record::Publication(p) => mine(&p.jurisdiction),
            Record::Follower(f) => mine(&f.jurisdiction),
            Record::Header { .. } | Record::Footer { .. } => true,
        };
        keep.then_some(r)
    }
}

/// A version 1 line as a record: each case, plan and project noted by its stream id, and
/// each event given its stream's jurisdiction.
fn from_one_chain(
    text: &str,
    streams: &mut HashMap<String, String>,
) -> Result<Record, serde_json::Error> {
    let mut v: serde_json::Value = serde_json::from_str(text)?;
    let kind = v
        .get("type")
        .and_then(|t| t.as_str())
        .unwrap_or_default()
        .to_owned();
    let data = v.get_mut("data");
    match (kind.as_str(), data) {
        ("case" | "plan" | "project", Some(d)) => {
            if let (Some(id), Some(j)) = (
                d.get("id").and_then(|x| x.as_str()),
                d.get("jurisdiction").and_then(|x| x.as_str()),
            ) {
                streams.insert(id.to_owned(), j.to_owned());
            }
        }
        ("event", Some(d)) => {
            let j = d
                .get("case_id")
                .and_then(|x| x.as_str())
                .and_then(|id| streams.get(id))
                .cloned();
            if let (Some(j), Some(obj)) = (j, d.as_object_mut()) {
                obj.insert("jurisdiction".into(), serde_json::Value::String(j));
            }
        }
        _ => {}
    }
    serde_json::from_value(v)
}

fn invalid(line: u64, msg: impl Into<String>) -> StoreError {
    StoreError::Invalid(baraza_core::FieldError::new(format!("line {line}"), msg))
}

/// A record fit for a database that cannot store NUL (PostgreSQL's `text` and `jsonb`):
/// every NUL in its texts becomes U+FFFD. Databases written before text was cleaned at
/// the edge (SQLite took NUL) import whole; the journal's payloads need nothing (NUL is
/// escaped inside their JSON), and `verify` accepts exactly this substitution in a case
/// row (see `Verifier`).
pub fn without_nul(r: Record) -> Record {
    fn fix(s: &mut String) {
        if s.contains('\0') {
            *s = s.replace('\0', "\u{FFFD}");
        }
    }
    fn fix_opt(s: &mut Option<String>) {
        if let Some(s) = s.as_mut() {
            fix(s);
        }
    }
    match r {
        Record::Case(mut c) => {
            fix(&mut c.description);
            fix_opt(&mut c.reason);
            fix_opt(&mut c.referred_to);
            fix_opt(&mut c.idempotency_key);
            Record::Case(c)
        }
        Record::Citizen(mut c) => {
            fix_opt(&mut c.name);
            fix_opt(&mut c.whatsapp_id);
            Record::Citizen(c)
        }
        Record::Inbound(mut m) => {
            fix(&mut m.body);
            fix(&mut m.from);
            fix(&mut m.provider_message_id);
            fix_opt(&mut m.to);
            Record::Inbound(m)
        }
        Record::Outbox(mut o) => {
            fix(&mut o.message.to);
            fix_opt(&mut o.last_error);
            let text = serde_json::to_string(&o.message.template).unwrap_or_default();
            if text.contains("\\u0000")
                && let Ok(t) = serde_json::from_str(&text.replace("\\u0000", "\\ufffd"))
            {
                o.message.template = t;
            }
            Record::Outbox(o)
        }
        other => other,
    }
}
