//! The proactive disclosure log as people use it: the public sees each class, its latest
//! publication and whether the next is late; the information officer records a
//! publication (its document kept by SHA-256), which tells the class's followers; anyone
//! follows a class by SMS (`FOLLOW budget`) or on the web with a number or an address.

use crate::error::FieldErrors as Errors;
use crate::input::AttachmentBody;
use crate::{App, Error, JurisdictionCatalog, Result};
use baraza_core::disclosure::{DisclosureClass, Publication, Subscription};
use baraza_core::{Language, Role, StaffUser, Timestamp};
use chrono::NaiveDate;

/// A class as the log shows it.
#[derive(Debug, Clone)]
pub struct ClassStatus {
    pub class: DisclosureClass,
    /// Newest first.
    pub publications: Vec<Publication>,
    pub next_due: NaiveDate,
    pub overdue: bool,
}

/// What an officer records.
#[derive(Debug, Default, Clone)]
pub struct PublishInput {
    /// The form's own key: the same key twice records one publication.
    pub key: Option<String>,
    pub class: Option<String>,
    pub title: Option<String>,
    pub period: Option<String>,
    pub published_on: Option<String>,
    pub document: Option<AttachmentBody>,
    pub url: Option<String>,
    /// The department it concerns, by code.
    pub department: Option<String>,
    /// The public project it concerns, by code.
    pub project: Option<String>,
}

/// Who may record publications.
pub fn may_publish(role: Role) -> bool {
    role == Role::InformationOfficer
}

impl App<'_> {
    /// Every class of the jurisdiction's log, with its publications and lateness today.
    pub async fn disclosure_log(&self, cat: &JurisdictionCatalog) -> Result<Vec<ClassStatus>> {
        let all = self.store.publications(&cat.jurisdiction.id).await?;
        let today = cat.targets.local_date(self.clock.now());
        Ok(cat
            .policy()
            .information
            .disclosure
            .iter()
            .map(|class| {
                let publications: Vec<Publication> = all
                    .iter()
                    .filter(|p| p.class == class.code)
                    .cloned()
                    .collect();
                let last = publications.iter().map(|p| p.published_on).max();
                ClassStatus {
                    next_due: class.next_due(last),
                    overdue: class.overdue(last, today),
                    class: class.clone(),
                    publications,
                }
            })
            .collect())
    }

    /// The publications that concern a project (its audit reports), newest first.
    pub async fn publications_about(
        &self,
        j: &baraza_core::JurisdictionId,
        project: &str,
    ) -> Result<Vec<Publication>> {
        Ok(self
            .store
            .publications(j)
            .await?
            .into_iter()
            .filter(|p| p.project.as_deref() == Some(project))
            .collect())
    }

    /// One publication of the jurisdiction, by id.
    pub async fn publication(&self, cat: &JurisdictionCatalog, id: &str) -> Result<Publication> {
        let id: uuid::Uuid = id.parse().map_err(|_| Error::NotFound("publication"))?;
        self.store
            .publications(&cat.jurisdiction.id)
            .await?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or(Error::NotFound("publication"))
    }

    /// Record a publication; its class's followers are told. `link` is the log's public
    /// page. Returns the publication and how many followers were told.
    pub async fn publish(
        &self,
        user: &StaffUser,
        input: PublishInput,
        link: &str,
    ) -> Result<(Publication, usize)> {
        if !may_publish(user.role) {
            return Err(Error::forbidden(
                "role_not_allowed",
                format!("a {} does not record publications", user.role),
            ));
        }
        let cat = self.catalog_of(user).await?;
        let input_key = input.key.clone().filter(|k| !k.trim().is_empty());
        let mut errors = Errors::default();
        let class = errors
            .required("class", input.class.as_deref())
            .and_then(|c| {
                errors.take(
                    cat.policy()
                        .information
                        .disclosure_class(c)
                        .cloned()
                        .ok_or_else(|| {
                            baraza_core::FieldError::new(
                                "class",
                                format!("no class {c:?} in this jurisdiction's disclosure log"),
                            )
                        }),
                )
            });
        let text = |v: Option<String>| {
            v.map(|t| baraza_core::text::clean(&t).trim().to_owned())
                .filter(|t| !t.is_empty())
        };
        let title = errors
            .required("title", text(input.title).as_deref())
            .map(str::to_owned);
        if title.as_ref().is_some_and(|t| t.chars().count() > 300) {
            errors.push("title", "at most 300 characters");
        }
        let published_on =
            match text(input.published_on) {
                None => Some(cat.targets.local_date(self.clock.now())),
                Some(d) => errors.take(NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| {
                    baraza_core::FieldError::new("published_on", "a date as YYYY-MM-DD")
                })),
            };
        let url = text(input.url);
        if let Some(u) = &url
            && !(u.starts_with("https://") || u.starts_with("http://"))
        {
            errors.push("url", "a web address starting with https://");
        }
        let document = input
            .document
            .map(|d| crate::intake::parse_attachments("document", vec![d], &mut errors))
            .and_then(|mut v| v.pop());
        let department = text(input.department).and_then(|d| {
            errors.take(cat.department(&d).map(|d| d.code.clone()).ok_or_else(|| {
                baraza_core::FieldError::new(
                    "department",
                    format!("no department {d:?} in this jurisdiction"),
                )
            }))
        });
        let project = match text(input.project) {
            None => None,
            Some(code) => {
                let code = code.to_ascii_uppercase();
                match self.store.project(&cat.jurisdiction.id, &code).await? {
                    Some(p) => Some(p.code),
                    None => {
                        errors.push(
                            "project",
                            format!("no project {code:?} in this jurisdiction"),
                        );
                        None
                    }
                }
            }
        };
        if document.is_none() && url.is_none() {
            errors.push(
                "document",
                "attach the document, or give the address where it is published",
            );
        }
        errors.finish()?;
        let (Some(class), Some(title), Some(published_on)) = (class, title, published_on) else {
            return Err(Error::Internal("validated fields missing".into()));
        };
        // A retried or double-submitted form is the same publication (the store inserts
        // an id once), so followers are told once.
        let id = match &input_key {
            Some(k) => {
                use sha2::{Digest, Sha256};
                let d = Sha256::digest(format!("{}:{}:{k}", cat.jurisdiction.id, user.id));
                let mut b = [0u8; 16];
                b.copy_from_slice(&d[..16]);
                uuid::Uuid::from_bytes(b)
            }
            None => uuid::Uuid::now_v7(),
        };
        let publication = Publication {
            id,
            jurisdiction: cat.jurisdiction.id.clone(),
            class: class.code.clone(),
            title,
            period: text(input.period).unwrap_or_default(),
            published_on,
            document,
            url,
            recorded_by: Some(user.id),
            recorded_at: self.clock.now(),
            department,
            project,
        };
        let told = self
            .store
            .publish(baraza_store::Publish {
                publication: publication.clone(),
                class_name: class.name.clone(),
                link: link.to_owned(),
            })
            .await?;
        Ok((publication, told))
    }

    /// Follow a class with a phone number (as people write it in the jurisdiction's
    /// country) or an email address. False when already following.
    pub async fn follow(
        &self,
        cat: &JurisdictionCatalog,
        class: &str,
        contact: &str,
        language: Language,
        at: Timestamp,
    ) -> Result<bool> {
        let Some(class) = cat.policy().information.disclosure_class(class) else {
            return Err(Error::invalid(
                "class",
                "no such class in the disclosure log",
            ));
        };
        let (channel, address) =
            crate::concerns::parse_contact(contact, &cat.jurisdiction.country)?;
        Ok(self
            .store
            .follow(Subscription {
                jurisdiction: cat.jurisdiction.id.clone(),
                class: class.code.clone(),
                channel,
                address,
                language,
                created_at: at,
            })
            .await?)
    }
}
