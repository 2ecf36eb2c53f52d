//! Staff accounts: the rule that keeps a county able to administer itself. Nobody
//! disables their own account, and the last active system administrator of a
//! jurisdiction cannot be disabled (the console and the CLI both ask here).

use crate::{Error, Result};
use baraza_core::{
    AreaCode, FieldError, JurisdictionId, Role, Scope, StaffUser, Timestamp, UserId,
};
use baraza_store::Store;

/// Whether `target` may be disabled, by `by` (none: the command line, on the server).
pub async fn may_disable(
    store: &dyn Store,
    by: Option<&StaffUser>,
    target: &StaffUser,
) -> Result<()> {
    if by.is_some_and(|b| b.id == target.id) {
        return Err(Error::forbidden(
            "cannot_disable_self",
            "you cannot disable your own account; ask another administrator",
        ));
    }
    if target.role == Role::SystemAdministrator && !target.disabled {
        let others = store
            .users(Some(&target.jurisdiction))
            .await?
            .into_iter()
            .filter(|u| u.role == Role::SystemAdministrator && !u.disabled && u.id != target.id)
            .count();
        if others == 0 {
            return Err(Error::forbidden(
                "last_administrator",
                "this is the jurisdiction's last active system administrator; add another first",
            ));
        }
    }
    Ok(())
}

/// A staff user as an administrator describes one (the console's form; empty means not
/// given).
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub username: String,
    pub name: String,
    pub role: String,
    /// An area's code (a ward or sub-county administrator's).
    pub area: String,
    /// A department's code (a coordinator's, a director's, an implementation officer's).
    pub department: String,
    pub email: String,
    /// E.164 (`+254712345678`), for the staff member's own SMS.
    pub phone: String,
}

/// Check a new user of jurisdiction `j` whole (every mistake named by its field): a free
/// username, a role, the scope the role needs, in this jurisdiction.
pub async fn new_user(
    store: &dyn Store,
    j: &JurisdictionId,
    n: NewUser,
    now: Timestamp,
) -> Result<StaffUser> {
    let mut errors: Vec<FieldError> = Vec::new();
    let username = match baraza_core::staff::parse_username(n.username.trim()) {
        Ok(u) => {
            if store.user_by_username(&u).await?.is_some() {
                errors.push(FieldError::new("username", format!("{u:?} is taken")));
            }
            Some(u)
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let role = match n.role.trim().parse::<Role>() {
        Ok(r) => Some(r),
        Err(e) => {
            errors.push(FieldError::new("role", e.message));
            None
        }
    };
    let scope = parse_scope(store, j, &n.area, &n.department, &mut errors).await?;
    if let (Some(r), Some(s)) = (role, &scope)
        && let Err(e) = s.check_for(r)
    {
        errors.push(e);
    }
    let email = match n.email.trim() {
        "" => None,
        e => match baraza_core::Email::parse(e) {
            Ok(e) => Some(e),
            Err(e) => {
                errors.push(FieldError::new("email", e.message));
                None
            }
        },
    };
    let phone = match n.phone.trim() {
        "" => None,
        p => match baraza_core::PhoneNumber::parse(p) {
            Ok(p) => Some(p),
            Err(e) => {
                errors.push(FieldError::new("phone", e.message));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let (Some(username), Some(role), Some(scope)) = (username, role, scope) else {
        return Err(Error::Internal("validated fields missing".into()));
    };
    let name = n.name.trim();
    let user = StaffUser {
        id: UserId(uuid::Uuid::new_v4()),
        jurisdiction: j.clone(),
        display_name: if name.is_empty() {
            username.clone()
        } else {
            name.chars().take(200).collect()
        },
        username,
        role,
        scope,
        email,
        phone,
        disabled: false,
        created_at: now,
    };
    store.add_user(&user).await?;
    Ok(user)
}

/// The scope an administrator chose: an area, a department, or neither (the whole
/// jurisdiction); `None` with the mistake recorded when it does not exist here.
async fn parse_scope(
    store: &dyn Store,
    j: &JurisdictionId,
    area: &str,
    department: &str,
    errors: &mut Vec<FieldError>,
) -> Result<Option<Scope>> {
    let (area, department) = (area.trim(), department.trim());
    Ok(match (area.is_empty(), department.is_empty()) {
        (false, false) => {
            errors.push(FieldError::new(
                "scope",
                "an area or a department, not both",
            ));
            None
        }
        (false, true) => {
            if store.areas(j).await?.iter().any(|a| a.code.0 == area) {
                Some(Scope::Area(AreaCode(area.to_owned())))
            } else {
                errors.push(FieldError::new("area", format!("no area {area:?} here")));
                None
            }
        }
        (true, false) => {
            if store
                .departments(j)
                .await?
                .iter()
                .any(|d| d.code == department)
            {
                Some(Scope::Department(department.to_owned()))
            } else {
                errors.push(FieldError::new(
                    "department",
                    format!("no department {department:?} here"),
                ));
                None
            }
        }
        (true, true) => Some(Scope::Jurisdiction),
    })
}

/// Give `target` another role and scope, checked as for a new user. Nobody changes their
/// own role, and the last active system administrator keeps theirs (so that the county
/// can still administer itself).
pub async fn change_role(
    store: &dyn Store,
    by: &StaffUser,
    target: &StaffUser,
    role: &str,
    area: &str,
    department: &str,
) -> Result<StaffUser> {
    if by.id == target.id {
        return Err(Error::forbidden(
            "cannot_change_own_role",
            "you cannot change your own role; ask another administrator",
        ));
    }
    let mut errors: Vec<FieldError> = Vec::new();
    let role = match role.trim().parse::<Role>() {
        Ok(r) => Some(r),
        Err(e) => {
            errors.push(FieldError::new("role", e.message));
            None
        }
    };
    let scope = parse_scope(store, &target.jurisdiction, area, department, &mut errors).await?;
    if let (Some(r), Some(s)) = (role, &scope)
        && let Err(e) = s.check_for(r)
    {
        errors.push(e);
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let (Some(role), Some(scope)) = (role, scope) else {
        return Err(Error::Internal("validated fields missing".into()));
    };
    if target.role == Role::SystemAdministrator && role != Role::SystemAdministrator {
        // The same rule as disabling: the last administrator stays one.
        may_disable(store, Some(by), target).await?;
    }
    store.set_user_role(target.id, role, &scope).await?;
    Ok(StaffUser {
        role,
        scope,
        ..target.clone()
    })
}
