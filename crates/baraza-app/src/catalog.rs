//! Each jurisdiction's reference data (hierarchy, departments, categories, priority
//! targets), held in memory: small, read on every request, changed rarely. A lookup
//! that misses reloads once, so data added with the CLI is seen without a restart.

use baraza_core::{
    AreaCode, AreaTree, Deadlines, Department, Jurisdiction, JurisdictionId, Language,
    ServiceCategory, Timestamp,
};
use baraza_store::{Store, StoreResult};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct JurisdictionCatalog {
    pub jurisdiction: Jurisdiction,
    pub areas: AreaTree,
    pub departments: Vec<Department>,
    pub categories: Vec<ServiceCategory>,
    pub targets: Deadlines,
    /// The same catalog with departments' and categories' names in another language,
    /// for each language the jurisdiction file translates them into.
    localized: Arc<Vec<(Language, Arc<JurisdictionCatalog>)>>,
}

impl JurisdictionCatalog {
    /// The catalog as a reader of `lang` sees it: departments and categories named in
    /// their language where the jurisdiction file gives a name, else in its default
    /// language.
    pub fn in_language(self: &Arc<Self>, lang: Language) -> Arc<Self> {
        self.localized
            .iter()
            .find(|(l, _)| *l == lang)
            .map_or_else(|| self.clone(), |(_, c)| c.clone())
    }

    fn localize(&self, lang: Language) -> Option<Self> {
        let code = lang.as_str();
        let translated = self.departments.iter().any(|d| d.names.contains_key(code))
            || self.categories.iter().any(|c| c.names.contains_key(code));
        if !translated {
            return None;
        }
        let mut c = self.clone();
        c.localized = Arc::default();
        for d in &mut c.departments {
            if let Some(n) = d.names.get(code) {
                d.name = n.clone();
            }
        }
        for k in &mut c.categories {
            if let Some(n) = k.names.get(code) {
                k.name = n.clone();
            }
        }
        Some(c)
    }

    pub fn category(&self, code: &str) -> Option<&ServiceCategory> {
        self.categories.iter().find(|c| c.code == code)
    }
    pub fn policy(&self) -> &baraza_core::Policy {
        self.targets.policy()
    }
    pub fn department(&self, code: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.code == code)
    }
    /// An area's name, or its code when the hierarchy does not know it.
    pub fn area_name(&self, code: Option<&AreaCode>) -> String {
        code.map(|c| {
            self.areas
                .get(c)
                .map_or_else(|| c.0.clone(), |a| a.name.clone())
        })
        .unwrap_or_default()
    }
    /// A department's name, or its code when unknown.
    pub fn department_name(&self, code: Option<&str>) -> String {
        code.map(|d| {
            self.department(d)
                .map_or_else(|| d.to_owned(), |d| d.name.clone())
        })
        .unwrap_or_default()
    }
    /// A category's name, or its code when unknown.
    pub fn category_name(&self, code: Option<&str>) -> String {
        code.map(|c| {
            self.category(c)
                .map_or_else(|| c.to_owned(), |c| c.name.clone())
        })
        .unwrap_or_default()
    }
    /// The departments as (code, name), by name: for a form's choices.
    pub fn departments_by_name(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self
            .departments
            .iter()
            .map(|d| (d.code.clone(), d.name.clone()))
            .collect();
        v.sort_by(|a, b| a.1.cmp(&b.1));
        v
    }

    /// A time as the county reads it: local, to the minute, with its zone (`EAT`), the
    /// same on every surface.
    pub fn local_time(&self, t: &Timestamp) -> String {
        match self.jurisdiction.timezone.parse::<chrono_tz::Tz>() {
            Ok(tz) => t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string(),
            Err(_) => t.format("%Y-%m-%d %H:%M UTC").to_string(),
        }
    }
}

/// A request naming an unknown code reloads at most this often: unknown codes are cheap
/// to send, reloads are not.
const RELOAD_AT_MOST_EVERY: Duration = Duration::from_secs(5);

#[derive(Default)]
pub struct Catalog {
    inner: RwLock<HashMap<JurisdictionId, Arc<JurisdictionCatalog>>>,
    last_reload: Mutex<Option<Instant>>,
    /// Each jurisdiction's projects as last read, under the store's stamp.
    pub(crate) projects: Mutex<HashMap<JurisdictionId, Arc<crate::projects::ProjectIndex>>>,
}

impl Catalog {
    pub async fn load(store: &dyn Store) -> StoreResult<Self> {
        let c = Catalog::default();
        c.reload(store).await?;
        Ok(c)
    }

    pub async fn reload(&self, store: &dyn Store) -> StoreResult<()> {
        let mut map = HashMap::new();
        for j in store.jurisdictions().await? {
            let entry = JurisdictionCatalog {
                areas: AreaTree::new(store.areas(&j.id).await?),
                departments: store.departments(&j.id).await?,
                categories: store.categories(&j.id).await?,
                targets: j.policy.resolve(&j.timezone).unwrap_or_else(|e| {
                    tracing::warn!(jurisdiction = %j.id, "invalid policy, using the defaults: {e}");
                    Deadlines::default()
                }),
                jurisdiction: j.clone(),
                localized: Arc::default(),
            };
            let mut entry = entry;
            entry.localized = Arc::new(
                Language::ALL
                    .iter()
                    .filter(|l| **l != j.default_language)
                    .filter_map(|l| entry.localize(*l).map(|c| (*l, Arc::new(c))))
                    .collect(),
            );
            map.insert(j.id, Arc::new(entry));
        }
        *self.inner.write().unwrap_or_else(|p| p.into_inner()) = map;
        Ok(())
    }

    pub fn get(&self, id: &JurisdictionId) -> Option<Arc<JurisdictionCatalog>> {
        self.inner
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned()
    }

    /// The catalog, reloaded first if `is_fresh` says what we hold is missing something.
    pub async fn fresh(
        &self,
        store: &dyn Store,
        id: &JurisdictionId,
        is_fresh: impl Fn(&JurisdictionCatalog) -> bool,
    ) -> StoreResult<Option<Arc<JurisdictionCatalog>>> {
        if let Some(c) = self.get(id)
            && is_fresh(&c)
        {
            return Ok(Some(c));
        }
        let due = {
            let mut last = self.last_reload.lock().unwrap_or_else(|p| p.into_inner());
            let due = last.is_none_or(|t| t.elapsed() >= RELOAD_AT_MOST_EVERY);
            if due {
                *last = Some(Instant::now());
            }
            due
        };
        if due || self.get(id).is_none() {
            self.reload(store).await?;
        }
        Ok(self.get(id))
    }
}
