//! Public projects and their contracting processes, the project management committee
//! (PMC) that watches each one, its reports, and the county's documents about it.
//!
//! A project is one document whose every change is a [`ProjectChange`], journaled in the
//! same hash-chained journal as the cases (the project's id is the events' stream).
//! A contracting process is kept as the OCDS releases it published, verbatim: its state
//! is their compiled release ([`crate::ocds::compile`]), so an imported portal's history
//! comes back out exactly as it went in. [`decide`] is the only place where a change is
//! allowed or refused and where each staff action becomes its release, with the tag the
//! standard gives it (`planning`, `tender`, `tenderAmendment`, `award`, `contract`,
//! `contractAmendment`, `implementation`). [`apply`] folds a change into the project.

use crate::ocds::{self, at};
use crate::{AreaCode, FieldError, JurisdictionId, PhoneNumber, Role, Timestamp};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::fmt;

/// The project's id, which is also its journal stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProjectId(pub uuid::Uuid);

impl ProjectId {
    pub fn stream(self) -> crate::CaseId {
        crate::CaseId(self.0)
    }
}

impl fmt::Display for ProjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What a jurisdiction publishes its open contracting data under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenContracting {
    /// The OCDS ocid prefix the Open Contracting Partnership gave the county, with its
    /// trailing hyphen (Makueni `ocds-muq5cl-`, Elgeyo Marakwet `ocds-udd159-`).
    pub ocid_prefix: String,
    /// The OC4IDS project-identifier prefix (`oc4ids-xxxxxx`).
    pub project_prefix: String,
    /// The publisher's name in the packages.
    pub publisher: String,
    /// ISO 4217 currency of budgets and contracts (KES, GHS).
    #[serde(default = "default_currency")]
    pub currency: String,
}

fn default_currency() -> String {
    "KES".into()
}

impl OpenContracting {
    pub fn check(&self) -> Result<(), FieldError> {
        let p = &self.ocid_prefix;
        let ok = p.starts_with("ocds-")
            && p.ends_with('-')
            && p.len() == 12
            && p[5..11]
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if !ok {
            return Err(FieldError::new(
                "open_contracting.ocid_prefix",
                format!("{p:?}: `ocds-` then six lowercase letters or digits then `-`"),
            ));
        }
        if self.project_prefix.trim().is_empty() || self.project_prefix.ends_with('-') {
            return Err(FieldError::new(
                "open_contracting.project_prefix",
                "the OC4IDS prefix without its trailing hyphen, e.g. oc4ids-qu8r7p",
            ));
        }
        if !(self.currency.len() == 3 && self.currency.chars().all(|c| c.is_ascii_uppercase())) {
            return Err(FieldError::new(
                "open_contracting.currency",
                format!("{:?}: an ISO 4217 code such as KES", self.currency),
            ));
        }
        Ok(())
    }
}

macro_rules! closed_list {
    ($(#[$m:meta])* $name:ident, $what:literal { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $code)] $variant),+
        }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
                let raw = raw.trim();
                Self::ALL.iter().copied().find(|v| v.code().eq_ignore_ascii_case(raw)).ok_or_else(|| {
                    FieldError::new(field, format!(
                        "{raw:?} is not {}; one of: {}", $what,
                        Self::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", ")))
                })
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.code()) }
        }
    };
}

closed_list!(
    /// OC4IDS 0.9.4 projectStatus (closed).
    ProjectStatus, "a project status" {
        Identification => "identification",
        Preparation => "preparation",
        Implementation => "implementation",
        Completion => "completion",
        Maintenance => "maintenance",
        Decommissioning => "decommissioning",
        Decommissioned => "decommissioned",
        Cancelled => "cancelled",
    }
);

closed_list!(
    /// OC4IDS projectSector (open in the standard; the codes the portals use).
    Sector, "a sector" {
        Education => "education",
        Health => "health",
        Energy => "energy",
        Communications => "communications",
        WaterAndWaste => "waterAndWaste",
        Governance => "governance",
        Economy => "economy",
        Culture => "cultureSportsAndRecreation",
        Transport => "transport",
        Road => "transport.road",
        SocialHousing => "socialHousing",
        NaturalResources => "naturalResources",
    }
);

closed_list!(
    /// Target groups as the county portals record them (ocportal DBConstants.TargetGroup):
    /// the three AGPO groups, then the others.
    TargetGroup, "a target group" {
        Youth => "youth",
        Women => "women",
        PersonsWithDisabilities => "pwd",
        CitizenContractor => "citizen_contractor",
        LocalContractor => "local_contractor",
        General => "general",
    }
);

impl TargetGroup {
    /// Access to Government Procurement Opportunities (Kenya): youth, women, PWD.
    pub fn agpo(self) -> bool {
        matches!(
            self,
            TargetGroup::Youth | TargetGroup::Women | TargetGroup::PersonsWithDisabilities
        )
    }
}

closed_list!(
    /// OCDS method (closed).
    ProcurementMethod, "a procurement method" {
        Open => "open",
        Selective => "selective",
        Limited => "limited",
        Direct => "direct",
    }
);

closed_list!(
    /// A PMC's view of the project (ocportal smsAlerts.properties).
    PmcStatus, "a PMC status" {
        OnTrack => "onTrack",
        AtRisk => "atRisk",
        OffTrack => "offTrack",
    }
);

closed_list!(
    /// Who wrote a report.
    ReportKind, "a report kind" {
        Pmc => "pmc",
        Inspection => "inspection",
    }
);

closed_list!(
    /// What a project's document is.
    DocumentKind, "a document kind" {
        AuditReport => "finalAudit",
        BillOfQuantities => "billOfQuantity",
        ProjectPlan => "projectPlan",
        CompletionCertificate => "completionCertificate",
        Other => "other",
    }
);

/// Who made a change, as the public record names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changer {
    pub name: String,
    pub role: Role,
}

/// A member of a project management committee. The phone is how the member files
/// reports by SMS: personal data, never published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PmcMember {
    pub name: String,
    pub designation: String,
    pub phone: Option<PhoneNumber>,
}

/// The committee, elected on a date at a public forum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pmc {
    pub elected_on: NaiveDate,
    pub forum: String,
    pub members: Vec<PmcMember>,
}

impl Pmc {
    pub fn member_by_phone(&self, phone: &PhoneNumber) -> Option<&PmcMember> {
        self.members
            .iter()
            .find(|m| m.phone.as_ref() == Some(phone))
    }
}

/// A file kept by SHA-256 (photos, minutes, audit reports).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFile {
    pub sha256: String,
    pub filename: String,
    pub media_type: String,
}

/// Where a report stands: drafted, approved for publication, or returned with a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ReportState {
    Draft,
    Approved {
        by: Changer,
        at: Timestamp,
    },
    Returned {
        by: Changer,
        at: Timestamp,
        reason: String,
    },
}

/// A report as filed: the fields ocportal's PMC and inspection reports carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewReport {
    pub kind: ReportKind,
    pub status: PmcStatus,
    #[serde(default)]
    pub social_safeguards: String,
    #[serde(default)]
    pub emerging_complaints: String,
    #[serde(default)]
    pub challenges: String,
    pub text: String,
    #[serde(default)]
    pub photos: Vec<StoredFile>,
    /// The project was handed over to the community at closure.
    #[serde(default)]
    pub handover: bool,
    /// The report authorises the next payment (ocportal `authorizePayment`).
    #[serde(default)]
    pub authorizes_payment: bool,
    /// How it came in: `web` or `sms`.
    pub channel: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub id: u32,
    #[serde(flatten)]
    pub filed: NewReport,
    pub by: Changer,
    pub filed_at: Timestamp,
    pub state: ReportState,
}

impl Report {
    pub fn approved_at(&self) -> Option<Timestamp> {
        match &self.state {
            ReportState::Approved { at, .. } => Some(*at),
            _ => None,
        }
    }
}

/// A document about the project: an audit report, a bill of quantities…
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectDocument {
    pub id: u32,
    pub kind: DocumentKind,
    pub title: String,
    pub file: StoredFile,
    /// The fiscal year it covers (audit reports), e.g. `2024/25`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fiscal_year: Option<String>,
    pub added_at: Timestamp,
    pub by: Changer,
}

/// A contracting process: its ocid and the releases it published, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Process {
    pub ocid: String,
    pub releases: Vec<Value>,
}

impl Process {
    pub fn compiled(&self) -> Value {
        ocds::compile(&self.ocid, &self.releases)
    }
}

/// What the public sees of a contracting process, read from its compiled release.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProcessView {
    pub ocid: String,
    pub stage: &'static str,
    pub method: Option<String>,
    pub tender_id: Option<String>,
    pub tender_title: Option<String>,
    pub tender_value: Option<f64>,
    pub tender_closes: Option<String>,
    pub tenderers: Option<u64>,
    pub supplier: Option<String>,
    pub award_value: Option<f64>,
    pub contract_id: Option<String>,
    /// The award the contract implements (every release naming the contract repeats it).
    pub award_id: Option<String>,
    pub contract_value: Option<f64>,
    pub contract_signed: Option<String>,
    pub contract_ends: Option<String>,
    pub amendments: Vec<(String, String)>,
    pub paid: f64,
    pub payments: Vec<(String, f64)>,
    pub documents: Vec<(String, String, String)>,
}

impl ProcessView {
    pub fn of(p: &Process) -> Self {
        let c = p.compiled();
        let s = |path: &[&str]| at(&c, path).and_then(Value::as_str).map(str::to_owned);
        let n = |path: &[&str]| at(&c, path).and_then(Value::as_f64);
        let contract = at(&c, &["contracts"])
            .and_then(Value::as_array)
            .and_then(|a| a.last())
            .cloned()
            .unwrap_or(Value::Null);
        let cs = |path: &[&str]| {
            at(&contract, path)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let payments: Vec<(String, f64)> = at(&contract, &["implementation", "transactions"])
            .and_then(Value::as_array)
            .map(|ts| {
                ts.iter()
                    .map(|t| {
                        (
                            t.get("date")
                                .and_then(Value::as_str)
                                .unwrap_or("")
                                .to_owned(),
                            at(t, &["value", "amount"])
                                .and_then(Value::as_f64)
                                .unwrap_or(0.0),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut documents = vec![];
        for list in [
            at(&c, &["tender", "documents"]),
            at(&contract, &["documents"]),
        ]
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        {
            for d in list {
                let g = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
                documents.push((g("title"), g("url"), g("documentType")));
            }
        }
        let stage = if contract.get("implementation").is_some() {
            "implementation"
        } else if !contract.is_null() {
            "contract"
        } else if c.get("awards").is_some() {
            "award"
        } else if at(&c, &["tender", "status"]).and_then(Value::as_str) == Some("planned") {
            "planning"
        } else if c.get("tender").is_some() {
            "tender"
        } else {
            "planning"
        };
        ProcessView {
            ocid: p.ocid.clone(),
            stage,
            method: s(&["tender", "procurementMethod"]),
            tender_id: s(&["tender", "id"]),
            tender_title: s(&["tender", "title"]),
            tender_value: n(&["tender", "value", "amount"]),
            tender_closes: s(&["tender", "tenderPeriod", "endDate"]),
            tenderers: at(&c, &["tender", "numberOfTenderers"]).and_then(Value::as_u64),
            supplier: at(&c, &["awards"])
                .and_then(Value::as_array)
                .and_then(|a| a.last())
                .and_then(|a| at(a, &["suppliers", "0", "name"]))
                .and_then(Value::as_str)
                .map(str::to_owned),
            award_value: at(&c, &["awards"])
                .and_then(Value::as_array)
                .and_then(|a| a.last())
                .and_then(|a| at(a, &["value", "amount"]))
                .and_then(Value::as_f64),
            contract_id: cs(&["id"]),
            award_id: cs(&["awardID"]),
            contract_value: at(&contract, &["value", "amount"]).and_then(Value::as_f64),
            contract_signed: cs(&["dateSigned"]),
            contract_ends: cs(&["period", "endDate"]),
            amendments: at(&contract, &["amendments"])
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|x| {
                            let g =
                                |k: &str| x.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
                            (g("date"), g("rationale"))
                        })
                        .collect()
                })
                .unwrap_or_default(),
            paid: payments.iter().map(|(_, a)| a).fold(0.0, |a, b| a + b),
            payments,
            documents,
        }
    }
}

/// A public project, with everything about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    pub id: ProjectId,
    pub jurisdiction: JurisdictionId,
    /// The short code citizens type in SMS (`INFO EM-RD-014`).
    pub code: String,
    pub title: String,
    pub description: String,
    pub department: String,
    /// e.g. `2025/26`.
    pub fiscal_year: String,
    pub sector: Sector,
    pub wards: Vec<AreaCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<crate::GeoPoint>,
    pub budget: f64,
    pub currency: String,
    pub status: ProjectStatus,
    #[serde(default)]
    pub target_groups: Vec<TargetGroup>,
    /// Planned end of the works, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_end: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pmc: Option<Pmc>,
    #[serde(default)]
    pub reports: Vec<Report>,
    #[serde(default)]
    pub documents: Vec<ProjectDocument>,
    #[serde(default)]
    pub processes: Vec<Process>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// How many journal events the project has.
    pub version: u32,
}

impl Project {
    pub fn process(&self, ocid: &str) -> Option<&Process> {
        self.processes.iter().find(|p| p.ocid == ocid)
    }
    pub fn report(&self, id: u32) -> Option<&Report> {
        self.reports.iter().find(|r| r.id == id)
    }
    pub fn latest_approved_report(&self) -> Option<&Report> {
        self.reports
            .iter()
            .filter(|r| r.approved_at().is_some())
            .max_by_key(|r| r.approved_at())
    }
    /// The OC4IDS project id: the jurisdiction's prefix, a hyphen, the code.
    pub fn oc4ids_id(&self, oc: &OpenContracting) -> String {
        format!("{}-{}", oc.project_prefix, self.code)
    }
    /// The contract value of every process, summed.
    pub fn contract_value(&self) -> f64 {
        self.processes
            .iter()
            .filter_map(|p| ProcessView::of(p).contract_value)
            .fold(0.0, |a, b| a + b)
    }
    pub fn paid(&self) -> f64 {
        self.processes
            .iter()
            .map(|p| ProcessView::of(p).paid)
            .fold(0.0, |a, b| a + b)
    }
    /// What the data says deserves a second look.
    pub fn red_flags(&self, today: NaiveDate) -> Vec<RedFlag> {
        let mut flags = vec![];
        let approved: Vec<Timestamp> = self
            .reports
            .iter()
            .filter_map(Report::approved_at)
            .collect();
        for p in &self.processes {
            let v = ProcessView::of(p);
            if let Some(value) = v.contract_value
                && value > self.budget
            {
                flags.push(RedFlag::ValueAboveBudget {
                    ocid: p.ocid.clone(),
                    value,
                    budget: self.budget,
                });
            }
            if v.tenderers == Some(1) {
                flags.push(RedFlag::SingleBidder {
                    ocid: p.ocid.clone(),
                });
            }
            if let Some(end) = v.contract_ends.as_deref().and_then(parse_day)
                && end < today
                && v.amendments.is_empty()
                && !matches!(
                    self.status,
                    ProjectStatus::Completion
                        | ProjectStatus::Maintenance
                        | ProjectStatus::Cancelled
                )
            {
                flags.push(RedFlag::PastEndWithoutExtension {
                    ocid: p.ocid.clone(),
                    ended: end,
                });
            }
            for (date, amount) in &v.payments {
                let paid_on = parse_day(date);
                let inspected = approved
                    .iter()
                    .any(|a| paid_on.is_some_and(|d| a.date_naive() <= d));
                if !inspected {
                    flags.push(RedFlag::PaymentWithoutApprovedReport {
                        ocid: p.ocid.clone(),
                        date: date.get(..10).unwrap_or(date).to_owned(),
                        amount: *amount,
                    });
                }
            }
        }
        flags
    }
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

/// A red flag computed from the data, never typed in by hand.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "flag", rename_all = "snake_case")]
pub enum RedFlag {
    ValueAboveBudget {
        ocid: String,
        value: f64,
        budget: f64,
    },
    PastEndWithoutExtension {
        ocid: String,
        ended: NaiveDate,
    },
    PaymentWithoutApprovedReport {
        ocid: String,
        date: String,
        amount: f64,
    },
    SingleBidder {
        ocid: String,
    },
}

impl RedFlag {
    pub fn code(&self) -> &'static str {
        match self {
            RedFlag::ValueAboveBudget { .. } => "value_above_budget",
            RedFlag::PastEndWithoutExtension { .. } => "past_end_without_extension",
            RedFlag::PaymentWithoutApprovedReport { .. } => "payment_without_approved_report",
            RedFlag::SingleBidder { .. } => "single_bidder",
        }
    }
}

/// The class a citizen follows for news of projects in a ward (a disclosure-log
/// subscription, so STOP, erasure, access and export treat it like any other).
pub fn ward_alert_class(ward: &AreaCode) -> String {
    format!("{WARD_ALERT_PREFIX}{ward}")
}

/// The ward of a ward-alert class.
pub fn ward_of_alert_class(class: &str) -> Option<AreaCode> {
    class
        .strip_prefix(WARD_ALERT_PREFIX)
        .map(|w| AreaCode(w.to_owned()))
}

pub const WARD_ALERT_PREFIX: &str = "ward:";

/// What a ward's subscribers hear about: a tender published, a contract signed or
/// amended, a report approved, the project's status changed.
pub fn alert_of(change: &ProjectChange) -> Option<&'static str> {
    match change {
        ProjectChange::StatusChanged { .. } => Some("status"),
        ProjectChange::ReportApproved { .. } => Some("report"),
        ProjectChange::Released { release, .. } => {
            let tags: Vec<&str> = release
                .get("tag")
                .and_then(Value::as_array)
                .map(|t| t.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if tags.contains(&"tender") {
                Some("tender")
            } else if tags
                .iter()
                .any(|t| *t == "contract" || *t == "contractAmendment")
            {
                Some("contract")
            } else {
                None
            }
        }
        _ => None,
    }
}

/// A ward alert's kind in the subscriber's language.
pub fn alert_word(kind: &str, lang: crate::Language) -> &'static str {
    use crate::Language::{English, French, Kiswahili};
    match (kind, lang) {
        ("tender", Kiswahili) => "zabuni imetangazwa",
        ("tender", French) => "appel d'offres publié",
        ("tender", _) => "tender published",
        ("contract", Kiswahili) => "mkataba umesainiwa au kurekebishwa",
        ("contract", French) => "contrat signé ou modifié",
        ("contract", _) => "contract signed or amended",
        ("report", Kiswahili) => "ripoti imeidhinishwa",
        ("report", French) => "rapport approuvé",
        ("report", _) => "report approved",
        (_, Kiswahili) => "hali imebadilika",
        (_, French) => "statut modifié",
        (_, English) => "status changed",
    }
}

/// The SHA-256 of the project as stored: `verify` compares it with the last event's.
pub fn project_digest(p: &Project) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(
        serde_json::to_vec(p).unwrap_or_default().as_slice(),
    ))
}

/// Where each project event records the project's digest after it.
pub const PROJECT_DIGEST_KEY: &str = "project_sha256";

/// A new project, as a procurement officer registers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewProject {
    pub code: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub department: String,
    pub fiscal_year: String,
    pub sector: Sector,
    pub wards: Vec<AreaCode>,
    #[serde(default)]
    pub location: Option<crate::GeoPoint>,
    pub budget: f64,
    pub status: ProjectStatus,
    #[serde(default)]
    pub target_groups: Vec<TargetGroup>,
    #[serde(default)]
    pub planned_end: Option<NaiveDate>,
}

/// A dated amount.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub description: String,
    pub quantity: f64,
    pub unit: String,
}

/// What staff, PMC members and importers do to a project.
#[derive(Debug, Clone, PartialEq)]
pub enum ProjectCommand {
    Create(Box<NewProject>),
    SetStatus {
        status: ProjectStatus,
        note: String,
    },
    /// Open a contracting process in planning: the budget line and the method.
    Plan {
        budget: f64,
        method: ProcurementMethod,
        rationale: String,
    },
    /// Publish the tender, or amend a published one (with a rationale).
    Tender {
        ocid: String,
        number: String,
        title: String,
        description: String,
        value: f64,
        opens: NaiveDate,
        closes: NaiveDate,
        items: Vec<Item>,
        documents: Vec<(String, String)>,
        rationale: String,
    },
    Award {
        ocid: String,
        supplier: String,
        value: f64,
        date: NaiveDate,
        tenderers: u32,
    },
    Contract {
        ocid: String,
        number: String,
        value: f64,
        signed: NaiveDate,
        starts: NaiveDate,
        ends: NaiveDate,
        documents: Vec<(String, String)>,
    },
    /// A formal change of value or duration, with its reason.
    AmendContract {
        ocid: String,
        value: Option<f64>,
        ends: Option<NaiveDate>,
        rationale: String,
    },
    Payment {
        ocid: String,
        amount: f64,
        date: NaiveDate,
    },
    ElectPmc(Pmc),
    File(Box<NewReport>),
    Approve {
        report: u32,
    },
    Return {
        report: u32,
        reason: String,
    },
    AddDocument {
        kind: DocumentKind,
        title: String,
        file: StoredFile,
        fiscal_year: Option<String>,
    },
    /// A release from another portal, kept as it was.
    Import(Box<Value>),
}

/// What happened to a project: the journal event's payload, and what [`apply`] folds in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ProjectChange {
    Created {
        id: ProjectId,
        jurisdiction: JurisdictionId,
        currency: String,
        project: NewProject,
        by: Changer,
    },
    StatusChanged {
        from: ProjectStatus,
        to: ProjectStatus,
        note: String,
        by: Changer,
    },
    /// A release of a contracting process, published (or imported) as is.
    Released {
        ocid: String,
        release: Box<Value>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        imported: bool,
        by: Changer,
    },
    PmcElected {
        pmc: Pmc,
        by: Changer,
    },
    ReportFiled {
        report: Box<Report>,
    },
    ReportApproved {
        report: u32,
        by: Changer,
    },
    ReportReturned {
        report: u32,
        reason: String,
        by: Changer,
    },
    DocumentAdded {
        document: ProjectDocument,
    },
}

impl ProjectChange {
    pub fn kind(&self) -> crate::EventKind {
        use crate::EventKind as K;
        match self {
            ProjectChange::Created { .. } => K::ProjectCreated,
            ProjectChange::StatusChanged { .. } => K::ProjectStatusChanged,
            ProjectChange::Released { .. } => K::ProjectReleased,
            ProjectChange::PmcElected { .. } => K::PmcElected,
            ProjectChange::ReportFiled { .. } => K::ReportFiled,
            ProjectChange::ReportApproved { .. } => K::ReportApproved,
            ProjectChange::ReportReturned { .. } => K::ReportReturned,
            ProjectChange::DocumentAdded { .. } => K::ProjectDocumentAdded,
        }
    }
    /// Whether the public timeline shows it: drafts and returns stay with staff until a
    /// validator approves.
    pub fn public(&self) -> bool {
        !matches!(
            self,
            ProjectChange::ReportFiled { .. } | ProjectChange::ReportReturned { .. }
        )
    }
    /// The files it brings, to be kept by SHA-256.
    pub fn files(&self) -> Vec<&StoredFile> {
        match self {
            ProjectChange::ReportFiled { report } => report.filed.photos.iter().collect(),
            ProjectChange::DocumentAdded { document } => vec![&document.file],
            _ => vec![],
        }
    }
    pub fn by(&self) -> Option<&Changer> {
        match self {
            ProjectChange::Created { by, .. }
            | ProjectChange::StatusChanged { by, .. }
            | ProjectChange::Released { by, .. }
            | ProjectChange::PmcElected { by, .. }
            | ProjectChange::ReportApproved { by, .. }
            | ProjectChange::ReportReturned { by, .. } => Some(by),
            ProjectChange::ReportFiled { report } => Some(&report.by),
            ProjectChange::DocumentAdded { document } => Some(&document.by),
        }
    }
}

/// Why a change to a project was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProjectError {
    #[error("{0}")]
    Invalid(FieldError),
    #[error("{0}")]
    NotFound(FieldError),
    #[error("a {role} may not {what}")]
    Forbidden { role: Role, what: &'static str },
}

impl From<FieldError> for ProjectError {
    fn from(e: FieldError) -> Self {
        ProjectError::Invalid(e)
    }
}

fn invalid(field: &str, message: impl Into<String>) -> ProjectError {
    ProjectError::Invalid(FieldError::new(field, message))
}

/// Who acts on a project: a staff account, or a PMC member known by phone (SMS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectActor {
    pub name: String,
    pub role: Role,
    /// The staff account's phone, or the number an SMS came from.
    pub phone: Option<PhoneNumber>,
}

impl ProjectActor {
    fn changer(&self) -> Changer {
        Changer {
            name: self.name.clone(),
            role: self.role,
        }
    }
    fn may(&self, roles: &[Role], what: &'static str) -> Result<(), ProjectError> {
        if self.role == Role::SystemAdministrator || roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ProjectError::Forbidden {
                role: self.role,
                what,
            })
        }
    }
}

const MAX_TEXT: usize = 4000;

fn text(field: &str, raw: &str, required: bool) -> Result<String, ProjectError> {
    let t = crate::text::clean(raw).trim().to_owned();
    if required && t.is_empty() {
        return Err(invalid(field, "is required"));
    }
    if t.chars().count() > MAX_TEXT {
        return Err(invalid(field, format!("at most {MAX_TEXT} characters")));
    }
    Ok(t)
}

/// A project code as citizens type it: letters, digits and hyphens, 3 to 20, upper case.
pub fn parse_code(raw: &str) -> Result<String, FieldError> {
    let code = raw.trim().to_ascii_uppercase();
    let ok = (3..=20).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_alphanumeric())
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(code)
    } else {
        Err(FieldError::new(
            "code",
            format!(
                "{raw:?} is not a project code (3-20 letters, digits and hyphens, e.g. EM-RD-014)"
            ),
        ))
    }
}

fn amount(field: &str, v: f64) -> Result<f64, ProjectError> {
    if v.is_finite() && (0.0..1e15).contains(&v) {
        Ok((v * 100.0).round() / 100.0)
    } else {
        Err(invalid(field, format!("{v}: an amount of 0 or more")))
    }
}

fn fiscal_year(raw: &str) -> Result<String, ProjectError> {
    let t = raw.trim();
    let ok = t.len() == 7
        && t[..4].chars().all(|c| c.is_ascii_digit())
        && &t[4..5] == "/"
        && t[5..].chars().all(|c| c.is_ascii_digit())
        && t[2..4]
            .parse::<u32>()
            .ok()
            .zip(t[5..].parse::<u32>().ok())
            .is_some_and(|(a, b)| (a + 1) % 100 == b);
    if ok {
        Ok(t.to_owned())
    } else {
        Err(invalid(
            "fiscal_year",
            format!("{raw:?}: a fiscal year such as 2025/26"),
        ))
    }
}

fn documents(
    ocid: &str,
    kind: &str,
    docs: &[(String, String)],
    date: &str,
) -> Result<Vec<Value>, ProjectError> {
    docs.iter()
        .enumerate()
        .map(|(i, (title, url))| {
            let title = text("documents.title", title, true)?;
            let u = url.trim();
            if !(u.starts_with("https://") || u.starts_with("http://"))
                || u.contains(char::is_whitespace)
            {
                return Err(invalid(
                    "documents.url",
                    format!("{u:?}: a web address starting with https://"),
                ));
            }
            Ok(
                json!({"id": format!("{ocid}-{kind}-{}", i + 1), "documentType": kind,
                      "title": title, "url": u, "datePublished": date}),
            )
        })
        .collect()
}

/// Check a command against the project (none yet for `Create`) and say what it changes.
#[allow(clippy::too_many_arguments)]
/// `base_url` (the server's public address) makes the links in releases absolute.
pub fn decide(
    project: Option<&Project>,
    cmd: ProjectCommand,
    who: &ProjectActor,
    new_id: ProjectId,
    jurisdiction: &JurisdictionId,
    oc: Option<&OpenContracting>,
    base_url: &str,
    now: Timestamp,
) -> Result<Vec<ProjectChange>, ProjectError> {
    // Only the commands that publish a release (or register a project, which sets its
    // currency) need what the jurisdiction publishes under; a PMC report by SMS does not.
    let unpublished;
    let oc = match oc {
        Some(oc) => oc,
        None if matches!(
            cmd,
            ProjectCommand::File(_)
                | ProjectCommand::Return { .. }
                | ProjectCommand::SetStatus { .. }
                | ProjectCommand::ElectPmc(_)
                | ProjectCommand::AddDocument { .. }
        ) =>
        {
            unpublished = OpenContracting {
                ocid_prefix: String::new(),
                project_prefix: String::new(),
                publisher: String::new(),
                currency: project.map(|p| p.currency.clone()).unwrap_or_default(),
            };
            &unpublished
        }
        None => {
            return Err(invalid(
                "open_contracting",
                "the jurisdiction publishes no open contracting data: add an [open_contracting] section to its file",
            ));
        }
    };
    use Role::{
        ImplementationOfficer as Impl, PmcMember, ProcurementOfficer as Proc, ProjectValidator,
    };
    let by = who.changer();
    let p = match (project, cmd) {
        (None, ProjectCommand::Create(new)) => {
            who.may(&[Proc, Impl], "register a project")?;
            let mut new = *new;
            new.code = parse_code(&new.code)?;
            new.title = text("title", &new.title, true)?;
            new.description = text("description", &new.description, false)?;
            new.department = text("department", &new.department, true)?;
            new.fiscal_year = fiscal_year(&new.fiscal_year)?;
            new.budget = amount("budget", new.budget)?;
            // A project imported from another portal may not say its wards; the forms
            // and the API ask for at least one.
            new.wards.sort();
            new.wards.dedup();
            new.target_groups.sort();
            new.target_groups.dedup();
            return Ok(vec![ProjectChange::Created {
                id: new_id,
                jurisdiction: jurisdiction.clone(),
                currency: oc.currency.clone(),
                project: new,
                by,
            }]);
        }
        (None, ProjectCommand::Import(release)) => {
            // Importing into a project that is not there yet: the caller registers it first.
            let _ = release;
            return Err(ProjectError::NotFound(FieldError::new(
                "project",
                "no such project: register it before importing its releases",
            )));
        }
        (None, _) => {
            return Err(ProjectError::NotFound(FieldError::new(
                "project",
                "no such project",
            )));
        }
        (Some(_), ProjectCommand::Create(_)) => {
            return Err(invalid("code", "a project with this code exists already"));
        }
        (Some(p), cmd) => (p, cmd),
    };
    let (p, cmd) = p;
    let date = ocds::date_time(now);
    // The release a staff action publishes: the common fields, then the section.
    let release = |ocid: &str, tag: &str, body: Value| -> Value {
        let n = p.process(ocid).map_or(0, |x| x.releases.len()) + 1;
        let mut r = json!({
            "ocid": ocid,
            "id": format!("{ocid}-{n:03}"),
            "date": date,
            "tag": [tag],
            "initiationType": "tender",
            "language": "en",
            "buyer": {"id": jurisdiction.as_str(), "name": oc.publisher},
        });
        if let (Some(o), Value::Object(b)) = (r.as_object_mut(), body) {
            ocds::merge_into(o, &b);
        }
        r
    };
    let process = |ocid: &str| -> Result<ProcessView, ProjectError> {
        p.process(ocid).map(ProcessView::of).ok_or_else(|| {
            ProjectError::NotFound(FieldError::new(
                "ocid",
                format!("{ocid:?} is not a contracting process of {}", p.code),
            ))
        })
    };
    let released = |ocid: &str, release: Value| ProjectChange::Released {
        ocid: ocid.to_owned(),
        release: Box::new(release),
        imported: false,
        by: by.clone(),
    };
    let money = |a: f64| json!({"amount": a, "currency": oc.currency});
    let change = match cmd {
        ProjectCommand::Create(_) => unreachable!("handled above"),
        ProjectCommand::SetStatus { status, note } => {
            who.may(&[Impl], "change a project's status")?;
            if status == p.status {
                return Err(invalid(
                    "status",
                    format!("the project is already {status}"),
                ));
            }
            ProjectChange::StatusChanged {
                from: p.status,
                to: status,
                note: text("note", &note, true)?,
                by,
            }
        }
        ProjectCommand::Plan {
            budget,
            method,
            rationale,
        } => {
            who.may(&[Proc], "open a contracting process")?;
            let ocid = format!("{}{}-{}", oc.ocid_prefix, p.code, p.processes.len() + 1);
            let budget = amount("budget", budget)?;
            let rationale = text("rationale", &rationale, false)?;
            let mut planning = json!({"budget": {"id": format!("{}-budget", p.code),
                "description": format!("{} ({})", p.title, p.fiscal_year),
                "amount": money(budget), "projectID": p.oc4ids_id(oc), "project": p.title}});
            if !rationale.is_empty() {
                planning["rationale"] = json!(rationale);
            }
            let r = release(
                &ocid,
                "planning",
                json!({"planning": planning,
                       "tender": {"id": format!("{ocid}-tender"), "status": "planned",
                                  "procurementMethod": method.code()}}),
            );
            released(&ocid, r)
        }
        ProjectCommand::Tender {
            ocid,
            number,
            title,
            description,
            value,
            opens,
            closes,
            items,
            documents: docs,
            rationale,
        } => {
            who.may(&[Proc], "publish a tender")?;
            let v = process(&ocid)?;
            if v.supplier.is_some() {
                return Err(invalid("ocid", "the tender is awarded already"));
            }
            if closes < opens {
                return Err(invalid(
                    "closes",
                    format!("the tender closes {closes} before it opens {opens}"),
                ));
            }
            let amend = v.stage == "tender";
            let rationale = text("rationale", &rationale, amend)?;
            let items: Vec<Value> = items
                .iter()
                .enumerate()
                .map(|(i, it)| {
                    Ok(json!({"id": (i + 1).to_string(),
                              "description": text("items.description", &it.description, true)?,
                              "quantity": it.quantity, "unit": {"name": text("items.unit", &it.unit, true)?}}))
                })
                .collect::<Result<_, ProjectError>>()?;
            let mut tender = json!({
                "id": format!("{ocid}-tender"),
                "title": text("title", &title, true)?,
                "description": text("description", &description, false)?,
                "status": "active",
                "value": money(amount("value", value)?),
                "tenderPeriod": {"startDate": ocds::day(opens), "endDate": ocds::day(closes)},
                "procuringEntity": {"id": jurisdiction.as_str(), "name": oc.publisher},
            });
            let number = text("number", &number, true)?;
            tender["id"] = json!(number);
            if !items.is_empty() {
                tender["items"] = json!(items);
            }
            let docs = documents(&ocid, "tenderNotice", &docs, &date)?;
            if !docs.is_empty() {
                tender["documents"] = json!(docs);
            }
            let mut r = release(
                &ocid,
                if amend { "tenderAmendment" } else { "tender" },
                json!({}),
            );
            if amend {
                let previous = p
                    .process(&ocid)
                    .and_then(|x| x.releases.last())
                    .and_then(|r| r.get("id"))
                    .cloned()
                    .unwrap_or(Value::Null);
                let n = p.process(&ocid).map_or(0, |x| x.releases.len()) + 1;
                tender["amendments"] = json!([{"id": format!("{ocid}-tender-amendment-{n}"),
                    "date": date, "rationale": rationale, "amendsReleaseID": previous,
                    "releaseID": r["id"]}]);
            }
            r["tender"] = tender;
            released(&ocid, r)
        }
        ProjectCommand::Award {
            ocid,
            supplier,
            value,
            date: day,
            tenderers,
        } => {
            who.may(&[Proc], "award a tender")?;
            let v = process(&ocid)?;
            if v.stage == "planning" {
                return Err(invalid("ocid", "publish the tender before awarding it"));
            }
            if v.supplier.is_some() {
                return Err(invalid("ocid", "the tender is awarded already"));
            }
            if tenderers == 0 {
                return Err(invalid("tenderers", "at least the winning bid"));
            }
            let supplier = text("supplier", &supplier, true)?;
            let sid = format!("supplier-{}", slug(&supplier));
            let r = release(
                &ocid,
                "award",
                json!({
                    "parties": [{"id": sid, "name": supplier, "roles": ["supplier", "tenderer"]}],
                    "tender": {"id": v.tender_id.clone().unwrap_or_else(|| format!("{ocid}-tender")),
                               "status": "complete", "numberOfTenderers": tenderers},
                    "awards": [{"id": format!("{ocid}-award-1"), "status": "active",
                                "date": ocds::day(day), "value": money(amount("value", value)?),
                                "suppliers": [{"id": sid, "name": supplier}]}],
                }),
            );
            released(&ocid, r)
        }
        ProjectCommand::Contract {
            ocid,
            number,
            value,
            signed,
            starts,
            ends,
            documents: docs,
        } => {
            who.may(&[Proc], "sign a contract")?;
            let v = process(&ocid)?;
            if v.supplier.is_none() {
                return Err(invalid(
                    "ocid",
                    "award the tender before signing its contract",
                ));
            }
            if v.contract_id.is_some() {
                return Err(invalid(
                    "ocid",
                    "the contract is signed already: amend it instead",
                ));
            }
            if ends < starts {
                return Err(invalid(
                    "ends",
                    format!("the contract ends {ends} before it starts {starts}"),
                ));
            }
            let mut contract = json!({
                "id": text("number", &number, true)?,
                "awardID": format!("{ocid}-award-1"),
                "status": "active",
                "value": money(amount("value", value)?),
                "dateSigned": ocds::day(signed),
                "period": {"startDate": ocds::day(starts), "endDate": ocds::day(ends)},
            });
            let docs = documents(&ocid, "contractSigned", &docs, &date)?;
            if !docs.is_empty() {
                contract["documents"] = json!(docs);
            }
            let r = release(&ocid, "contract", json!({"contracts": [contract]}));
            released(&ocid, r)
        }
        ProjectCommand::AmendContract {
            ocid,
            value,
            ends,
            rationale,
        } => {
            who.may(&[Proc], "amend a contract")?;
            let v = process(&ocid)?;
            let Some(cid) = v.contract_id.clone() else {
                return Err(invalid("ocid", "no contract is signed yet"));
            };
            if value.is_none() && ends.is_none() {
                return Err(invalid("value", "a new value or a new end date"));
            }
            let rationale = text("rationale", &rationale, true)?;
            let n = p.process(&ocid).map_or(0, |x| x.releases.len()) + 1;
            let previous = p
                .process(&ocid)
                .and_then(|x| x.releases.last())
                .and_then(|r| r.get("id"))
                .cloned()
                .unwrap_or(Value::Null);
            let mut r = release(&ocid, "contractAmendment", json!({}));
            let mut contract = json!({"id": cid, "awardID": v.award_id});
            let mut what = vec![];
            if let Some(value) = value {
                contract["value"] = money(amount("value", value)?);
                what.push(format!("value {:.2} {}", value, oc.currency));
            }
            if let Some(ends) = ends {
                contract["period"] = json!({"endDate": ocds::day(ends)});
                what.push(format!("end {ends}"));
            }
            contract["amendments"] = json!([{"id": format!("{ocid}-amendment-{n}"),
                "date": date, "rationale": rationale, "description": what.join("; "),
                "amendsReleaseID": previous, "releaseID": r["id"]}]);
            r["contracts"] = json!([contract]);
            released(&ocid, r)
        }
        ProjectCommand::Payment {
            ocid,
            amount: a,
            date: day,
        } => {
            who.may(&[Impl], "record a payment")?;
            let v = process(&ocid)?;
            let Some(cid) = v.contract_id.clone() else {
                return Err(invalid("ocid", "no contract is signed yet"));
            };
            let n = v.payments.len() + 1;
            let r = release(
                &ocid,
                "implementation",
                json!({"contracts": [{"id": cid, "awardID": v.award_id, "implementation": {"transactions": [{
                    "id": format!("{ocid}-payment-{n}"), "date": ocds::day(day),
                    "value": money(amount("amount", a)?),
                    "payer": {"id": jurisdiction.as_str(), "name": oc.publisher},
                    "payee": {"id": format!("supplier-{}", slug(v.supplier.as_deref().unwrap_or(""))),
                              "name": v.supplier.clone().unwrap_or_default()}}]}}]}),
            );
            released(&ocid, r)
        }
        ProjectCommand::ElectPmc(mut pmc) => {
            who.may(&[Impl], "record a PMC's election")?;
            pmc.forum = text("forum", &pmc.forum, true)?;
            if pmc.members.is_empty() {
                return Err(invalid("members", "at least one member"));
            }
            for m in &mut pmc.members {
                m.name = text("members.name", &m.name, true)?;
                m.designation = text("members.designation", &m.designation, false)?;
            }
            ProjectChange::PmcElected { pmc, by }
        }
        ProjectCommand::File(mut new) => {
            match new.kind {
                ReportKind::Pmc => {
                    who.may(&[PmcMember], "file a PMC report")?;
                    if who.role == PmcMember {
                        let member = who
                            .phone
                            .as_ref()
                            .and_then(|ph| p.pmc.as_ref()?.member_by_phone(ph));
                        if member.is_none() {
                            return Err(ProjectError::Forbidden {
                                role: who.role,
                                what: "report on a project whose committee they are not on",
                            });
                        }
                    }
                }
                ReportKind::Inspection => who.may(&[Impl], "file an inspection report")?,
            }
            new.text = text("text", &new.text, true)?;
            new.social_safeguards = text("social_safeguards", &new.social_safeguards, false)?;
            new.emerging_complaints = text("emerging_complaints", &new.emerging_complaints, false)?;
            new.challenges = text("challenges", &new.challenges, false)?;
            let id = p.reports.iter().map(|r| r.id).max().unwrap_or(0) + 1;
            ProjectChange::ReportFiled {
                report: Box::new(Report {
                    id,
                    filed: *new,
                    by,
                    filed_at: now,
                    state: ReportState::Draft,
                }),
            }
        }
        ProjectCommand::Approve { report } => {
            who.may(&[ProjectValidator], "approve a report")?;
            let r = p.report(report).ok_or_else(|| {
                ProjectError::NotFound(FieldError::new("report", format!("no report {report}")))
            })?;
            if r.state != ReportState::Draft {
                return Err(invalid("report", format!("report {report} is not a draft")));
            }
            let mut out = vec![ProjectChange::ReportApproved {
                report,
                by: by.clone(),
            }];
            // Once approved it is published in the OCDS implementation section of the
            // project's signed contract, as a reporting milestone (with its photos).
            if let Some((process, cid, award)) = p.processes.iter().rev().find_map(|x| {
                let v = ProcessView::of(x);
                v.contract_id.map(|c| (x, c, v.award_id))
            }) {
                let ocid = &process.ocid;
                let title = format!(
                    "{} report {}: {}",
                    match r.filed.kind {
                        ReportKind::Pmc => "PMC",
                        ReportKind::Inspection => "Inspection",
                    },
                    r.id,
                    r.filed.status
                );
                let mut description = r.filed.text.clone();
                for (label, v) in [
                    ("Social safeguards", &r.filed.social_safeguards),
                    ("Emerging complaints", &r.filed.emerging_complaints),
                    ("Challenges", &r.filed.challenges),
                ] {
                    if !v.is_empty() {
                        description.push_str(&format!("\n{label}: {v}"));
                    }
                }
                if r.filed.handover {
                    description.push_str("\nHanded over to the community.");
                }
                let photos: Vec<Value> = r
                    .filed
                    .photos
                    .iter()
                    .map(|f| {
                        json!({"id": f.sha256, "documentType": "physicalProgressReport",
                        "title": f.filename, "format": f.media_type,
                        "url": format!("{base_url}/projects/{}/files/{}", p.code, f.sha256)})
                    })
                    .collect();
                let mut milestone = json!({
                    "id": format!("{}-report-{}", p.code, r.id),
                    "title": title, "type": "reporting", "description": description,
                    "status": if r.filed.status == PmcStatus::OnTrack { "met" } else { "notMet" },
                    "dateMet": date, "dateModified": date,
                });
                if !photos.is_empty() {
                    milestone["documents"] = json!(photos);
                }
                let rel = release(
                    ocid,
                    "implementation",
                    json!({"contracts": [{"id": cid, "awardID": award, "implementation": {"milestones": [milestone]}}]}),
                );
                out.push(released(ocid, rel));
            }
            return Ok(out);
        }
        ProjectCommand::Return { report, reason } => {
            who.may(&[ProjectValidator], "return a report")?;
            let r = p.report(report).ok_or_else(|| {
                ProjectError::NotFound(FieldError::new("report", format!("no report {report}")))
            })?;
            if r.state != ReportState::Draft {
                return Err(invalid("report", format!("report {report} is not a draft")));
            }
            ProjectChange::ReportReturned {
                report,
                reason: text("reason", &reason, true)?,
                by,
            }
        }
        ProjectCommand::AddDocument {
            kind,
            title,
            file,
            fiscal_year: fy,
        } => {
            who.may(&[Proc, Impl], "add a document")?;
            if file.sha256.len() != 64 || !file.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(invalid("file", "a document without its SHA-256"));
            }
            ProjectChange::DocumentAdded {
                document: ProjectDocument {
                    id: p.documents.iter().map(|d| d.id).max().unwrap_or(0) + 1,
                    kind,
                    title: text("title", &title, true)?,
                    file,
                    fiscal_year: fy.map(|f| fiscal_year(&f)).transpose()?,
                    added_at: now,
                    by,
                },
            }
        }
        ProjectCommand::Import(release) => {
            who.may(&[Proc], "import releases")?;
            let meta = ocds::ReleaseMeta::of(&release)
                .ok_or_else(|| invalid("release", "a release needs ocid, id, date and tag"))?;
            if let Some(x) = p.process(&meta.ocid)
                && x.releases.iter().any(|r| r.get("id") == release.get("id"))
            {
                return Err(invalid(
                    "release",
                    format!("{} already holds release {:?}", meta.ocid, meta.id),
                ));
            }
            ProjectChange::Released {
                ocid: meta.ocid,
                release,
                imported: true,
                by,
            }
        }
    };
    Ok(vec![change])
}

/// A lowercase ASCII slug (for parties' ids).
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// Fold a change into the project.
pub fn apply(project: Option<Project>, change: &ProjectChange, at: Timestamp) -> Option<Project> {
    if let ProjectChange::Created {
        id,
        jurisdiction,
        currency,
        project: new,
        ..
    } = change
    {
        let new = new.clone();
        return Some(Project {
            id: *id,
            jurisdiction: jurisdiction.clone(),
            code: new.code,
            title: new.title,
            description: new.description,
            department: new.department,
            fiscal_year: new.fiscal_year,
            sector: new.sector,
            wards: new.wards,
            location: new.location,
            budget: new.budget,
            currency: currency.clone(),
            status: new.status,
            target_groups: new.target_groups,
            planned_end: new.planned_end,
            pmc: None,
            reports: vec![],
            documents: vec![],
            processes: vec![],
            created_at: at,
            updated_at: at,
            version: 1,
        });
    }
    let mut p = project?;
    match change {
        ProjectChange::Created { .. } => {}
        ProjectChange::StatusChanged { to, .. } => p.status = *to,
        ProjectChange::Released { ocid, release, .. } => {
            match p.processes.iter_mut().find(|x| &x.ocid == ocid) {
                Some(x) => x.releases.push((**release).clone()),
                None => p.processes.push(Process {
                    ocid: ocid.clone(),
                    releases: vec![(**release).clone()],
                }),
            }
        }
        ProjectChange::PmcElected { pmc, .. } => p.pmc = Some(pmc.clone()),
        ProjectChange::ReportFiled { report } => p.reports.push((**report).clone()),
        ProjectChange::ReportApproved { report, by } => {
            if let Some(r) = p.reports.iter_mut().find(|r| r.id == *report) {
                r.state = ReportState::Approved { by: by.clone(), at };
            }
        }
        ProjectChange::ReportReturned { report, reason, by } => {
            if let Some(r) = p.reports.iter_mut().find(|r| r.id == *report) {
                r.state = ReportState::Returned {
                    by: by.clone(),
                    at,
                    reason: reason.clone(),
                };
            }
        }
        ProjectChange::DocumentAdded { document } => p.documents.push(document.clone()),
    }
    p.updated_at = at;
    p.version += 1;
    Some(p)
}

/// The project as an OC4IDS 0.9 project, with a summary and linked releases for each
/// contracting process. `base_url` makes the release links absolute.
pub fn oc4ids_project(
    p: &Project,
    oc: &OpenContracting,
    base_url: &str,
    ward_names: &dyn Fn(&AreaCode) -> String,
) -> Value {
    let money = |a: f64| json!({"amount": a, "currency": p.currency});
    let mut project = json!({
        "id": p.oc4ids_id(oc),
        "updated": ocds::date_time(p.updated_at),
        "language": "en",
        "title": p.title,
        "status": p.status.code(),
        "sector": [p.sector.code()],
        "publicAuthority": {"id": p.jurisdiction.as_str(), "name": oc.publisher},
        "budget": {"amount": money(p.budget),
                   "description": format!("{} budget, fiscal year {}", p.department, p.fiscal_year)},
        "identifiers": [{"id": p.code, "scheme": format!("{}-project-code", p.jurisdiction)}],
        "locations": p.wards.iter().map(|w| {
            let mut l = json!({"id": w.as_str(), "description": ward_names(w)});
            if let Some(g) = &p.location {
                l["geometry"] = json!({"type": "Point", "coordinates": [g.lon, g.lat]});
            }
            l
        }).collect::<Vec<_>>(),
    });
    if !p.description.is_empty() {
        project["description"] = json!(p.description);
    }
    let mut processes = vec![];
    let mut transactions = vec![];
    for x in &p.processes {
        let v = ProcessView::of(x);
        let mut summary = json!({"ocid": x.ocid,
            "status": match v.stage { "planning" | "tender" => "pre-award", _ if p.status == ProjectStatus::Completion => "closed", _ => "active" }});
        if let Some(t) = &v.tender_title {
            summary["title"] = json!(t);
        }
        if let Some(s) = &v.supplier {
            summary["suppliers"] = json!([{"id": format!("supplier-{}", slug(s)), "name": s}]);
        }
        if let Some(c) = v.contract_value {
            summary["contractValue"] = money(c);
        }
        if let (Some(s), Some(e)) = (&v.contract_signed, &v.contract_ends) {
            summary["contractPeriod"] = json!({"startDate": s, "endDate": e});
        }
        let c = x.compiled();
        if let Some(mods) = at(&c, &["contracts"])
            .and_then(Value::as_array)
            .and_then(|a| a.last())
            .and_then(|c| c.get("amendments"))
            .and_then(Value::as_array)
        {
            summary["modifications"] = json!(
                mods.iter()
                    .map(|m| {
                        let mut out =
                            json!({"id": m.get("id").cloned().unwrap_or(json!("amendment"))});
                        for k in ["date", "description", "rationale", "releaseID"] {
                            if let Some(v) = m.get(k) {
                                out[k] = v.clone();
                            }
                        }
                        out
                    })
                    .collect::<Vec<_>>()
            );
        }
        for (i, (date, a)) in v.payments.iter().enumerate() {
            transactions.push(json!({"id": format!("{}-payment-{}", x.ocid, i + 1), "date": date, "value": money(*a)}));
        }
        let releases: Vec<Value> = x
            .releases
            .iter()
            .filter_map(|r| {
                let m = ocds::ReleaseMeta::of(r)?;
                Some(json!({"id": m.id, "tag": m.tags, "date": m.date,
                            "url": format!("{base_url}/ocds/releases/{}.json", x.ocid)}))
            })
            .collect();
        processes.push(json!({"id": x.ocid, "summary": summary, "releases": releases}));
    }
    if !processes.is_empty() {
        project["contractingProcesses"] = json!(processes);
    }
    if !transactions.is_empty() {
        project["transactions"] = json!(transactions);
    }
    let mut documents: Vec<Value> = p
        .documents
        .iter()
        .map(|d| json!({"id": format!("doc-{}", d.id), "documentType": match d.kind {
                DocumentKind::AuditReport => "finalAudit", DocumentKind::BillOfQuantities => "billOfQuantity",
                DocumentKind::ProjectPlan => "projectPlan", DocumentKind::CompletionCertificate => "completionCertificate",
                DocumentKind::Other => "projectAdditionalInformation" },
            "title": d.title, "format": d.file.media_type,
            "url": format!("{base_url}/projects/{}/files/{}", p.code, d.file.sha256),
            "datePublished": ocds::date_time(d.added_at)}))
        .collect();
    for r in p.reports.iter().filter(|r| r.approved_at().is_some()) {
        documents.push(json!({"id": format!("report-{}", r.id), "documentType": "oversightReport",
            "title": format!("{} report {}: {}", match r.filed.kind { ReportKind::Pmc => "PMC", ReportKind::Inspection => "Inspection" }, r.id, r.filed.status),
            "description": r.filed.text, "url": format!("{base_url}/projects/{}#report-{}", p.code, r.id),
            "datePublished": r.approved_at().map(ocds::date_time)}));
    }
    if !documents.is_empty() {
        project["documents"] = json!(documents);
    }
    project
}

#[cfg(test)]
mod tests;

/// A concern about a project belongs to the project's implementing department from
/// intake: its coordinators see it at once, and triage keeps it there (`lifecycle`).
pub fn route_concern(new: &mut crate::NewCase, p: &Project) {
    let about = matches!(&new.subject, Some(crate::Subject::Project(c)) if *c == p.code);
    if about && new.jurisdiction == p.jurisdiction && new.department.is_none() {
        new.department = Some(p.department.clone());
    }
}
