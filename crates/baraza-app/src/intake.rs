//! Intake: a concern from any channel checked whole against the jurisdiction's reference
//! data (every invalid field named at once), then filed under the filer's role and scope.
//! The API, the console, the public form and Open311 all file through here.

use crate::error::{FieldErrors as Errors, parse_enum};
use crate::input::{CitizenBody, CreateCaseRequest};
use crate::{App, Error, JurisdictionCatalog, Result, scope};
use baraza_core::*;
use std::sync::Arc;

pub(crate) fn parse_ward(
    cat: &JurisdictionCatalog,
    field: &str,
    code: &str,
) -> Result<AreaCode, FieldError> {
    cat.areas
        .ward(code)
        .map(|a| a.code.clone())
        .map_err(|e| FieldError::new(field, e.message))
}

pub(crate) fn parse_category<'a>(
    cat: &'a JurisdictionCatalog,
    code: &str,
) -> Result<&'a ServiceCategory, FieldError> {
    cat.category(code).ok_or_else(|| {
        FieldError::new(
            "category",
            format!("no category {code:?} in this jurisdiction"),
        )
    })
}

pub(crate) fn parse_reference(field: &str, s: &str) -> Result<CaseNumber, FieldError> {
    CaseNumber::parse(s).map_err(|e| FieldError::new(field, e.to_string()))
}

fn parse_citizen(
    body: CitizenBody,
    default_language: Language,
    country: &str,
    errors: &mut Errors,
) -> NewCitizen {
    // As people write numbers where the jurisdiction is (0712 345 678), normalised to E.164.
    let phone = body.phone.as_deref().and_then(|p| {
        errors.take(
            PhoneNumber::parse_in(p, country)
                .map_err(|e| FieldError::new("citizen.phone", e.message)),
        )
    });
    let email = body.email.as_deref().and_then(|e| {
        errors.take(Email::parse(e).map_err(|e| FieldError::new("citizen.email", e.message)))
    });
    let language = body
        .language
        .as_deref()
        .and_then(|l| errors.take(parse_enum("citizen.language", l)))
        .unwrap_or(default_language);
    let gender = body
        .gender
        .as_deref()
        .and_then(|g| errors.take(parse_enum("citizen.gender", g)));
    let age_band = body
        .age_band
        .as_deref()
        .and_then(|a| errors.take(parse_enum("citizen.age_band", a)));
    let name = body
        .name
        .map(|n| baraza_core::text::clean(&n).trim().to_owned())
        .filter(|n| !n.is_empty());
    if name.as_ref().is_some_and(|n| n.chars().count() > 200) {
        errors.push("citizen.name", "at most 200 characters");
    }
    let whatsapp_id = body
        .whatsapp_id
        .map(|w| w.trim().to_owned())
        .filter(|w| !w.is_empty());
    if whatsapp_id
        .as_ref()
        .is_some_and(|w| w.len() > 32 || !w.bytes().all(|b| b.is_ascii_digit()))
    {
        errors.push(
            "citizen.whatsapp_id",
            "a WhatsApp id is the number's digits, e.g. 254712345678",
        );
    }
    let mut c = NewCitizen {
        phone,
        whatsapp_id,
        email,
        name,
        language,
        gender,
        age_band,
        consent: Consent {
            contact: false,
            publish: body.consent_publish.unwrap_or(false),
        },
    };
    c.consent.contact = body.consent_contact.unwrap_or(c.has_contact());
    c
}

/// Files described by their SHA-256 and media type (the bytes are kept by that digest).
pub fn parse_attachments(
    field: &str,
    list: Vec<crate::input::AttachmentBody>,
    errors: &mut Errors,
) -> Vec<Attachment> {
    let mut out = Vec::new();
    for (i, a) in list.into_iter().enumerate() {
        if a.sha256.len() != 64 || !a.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            errors.push(
                &format!("{field}[{i}].sha256"),
                "a hex SHA-256 has 64 characters",
            );
        }
        if !a.media_type.contains('/') {
            errors.push(
                &format!("{field}[{i}].media_type"),
                "a media type, e.g. application/pdf",
            );
        }
        out.push(Attachment {
            published: false,
            media_type: a.media_type,
            size_bytes: a.size_bytes,
            sha256: a.sha256.to_ascii_lowercase(),
            filename: a.filename.map(|f| baraza_core::text::clean(&f)),
            url: a.url,
        });
    }
    out
}

/// A concern checked whole against a jurisdiction's reference data: every invalid field
/// is named at once. `key` is the filer's idempotency key, already namespaced.
pub fn build_new_case(
    cat: &JurisdictionCatalog,
    body: CreateCaseRequest,
    key: Option<String>,
    now: Timestamp,
) -> Result<NewCase> {
    let mut errors = Errors::default();
    let kind = errors
        .required("kind", body.kind.as_deref())
        .and_then(|k| errors.take(parse_enum::<CaseKind>("kind", k)));
    let channel = match body.channel.as_deref() {
        Some(c) => errors.take(parse_enum::<Channel>("channel", c)),
        None => Some(Channel::Api),
    };
    let description = errors
        .required("description", body.description.as_deref())
        .and_then(|d| errors.take(case::parse_description(d)));
    let ward = body
        .ward
        .as_deref()
        .and_then(|w| errors.take(parse_ward(cat, "ward", w)));
    let category = body
        .category
        .as_deref()
        .and_then(|c| errors.take(parse_category(cat, c).map(|c| c.code.clone())));
    let location = body
        .location
        .and_then(|l| errors.take(GeoPoint::parse(l.lat, l.lon)));
    let urgency = body.urgency.filter(|u| !u.trim().is_empty());
    if urgency.is_some() && kind != Some(CaseKind::InformationRequest) {
        errors.push(
            "urgency",
            "only an information request has an urgent track; say how urgent a concern is in its description",
        );
    }
    if let Some(u) = &urgency
        && u.chars().count() > 1000
    {
        errors.push("urgency", "at most 1000 characters");
    }
    let subject = body
        .subject
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .and_then(|s| errors.take(s.trim().parse::<baraza_core::Subject>()));
    let attachments = parse_attachments("attachments", body.attachments, &mut errors);
    let citizen = body.citizen.map(|c| {
        parse_citizen(
            c,
            cat.jurisdiction.default_language,
            &cat.jurisdiction.country,
            &mut errors,
        )
    });
    errors.finish()?;
    let (Some(kind), Some(channel), Some(description)) = (kind, channel, description) else {
        return Err(Error::Internal("validated fields missing".into()));
    };
    let new = NewCase {
        department: None,
        jurisdiction: cat.jurisdiction.id.clone(),
        kind,
        channel,
        category,
        ladder: ward
            .as_ref()
            .map(|w| cat.areas.ladder(w))
            .unwrap_or_default(),
        ward,
        location,
        description,
        attachments,
        citizen,
        // Keys are the filer's own: another user's key can never return their case.
        idempotency_key: key.map(|k| baraza_core::text::clean(&k)),
        // The reference goes back in this response, to whoever files it for the citizen.
        acknowledged_on_intake: matches!(
            channel,
            Channel::Api | Channel::Web | Channel::Counter | Channel::Voice
        ),
        // An information request follows its own lifecycle, on the law's clock from now.
        request: (kind == CaseKind::InformationRequest)
            .then(|| baraza_core::information::open(&cat.targets, now, urgency)),
        subject,
    };
    Ok(new)
}

impl App<'_> {
    /// File a case on a citizen's behalf (API, console, an Open311 integration): checks
    /// the role, every field and the filer's area. `key` is the filer's own idempotency
    /// key, already namespaced.
    pub async fn file_for_citizen(
        &self,
        user: &StaffUser,
        via: Channel,
        body: CreateCaseRequest,
        key: Option<String>,
    ) -> Result<(baraza_store::Intake, Arc<JurisdictionCatalog>)> {
        if !scope::may_file(user.role) {
            return Err(Error::forbidden(
                "role_not_allowed",
                format!("a {} may not file cases", user.role),
            ));
        }
        let cat = self
            .catalog_knowing(user, body.ward.as_deref(), body.category.as_deref(), None)
            .await?;
        let new = build_new_case(&cat, body, key, self.clock.now())?;
        if !scope::may_file_in(user, &cat, new.ward.as_ref()) {
            let area = match &user.scope {
                Scope::Area(a) => a.to_string(),
                _ => String::new(),
            };
            return Err(Error::forbidden(
                "outside_scope",
                format!("file cases in a ward within your area ({area})"),
            ));
        }
        let actor = Actor::staff(user.id, user.role, via);
        let intake = self.store.create_case(new, actor, self.clock.now()).await?;
        Ok((intake, cat))
    }

    /// File a concern a citizen raised themselves on the web (already checked whole by
    /// [`build_new_case`]).
    pub async fn file_from_citizen(
        &self,
        new: NewCase,
        via: Channel,
    ) -> Result<baraza_store::Intake> {
        Ok(self
            .store
            .create_case(new, Actor::citizen(None, via), self.clock.now())
            .await?)
    }
}
