//! Staff actions: a request parsed into a lifecycle `Action` (every field checked, none
//! silently ignored), then taken in the store's transaction, where `lifecycle::decide`
//! has the last word. The API and the console act through here.

use crate::error::{FieldErrors as Errors, parse_enum};
use crate::input::ActionRequest;
use crate::intake::{parse_category, parse_reference, parse_ward};
use crate::{App, Error, JurisdictionCatalog, Result, scope};
use baraza_core::information;
use baraza_core::lifecycle::{Action, ActionKind};
use baraza_core::*;
use std::sync::Arc;

/// Which request fields each action uses; any other field is an error, not silently ignored.
fn fields_of(kind: ActionKind) -> &'static [&'static str] {
    match kind {
        ActionKind::Triage => &["category", "priority", "urgency", "ward"],
        ActionKind::RevealContact => &["reason"],
        ActionKind::Assign => &["department", "officer", "note"],
        ActionKind::Respond | ActionKind::Note | ActionKind::CitizenReply => &["text"],
        ActionKind::Escalate | ActionKind::Reopen | ActionKind::Reject => &["reason"],
        ActionKind::Refer => &["reason", "to"],
        ActionKind::MarkDuplicate => &["of"],
        ActionKind::Rate => &["score"],
        ActionKind::AskClarification => &["text"],
        ActionKind::Transfer => &["to", "reason"],
        ActionKind::Extend => &["reason"],
        ActionKind::Decide => &["decision", "reasons", "exemption", "fee"],
        ActionKind::Provide => &["text", "documents"],
        ActionKind::AskReview => &["grounds"],
        ActionKind::DecideReview => &["outcome", "text"],
        ActionKind::SetProminence => &["prominence", "reason", "event"],
        ActionKind::PublishPhoto => &["photo", "publish"],
        _ => &[],
    }
}

impl App<'_> {
    /// An action request checked whole: every invalid field named at once, codes checked
    /// against the jurisdiction's reference data, officers and originals within scope.
    pub async fn parse_action(
        &self,
        user: &StaffUser,
        body: ActionRequest,
        case: &Case,
    ) -> Result<(Action, Arc<JurisdictionCatalog>)> {
        let mut errors = Errors::default();
        let kind = errors
            .required("action", body.action.as_deref())
            .and_then(|a| errors.take(parse_enum::<ActionKind>("action", a)));
        let Some(kind) = kind else {
            errors.finish()?;
            return Err(Error::Internal("action missing".into()));
        };
        // The role gate comes before the fields: an action the role may never take is
        // refused as such (403), whatever was sent with it.
        let role = baraza_core::lifecycle::ActorRole::Staff(user.role);
        let allowed = if case.is_request() {
            baraza_core::information::may(role, kind)
        } else {
            baraza_core::lifecycle::may(role, kind)
        };
        if !allowed {
            return Err(baraza_core::LifecycleError::RoleNotAllowed {
                role: user.role.as_str(),
                action: kind,
            }
            .into());
        }
        let present = [
            ("category", body.category.is_some()),
            ("priority", body.priority.is_some()),
            ("ward", body.ward.is_some()),
            ("department", body.department.is_some()),
            ("officer", body.officer.is_some()),
            ("note", body.note.is_some()),
            ("text", body.text.is_some()),
            ("reason", body.reason.is_some()),
            ("to", body.to.is_some()),
            ("of", body.of.is_some()),
            ("score", body.score.is_some()),
            ("decision", body.decision.is_some()),
            ("reasons", body.reasons.is_some()),
            ("exemption", body.exemption.is_some()),
            ("fee", body.fee.is_some()),
            ("grounds", body.grounds.is_some()),
            ("outcome", body.outcome.is_some()),
            ("prominence", body.prominence.is_some()),
            ("event", body.event.is_some()),
            ("documents", !body.documents.is_empty()),
            ("photo", body.photo.is_some()),
            ("publish", body.publish.is_some()),
        ];
        for (field, given) in present {
            if given && !fields_of(kind).contains(&field) {
                errors.push(field, format!("not used by {kind}"));
            }
        }
        let cat = self
            .catalog_knowing(
                user,
                body.ward.as_deref(),
                body.category.as_deref(),
                body.department.as_deref(),
            )
            .await?;
        let text = |errors: &mut Errors, field: &str, v: Option<String>| {
            errors
                .required(field, v.map(|t| baraza_core::text::clean(&t)))
                .unwrap_or_default()
        };
        let action = match kind {
            ActionKind::Acknowledge => Action::Acknowledge,
            ActionKind::Start => Action::Start,
            ActionKind::Resolve => Action::Resolve,
            ActionKind::Close => Action::Close,
            ActionKind::CloseUnconfirmed => Action::CloseUnconfirmed,
            ActionKind::Triage => {
                let category = errors
                    .required("category", body.category.as_deref())
                    .and_then(|c| errors.take(parse_category(&cat, c)));
                let urgency = body
                    .urgency
                    .as_deref()
                    .and_then(|u| errors.take(parse_enum::<Urgency>("urgency", u)));
                let priority = match (body.priority.as_deref(), urgency, category) {
                    (Some(p), _, _) => errors.take(parse_enum::<Priority>("priority", p)),
                    (None, Some(u), Some(c)) => Some(cat.policy().priority_for(&c.code, u)),
                    (None, Some(_), None) => None,
                    (None, None, _) => {
                        errors.push("priority", "give a priority, or an urgency for the matrix");
                        None
                    }
                };
                let ward = body
                    .ward
                    .as_deref()
                    .and_then(|w| errors.take(parse_ward(&cat, "ward", w)));
                let ladder = ward
                    .as_ref()
                    .map(|w| cat.areas.ladder(w))
                    .unwrap_or_default();
                Action::Triage {
                    category: category.map(|c| c.code.clone()).unwrap_or_default(),
                    priority: priority.unwrap_or(Priority::Normal),
                    urgency,
                    department: category.map(|c| c.department.clone()),
                    ward,
                    ladder,
                }
            }
            ActionKind::Assign => {
                let department = errors
                    .required("department", body.department.as_deref())
                    .and_then(|d| {
                        errors.take(cat.department(d).map(|d| d.code.clone()).ok_or_else(|| {
                            FieldError::new(
                                "department",
                                format!("no department {d:?} in this jurisdiction"),
                            )
                        }))
                    });
                let officer = match body.officer.as_deref() {
                    None => None,
                    Some(o) => match o.parse::<uuid::Uuid>() {
                        Err(_) => {
                            errors.push("officer", "a staff user's id (a UUID)");
                            None
                        }
                        Ok(id) => match self.store.user(UserId(id)).await? {
                            Some(u) if u.jurisdiction == user.jurisdiction && !u.disabled => {
                                Some(u.id)
                            }
                            _ => {
                                errors.push(
                                    "officer",
                                    "no active staff user with this id in this jurisdiction",
                                );
                                None
                            }
                        },
                    },
                };
                Action::Assign {
                    department: department.unwrap_or_default(),
                    officer,
                    note: body.note.map(|n| baraza_core::text::clean(&n)),
                }
            }
            ActionKind::Respond => Action::Respond {
                text: text(&mut errors, "text", body.text),
            },
            ActionKind::Remind => Action::Remind,
            // Only the media job attaches files (the role check refuses everyone else).
            ActionKind::AttachMedia => {
                return Err(Error::forbidden(
                    "role_not_allowed",
                    "files are attached by Baraza when it fetches them",
                ));
            }
            ActionKind::CitizenReply => Action::CitizenReply {
                text: text(&mut errors, "text", body.text),
                source: None,
            },
            ActionKind::Note => Action::Note {
                text: text(&mut errors, "text", body.text),
            },
            ActionKind::RevealContact => Action::RevealContact {
                reason: text(&mut errors, "reason", body.reason),
            },
            ActionKind::Escalate => Action::Escalate {
                reason: text(&mut errors, "reason", body.reason),
            },
            ActionKind::Reopen => Action::Reopen {
                reason: text(&mut errors, "reason", body.reason),
            },
            ActionKind::Reject => Action::Reject {
                reason: text(&mut errors, "reason", body.reason),
            },
            ActionKind::Refer => Action::Refer {
                reason: text(&mut errors, "reason", body.reason),
                to: text(&mut errors, "to", body.to),
            },
            ActionKind::Rate => Action::Rate {
                score: errors.required("score", body.score).unwrap_or(0),
            },
            ActionKind::MarkDuplicate => {
                let of = errors
                    .required("of", body.of.as_deref())
                    .and_then(|o| errors.take(parse_reference("of", o)));
                if let Some(of) = of {
                    match self.store.case_by_number(of).await? {
                        Some(original) if scope::visible(user, &original, &cat) => {}
                        _ => errors.push("of", "no such case in your scope"),
                    }
                    if of == case.number {
                        errors.push("of", "a case cannot duplicate itself");
                    }
                }
                Action::MarkDuplicate {
                    of: of.unwrap_or(case.number),
                }
            }
            ActionKind::AskClarification => Action::AskClarification {
                text: text(&mut errors, "text", body.text),
            },
            ActionKind::Transfer => Action::Transfer {
                to: text(&mut errors, "to", body.to),
                reason: text(&mut errors, "reason", body.reason),
            },
            ActionKind::Extend => Action::Extend {
                reason: text(&mut errors, "reason", body.reason),
            },
            ActionKind::Decide => {
                let decision = errors
                    .required("decision", body.decision.as_deref())
                    .and_then(|d| errors.take(parse_enum::<information::Decision>("decision", d)));
                let clean = |v: Option<String>| {
                    v.map(|t| baraza_core::text::clean(&t))
                        .filter(|t| !t.trim().is_empty())
                };
                Action::Decide {
                    decision: decision.unwrap_or(information::Decision::Deferred),
                    reasons: text(&mut errors, "reasons", body.reasons),
                    exemption: clean(body.exemption),
                    fee: clean(body.fee),
                }
            }
            ActionKind::Provide => Action::Provide {
                text: text(&mut errors, "text", body.text),
                documents: crate::intake::parse_attachments(
                    "documents",
                    body.documents,
                    &mut errors,
                ),
            },
            ActionKind::DeemRefuse => {
                return Err(Error::forbidden(
                    "role_not_allowed",
                    "a request is deemed refused by the law's clock, not by staff",
                ));
            }
            ActionKind::AskReview => Action::AskReview {
                grounds: text(&mut errors, "grounds", body.grounds),
            },
            ActionKind::DecideReview => {
                let outcome = errors
                    .required("outcome", body.outcome.as_deref())
                    .and_then(|o| {
                        errors.take(parse_enum::<information::ReviewOutcome>("outcome", o))
                    });
                Action::DecideReview {
                    outcome: outcome.unwrap_or(information::ReviewOutcome::Upheld),
                    text: text(&mut errors, "text", body.text),
                }
            }
            ActionKind::SetProminence => {
                let prominence = errors
                    .required("prominence", body.prominence.as_deref())
                    .and_then(|p| {
                        errors.take(parse_enum::<information::Prominence>("prominence", p))
                    });
                if let Some(seq) = body.event {
                    let events = self.store.case_events(case.id).await?;
                    if !events.iter().any(|e| e.seq == seq) {
                        errors.push("event", "no message with this number on this request");
                    }
                }
                Action::SetProminence {
                    prominence: prominence.unwrap_or(information::Prominence::Normal),
                    reason: body
                        .reason
                        .map(|r| baraza_core::text::clean(&r))
                        .unwrap_or_default(),
                    event: body.event,
                }
            }
            ActionKind::PublishPhoto => Action::PublishPhoto {
                sha256: errors
                    .required("photo", body.photo.map(|p| p.trim().to_ascii_lowercase()))
                    .unwrap_or_default(),
                publish: body.publish.unwrap_or(true),
            },
        };
        errors.finish()?;
        Ok((action, cat))
    }
}

impl App<'_> {
    /// Take a staff action on a case the user may see, parsed from its request.
    /// `expected_version` makes a retried or concurrent action fail instead of repeating.
    pub async fn act(
        &self,
        user: &StaffUser,
        via: Channel,
        reference: &str,
        expected_version: Option<u32>,
        body: ActionRequest,
    ) -> Result<(baraza_store::Acted, Arc<JurisdictionCatalog>)> {
        let (case, _) = self.visible_case(user, reference).await?;
        let (action, cat) = self.parse_action(user, body, &case).await?;
        // A request transferred to another body served by this server opens there.
        let onward = match &action {
            Action::Transfer { to, .. } if case.is_request() => {
                self.jurisdiction_named(to, &user.jurisdiction).await?
            }
            _ => None,
        };
        let acted = self
            .store
            .act(
                case.number,
                expected_version,
                Actor::staff(user.id, user.role, via),
                action,
                cat.targets.clone(),
                self.clock.now(),
            )
            .await?;
        if let Some(target) = onward {
            // The transfer is on the record whatever follows: opening the request at the
            // other body is a second write (idempotent, so it may be retried); its failure
            // neither undoes nor denies the transfer.
            match self.open_transferred(user, via, &acted.case, &target).await {
                Ok(noted) => {
                    return Ok((
                        baraza_store::Acted {
                            case: noted.case,
                            event: acted.event,
                        },
                        cat,
                    ));
                }
                Err(e) => {
                    tracing::error!(error = %e, target = %target.id, "a transferred request could not be opened at the other body");
                }
            }
        }
        Ok((acted, cat))
    }
}
