//! A jurisdiction described in a TOML file: identity, hierarchy (from a CSV file),
//! departments and service categories. `baraza jurisdiction load FILE` upserts it, so a
//! county edits its file and loads it again; the demo uses the same file format.

use anyhow::{Context, bail, ensure};
use baraza_core::information::InformationPolicy;
use baraza_core::jurisdiction::load_hierarchy_csv;
use baraza_core::{Area, Department, Jurisdiction, JurisdictionId, ServiceCategory};
use baraza_store::Store;
use figment::Figment;
use figment::providers::{Format, Toml};
use serde::Deserialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JurisdictionFile {
    pub id: String,
    pub name: String,
    pub reference_prefix: String,
    pub levels: Vec<String>,
    pub country: String,
    pub default_language: String,
    pub timezone: String,
    pub hierarchy: Hierarchy,
    #[serde(default)]
    pub departments: Vec<DepartmentEntry>,
    #[serde(default)]
    pub categories: Vec<CategoryEntry>,
    /// The priority framework: targets, business calendar and category x urgency matrix.
    #[serde(default)]
    pub policy: baraza_core::Policy,
    /// What the county publishes its open contracting data under (`[open_contracting]`).
    #[serde(default)]
    pub open_contracting: Option<baraza_core::project::OpenContracting>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hierarchy {
    /// Relative to the TOML file.
    pub csv: PathBuf,
    /// For each level from the top: (code column, name column).
    pub columns: Vec<(String, String)>,
    pub filter: Option<Filter>,
    /// Ward boundaries (a GeoJSON FeatureCollection, WGS 84), relative to the TOML file:
    /// drawn as a map of the jurisdiction's wards on the public pages.
    #[serde(default)]
    pub boundaries: Option<PathBuf>,
    /// The feature property holding the ward's code (default `ward_code`).
    #[serde(default)]
    pub boundaries_code: Option<String>,
    /// Their source and licence, if the file has no `attribution` member.
    #[serde(default)]
    pub boundaries_attribution: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    pub column: String,
    pub value: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentEntry {
    pub code: String,
    pub name: String,
    /// The name in the other languages: `names = { sw = "...", fr = "..." }`.
    #[serde(default)]
    pub names: std::collections::BTreeMap<String, String>,
}

/// Names in other languages: only languages Baraza speaks, none empty.
fn check_names(
    what: &str,
    code: &str,
    names: &std::collections::BTreeMap<String, String>,
) -> anyhow::Result<()> {
    for (lang, name) in names {
        ensure!(
            lang.parse::<baraza_core::Language>().is_ok(),
            "{what}: {code:?} has a name in {lang:?}; languages are en, sw and fr"
        );
        ensure!(
            !name.trim().is_empty(),
            "{what}: {code:?} has an empty name in {lang:?}"
        );
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryEntry {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub names: std::collections::BTreeMap<String, String>,
    pub department: String,
}

/// Everything a file describes, checked and ready to store.
#[derive(Debug)]
pub struct Loaded {
    pub jurisdiction: Jurisdiction,
    pub areas: Vec<Area>,
    pub departments: Vec<Department>,
    pub categories: Vec<ServiceCategory>,
}

impl Loaded {
    pub fn count_at(&self, depth: u8) -> usize {
        self.areas.iter().filter(|a| a.depth == depth).count()
    }
}

fn code_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl JurisdictionFile {
    pub fn parse(toml: &str) -> anyhow::Result<Self> {
        Figment::from(Toml::string(toml))
            .extract()
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// Read the file at `path`; its hierarchy CSV and ward boundaries are read relative
    /// to it.
    pub fn read(path: &Path) -> anyhow::Result<(Self, String, Option<String>)> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let file = Self::parse(&text).with_context(|| format!("in {}", path.display()))?;
        let csv_path = path
            .parent()
            .unwrap_or(Path::new("."))
            .join(&file.hierarchy.csv);
        let csv = std::fs::read_to_string(&csv_path).with_context(|| {
            format!(
                "reading the hierarchy CSV {} named in {}",
                csv_path.display(),
                path.display()
            )
        })?;
        let boundaries = match &file.hierarchy.boundaries {
            None => None,
            Some(b) => {
                let at = path.parent().unwrap_or(Path::new(".")).join(b);
                Some(std::fs::read_to_string(&at).with_context(|| {
                    format!(
                        "reading the ward boundaries {} named in {}",
                        at.display(),
                        path.display()
                    )
                })?)
            }
        };
        Ok((file, csv, boundaries))
    }

    /// Check everything and build the domain values; every problem names its field.
    /// `boundaries` is the text of the file `hierarchy.boundaries` names.
    pub fn check(&self, csv: &str, boundaries: Option<&str>) -> anyhow::Result<Loaded> {
        let id =
            JurisdictionId::parse(&self.id).map_err(|e| anyhow::anyhow!("id: {}", e.message))?;
        let prefix_ok = (1..=5).contains(&self.reference_prefix.len())
            && self
                .reference_prefix
                .bytes()
                .all(|b| b.is_ascii_uppercase());
        ensure!(
            prefix_ok,
            "reference_prefix: 1 to 5 capital letters, e.g. EM"
        );
        ensure!(!self.name.trim().is_empty(), "name: must not be empty");
        ensure!(
            !self.levels.is_empty(),
            "levels: name at least one level, e.g. [\"county\", \"sub-county\", \"ward\"]"
        );
        ensure!(
            self.hierarchy.columns.len() == self.levels.len(),
            "hierarchy.columns: {} pairs of columns for {} levels",
            self.hierarchy.columns.len(),
            self.levels.len()
        );
        let default_language =
            self.default_language
                .parse()
                .map_err(|e: baraza_core::FieldError| {
                    anyhow::anyhow!("default_language: {}", e.message)
                })?;
        let columns: Vec<(&str, &str)> = self
            .hierarchy
            .columns
            .iter()
            .map(|(c, n)| (c.as_str(), n.as_str()))
            .collect();
        let filter = self
            .hierarchy
            .filter
            .as_ref()
            .map(|f| (f.column.as_str(), f.value.as_str()));
        let areas = load_hierarchy_csv(&id, csv, &columns, filter)
            .map_err(|e| anyhow::anyhow!("hierarchy: {}", e.message))?;
        ensure!(
            !areas.is_empty(),
            "hierarchy: the CSV has no rows for this jurisdiction (check hierarchy.filter)"
        );
        let mut seen = HashSet::new();
        for d in &self.departments {
            check_names("departments", &d.code, &d.names)?;
            ensure!(
                code_ok(&d.code),
                "departments: code {:?} must be lowercase letters, digits and hyphens",
                d.code
            );
            ensure!(
                seen.insert(d.code.as_str()),
                "departments: code {:?} appears twice",
                d.code
            );
        }
        let mut cats = HashSet::new();
        for c in &self.categories {
            check_names("categories", &c.code, &c.names)?;
            ensure!(
                code_ok(&c.code),
                "categories: code {:?} must be lowercase letters, digits and hyphens",
                c.code
            );
            ensure!(
                cats.insert(c.code.as_str()),
                "categories: code {:?} appears twice",
                c.code
            );
            if !seen.contains(c.department.as_str()) {
                bail!(
                    "categories: {:?} names department {:?}, which is not among the departments",
                    c.code,
                    c.department
                );
            }
        }
        self.policy
            .resolve(&self.timezone)
            .map_err(|e| anyhow::anyhow!("policy.{}: {}", e.field, e.message))?;
        for code in self.policy.matrix.keys() {
            ensure!(
                code == "*" || cats.contains(code.as_str()),
                "policy.matrix: {code:?} is not among the categories (use \"*\" for the default row)"
            );
        }
        if let Some(oc) = &self.open_contracting {
            oc.check()
                .map_err(|e| anyhow::anyhow!("{}: {}", e.field, e.message))?;
        }
        // The access-to-information law comes with the country: Kenya's Act unless the
        // file gives its own `[policy.information]`; Ghana's Act 989 for a Ghanaian one.
        // Its redaction rules and disclosure classes are the county's own either way.
        let mut policy = self.policy.clone();
        let own = InformationPolicy {
            redactions: Vec::new(),
            disclosure: Vec::new(),
            ..policy.information.clone()
        };
        if own == InformationPolicy::kenya()
            && let Some(law) = InformationPolicy::for_country(&self.country)
        {
            policy.information = InformationPolicy {
                redactions: policy.information.redactions.clone(),
                disclosure: policy.information.disclosure.clone(),
                ..law
            };
        }
        let ward_map = match boundaries {
            None => None,
            Some(text) => {
                let depth = areas.iter().map(|a| a.depth).max().unwrap_or(0);
                let wards: Vec<Area> = areas.iter().filter(|a| a.depth == depth).cloned().collect();
                Some(
                    baraza_core::ward_map::from_geojson(
                        text,
                        self.hierarchy
                            .boundaries_code
                            .as_deref()
                            .unwrap_or("ward_code"),
                        &wards,
                        self.hierarchy.boundaries_attribution.as_deref(),
                    )
                    .map_err(|e| anyhow::anyhow!("hierarchy.{}: {}", e.field, e.message))?,
                )
            }
        };
        Ok(Loaded {
            jurisdiction: Jurisdiction {
                ward_map,
                id: id.clone(),
                name: self.name.trim().to_owned(),
                reference_prefix: self.reference_prefix.clone(),
                levels: self.levels.clone(),
                country: self.country.clone(),
                default_language,
                timezone: self.timezone.clone(),
                policy,
                open_contracting: self.open_contracting.clone(),
            },
            areas,
            departments: self
                .departments
                .iter()
                .map(|d| Department {
                    names: d.names.clone(),
                    jurisdiction: id.clone(),
                    code: d.code.clone(),
                    name: d.name.clone(),
                })
                .collect(),
            categories: self
                .categories
                .iter()
                .map(|c| ServiceCategory {
                    names: c.names.clone(),
                    jurisdiction: id.clone(),
                    code: c.code.clone(),
                    name: c.name.clone(),
                    department: c.department.clone(),
                })
                .collect(),
        })
    }
}

/// Upsert a checked jurisdiction: loading the same file twice changes nothing.
pub async fn store(store: &dyn Store, loaded: &Loaded) -> anyhow::Result<()> {
    store.put_jurisdiction(&loaded.jurisdiction).await?;
    store.put_areas(&loaded.areas).await?;
    for d in &loaded.departments {
        store.put_department(d).await?;
    }
    for c in &loaded.categories {
        store.put_category(c).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = include_str!("../../../data/kenya-wards.csv");

    fn file(name: &str) -> JurisdictionFile {
        let path = format!(
            "{}/../../data/jurisdictions/{name}.toml",
            env!("CARGO_MANIFEST_DIR")
        );
        JurisdictionFile::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn the_shipped_files_load() {
        for (name, sub_counties, wards, shapes) in [
            ("elgeyo-marakwet", 4, 19, 20),
            ("makueni", 6, 30, 30),
            ("nairobi", 17, 85, 85),
        ] {
            let path = PathBuf::from(format!(
                "{}/../../data/jurisdictions/{name}.toml",
                env!("CARGO_MANIFEST_DIR")
            ));
            let (f, csv, boundaries) = JurisdictionFile::read(&path).unwrap();
            let loaded = f.check(&csv, boundaries.as_deref()).unwrap();
            assert_eq!(
                (loaded.count_at(0), loaded.count_at(1), loaded.count_at(2)),
                (1, sub_counties, wards),
                "{name}"
            );
            let map = loaded.jurisdiction.ward_map.expect("a ward map");
            assert_eq!(map.shapes.len(), shapes, "{name}");
            // Every ward of the list has its shape; the boundary file's extra ward (EM's
            // 0737, which the ward list lacks) is drawn but not listed.
            assert!(map.missing.is_empty(), "{name}: {:?}", map.missing);
            assert_eq!(
                map.shapes.iter().filter(|s| s.listed).count(),
                wards,
                "{name}"
            );
        }
    }

    #[test]
    fn bad_boundaries_are_named() {
        let f = file("makueni");
        let err = f
            .check(CSV, Some("{\"type\":\"Feature\"}"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("hierarchy.boundaries:"), "{err}");
    }

    #[test]
    fn names_in_other_languages_are_kept_and_checked() {
        let f = file("makueni");
        let loaded = f.check(CSV, None).unwrap();
        let water = loaded
            .categories
            .iter()
            .find(|c| c.code == "water-supply")
            .unwrap();
        assert_eq!(water.names["sw"], "Hakuna maji");
        assert_eq!(water.names["fr"], "Pas d'eau");
        assert!(
            loaded
                .departments
                .iter()
                .all(|d| d.names.contains_key("sw") && d.names.contains_key("fr")),
            "the shipped files translate every department"
        );
        let mut f = file("makueni");
        f.departments[0].names.insert("de".into(), "Wasser".into());
        let err = f.check(CSV, None).unwrap_err().to_string();
        assert!(
            err.contains("\"de\"") && err.contains("en, sw and fr"),
            "{err}"
        );
        let mut f = file("makueni");
        f.categories[0].names.insert("sw".into(), " ".into());
        assert!(
            f.check(CSV, None)
                .unwrap_err()
                .to_string()
                .contains("empty name")
        );
    }

    #[test]
    fn mistakes_are_named() {
        let mut f = file("makueni");
        f.categories[0].department = "transport".into();
        assert!(
            f.check(CSV, None)
                .unwrap_err()
                .to_string()
                .contains("\"transport\"")
        );
        let mut f = file("makueni");
        f.hierarchy.filter = Some(Filter {
            column: "county_code".into(),
            value: "999".into(),
        });
        assert!(
            f.check(CSV, None)
                .unwrap_err()
                .to_string()
                .contains("no rows")
        );
        let mut f = file("makueni");
        f.reference_prefix = "mk".into();
        assert!(
            f.check(CSV, None)
                .unwrap_err()
                .to_string()
                .contains("reference_prefix")
        );
        let err = JurisdictionFile::parse("id = \"x\"\nname = \"X\"\ncolour = 1")
            .unwrap_err()
            .to_string();
        assert!(err.contains("colour") || err.contains("missing"), "{err}");
    }
}
