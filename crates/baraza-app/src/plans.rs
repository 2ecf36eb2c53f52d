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
