//! Public projects as each reader sees them, every change to them, and their open
//! contracting data: staff actions parsed here, decided by `project::decide`, each
//! release checked against the OCDS schema before it is written with its journal event;
//! release, record and project packages built from what was written.

use crate::open_contracting::{self as oc_check, Kind};
use crate::{App, Error, Result};
use baraza_core::journal::Visibility;
use baraza_core::ocds::{self, Publisher};
use baraza_core::project::{
    self as pj, DocumentKind, Item, NewProject, NewReport, OpenContracting, Pmc, PmcMember,
    PmcStatus, ProcurementMethod, Project, ProjectActor, ProjectChange, ProjectCommand,
    ProjectError, ProjectId, ProjectStatus, ReportKind, Sector, StoredFile, TargetGroup,
};
use baraza_core::{
    Actor, AreaCode, CaseFilter, Channel, FieldError, GeoPoint, Jurisdiction, JurisdictionId,
    PhoneNumber, Role, StaffUser, Subject, Timestamp,
};
use baraza_store::StoreError;
use chrono::NaiveDate;
use serde_json::Value;

impl From<ProjectError> for Error {
    fn from(e: ProjectError) -> Self {
        match e {
            ProjectError::Invalid(f) | ProjectError::NotFound(f) => Error::Invalid(vec![f]),
            ProjectError::Forbidden { role, what } => {
                Error::forbidden("role_not_allowed", format!("a {role} may not {what}"))
            }
        }
    }
}

/// The roles that act on projects.
pub fn may_work_on_projects(role: Role) -> bool {
    matches!(
        role,
        Role::ProcurementOfficer
            | Role::ImplementationOfficer
            | Role::PmcMember
            | Role::ProjectValidator
            | Role::SystemAdministrator
    )
}

/// One change in a project's history, as the journal recorded it.
#[derive(Debug, Clone)]
pub struct ProjectHistoryEntry {
    pub seq: i64,
    pub at: Timestamp,
    pub change: ProjectChange,
}

/// Citizens' feedback on a project: cases about it, and how many were answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Feedback {
    pub total: u64,
    pub open: u64,
    pub answered: u64,
}

/// What the jurisdiction publishes under, or a clear refusal.
pub fn open_contracting(j: &Jurisdiction) -> Result<&OpenContracting> {
    j.open_contracting.as_ref().ok_or_else(|| {
        Error::Invalid(vec![FieldError::new(
            "open_contracting",
            format!(
                "{} has no [open_contracting] section in its jurisdiction file (ocid prefix, project prefix, publisher)",
                j.name
            ),
        )])
    })
}

fn refuse(e: Vec<FieldError>) -> Error {
    Error::Invalid(e)
}

/// A jurisdiction's projects as read from the store, by code, with an index by ocid. One
/// is shared by every reader until a project is added or changed: the store's stamp
/// (how many projects, the sum of their versions) is read before the projects, so a
/// write in between only makes the next reader read again.
#[derive(Debug, Default)]
pub struct ProjectIndex {
    stamp: (u64, u64),
    projects: Vec<Project>,
    by_ocid: std::collections::HashMap<String, usize>,
}

impl std::ops::Deref for ProjectIndex {
    type Target = [Project];
    fn deref(&self) -> &[Project] {
        &self.projects
    }
}

impl ProjectIndex {
    fn new(stamp: (u64, u64), projects: Vec<Project>) -> Self {
        let by_ocid = projects
            .iter()
            .enumerate()
            .flat_map(|(i, p)| p.processes.iter().map(move |x| (x.ocid.clone(), i)))
            .collect();
        Self {
            stamp,
            projects,
            by_ocid,
        }
    }

    /// The project a contracting process belongs to.
    pub fn by_ocid(&self, ocid: &str) -> Option<&Project> {
        self.by_ocid.get(ocid).map(|&i| &self.projects[i])
    }
}

impl App<'_> {
    /// The jurisdiction's projects, by code (shared until one changes).
    pub async fn projects(&self, j: &JurisdictionId) -> Result<std::sync::Arc<ProjectIndex>> {
        let stamp = self.store.projects_stamp(j).await?;
        let held = self
            .catalog
            .projects
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(j)
            .filter(|x| x.stamp == stamp)
            .cloned();
        if let Some(x) = held {
            return Ok(x);
        }
        let fresh = std::sync::Arc::new(ProjectIndex::new(stamp, self.store.projects(j).await?));
        self.catalog
            .projects
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(j.clone(), fresh.clone());
        Ok(fresh)
    }

    /// The project a contracting process belongs to.
    pub async fn project_by_ocid(&self, j: &JurisdictionId, ocid: &str) -> Result<Project> {
        self.projects(j)
            .await?
            .by_ocid(ocid)
            .cloned()
            .ok_or(Error::NotFound("contracting process"))
    }

    pub async fn project(&self, j: &JurisdictionId, code: &str) -> Result<Project> {
        let code = code.trim().to_ascii_uppercase();
        self.store
            .project(j, &code)
            .await?
            .ok_or(Error::NotFound("project"))
    }

    /// The project's changes, oldest first; the public sees only the public ones.
    pub async fn project_history(
        &self,
        p: &Project,
        public: bool,
    ) -> Result<Vec<ProjectHistoryEntry>> {
        let events = self.store.case_events(p.id.stream()).await?;
        Ok(events
            .into_iter()
            .filter(|e| !public || e.visibility == Visibility::Public)
            .filter_map(|e| {
                Some(ProjectHistoryEntry {
                    seq: e.seq,
                    at: e.at,
                    change: serde_json::from_value(e.data()).ok()?,
                })
            })
            .collect())
    }

    /// Citizens' feedback on a project (cases about it).
    pub async fn project_feedback(&self, j: &JurisdictionId, code: &str) -> Result<Feedback> {
        let filter = CaseFilter {
            jurisdiction: Some(j.clone()),
            subject: Some(Subject::Project(code.to_owned())),
            limit: 1000,
            ..CaseFilter::default()
        };
        let cases = self.store.list_cases(&filter).await?;
        Ok(Feedback {
            total: cases.len() as u64,
            open: cases.iter().filter(|c| c.status.is_open()).count() as u64,
            answered: cases
                .iter()
                .filter(|c| c.first_responded_at.is_some())
                .count() as u64,
        })
    }

    /// Decide a command on a project (none yet for a new one) and write it: every
    /// release it publishes is checked against the OCDS schema first.
    pub async fn change_project(
        &self,
        j: &Jurisdiction,
        current: Option<&Project>,
        cmd: ProjectCommand,
        who: &ProjectActor,
        actor: Actor,
        base_url: &str,
    ) -> Result<Project> {
        let oc = open_contracting(j)?;
        let now = self.clock.now();
        let id = current.map_or_else(|| ProjectId(uuid::Uuid::now_v7()), |p| p.id);
        let changes = pj::decide(current, cmd, who, id, &j.id, Some(oc), base_url, now)?;
        for c in &changes {
            if let ProjectChange::Released { release, .. } = c {
                oc_check::check(Kind::Release, release).map_err(refuse)?;
            }
        }
        let written = self
            .store
            .write_project(baraza_store::projects::ProjectWrite {
                project: id,
                expected_version: current.map_or(0, |p| p.version),
                changes,
                actor,
                at: now,
            })
            .await?;
        Ok(written.project)
    }

    /// A staff member registers a project in their jurisdiction.
    pub async fn create_project(
        &self,
        user: &StaffUser,
        body: crate::input::ProjectBody,
        base_url: &str,
    ) -> Result<Project> {
        self.may(user)?;
        let cat = self.catalog_of(user).await?;
        let j = &cat.jurisdiction;
        let new = parse_project(body, &j.country)?;
        for w in &new.wards {
            if cat.areas.get(w).is_none() {
                return Err(Error::Invalid(vec![FieldError::new(
                    "wards",
                    format!("{w} is not a ward of {}", j.name),
                )]));
            }
        }
        if cat.department(&new.department).is_none() {
            return Err(Error::Invalid(vec![FieldError::new(
                "department",
                format!("{:?} is not a department of {}", new.department, j.name),
            )]));
        }
        let who = actor_of(user);
        self.change_project(
            j,
            None,
            ProjectCommand::Create(Box::new(new)),
            &who,
            Actor::staff(user.id, user.role, Channel::Web),
            base_url,
        )
        .await
    }

    fn may(&self, user: &StaffUser) -> Result<()> {
        if may_work_on_projects(user.role) {
            Ok(())
        } else {
            Err(Error::forbidden(
                "role_not_allowed",
                format!("a {} does not work on projects", user.role),
            ))
        }
    }

    /// A project action from a surface: parsed, scope-checked, decided and written.
    /// Returns the project and what happened, in words.
    pub async fn act_on_project(
        &self,
        user: &StaffUser,
        code: &str,
        body: crate::input::ProjectActionRequest,
        expected_version: Option<u32>,
        base_url: &str,
    ) -> Result<(Project, String)> {
        self.may(user)?;
        let cat = self.catalog_of(user).await?;
        let j = &cat.jurisdiction;
        let p = self.project(&j.id, code).await?;
        if let baraza_core::Scope::Department(d) = &user.scope
            && d != &p.department
        {
            return Err(Error::forbidden(
                "out_of_scope",
                format!("{} is a project of another department", p.code),
            ));
        }
        if let Some(v) = expected_version
            && v != p.version
        {
            return Err(Error::Store(StoreError::Conflict {
                code: "version_mismatch",
                message: format!(
                    "the project changed since you opened it (version {v}, now {}): reload and try again",
                    p.version
                ),
            }));
        }
        let cmd = parse_project_action(body, &j.country)?;
        let done = done_message(&cmd);
        let p = self
            .change_project(
                j,
                Some(&p),
                cmd,
                &actor_of(user),
                Actor::staff(user.id, user.role, Channel::Web),
                base_url,
            )
            .await?;
        Ok((p, done))
    }
}

fn actor_of(user: &StaffUser) -> ProjectActor {
    ProjectActor {
        name: user.display_name.clone(),
        role: user.role,
        phone: user.phone.clone(),
    }
}

fn date(errors: &mut crate::FieldErrors, field: &str, v: &Option<String>) -> Option<NaiveDate> {
    match v.as_deref().map(str::trim) {
        None | Some("") => {
            errors.push(field, "is required");
            None
        }
        Some(s) => errors.take(
            s.parse::<NaiveDate>()
                .map_err(|_| FieldError::new(field, format!("{s:?}: a date as YYYY-MM-DD"))),
        ),
    }
}

fn opt_date(errors: &mut crate::FieldErrors, field: &str, v: &Option<String>) -> Option<NaiveDate> {
    match v.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(_) => date(errors, field, v),
    }
}

fn number(errors: &mut crate::FieldErrors, field: &str, v: Option<f64>) -> f64 {
    match v {
        Some(n) => n,
        None => {
            errors.push(field, "is required");
            0.0
        }
    }
}

fn text(v: &Option<String>) -> String {
    v.as_deref().map(str::trim).unwrap_or("").to_owned()
}

/// Parse a project as a surface hands it over; each error named.
pub fn parse_project(body: crate::input::ProjectBody, country: &str) -> Result<NewProject> {
    let _ = country;
    let mut errors = crate::FieldErrors::default();
    let code = errors
        .required("code", body.code.as_deref())
        .and_then(|c| errors.take(pj::parse_code(c)));
    let sector = errors
        .required("sector", body.sector.as_deref())
        .and_then(|s| errors.take(Sector::parse("sector", s)));
    let status = match body.status.as_deref() {
        Some(s) => errors.take(ProjectStatus::parse("status", s)),
        None => Some(ProjectStatus::Identification),
    };
    let groups: Vec<TargetGroup> = body
        .target_groups
        .iter()
        .filter_map(|g| errors.take(TargetGroup::parse("target_groups", g)))
        .collect();
    if body.wards.is_empty() {
        errors.push("wards", "at least one ward");
    }
    let location = match (body.lat, body.lon) {
        (Some(lat), Some(lon)) => errors.take(GeoPoint::parse(lat, lon)),
        (None, None) => None,
        _ => {
            errors.push("lat", "give both lat and lon, or neither");
            None
        }
    };
    let budget = number(&mut errors, "budget", body.budget);
    let planned_end = opt_date(&mut errors, "planned_end", &body.planned_end);
    for f in ["title", "department", "fiscal_year"] {
        let v = match f {
            "title" => &body.title,
            "department" => &body.department,
            _ => &body.fiscal_year,
        };
        if text(v).is_empty() {
            errors.push(f, "is required");
        }
    }
    errors.finish()?;
    Ok(NewProject {
        code: code.unwrap_or_default(),
        title: text(&body.title),
        description: text(&body.description),
        department: text(&body.department),
        fiscal_year: text(&body.fiscal_year),
        sector: sector.unwrap_or(Sector::Governance),
        wards: body
            .wards
            .iter()
            .map(|w| AreaCode(w.trim().to_owned()))
            .collect(),
        location,
        budget,
        status: status.unwrap_or(ProjectStatus::Identification),
        target_groups: groups,
        planned_end,
    })
}

fn stored(files: &[crate::input::AttachmentBody]) -> Vec<StoredFile> {
    files
        .iter()
        .map(|f| StoredFile {
            sha256: f.sha256.to_ascii_lowercase(),
            filename: f.filename.clone().unwrap_or_else(|| "document".into()),
            media_type: f.media_type.clone(),
        })
        .collect()
}

/// Parse a project action as a surface hands it over: every field checked, each error
/// named.
pub fn parse_project_action(
    body: crate::input::ProjectActionRequest,
    country: &str,
) -> Result<ProjectCommand> {
    let mut errors = crate::FieldErrors::default();
    let action = errors.required("action", body.action.as_deref().map(str::trim));
    let ocid = || text(&body.ocid);
    let need_ocid = |errors: &mut crate::FieldErrors| {
        if text(&body.ocid).is_empty() {
            errors.push("ocid", "is required");
        }
    };
    let cmd = match action {
        Some("set_status") => {
            let status = errors
                .required("status", body.status.as_deref())
                .and_then(|s| errors.take(ProjectStatus::parse("status", s)));
            status.map(|status| ProjectCommand::SetStatus {
                status,
                note: text(&body.note),
            })
        }
        Some("plan") => {
            let method = errors
                .required("method", body.method.as_deref())
                .and_then(|m| errors.take(ProcurementMethod::parse("method", m)));
            let budget = number(&mut errors, "budget", body.budget);
            method.map(|method| ProjectCommand::Plan {
                budget,
                method,
                rationale: text(&body.rationale),
            })
        }
        Some("tender") => {
            need_ocid(&mut errors);
            let opens = date(&mut errors, "opens", &body.opens);
            let closes = date(&mut errors, "closes", &body.closes);
            let value = number(&mut errors, "value", body.value);
            opens
                .zip(closes)
                .map(|(opens, closes)| ProjectCommand::Tender {
                    ocid: ocid(),
                    number: text(&body.number),
                    title: text(&body.title),
                    description: text(&body.description),
                    value,
                    opens,
                    closes,
                    items: body
                        .items
                        .iter()
                        .map(|i| Item {
                            description: i.description.clone(),
                            quantity: i.quantity,
                            unit: i.unit.clone(),
                        })
                        .collect(),
                    documents: body
                        .links
                        .iter()
                        .map(|l| (l.title.clone(), l.url.clone()))
                        .collect(),
                    rationale: text(&body.rationale),
                })
        }
        Some("award") => {
            need_ocid(&mut errors);
            let d = date(&mut errors, "date", &body.date);
            let value = number(&mut errors, "value", body.value);
            let tenderers = errors.required("tenderers", body.tenderers);
            d.zip(tenderers)
                .map(|(date, tenderers)| ProjectCommand::Award {
                    ocid: ocid(),
                    supplier: text(&body.supplier),
                    value,
                    date,
                    tenderers,
                })
        }
        Some("contract") => {
            need_ocid(&mut errors);
            let signed = date(&mut errors, "signed", &body.signed);
            let starts = date(&mut errors, "starts", &body.starts);
            let ends = date(&mut errors, "ends", &body.ends);
            let value = number(&mut errors, "value", body.value);
            match (signed, starts, ends) {
                (Some(signed), Some(starts), Some(ends)) => Some(ProjectCommand::Contract {
                    ocid: ocid(),
                    number: text(&body.number),
                    value,
                    signed,
                    starts,
                    ends,
                    documents: body
                        .links
                        .iter()
                        .map(|l| (l.title.clone(), l.url.clone()))
                        .collect(),
                }),
                _ => None,
            }
        }
        Some("amend_contract") => {
            need_ocid(&mut errors);
            let ends = opt_date(&mut errors, "ends", &body.ends);
            Some(ProjectCommand::AmendContract {
                ocid: ocid(),
                value: body.value,
                ends,
                rationale: text(&body.rationale),
            })
        }
        Some("payment") => {
            need_ocid(&mut errors);
            let d = date(&mut errors, "date", &body.date);
            let amount = number(&mut errors, "amount", body.amount);
            d.map(|date| ProjectCommand::Payment {
                ocid: ocid(),
                amount,
                date,
            })
        }
        Some("elect_pmc") => {
            let elected_on = date(&mut errors, "elected_on", &body.elected_on);
            let members: Vec<PmcMember> = body
                .members
                .iter()
                .map(|m| PmcMember {
                    name: m.name.clone(),
                    designation: m.designation.clone(),
                    phone: m
                        .phone
                        .as_deref()
                        .filter(|p| !p.trim().is_empty())
                        .and_then(|p| {
                            errors.take(
                                PhoneNumber::parse_in(p, country)
                                    .map_err(|e| FieldError::new("members.phone", e.message)),
                            )
                        }),
                })
                .collect();
            elected_on.map(|elected_on| {
                ProjectCommand::ElectPmc(Pmc {
                    elected_on,
                    forum: text(&body.forum),
                    members,
                })
            })
        }
        Some("file_report") => {
            let kind = match body.kind.as_deref() {
                Some(k) => errors.take(ReportKind::parse("kind", k)),
                None => Some(ReportKind::Pmc),
            };
            let status = errors
                .required("status", body.status.as_deref())
                .and_then(|s| errors.take(PmcStatus::parse("status", s)));
            kind.zip(status).map(|(kind, status)| {
                ProjectCommand::File(Box::new(NewReport {
                    kind,
                    status,
                    social_safeguards: text(&body.social_safeguards),
                    emerging_complaints: text(&body.emerging_complaints),
                    challenges: text(&body.challenges),
                    text: text(&body.text),
                    photos: stored(&body.documents),
                    handover: body.handover,
                    authorizes_payment: body.authorizes_payment,
                    channel: "web".into(),
                }))
            })
        }
        Some("approve_report") => errors
            .required("report", body.report)
            .map(|report| ProjectCommand::Approve { report }),
        Some("return_report") => {
            errors
                .required("report", body.report)
                .map(|report| ProjectCommand::Return {
                    report,
                    reason: text(&body.reason),
                })
        }
        Some("add_document") => {
            let kind = errors
                .required("document_kind", body.document_kind.as_deref())
                .and_then(|k| errors.take(DocumentKind::parse("document_kind", k)));
            let file = stored(&body.documents).into_iter().next();
            if file.is_none() {
                errors.push("documents", "the document itself");
            }
            kind.zip(file)
                .map(|(kind, file)| ProjectCommand::AddDocument {
                    kind,
                    title: text(&body.title),
                    file,
                    fiscal_year: body.fiscal_year.clone().filter(|f| !f.trim().is_empty()),
                })
        }
        Some(other) => {
            errors.push(
                "action",
                format!(
                    "{other:?} is not an action; one of: set_status, plan, tender, award, contract, amend_contract, payment, elect_pmc, file_report, approve_report, return_report, add_document"
                ),
            );
            None
        }
        None => None,
    };
    errors.finish()?;
    cmd.ok_or_else(|| Error::Invalid(vec![FieldError::new("action", "is required")]))
}

/// What an action did, in words, for the page that follows it.
pub fn done_message(cmd: &ProjectCommand) -> String {
    match cmd {
        ProjectCommand::Create(_) => "Project registered.",
        ProjectCommand::SetStatus { .. } => "Status changed.",
        ProjectCommand::Plan { .. } => "Contracting process opened (planning published).",
        ProjectCommand::Tender { .. } => "Tender published.",
        ProjectCommand::Award { .. } => "Award published.",
        ProjectCommand::Contract { .. } => "Contract published.",
        ProjectCommand::AmendContract { .. } => "Contract amendment published.",
        ProjectCommand::Payment { .. } => "Payment published.",
        ProjectCommand::ElectPmc(_) => "Committee recorded.",
        ProjectCommand::File(_) => "Report filed: a validator approves it before it is published.",
        ProjectCommand::Approve { .. } => "Report approved and published.",
        ProjectCommand::Return { .. } => "Report returned to its author.",
        ProjectCommand::AddDocument { .. } => "Document added.",
        ProjectCommand::Import(_) => "Release imported.",
    }
    .to_owned()
}

/// A file the project keeps (a report's photo, a document), as an attachment to serve;
/// pass the public projection for the public.
pub fn project_file(p: &Project, sha256: &str) -> Option<baraza_core::Attachment> {
    let photos = p.reports.iter().flat_map(|r| &r.filed.photos);
    let docs = p.documents.iter().map(|d| &d.file);
    photos
        .chain(docs)
        .find(|f| f.sha256.eq_ignore_ascii_case(sha256))
        .map(|f| baraza_core::Attachment {
            published: false,
            media_type: f.media_type.clone(),
            size_bytes: 0,
            sha256: f.sha256.clone(),
            filename: Some(f.filename.clone()),
            url: None,
        })
}

/// The packages we publish, built from the projects as written.
pub struct Publication<'a> {
    pub publisher: Publisher,
    pub oc: &'a OpenContracting,
    pub published: String,
}

impl<'a> Publication<'a> {
    pub fn new(j: &'a Jurisdiction, base_url: &str, now: Timestamp) -> Result<Self> {
        let oc = open_contracting(j)?;
        Ok(Self {
            publisher: Publisher {
                name: oc.publisher.clone(),
                base_url: base_url.trim_end_matches('/').to_owned(),
            },
            oc,
            published: ocds::date_time(now),
        })
    }

    fn uri(&self, path: &str) -> String {
        format!("{}{path}", self.publisher.base_url)
    }

    /// One contracting process's releases, as a release package.
    pub fn release_package(&self, p: &Project, ocid: &str) -> Option<Value> {
        let x = p.process(ocid)?;
        Some(ocds::release_package(
            &self.publisher,
            &self.uri(&format!("/ocds/releases/{ocid}.json")),
            &self.published,
            x.releases.clone(),
        ))
    }

    /// One contracting process's record: its releases, compiled and versioned.
    pub fn record_package(&self, p: &Project, ocid: &str) -> Option<Value> {
        let x = p.process(ocid)?;
        Some(ocds::record_package(
            &self.publisher,
            &self.uri(&format!("/ocds/records/{ocid}.json")),
            &self.published,
            &[(x.ocid.clone(), x.releases.clone())],
        ))
    }

    /// Every release of every project, as one package (`None` when there is none).
    pub fn all_releases(&self, projects: &[Project]) -> Option<Value> {
        let releases: Vec<Value> = projects
            .iter()
            .flat_map(|p| &p.processes)
            .flat_map(|x| x.releases.iter().cloned())
            .collect();
        (!releases.is_empty()).then(|| {
            ocds::release_package(
                &self.publisher,
                &self.uri("/ocds/releases.json"),
                &self.published,
                releases,
            )
        })
    }

    /// The OC4IDS project (from the public projection).
    pub fn project(&self, p: &Project, ward_name: &dyn Fn(&AreaCode) -> String) -> Value {
        pj::oc4ids_project(
            &crate::privacy::public_project(p),
            self.oc,
            &self.publisher.base_url,
            ward_name,
        )
    }

    /// Projects as an OC4IDS project package (`None` when there is none).
    pub fn project_package(
        &self,
        projects: &[Project],
        path: &str,
        ward_name: &dyn Fn(&AreaCode) -> String,
    ) -> Option<Value> {
        let list: Vec<Value> = projects
            .iter()
            .map(|p| self.project(p, ward_name))
            .collect();
        (!list.is_empty())
            .then(|| ocds::project_package(&self.publisher, &self.uri(path), &self.published, list))
    }
}

/// One row per contracting process, for spreadsheet users.
pub const CONTRACT_COLUMNS: &[&str] = &[
    "ocid",
    "project_code",
    "project_title",
    "department",
    "fiscal_year",
    "wards",
    "budget",
    "stage",
    "procurement_method",
    "tender_value",
    "tenderers",
    "supplier",
    "contract_value",
    "contract_signed",
    "contract_ends",
    "amendments",
    "paid",
    "releases",
];

pub fn contract_rows(projects: &[Project]) -> Vec<Vec<String>> {
    let money = |v: Option<f64>| v.map(|v| format!("{v:.2}")).unwrap_or_default();
    let mut rows = vec![];
    for p in projects {
        for x in &p.processes {
            let v = pj::ProcessView::of(x);
            rows.push(vec![
                x.ocid.clone(),
                p.code.clone(),
                p.title.clone(),
                p.department.clone(),
                p.fiscal_year.clone(),
                p.wards
                    .iter()
                    .map(AreaCode::as_str)
                    .collect::<Vec<_>>()
                    .join(" "),
                format!("{:.2}", p.budget),
                v.stage.to_owned(),
                v.method.clone().unwrap_or_default(),
                money(v.tender_value),
                v.tenderers.map(|t| t.to_string()).unwrap_or_default(),
                v.supplier.clone().unwrap_or_default(),
                money(v.contract_value),
                v.contract_signed
                    .as_deref()
                    .map(|d| d.get(..10).unwrap_or(d).to_owned())
                    .unwrap_or_default(),
                v.contract_ends
                    .as_deref()
                    .map(|d| d.get(..10).unwrap_or(d).to_owned())
                    .unwrap_or_default(),
                v.amendments.len().to_string(),
                format!("{:.2}", v.paid),
                x.releases.len().to_string(),
            ]);
        }
    }
    rows
}

/// Load an OCDS release package from another portal into the jurisdiction's projects:
/// each release is checked against the schema, kept as it was, and filed under the
/// project its `planning.budget.projectID` names (or its ocid, when it names none),
/// registered on the way when it is new. A release already held is skipped. Returns
/// (releases imported, releases already held).
pub async fn import_releases(
    app: &App<'_>,
    j: &Jurisdiction,
    package: &Value,
    who: &ProjectActor,
    actor: Actor,
    base_url: &str,
) -> Result<(usize, usize)> {
    oc_check::check(Kind::ReleasePackage, package).map_err(refuse)?;
    let oc = open_contracting(j)?;
    let releases = package
        .get("releases")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let (mut added, mut held) = (0, 0);
    for (i, r) in releases.iter().enumerate() {
        oc_check::check(Kind::Release, r).map_err(|e| {
            refuse(
                e.into_iter()
                    .map(|f| FieldError::new(format!("releases/{i}/{}", f.field), f.message))
                    .collect(),
            )
        })?;
        let ocid = r.get("ocid").and_then(Value::as_str).unwrap_or("");
        // A process already here stays with its project, whatever the release names.
        let holder = app.projects(&j.id).await?.by_ocid(ocid).cloned();
        let existing = match holder {
            Some(p) => Some(p),
            None => app.store.project(&j.id, &import_code(r, oc)).await?,
        };
        if existing
            .as_ref()
            .and_then(|p| p.process(ocid))
            .is_some_and(|x| x.releases.iter().any(|h| h.get("id") == r.get("id")))
        {
            held += 1;
            continue;
        }
        let project = match existing {
            Some(p) => p,
            None => {
                let new = project_from_release(r, &import_code(r, oc));
                app.change_project(
                    j,
                    None,
                    ProjectCommand::Create(Box::new(new)),
                    who,
                    actor.clone(),
                    base_url,
                )
                .await?
            }
        };
        app.change_project(
            j,
            Some(&project),
            ProjectCommand::Import(Box::new(r.clone())),
            who,
            actor.clone(),
            base_url,
        )
        .await?;
        added += 1;
    }
    Ok((added, held))
}

/// The project code a foreign release belongs to: its budget's project id (without the
/// jurisdiction's project prefix), else the ocid without the ocid prefix.
fn import_code(r: &Value, oc: &OpenContracting) -> String {
    let from_budget = ocds::at(r, &["planning", "budget", "projectID"])
        .and_then(Value::as_str)
        .map(|id| {
            id.strip_prefix(&format!("{}-", oc.project_prefix))
                .unwrap_or(id)
                .to_owned()
        });
    let ocid = r.get("ocid").and_then(Value::as_str).unwrap_or("");
    let raw = from_budget.unwrap_or_else(|| {
        ocid.strip_prefix(&oc.ocid_prefix)
            .unwrap_or(ocid)
            .to_owned()
    });
    let cleaned: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .trim_matches('-')
        .to_ascii_uppercase();
    let mut code: String = cleaned.chars().take(20).collect();
    while code.len() < 3 {
        code.push('0');
    }
    code
}

fn project_from_release(r: &Value, code: &str) -> NewProject {
    let s = |path: &[&str]| ocds::at(r, path).and_then(Value::as_str).map(str::to_owned);
    let title = s(&["planning", "budget", "project"])
        .or_else(|| s(&["tender", "title"]))
        .unwrap_or_else(|| format!("Imported process {}", s(&["ocid"]).unwrap_or_default()));
    let date = s(&["date"]).unwrap_or_default();
    let year: i32 = date.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2000);
    NewProject {
        code: code.to_owned(),
        title,
        description: s(&["tender", "description"]).unwrap_or_default(),
        department: s(&["buyer", "name"]).unwrap_or_else(|| "imported".into()),
        fiscal_year: format!("{year}/{:02}", (year + 1) % 100),
        sector: Sector::Governance,
        wards: vec![],
        location: None,
        budget: ocds::at(r, &["planning", "budget", "amount", "amount"])
            .and_then(Value::as_f64)
            .unwrap_or(0.0),
        status: ProjectStatus::Implementation,
        target_groups: vec![],
        planned_end: None,
    }
}
