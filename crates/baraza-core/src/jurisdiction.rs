//! Jurisdictions (a county, a metropolitan assembly) and their administrative hierarchy.
//! Levels are data: Kenya has county -> sub-county -> ward, Ghana assembly -> sub-metro
//! -> zone. A hierarchy loads from CSV.

use crate::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A jurisdiction's stable slug, e.g. `elgeyo-marakwet`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JurisdictionId(String);

impl JurisdictionId {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(FieldError::new(
                "jurisdiction",
                "use 1-64 lowercase letters, digits and hyphens, e.g. elgeyo-marakwet",
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for JurisdictionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jurisdiction {
    pub id: JurisdictionId,
    pub name: String,
    /// Letters shown before reference numbers, e.g. `EM` in `EM-4821-0937`.
    pub reference_prefix: String,
    /// Names of the hierarchy's levels from the top, e.g. `["county", "sub-county", "ward"]`.
    pub levels: Vec<String>,
    pub country: String,
    pub default_language: crate::Language,
    pub timezone: String,
    /// The priority framework: targets, business calendar, category x urgency matrix.
    #[serde(default)]
    pub policy: crate::Policy,
    /// What it publishes its open contracting data under, if it publishes any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_contracting: Option<crate::project::OpenContracting>,
    /// Its wards' boundaries, drawn as a map on the public pages, if it has any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ward_map: Option<crate::ward_map::WardMap>,
}

/// An area's code, unique within its jurisdiction (e.g. the IEBC ward code `0741`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AreaCode(pub String);

impl AreaCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for AreaCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Area {
    pub jurisdiction: JurisdictionId,
    pub code: AreaCode,
    pub name: String,
    /// 0 for the top level; index into `Jurisdiction::levels`.
    pub depth: u8,
    pub parent: Option<AreaCode>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    pub jurisdiction: JurisdictionId,
    pub code: String,
    pub name: String,
    /// The name in other languages (`sw`, `fr`), as the jurisdiction file gives them;
    /// `name` is the jurisdiction's default language's.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub names: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceCategory {
    pub jurisdiction: JurisdictionId,
    pub code: String,
    pub name: String,
    /// The name in other languages, as for departments.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub names: std::collections::BTreeMap<String, String>,
    /// The department that normally handles it (routing default at triage).
    pub department: String,
}

/// A jurisdiction's hierarchy in memory: small (Kenya's largest county has tens of wards),
/// so scope checks and escalation ladders are computed here, not in SQL.
#[derive(Debug, Clone, Default)]
pub struct AreaTree {
    areas: HashMap<AreaCode, Area>,
    leaf_depth: u8,
}

impl AreaTree {
    pub fn new(areas: Vec<Area>) -> Self {
        let leaf_depth = areas.iter().map(|a| a.depth).max().unwrap_or(0);
        Self {
            areas: areas.into_iter().map(|a| (a.code.clone(), a)).collect(),
            leaf_depth,
        }
    }

    pub fn get(&self, code: &AreaCode) -> Option<&Area> {
        self.areas.get(code)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Area> {
        self.areas.values()
    }

    pub fn len(&self) -> usize {
        self.areas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
    }

    /// The lowest level (wards in Kenya), where cases are filed.
    pub fn leaves(&self) -> impl Iterator<Item = &Area> {
        self.areas
            .values()
            .filter(move |a| a.depth == self.leaf_depth)
    }

    /// Parse a ward: it must exist and be at the lowest level.
    pub fn ward(&self, code: &str) -> Result<&Area, FieldError> {
        match self.areas.get(&AreaCode(code.to_owned())) {
            Some(a) if a.depth == self.leaf_depth => Ok(a),
            Some(_) => Err(FieldError::new(
                "ward",
                format!("{code} is not a ward (lowest level of the hierarchy)"),
            )),
            None => Err(FieldError::new(
                "ward",
                format!("no ward with code {code} in this jurisdiction"),
            )),
        }
    }

    /// The escalation ladder of an area: itself, then each ancestor up to the top.
    pub fn ladder(&self, code: &AreaCode) -> Vec<AreaCode> {
        let mut out = Vec::new();
        let mut cur = self.areas.get(code);
        while let Some(a) = cur {
            out.push(a.code.clone());
            cur = a.parent.as_ref().and_then(|p| self.areas.get(p));
        }
        out
    }

    /// Whether `code` is `ancestor` or lies below it.
    pub fn is_within(&self, code: &AreaCode, ancestor: &AreaCode) -> bool {
        self.ladder(code).iter().any(|c| c == ancestor)
    }

    /// Every ward at or below `ancestor`.
    pub fn wards_within(&self, ancestor: &AreaCode) -> Vec<AreaCode> {
        let mut v: Vec<AreaCode> = self
            .leaves()
            .filter(|a| self.is_within(&a.code, ancestor))
            .map(|a| a.code.clone())
            .collect();
        v.sort();
        v
    }
}

/// Load a hierarchy from CSV. `columns` names, for each level from the top, the CSV
/// column holding its code and the one holding its name; `filter` keeps only rows whose
/// column equals a value (e.g. one county out of the national file).
pub fn load_hierarchy_csv(
    jurisdiction: &JurisdictionId,
    csv_text: &str,
    columns: &[(&str, &str)],
    filter: Option<(&str, &str)>,
) -> Result<Vec<Area>, FieldError> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| FieldError::new("csv", e.to_string()))?
        .clone();
    let index = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| FieldError::new("csv", format!("missing column {name:?}")))
    };
    let cols: Vec<(usize, usize)> = columns
        .iter()
        .map(|(c, n)| Ok((index(c)?, index(n)?)))
        .collect::<Result<_, FieldError>>()?;
    let filter = filter.map(|(c, v)| index(c).map(|i| (i, v))).transpose()?;
    let mut seen: HashMap<String, Area> = HashMap::new();
    let mut order = Vec::new();
    for (line, row) in reader.records().enumerate() {
        let row = row.map_err(|e| FieldError::new("csv", format!("row {}: {e}", line + 2)))?;
        if let Some((i, v)) = filter
            && row.get(i) != Some(v)
        {
            continue;
        }
        let mut parent: Option<AreaCode> = None;
        for (depth, (ci, ni)) in cols.iter().enumerate() {
            let code = row.get(*ci).unwrap_or("").trim();
            let name = row.get(*ni).unwrap_or("").trim();
            if code.is_empty() || name.is_empty() {
                return Err(FieldError::new(
                    "csv",
                    format!("row {}: empty code or name at level {depth}", line + 2),
                ));
            }
            let area = Area {
                jurisdiction: jurisdiction.clone(),
                code: AreaCode(code.to_owned()),
                name: name.to_owned(),
                depth: depth as u8,
                parent: parent.clone(),
            };
            match seen.get(code) {
                Some(existing)
                    if existing.parent != area.parent || existing.depth != area.depth =>
                {
                    return Err(FieldError::new(
                        "csv",
                        format!(
                            "row {}: area {code} appears under two different parents",
                            line + 2
                        ),
                    ));
                }
                Some(_) => {}
                None => {
                    order.push(code.to_owned());
                    seen.insert(code.to_owned(), area);
                }
            }
            parent = Some(AreaCode(code.to_owned()));
        }
    }
    Ok(order.into_iter().filter_map(|c| seen.remove(&c)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "county_code,county,constituency_code,constituency,ward_code,ward\n\
        028,Elgeyo-Marakwet,149,Keiyo North,0741,Emsoo\n\
        028,Elgeyo-Marakwet,149,Keiyo North,0742,Kamariny\n\
        028,Elgeyo-Marakwet,150,Keiyo South,0746,Chepkorio\n\
        027,Uasin Gishu,144,Ainabkoi,0721,Ainabkoi/Olare\n";

    fn tree() -> AreaTree {
        let j = JurisdictionId::parse("em").unwrap();
        let cols = [
            ("county_code", "county"),
            ("constituency_code", "constituency"),
            ("ward_code", "ward"),
        ];
        AreaTree::new(load_hierarchy_csv(&j, CSV, &cols, Some(("county_code", "028"))).unwrap())
    }

    #[test]
    fn loads_levels_and_filters() {
        let t = tree();
        assert_eq!(t.len(), 1 + 2 + 3);
        assert!(t.get(&AreaCode("0721".into())).is_none());
        assert_eq!(
            t.ladder(&AreaCode("0742".into())),
            vec![
                AreaCode("0742".into()),
                AreaCode("149".into()),
                AreaCode("028".into())
            ]
        );
        assert_eq!(t.wards_within(&AreaCode("149".into())).len(), 2);
        assert!(t.ward("149").is_err());
        assert!(t.ward("9999").is_err());
        assert!(t.ward("0746").is_ok());
    }

    #[test]
    fn rejects_missing_columns() {
        let j = JurisdictionId::parse("em").unwrap();
        let err = load_hierarchy_csv(&j, CSV, &[("nope", "county")], None).unwrap_err();
        assert!(err.message.contains("nope"));
    }
}
