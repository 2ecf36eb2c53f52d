//! What an event says, once, for every surface: the console's timeline, the public
//! tracking page, Open311's updates. It reads only an [`EventView`], so it can never say
//! more than the audience may see; surfaces translate the message ids into the reader's
//! language.

use crate::JurisdictionCatalog;
use crate::privacy::EventView;
use baraza_core::{AreaCode, CaseNumber, EventKind};

/// A piece of an event's words: text as it is, or a message id to translate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    Message(String),
}

/// An event in words: what happened (a message id, e.g. `event-triaged`) and its details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    pub what: String,
    pub detail: Vec<Part>,
}

/// The message id naming an event kind (`event-triaged`).
pub fn what(kind: EventKind) -> String {
    format!(
        "event-{}",
        kind.as_str().trim_start_matches("case.").replace('.', "-")
    )
}

/// The event in words, from what its audience may see of it.
pub fn words(ev: &EventView<'_>, cat: &JurisdictionCatalog) -> Words {
    let s = |k: &str| ev.str(k).map(str::to_owned).filter(|v| !v.is_empty());
    let mut parts = Vec::new();
    match ev.event.kind {
        EventKind::Triaged => {
            if let Some(c) = s("category") {
                parts.push(Part::Text(cat.category(&c).map_or(c, |c| c.name.clone())));
            }
            if let Some(p) = s("priority") {
                parts.push(Part::Message(format!("priority-{p}")));
            }
        }
        EventKind::Assigned => {
            if let Some(d) = s("department") {
                parts.push(Part::Text(cat.department(&d).map_or(d, |d| d.name.clone())));
            }
            parts.extend(s("note").map(Part::Text));
        }
        EventKind::Escalated => {
            if let Some(to) = s("to") {
                let code = AreaCode(to);
                let name = cat
                    .areas
                    .get(&code)
                    .map_or(code.0.clone(), |a| a.name.clone());
                parts.push(Part::Text(format!("→ {name}")));
            }
            parts.extend(s("reason").map(Part::Text));
        }
        EventKind::Referred => {
            parts.extend(s("to").map(Part::Text));
            parts.extend(s("reason").map(Part::Text));
        }
        EventKind::PhotoPublished => {
            let shown = ev.data.get("published").and_then(|v| v.as_bool()) == Some(true);
            parts.push(Part::Message(
                if shown {
                    "photo-shown"
                } else {
                    "photo-withdrawn"
                }
                .to_owned(),
            ));
        }
        EventKind::Rated => {
            parts.extend(ev.data.get("score").map(|v| Part::Text(format!("{v}/5"))));
        }
        EventKind::MarkedDuplicate => {
            if let Some(of) = s("of").and_then(|o| CaseNumber::parse(&o).ok()) {
                parts.push(Part::Text(
                    of.display_with(&cat.jurisdiction.reference_prefix),
                ));
            }
        }
        EventKind::RequestDecided => {
            if let Some(d) = s("decision") {
                parts.push(Part::Message(format!("decision-{d}")));
            }
            parts.extend(s("reasons").map(Part::Text));
            parts.extend(s("exemption").map(Part::Text));
            parts.extend(s("fee").map(Part::Text));
            parts.extend(s("review").map(Part::Text));
        }
        EventKind::RequestTransferred => {
            parts.extend(s("to").map(|t| Part::Text(format!("→ {t}"))));
            parts.extend(s("reason").map(Part::Text));
        }
        EventKind::RequestExtended => {
            parts.extend(s("reason").map(Part::Text));
        }
        EventKind::DeemedRefused => {
            parts.extend(s("review").map(Part::Text));
        }
        EventKind::ReviewAsked => {
            if let Some(st) = s("stage") {
                parts.push(Part::Message(format!("review-stage-{st}")));
            }
            parts.extend(s("grounds").map(Part::Text));
        }
        EventKind::ReviewDecided => {
            if let Some(o) = s("outcome") {
                parts.push(Part::Message(format!("review-outcome-{o}")));
            }
            parts.extend(s("text").map(Part::Text));
        }
        EventKind::ProminenceChanged => {
            if let Some(p) = s("prominence") {
                parts.push(Part::Message(format!("prominence-{p}")));
            }
            parts.extend(
                ev.data
                    .get("event")
                    .and_then(|v| v.as_i64())
                    .map(|n| Part::Text(format!("#{n}"))),
            );
            parts.extend(s("reason").map(Part::Text));
        }
        _ => {
            for k in ["text", "reason"] {
                parts.extend(s(k).map(Part::Text));
            }
        }
    }
    Words {
        what: what(ev.event.kind),
        detail: parts,
    }
}

/// The documents an event carries (information provided), as this audience sees them.
pub fn documents(ev: &EventView<'_>) -> Vec<baraza_core::Attachment> {
    ev.data
        .get("documents")
        .and_then(|d| serde_json::from_value(d.clone()).ok())
        .unwrap_or_default()
}

/// The one text an update carries (Open311's `description`): the county's answer, the
/// reason given, or where the citizen was referred.
pub fn update_text(ev: &EventView<'_>) -> Option<String> {
    let key = match ev.event.kind {
        EventKind::Responded => "text",
        EventKind::Rejected | EventKind::Reopened => "reason",
        EventKind::Referred => "to",
        _ => return None,
    };
    ev.str(key).map(str::to_owned)
}
