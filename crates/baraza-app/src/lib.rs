//! Baraza's application layer: the rules every surface shares, in one place. Intake from
//! every channel, staff actions, scope, reading cases, and the privacy projection that
//! decides what each audience sees. It sits between the store and the HTTP surfaces
//! (API, console, public pages, Open311, webhooks), which call it and never each other.
//! It knows no HTTP: errors are [`Error`], and each surface renders them its own way.

pub mod accounts;
pub mod actions;
pub mod catalog;
pub mod concerns;
pub mod disclosure;
pub mod error;
pub mod information;
pub mod input;
pub mod intake;
pub mod open_contracting;
pub mod plans;
pub mod privacy;
pub mod projects;
pub mod rights;
pub mod scope;
pub mod spreadsheet;
pub mod updates;
pub mod words;

pub use catalog::{Catalog, JurisdictionCatalog};
pub use error::{Error, FieldErrors, Result};

use baraza_core::{CaseNumber, Citizen, CitizenId, Clock, StaffUser};
use baraza_store::Store;
use std::sync::Arc;

/// The application's services for one request: borrowed from the server's state, so
/// making one costs nothing.
#[derive(Clone, Copy)]
pub struct App<'a> {
    pub store: &'a dyn Store,
    pub clock: &'a dyn Clock,
    pub catalog: &'a Catalog,
}

impl<'a> App<'a> {
    pub fn new(store: &'a dyn Store, clock: &'a dyn Clock, catalog: &'a Catalog) -> Self {
        Self {
            store,
            clock,
            catalog,
        }
    }

    /// The reference data of the user's jurisdiction.
    pub async fn catalog_of(&self, user: &StaffUser) -> Result<Arc<JurisdictionCatalog>> {
        self.catalog_knowing(user, None, None, None).await
    }

    /// The catalog, reloaded once if it does not yet know a code the request names.
    pub async fn catalog_knowing(
        &self,
        user: &StaffUser,
        ward: Option<&str>,
        category: Option<&str>,
        department: Option<&str>,
    ) -> Result<Arc<JurisdictionCatalog>> {
        let knows = |c: &JurisdictionCatalog| {
            ward.is_none_or(|w| c.areas.get(&baraza_core::AreaCode(w.to_owned())).is_some())
                && category.is_none_or(|k| c.category(k).is_some())
                && department.is_none_or(|d| c.department(d).is_some())
        };
        self.catalog
            .fresh(self.store, &user.jurisdiction, knows)
            .await?
            .ok_or_else(|| {
                Error::Internal(format!(
                    "jurisdiction {} has no reference data",
                    user.jurisdiction
                ))
            })
    }

    /// A case the user may see, by its reference as typed; a case outside their scope
    /// answers exactly like one that does not exist.
    pub async fn visible_case(
        &self,
        user: &StaffUser,
        reference: &str,
    ) -> Result<(baraza_core::Case, Arc<JurisdictionCatalog>)> {
        let number =
            CaseNumber::parse(reference).map_err(|e| Error::invalid("reference", e.to_string()))?;
        let cat = self.catalog_of(user).await?;
        match self.store.case_by_number(number).await? {
            Some(case) if scope::visible(user, &case, &cat) => Ok((case, cat)),
            _ => Err(Error::NotFound("case")),
        }
    }

    /// After a write has committed, a failed read must not turn success into an error
    /// (the client would retry a write that is already stored): the citizen is left out.
    pub async fn best_effort_citizen(&self, id: CitizenId) -> Option<Citizen> {
        match self.store.citizen(id).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "reading a citizen after a committed write");
                None
            }
        }
    }

    /// The citizens a list needs to show its cases to `audience`: looked up only where the
    /// audience reads texts masked or with consent (the name must be masked, the consent
    /// known); otherwise none, and lists cost one query.
    pub async fn citizens_for_list(
        &self,
        cases: &[baraza_core::Case],
        audience: privacy::Audience,
    ) -> Result<Vec<Option<Citizen>>> {
        let needs = !matches!(
            privacy::rules(audience).description,
            privacy::TextRule::Full | privacy::TextRule::Hidden
        );
        if !needs {
            return Ok(vec![None; cases.len()]);
        }
        self.citizens_of(cases).await
    }

    /// The citizen behind each case, in the cases' order, read in one query.
    pub async fn citizens_of(&self, cases: &[baraza_core::Case]) -> Result<Vec<Option<Citizen>>> {
        let mut ids: Vec<baraza_core::CitizenId> = cases.iter().filter_map(|c| c.citizen).collect();
        ids.sort_unstable_by_key(|i| i.0);
        ids.dedup();
        let found: std::collections::HashMap<_, _> = self
            .store
            .citizens(&ids)
            .await?
            .into_iter()
            .map(|z| (z.id, z))
            .collect();
        Ok(cases
            .iter()
            .map(|c| c.citizen.and_then(|id| found.get(&id).cloned()))
            .collect())
    }

    /// The citizen behind a case, if any.
    pub async fn citizen_of(&self, case: &baraza_core::Case) -> Result<Option<Citizen>> {
        Ok(match case.citizen {
            Some(id) => self.store.citizen(id).await?,
            None => None,
        })
    }
}
