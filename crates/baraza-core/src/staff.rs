//! Staff, their roles and scopes, and API tokens. A role says what someone may do; a
//! scope says on which cases (a ward, a sub-county, a department, or the whole jurisdiction).

use crate::{AreaCode, AreaTree, Case, FieldError, JurisdictionId, Timestamp};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub uuid::Uuid);

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

string_enum! {
    /// Who staff are; see ARCHITECTURE.md for what each may do.
    pub enum Role {
        CommunicationsDesk => "communications_desk",
        WardAdministrator => "ward_administrator",
        SubCountyAdministrator => "sub_county_administrator",
        FeedbackCoordinator => "feedback_coordinator",
        DepartmentDirector => "department_director",
        CountyExecutive => "county_executive",
        Observer => "observer",
        Auditor => "auditor",
        SystemAdministrator => "system_administrator",
        /// An Open311 client (FixMyStreet, a partner's app): files requests for its users
        /// and relays their updates, only on the requests it filed itself; reads what
        /// Open311 clients read. Never a caseworker.
        Open311Integration => "open311_integration",
        /// The information access officer (Kenya ATI s.15 delegation; Ghana Act 989 s.19):
        /// holds information requests, their clocks and decisions.
        InformationOfficer => "information_officer",
        /// The open government point of contact (OGP): keeps the jurisdiction's action
        /// plans, sets milestones' statuses, answers civil society's proposals.
        OgpPointOfContact => "ogp_point_of_contact",
        /// A civil-society member of the multi-stakeholder forum: proposes status changes
        /// and evidence, comments on milestones. Never a caseworker.
        CivilSociety => "civil_society",
        /// Keeps the contracting processes of public projects: plans, tenders, awards,
        /// contracts and their amendments.
        ProcurementOfficer => "procurement_officer",
        /// The implementing department's officer: project status, payments, inspection
        /// reports, the PMC's election. Scoped to a department.
        ImplementationOfficer => "implementation_officer",
        /// A member of a project management committee: files reports on the projects
        /// whose committee lists their phone. Never a caseworker.
        PmcMember => "pmc_member",
        /// Approves or returns PMC and inspection reports before they are published.
        ProjectValidator => "project_validator",
    }
}

impl Role {
    /// Whether the role may see citizens' contact details and names.
    pub fn sees_personal_data(self) -> bool {
        !matches!(self, Role::Observer)
    }
    /// Whether the role may see internal journal events (staff's notes). Every staff role
    /// may, except civil-society observers.
    pub fn sees_internal_events(self) -> bool {
        !matches!(self, Role::Observer)
    }
}

/// On which cases a user may act.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "code", rename_all = "snake_case")]
pub enum Scope {
    /// The whole jurisdiction.
    Jurisdiction,
    /// An area and everything below it (a ward, a sub-county).
    Area(AreaCode),
    /// Cases assigned to a department (or routed to it by their category).
    Department(String),
}

impl Scope {
    /// The scope a role needs: ward and sub-county administrators need an area;
    /// coordinators and directors a department; the others the whole jurisdiction.
    pub fn check_for(&self, role: Role) -> Result<(), FieldError> {
        let ok = match role {
            Role::WardAdministrator | Role::SubCountyAdministrator => {
                matches!(self, Scope::Area(_))
            }
            Role::FeedbackCoordinator | Role::DepartmentDirector | Role::ImplementationOfficer => {
                matches!(self, Scope::Department(_))
            }
            _ => matches!(self, Scope::Jurisdiction),
        };
        if ok {
            Ok(())
        } else {
            let need = match role {
                Role::WardAdministrator | Role::SubCountyAdministrator => "an area (--area CODE)",
                Role::FeedbackCoordinator
                | Role::DepartmentDirector
                | Role::ImplementationOfficer => "a department (--department CODE)",
                _ => "the whole jurisdiction (no --area or --department)",
            };
            Err(FieldError::new(
                "scope",
                format!("a {role} is scoped to {need}"),
            ))
        }
    }

    /// Whether a case lies within this scope.
    pub fn covers(&self, case: &Case, tree: &AreaTree) -> bool {
        match self {
            Scope::Jurisdiction => true,
            Scope::Area(area) => {
                case.ladder.iter().any(|c| c == area)
                    || case.ward.as_ref().is_some_and(|w| tree.is_within(w, area))
            }
            Scope::Department(d) => case.department.as_deref() == Some(d.as_str()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffUser {
    pub id: UserId,
    pub jurisdiction: JurisdictionId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub scope: Scope,
    pub email: Option<crate::Email>,
    pub phone: Option<crate::PhoneNumber>,
    pub disabled: bool,
    pub created_at: Timestamp,
}

pub fn parse_username(s: &str) -> Result<String, FieldError> {
    let ok = (2..=64).contains(&s.len())
        && s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_')
        });
    if ok {
        Ok(s.to_owned())
    } else {
        Err(FieldError::new(
            "username",
            "use 2-64 lowercase letters, digits, dots, hyphens or underscores",
        ))
    }
}

/// An API token as stored: only the SHA-256 of the secret is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: uuid::Uuid,
    pub user: UserId,
    pub name: String,
    pub secret_sha256: String,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

/// The secret a client presents; shown once at creation, never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret(String);

impl TokenSecret {
    const PREFIX: &'static str = "bz_";

    pub fn generate(rng: &mut impl RngCore) -> Self {
        let mut bytes = [0u8; 24];
        rng.fill_bytes(&mut bytes);
        Self(format!("{}{}", Self::PREFIX, hex::encode(bytes)))
    }

    /// Wrap a presented secret (from an `Authorization` header or the demo fixture).
    pub fn from_presented(s: &str) -> Self {
        Self(s.to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn sha256_hex(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

impl std::fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSecret(<redacted>)")
    }
}

/// What the console's sign-in needs to know about a user, beside the user.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// An argon2id PHC string; `None` until an administrator sets a password.
    pub password_hash: Option<String>,
    pub failed_logins: u32,
    pub locked_until: Option<Timestamp>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field(
                "password_hash",
                &self.password_hash.as_ref().map(|_| "<redacted>"),
            )
            .field("failed_logins", &self.failed_logins)
            .field("locked_until", &self.locked_until)
            .finish()
    }
}

/// A signed-in console session. The cookie carries a secret; only its SHA-256 is stored.
/// The CSRF token is tied to the session and checked on every form post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id_sha256: String,
    pub user: UserId,
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}
