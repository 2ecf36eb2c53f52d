//! Updates posted by Open311 clients (FixMyStreet's `servicerequestupdates`), and who may
//! post them as whom. An integration's key (role `open311_integration`) relays its own
//! users' updates, only on the requests that integration filed, as the citizen's words:
//! "fixed"/"closed" on an answered case is the citizen's confirmation, "reopen"/"open" on
//! a settled one reopens it; each update id is taken once, in the write's transaction. A
//! staff member's key is a staff action under the lifecycle's role rules and their scope,
//! and never speaks as the citizen.

use crate::{App, Error, JurisdictionCatalog, Result, scope};
use baraza_core::lifecycle::Action;
use baraza_core::outbound::InboundMessage;
use baraza_core::{Actor, Case, CaseNumber, Channel, EventKind, Role, StaffUser, Status};
use baraza_store::Relay;

/// The source recorded on a relayed reply (`open311:<update id>`), as it always was.
pub fn source_of(update_id: &str) -> String {
    format!("open311:{update_id}")
}

/// What the citizen's status asks for, given where the case stands.
fn follow_up(status: &str, case: Status, text: &str) -> Option<Action> {
    match (status, case) {
        ("FIXED" | "CLOSED", Status::Responded) => Some(Action::Resolve),
        (
            "REOPEN" | "OPEN",
            Status::Responded | Status::Resolved | Status::Closed | Status::ClosedUnconfirmed,
        ) => Some(Action::Reopen {
            reason: text.to_owned(),
        }),
        _ => None,
    }
}

impl App<'_> {
    /// Post an Open311 update; returns the journal sequence number that names it.
    pub async fn post_update(
        &self,
        user: &StaffUser,
        cat: &JurisdictionCatalog,
        number: CaseNumber,
        update_id: &str,
        status: &str,
        description: Option<&str>,
    ) -> Result<i64> {
        let update_id = update_id.trim();
        if update_id.is_empty() || update_id.len() > 100 {
            return Err(Error::invalid("update_id", "1 to 100 characters"));
        }
        let status = status.trim().to_ascii_uppercase();
        let case = self
            .store
            .case_by_number(number)
            .await?
            .filter(|c| c.jurisdiction == cat.jurisdiction.id)
            .ok_or(Error::NotFound("service request"))?;
        let text = description
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(baraza_core::text::clean)
            .unwrap_or_else(|| format!("Status {status} from {}", user.display_name));
        if user.role == Role::Open311Integration {
            self.relay(user, cat, &case, update_id, &status, text).await
        } else {
            self.staff_update(user, cat, &case, &status, text).await
        }
    }

    async fn relay(
        &self,
        user: &StaffUser,
        cat: &JurisdictionCatalog,
        case: &Case,
        update_id: &str,
        status: &str,
        text: String,
    ) -> Result<i64> {
        let events = self.store.case_events(case.id).await?;
        let filed_by_it = events.first().is_some_and(|e| {
            e.kind == EventKind::Received
                && e.actor_role == Role::Open311Integration.as_str()
                && e.actor_id.as_deref() == Some(user.id.to_string().as_str())
        });
        if !filed_by_it {
            return Err(Error::forbidden(
                "not_your_request",
                "an integration relays updates only on the requests it filed",
            ));
        }
        let source = source_of(update_id);
        let now = self.clock.now();
        let relayed = self
            .store
            .relay_update(Relay {
                message: InboundMessage {
                    id: uuid::Uuid::now_v7(),
                    jurisdiction: Some(case.jurisdiction.clone()),
                    provider: "open311".into(),
                    provider_message_id: format!("{}:{update_id}", user.id),
                    channel: Channel::Api,
                    from: format!("open311:{}", user.username),
                    to: None,
                    body: text.clone(),
                    received_at: now,
                    case_id: Some(case.id),
                    outcome: baraza_core::outbound::InboundOutcome::Unhandled,
                    media: None,
                },
                number: case.number,
                actor: Actor::citizen(case.citizen, Channel::Api),
                follow: follow_up(status, case.status, &text),
                text,
                source: source.clone(),
                targets: cat.targets.clone(),
                at: now,
            })
            .await?;
        if let Some(ev) = relayed.event {
            return Ok(ev.seq);
        }
        // Relayed before: the same answer as the first time.
        let events = self.store.case_events(case.id).await?;
        events
            .iter()
            .find(|e| {
                e.kind == EventKind::CitizenReplied
                    && e.data().get("source").and_then(|s| s.as_str()) == Some(source.as_str())
            })
            .map(|e| e.seq)
            .ok_or_else(|| Error::Internal("a relayed update without its event".into()))
    }

    async fn staff_update(
        &self,
        user: &StaffUser,
        cat: &JurisdictionCatalog,
        case: &Case,
        status: &str,
        text: String,
    ) -> Result<i64> {
        if !scope::visible(user, case, cat) {
            return Err(Error::NotFound("service request"));
        }
        // A confirmation staff record is one the citizen gave them; a reopening carries
        // its reason; anything else is a note for colleagues.
        let action = match follow_up(status, case.status, &text) {
            Some(a) => a,
            None => Action::Note { text },
        };
        let acted = self
            .store
            .act(
                case.number,
                None,
                Actor::staff(user.id, user.role, Channel::Api),
                action,
                cat.targets.clone(),
                self.clock.now(),
            )
            .await?;
        Ok(acted.event.seq)
    }
}
