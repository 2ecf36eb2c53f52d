//! Open government action plans (OGP): a plan, its commitments with their IRM
//! assessment, milestones with a status, evidence and comments, civil society's
//! proposals, and the reviews the forum holds on a schedule.
//!
//! A plan is one document whose every change is a [`PlanChange`], journaled in the same
//! hash-chained journal as the cases (the plan's id is the events' stream). [`decide`] is
//! the only place where a change is allowed or refused: who may make it (the point of
//! contact, civil society, the review's chair), and whether it makes sense (known
//! commitments and milestones, dates inside the plan's period, statuses from the list).
//! [`apply`] folds a change into the plan; the store writes both in one transaction.

use crate::{FieldError, JurisdictionId, Role, Timestamp};
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The plan's id, which is also its journal stream: events about a plan carry it where
/// a case's events carry the case's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PlanId(pub uuid::Uuid);

impl PlanId {
    pub fn stream(self) -> crate::CaseId {
        crate::CaseId(self.0)
    }
}

impl fmt::Display for PlanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A month of a year, as OGP dates milestones (`06/2025`); stored as `2025-06`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonth {
    pub year: i32,
    pub month: u32,
}

impl YearMonth {
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }
    pub fn last_day(self) -> NaiveDate {
        self.first_day()
            .checked_add_months(Months::new(1))
            .and_then(|d| d.pred_opt())
            .unwrap_or(NaiveDate::MAX)
    }
    pub fn of(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }
    pub fn plus_months(self, n: u32) -> Self {
        Self::of(
            self.first_day()
                .checked_add_months(Months::new(n))
                .unwrap_or(NaiveDate::MAX),
        )
    }
    /// `06/2025`, as the OGP pages write it.
    pub fn ogp(self) -> String {
        format!("{:02}/{}", self.month, self.year)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.year, self.month)
    }
}

impl FromStr for YearMonth {
    type Err = String;
    /// `2025-06`, or `06/2025` as on the OGP pages.
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (y, m) = match (s.split_once('-'), s.split_once('/')) {
            (Some((y, m)), _) => (y, m),
            (None, Some((m, y))) => (y, m),
            _ => return Err(format!("{s:?} is not a month: write YYYY-MM, e.g. 2025-06")),
        };
        let year: i32 = y
            .parse()
            .map_err(|_| format!("{s:?}: the year is not a number"))?;
        let month: u32 = m
            .parse()
            .map_err(|_| format!("{s:?}: the month is not a number"))?;
        if !(1..=12).contains(&month) || !(1900..=2200).contains(&year) {
            return Err(format!("{s:?} is not a month: write YYYY-MM, e.g. 2025-06"));
        }
        Ok(Self { year, month })
    }
}

impl Serialize for YearMonth {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

string_enum! {
    /// A milestone's status, as OGP's commitment pages list them.
    pub enum MilestoneStatus {
        NotStarted => "not_started",
        InProgress => "in_progress",
        Stuck => "stuck",
        Complete => "complete",
    }
}

string_enum! {
    /// Where a milestone's current status comes from.
    pub enum StatusOrigin {
        /// The OGP commitment page marks it.
        OgpPage => "ogp_page",
        /// The OGP page lists the statuses without marking one: loaded as not started.
        NotGiven => "not_given",
        /// Set here, by the government side (directly or accepting a proposal).
        Recorded => "recorded",
        /// A demo change, not a real one.
        Demo => "demo",
    }
}

string_enum! {
    pub enum PlanLevel { Local => "local", National => "national" }
}

string_enum! {
    /// OGP values a commitment serves.
    pub enum OgpValue {
        Transparency => "transparency",
        CivicParticipation => "civic_participation",
        PublicAccountability => "public_accountability",
        TechnologyAndInnovation => "technology_and_innovation",
    }
}

string_enum! {
    /// The IRM's indicators (design: Action Plan Review; implementation: Results Report).
    pub enum IrmIndicator {
        Verifiable => "verifiable",
        OpenGovernmentLens => "open_government_lens",
        PotentialForResults => "potential_for_results",
        Completion => "completion",
        DidItOpenGovernment => "did_it_open_government",
        EarlyResults => "early_results",
    }
}

impl IrmIndicator {
    /// The values the IRM uses; `None` for a free text (early results, whose scale was
    /// not published).
    pub fn scale(self) -> Option<&'static [&'static str]> {
        Some(match self {
            IrmIndicator::Verifiable | IrmIndicator::OpenGovernmentLens => &["yes", "no"],
            IrmIndicator::PotentialForResults => &["unclear", "modest", "substantial"],
            IrmIndicator::Completion => &[
                "no_evidence",
                "not_started",
                "limited",
                "substantial",
                "complete",
            ],
            IrmIndicator::DidItOpenGovernment => &[
                "worsened",
                "did_not_change",
                "marginal",
                "major",
                "outstanding",
            ],
            IrmIndicator::EarlyResults => return None,
        })
    }
}

string_enum! {
    /// Which side of the multi-stakeholder forum a member sits on.
    pub enum Side { Government => "government", CivilSociety => "civil_society" }
}

/// A review schedule: who meets, how often, over which months (Nairobi's biannual
/// steering committee, its quarterly cluster technical committees, Kenya's quarterly
/// review of commitment progress).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub body: String,
    pub every_months: u32,
    pub from: YearMonth,
    pub until: YearMonth,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub basis: String,
}

impl Schedule {
    /// The last day of each period in which a meeting is due.
    pub fn due_dates(&self) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        let step = self.every_months.max(1);
        let mut k = 1u32;
        loop {
            let end = self.from.plus_months(step * k - 1);
            if end > self.until || k > 600 {
                // The last, shorter period ends with the schedule.
                if out.last().is_none_or(|d| *d < self.until.last_day()) && self.from <= self.until
                {
                    out.push(self.until.last_day());
                }
                break out;
            }
            out.push(end.last_day());
            k += 1;
        }
    }

    /// Where the schedule stands on `today`, given the dates its body met.
    pub fn standing(&self, held: &[NaiveDate], today: NaiveDate) -> ScheduleStanding {
        let mut start = self.from.first_day();
        let mut missed = None;
        let mut next_due = None;
        for due in self.due_dates() {
            let met = held.iter().any(|d| *d >= start && *d <= due);
            if !met && due < today && missed.is_none() {
                missed = Some(due);
            }
            if due >= today && next_due.is_none() {
                next_due = Some(due);
            }
            start = due.succ_opt().unwrap_or(due);
        }
        ScheduleStanding {
            last_held: held.iter().max().copied(),
            overdue_since: missed,
            next_due,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleStanding {
    pub last_held: Option<NaiveDate>,
    /// The end of the earliest period that passed without a meeting.
    pub overdue_since: Option<NaiveDate>,
    pub next_due: Option<NaiveDate>,
}

/// Who made a change, as the public history names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changer {
    pub name: String,
    pub role: Role,
}

/// Evidence of progress: a document or photo kept by SHA-256, or a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    Document {
        sha256: String,
        name: String,
        media_type: String,
        size_bytes: u64,
    },
    Photo {
        sha256: String,
        name: String,
        media_type: String,
        size_bytes: u64,
    },
    Link {
        url: String,
    },
}

impl Evidence {
    /// A link, checked: http or https only.
    pub fn link(raw: &str) -> Result<Self, FieldError> {
        let url = raw.trim();
        let ok = (url.starts_with("https://") || url.starts_with("http://"))
            && url.len() <= 2000
            && url.len() > 10
            && !url.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Evidence::Link {
                url: url.to_owned(),
            })
        } else {
            Err(FieldError::new(
                "link",
                format!("{url:?} is not a web address: give one starting with https://"),
            ))
        }
    }
    pub fn sha256(&self) -> Option<&str> {
        match self {
            Evidence::Document { sha256, .. } | Evidence::Photo { sha256, .. } => Some(sha256),
            Evidence::Link { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IrmAssessment {
    pub indicator: IrmIndicator,
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessed: Option<YearMonth>,
    /// The IRM product it comes from (Action Plan Review, Results Report...).
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub at: Timestamp,
    pub by: Changer,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceEntry {
    pub at: Timestamp,
    pub by: Changer,
    pub note: String,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub number: u32,
    pub text: String,
    pub starts: YearMonth,
    pub ends: YearMonth,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub institution: Option<String>,
    /// The responsible person, as the plan names them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// The staff account reminded of the milestone (by its email or phone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    pub status: MilestoneStatus,
    pub status_origin: StatusOrigin,
    /// The OGP page's own label, where it gives one (`New`, `Ongoing`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_status: Option<String>,
    pub status_set_at: Timestamp,
    pub status_set_by: Changer,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<EvidenceEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<Comment>,
}

impl Milestone {
    /// Past its end month and not complete.
    pub fn late(&self, today: NaiveDate) -> bool {
        self.status != MilestoneStatus::Complete && today > self.ends.last_day()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commitment {
    pub ogp_id: String,
    pub title: String,
    pub starts: YearMonth,
    pub ends: YearMonth,
    pub lead: String,
    #[serde(default)]
    pub supporting: Vec<String>,
    #[serde(default)]
    pub policy_areas: Vec<String>,
    #[serde(default)]
    pub values: Vec<OgpValue>,
    #[serde(default)]
    pub problem: String,
    #[serde(default)]
    pub status_quo: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub results: String,
    #[serde(default)]
    pub irm: Vec<IrmAssessment>,
    #[serde(default)]
    pub milestones: Vec<Milestone>,
}

impl Commitment {
    pub fn milestone(&self, number: u32) -> Option<&Milestone> {
        self.milestones.iter().find(|m| m.number == number)
    }
    pub fn irm(&self, indicator: IrmIndicator) -> Option<&IrmAssessment> {
        self.irm.iter().rev().find(|a| a.indicator == indicator)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub side: Side,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub commitment: String,
    pub milestone: u32,
    pub status: MilestoneStatus,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub id: u32,
    pub body: String,
    pub held_on: NaiveDate,
    /// The chair's staff account: only they approve the record.
    pub chair: String,
    pub chair_name: String,
    pub members: Vec<Member>,
    pub items: Vec<ReviewItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<Evidence>,
    #[serde(default)]
    pub decisions: Vec<String>,
    pub recorded_at: Timestamp,
    pub recorded_by: Changer,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_at: Option<Timestamp>,
}

impl Review {
    pub fn published(&self) -> bool {
        self.approved_at.is_some()
    }
}

string_enum! {
    pub enum ProposalState { Open => "open", Accepted => "accepted", Answered => "answered" }
}

/// Civil society's proposal: a status change and/or evidence, shown as a proposal until
/// the government side accepts it or answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub id: u32,
    pub commitment: String,
    pub milestone: u32,
    pub at: Timestamp,
    pub by: Changer,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<MilestoneStatus>,
    pub note: String,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    pub state: ProposalState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Comment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionPlan {
    pub id: PlanId,
    pub jurisdiction: JurisdictionId,
    /// In addresses: `/plans/nairobi-2025-2027`.
    pub slug: String,
    pub title: String,
    pub government: String,
    pub level: PlanLevel,
    pub country: String,
    pub starts: YearMonth,
    pub ends: YearMonth,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forum: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    #[serde(default)]
    pub schedules: Vec<Schedule>,
    #[serde(default)]
    pub commitments: Vec<Commitment>,
    #[serde(default)]
    pub reviews: Vec<Review>,
    #[serde(default)]
    pub proposals: Vec<Proposal>,
    /// How many changes the plan has had: its journal stream's length.
    pub version: u32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Milestones by status, late ones counted apart.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub not_started: u32,
    pub in_progress: u32,
    pub stuck: u32,
    pub complete: u32,
    pub late: u32,
    pub total: u32,
}

impl Progress {
    pub fn count(&self, s: MilestoneStatus) -> u32 {
        match s {
            MilestoneStatus::NotStarted => self.not_started,
            MilestoneStatus::InProgress => self.in_progress,
            MilestoneStatus::Stuck => self.stuck,
            MilestoneStatus::Complete => self.complete,
        }
    }
    fn add(&mut self, m: &Milestone, today: NaiveDate) {
        self.total += 1;
        match m.status {
            MilestoneStatus::NotStarted => self.not_started += 1,
            MilestoneStatus::InProgress => self.in_progress += 1,
            MilestoneStatus::Stuck => self.stuck += 1,
            MilestoneStatus::Complete => self.complete += 1,
        }
        if m.late(today) {
            self.late += 1;
        }
    }
}

impl ActionPlan {
    pub fn commitment(&self, ogp_id: &str) -> Option<&Commitment> {
        self.commitments
            .iter()
            .find(|c| c.ogp_id.eq_ignore_ascii_case(ogp_id))
    }
    fn commitment_mut(&mut self, ogp_id: &str) -> Option<&mut Commitment> {
        self.commitments
            .iter_mut()
            .find(|c| c.ogp_id.eq_ignore_ascii_case(ogp_id))
    }
    fn milestone_mut(&mut self, ogp_id: &str, n: u32) -> Option<&mut Milestone> {
        self.commitment_mut(ogp_id)?
            .milestones
            .iter_mut()
            .find(|m| m.number == n)
    }
    pub fn progress(&self, today: NaiveDate) -> Progress {
        let mut p = Progress::default();
        for m in self.commitments.iter().flat_map(|c| &c.milestones) {
            p.add(m, today);
        }
        p
    }
    pub fn commitment_progress(c: &Commitment, today: NaiveDate) -> Progress {
        let mut p = Progress::default();
        for m in &c.milestones {
            p.add(m, today);
        }
        p
    }
    /// Every milestone with its commitment, late ones first, then by end month.
    pub fn milestones_late_first(&self, today: NaiveDate) -> Vec<(&Commitment, &Milestone)> {
        let mut all: Vec<_> = self
            .commitments
            .iter()
            .flat_map(|c| c.milestones.iter().map(move |m| (c, m)))
            .collect();
        all.sort_by_key(|(c, m)| (!m.late(today), m.ends, c.ogp_id.clone(), m.number));
        all
    }
    /// Each schedule's standing, counting only approved or recorded reviews of its body.
    pub fn schedule_standing(&self, today: NaiveDate) -> Vec<(&Schedule, ScheduleStanding)> {
        self.schedules
            .iter()
            .map(|s| {
                let held: Vec<NaiveDate> = self
                    .reviews
                    .iter()
                    .filter(|r| r.body == s.body)
                    .map(|r| r.held_on)
                    .collect();
                (s, s.standing(&held, today))
            })
            .collect()
    }
    pub fn proposal(&self, id: u32) -> Option<&Proposal> {
        self.proposals.iter().find(|p| p.id == id)
    }
    pub fn review(&self, id: u32) -> Option<&Review> {
        self.reviews.iter().find(|r| r.id == id)
    }
    fn within(&self, field: &str, from: YearMonth, to: YearMonth) -> Result<(), FieldError> {
        if from > to {
            return Err(FieldError::new(
                field,
                format!("starts {from} after it ends {to}"),
            ));
        }
        if from < self.starts || to > self.ends {
            return Err(FieldError::new(
                field,
                format!(
                    "{from} to {to} is outside the plan's period, {} to {}",
                    self.starts, self.ends
                ),
            ));
        }
        Ok(())
    }
}

/// The SHA-256 of a plan's whole state, recorded in each of its events so that `verify`
/// catches an edit to the stored plan.
pub fn plan_digest(plan: &ActionPlan) -> String {
    use sha2::{Digest, Sha256};
    let json = serde_json::to_string(plan).unwrap_or_default();
    hex::encode(Sha256::digest(json.as_bytes()))
}

/// The key under which a plan's events record its digest.
pub const PLAN_DIGEST_KEY: &str = "plan_sha256";

/// A plan as created: everything but commitments, reviews and proposals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPlan {
    pub slug: String,
    pub title: String,
    pub government: String,
    pub level: PlanLevel,
    pub country: String,
    pub starts: YearMonth,
    pub ends: YearMonth,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forum: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    #[serde(default)]
    pub schedules: Vec<Schedule>,
}

/// A milestone as added; its status comes with it (from the OGP page, or not started).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMilestone {
    pub number: u32,
    pub text: String,
    pub starts: YearMonth,
    pub ends: YearMonth,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub institution: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    pub status: MilestoneStatus,
    pub status_origin: StatusOrigin,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewReview {
    pub body: String,
    pub held_on: NaiveDate,
    pub chair: String,
    pub chair_name: String,
    pub members: Vec<Member>,
    pub items: Vec<ReviewItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<Evidence>,
    #[serde(default)]
    pub decisions: Vec<String>,
}

/// What someone asks to do to a plan.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanCommand {
    Create(Box<NewPlan>),
    /// A commitment, with its milestones and IRM figures if it comes whole (a loaded plan).
    AddCommitment(Box<Commitment>),
    AddMilestone {
        commitment: String,
        milestone: NewMilestone,
    },
    SetStatus {
        commitment: String,
        milestone: u32,
        status: MilestoneStatus,
        note: String,
        evidence: Vec<Evidence>,
        /// A demonstration's change, marked as such wherever the status shows.
        demo: bool,
    },
    AddEvidence {
        commitment: String,
        milestone: u32,
        note: String,
        evidence: Vec<Evidence>,
    },
    SetOwner {
        commitment: String,
        milestone: u32,
        owner: Option<String>,
    },
    Assess {
        commitment: String,
        assessment: IrmAssessment,
    },
    Propose {
        commitment: String,
        milestone: u32,
        status: Option<MilestoneStatus>,
        note: String,
        evidence: Vec<Evidence>,
    },
    Accept {
        proposal: u32,
        note: String,
    },
    Answer {
        proposal: u32,
        reply: String,
    },
    Comment {
        commitment: String,
        milestone: u32,
        text: String,
    },
    RecordReview(Box<NewReview>),
    ApproveReview {
        review: u32,
    },
}

/// What happened to a plan: the journal event's payload, and what [`apply`] folds in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum PlanChange {
    Created {
        id: PlanId,
        jurisdiction: JurisdictionId,
        plan: NewPlan,
        by: Changer,
    },
    CommitmentAdded {
        commitment: Box<Commitment>,
        by: Changer,
    },
    MilestoneAdded {
        commitment: String,
        milestone: NewMilestone,
        by: Changer,
    },
    StatusChanged {
        commitment: String,
        milestone: u32,
        from: MilestoneStatus,
        to: MilestoneStatus,
        note: String,
        #[serde(default)]
        evidence: Vec<Evidence>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        proposal: Option<u32>,
        /// A demonstration's change, not a real one.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        demo: bool,
        by: Changer,
    },
    EvidenceAdded {
        commitment: String,
        milestone: u32,
        note: String,
        evidence: Vec<Evidence>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        proposal: Option<u32>,
        by: Changer,
    },
    OwnerSet {
        commitment: String,
        milestone: u32,
        owner: Option<String>,
        by: Changer,
    },
    Assessed {
        commitment: String,
        assessment: IrmAssessment,
        by: Changer,
    },
    Proposed {
        proposal: Box<Proposal>,
    },
    ProposalAccepted {
        proposal: u32,
        note: String,
        by: Changer,
    },
    ProposalAnswered {
        proposal: u32,
        reply: String,
        by: Changer,
    },
    Commented {
        commitment: String,
        milestone: u32,
        text: String,
        by: Changer,
    },
    ReviewRecorded {
        review: Box<Review>,
    },
    ReviewApproved {
        review: u32,
        by: Changer,
    },
}

impl PlanChange {
    pub fn kind(&self) -> crate::EventKind {
        use crate::EventKind as K;
        match self {
            PlanChange::Created { .. } => K::PlanCreated,
            PlanChange::CommitmentAdded { .. } => K::CommitmentAdded,
            PlanChange::MilestoneAdded { .. } => K::MilestoneAdded,
            PlanChange::StatusChanged { .. } => K::MilestoneStatusChanged,
            PlanChange::EvidenceAdded { .. } => K::EvidenceAdded,
            PlanChange::OwnerSet { .. } => K::MilestoneOwnerSet,
            PlanChange::Assessed { .. } => K::IrmAssessed,
            PlanChange::Proposed { .. } => K::ProposalMade,
            PlanChange::ProposalAccepted { .. } => K::ProposalAccepted,
            PlanChange::ProposalAnswered { .. } => K::ProposalAnswered,
            PlanChange::Commented { .. } => K::MilestoneCommented,
            PlanChange::ReviewRecorded { .. } => K::ReviewRecorded,
            PlanChange::ReviewApproved { .. } => K::ReviewApproved,
        }
    }

    /// The commitment and milestone it concerns, where it concerns one.
    pub fn milestone(&self) -> Option<(&str, u32)> {
        match self {
            PlanChange::StatusChanged {
                commitment,
                milestone,
                ..
            }
            | PlanChange::EvidenceAdded {
                commitment,
                milestone,
                ..
            }
            | PlanChange::OwnerSet {
                commitment,
                milestone,
                ..
            }
            | PlanChange::Commented {
                commitment,
                milestone,
                ..
            } => Some((commitment, *milestone)),
            PlanChange::MilestoneAdded {
                commitment,
                milestone,
                ..
            } => Some((commitment, milestone.number)),
            PlanChange::Proposed { proposal } => Some((&proposal.commitment, proposal.milestone)),
            _ => None,
        }
    }

    pub fn commitment(&self) -> Option<&str> {
        match self {
            PlanChange::CommitmentAdded { commitment, .. } => Some(&commitment.ogp_id),
            PlanChange::Assessed { commitment, .. } => Some(commitment),
            _ => self.milestone().map(|(c, _)| c),
        }
    }

    /// Whether the public sees it: owners are staff accounts, and a review's record is
    /// published once its chair approves it.
    pub fn public(&self) -> bool {
        !matches!(
            self,
            PlanChange::OwnerSet { .. } | PlanChange::ReviewRecorded { .. }
        )
    }

    /// Every document or photo it keeps.
    pub fn files(&self) -> Vec<&Evidence> {
        match self {
            PlanChange::StatusChanged { evidence, .. }
            | PlanChange::EvidenceAdded { evidence, .. } => evidence.iter().collect(),
            PlanChange::Proposed { proposal } => proposal.evidence.iter().collect(),
            PlanChange::ReviewRecorded { review } => review.minutes.iter().collect(),
            _ => Vec::new(),
        }
        .into_iter()
        .filter(|e| e.sha256().is_some())
        .collect()
    }
}

/// Why a change to a plan was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("{0}")]
    Invalid(FieldError),
    #[error("{0}")]
    NotFound(FieldError),
    #[error("a {role} may not {what}")]
    Forbidden { role: Role, what: &'static str },
    #[error("{0}")]
    Conflict(String),
}

impl From<FieldError> for PlanError {
    fn from(e: FieldError) -> Self {
        PlanError::Invalid(e)
    }
}

fn invalid(field: &str, message: impl Into<String>) -> PlanError {
    PlanError::Invalid(FieldError::new(field, message))
}

/// Who acts on a plan: a staff account, by username and role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanActor {
    pub username: String,
    pub name: String,
    pub role: Role,
}

impl PlanActor {
    fn changer(&self) -> Changer {
        Changer {
            name: self.name.clone(),
            role: self.role,
        }
    }
    /// The government side of the forum: the point of contact (and an administrator
    /// loading a plan).
    fn government(&self) -> bool {
        matches!(
            self.role,
            Role::OgpPointOfContact | Role::SystemAdministrator
        )
    }
}

const MAX_TEXT: usize = 8000;

fn text(field: &str, raw: &str, required: bool) -> Result<String, PlanError> {
    let t = crate::text::clean(raw).trim().to_owned();
    if required && t.is_empty() {
        return Err(invalid(field, "is required"));
    }
    if t.chars().count() > MAX_TEXT {
        return Err(invalid(field, format!("at most {MAX_TEXT} characters")));
    }
    Ok(t)
}

/// An OGP commitment id: capital letters then digits (`KENMS0005`, `KE0031`, `GHST0001`).
pub fn parse_ogp_id(raw: &str) -> Result<String, FieldError> {
    let id = raw.trim().to_ascii_uppercase();
    let letters = id.chars().take_while(|c| c.is_ascii_uppercase()).count();
    let ok = (2..=12).contains(&letters)
        && id.len() > letters
        && id.len() <= 20
        && id[letters..].chars().all(|c| c.is_ascii_digit());
    if ok {
        Ok(id)
    } else {
        Err(FieldError::new(
            "ogp_id",
            format!("{raw:?} is not an OGP commitment id (letters then digits, e.g. KENMS0005)"),
        ))
    }
}

fn check_slug(slug: &str) -> Result<(), PlanError> {
    let ok = (3..=64).contains(&slug.len())
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "slug",
            format!("{slug:?}: 3-64 lowercase letters, digits and hyphens"),
        ))
    }
}

fn check_evidence(evidence: &[Evidence]) -> Result<(), PlanError> {
    for e in evidence {
        if let Some(sha) = e.sha256()
            && (sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(invalid("evidence", "a document without its SHA-256"));
        }
    }
    Ok(())
}

/// Check a command against the plan (none yet for `Create`) and say what it changes.
pub fn decide(
    plan: Option<&ActionPlan>,
    cmd: PlanCommand,
    who: &PlanActor,
    new_id: PlanId,
    jurisdiction: &JurisdictionId,
    now: Timestamp,
) -> Result<Vec<PlanChange>, PlanError> {
    let by = who.changer();
    let gov = |what: &'static str| {
        if who.government() {
            Ok(())
        } else {
            Err(PlanError::Forbidden {
                role: who.role,
                what,
            })
        }
    };
    let plan = match (plan, cmd) {
        (None, PlanCommand::Create(new)) => {
            gov("create an action plan")?;
            let mut new = *new;
            check_slug(&new.slug)?;
            new.title = text("title", &new.title, true)?;
            new.government = text("government", &new.government, true)?;
            if !(new.country.len() == 2 && new.country.chars().all(|c| c.is_ascii_uppercase())) {
                return Err(invalid(
                    "country",
                    format!("{:?}: a two-letter code such as KE or GH", new.country),
                ));
            }
            if new.starts > new.ends {
                return Err(invalid(
                    "ends",
                    format!("the plan ends {} before it starts {}", new.ends, new.starts),
                ));
            }
            for s in &mut new.schedules {
                s.body = text("schedule.body", &s.body, true)?;
                if !(1..=24).contains(&s.every_months) {
                    return Err(invalid(
                        "schedule.every_months",
                        "a meeting every 1 to 24 months",
                    ));
                }
                if s.from > s.until || s.from < new.starts || s.until > new.ends {
                    return Err(invalid(
                        "schedule.from",
                        format!(
                            "{} to {} is outside the plan's period, {} to {}",
                            s.from, s.until, new.starts, new.ends
                        ),
                    ));
                }
            }
            return Ok(vec![PlanChange::Created {
                id: new_id,
                jurisdiction: jurisdiction.clone(),
                plan: new,
                by,
            }]);
        }
        (None, _) => return Err(PlanError::NotFound(FieldError::new("plan", "no such plan"))),
        (Some(p), cmd) => (p, cmd),
    };
    let (plan, cmd) = plan;
    let commitment = |id: &str| {
        plan.commitment(id).ok_or_else(|| {
            PlanError::NotFound(FieldError::new(
                "commitment",
                format!("no commitment {id:?} in this plan"),
            ))
        })
    };
    let milestone = |id: &str, n: u32| {
        commitment(id)?.milestone(n).ok_or_else(|| {
            PlanError::NotFound(FieldError::new(
                "milestone",
                format!("commitment {id} has no milestone {n}"),
            ))
        })
    };
    Ok(match cmd {
        PlanCommand::Create(new) => {
            return Err(PlanError::Conflict(format!(
                "a plan {:?} already exists",
                new.slug
            )));
        }
        PlanCommand::AddCommitment(c) => {
            gov("add a commitment")?;
            let mut c = *c;
            c.ogp_id = parse_ogp_id(&c.ogp_id)?;
            if plan.commitment(&c.ogp_id).is_some() {
                return Err(invalid(
                    "ogp_id",
                    format!("{} is already in this plan", c.ogp_id),
                ));
            }
            c.title = text("title", &c.title, true)?;
            c.lead = text("lead", &c.lead, true)?;
            for (f, v) in [
                ("problem", &mut c.problem),
                ("status_quo", &mut c.status_quo),
                ("action", &mut c.action),
                ("results", &mut c.results),
            ] {
                *v = text(f, v, false)?;
            }
            plan.within("starts", c.starts, c.ends)?;
            for a in &c.irm {
                check_assessment(a)?;
            }
            let mut seen = std::collections::BTreeSet::new();
            for m in &mut c.milestones {
                if m.number == 0 || !seen.insert(m.number) {
                    return Err(invalid(
                        "milestone.number",
                        format!("milestone {} is numbered twice or 0", m.number),
                    ));
                }
                m.text = text("milestone.text", &m.text, true)?;
                plan.within("milestone.starts", m.starts, m.ends)?;
                m.status_set_at = now;
            }
            vec![PlanChange::CommitmentAdded {
                commitment: Box::new(c),
                by,
            }]
        }
        PlanCommand::AddMilestone {
            commitment: cid,
            mut milestone,
        } => {
            gov("add a milestone")?;
            let c = commitment(&cid)?;
            if milestone.number == 0 || c.milestone(milestone.number).is_some() {
                return Err(invalid(
                    "number",
                    format!("{} already has a milestone {}", c.ogp_id, milestone.number),
                ));
            }
            milestone.text = text("text", &milestone.text, true)?;
            plan.within("starts", milestone.starts, milestone.ends)?;
            vec![PlanChange::MilestoneAdded {
                commitment: c.ogp_id.clone(),
                milestone,
                by,
            }]
        }
        PlanCommand::SetStatus {
            commitment: cid,
            milestone: n,
            status,
            note,
            evidence,
            demo,
        } => {
            gov("set a milestone's status (propose it instead)")?;
            let m = milestone(&cid, n)?;
            let note = text("note", &note, true)?;
            check_evidence(&evidence)?;
            if m.status == status {
                return Err(invalid(
                    "status",
                    format!("milestone {n} is already {status}; add evidence instead"),
                ));
            }
            vec![PlanChange::StatusChanged {
                commitment: commitment(&cid)?.ogp_id.clone(),
                milestone: n,
                from: m.status,
                to: status,
                note,
                evidence,
                proposal: None,
                demo,
                by,
            }]
        }
        PlanCommand::AddEvidence {
            commitment: cid,
            milestone: n,
            note,
            evidence,
        } => {
            gov("add evidence directly (propose it instead)")?;
            milestone(&cid, n)?;
            let note = text("note", &note, true)?;
            check_evidence(&evidence)?;
            if evidence.is_empty() {
                return Err(invalid("evidence", "give a document, a photo or a link"));
            }
            vec![PlanChange::EvidenceAdded {
                commitment: commitment(&cid)?.ogp_id.clone(),
                milestone: n,
                note,
                evidence,
                proposal: None,
                by,
            }]
        }
        PlanCommand::SetOwner {
            commitment: cid,
            milestone: n,
            owner,
        } => {
            gov("name a milestone's owner")?;
            milestone(&cid, n)?;
            vec![PlanChange::OwnerSet {
                commitment: commitment(&cid)?.ogp_id.clone(),
                milestone: n,
                owner,
                by,
            }]
        }
        PlanCommand::Assess {
            commitment: cid,
            assessment,
        } => {
            gov("record the IRM's assessment")?;
            let c = commitment(&cid)?;
            check_assessment(&assessment)?;
            vec![PlanChange::Assessed {
                commitment: c.ogp_id.clone(),
                assessment,
                by,
            }]
        }
        PlanCommand::Propose {
            commitment: cid,
            milestone: n,
            status,
            note,
            evidence,
        } => {
            if who.role != Role::CivilSociety {
                return Err(PlanError::Forbidden {
                    role: who.role,
                    what: "propose (only civil society proposes; the government side changes)",
                });
            }
            let m = milestone(&cid, n)?;
            let note = text("note", &note, true)?;
            check_evidence(&evidence)?;
            if status.is_none() && evidence.is_empty() {
                return Err(invalid(
                    "status",
                    "propose a status, or add a document, a photo or a link",
                ));
            }
            if status == Some(m.status) && evidence.is_empty() {
                return Err(invalid(
                    "status",
                    format!("milestone {n} is already {}", m.status),
                ));
            }
            vec![PlanChange::Proposed {
                proposal: Box::new(Proposal {
                    id: plan.proposals.iter().map(|p| p.id).max().unwrap_or(0) + 1,
                    commitment: commitment(&cid)?.ogp_id.clone(),
                    milestone: n,
                    at: now,
                    by,
                    status,
                    note,
                    evidence,
                    state: ProposalState::Open,
                    answer: None,
                }),
            }]
        }
        PlanCommand::Accept { proposal, note } => {
            gov("accept a proposal")?;
            let p = open_proposal(plan, proposal)?;
            let note = text("note", &note, false)?;
            let m = milestone(&p.commitment, p.milestone)?;
            let mut out = Vec::new();
            match p.status {
                Some(to) if to != m.status => out.push(PlanChange::StatusChanged {
                    commitment: p.commitment.clone(),
                    milestone: p.milestone,
                    from: m.status,
                    to,
                    note: p.note.clone(),
                    evidence: p.evidence.clone(),
                    proposal: Some(p.id),
                    demo: false,
                    by: p.by.clone(),
                }),
                _ if !p.evidence.is_empty() => out.push(PlanChange::EvidenceAdded {
                    commitment: p.commitment.clone(),
                    milestone: p.milestone,
                    note: p.note.clone(),
                    evidence: p.evidence.clone(),
                    proposal: Some(p.id),
                    by: p.by.clone(),
                }),
                _ => {}
            }
            out.insert(0, PlanChange::ProposalAccepted { proposal, note, by });
            out
        }
        PlanCommand::Answer { proposal, reply } => {
            gov("answer a proposal")?;
            open_proposal(plan, proposal)?;
            let reply = text("reply", &reply, true)?;
            vec![PlanChange::ProposalAnswered {
                proposal,
                reply,
                by,
            }]
        }
        PlanCommand::Comment {
            commitment: cid,
            milestone: n,
            text: t,
        } => {
            if !(who.government() || who.role == Role::CivilSociety) {
                return Err(PlanError::Forbidden {
                    role: who.role,
                    what: "comment on a milestone (citizens comment on a commitment)",
                });
            }
            milestone(&cid, n)?;
            vec![PlanChange::Commented {
                commitment: commitment(&cid)?.ogp_id.clone(),
                milestone: n,
                text: text("text", &t, true)?,
                by,
            }]
        }
        PlanCommand::RecordReview(r) => {
            if !(who.government() || who.role == Role::CivilSociety) {
                return Err(PlanError::Forbidden {
                    role: who.role,
                    what: "record a review",
                });
            }
            let r = *r;
            if !plan.schedules.iter().any(|s| s.body == r.body) {
                return Err(invalid(
                    "body",
                    format!(
                        "{:?} holds no reviews of this plan; its bodies: {}",
                        r.body,
                        plan.schedules
                            .iter()
                            .map(|s| s.body.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            let month = YearMonth::of(r.held_on);
            if month < plan.starts || month > plan.ends {
                return Err(invalid(
                    "held_on",
                    format!(
                        "{} is outside the plan's period, {} to {}",
                        r.held_on, plan.starts, plan.ends
                    ),
                ));
            }
            if r.members.is_empty() {
                return Err(invalid("members", "name the members present"));
            }
            if r.chair.trim().is_empty() {
                return Err(invalid("chair", "name the chair, who approves the record"));
            }
            for m in &r.members {
                text("members", &m.name, true)?;
            }
            for i in &r.items {
                milestone(&i.commitment, i.milestone)?;
                text("items.note", &i.note, false)?;
            }
            if let Some(m) = &r.minutes {
                check_evidence(std::slice::from_ref(m))?;
            }
            vec![PlanChange::ReviewRecorded {
                review: Box::new(Review {
                    id: plan.reviews.iter().map(|r| r.id).max().unwrap_or(0) + 1,
                    body: r.body,
                    held_on: r.held_on,
                    chair: r.chair,
                    chair_name: r.chair_name,
                    members: r.members,
                    items: r
                        .items
                        .into_iter()
                        .map(|mut i| {
                            i.commitment = i.commitment.to_ascii_uppercase();
                            i
                        })
                        .collect(),
                    minutes: r.minutes,
                    decisions: r
                        .decisions
                        .into_iter()
                        .map(|d| d.trim().to_owned())
                        .filter(|d| !d.is_empty())
                        .collect(),
                    recorded_at: now,
                    recorded_by: by,
                    approved_at: None,
                }),
            }]
        }
        PlanCommand::ApproveReview { review } => {
            let r = plan.review(review).ok_or_else(|| {
                PlanError::NotFound(FieldError::new("review", format!("no review {review}")))
            })?;
            if r.chair != who.username {
                return Err(PlanError::Forbidden {
                    role: who.role,
                    what: "approve a review they did not chair",
                });
            }
            if r.published() {
                return Err(PlanError::Conflict(format!(
                    "review {review} is already approved"
                )));
            }
            vec![PlanChange::ReviewApproved { review, by }]
        }
    })
}

fn open_proposal(plan: &ActionPlan, id: u32) -> Result<&Proposal, PlanError> {
    let p = plan.proposal(id).ok_or_else(|| {
        PlanError::NotFound(FieldError::new("proposal", format!("no proposal {id}")))
    })?;
    if p.state != ProposalState::Open {
        return Err(PlanError::Conflict(format!(
            "proposal {id} is already {}",
            p.state
        )));
    }
    Ok(p)
}

fn check_assessment(a: &IrmAssessment) -> Result<(), PlanError> {
    if let Some(scale) = a.indicator.scale()
        && !scale.contains(&a.value.as_str())
    {
        return Err(invalid(
            "value",
            format!(
                "{:?} is not a value of {}; expected one of: {}",
                a.value,
                a.indicator,
                scale.join(", ")
            ),
        ));
    }
    if a.value.trim().is_empty() {
        return Err(invalid("value", "is required"));
    }
    if a.source.trim().is_empty() {
        return Err(invalid(
            "source",
            "cite the IRM product the value comes from",
        ));
    }
    Ok(())
}

/// Fold a change into the plan (`None` before it is created). Idempotent over replay:
/// the same changes in the same order give the same plan.
pub fn apply(plan: Option<ActionPlan>, change: &PlanChange, at: Timestamp) -> Option<ActionPlan> {
    if let PlanChange::Created {
        id,
        jurisdiction,
        plan: new,
        ..
    } = change
    {
        let new = new.clone();
        return Some(ActionPlan {
            id: *id,
            jurisdiction: jurisdiction.clone(),
            slug: new.slug,
            title: new.title,
            government: new.government,
            level: new.level,
            country: new.country,
            starts: new.starts,
            ends: new.ends,
            forum: new.forum,
            source_url: new.source_url,
            schedules: new.schedules,
            commitments: Vec::new(),
            reviews: Vec::new(),
            proposals: Vec::new(),
            version: 1,
            created_at: at,
            updated_at: at,
        });
    }
    let mut plan = plan?;
    plan.version += 1;
    plan.updated_at = at;
    match change.clone() {
        PlanChange::Created { .. } => {}
        PlanChange::CommitmentAdded { commitment, .. } => {
            plan.commitments.push(*commitment);
        }
        PlanChange::MilestoneAdded {
            commitment,
            milestone: m,
            by,
        } => {
            if let Some(c) = plan.commitment_mut(&commitment) {
                c.milestones.push(Milestone {
                    number: m.number,
                    text: m.text,
                    starts: m.starts,
                    ends: m.ends,
                    institution: m.institution,
                    person: m.person,
                    owner: m.owner,
                    status: m.status,
                    status_origin: m.status_origin,
                    page_status: m.page_status,
                    status_set_at: at,
                    status_set_by: by,
                    evidence: Vec::new(),
                    comments: Vec::new(),
                });
                c.milestones.sort_by_key(|m| m.number);
            }
        }
        PlanChange::StatusChanged {
            commitment,
            milestone,
            to,
            note,
            evidence,
            demo,
            by,
            ..
        } => {
            if let Some(m) = plan.milestone_mut(&commitment, milestone) {
                m.status = to;
                m.status_origin = if demo {
                    StatusOrigin::Demo
                } else {
                    StatusOrigin::Recorded
                };
                m.page_status = None;
                m.status_set_at = at;
                m.status_set_by = by.clone();
                m.evidence.push(EvidenceEntry {
                    at,
                    by,
                    note,
                    evidence,
                });
            }
        }
        PlanChange::EvidenceAdded {
            commitment,
            milestone,
            note,
            evidence,
            by,
            ..
        } => {
            if let Some(m) = plan.milestone_mut(&commitment, milestone) {
                m.evidence.push(EvidenceEntry {
                    at,
                    by,
                    note,
                    evidence,
                });
            }
        }
        PlanChange::OwnerSet {
            commitment,
            milestone,
            owner,
            ..
        } => {
            if let Some(m) = plan.milestone_mut(&commitment, milestone) {
                m.owner = owner;
            }
        }
        PlanChange::Assessed {
            commitment,
            assessment,
            ..
        } => {
            if let Some(c) = plan.commitment_mut(&commitment) {
                c.irm.push(assessment);
            }
        }
        PlanChange::Proposed { proposal } => {
            plan.proposals.push(*proposal);
        }
        PlanChange::ProposalAccepted { proposal, note, by } => {
            if let Some(p) = plan.proposals.iter_mut().find(|p| p.id == proposal) {
                p.state = ProposalState::Accepted;
                p.answer = Some(Comment { at, by, text: note });
            }
        }
        PlanChange::ProposalAnswered {
            proposal,
            reply,
            by,
        } => {
            if let Some(p) = plan.proposals.iter_mut().find(|p| p.id == proposal) {
                p.state = ProposalState::Answered;
                p.answer = Some(Comment {
                    at,
                    by,
                    text: reply,
                });
            }
        }
        PlanChange::Commented {
            commitment,
            milestone,
            text,
            by,
        } => {
            if let Some(m) = plan.milestone_mut(&commitment, milestone) {
                m.comments.push(Comment { at, by, text });
            }
        }
        PlanChange::ReviewRecorded { review } => {
            plan.reviews.push(*review);
        }
        PlanChange::ReviewApproved { review, .. } => {
            if let Some(r) = plan.reviews.iter_mut().find(|r| r.id == review) {
                r.approved_at = Some(at);
            }
        }
    }
    Some(plan)
}

/// Milestones whose owner should hear about them on `today`: those ending within
/// `before_days` (once per milestone end), and every open milestone when one of the
/// plan's reviews falls due within `before_days` (once per review date). Each with the
/// key that makes its reminder go out once.
pub fn reminders_due(
    plan: &ActionPlan,
    today: NaiveDate,
    before_days: i64,
) -> Vec<(&Commitment, &Milestone, String, Reminder)> {
    let mut out = Vec::new();
    let horizon = today + chrono::Duration::days(before_days);
    let reviews: Vec<(String, NaiveDate)> = plan
        .schedule_standing(today)
        .into_iter()
        .filter_map(|(s, st)| st.next_due.map(|d| (s.body.clone(), d)))
        .filter(|(_, d)| *d <= horizon)
        .collect();
    for c in &plan.commitments {
        for m in &c.milestones {
            if m.owner.is_none() || m.status == MilestoneStatus::Complete {
                continue;
            }
            let end = m.ends.last_day();
            if end >= today && end <= horizon {
                out.push((
                    c,
                    m,
                    format!(
                        "milestone-end:{}:{}:{}:{}",
                        plan.id, c.ogp_id, m.number, m.ends
                    ),
                    Reminder::EndsSoon { ends: end },
                ));
            }
            for (body, due) in &reviews {
                if m.starts.first_day() <= *due {
                    out.push((
                        c,
                        m,
                        format!(
                            "milestone-review:{}:{}:{}:{}:{}",
                            plan.id, c.ogp_id, m.number, body, due
                        ),
                        Reminder::ReviewDue {
                            body: body.clone(),
                            due: *due,
                        },
                    ));
                }
            }
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reminder {
    EndsSoon { ends: NaiveDate },
    ReviewDue { body: String, due: NaiveDate },
}

#[cfg(test)]
mod tests;
