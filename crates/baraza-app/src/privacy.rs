//! The privacy projection: what each audience sees of a case, field by field, decided in
//! one table ([`rules`]) and applied by one function per record ([`case_view`],
//! [`event_view`]). Every surface shows cases through it; none reads a citizen's name,
//! contacts or words off a `Case` or a journal payload directly.

use baraza_core::{Attachment, Case, Citizen, CitizenId, GeoPoint, JournalEvent, Role, Visibility};
use serde_json::Value;

/// Who is reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    /// Staff who revealed the citizen's contact on this case, with a journaled reason.
    Revealed,
    /// Staff who work cases, the executive and system administrators: texts in full,
    /// contacts masked until revealed.
    Staff,
    /// Auditors: as staff, for the record; contacts only through a journaled reveal.
    Auditor,
    /// Civil-society observers: the whole flow, without names, contacts, locations,
    /// attachments or internal notes; free text masked.
    Observer,
    /// Anyone: the tracking page and the registry.
    Public,
    /// Open data exports: public facts and figures, no text at all.
    OpenData,
    /// Open311 clients (FixMyStreet): the public's view, with the point on the map.
    Open311,
}

impl Audience {
    pub const ALL: &'static [Audience] = &[
        Audience::Revealed,
        Audience::Staff,
        Audience::Auditor,
        Audience::Observer,
        Audience::Public,
        Audience::OpenData,
        Audience::Open311,
    ];

    /// The audience a staff role reads as (before any reveal).
    pub fn of_role(role: Role) -> Self {
        match role {
            Role::Observer => Audience::Observer,
            Role::Auditor => Audience::Auditor,
            Role::Open311Integration => Audience::Open311,
            _ => Audience::Staff,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Revealed => "staff after reveal",
            Audience::Staff => "staff",
            Audience::Auditor => "auditor",
            Audience::Observer => "observer",
            Audience::Public => "public (track, registry)",
            Audience::OpenData => "open data",
            Audience::Open311 => "Open311",
        }
    }

    /// Whether this audience is outside the county's staff.
    pub fn is_public(self) -> bool {
        matches!(
            self,
            Audience::Public | Audience::OpenData | Audience::Open311
        )
    }
}

/// How a piece of free text is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextRule {
    /// As written.
    Full,
    /// The citizen's own name and contacts, and anything shaped like a phone number or an
    /// email address, masked.
    Masked,
    /// Masked, and only where the citizen consented to publication.
    WithConsent,
    /// Not shown.
    Hidden,
}

impl TextRule {
    /// The stricter of two rules, for a text whose author is not known (a case's last
    /// reason may be the citizen's reopening or the county's rejection).
    pub fn stricter(self, other: TextRule) -> TextRule {
        let rank = |t: TextRule| match t {
            TextRule::Full => 0,
            TextRule::Masked => 1,
            TextRule::WithConsent => 2,
            TextRule::Hidden => 3,
        };
        if rank(self) >= rank(other) {
            self
        } else {
            other
        }
    }
}

/// Which of a case's files (photos, documents) are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentRule {
    All,
    /// Photos staff approved for the public, and only where the citizen agreed to
    /// publication.
    Approved,
    None,
}

/// How the citizen's contact details are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactRule {
    Clear,
    Masked,
    Hidden,
}

/// What one audience sees, field by field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// The citizen's name.
    pub name: bool,
    pub contacts: ContactRule,
    /// Which citizen (their id: lets a reader link cases of one person).
    pub citizen_id: bool,
    /// The concern as the citizen wrote it.
    pub description: TextRule,
    /// What the citizen wrote later: replies, reopen reasons.
    pub citizen_replies: TextRule,
    /// What staff wrote for the citizen: responses, reasons for rejecting, referring,
    /// escalating.
    pub official_texts: TextRule,
    /// Internal events (notes, attachments fetched, contacts revealed).
    pub internal_events: bool,
    /// Notes that go with a forward, for the department.
    pub internal_notes: bool,
    pub attachments: AttachmentRule,
    /// The point the citizen gave (their ward is always shown).
    pub location: bool,
    /// Who among the staff acted.
    pub staff_ids: bool,
}

/// The whole policy. ARCHITECTURE.md shows it as a table; a test keeps them equal.
pub const fn rules(audience: Audience) -> Rules {
    use ContactRule as C;
    use TextRule as T;
    let staff = Rules {
        name: false,
        contacts: C::Masked,
        citizen_id: true,
        description: T::Full,
        citizen_replies: T::Full,
        official_texts: T::Full,
        internal_events: true,
        internal_notes: true,
        attachments: AttachmentRule::All,
        location: true,
        staff_ids: true,
    };
    let public = Rules {
        name: false,
        contacts: C::Hidden,
        citizen_id: false,
        description: T::WithConsent,
        citizen_replies: T::WithConsent,
        official_texts: T::Masked,
        internal_events: false,
        internal_notes: false,
        attachments: AttachmentRule::Approved,
        location: false,
        staff_ids: false,
    };
    match audience {
        Audience::Revealed => Rules {
            name: true,
            contacts: C::Clear,
            ..staff
        },
        Audience::Staff | Audience::Auditor => staff,
        Audience::Observer => Rules {
            name: false,
            contacts: C::Hidden,
            citizen_id: false,
            description: T::Masked,
            citizen_replies: T::Masked,
            official_texts: T::Masked,
            internal_events: false,
            internal_notes: false,
            attachments: AttachmentRule::None,
            location: false,
            staff_ids: true,
        },
        Audience::Public => public,
        Audience::Open311 => Rules {
            location: true,
            ..public
        },
        Audience::OpenData => Rules {
            description: T::Hidden,
            citizen_replies: T::Hidden,
            official_texts: T::Hidden,
            attachments: AttachmentRule::None,
            ..public
        },
    }
}

/// The rules as a Markdown table, for ARCHITECTURE.md (a test keeps the two equal).
pub fn rules_markdown() -> String {
    let mut out = String::from(
        "| audience | name | contacts | citizen id | description | citizen replies | official texts | internal events | notes with forwards | attachments | location | staff ids |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    let yes = |b: bool| if b { "yes" } else { "no" };
    let text = |t: TextRule| match t {
        TextRule::Full => "full",
        TextRule::Masked => "masked",
        TextRule::WithConsent => "masked, with consent",
        TextRule::Hidden => "no",
    };
    for a in Audience::ALL {
        let r = rules(*a);
        let contacts = match r.contacts {
            ContactRule::Clear => "clear",
            ContactRule::Masked => "masked",
            ContactRule::Hidden => "no",
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            a.as_str(),
            yes(r.name),
            contacts,
            yes(r.citizen_id),
            text(r.description),
            text(r.citizen_replies),
            text(r.official_texts),
            yes(r.internal_events),
            yes(r.internal_notes),
            match r.attachments {
                AttachmentRule::All => "all",
                AttachmentRule::Approved => "approved photos, with consent",
                AttachmentRule::None => "no",
            },
            yes(r.location),
            yes(r.staff_ids),
        ));
    }
    out
}

/// What a reader may see of free text: anything shaped like an email address, and runs of
/// digits (joined by spaces, dashes, brackets, dots, slashes, commas, underscores; in any
/// script) long enough to be a phone number in any of our countries' forms
/// (`0722 111 222`, `0722/111/222`, `+233 24 123 4567`), are masked.
pub fn mask(text: &str) -> String {
    let mut words = String::with_capacity(text.len());
    for word in text.split_inclusive(char::is_whitespace) {
        let core = word.trim_end();
        let at = core.find('@');
        if at.is_some_and(|i| i > 0 && core[i..].contains('.')) {
            words.push_str("[…]");
            words.push_str(&word[core.len()..]);
        } else {
            words.push_str(word);
        }
    }
    let chars: Vec<char> = words.chars().collect();
    let mut out = String::with_capacity(words.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_numeric() || chars[i] == '+' {
            let mut j = i;
            let (mut digits, mut last_digit) = (0, i);
            while j < chars.len()
                && (chars[j].is_numeric() || " -()+./_,:\u{a0}".contains(chars[j]))
            {
                if chars[j].is_numeric() {
                    digits += 1;
                    last_digit = j;
                }
                j += 1;
            }
            if digits >= 7 {
                out.push_str("[…]");
                i = last_digit + 1;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// A citizen's text masked for a reader: their own name and contacts taken out wherever
/// they wrote them, then [`mask`].
pub fn mask_for(text: &str, citizen: Option<&Citizen>) -> String {
    let Some(citizen) = citizen else {
        return mask(text);
    };
    let mut needles: Vec<String> = citizen
        .name
        .iter()
        .flat_map(|n| n.split_whitespace())
        .filter(|w| w.chars().count() >= 2)
        .map(str::to_owned)
        .collect();
    needles.extend(citizen.email.iter().map(|e| e.as_str().to_owned()));
    needles.extend(citizen.whatsapp_id.iter().cloned());
    if let Some(p) = &citizen.phone {
        needles.push(p.as_str().to_owned());
    }
    // Longest first, so that an address is masked before a name inside it.
    needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let mut out = text.to_owned();
    for n in needles {
        out = replace_caseless(&out, &n, "[…]");
    }
    mask(&out)
}

/// Replace every occurrence of `needle`, ignoring case (Unicode-aware).
fn replace_caseless(hay: &str, needle: &str, with: &str) -> String {
    let needle: Vec<char> = needle.chars().flat_map(char::to_lowercase).collect();
    if needle.is_empty() {
        return hay.to_owned();
    }
    let chars: Vec<char> = hay.chars().collect();
    let lower: Vec<Vec<char>> = chars.iter().map(|c| c.to_lowercase().collect()).collect();
    let mut out = String::with_capacity(hay.len());
    let mut i = 0;
    'outer: while i < chars.len() {
        // Match needle against lower-cased chars from i.
        let mut k = 0;
        let mut j = i;
        while k < needle.len() && j < chars.len() {
            for c in &lower[j] {
                if k >= needle.len() || *c != needle[k] {
                    out.push(chars[i]);
                    i += 1;
                    continue 'outer;
                }
                k += 1;
            }
            j += 1;
        }
        if k == needle.len() {
            out.push_str(with);
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// A text shown under a rule.
pub fn text(s: &str, citizen: Option<&Citizen>, rule: TextRule) -> Option<String> {
    match rule {
        TextRule::Full => Some(s.to_owned()),
        TextRule::Masked => Some(mask_for(s, citizen)),
        TextRule::WithConsent => citizen
            .filter(|c| c.consent.publish)
            .map(|c| mask_for(s, Some(c))),
        TextRule::Hidden => None,
    }
}

/// Information requests are published by default (as on WhatDoTheyKnow): to audiences
/// outside the staff their texts are shown whatever the applicant's consent, with the
/// applicant's name and contacts masked and the jurisdiction's redaction rules applied
/// ([`published`]). Staff read them as written. The applicant's identity is never shown
/// outside the staff. A jurisdiction's redaction rules, compiled once per page (a rule
/// that does not compile was refused when the jurisdiction was loaded, and is skipped).
pub struct Redactions {
    rules: Vec<(regex::Regex, String)>,
}

impl Redactions {
    pub fn of(policy: &baraza_core::information::InformationPolicy) -> Self {
        Self {
            rules: policy
                .redactions
                .iter()
                .filter_map(|r| r.compile().ok().map(|re| (re, r.replacement.clone())))
                .collect(),
        }
    }
    pub fn apply(&self, s: &str) -> String {
        let mut out = s.to_owned();
        for (re, with) in &self.rules {
            out = re.replace_all(&out, regex::NoExpand(with)).into_owned();
        }
        out
    }
}

/// A request's event for an audience: as [`event_view`] for the staff; for everyone else
/// only public events at a public prominence, every text published by
/// [`Redactions`] and masked, the applicant's id and replies' provenance removed, the
/// documents given shown.
pub fn request_event_view<'a>(
    ev: &'a JournalEvent,
    file: &baraza_core::information::RequestFile,
    citizen: Option<&Citizen>,
    audience: Audience,
    redactions: &Redactions,
) -> Option<EventView<'a>> {
    let r = rules(audience);
    if r.description == TextRule::Full {
        return event_view(ev, citizen, audience);
    }
    if ev.visibility == Visibility::Internal && !r.internal_events {
        return None;
    }
    if audience.is_public() && !file.prominence_of(ev.seq).public() {
        return None;
    }
    let mut data = ev.data();
    if let Some(obj) = data.as_object_mut() {
        let keys: Vec<String> = obj.keys().cloned().collect();
        for k in keys {
            match k.as_str() {
                "citizen" | "source" | "location" | "attachments" | "attachment" | "note"
                | "request" => {
                    obj.remove(&k);
                }
                "documents" if r.description == TextRule::Hidden => {
                    obj.remove(&k);
                }
                // Free text, the applicant's or the officer's: published through the rules.
                "text" | "reason" | "reasons" | "grounds" | "to" | "description" | "fee" => {
                    if let Some(s) = obj.get(&k).and_then(Value::as_str).map(str::to_owned) {
                        match published(&s, citizen, audience, redactions) {
                            Some(shown) => {
                                obj.insert(k.clone(), Value::String(shown));
                            }
                            None => {
                                obj.remove(&k);
                            }
                        }
                    }
                }
                // The law's own words (fees, how to seek review), codes and dates.
                _ => {}
            }
        }
    }
    Some(EventView {
        event: ev,
        audience,
        actor_id: ev
            .actor_id
            .clone()
            .filter(|_| ev.actor_role != "citizen" && r.staff_ids),
        data,
    })
}

/// A request's text as published to `audience` (see [`request_text`]).
pub fn published(
    s: &str,
    citizen: Option<&Citizen>,
    audience: Audience,
    redactions: &Redactions,
) -> Option<String> {
    match rules(audience).description {
        TextRule::Full => Some(s.to_owned()),
        TextRule::Hidden => None,
        _ => Some(mask_for(&redactions.apply(s), citizen)),
    }
}

/// The citizen as one audience sees them.
#[derive(Debug, Clone, PartialEq)]
pub struct CitizenView {
    pub id: Option<CitizenId>,
    pub name: Option<String>,
    /// The phone number, in clear or masked.
    pub phone: Option<String>,
    pub whatsapp: Option<String>,
    pub email: Option<String>,
    pub has_phone: bool,
    pub has_whatsapp: bool,
    pub has_email: bool,
    pub language: baraza_core::Language,
    pub consent_contact: bool,
    pub consent_publish: bool,
}

/// A case as one audience sees it. The public facts (reference, status, ward, category,
/// department, dates) are always there, on `case`; the rest is decided here.
#[derive(Debug, Clone)]
pub struct CaseView<'a> {
    pub case: &'a Case,
    pub audience: Audience,
    /// The concern's text, if this audience may read it.
    pub description: Option<String>,
    /// The last reason given (a rejection, a reopening: the county's or the citizen's).
    pub reason: Option<String>,
    /// Where the citizen was referred, as the county wrote it.
    pub referred_to: Option<String>,
    pub citizen: Option<CitizenView>,
    pub location: Option<GeoPoint>,
    pub attachments: Vec<&'a Attachment>,
}

/// A case for an audience. `citizen` is the case's citizen, if any (needed to mask their
/// name in free text and to know their consent).
pub fn case_view<'a>(
    case: &'a Case,
    citizen: Option<&Citizen>,
    audience: Audience,
) -> CaseView<'a> {
    let r = rules(audience);
    let citizen_view = citizen
        .filter(|_| r.contacts != ContactRule::Hidden)
        .map(|z| {
            let clear = r.contacts == ContactRule::Clear;
            CitizenView {
                id: r.citizen_id.then_some(z.id),
                name: z.name.clone().filter(|_| r.name),
                phone: z.phone.as_ref().map(|p| {
                    if clear {
                        p.as_str().to_owned()
                    } else {
                        p.masked()
                    }
                }),
                whatsapp: z.whatsapp_id.clone().filter(|_| clear),
                email: z
                    .email
                    .as_ref()
                    .filter(|_| clear)
                    .map(|e| e.as_str().to_owned()),
                has_phone: z.phone.is_some(),
                has_whatsapp: z.whatsapp_id.is_some(),
                has_email: z.email.is_some(),
                language: z.language,
                consent_contact: z.consent.contact,
                consent_publish: z.consent.publish,
            }
        });
    CaseView {
        case,
        audience,
        description: text(&case.description, citizen, r.description),
        reason: case.reason.as_deref().and_then(|reason| {
            text(
                reason,
                citizen,
                r.citizen_replies.stricter(r.official_texts),
            )
        }),
        referred_to: case
            .referred_to
            .as_deref()
            .and_then(|to| text(to, citizen, r.official_texts)),
        citizen: citizen_view,
        location: case.location.filter(|_| r.location),
        attachments: match r.attachments {
            AttachmentRule::All => case.attachments.iter().collect(),
            AttachmentRule::Approved if citizen.is_some_and(|c| c.consent.publish) => case
                .attachments
                .iter()
                .filter(|a| a.published && a.media_type.starts_with("image/"))
                .collect(),
            _ => Vec::new(),
        },
    }
}

/// A journal event as one audience sees it.
#[derive(Debug, Clone)]
pub struct EventView<'a> {
    pub event: &'a JournalEvent,
    pub audience: Audience,
    /// Who acted: shown for staff to audiences that see staff, never a citizen's id
    /// outside the staff.
    pub actor_id: Option<String>,
    /// The payload with what this audience may not see removed or masked.
    pub data: Value,
}

impl EventView<'_> {
    pub fn str(&self, key: &str) -> Option<&str> {
        self.data.get(key).and_then(Value::as_str)
    }
    pub fn internal(&self) -> bool {
        self.event.visibility == Visibility::Internal
    }
}

/// Which rule covers a payload field.
enum Field {
    CitizenId,
    Description,
    Location,
    Attachments,
    Note,
    /// Free text: the citizen's words when the citizen acted, else the county's.
    Text,
    /// Provenance of a relayed message (`open311:<update id>`): staff only.
    Source,
    /// An information request's clock at intake, with the applicant's reason for urgency:
    /// only for readers of the texts in full.
    Request,
    Plain,
}

fn field(key: &str) -> Field {
    match key {
        "citizen" => Field::CitizenId,
        "description" => Field::Description,
        "location" => Field::Location,
        "attachments" | "attachment" | "documents" => Field::Attachments,
        "note" => Field::Note,
        "text" | "reason" | "reasons" | "grounds" | "to" => Field::Text,
        "source" => Field::Source,
        "request" => Field::Request,
        _ => Field::Plain,
    }
}

/// An event for an audience: `None` when the audience does not see it at all.
pub fn event_view<'a>(
    ev: &'a JournalEvent,
    citizen: Option<&Citizen>,
    audience: Audience,
) -> Option<EventView<'a>> {
    let r = rules(audience);
    if ev.visibility == Visibility::Internal && !r.internal_events {
        return None;
    }
    let by_citizen = ev.actor_role == "citizen";
    let mut data = ev.data();
    if let Some(obj) = data.as_object_mut() {
        let keys: Vec<String> = obj.keys().cloned().collect();
        for k in keys {
            let text_rule = match field(&k) {
                Field::CitizenId => Err(r.citizen_id),
                Field::Location => Err(r.location),
                Field::Attachments => Err(r.attachments == AttachmentRule::All),
                Field::Note => Err(r.internal_notes),
                Field::Source => Err(r.internal_events),
                Field::Request => Err(r.description == TextRule::Full),
                Field::Plain => Err(true),
                Field::Description => Ok(r.description),
                Field::Text if by_citizen => Ok(r.citizen_replies),
                Field::Text => Ok(r.official_texts),
            };
            let keep = match text_rule {
                Err(shown) => shown,
                Ok(rule) => match obj.get(&k).and_then(Value::as_str).map(str::to_owned) {
                    Some(s) => match text(&s, citizen, rule) {
                        Some(shown) => {
                            obj.insert(k.clone(), Value::String(shown));
                            true
                        }
                        None => false,
                    },
                    None => true,
                },
            };
            if !keep {
                obj.remove(&k);
            }
        }
    }
    let actor_id = if by_citizen {
        ev.actor_id.clone().filter(|_| r.citizen_id)
    } else {
        ev.actor_id.clone().filter(|_| r.staff_ids)
    };
    Some(EventView {
        event: ev,
        audience,
        actor_id,
        data,
    })
}

/// An action plan as the public sees it: without the staff accounts reminded of each
/// milestone, and with only the reviews their chair approved.
pub fn public_plan(
    plan: &baraza_core::action_plan::ActionPlan,
) -> baraza_core::action_plan::ActionPlan {
    let mut p = plan.clone();
    for m in p
        .commitments
        .iter_mut()
        .flat_map(|c| c.milestones.iter_mut())
    {
        m.owner = None;
    }
    p.reviews.retain(|r| r.published());
    p
}

/// A project as the public sees it: the committee's members without their phones, and
/// only the reports a validator approved.
pub fn public_project(p: &baraza_core::project::Project) -> baraza_core::project::Project {
    let mut p = p.clone();
    if let Some(pmc) = &mut p.pmc {
        for m in &mut pmc.members {
            m.phone = None;
        }
    }
    p.reports.retain(|r| r.approved_at().is_some());
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use baraza_core::{Consent, Email, JurisdictionId, Language, PhoneNumber};

    fn mary(publish: bool) -> Citizen {
        Citizen {
            id: CitizenId(uuid::Uuid::nil()),
            jurisdiction: JurisdictionId::parse("em").unwrap(),
            phone: Some(PhoneNumber::parse("+254722111222").unwrap()),
            whatsapp_id: None,
            email: Some(Email::parse("mary@example.com").unwrap()),
            name: Some("Mary Chebet".into()),
            language: Language::English,
            gender: None,
            age_band: None,
            consent: Consent {
                contact: true,
                publish,
            },
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn phones_emails_and_the_citizens_name_are_masked() {
        let m = mary(false);
        let s = "Call me on 0722 111 222 or mary@example.com - Mary Chebet";
        assert_eq!(mask_for(s, Some(&m)), "Call me on […] or […] - […] […]");
        // Numbers listed one after another are masked as one run.
        assert_eq!(
            mask("Ghana: 024-123-4567, +233 24 123 4567."),
            "Ghana: […]."
        );
        assert_eq!(
            mask("Ghana: 024-123-4567 or +233 24 123 4567."),
            "Ghana: […] or […]."
        );
        assert_eq!(mask("ward 12, 3 boreholes"), "ward 12, 3 boreholes");
        assert_eq!(mask("0722/111/222 or 0722_111_222"), "[…] or […]");
        assert_eq!(mask("call ０７２２１１１２２２"), "call […]");
        assert_eq!(
            mask_for("I, MARY chebet (+254722111222), ask", Some(&m)),
            "I, […] […] ([…]), ask"
        );
        assert_eq!(
            mask("call me on 0712 345678 or 0712345678, mail a.b@c.org please"),
            "call me on […] or […], mail […] please"
        );
    }

    #[test]
    fn architecture_md_shows_the_rules_as_they_are() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ARCHITECTURE.md");
        let doc = std::fs::read_to_string(&path).unwrap();
        let (open, close) = (
            "<!-- privacy-rules:start -->\n",
            "<!-- privacy-rules:end -->",
        );
        let start = doc.find(open).expect("start marker") + open.len();
        let end = doc.find(close).expect("end marker");
        let want = rules_markdown();
        if std::env::var("UPDATE_ARCHITECTURE").is_ok() {
            std::fs::write(&path, format!("{}{want}{}", &doc[..start], &doc[end..])).unwrap();
            return;
        }
        assert!(
            doc[start..end] == want,
            "ARCHITECTURE.md's privacy table is out of date; run with UPDATE_ARCHITECTURE=1:\n{want}"
        );
    }

    #[test]
    fn public_text_needs_consent() {
        assert_eq!(
            text("hello Mary", Some(&mary(false)), TextRule::WithConsent),
            None
        );
        assert_eq!(
            text("hello Mary", Some(&mary(true)), TextRule::WithConsent).as_deref(),
            Some("hello […]")
        );
        assert_eq!(text("hello", None, TextRule::WithConsent), None);
    }
}
