//! Baraza's domain: jurisdictions and their hierarchy, citizens, staff and their roles,
//! cases with their lifecycle, reference numbers and the hash-chained journal.
//!
//! Pure by design: no web, no database, no spawned tasks; time comes from a [`Clock`].

#[macro_use]
mod macros;

pub mod action_plan;
pub mod case;
pub mod citizen;
pub mod clock;
pub mod conversation;
pub mod disclosure;
pub mod information;
pub mod journal;
pub mod jurisdiction;
pub mod lifecycle;
pub mod ocds;
pub mod outbound;
pub mod payload;
pub mod priority;
pub mod project;
pub mod reference;
pub mod sms;
pub mod staff;
pub mod text;
pub mod ward_map;

pub use case::{
    Attachment, Case, CaseFilter, CaseId, CaseKind, CaseOrder, CaseStat, Channel, GeoPoint,
    NewCase, Status, Subject,
};
pub use citizen::{
    AgeBand, Citizen, CitizenId, Consent, Email, Gender, Language, NewCitizen, PhoneNumber,
};
pub use clock::{Clock, ManualClock, SystemClock, Timestamp};
pub use journal::{
    ChainBreak, ChainHead, ChainLink, EventDraft, EventKind, JournalEvent, Visibility,
};
pub use jurisdiction::{
    Area, AreaCode, AreaTree, Department, Jurisdiction, JurisdictionId, ServiceCategory,
};
pub use lifecycle::{Action, ActionKind, Actor, ActorRole, LifecycleError, Transition};
pub use priority::{BusinessCalendar, Deadlines, Policy, Priority, Retention, Urgency};
pub use reference::{CaseNumber, ReferenceError};
pub use staff::{ApiToken, Credentials, Role, Scope, Session, StaffUser, TokenSecret, UserId};

/// An input that failed to parse: which field, and why, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}
