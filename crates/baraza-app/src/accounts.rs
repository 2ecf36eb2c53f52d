//! Staff accounts: the rule that keeps a county able to administer itself. Nobody
//! disables their own account, and the last active system administrator of a
//! jurisdiction cannot be disabled (the console and the CLI both ask here).

use crate::{Error, Result};
use baraza_core::{Role, StaffUser};
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
