//! Open Contracting Data Standard 1.1.5: releases are kept as published, and records are
//! made from them as the standard's merging rules say (standard@1__1__5
//! docs/schema/merging.md, the behaviour of ocdsmerge):
//!
//! - releases are taken oldest first; `id`, `date` and `tag` are not merged;
//! - objects merge field by field, a `null` removes a field;
//! - an array whose items are all objects with an `id` merges item by item on that id;
//!   any other array replaces the previous one whole;
//! - the compiled release is tagged `compiled`, dated with the newest release, and its
//!   id is `{ocid}-{date}`;
//! - in the versioned release each value becomes the list of its versions
//!   `{releaseID, releaseDate, releaseTag, value}`, one per change.
//!
//! Pure JSON in, JSON out: no I/O. Schema validation is in the application layer.

use serde_json::{Map, Value, json};

/// The OCDS version of every package we publish.
pub const OCDS_VERSION: &str = "1.1";
/// The OC4IDS version of every project package we publish.
pub const OC4IDS_VERSION: &str = "0.9";
/// The licence of the data, as ocportal's counties publish it.
pub const LICENSE: &str = "https://creativecommons.org/licenses/by-sa/4.0/";

/// Who publishes the packages, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publisher {
    pub name: String,
    /// The server's public base URL, without a trailing slash.
    pub base_url: String,
}

impl Publisher {
    fn object(&self) -> Value {
        json!({ "name": self.name, "uri": self.base_url })
    }
    pub fn policy_url(&self) -> String {
        format!("{}/projects/publication-policy", self.base_url)
    }
}

/// A release's `ocid`, `id`, `date` and `tag`, read from its JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseMeta {
    pub ocid: String,
    pub id: String,
    pub date: String,
    pub tags: Vec<String>,
}

impl ReleaseMeta {
    pub fn of(release: &Value) -> Option<Self> {
        let s = |k: &str| release.get(k)?.as_str().map(str::to_owned);
        Some(Self {
            ocid: s("ocid")?,
            id: s("id")?,
            date: s("date")?,
            tags: release
                .get("tag")?
                .as_array()?
                .iter()
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect(),
        })
    }
}

fn identified(items: &[Value]) -> bool {
    !items.is_empty()
        && items.iter().all(|i| {
            i.as_object()
                .is_some_and(|o| o.get("id").is_some_and(|id| !id.is_null()))
        })
}

fn same_id(a: &Value, b: &Value) -> bool {
    // Ids compare as strings: `1` and `"1"` are the same item (as ocdsmerge does).
    let s = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match (a.get("id"), b.get("id")) {
        (Some(x), Some(y)) => s(x) == s(y),
        _ => false,
    }
}

/// Merge one release's fields into the compiled state.
pub fn merge_into(target: &mut Map<String, Value>, src: &Map<String, Value>) {
    for (k, v) in src {
        match v {
            Value::Null => {
                target.remove(k);
            }
            Value::Object(o) => {
                let slot = target
                    .entry(k.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                if !slot.is_object() {
                    *slot = Value::Object(Map::new());
                }
                if let Value::Object(t) = slot {
                    merge_into(t, o);
                }
            }
            Value::Array(items) if identified(items) => {
                let slot = target
                    .entry(k.clone())
                    .or_insert_with(|| Value::Array(vec![]));
                if !slot
                    .as_array()
                    .is_some_and(|a| identified(a) || a.is_empty())
                {
                    *slot = Value::Array(vec![]);
                }
                if let Value::Array(existing) = slot {
                    for item in items {
                        let Value::Object(io) = item else { continue };
                        match existing.iter_mut().find(|e| same_id(e, item)) {
                            Some(Value::Object(eo)) => merge_into(eo, io),
                            _ => {
                                let mut fresh = Map::new();
                                merge_into(&mut fresh, io);
                                existing.push(Value::Object(fresh));
                            }
                        }
                    }
                }
            }
            other => {
                target.insert(k.clone(), other.clone());
            }
        }
    }
}

const OMIT_WHEN_MERGED: [&str; 3] = ["id", "date", "tag"];

fn sorted(releases: &[Value]) -> Vec<&Value> {
    let mut out: Vec<&Value> = releases.iter().collect();
    // A stable sort: releases with the same date keep their order of publication.
    out.sort_by(|a, b| {
        let d = |r: &Value| {
            r.get("date")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        d(a).cmp(&d(b))
    });
    out
}

/// The compiled release of one contracting process (its releases in any order).
pub fn compile(ocid: &str, releases: &[Value]) -> Value {
    let mut state = Map::new();
    let mut newest = String::new();
    for r in sorted(releases) {
        let Some(o) = r.as_object() else { continue };
        let mut fields = o.clone();
        if let Some(d) = fields.get("date").and_then(Value::as_str) {
            newest = d.to_owned();
        }
        for k in OMIT_WHEN_MERGED {
            fields.remove(k);
        }
        merge_into(&mut state, &fields);
    }
    state.insert("ocid".into(), Value::String(ocid.to_owned()));
    state.insert("id".into(), Value::String(format!("{ocid}-{newest}")));
    state.insert("date".into(), Value::String(newest));
    state.insert("tag".into(), json!(["compiled"]));
    Value::Object(state)
}

struct Version<'a> {
    id: &'a str,
    date: &'a str,
    tag: &'a Value,
}

fn version_into(target: &mut Map<String, Value>, src: &Map<String, Value>, at: &Version<'_>) {
    for (k, v) in src {
        match v {
            Value::Object(o) => {
                let slot = target
                    .entry(k.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(t) = slot {
                    version_into(t, o, at);
                }
            }
            Value::Array(items) if identified(items) => {
                let slot = target
                    .entry(k.clone())
                    .or_insert_with(|| Value::Array(vec![]));
                if let Value::Array(existing) = slot {
                    for item in items {
                        let Value::Object(io) = item else { continue };
                        let pos = match existing.iter().position(|e| same_id(e, item)) {
                            Some(p) => p,
                            None => {
                                let mut fresh = Map::new();
                                fresh.insert("id".into(), io["id"].clone());
                                existing.push(Value::Object(fresh));
                                existing.len() - 1
                            }
                        };
                        if let Value::Object(eo) = &mut existing[pos] {
                            let mut rest = io.clone();
                            rest.remove("id");
                            version_into(eo, &rest, at);
                        }
                    }
                }
            }
            value => {
                let slot = target
                    .entry(k.clone())
                    .or_insert_with(|| Value::Array(vec![]));
                if let Value::Array(history) = slot {
                    let unchanged = history
                        .last()
                        .is_some_and(|last| last.get("value") == Some(value));
                    if !unchanged {
                        history.push(json!({
                            "releaseID": at.id,
                            "releaseDate": at.date,
                            "releaseTag": at.tag,
                            "value": value,
                        }));
                    }
                }
            }
        }
    }
}

/// The versioned release of one contracting process: every value with its history.
pub fn versioned(ocid: &str, releases: &[Value]) -> Value {
    let mut state = Map::new();
    for r in sorted(releases) {
        let Some(o) = r.as_object() else { continue };
        let at = Version {
            id: o.get("id").and_then(Value::as_str).unwrap_or(""),
            date: o.get("date").and_then(Value::as_str).unwrap_or(""),
            tag: o.get("tag").unwrap_or(&Value::Null),
        };
        let mut fields = o.clone();
        for k in OMIT_WHEN_MERGED.iter().chain(&["ocid"]) {
            fields.remove(*k);
        }
        version_into(&mut state, &fields, &at);
    }
    state.insert("ocid".into(), Value::String(ocid.to_owned()));
    Value::Object(state)
}

/// A release package around releases (at least one).
pub fn release_package(
    publisher: &Publisher,
    uri: &str,
    published: &str,
    releases: Vec<Value>,
) -> Value {
    json!({
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": published,
        "publisher": publisher.object(),
        "license": LICENSE,
        "publicationPolicy": publisher.policy_url(),
        "releases": releases,
    })
}

/// A record package: for each process its releases (embedded), compiled and versioned.
pub fn record_package(
    publisher: &Publisher,
    uri: &str,
    published: &str,
    processes: &[(String, Vec<Value>)],
) -> Value {
    let records: Vec<Value> = processes
        .iter()
        .map(|(ocid, releases)| {
            let mut ordered: Vec<Value> = sorted(releases).into_iter().cloned().collect();
            ordered.dedup();
            json!({
                "ocid": ocid,
                "releases": ordered,
                "compiledRelease": compile(ocid, releases),
                "versionedRelease": versioned(ocid, releases),
            })
        })
        .collect();
    json!({
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": published,
        "publisher": publisher.object(),
        "license": LICENSE,
        "publicationPolicy": publisher.policy_url(),
        "records": records,
    })
}

/// An OC4IDS project package around projects (at least one).
pub fn project_package(
    publisher: &Publisher,
    uri: &str,
    published: &str,
    projects: Vec<Value>,
) -> Value {
    json!({
        "uri": uri,
        "version": OC4IDS_VERSION,
        "publishedDate": published,
        "publisher": { "name": publisher.name },
        "license": LICENSE,
        "publicationPolicy": publisher.policy_url(),
        "projects": projects,
    })
}

/// A date-time as OCDS wants it (RFC 3339, UTC, whole seconds).
pub fn date_time(t: crate::Timestamp) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A calendar day as an OCDS date-time (midnight UTC).
pub fn day(d: chrono::NaiveDate) -> String {
    format!("{}T00:00:00Z", d.format("%Y-%m-%d"))
}

/// Read a path such as `["contracts", "0", "value", "amount"]` out of JSON.
pub fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| match v {
        Value::Array(a) => a.get(k.parse::<usize>().ok()?),
        other => other.get(*k),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(id: &str, date: &str, tag: &str, body: Value) -> Value {
        let mut v = json!({"ocid": "ocds-213czf-1", "id": id, "date": date, "tag": [tag],
                           "initiationType": "tender"});
        for (k, x) in body.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    }

    #[test]
    fn compiles_and_versions_as_the_standard_merges() {
        let releases = vec![
            r(
                "2",
                "2025-02-01T00:00:00Z",
                "tenderAmendment",
                json!({"tender": {"id": "t", "value": {"amount": 2000, "currency": "KES"},
                                  "items": [{"id": "1", "quantity": 3}]}}),
            ),
            r(
                "1",
                "2025-01-01T00:00:00Z",
                "tender",
                json!({"tender": {"id": "t", "title": "Borehole",
                                  "value": {"amount": 1000, "currency": "KES"},
                                  "items": [{"id": "1", "description": "Pump", "quantity": 1}],
                                  "documents": [{"id": "d"}]}}),
            ),
            r(
                "3",
                "2025-03-01T00:00:00Z",
                "tenderUpdate",
                json!({"tender": {"title": null, "documents": []}}),
            ),
        ];
        let c = compile("ocds-213czf-1", &releases);
        assert_eq!(c["id"], "ocds-213czf-1-2025-03-01T00:00:00Z");
        assert_eq!(c["tag"], json!(["compiled"]));
        assert_eq!(c["tender"]["value"]["amount"], 2000);
        assert_eq!(
            c["tender"]["items"],
            json!([{"id": "1", "description": "Pump", "quantity": 3}])
        );
        assert!(c["tender"].get("title").is_none(), "null removes");
        assert_eq!(c["tender"]["documents"], json!([]), "a plain list replaces");
        let v = versioned("ocds-213czf-1", &releases);
        let amount = &v["tender"]["value"]["amount"];
        assert_eq!(amount.as_array().unwrap().len(), 2);
        assert_eq!(amount[0]["releaseID"], "1");
        assert_eq!(amount[1]["value"], 2000);
        assert_eq!(v["tender"]["items"][0]["id"], "1", "ids are not versioned");
        assert_eq!(
            v["tender"]["items"][0]["quantity"][1]["releaseTag"],
            json!(["tenderAmendment"])
        );
        assert_eq!(v["tender"]["title"][1]["value"], Value::Null);
        assert_eq!(v["ocid"], "ocds-213czf-1");
    }
}
