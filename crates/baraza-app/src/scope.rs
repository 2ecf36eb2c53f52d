//! Who may see and file what: one scope rule for every surface. A ward or sub-county
//! administrator sees cases in wards within their area; a coordinator or director sees
//! their department's; the others their whole jurisdiction.

use crate::JurisdictionCatalog;
use baraza_core::lifecycle::{ActionKind, ActorRole, may};
use baraza_core::{AreaCode, Case, CaseFilter, Role, Scope, StaffUser};

/// Roles that take concerns in on a citizen's behalf (counter, phone, letters), and the
/// Open311 integrations that file for their users.
pub fn may_file(role: Role) -> bool {
    matches!(role, Role::Open311Integration | Role::InformationOfficer)
        || may(ActorRole::Staff(role), ActionKind::Assign)
}

/// Whether the user may see this case at all.
pub fn visible(user: &StaffUser, case: &Case, cat: &JurisdictionCatalog) -> bool {
    case.jurisdiction == user.jurisdiction && user.scope.covers(case, &cat.areas)
}

/// Narrow a listing to what the user may see: their jurisdiction, their area or department.
pub fn restrict(user: &StaffUser, cat: &JurisdictionCatalog, filter: &mut CaseFilter) {
    filter.jurisdiction = Some(user.jurisdiction.clone());
    match &user.scope {
        Scope::Jurisdiction => {}
        Scope::Area(area) => filter.wards_in = Some(cat.areas.wards_within(area)),
        Scope::Department(d) => filter.department_in = Some(d.clone()),
    }
}

/// Whether the user may file a case in this ward: an area-scoped user only within their
/// area (and not without a ward); everyone else anywhere in their jurisdiction.
pub fn may_file_in(user: &StaffUser, cat: &JurisdictionCatalog, ward: Option<&AreaCode>) -> bool {
    match &user.scope {
        Scope::Area(area) => ward.is_some_and(|w| cat.areas.is_within(w, area)),
        _ => true,
    }
}
