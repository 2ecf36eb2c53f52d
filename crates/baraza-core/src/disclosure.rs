//! The proactive disclosure log (Kenya ATI s.5; the disclosure protocol of Sekondi-
//! Takoradi's commitment): classes of information a jurisdiction publishes on a schedule
//! (budget, procurement plan, contracts, audit reports, assembly minutes, service
//! charters), each publication recorded with its date and document (kept by SHA-256),
//! a class whose next publication is late shown as overdue, and citizens who follow a
//! class told when something new is published.

use crate::outbound::OutboundChannel;
use crate::{Attachment, FieldError, JurisdictionId, Language, Timestamp, UserId};
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// A class of information published on a schedule, declared in the jurisdiction file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisclosureClass {
    /// Lowercase letters, digits and hyphens: what citizens send with FOLLOW (`budget`).
    pub code: String,
    pub name: String,
    /// The name in other languages (`sw`, `fr`), as the jurisdiction file gives them.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub names: std::collections::BTreeMap<String, String>,
    /// How often it is published, in months (12 yearly, 3 quarterly, 1 monthly).
    pub every_months: u32,
    /// When the first publication is due, if none has been made yet.
    pub first_due: NaiveDate,
    /// Days after the due date before the class shows as overdue.
    #[serde(default)]
    pub grace_days: u32,
    /// The duty it follows from, e.g. `ATI s.5(1)(a)`, `PFM Act s.125`.
    #[serde(default)]
    pub basis: String,
}

impl DisclosureClass {
    /// Its name in `lang`, where the jurisdiction file gives one; else its own.
    pub fn name_in(&self, lang: crate::Language) -> &str {
        self.names.get(lang.as_str()).unwrap_or(&self.name)
    }

    pub fn check(&self) -> Result<(), FieldError> {
        let ok = !self.code.is_empty()
            && self
                .code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            return Err(FieldError::new(
                "policy.information.disclosure.code",
                format!(
                    "{:?}: lowercase letters, digits and hyphens (citizens type it)",
                    self.code
                ),
            ));
        }
        if self.every_months == 0 || self.name.trim().is_empty() {
            return Err(FieldError::new(
                "policy.information.disclosure",
                format!(
                    "{}: give a name and a period of at least a month",
                    self.code
                ),
            ));
        }
        Ok(())
    }

    /// When the next publication is due, after `last` (the latest publication's date).
    pub fn next_due(&self, last: Option<NaiveDate>) -> NaiveDate {
        match last {
            // The next period starts from the due date the last publication answered,
            // not from when it happened to be published.
            Some(last) => {
                // Counted from the first due date each time, so that month ends do not
                // drift (30 June, 30 September, 31 December, 31 March...).
                let mut k = 0u32;
                loop {
                    k += 1;
                    let due = self
                        .first_due
                        .checked_add_months(Months::new(self.every_months.saturating_mul(k)))
                        .unwrap_or(self.first_due);
                    if due > last || due.year() > 9000 {
                        break due;
                    }
                }
            }
            None => self.first_due,
        }
    }

    /// Late at `today`: past the next due date and its grace.
    pub fn overdue(&self, last: Option<NaiveDate>, today: NaiveDate) -> bool {
        today > self.next_due(last) + chrono::Duration::days(i64::from(self.grace_days))
    }
}

/// One publication of a class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    pub id: uuid::Uuid,
    pub jurisdiction: JurisdictionId,
    pub class: String,
    pub title: String,
    /// The period it covers, as people say it (`2026/27`, `Q2 2026`).
    pub period: String,
    pub published_on: NaiveDate,
    /// The document, kept by its SHA-256.
    pub document: Option<Attachment>,
    /// Or where it is published elsewhere (the county's website, the Gazette).
    pub url: Option<String>,
    pub recorded_by: Option<UserId>,
    pub recorded_at: Timestamp,
    /// The department it concerns (an audit report of the water department).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// The public project it concerns, by code: shown on the project's page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
}

/// A citizen following a class: told by SMS or email when something new is published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub jurisdiction: JurisdictionId,
    pub class: String,
    pub channel: OutboundChannel,
    /// An E.164 number or an email address.
    pub address: String,
    pub language: Language,
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(every: u32) -> DisclosureClass {
        DisclosureClass {
            code: "budget".into(),
            name: "Budget".into(),
            names: Default::default(),
            every_months: every,
            first_due: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
            grace_days: 7,
            basis: String::new(),
        }
    }

    #[test]
    fn the_next_due_date_follows_the_schedule() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let c = class(12);
        assert_eq!(c.next_due(None), d(2026, 3, 31));
        // Published late, in May: the next is still due next March.
        assert_eq!(c.next_due(Some(d(2026, 5, 2))), d(2027, 3, 31));
        assert!(!c.overdue(None, d(2026, 4, 7)));
        assert!(c.overdue(None, d(2026, 4, 8)));
        // Quarterly from 31 March: month ends do not drift through 30 June.
        let q = class(3);
        assert_eq!(q.next_due(Some(d(2026, 7, 1))), d(2026, 9, 30));
        assert_eq!(q.next_due(Some(d(2026, 10, 1))), d(2026, 12, 31));
        assert!(class(12).check().is_ok());
        let mut bad = class(12);
        bad.code = "Budget Plan".into();
        assert!(bad.check().is_err());
    }
}
