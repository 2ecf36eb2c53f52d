//! Erasure of a citizen's personal data, in the writer's transaction: the one exception
//! to "the journal is append-only". Each of the citizen's cases loses its description,
//! location and attachments; each event that holds personal data loses its payload (a
//! tombstone keeps its recorded SHA-256, so every hash and link still verifies); the
//! citizen record and their messages lose their contacts and texts; and each case gets a
//! `case.personal_data_erased` event naming the events it erased, its legal basis and who
//! approved it. `verify` accepts a missing payload only where such an event names it.

use crate::group_commit::BatchTx;
use crate::{StoreError, StoreResult};
use baraza_core::lifecycle::{ErasureRecord, erase};
use baraza_core::{Actor, Citizen, CitizenId, Timestamp};

/// An erasure to carry out.
#[derive(Debug, Clone)]
pub struct Erasure {
    pub citizen: CitizenId,
    /// The legal basis, as recorded on each case.
    pub basis: String,
    /// Who approved it (for a request: a second administrator).
    pub approved_by: Option<String>,
    /// Who carries it out (the system administrator's staff actor, or the retention job).
    pub actor: Actor,
    pub at: Timestamp,
}

/// What an erasure did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erased {
    pub cases: u32,
    /// The sequence numbers of the events whose payloads were taken out.
    pub events: Vec<i64>,
    pub inbound_messages: u64,
    pub outbox_messages: u64,
    /// The files (photos, by SHA-256) the erased cases held and no other case holds:
    /// the caller removes them from the media folder (`rights::forget_files`).
    pub files: Vec<String>,
}

/// The citizen record with everything that identifies them taken out; the language and
/// the figures' fields (gender, age band) go too, consent is withdrawn.
pub fn erased_citizen(c: &Citizen) -> Citizen {
    let mut out = c.clone();
    out.phone = None;
    out.whatsapp_id = None;
    out.email = None;
    out.name = None;
    out.gender = None;
    out.age_band = None;
    out.consent.contact = false;
    out.consent.publish = false;
    out
}

pub(crate) async fn erase_in_tx<T: BatchTx>(
    tx: &mut T,
    e: &Erasure,
    head: &mut crate::group_commit::Heads,
) -> StoreResult<Erased> {
    let citizen = tx
        .citizen(e.citizen)
        .await?
        .ok_or(StoreError::NotFound("citizen"))?;
    let cases = tx.recent_cases_of(e.citizen, u32::MAX).await?;
    let mut done = Erased::default();
    for case in &cases {
        let events = tx.case_events(case.id).await?;
        let erased: Vec<i64> = events
            .iter()
            .filter(|ev| ev.holds_personal_data())
            .map(|ev| ev.seq)
            .collect();
        for seq in &erased {
            tx.erase_payload(&case.jurisdiction, *seq).await?;
        }
        let record = ErasureRecord {
            basis: e.basis.clone(),
            approved_by: e.approved_by.clone(),
            erased_events: erased.clone(),
        };
        let t = erase(case, &e.actor, &record, e.at);
        tx.update_case(&t.case).await?;
        for a in &case.attachments {
            if !done.files.contains(&a.sha256) && !tx.file_in_use(&a.sha256).await? {
                done.files.push(a.sha256.clone());
            }
        }
        head.append(tx, &case.jurisdiction, t.event).await?;
        done.cases += 1;
        done.events.extend(erased);
    }
    let addresses: Vec<String> = [
        citizen.phone.as_ref().map(|p| p.as_str().to_owned()),
        citizen.whatsapp_id.clone(),
        citizen.email.as_ref().map(|m| m.as_str().to_owned()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let case_ids: Vec<_> = cases.iter().map(|c| c.id).collect();
    let (inbound, outbox) = tx.erase_messages(&addresses, &case_ids).await?;
    // No more news of the disclosure log to an erased person's number or address.
    for a in &addresses {
        tx.drop_follower(a).await?;
    }
    tx.replace_citizen(&erased_citizen(&citizen)).await?;
    done.inbound_messages = inbound;
    done.outbox_messages = outbox;
    Ok(done)
}
