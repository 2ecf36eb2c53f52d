//! Open contracting data checked against the standards' own schemas before anyone sees
//! it: OCDS 1.1.5 releases and packages, and OC4IDS 0.9 project packages
//! (`data/schemas/`, copied from open-contracting/standard@1__1__5 and
//! open-contracting/infrastructure@0__9__4, Apache-2.0). The schemas' closed codelists are
//! enums and are checked with them; the open codelists a county uses (party roles,
//! document and milestone types, project sectors) are checked here against the
//! standards' CSVs, so what we publish stays within the shared vocabulary.

use baraza_core::FieldError;
use serde_json::Value;
use std::collections::HashSet;
use std::sync::OnceLock;

const OCDS: &str = "https://standard.open-contracting.org/schema/1__1__5/";
const OC4IDS: &str = "https://standard.open-contracting.org/infrastructure/schema/0__9__4/";

/// What a document is meant to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Release,
    ReleasePackage,
    RecordPackage,
    ProjectPackage,
}

struct Checker {
    release: jsonschema::Validator,
    release_package: jsonschema::Validator,
    record_package: jsonschema::Validator,
    project_package: jsonschema::Validator,
    codes: Codes,
}

struct Codes {
    party_role: HashSet<String>,
    document_type: HashSet<String>,
    milestone_type: HashSet<String>,
    project_sector: HashSet<String>,
    project_document_type: HashSet<String>,
}

fn codes(csv: &str) -> HashSet<String> {
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let column = r
        .headers()
        .ok()
        .and_then(|h| h.iter().position(|c| c == "Code"))
        .unwrap_or(0);
    r.records()
        .filter_map(|rec| rec.ok()?.get(column).map(str::to_owned))
        .collect()
}

fn schema(text: &str) -> Value {
    // The schemas ship with the binary; a broken copy is a build fault, found by the tests.
    serde_json::from_str(text).unwrap_or(Value::Null)
}

fn checker() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(|| {
        let release = schema(include_str!(
            "../../../data/schemas/ocds-1.1.5/release-schema.json"
        ));
        let versioned = schema(include_str!(
            "../../../data/schemas/ocds-1.1.5/versioned-release-validation-schema.json"
        ));
        let release_package = schema(include_str!(
            "../../../data/schemas/ocds-1.1.5/release-package-schema.json"
        ));
        let record_package = schema(include_str!(
            "../../../data/schemas/ocds-1.1.5/record-package-schema.json"
        ));
        let project = schema(include_str!(
            "../../../data/schemas/oc4ids-0.9.4/project-schema.json"
        ));
        let project_package = schema(include_str!(
            "../../../data/schemas/oc4ids-0.9.4/project-package-schema.json"
        ));
        let registry = jsonschema::Registry::new()
            .draft(jsonschema::Draft::Draft4)
            .add(format!("{OCDS}release-schema.json"), release.clone())
            .and_then(|r| {
                r.add(
                    format!("{OCDS}versioned-release-validation-schema.json"),
                    versioned,
                )
            })
            .and_then(|r| r.add(format!("{OC4IDS}project-schema.json"), project))
            .and_then(|r| r.prepare())
            .unwrap_or_else(|e| panic!("the bundled schemas do not load: {e}"));
        let build = |s: &Value| {
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft4)
                .with_registry(&registry)
                .should_validate_formats(true)
                .build(s)
                .unwrap_or_else(|e| panic!("a bundled schema does not compile: {e}"))
        };
        Checker {
            release: build(&release),
            release_package: build(&release_package),
            record_package: build(&record_package),
            project_package: build(&project_package),
            codes: Codes {
                party_role: codes(include_str!(
                    "../../../data/schemas/ocds-1.1.5/codelists/partyRole.csv"
                )),
                document_type: codes(include_str!(
                    "../../../data/schemas/ocds-1.1.5/codelists/documentType.csv"
                )),
                milestone_type: codes(include_str!(
                    "../../../data/schemas/ocds-1.1.5/codelists/milestoneType.csv"
                )),
                project_sector: codes(include_str!(
                    "../../../data/schemas/oc4ids-0.9.4/codelists/projectSector.csv"
                )),
                project_document_type: codes(include_str!(
                    "../../../data/schemas/oc4ids-0.9.4/codelists/documentType.csv"
                )),
            },
        }
    })
}

/// Check a document against its schema and the open codelists. Each error names where
/// in the document it is (`tender/value/amount`) and which rule it broke.
pub fn check(kind: Kind, doc: &Value) -> Result<(), Vec<FieldError>> {
    let c = checker();
    let (validator, root) = match kind {
        Kind::Release => (&c.release, "release"),
        Kind::ReleasePackage => (&c.release_package, "package"),
        Kind::RecordPackage => (&c.record_package, "package"),
        Kind::ProjectPackage => (&c.project_package, "package"),
    };
    let mut errors: Vec<FieldError> = validator
        .iter_errors(doc)
        .take(20)
        .map(|e| {
            FieldError::new(
                format!("{root}{}", e.instance_path()),
                format!("{e} (schema {})", e.schema_path()),
            )
        })
        .collect();
    let project = kind == Kind::ProjectPackage;
    walk(doc, root, None, project, &c.codes, &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn walk(
    v: &Value,
    path: &str,
    parent: Option<&str>,
    project: bool,
    codes: &Codes,
    errors: &mut Vec<FieldError>,
) {
    fn bad(errors: &mut Vec<FieldError>, path: String, code: &str, list: &str) {
        errors.push(FieldError::new(
            path,
            format!("{code:?} is not in the {list} codelist"),
        ));
    }
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                let here = format!("{path}/{k}");
                match (k.as_str(), x) {
                    ("documentType", Value::String(code)) => {
                        let list = if project {
                            &codes.project_document_type
                        } else {
                            &codes.document_type
                        };
                        if !list.contains(code) {
                            bad(errors, here.clone(), code, "documentType");
                        }
                    }
                    ("roles", Value::Array(roles)) if !project => {
                        for r in roles.iter().filter_map(Value::as_str) {
                            if !codes.party_role.contains(r) {
                                bad(errors, here.clone(), r, "partyRole");
                            }
                        }
                    }
                    ("type", Value::String(code))
                        if parent == Some("milestones")
                            && !project
                            && !codes.milestone_type.contains(code) =>
                    {
                        bad(errors, here.clone(), code, "milestoneType");
                    }
                    ("sector", Value::Array(sectors)) if project => {
                        for s in sectors.iter().filter_map(Value::as_str) {
                            if !codes.project_sector.contains(s) {
                                bad(errors, here.clone(), s, "projectSector");
                            }
                        }
                    }
                    _ => {}
                }
                walk(x, &here, Some(k), project, codes, errors);
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                walk(x, &format!("{path}/{i}"), parent, project, codes, errors);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_release_that_breaks_the_schema_is_named_by_its_path() {
        let ok = json!({"ocid": "ocds-udd159-1", "id": "1", "date": "2025-01-01T00:00:00Z",
                        "tag": ["tender"], "initiationType": "tender",
                        "tender": {"id": "t", "status": "active",
                                   "documents": [{"id": "d", "documentType": "tenderNotice"}]}});
        assert_eq!(check(Kind::Release, &ok), Ok(()));
        let mut bad = ok.clone();
        bad["tender"]["status"] = json!("open");
        bad["tender"]["documents"][0]["documentType"] = json!("flyer");
        bad["date"] = json!("yesterday");
        let errors = check(Kind::Release, &bad).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"release/tender/status"), "{errors:?}");
        assert!(fields.contains(&"release/date"), "{errors:?}");
        assert!(
            fields.contains(&"release/tender/documents/0/documentType"),
            "{errors:?}"
        );
        assert!(errors[0].message.contains("schema"), "{errors:?}");
    }
}
