//! Information requests as the public, the applicant and the information officer see
//! them: the published register (list, search, a request's correspondence), the
//! officer's queues, and the statutory annual report counted from the journal. Intake
//! and actions go through [`crate::intake`] and [`crate::actions`] like any case; the
//! lifecycle and its clock are `baraza_core::information`.

use crate::privacy::{self, Audience, EventView, Redactions};
use crate::{App, Error, JurisdictionCatalog, Result, scope};
use baraza_core::information::{Decision, Lateness, Prominence, RequestFile, RequestState};
use baraza_core::payload::Payload;
use baraza_core::{
    Case, CaseFilter, CaseNumber, Citizen, EventKind, JournalEvent, JurisdictionId, StaffUser,
    Timestamp,
};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::sync::Arc;

/// How many requests a list shows at most.
pub const LIST_LIMIT: u32 = 200;

/// A request as a list shows it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub case: Case,
    pub reference: String,
    pub state: RequestState,
    pub lateness: Lateness,
    /// The request's text as this audience may read it.
    pub text: Option<String>,
}

impl Listed {
    pub fn file(&self) -> &RequestFile {
        self.case
            .request
            .as_deref()
            .expect("listed cases are requests")
    }
}

/// What the public may search by.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// The department that holds it (the body's unit).
    pub department: Option<String>,
    pub state: Option<RequestState>,
    pub lateness: Option<Lateness>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Words that must all appear in the request.
    pub text: Option<String>,
    /// Only requests after this one (newest first): the next page.
    pub after: Option<(Timestamp, baraza_core::CaseId)>,
}

/// One page of the published register, and where the next begins.
pub struct Page {
    pub requests: Vec<Listed>,
    pub next: Option<(Timestamp, baraza_core::CaseId)>,
}

/// The officer's queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// Waiting for a decision, soonest due first.
    Open,
    /// Due within two days.
    DueSoon,
    Overdue,
    AwaitingClarification,
    UnderReview,
    /// Granted, waiting for the information to be given.
    ToProvide,
    All,
}

impl Queue {
    pub const ALL: &'static [Queue] = &[
        Queue::Open,
        Queue::DueSoon,
        Queue::Overdue,
        Queue::AwaitingClarification,
        Queue::UnderReview,
        Queue::ToProvide,
        Queue::All,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Queue::Open => "open",
            Queue::DueSoon => "due-soon",
            Queue::Overdue => "overdue",
            Queue::AwaitingClarification => "awaiting-clarification",
            Queue::UnderReview => "under-review",
            Queue::ToProvide => "to-provide",
            Queue::All => "all",
        }
    }
    pub fn parse(s: &str) -> Option<Queue> {
        Queue::ALL.iter().copied().find(|q| q.as_str() == s)
    }
    fn holds(
        self,
        f: &RequestFile,
        policy: &baraza_core::information::InformationPolicy,
        now: Timestamp,
    ) -> bool {
        match self {
            Queue::Open => f.awaits_decision(),
            Queue::DueSoon => {
                f.awaits_decision()
                    && f.paused_since.is_none()
                    && f.due > now
                    && f.due <= now + chrono::Duration::days(2)
            }
            Queue::Overdue => f.lateness(policy, now) != Lateness::OnTime,
            Queue::AwaitingClarification => f.state == RequestState::AwaitingClarification,
            Queue::UnderReview => f.state == RequestState::UnderReview,
            Queue::ToProvide => {
                f.state == RequestState::Decided && f.decision.is_some_and(Decision::grants)
            }
            Queue::All => true,
        }
    }
}

/// A request's page: the request, its correspondence, and what the reader may do.
pub struct RequestPage<'a> {
    pub case: &'a Case,
    pub file: &'a RequestFile,
    pub reference: String,
    pub lateness: Lateness,
    pub text: Option<String>,
    /// Why the applicant says it is urgent, as this audience may read it.
    pub urgency: Option<String>,
    pub events: Vec<EventView<'a>>,
    pub view: privacy::CaseView<'a>,
}

impl<'a> RequestPage<'a> {
    /// Build the page of `case` for `audience` from its journal.
    pub fn new(
        case: &'a Case,
        events: &'a [JournalEvent],
        citizen: Option<&Citizen>,
        audience: Audience,
        cat: &JurisdictionCatalog,
        now: Timestamp,
    ) -> Option<Self> {
        let file = case.request.as_deref()?;
        let policy = &cat.policy().information;
        let redactions = Redactions::of(policy);
        Some(Self {
            case,
            file,
            reference: case.number.display_with(&cat.jurisdiction.reference_prefix),
            lateness: file.lateness(policy, now),
            text: privacy::published(&case.description, citizen, audience, &redactions),
            urgency: file
                .urgency_reason
                .as_deref()
                .and_then(|u| privacy::published(u, citizen, audience, &redactions)),
            events: events
                .iter()
                .filter_map(|e| {
                    privacy::request_event_view(e, file, citizen, audience, &redactions)
                })
                .collect(),
            view: privacy::case_view(case, citizen, audience),
        })
    }
}

impl App<'_> {
    /// The published register of a jurisdiction: requests at normal prominence (unlisted
    /// ones are reached by their link only), newest first, as the public reads them.
    pub async fn published_requests(
        &self,
        cat: &JurisdictionCatalog,
        search: &Search,
        page_size: usize,
    ) -> Result<Page> {
        let mut filter = CaseFilter {
            jurisdiction: Some(cat.jurisdiction.id.clone()),
            information: Some(true),
            department: search.department.clone(),
            // Words are searched in the text as published (after redaction and masking),
            // never in what the applicant wrote: a search must not find what is hidden.
            after: search.after,
            limit: LIST_LIMIT,
            ..Default::default()
        };
        filter.created_from = search.from.map(|d| local_midnight(cat, d));
        filter.created_to = search
            .to
            .and_then(|d| d.succ_opt())
            .map(|d| local_midnight(cat, d));
        let words: Vec<String> = search
            .text
            .as_deref()
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let now = self.clock.now();
        let policy = &cat.policy().information;
        let redactions = Redactions::of(policy);
        let mut out = Vec::new();
        // Prominence, state and lateness are read from each request: fetch in chunks
        // until the page is full (one more, to know there is a next page).
        loop {
            let cases = self.store.list_cases(&filter).await?;
            let exhausted = cases.len() < LIST_LIMIT as usize;
            filter.after = cases.last().map(|c| (c.created_at, c.id));
            for case in cases {
                let Some(file) = case.request.as_deref() else {
                    continue;
                };
                if file.prominence != Prominence::Normal
                    || search.state.is_some_and(|s| s != file.state)
                {
                    continue;
                }
                let lateness = file.lateness(policy, now);
                if search.lateness.is_some_and(|l| l != lateness) {
                    continue;
                }
                if out.len() > page_size {
                    break;
                }
                let citizen = self.citizen_of(&case).await?;
                let text = privacy::published(
                    &case.description,
                    citizen.as_ref(),
                    Audience::Public,
                    &redactions,
                );
                if !words.is_empty() {
                    let shown = text.as_deref().unwrap_or_default().to_lowercase();
                    if !words.iter().all(|w| shown.contains(w.as_str())) {
                        continue;
                    }
                }
                out.push(Listed {
                    reference: case.number.display_with(&cat.jurisdiction.reference_prefix),
                    state: file.state,
                    lateness,
                    text,
                    case,
                });
            }
            if exhausted || out.len() > page_size {
                break;
            }
        }
        let next = if out.len() > page_size {
            out.truncate(page_size);
            out.last().map(|l| (l.case.created_at, l.case.id))
        } else {
            None
        };
        Ok(Page {
            requests: out,
            next,
        })
    }

    /// A request as the public may see it, by its reference: hidden and requester-only
    /// requests answer as if they did not exist.
    pub async fn published_request(
        &self,
        cat: &JurisdictionCatalog,
        reference: &str,
    ) -> Result<(Case, Vec<JournalEvent>, Option<Citizen>)> {
        let number =
            CaseNumber::parse(reference).map_err(|e| Error::invalid("reference", e.to_string()))?;
        let case = match self.store.case_by_number(number).await? {
            Some(c)
                if c.jurisdiction == cat.jurisdiction.id
                    && c.request.as_ref().is_some_and(|r| r.prominence.public()) =>
            {
                c
            }
            _ => return Err(Error::NotFound("information request")),
        };
        let events = self.store.case_events(case.id).await?;
        let citizen = self.citizen_of(&case).await?;
        Ok((case, events, citizen))
    }

    /// A document given in answer to a published request, if the public may have it:
    /// the request and the message that carries it are public.
    pub async fn published_document(
        &self,
        cat: &JurisdictionCatalog,
        reference: &str,
        sha256: &str,
    ) -> Result<baraza_core::Attachment> {
        let (case, events, _) = self.published_request(cat, reference).await?;
        let file = case.request.as_deref().ok_or(Error::NotFound("document"))?;
        for e in events.iter().filter(|e| {
            e.kind == EventKind::InformationProvided && file.prominence_of(e.seq).public()
        }) {
            if let Some(Payload::InformationProvided(p)) = read(e)
                && let Some(d) = p.documents.into_iter().find(|d| d.sha256 == sha256)
            {
                return Ok(d);
            }
        }
        Err(Error::NotFound("document"))
    }

    /// A staff member's queue of requests, in their scope.
    pub async fn request_queue(
        &self,
        user: &StaffUser,
        queue: Queue,
    ) -> Result<(Vec<Listed>, Arc<JurisdictionCatalog>)> {
        let cat = self.catalog_of(user).await?;
        let mut filter = CaseFilter {
            information: Some(true),
            limit: LIST_LIMIT,
            ..Default::default()
        };
        scope::restrict(user, &cat, &mut filter);
        let now = self.clock.now();
        let policy = &cat.policy().information;
        // Every request in scope, oldest too (the most overdue are the oldest).
        let mut cases: Vec<Case> = Vec::new();
        loop {
            let page = self.store.list_cases(&filter).await?;
            let full = page.len() == LIST_LIMIT as usize;
            filter.after = page.last().map(|c| (c.created_at, c.id));
            cases.extend(page.into_iter().filter(|c| {
                c.request
                    .as_deref()
                    .is_some_and(|f| queue.holds(f, policy, now))
            }));
            if !full {
                break;
            }
        }
        let audience = Audience::of_role(user.role);
        let citizens = self.citizens_for_list(&cases, audience).await?;
        let rule = privacy::rules(audience).description;
        let mut out: Vec<Listed> = cases
            .into_iter()
            .zip(citizens)
            .map(|(case, citizen)| {
                let file = case.request.as_deref().expect("filtered to requests");
                Listed {
                    reference: case.number.display_with(&cat.jurisdiction.reference_prefix),
                    state: file.state,
                    lateness: file.lateness(policy, now),
                    text: privacy::text(&case.description, citizen.as_ref(), rule),
                    case,
                }
            })
            .collect();
        if queue != Queue::All {
            out.sort_by_key(|l| l.file().due);
        }
        Ok((out, cat))
    }

    /// Every request of a jurisdiction with its journal, for the annual report.
    pub async fn requests_with_journal(
        &self,
        j: &JurisdictionId,
    ) -> Result<Vec<(Case, Vec<JournalEvent>)>> {
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let page = self
                .store
                .list_cases(&CaseFilter {
                    jurisdiction: Some(j.clone()),
                    information: Some(true),
                    after,
                    limit: 500,
                    ..Default::default()
                })
                .await?;
            let Some(last) = page.last() else { break };
            after = Some((last.created_at, last.id));
            let full = page.len() == 500;
            for c in page {
                let events = self.store.case_events(c.id).await?;
                out.push((c, events));
            }
            if !full {
                break;
            }
        }
        Ok(out)
    }

    /// The statutory annual report of a jurisdiction for `[from, to)`.
    pub async fn information_report(
        &self,
        cat: &JurisdictionCatalog,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Report> {
        let all = self.requests_with_journal(&cat.jurisdiction.id).await?;
        Ok(Report::count(&all, from, to))
    }
}

impl App<'_> {
    /// Another jurisdiction on this server, by its id or its name (as a transfer names
    /// the body that holds the information).
    pub async fn jurisdiction_named(
        &self,
        name: &str,
        not: &JurisdictionId,
    ) -> Result<Option<baraza_core::Jurisdiction>> {
        let want = name.trim();
        Ok(self
            .store
            .jurisdictions()
            .await?
            .into_iter()
            .find(|j| &j.id != not && (j.id.as_str() == want || j.name.eq_ignore_ascii_case(want))))
    }

    /// A request transferred to a body on this server opens there, for the same
    /// applicant, with its clock running from the first receipt (Kenya ATI s.10); the
    /// original records where it went. Opened once, however often this is retried.
    pub async fn open_transferred(
        &self,
        user: &StaffUser,
        via: baraza_core::Channel,
        original: &Case,
        target: &baraza_core::Jurisdiction,
    ) -> Result<baraza_store::Acted> {
        let file = original
            .request
            .as_deref()
            .ok_or(Error::NotFound("information request"))?;
        let targets = target
            .policy
            .resolve(&target.timezone)
            .map_err(|e| Error::Internal(format!("{}: {e}", target.id)))?;
        let citizen = self.citizen_of(original).await?;
        let new = baraza_core::NewCase {
            department: None,
            jurisdiction: target.id.clone(),
            kind: baraza_core::CaseKind::InformationRequest,
            channel: original.channel,
            category: None,
            ward: None,
            ladder: vec![],
            location: None,
            description: original.description.clone(),
            attachments: vec![],
            citizen: citizen.map(|c| baraza_core::NewCitizen {
                phone: c.phone,
                whatsapp_id: c.whatsapp_id,
                email: c.email,
                name: c.name,
                language: c.language,
                gender: c.gender,
                age_band: c.age_band,
                consent: c.consent,
            }),
            idempotency_key: Some(format!("transfer:{}", original.id)),
            acknowledged_on_intake: false,
            subject: None,
            request: Some(baraza_core::information::open(
                &targets,
                file.received_at,
                file.urgency_reason.clone(),
            )),
        };
        let intake = self
            .store
            .create_case(
                new,
                baraza_core::Actor::system("transfer"),
                self.clock.now(),
            )
            .await?;
        let note = format!(
            "Opened at {} as {}; its time limit runs from the first receipt.",
            target.name,
            intake.case.number.display_with(&target.reference_prefix)
        );
        Ok(self
            .store
            .act(
                original.number,
                None,
                baraza_core::Actor::staff(user.id, user.role, via),
                baraza_core::Action::Note { text: note },
                self.catalog_of(user).await?.targets.clone(),
                self.clock.now(),
            )
            .await?)
    }
}

/// The start of a local date in the jurisdiction's time zone.
pub fn local_midnight(cat: &JurisdictionCatalog, date: NaiveDate) -> Timestamp {
    let local = date.and_time(chrono::NaiveTime::MIN);
    match cat.jurisdiction.timezone.parse::<chrono_tz::Tz>() {
        Ok(tz) => local
            .and_local_timezone(tz)
            .earliest()
            .map_or_else(|| local.and_utc(), |t| t.with_timezone(&chrono::Utc)),
        Err(_) => local.and_utc(),
    }
}

/// A calendar year in the jurisdiction's time zone, as `[from, to)`.
pub fn year_bounds(cat: &JurisdictionCatalog, year: i32) -> (Timestamp, Timestamp) {
    let jan1 = |y: i32| NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or_default();
    (
        local_midnight(cat, jan1(year)),
        local_midnight(cat, jan1(year + 1)),
    )
}

fn read(e: &JournalEvent) -> Option<Payload> {
    let mut v = e.data();
    v.as_object_mut()?
        .remove(baraza_core::lifecycle::CASE_DIGEST_KEY);
    Payload::read(e.kind, &v).ok()
}

/// The figures of the annual report (Kenya ATI s.27 to the Commission on Administrative
/// Justice; Ghana Act 989 to the RTI Commission), counted from the journal: events
/// recorded within the period, whatever happened to the request since.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    /// Requests received in the period, and on the urgent track.
    pub received: u64,
    pub urgent: u64,
    /// Requests received in the period, by channel.
    pub by_channel: BTreeMap<String, u64>,
    /// Decisions made in the period, by decision.
    pub decisions: BTreeMap<String, u64>,
    /// Refusals (and grants in part) by the exemption cited.
    pub exemptions: BTreeMap<String, u64>,
    pub deemed_refused: u64,
    pub transferred: u64,
    pub extended: u64,
    pub clarifications: u64,
    /// Decisions made within the time limit, of all decisions in the period.
    pub on_time: u64,
    /// Days from receipt to decision, each decision in the period (for the median).
    pub days_to_decision: Vec<i64>,
    /// Reviews applied for in the period, by stage; and their outcomes.
    pub reviews: BTreeMap<String, u64>,
    pub review_outcomes: BTreeMap<String, u64>,
    /// Requests whose information was given in the period.
    pub provided: u64,
    /// Requests still waiting for a decision at the end of the period.
    pub pending_at_end: u64,
}

impl Report {
    /// Count from requests and their journals.
    pub fn count(all: &[(Case, Vec<JournalEvent>)], from: Timestamp, to: Timestamp) -> Report {
        let mut r = Report {
            from: Some(from),
            to: Some(to),
            ..Default::default()
        };
        let within = |t: &Timestamp| *t >= from && *t < to;
        for (case, events) in all {
            let Some(file) = case.request.as_deref() else {
                continue;
            };
            let mut decided_by_end = false;
            let mut received_in = false;
            // Reviews asked and decided so far, in the journal's order (as in the file).
            let (mut asked, mut decided) = (0usize, 0usize);
            for e in events {
                if e.at >= to {
                    continue;
                }
                // Reviews before the period still move along the ladder.
                if !within(&e.at) {
                    match e.kind {
                        EventKind::ReviewAsked => asked += 1,
                        EventKind::ReviewDecided => decided += 1,
                        _ => {}
                    }
                }
                match e.kind {
                    EventKind::RequestDecided
                    | EventKind::DeemedRefused
                    | EventKind::RequestTransferred => decided_by_end = true,
                    _ => {}
                }
                if !within(&e.at) {
                    continue;
                }
                match e.kind {
                    EventKind::Received => {
                        received_in = true;
                        r.received += 1;
                        *r.by_channel.entry(e.channel.to_string()).or_default() += 1;
                    }
                    EventKind::RequestDecided => {
                        // An erased decision (its reasons named the applicant) still
                        // counts: its decision and exemption are the request's own.
                        let (decision, exemption, on_time) = match read(e) {
                            Some(Payload::RequestDecided(p)) => {
                                (Some(p.decision), p.exemption, p.on_time)
                            }
                            _ => (file.decision, file.exemption.clone(), e.at <= file.due),
                        };
                        if let Some(d) = decision {
                            *r.decisions.entry(d.to_string()).or_default() += 1;
                            if let Some(x) = exemption {
                                *r.exemptions.entry(x).or_default() += 1;
                            }
                            if on_time {
                                r.on_time += 1;
                            }
                            r.days_to_decision
                                .push((e.at - file.received_at).num_days().max(0));
                        }
                    }
                    EventKind::DeemedRefused => r.deemed_refused += 1,
                    EventKind::RequestTransferred => r.transferred += 1,
                    EventKind::RequestExtended => r.extended += 1,
                    EventKind::ClarificationAsked => r.clarifications += 1,
                    EventKind::InformationProvided => r.provided += 1,
                    // Reviews by their place in the request's ladder when a payload was
                    // erased (its grounds are the applicant's words).
                    EventKind::ReviewAsked => {
                        let stage = match read(e) {
                            Some(Payload::ReviewAsked(p)) => Some(p.stage),
                            _ => file.reviews.get(asked).map(|v| v.stage),
                        };
                        asked += 1;
                        if let Some(stage) = stage {
                            *r.reviews.entry(stage.to_string()).or_default() += 1;
                        }
                    }
                    EventKind::ReviewDecided => {
                        let seen = match read(e) {
                            Some(Payload::ReviewDecided(p)) => Some((p.stage, p.outcome)),
                            _ => file
                                .reviews
                                .get(decided)
                                .and_then(|v| v.outcome.map(|o| (v.stage, o))),
                        };
                        decided += 1;
                        if let Some((stage, outcome)) = seen {
                            *r.review_outcomes
                                .entry(format!("{stage}:{outcome}"))
                                .or_default() += 1;
                        }
                    }
                    _ => {}
                }
            }
            if received_in && file.urgent {
                r.urgent += 1;
            }
            let received_by_end = file.received_at < to && case.created_at < to;
            if received_by_end && !decided_by_end {
                r.pending_at_end += 1;
            }
        }
        r.days_to_decision.sort_unstable();
        r
    }

    pub fn decided(&self) -> u64 {
        self.decisions.values().sum()
    }

    pub fn decisions_of(&self, d: Decision) -> u64 {
        self.decisions.get(d.as_str()).copied().unwrap_or(0)
    }

    /// The median of days to a decision, if any decision was made.
    pub fn median_days(&self) -> Option<f64> {
        let d = &self.days_to_decision;
        match d.len() {
            0 => None,
            n if n % 2 == 1 => Some(d[n / 2] as f64),
            n => Some((d[n / 2 - 1] + d[n / 2]) as f64 / 2.0),
        }
    }

    /// The share of decisions made in time (deemed refusals count as late), in percent.
    pub fn on_time_percent(&self) -> Option<f64> {
        let all = self.decided() + self.deemed_refused;
        (all > 0).then(|| 100.0 * self.on_time as f64 / all as f64)
    }

    /// The report as rows, for CSV and HTML alike: each section and fixed item has an id
    /// (`report-<id>` in the console's words) and an English label (the CSV's, stable for
    /// the Commission); exemptions, channels and review stages are their own labels.
    pub fn rows(&self) -> Vec<ReportRow> {
        let mut rows = Vec::new();
        let mut push = |section: &'static str, item: Item, count: String| {
            rows.push(ReportRow {
                section,
                item,
                count,
            })
        };
        push("requests", Item::Id("received"), self.received.to_string());
        push("requests", Item::Id("urgent"), self.urgent.to_string());
        for (k, v) in &self.by_channel {
            push("by-channel", Item::Text(k.clone()), v.to_string());
        }
        push("requests", Item::Id("decided"), self.decided().to_string());
        for d in Decision::ALL {
            push(
                "decisions",
                Item::Decision(*d),
                self.decisions_of(*d).to_string(),
            );
        }
        push(
            "decisions",
            Item::Id("deemed"),
            self.deemed_refused.to_string(),
        );
        for (k, v) in &self.exemptions {
            push("exemptions", Item::Text(k.clone()), v.to_string());
        }
        push(
            "requests",
            Item::Id("transferred"),
            self.transferred.to_string(),
        );
        push("requests", Item::Id("extended"), self.extended.to_string());
        push(
            "requests",
            Item::Id("clarification"),
            self.clarifications.to_string(),
        );
        push("requests", Item::Id("provided"), self.provided.to_string());
        push(
            "requests",
            Item::Id("pending"),
            self.pending_at_end.to_string(),
        );
        push("time", Item::Id("in-time"), self.on_time.to_string());
        push(
            "time",
            Item::Id("in-time-share"),
            self.on_time_percent()
                .map_or_else(String::new, |p| format!("{p:.0}")),
        );
        push(
            "time",
            Item::Id("median-days"),
            self.median_days()
                .map_or_else(String::new, |d| format!("{d:.1}")),
        );
        for (k, v) in &self.reviews {
            push("reviews", Item::Text(k.clone()), v.to_string());
        }
        for (k, v) in &self.review_outcomes {
            push("review-outcomes", Item::Text(k.clone()), v.to_string());
        }
        rows
    }
}

/// One figure of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub section: &'static str,
    pub item: Item,
    pub count: String,
}

/// What a figure counts: a fixed item, a decision, or a label of its own (an exemption's
/// section, a channel, a review stage).
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Id(&'static str),
    Decision(Decision),
    Text(String),
}

impl ReportRow {
    /// The section and item in English, as the CSV has them.
    pub fn english(&self) -> (&'static str, String) {
        let section = match self.section {
            "requests" => "requests",
            "by-channel" => "received by channel",
            "decisions" => "decisions",
            "exemptions" => "refusals by exemption",
            "time" => "time taken",
            "reviews" => "reviews applied for",
            "review-outcomes" => "review outcomes",
            other => other,
        };
        let item = match &self.item {
            Item::Id(id) => match *id {
                "received" => "received",
                "urgent" => "urgent track",
                "decided" => "decided",
                "deemed" => "deemed refused (no decision in time)",
                "transferred" => "transferred",
                "extended" => "extended",
                "clarification" => "clarification asked",
                "provided" => "information provided",
                "pending" => "pending at the end of the period",
                "in-time" => "decisions in time",
                "in-time-share" => "on-time share (%)",
                "median-days" => "median days to decision",
                other => other,
            }
            .to_owned(),
            Item::Decision(d) => d.as_str().to_owned(),
            Item::Text(t) => t.clone(),
        };
        (section, item)
    }
}
