//! Concerns still open, as the public sees them: "already reported?" before filing, and
//! following someone else's concern instead of filing it twice. Which cases are open to
//! the public's view, and who may follow what, are decided here for every surface (the
//! public pages, and `FOLLOW <reference>` by SMS in the writer).

use crate::{App, Error, JurisdictionCatalog, Result};
use baraza_core::disclosure::Subscription;
use baraza_core::outbound::{OutboundChannel, case_follow_class};
use baraza_core::{
    AreaCode, Case, CaseFilter, CaseId, CaseNumber, Email, Language, PhoneNumber, Status, Timestamp,
};

/// The statuses of a concern someone at the county still has to act on, or whose answer
/// waits for its citizen: what "open" means on the public list.
pub const OPEN: &[Status] = &[
    Status::Received,
    Status::Acknowledged,
    Status::Triaged,
    Status::Assigned,
    Status::InProgress,
    Status::Reopened,
    Status::Escalated,
    Status::Responded,
];

/// Which open concerns to list: a ward and a category (either may be empty), newest first
/// from a cursor.
#[derive(Debug, Clone, Default)]
pub struct OpenQuery {
    pub ward: Option<AreaCode>,
    pub category: Option<String>,
    pub after: Option<(Timestamp, CaseId)>,
    pub limit: u32,
}

/// A contact to tell: an email address, or a phone number as people write it in the
/// jurisdiction's country. The field named in errors is `contact`.
pub fn parse_contact(contact: &str, country: &str) -> Result<(OutboundChannel, String)> {
    let contact = contact.trim();
    if contact.is_empty() {
        return Err(Error::invalid(
            "contact",
            "give a phone number or an email address to be told",
        ));
    }
    if contact.contains('@') {
        let e = Email::parse(contact).map_err(|e| Error::invalid("contact", e.message))?;
        Ok((OutboundChannel::Email, e.as_str().to_owned()))
    } else {
        let p = PhoneNumber::parse_in(contact, country)
            .map_err(|e| Error::invalid("contact", e.message))?;
        Ok((OutboundChannel::Sms, p.as_str().to_owned()))
    }
}

impl App<'_> {
    /// Open concerns of a jurisdiction (never information requests), newest first.
    pub async fn open_concerns(
        &self,
        cat: &JurisdictionCatalog,
        q: &OpenQuery,
    ) -> Result<Vec<Case>> {
        let filter = CaseFilter {
            jurisdiction: Some(cat.jurisdiction.id.clone()),
            statuses: OPEN.to_vec(),
            information: Some(false),
            ward: q.ward.clone(),
            category: q.category.clone(),
            after: q.after,
            limit: q.limit,
            ..Default::default()
        };
        Ok(self.store.list_cases(&filter).await?)
    }

    /// Follow an open concern of the jurisdiction by its reference: each change of its
    /// status is told by SMS or email. Returns the case, and false when the contact
    /// already followed it.
    pub async fn follow_case(
        &self,
        cat: &JurisdictionCatalog,
        reference: &str,
        contact: &str,
        language: Language,
        at: Timestamp,
    ) -> Result<(Case, bool)> {
        let number = CaseNumber::parse(reference.trim())
            .map_err(|_| Error::invalid("ref", "a reference is eight digits, like EM-4821-0937"))?;
        let case = self
            .store
            .case_by_number(number)
            .await?
            .filter(|c| c.jurisdiction == cat.jurisdiction.id && !c.is_request())
            .ok_or(Error::NotFound("case"))?;
        if !OPEN.contains(&case.status) {
            return Err(Error::invalid(
                "ref",
                "this concern is no longer open: nothing more will change",
            ));
        }
        let (channel, address) = parse_contact(contact, &cat.jurisdiction.country)?;
        let new = self
            .store
            .follow(Subscription {
                jurisdiction: cat.jurisdiction.id.clone(),
                class: case_follow_class(case.number),
                channel,
                address,
                language,
                created_at: at,
            })
            .await?;
        Ok((case, new))
    }
}
