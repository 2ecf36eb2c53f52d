//! `baraza verify`: walk one consistent snapshot, recompute every event's hash and link,
//! and replay each case's statuses from its events to check the current-state tables.

use crate::portable::{Record, for_each_record};
use crate::{Store, StoreResult};
use baraza_core::action_plan::{PLAN_DIGEST_KEY, plan_digest};
use baraza_core::lifecycle::{CASE_DIGEST_KEY, case_digest, status_after_event};
use baraza_core::project::{PROJECT_DIGEST_KEY, project_digest};
use baraza_core::{CaseId, ChainBreak, ChainHead, EventKind, JurisdictionId, Status};
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub events: i64,
    pub cases: u64,
    /// Action plans whose record their events prove.
    pub plans: u64,
    /// Public projects whose record their events prove.
    pub projects: u64,
    /// The end of the shared chain (a database made before chains per jurisdiction; the
    /// genesis otherwise), which every jurisdiction's chain follows.
    pub shared: ChainHead,
    /// Each jurisdiction's chain head.
    pub chains: BTreeMap<JurisdictionId, ChainHead>,
    /// Events whose payloads were erased (personal data), each named by a later
    /// `case.personal_data_erased` event: their hashes and links were checked all the same.
    pub erased: Vec<i64>,
}

impl VerifyReport {
    /// Each chain's head, for people: `makueni #1042 5f3a…`, the shared chain first when
    /// the database had one.
    pub fn heads(&self) -> String {
        let mut parts = Vec::new();
        if self.shared.seq > 0 {
            parts.push(format!(
                "shared chain (before chains per jurisdiction) #{} {}",
                self.shared.seq, self.shared.hash
            ));
        }
        for (j, h) in &self.chains {
            parts.push(format!("{j} #{} {}", h.seq, h.hash));
        }
        if parts.is_empty() {
            return "no chain yet".into();
        }
        format!("heads: {}", parts.join("; "))
    }
}

/// `Ok(Err(break))` when the journal was tampered with; `Err` when it could not be read.
/// What the current-state row of a case claims, and what its journal says.
struct CaseCheck {
    status: Status,
    version: u32,
    digest: String,
    /// The digest with U+FFFD read back as the NUL it replaced, where the case has one.
    digest_with_nul: Option<String>,
    replayed_status: Option<Status>,
    events: u32,
    /// The digest of the state the case's last event led to.
    journal_digest: Option<String>,
    /// An information request: its status follows from its own lifecycle, which needs
    /// the events' payloads to replay; the digest (which covers the status) proves it.
    request: bool,
}

/// Checks records in export order (cases before events, the head last), one at a time,
/// so that `verify` and `import` share it and neither holds more than a line per case.
#[derive(Default)]
pub struct Verifier {
    /// The shared chain as walked so far.
    shared: Option<ChainHead>,
    /// Its end as recorded: the events after it are in their jurisdiction's chain.
    recorded: Option<ChainHead>,
    /// Each jurisdiction's chain as walked so far, and as recorded.
    chains: BTreeMap<JurisdictionId, ChainHead>,
    recorded_chains: BTreeMap<JurisdictionId, ChainHead>,
    events: i64,
    cases: HashMap<CaseId, CaseCheck>,
    /// Events found without a payload (by chain and place).
    missing: BTreeSet<(JurisdictionId, i64)>,
    /// Events that erasure records say it emptied.
    claimed: BTreeSet<(JurisdictionId, i64)>,
    /// Action plans and projects: the stored record's digest and version, and what
    /// their events say.
    documents: HashMap<CaseId, DocumentCheck>,
}

/// A document kept whole beside its journal stream (an action plan, a project).
struct DocumentCheck {
    what: &'static str,
    /// Where its events record its digest.
    key: &'static str,
    version: u32,
    digest: String,
    events: u32,
    journal_digest: Option<String>,
}

impl Verifier {
    pub fn feed(&mut self, r: &Record) -> Result<(), ChainBreak> {
        match r {
            Record::Case(c) => {
                let check = CaseCheck {
                    status: c.status,
                    version: c.version,
                    digest: case_digest(c),
                    // A case imported into a database that stores no NUL (see
                    // `portable::without_nul`) verifies as the case it was.
                    digest_with_nul: texts_with_nul(c).map(|c| case_digest(&c)),
                    replayed_status: None,
                    events: 0,
                    journal_digest: None,
                    request: c.is_request(),
                };
                self.cases.insert(c.id, check);
            }
            Record::Event(ev) => {
                match &self.recorded {
                    None => {
                        let head = self.shared.get_or_insert_with(ChainHead::genesis);
                        *head = head.check_next(ev)?;
                    }
                    Some(shared) => {
                        let head = self
                            .chains
                            .entry(ev.jurisdiction.clone())
                            .or_insert_with(|| shared.clone());
                        *head = head
                            .check_next(ev)
                            .map_err(|b| b.in_chain(&ev.jurisdiction))?;
                    }
                }
                self.events += 1;
                if ev.payload.is_none() {
                    self.missing.insert((ev.jurisdiction.clone(), ev.seq));
                }
                if ev.kind == EventKind::PersonalDataErased {
                    let claimed = ev.data().get("erased_events").cloned();
                    let seqs: Vec<i64> = claimed
                        .and_then(|v| serde_json::from_value(v).ok())
                        .unwrap_or_default();
                    // An erasure record can only name events before it, of its own case
                    // (so of its jurisdiction).
                    self.claimed.extend(
                        seqs.into_iter()
                            .filter(|s| *s < ev.seq)
                            .map(|s| (ev.jurisdiction.clone(), s)),
                    );
                }
                if let Some(doc) = self.documents.get_mut(&ev.case_id) {
                    doc.events += 1;
                    if let Some(d) = ev.data().get(doc.key).and_then(|d| d.as_str()) {
                        doc.journal_digest = Some(d.to_owned());
                    }
                    return Ok(());
                }
                let entry =
                    self.cases
                        .get_mut(&ev.case_id)
                        .ok_or_else(|| ChainBreak::OrphanEvent {
                            seq: ev.seq,
                            case: ev.case_id.to_string(),
                        })?;
                entry.replayed_status = status_after_event(ev.kind, entry.replayed_status);
                entry.events += 1;
                if let Some(d) = ev.data().get(CASE_DIGEST_KEY).and_then(|d| d.as_str()) {
                    entry.journal_digest = Some(d.to_owned());
                }
            }
            Record::Plan(p) => {
                self.documents.insert(
                    p.id.stream(),
                    DocumentCheck {
                        what: "action plan",
                        key: PLAN_DIGEST_KEY,
                        version: p.version,
                        digest: plan_digest(p),
                        events: 0,
                        journal_digest: None,
                    },
                );
            }
            Record::Project(p) => {
                self.documents.insert(
                    p.id.stream(),
                    DocumentCheck {
                        what: "project",
                        key: PROJECT_DIGEST_KEY,
                        version: p.version,
                        digest: project_digest(p),
                        events: 0,
                        journal_digest: None,
                    },
                );
            }
            Record::Link(l) => {
                if self.recorded.is_some() {
                    // Links belong to the shared chain, which has ended.
                    return Err(ChainBreak::EventAltered { seq: l.seq });
                }
                let head = self.shared.get_or_insert_with(ChainHead::genesis);
                *head = head.check_link(l)?;
            }
            Record::Head(h) => {
                let walked = self.shared.clone().unwrap_or_else(ChainHead::genesis);
                same_head(h, &walked)?;
                self.recorded = Some(h.clone());
            }
            Record::Chain { jurisdiction, head } => {
                self.recorded_chains
                    .insert(jurisdiction.clone(), head.clone());
            }
            _ => {}
        }
        Ok(())
    }

    pub fn finish(self) -> Result<VerifyReport, ChainBreak> {
        let walked = self.shared.unwrap_or_else(ChainHead::genesis);
        let shared = match self.recorded {
            Some(h) => h,
            None => {
                // No head recorded: nothing may have been written.
                same_head(&ChainHead::genesis(), &walked)?;
                ChainHead::genesis()
            }
        };
        for (j, head) in &self.chains {
            let recorded = self
                .recorded_chains
                .get(j)
                .ok_or_else(|| ChainBreak::HeadMissing {
                    jurisdiction: j.to_string(),
                })?;
            same_head(recorded, head).map_err(|b| b.in_chain(j))?;
        }
        // A chain whose events all went: its head was recorded after the shared chain's.
        for (j, recorded) in &self.recorded_chains {
            if !self.chains.contains_key(j) {
                same_head(recorded, &shared).map_err(|b| b.in_chain(j))?;
            }
        }
        if let Some((j, seq)) = self.missing.difference(&self.claimed).next() {
            let missing = ChainBreak::PayloadMissing { seq: *seq };
            return Err(if *seq > shared.seq {
                missing.in_chain(j)
            } else {
                missing
            });
        }
        for (id, c) in &self.cases {
            let state_matches = c
                .journal_digest
                .as_ref()
                .is_none_or(|d| *d == c.digest || c.digest_with_nul.as_ref() == Some(d));
            let status_matches = c.request || Some(c.status) == c.replayed_status;
            if !status_matches || c.version != c.events || !state_matches {
                return Err(ChainBreak::ProjectionMismatch {
                    case: id.to_string(),
                });
            }
        }
        for (id, p) in &self.documents {
            if p.version != p.events || p.journal_digest.as_ref() != Some(&p.digest) {
                return Err(ChainBreak::ProjectionMismatch {
                    case: format!("{} {id}", p.what),
                });
            }
        }
        let count = |what: &str| self.documents.values().filter(|d| d.what == what).count() as u64;
        Ok(VerifyReport {
            plans: count("action plan"),
            projects: count("project"),
            events: self.events,
            cases: self.cases.len() as u64,
            chains: self
                .recorded_chains
                .into_iter()
                .map(|(j, h)| {
                    let h = self.chains.get(&j).cloned().unwrap_or(h);
                    (j, h)
                })
                .collect(),
            shared,
            erased: self.missing.into_iter().map(|(_, s)| s).collect(),
        })
    }
}

/// A recorded head against the chain as walked: fewer events than recorded means events
/// at the end were removed; the same number with another hash, that one was altered.
fn same_head(recorded: &ChainHead, walked: &ChainHead) -> Result<(), ChainBreak> {
    if recorded.seq != walked.seq {
        return Err(ChainBreak::Truncated {
            expected: recorded.seq,
            found: walked.seq,
        });
    }
    if recorded.hash != walked.hash {
        return Err(ChainBreak::EventAltered { seq: walked.seq });
    }
    Ok(())
}

/// The case with U+FFFD in its texts read back as NUL, if it has any.
fn texts_with_nul(c: &baraza_core::Case) -> Option<baraza_core::Case> {
    const R: char = '\u{FFFD}';
    let has = |s: &str| s.contains(R);
    let any = has(&c.description)
        || c.reason.as_deref().is_some_and(has)
        || c.referred_to.as_deref().is_some_and(has)
        || c.idempotency_key.as_deref().is_some_and(has);
    if !any {
        return None;
    }
    let back = |s: &str| s.replace(R, "\0");
    let mut out = c.clone();
    out.description = back(&c.description);
    out.reason = c.reason.as_deref().map(back);
    out.referred_to = c.referred_to.as_deref().map(back);
    out.idempotency_key = c.idempotency_key.as_deref().map(back);
    Some(out)
}

/// `Ok(Err(break))` when the journal was tampered with; `Err` when it could not be read.
/// `only`: one jurisdiction's chain (with the shared chain it follows), or all.
pub async fn verify_journal(
    store: &dyn Store,
    only: Option<&JurisdictionId>,
) -> StoreResult<Result<VerifyReport, ChainBreak>> {
    let mut verifier = Verifier::default();
    let mut broken = None;
    for_each_record(store, only, |r| {
        if broken.is_none() {
            broken = verifier.feed(&r).err();
        }
        Ok(())
    })
    .await?;
    Ok(match broken {
        Some(b) => Err(b),
        None => verifier.finish(),
    })
}
