//! The citizen's data-protection rights, under Kenya's Data Protection Act 2019 (ss.26,
//! 31, 40) and Ghana's Data Protection Act 2012 (Act 843, ss.32-35): access to everything
//! held about a phone number, WhatsApp id or email address; rectification; erasure that
//! keeps the journal verifiable, approved by a second person; retention; and the register
//! of processing for the Data Commissioner. The CLI and the console both call these.

use crate::privacy::{self, Audience, ContactRule, TextRule};
use crate::{Error, Result};
use baraza_core::clock::canonical;
use baraza_core::{
    Actor, Citizen, Clock, Email, EventKind, Language, PhoneNumber, Role, StaffUser, Timestamp,
};
use baraza_store::Store;
use baraza_store::erasure::{Erased, Erasure};
use serde::Serialize;

/// Everything held about one contact: the answer to a subject access request.
#[derive(Debug, Clone, Serialize)]
pub struct SubjectRecord {
    /// The phone number, WhatsApp id or email address asked about.
    pub contact: String,
    pub generated_at: String,
    pub citizens: Vec<CitizenRecord>,
    /// The classes of the disclosure log this contact follows (SMS or email).
    pub following: Vec<Following>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Following {
    pub jurisdiction: String,
    pub class: String,
    pub channel: String,
    pub since: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CitizenRecord {
    pub id: String,
    pub jurisdiction: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub whatsapp_id: Option<String>,
    pub email: Option<String>,
    pub language: String,
    pub gender: Option<String>,
    pub age_band: Option<String>,
    pub consent_contact: bool,
    pub consent_publish: bool,
    pub first_seen: String,
    pub cases: Vec<CaseRecord>,
    pub messages_received: Vec<MessageIn>,
    pub messages_sent: Vec<MessageOut>,
    /// Who saw the citizen's contact details, when and why.
    pub contact_revealed: Vec<Reveal>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseRecord {
    pub reference: String,
    pub kind: String,
    pub channel: String,
    pub status: String,
    pub category: Option<String>,
    pub ward: Option<String>,
    pub description: String,
    pub received_at: String,
    pub updated_at: String,
    pub journal: Vec<EventRecord>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventRecord {
    pub seq: i64,
    pub at: String,
    pub kind: String,
    pub actor_role: String,
    /// `null` once erased.
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct MessageIn {
    pub received_at: String,
    pub channel: String,
    pub from: String,
    pub text: String,
    pub outcome: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MessageOut {
    pub created_at: String,
    pub channel: String,
    pub to: String,
    pub message: serde_json::Value,
    pub status: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Reveal {
    pub at: String,
    pub case: String,
    pub by_role: String,
    pub by: Option<String>,
    pub reason: Option<String>,
}

/// A contact as typed: an E.164 number, a WhatsApp id (digits) or an email address.
pub fn parse_contact(s: &str) -> Result<String> {
    let s = s.trim();
    if let Ok(p) = PhoneNumber::parse(s) {
        return Ok(p.as_str().to_owned());
    }
    if let Ok(e) = Email::parse(s) {
        return Ok(e.as_str().to_owned());
    }
    if !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(s.to_owned());
    }
    Err(Error::invalid(
        "contact",
        "a phone number in E.164 (+254712345678), a WhatsApp id (digits) or an email address",
    ))
}

fn addresses_of(c: &Citizen) -> Vec<String> {
    [
        c.phone.as_ref().map(|p| p.as_str().to_owned()),
        c.whatsapp_id.clone(),
        c.email.as_ref().map(|e| e.as_str().to_owned()),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Everything held about `contact` (right of access).
pub async fn access(store: &dyn Store, clock: &dyn Clock, contact: &str) -> Result<SubjectRecord> {
    let contact = parse_contact(contact)?;
    let staff: Vec<StaffUser> = store.users(None).await?;
    let name_of = |id: &str| {
        staff
            .iter()
            .find(|u| u.id.to_string() == id)
            .map(|u| u.display_name.clone())
    };
    let jurisdictions = store.jurisdictions().await?;
    let mut citizens = Vec::new();
    for c in store.citizens_by_contact(&contact).await? {
        let prefix = jurisdictions
            .iter()
            .find(|j| j.id == c.jurisdiction)
            .map(|j| j.reference_prefix.clone())
            .unwrap_or_default();
        let cases = store.cases_of_citizen(c.id, u32::MAX).await?;
        let mut case_records = Vec::new();
        let mut reveals = Vec::new();
        for case in &cases {
            let events = store.case_events(case.id).await?;
            let reference = case.number.display_with(&prefix);
            for e in &events {
                if e.kind == EventKind::ContactRevealed {
                    let d = e.data();
                    reveals.push(Reveal {
                        at: canonical(&e.at),
                        case: reference.clone(),
                        by_role: e.actor_role.clone(),
                        by: e.actor_id.as_deref().and_then(name_of),
                        reason: d.get("reason").and_then(|r| r.as_str()).map(str::to_owned),
                    });
                }
            }
            case_records.push(CaseRecord {
                reference,
                kind: case.kind.to_string(),
                channel: case.channel.to_string(),
                status: case.status.to_string(),
                category: case.category.clone(),
                ward: case.ward.as_ref().map(|w| w.to_string()),
                description: case.description.clone(),
                received_at: canonical(&case.created_at),
                updated_at: canonical(&case.updated_at),
                journal: events
                    .iter()
                    .map(|e| EventRecord {
                        seq: e.seq,
                        at: canonical(&e.at),
                        kind: e.kind.to_string(),
                        actor_role: e.actor_role.clone(),
                        data: e.data(),
                    })
                    .collect(),
            });
        }
        let ids: Vec<_> = cases.iter().map(|k| k.id).collect();
        let addresses = addresses_of(&c);
        let messages_received = store
            .inbound_of(&addresses, &ids)
            .await?
            .into_iter()
            .map(|m| MessageIn {
                received_at: canonical(&m.received_at),
                channel: m.channel.to_string(),
                from: m.from,
                text: m.body,
                outcome: m.outcome.to_string(),
            })
            .collect();
        let messages_sent = store
            .outbox_of(&addresses, &ids)
            .await?
            .into_iter()
            .map(|o| MessageOut {
                created_at: canonical(&o.message.created_at),
                channel: o.message.channel.to_string(),
                to: o.message.to.clone(),
                message: serde_json::to_value(&o.message.template).unwrap_or_default(),
                status: o.status.to_string(),
            })
            .collect();
        citizens.push(CitizenRecord {
            id: c.id.0.to_string(),
            jurisdiction: c.jurisdiction.to_string(),
            name: c.name.clone(),
            phone: c.phone.as_ref().map(|p| p.as_str().to_owned()),
            whatsapp_id: c.whatsapp_id.clone(),
            email: c.email.as_ref().map(|e| e.as_str().to_owned()),
            language: c.language.to_string(),
            gender: c.gender.map(|g| g.to_string()),
            age_band: c.age_band.map(|a| a.to_string()),
            consent_contact: c.consent.contact,
            consent_publish: c.consent.publish,
            first_seen: canonical(&c.created_at),
            cases: case_records,
            messages_received,
            messages_sent,
            contact_revealed: reveals,
        });
    }
    let following = store
        .followed_by(&contact)
        .await?
        .into_iter()
        .map(|f| Following {
            jurisdiction: f.jurisdiction.to_string(),
            class: f.class,
            channel: f.channel.to_string(),
            since: canonical(&f.created_at),
        })
        .collect();
    Ok(SubjectRecord {
        contact,
        generated_at: canonical(&clock.now()),
        citizens,
        following,
    })
}

/// A correction to a citizen record (right of rectification); `None` leaves a field.
#[derive(Debug, Clone, Default)]
pub struct Rectification {
    /// `Some("")` removes the name.
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub language: Option<String>,
}

/// Correct the records held under `contact` (within one jurisdiction, for its staff; in
/// all, for the server's operator on the command line); returns how many were corrected.
pub async fn rectify(
    store: &dyn Store,
    contact: &str,
    within: Option<&baraza_core::JurisdictionId>,
    fix: &Rectification,
) -> Result<usize> {
    let contact = parse_contact(contact)?;
    let mut errors = crate::FieldErrors::default();
    let phone = fix
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .and_then(|p| {
            errors.take(
                PhoneNumber::parse(p).map_err(|e| baraza_core::FieldError::new("phone", e.message)),
            )
        });
    let email = fix
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .and_then(|e| {
            errors
                .take(Email::parse(e).map_err(|e| baraza_core::FieldError::new("email", e.message)))
        });
    let language = fix
        .language
        .as_deref()
        .and_then(|l| errors.take(crate::error::parse_enum::<Language>("language", l)));
    if fix.name.as_ref().is_some_and(|n| n.chars().count() > 200) {
        errors.push("name", "at most 200 characters");
    }
    errors.finish()?;
    let found: Vec<_> = store
        .citizens_by_contact(&contact)
        .await?
        .into_iter()
        .filter(|c| within.is_none_or(|j| c.jurisdiction == *j))
        .collect();
    if found.is_empty() {
        return Err(Error::NotFound("citizen with this contact"));
    }
    for mut c in found.clone() {
        if let Some(n) = &fix.name {
            let n = n.trim();
            c.name = (!n.is_empty()).then(|| n.to_owned());
        }
        if let Some(p) = &phone {
            c.phone = Some(p.clone());
        }
        if let Some(e) = &email {
            c.email = Some(e.clone());
        }
        if let Some(l) = language {
            c.language = l;
        }
        store.rectify_citizen(&c).await?;
    }
    Ok(found.len())
}

/// Who may ask for an erasure, and who may approve it: two different system
/// administrators or auditors of the citizen's jurisdiction, both active.
fn may_erase(u: &StaffUser) -> bool {
    !u.disabled && matches!(u.role, Role::SystemAdministrator | Role::Auditor)
}

/// Erase everything held under `contact` (right to erasure), on the record with its
/// legal basis, the administrator who carried it out and the second person who approved.
pub async fn erase(
    store: &dyn Store,
    clock: &dyn Clock,
    contact: &str,
    basis: &str,
    by: &StaffUser,
    approved_by: &StaffUser,
    media: Option<&std::path::Path>,
) -> Result<Vec<Erased>> {
    let contact = parse_contact(contact)?;
    let basis = basis.trim();
    if basis.is_empty() || basis.chars().count() > 500 {
        return Err(Error::invalid(
            "basis",
            "the legal basis, e.g. \"data subject's request of 2026-12-01 (DPA 2019 s.40)\"",
        ));
    }
    if by.role != Role::SystemAdministrator || by.disabled {
        return Err(Error::forbidden(
            "role_not_allowed",
            "only an active system administrator may erase personal data",
        ));
    }
    if approved_by.id == by.id || !may_erase(approved_by) {
        return Err(Error::forbidden(
            "second_person_required",
            "erasure needs the approval of a second person: another active system administrator or an auditor",
        ));
    }
    let found = store.citizens_by_contact(&contact).await?;
    if found.is_empty() {
        return Err(Error::NotFound("citizen with this contact"));
    }
    let mut out = Vec::new();
    for c in found {
        if c.jurisdiction != by.jurisdiction || c.jurisdiction != approved_by.jurisdiction {
            continue;
        }
        let done = store
            .erase_citizen(Erasure {
                citizen: c.id,
                basis: basis.to_owned(),
                approved_by: Some(format!("{} ({})", approved_by.username, approved_by.role)),
                actor: Actor::staff(by.id, by.role, baraza_core::Channel::Web),
                at: clock.now(),
            })
            .await?;
        forget_files(media, &done.files);
        out.push(done);
    }
    if out.is_empty() {
        return Err(Error::NotFound(
            "citizen with this contact in your jurisdiction",
        ));
    }
    Ok(out)
}

/// What one run of retention did in one jurisdiction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionReport {
    pub citizens_erased: usize,
    pub events_erased: usize,
    pub message_texts_blanked: u64,
    /// Photo files removed from the media folder with the cases that held them.
    pub files_removed: usize,
}

/// Remove erased cases' files from the media folder (`<sha256>`, and its thumbnail
/// `thumbs/<sha256>.jpg`): a photo is personal data, erased with the rest. Only names
/// shaped as SHA-256 are touched; a file already gone is not an error. Returns how many
/// photos were removed.
pub fn forget_files(media: Option<&std::path::Path>, files: &[String]) -> usize {
    let Some(dir) = media else { return 0 };
    let mut removed = 0;
    for sha in files {
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        let _ = std::fs::remove_file(dir.join("thumbs").join(format!("{sha}.jpg")));
        match std::fs::remove_file(dir.join(sha)) {
            Ok(()) => removed += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!("could not remove an erased photo: {e}"),
        }
    }
    removed
}

/// Erase what the jurisdiction's retention periods say has expired, through the same
/// erasure path as a request.
pub async fn apply_retention(
    store: &dyn Store,
    clock: &dyn Clock,
    jurisdiction: &baraza_core::Jurisdiction,
    media: Option<&std::path::Path>,
) -> Result<RetentionReport> {
    let now = clock.now();
    let r = jurisdiction.policy.retention;
    let mut report = RetentionReport::default();
    let days = |d: u32| now - chrono::Duration::days(i64::from(d));
    for id in store
        .citizens_past_retention(&jurisdiction.id, days(r.contacts_days))
        .await?
    {
        let done = store
            .erase_citizen(Erasure {
                citizen: id,
                basis: format!(
                    "retention: {} days after the citizen's last case settled",
                    r.contacts_days
                ),
                approved_by: None,
                actor: Actor::system("retention"),
                at: now,
            })
            .await?;
        report.citizens_erased += 1;
        report.events_erased += done.events.len();
        report.files_removed += forget_files(media, &done.files);
    }
    report.message_texts_blanked = store
        .expire_message_texts(&jurisdiction.id, days(r.message_texts_days))
        .await?;
    Ok(report)
}

/// The register of processing activities (Kenya DPA s.20 / Ghana Act 843 s.46 registration
/// particulars), for the Data Commissioner: what is held, why, for how long, and who may
/// see it, by role. Built from the privacy projection's rules, so it cannot drift from
/// what the code does.
pub fn processing_register(jurisdictions: &[baraza_core::Jurisdiction], at: Timestamp) -> String {
    let mut out = String::new();
    out.push_str("# Register of processing: Baraza\n\n");
    out.push_str(&format!("Generated {}.\n\n", canonical(&at)));
    out.push_str(
        "## Personal data held, and why\n\n\
         | data | where | purpose | legal basis |\n|---|---|---|---|\n\
         | phone number, WhatsApp id, email address | citizen record, messages in and out | answering the citizen on their own channel; telling them of progress | consent given when raising the concern (withdrawn by STOP) |\n\
         | name (optional) | citizen record | addressing the citizen when staff call back | consent |\n\
         | gender and age band (optional, self-declared) | citizen record | figures by gender on the dashboard (groups under 5 suppressed) | consent |\n\
         | the concern's text, replies, photos, location | case, journal, messages | handling the concern; publication only with the citizen's consent, masked | performance of a public function; consent for publication |\n\
         | who saw a contact, and why | journal (`case.contact_revealed`) | accountability for access | legal obligation |\n\
         | staff names, roles, emails, phones | staff records | running the service | employment |\n\n",
    );
    out.push_str("## How long it is kept\n\n| jurisdiction | contacts and name | message texts |\n|---|---|---|\n");
    for j in jurisdictions {
        let r = j.policy.retention;
        out.push_str(&format!(
            "| {} ({}) | {} days after the citizen's last case settles | {} days after the case settles |\n",
            j.name, j.id, r.contacts_days, r.message_texts_days
        ));
    }
    out.push_str(
        "\nThe daily retention job erases what has expired; a data subject's request is \
         erased at once, approved by a second person. Erasure keeps the case's public facts \
         (ward, category, dates, status) and the journal's hashes; `baraza verify` names \
         the erased events.\n\n## Who sees what, by role\n\n",
    );
    out.push_str("| role | sees as | name | contacts | texts | internal notes |\n|---|---|---|---|---|---|\n");
    for role in Role::ALL {
        let a = Audience::of_role(*role);
        let r = privacy::rules(a);
        let contacts = match r.contacts {
            ContactRule::Clear => "in clear",
            ContactRule::Masked => "masked; in clear only through a journaled reveal",
            ContactRule::Hidden => "no",
        };
        let texts = match r.description {
            TextRule::Full => "in full",
            TextRule::Masked => "masked (names, phones, emails)",
            TextRule::WithConsent => "with consent, masked",
            TextRule::Hidden => "no",
        };
        out.push_str(&format!(
            "| {role} | {} | {} | {contacts} | {texts} | {} |\n",
            a.as_str(),
            if r.name {
                "yes"
            } else {
                "only through a reveal"
            },
            if r.internal_notes { "yes" } else { "no" },
        ));
    }
    for a in [Audience::Public, Audience::Open311, Audience::OpenData] {
        let r = privacy::rules(a);
        out.push_str(&format!(
            "| (anyone) | {} | no | no | {} | no |\n",
            a.as_str(),
            match r.description {
                TextRule::Hidden => "no",
                _ => "with consent, masked",
            }
        ));
    }
    out.push_str(
        "\nSystem administrators manage accounts and carry out rights requests; erasure \
         needs a second system administrator or an auditor to approve. Nothing personal is \
         written to logs.\n",
    );
    out
}
