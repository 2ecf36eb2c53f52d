//! Open government action plans as each reader sees them, and every change to them: the
//! point of contact's, civil society's and a review chair's, checked by
//! `action_plan::decide` and written with their journal events in one transaction. A
//! plan file (TOML, as in `data/action-plans/`) loads a whole plan the same way.

use crate::{App, Error, Result};
use baraza_core::action_plan::{
    self as ap, ActionPlan, Changer, Commitment, IrmAssessment, IrmIndicator, Milestone,
    MilestoneStatus, NewPlan, PlanActor, PlanChange, PlanCommand, PlanError, PlanId, PlanLevel,
    Schedule, StatusOrigin, YearMonth,
};
use baraza_core::journal::Visibility;
use baraza_core::{
    Actor, CaseFilter, Channel, JurisdictionId, Role, StaffUser, Subject, Timestamp,
};
use baraza_store::StoreError;
use serde::Deserialize;

/// One change in a plan's history, as the journal recorded it.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    pub seq: i64,
    pub at: Timestamp,
    pub change: PlanChange,
}

/// A public change to one of the jurisdiction's plans.
#[derive(Debug, Clone)]
pub struct PlanChangeEntry {
    pub slug: String,
    pub title: String,
    pub entry: HistoryEntry,
}

/// A commitment's comments from citizens: cases linked to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommentCount {
    pub total: u64,
    pub answered: u64,
}

impl From<PlanError> for Error {
    fn from(e: PlanError) -> Self {
        match e {
            PlanError::Invalid(f) => Error::Invalid(vec![f]),
            PlanError::NotFound(f) => Error::Invalid(vec![f]),
            PlanError::Forbidden { role, what } => {
                Error::forbidden("role_not_allowed", format!("a {role} may not {what}"))
            }
            PlanError::Conflict(message) => Error::Store(StoreError::Conflict {
                code: "plan_conflict",
                message,
            }),
        }
    }
}

/// The roles that act on plans.
pub fn may_work_on_plans(role: Role) -> bool {
    matches!(
        role,
        Role::OgpPointOfContact | Role::CivilSociety | Role::SystemAdministrator
    )
}

impl App<'_> {
    pub async fn plans(&self, j: &JurisdictionId) -> Result<Vec<ActionPlan>> {
        Ok(self.store.plans(j).await?)
    }

    pub async fn plan(&self, j: &JurisdictionId, slug: &str) -> Result<ActionPlan> {
        self.store
            .plans(j)
            .await?
            .into_iter()
            .find(|p| p.slug == slug)
            .ok_or(Error::NotFound("action plan"))
    }

    /// The plan's changes, oldest first; the public sees only the public ones.
    pub async fn plan_history(&self, plan: &ActionPlan, public: bool) -> Result<Vec<HistoryEntry>> {
        let events = self.store.case_events(plan.id.stream()).await?;
        Ok(events
            .into_iter()
            .filter(|e| !public || e.visibility == Visibility::Public)
            .filter_map(|e| {
                let change: PlanChange = serde_json::from_value(e.data()).ok()?;
                Some(HistoryEntry {
                    seq: e.seq,
                    at: e.at,
                    change,
                })
            })
            .collect())
    }

    /// Citizens' comments on a commitment (cases about it), and how many were answered.
    pub async fn commitment_comments(
        &self,
        j: &JurisdictionId,
        ogp_id: &str,
    ) -> Result<CommentCount> {
        let filter = CaseFilter {
            jurisdiction: Some(j.clone()),
            subject: Some(Subject::Commitment(ogp_id.to_owned())),
            limit: 1000,
            ..CaseFilter::default()
        };
        let cases = self.store.list_cases(&filter).await?;
        Ok(CommentCount {
            total: cases.len() as u64,
            answered: cases
                .iter()
                .filter(|c| c.first_responded_at.is_some())
                .count() as u64,
        })
    }

    /// A staff member's change to a plan of their jurisdiction, decided on the plan as it
    /// stands (`expected_version`, when the form says which version it showed).
    pub async fn change_plan(
        &self,
        user: &StaffUser,
        slug: &str,
        cmd: PlanCommand,
        expected_version: Option<u32>,
    ) -> Result<ActionPlan> {
        if !may_work_on_plans(user.role) {
            return Err(Error::forbidden(
                "role_not_allowed",
                format!("a {} does not work on action plans", user.role),
            ));
        }
        let plan = self.plan(&user.jurisdiction, slug).await?;
        if let Some(v) = expected_version
            && v != plan.version
        {
            return Err(Error::Store(StoreError::Conflict {
                code: "version_mismatch",
                message: format!(
                    "the plan changed since you opened it (version {v}, now {}): reload and try again",
                    plan.version
                ),
            }));
        }
        let who = PlanActor {
            username: user.username.clone(),
            name: user.display_name.clone(),
            role: user.role,
        };
        let now = self.clock.now();
        let changes = ap::decide(Some(&plan), cmd, &who, plan.id, &plan.jurisdiction, now)?;
        let written = self
            .store
            .write_plan(baraza_store::plans::PlanWrite {
                plan: plan.id,
                expected_version: plan.version,
                changes,
                actor: Actor::staff(user.id, user.role, Channel::Web),
                at: now,
            })
            .await?;
        Ok(written.plan)
    }
}

/// Load a whole plan from its file, as `actor` (an administrator, or the system for the
/// demo). A plan already there (same slug) is left as it is; returns whether it was added.
pub async fn load_plan(
    store: &dyn baraza_store::Store,
    j: &JurisdictionId,
    file: PlanFile,
    who: &PlanActor,
    actor: Actor,
    now: Timestamp,
) -> Result<(ActionPlan, bool)> {
    {
        if let Some(p) = store
            .plans(j)
            .await?
            .into_iter()
            .find(|p| p.slug == file.plan.slug)
        {
            return Ok((p, false));
        }
        let id = PlanId(uuid::Uuid::now_v7());
        let (new, commitments) = file.into_commands(now)?;
        let mut changes = ap::decide(None, PlanCommand::Create(Box::new(new)), who, id, j, now)?;
        let mut plan = changes.iter().fold(None, |p, c| ap::apply(p, c, now));
        for c in commitments {
            let more = ap::decide(
                plan.as_ref(),
                PlanCommand::AddCommitment(Box::new(c)),
                who,
                id,
                j,
                now,
            )?;
            plan = more.iter().fold(plan, |p, c| ap::apply(p, c, now));
            changes.extend(more);
        }
        let written = store
            .write_plan(baraza_store::plans::PlanWrite {
                plan: id,
                expected_version: 0,
                changes,
                actor,
                at: now,
            })
            .await?;
        Ok((written.plan, true))
    }
}

/// A plan file: the plan, its review schedules, its commitments with their milestones
/// and IRM figures (the format of `data/action-plans/*.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    pub plan: PlanSection,
    #[serde(default, rename = "commitment")]
    pub commitments: Vec<CommitmentSection>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanSection {
    pub slug: String,
    pub title: String,
    pub government: String,
    pub level: PlanLevel,
    pub country: String,
    pub starts: YearMonth,
    pub ends: YearMonth,
    pub forum: Option<String>,
    pub source_url: Option<String>,
    #[serde(default, rename = "schedule")]
    pub schedules: Vec<Schedule>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentSection {
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
    pub values: Vec<ap::OgpValue>,
    #[serde(default)]
    pub problem: String,
    #[serde(default)]
    pub status_quo: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub results: String,
    #[serde(default)]
    pub irm: Vec<IrmSection>,
    #[serde(default, rename = "milestone")]
    pub milestones: Vec<MilestoneSection>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IrmSection {
    pub indicator: IrmIndicator,
    pub value: String,
    pub assessed: Option<YearMonth>,
    pub source: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilestoneSection {
    pub number: u32,
    pub text: String,
    pub starts: YearMonth,
    pub ends: YearMonth,
    pub institution: Option<String>,
    pub person: Option<String>,
    pub status: MilestoneStatus,
    #[serde(default)]
    pub status_from_page: bool,
    pub page_status: Option<String>,
}

/// Who set a loaded milestone's status: the OGP page, as the file says.
pub const OGP_PAGE: &str = "OGP commitment page";

impl PlanFile {
    pub fn parse(text: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| {
            Error::Invalid(vec![baraza_core::FieldError::new(
                "plan file",
                e.to_string(),
            )])
        })
    }

    fn into_commands(self, now: Timestamp) -> Result<(NewPlan, Vec<Commitment>)> {
        let p = self.plan;
        let new = NewPlan {
            slug: p.slug,
            title: p.title,
            government: p.government,
            level: p.level,
            country: p.country,
            starts: p.starts,
            ends: p.ends,
            forum: p.forum,
            source_url: p.source_url,
            schedules: p.schedules,
        };
        let page = Changer {
            name: OGP_PAGE.to_owned(),
            role: Role::SystemAdministrator,
        };
        let commitments = self
            .commitments
            .into_iter()
            .map(|c| Commitment {
                ogp_id: c.ogp_id,
                title: c.title,
                starts: c.starts,
                ends: c.ends,
                lead: c.lead,
                supporting: c.supporting,
                policy_areas: c.policy_areas,
                values: c.values,
                problem: c.problem,
                status_quo: c.status_quo,
                action: c.action,
                results: c.results,
                irm: c
                    .irm
                    .into_iter()
                    .map(|i| IrmAssessment {
                        indicator: i.indicator,
                        value: i.value,
                        assessed: i.assessed,
                        source: i.source,
                        note: i.note,
                    })
                    .collect(),
                milestones: c
                    .milestones
                    .into_iter()
                    .map(|m| Milestone {
                        number: m.number,
                        text: m.text,
                        starts: m.starts,
                        ends: m.ends,
                        institution: m.institution,
                        person: m.person,
                        owner: None,
                        status: m.status,
                        status_origin: if m.status_from_page {
                            StatusOrigin::OgpPage
                        } else {
                            StatusOrigin::NotGiven
                        },
                        page_status: m.page_status,
                        status_set_at: now,
                        status_set_by: page.clone(),
                        evidence: Vec::new(),
                        comments: Vec::new(),
                    })
                    .collect(),
            })
            .collect();
        Ok((new, commitments))
    }
}

fn evidence_of(
    links: &[String],
    documents: &[crate::input::AttachmentBody],
    errors: &mut crate::FieldErrors,
) -> Vec<ap::Evidence> {
    let mut out: Vec<ap::Evidence> = links
        .iter()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| errors.take(ap::Evidence::link(l)))
        .collect();
    for d in documents {
        if d.sha256.len() != 64 || !d.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            errors.push("documents", "a document's sha256 is 64 hex digits");
            continue;
        }
        let name = d
            .filename
            .clone()
            .unwrap_or_else(|| d.sha256[..12].to_owned());
        out.push(if d.media_type.starts_with("image/") {
            ap::Evidence::Photo {
                sha256: d.sha256.to_ascii_lowercase(),
                name,
                media_type: d.media_type.clone(),
                size_bytes: d.size_bytes,
            }
        } else {
            ap::Evidence::Document {
                sha256: d.sha256.to_ascii_lowercase(),
                name,
                media_type: d.media_type.clone(),
                size_bytes: d.size_bytes,
            }
        });
    }
    out
}

/// Parse a plan action as a surface hands it over: every field checked, each error named.
pub fn parse_plan_action(
    body: crate::input::PlanActionRequest,
    user: &StaffUser,
) -> Result<PlanCommand> {
    use crate::error::parse_enum;
    let mut errors = crate::FieldErrors::default();
    let action = errors.required("action", body.action.as_deref().map(str::trim));
    let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or("").to_owned();
    let commitment = || {
        body.commitment
            .clone()
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    let evidence = evidence_of(&body.links, &body.documents, &mut errors);
    let status = body
        .status
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .and_then(|s| errors.take(parse_enum::<MilestoneStatus>("status", s.trim())));
    let mut need = |field: &str, present: bool| {
        if !present {
            errors.push(field, "is required");
        }
    };
    let cmd = match action {
        Some("set_status") => {
            need("commitment", body.commitment.is_some());
            need("milestone", body.milestone.is_some());
            need("status", body.status.is_some());
            status.map(|status| PlanCommand::SetStatus {
                commitment: commitment(),
                milestone: body.milestone.unwrap_or(0),
                status,
                note: text(&body.note),
                evidence: evidence.clone(),
                demo: false,
            })
        }
        Some("add_evidence") => Some(PlanCommand::AddEvidence {
            commitment: commitment(),
            milestone: body.milestone.unwrap_or(0),
            note: text(&body.note),
            evidence: evidence.clone(),
        }),
        Some("propose") => Some(PlanCommand::Propose {
            commitment: commitment(),
            milestone: body.milestone.unwrap_or(0),
            status,
            note: text(&body.note),
            evidence: evidence.clone(),
        }),
        Some("set_owner") => Some(PlanCommand::SetOwner {
            commitment: commitment(),
            milestone: body.milestone.unwrap_or(0),
            owner: body.owner.clone().filter(|o| !o.trim().is_empty()),
        }),
        Some("comment") => Some(PlanCommand::Comment {
            commitment: commitment(),
            milestone: body.milestone.unwrap_or(0),
            text: text(&body.text),
        }),
        Some("accept") => {
            need("proposal", body.proposal.is_some());
            Some(PlanCommand::Accept {
                proposal: body.proposal.unwrap_or(0),
                note: text(&body.note),
            })
        }
        Some("answer") => {
            need("proposal", body.proposal.is_some());
            Some(PlanCommand::Answer {
                proposal: body.proposal.unwrap_or(0),
                reply: text(&body.text),
            })
        }
        Some("approve_review") => {
            need("review", body.review.is_some());
            Some(PlanCommand::ApproveReview {
                review: body.review.unwrap_or(0),
            })
        }
        Some("assess") => {
            let indicator = body
                .indicator
                .as_deref()
                .and_then(|i| errors.take(parse_enum::<IrmIndicator>("indicator", i.trim())));
            let assessed = body
                .assessed
                .as_deref()
                .filter(|a| !a.trim().is_empty())
                .and_then(|a| {
                    errors.take(
                        a.parse::<YearMonth>()
                            .map_err(|m| baraza_core::FieldError::new("assessed", m)),
                    )
                });
            indicator.map(|indicator| PlanCommand::Assess {
                commitment: commitment(),
                assessment: IrmAssessment {
                    indicator,
                    value: text(&body.value),
                    assessed,
                    source: text(&body.source),
                    note: body.note.clone().filter(|n| !n.trim().is_empty()),
                },
            })
        }
        Some("record_review") => {
            let held_on = body.held_on.as_deref().and_then(|d| {
                errors.take(
                    chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
                        baraza_core::FieldError::new("held_on", "a date as YYYY-MM-DD")
                    }),
                )
            });
            if held_on.is_none() && body.held_on.is_none() {
                errors.push("held_on", "is required");
            }
            let members = body
                .members
                .iter()
                .filter_map(|m| {
                    let side =
                        errors.take(parse_enum::<ap::Side>("members.side", m.side.trim()))?;
                    Some(ap::Member {
                        name: m.name.trim().to_owned(),
                        side,
                    })
                })
                .collect();
            let items = body
                .items
                .iter()
                .filter_map(|i| {
                    let status = errors.take(parse_enum::<MilestoneStatus>(
                        "items.status",
                        i.status.trim(),
                    ))?;
                    Some(ap::ReviewItem {
                        commitment: i.commitment.trim().to_ascii_uppercase(),
                        milestone: i.milestone,
                        status,
                        note: i.note.trim().to_owned(),
                    })
                })
                .collect();
            let minutes = evidence_of(&[], body.minutes.as_slice(), &mut errors)
                .into_iter()
                .next();
            let chair = text(&body.chair);
            held_on.map(|held_on| {
                PlanCommand::RecordReview(Box::new(ap::NewReview {
                    body: text(&body.body),
                    held_on,
                    chair_name: if chair == user.username {
                        user.display_name.clone()
                    } else {
                        chair.clone()
                    },
                    chair,
                    members,
                    items,
                    minutes,
                    decisions: body.decisions.clone(),
                }))
            })
        }
        Some(other) => {
            errors.push(
                "action",
                format!(
                    "unknown action {other:?}; expected one of: set_status, add_evidence, set_owner, assess, propose, accept, answer, comment, record_review, approve_review"
                ),
            );
            None
        }
        None => None,
    };
    errors.finish()?;
    cmd.ok_or_else(|| Error::Internal("validated plan action missing".into()))
}

/// What a plan action did, in words for the one who did it.
pub fn done_message(cmd: &PlanCommand) -> String {
    match cmd {
        PlanCommand::SetStatus {
            commitment,
            milestone,
            status,
            ..
        } => format!("Milestone {milestone} of {commitment} is now {status}."),
        PlanCommand::AddEvidence {
            commitment,
            milestone,
            ..
        } => format!("Evidence added to milestone {milestone} of {commitment}."),
        PlanCommand::Propose {
            commitment,
            milestone,
            ..
        } => format!(
            "Proposal on milestone {milestone} of {commitment} sent to the government side."
        ),
        PlanCommand::Accept { proposal, .. } => format!("Proposal {proposal} accepted."),
        PlanCommand::Answer { proposal, .. } => format!("Proposal {proposal} answered."),
        PlanCommand::Comment {
            commitment,
            milestone,
            ..
        } => format!("Comment added to milestone {milestone} of {commitment}."),
        PlanCommand::SetOwner {
            commitment,
            milestone,
            owner,
        } => match owner {
            Some(o) => format!("{o} will be reminded of milestone {milestone} of {commitment}."),
            None => format!("Nobody is reminded of milestone {milestone} of {commitment} now."),
        },
        PlanCommand::Assess {
            commitment,
            assessment,
        } => {
            format!("IRM {} of {commitment} recorded.", assessment.indicator)
        }
        PlanCommand::RecordReview(r) => format!(
            "Review of {} on {} recorded; published once its chair approves it.",
            r.body, r.held_on
        ),
        PlanCommand::ApproveReview { review } => format!("Review {review} approved and published."),
        PlanCommand::Create(p) => format!("Plan {} created.", p.slug),
        PlanCommand::AddCommitment(c) => format!("Commitment {} added.", c.ogp_id),
        PlanCommand::AddMilestone {
            commitment,
            milestone,
        } => {
            format!("Milestone {} added to {commitment}.", milestone.number)
        }
    }
}

impl App<'_> {
    /// A plan action from a surface: parsed, then decided and written. Returns the plan
    /// and what happened, in words.
    pub async fn act_on_plan(
        &self,
        user: &StaffUser,
        slug: &str,
        body: crate::input::PlanActionRequest,
        expected_version: Option<u32>,
    ) -> Result<(ActionPlan, String)> {
        if !may_work_on_plans(user.role) {
            return Err(Error::forbidden(
                "role_not_allowed",
                format!("a {} does not work on action plans", user.role),
            ));
        }
        let cmd = parse_plan_action(body, user)?;
        let done = done_message(&cmd);
        let plan = self.change_plan(user, slug, cmd, expected_version).await?;
        Ok((plan, done))
    }
}

/// A document or photo the plan keeps (evidence of a milestone or a proposal, a review's
/// minutes), as an attachment to serve; `None` when the plan does not hold it. Pass the
/// public projection for the public.
pub fn plan_file(plan: &ActionPlan, sha256: &str) -> Option<baraza_core::Attachment> {
    let from = |e: &ap::Evidence| match e {
        ap::Evidence::Document {
            sha256: s,
            name,
            media_type,
            size_bytes,
        }
        | ap::Evidence::Photo {
            sha256: s,
            name,
            media_type,
            size_bytes,
        } if s.eq_ignore_ascii_case(sha256) => Some(baraza_core::Attachment {
            published: false,
            media_type: media_type.clone(),
            size_bytes: *size_bytes,
            sha256: s.clone(),
            filename: Some(name.clone()),
            url: None,
        }),
        _ => None,
    };
    let milestones = plan
        .commitments
        .iter()
        .flat_map(|c| &c.milestones)
        .flat_map(|m| m.evidence.iter().flat_map(|e| &e.evidence));
    let proposals = plan.proposals.iter().flat_map(|p| &p.evidence);
    let minutes = plan.reviews.iter().filter_map(|r| r.minutes.as_ref());
    milestones.chain(proposals).chain(minutes).find_map(from)
}

/// The register as open data: one table each for plans, commitments, milestones and
/// approved reviews, from the public projection; the CSV and JSON files and their
/// documentation all come from here.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PlanRow {
    pub plan: String,
    pub title: String,
    pub government: String,
    pub level: String,
    pub country: String,
    pub starts: String,
    pub ends: String,
    pub forum: String,
    pub milestones: u32,
    pub not_started: u32,
    pub in_progress: u32,
    pub stuck: u32,
    pub complete: u32,
    pub late: u32,
    pub version: u32,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CommitmentRow {
    pub plan: String,
    pub ogp_id: String,
    pub title: String,
    pub starts: String,
    pub ends: String,
    pub lead: String,
    pub supporting: String,
    pub policy_areas: String,
    pub values: String,
    pub irm_verifiable: String,
    pub irm_open_government_lens: String,
    pub irm_potential_for_results: String,
    pub irm_completion: String,
    pub irm_did_it_open_government: String,
    pub citizen_comments: u64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct MilestoneRow {
    pub plan: String,
    pub ogp_id: String,
    pub number: u32,
    pub text: String,
    pub starts: String,
    pub ends: String,
    pub institution: String,
    pub status: String,
    pub status_origin: String,
    pub page_status: String,
    pub status_set_at: String,
    pub status_set_by: String,
    pub late: bool,
    pub evidence: usize,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ReviewRow {
    pub plan: String,
    pub review: u32,
    pub body: String,
    pub held_on: String,
    pub chair: String,
    pub government_members: usize,
    pub civil_society_members: usize,
    pub milestones_reviewed: usize,
    pub decisions: String,
    pub minutes_sha256: String,
    pub approved_at: String,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct PlanTables {
    pub plans: Vec<PlanRow>,
    pub commitments: Vec<CommitmentRow>,
    pub milestones: Vec<MilestoneRow>,
    pub reviews: Vec<ReviewRow>,
}

/// Each table's fields and what they mean (the open data's documentation).
pub const TABLE_FIELDS: &[(&str, &[(&str, &str)])] = &[
    (
        "plans",
        &[
            ("plan", "The plan's slug, as in its address (/plans/<plan>)"),
            ("title", "The action plan's name"),
            ("government", "The government that made it"),
            ("level", "local or national"),
            ("country", "ISO 3166-1 alpha-2"),
            ("starts, ends", "The plan's period, YYYY-MM"),
            ("forum", "The multi-stakeholder forum, where known"),
            ("milestones", "How many milestones its commitments have"),
            (
                "not_started, in_progress, stuck, complete",
                "Milestones by status",
            ),
            ("late", "Milestones past their end month and not complete"),
            (
                "version",
                "How many changes the plan has had (its journal events)",
            ),
        ],
    ),
    (
        "commitments",
        &[
            ("plan", "The plan's slug"),
            ("ogp_id", "The OGP commitment id (e.g. KENMS0005)"),
            ("title", "The commitment's title"),
            ("starts, ends", "Its period, YYYY-MM"),
            ("lead", "The lead institution"),
            (
                "supporting",
                "Supporting institutions, separated by semicolons",
            ),
            ("policy_areas", "Policy areas, separated by semicolons"),
            ("values", "OGP values, separated by semicolons"),
            (
                "irm_*",
                "The IRM's latest value for each indicator (verifiable, open government lens, potential for results, completion, did it open government); empty where the IRM gave none",
            ),
            (
                "citizen_comments",
                "Citizens' comments on it (cases linked to it)",
            ),
        ],
    ),
    (
        "milestones",
        &[
            ("plan, ogp_id, number", "Which milestone"),
            ("text", "What it is"),
            ("starts, ends", "Its months, YYYY-MM"),
            ("institution", "The responsible institution, where given"),
            ("status", "not_started, in_progress, stuck or complete"),
            (
                "status_origin",
                "ogp_page (as the OGP page marks it), not_given (the page marks none: loaded as not started), recorded (set here)",
            ),
            (
                "page_status",
                "The OGP page's own label, where it gives one",
            ),
            (
                "status_set_at, status_set_by",
                "When and by whom the status was set",
            ),
            ("late", "Past its end month and not complete"),
            ("evidence", "How many entries of evidence it has"),
        ],
    ),
    (
        "reviews",
        &[
            (
                "plan, review",
                "Which review (approved by its chair: published)",
            ),
            (
                "body",
                "Which body met (steering committee, technical committee...)",
            ),
            ("held_on", "The date it met"),
            ("chair", "Who chaired it"),
            (
                "government_members, civil_society_members",
                "Members present on each side",
            ),
            ("milestones_reviewed", "How many milestones it reviewed"),
            ("decisions", "Its decisions, separated by semicolons"),
            (
                "minutes_sha256",
                "The SHA-256 of its minutes (/plans/<plan>/files/<sha256>)",
            ),
            ("approved_at", "When its chair approved the record"),
        ],
    ),
];

impl App<'_> {
    /// The register's open data for a jurisdiction, from the public projection.
    pub async fn plan_tables(
        &self,
        j: &JurisdictionId,
        today: chrono::NaiveDate,
    ) -> Result<PlanTables> {
        let mut t = PlanTables::default();
        for plan in self.plans(j).await? {
            let plan = crate::privacy::public_plan(&plan);
            let p = plan.progress(today);
            t.plans.push(PlanRow {
                plan: plan.slug.clone(),
                title: plan.title.clone(),
                government: plan.government.clone(),
                level: plan.level.to_string(),
                country: plan.country.clone(),
                starts: plan.starts.to_string(),
                ends: plan.ends.to_string(),
                forum: plan.forum.clone().unwrap_or_default(),
                milestones: p.total,
                not_started: p.not_started,
                in_progress: p.in_progress,
                stuck: p.stuck,
                complete: p.complete,
                late: p.late,
                version: plan.version,
            });
            for c in &plan.commitments {
                let irm = |i| c.irm(i).map(|a| a.value.clone()).unwrap_or_default();
                t.commitments.push(CommitmentRow {
                    plan: plan.slug.clone(),
                    ogp_id: c.ogp_id.clone(),
                    title: c.title.clone(),
                    starts: c.starts.to_string(),
                    ends: c.ends.to_string(),
                    lead: c.lead.clone(),
                    supporting: c.supporting.join("; "),
                    policy_areas: c.policy_areas.join("; "),
                    values: c
                        .values
                        .iter()
                        .map(|v| v.as_str())
                        .collect::<Vec<_>>()
                        .join("; "),
                    irm_verifiable: irm(IrmIndicator::Verifiable),
                    irm_open_government_lens: irm(IrmIndicator::OpenGovernmentLens),
                    irm_potential_for_results: irm(IrmIndicator::PotentialForResults),
                    irm_completion: irm(IrmIndicator::Completion),
                    irm_did_it_open_government: irm(IrmIndicator::DidItOpenGovernment),
                    citizen_comments: self.commitment_comments(j, &c.ogp_id).await?.total,
                });
                for m in &c.milestones {
                    t.milestones.push(MilestoneRow {
                        plan: plan.slug.clone(),
                        ogp_id: c.ogp_id.clone(),
                        number: m.number,
                        text: m.text.clone(),
                        starts: m.starts.to_string(),
                        ends: m.ends.to_string(),
                        institution: m.institution.clone().unwrap_or_default(),
                        status: m.status.to_string(),
                        status_origin: m.status_origin.to_string(),
                        page_status: m.page_status.clone().unwrap_or_default(),
                        status_set_at: m.status_set_at.to_rfc3339(),
                        status_set_by: m.status_set_by.name.clone(),
                        late: m.late(today),
                        evidence: m.evidence.len(),
                    });
                }
            }
            for r in &plan.reviews {
                let side = |s| r.members.iter().filter(|m| m.side == s).count();
                t.reviews.push(ReviewRow {
                    plan: plan.slug.clone(),
                    review: r.id,
                    body: r.body.clone(),
                    held_on: r.held_on.to_string(),
                    chair: r.chair_name.clone(),
                    government_members: side(ap::Side::Government),
                    civil_society_members: side(ap::Side::CivilSociety),
                    milestones_reviewed: r.items.len(),
                    decisions: r.decisions.join("; "),
                    minutes_sha256: r
                        .minutes
                        .as_ref()
                        .and_then(|m| m.sha256())
                        .unwrap_or_default()
                        .to_owned(),
                    approved_at: r.approved_at.map(|a| a.to_rfc3339()).unwrap_or_default(),
                });
            }
        }
        Ok(t)
    }

    /// Public changes to every plan of a jurisdiction, newest first (the Atom feed).
    pub async fn plan_changes(
        &self,
        j: &JurisdictionId,
        limit: usize,
    ) -> Result<Vec<PlanChangeEntry>> {
        let mut all = Vec::new();
        for plan in self.plans(j).await? {
            for h in self.plan_history(&plan, true).await? {
                all.push(PlanChangeEntry {
                    slug: plan.slug.clone(),
                    title: plan.title.clone(),
                    entry: h,
                });
            }
        }
        all.sort_by_key(|c| std::cmp::Reverse(c.entry.seq));
        all.truncate(limit);
        Ok(all)
    }
}

/// Each table's columns, in the order of its row's fields (the CSV header).
pub fn columns(table: &str) -> &'static [&'static str] {
    match table {
        "plans" => &[
            "plan",
            "title",
            "government",
            "level",
            "country",
            "starts",
            "ends",
            "forum",
            "milestones",
            "not_started",
            "in_progress",
            "stuck",
            "complete",
            "late",
            "version",
        ],
        "commitments" => &[
            "plan",
            "ogp_id",
            "title",
            "starts",
            "ends",
            "lead",
            "supporting",
            "policy_areas",
            "values",
            "irm_verifiable",
            "irm_open_government_lens",
            "irm_potential_for_results",
            "irm_completion",
            "irm_did_it_open_government",
            "citizen_comments",
        ],
        "milestones" => &[
            "plan",
            "ogp_id",
            "number",
            "text",
            "starts",
            "ends",
            "institution",
            "status",
            "status_origin",
            "page_status",
            "status_set_at",
            "status_set_by",
            "late",
            "evidence",
        ],
        "reviews" => &[
            "plan",
            "review",
            "body",
            "held_on",
            "chair",
            "government_members",
            "civil_society_members",
            "milestones_reviewed",
            "decisions",
            "minutes_sha256",
            "approved_at",
        ],
        _ => &[],
    }
}
