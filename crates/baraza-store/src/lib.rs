//! The `Store` trait every backend implements, its error type, the group-commit writer
//! that turns many concurrent intakes into one durable transaction, and the conformance
//! suite that every backend must pass.

#[cfg(feature = "conformance")]
pub mod conformance;
pub mod erasure;
mod error;
pub mod group_commit;
pub mod inbound;
pub mod plans;
pub mod portable;
pub mod projects;
pub mod verify;

pub use error::{StoreError, StoreResult};
pub use group_commit::{
    BatchTx, GroupCommitter, HeadOf, Publish, Relay, Relayed, WriteOp, WriteOutcome,
};
pub use portable::Record;
pub use verify::{Verifier, VerifyReport, verify_journal};

use async_trait::async_trait;
use baraza_core::outbound::{OutboxEntry, OutboxStatus};
use baraza_core::{
    Action, Actor, ApiToken, Area, Case, CaseFilter, CaseId, CaseNumber, CaseStat, ChainHead,
    Channel, Citizen, CitizenId, Credentials, Deadlines, Department, EventKind, JournalEvent,
    Jurisdiction, JurisdictionId, NewCase, PhoneNumber, ServiceCategory, Session, StaffUser,
    Timestamp, UserId,
};

/// A case just received: `created` is false when an idempotency key matched an earlier
/// intake (and then `citizen` is not loaded).
#[derive(Debug, Clone, PartialEq)]
pub struct Intake {
    pub case: Case,
    pub citizen: Option<Citizen>,
    pub created: bool,
}

/// The outbox at a glance (metrics, readiness).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutboxHealth {
    /// Messages waiting for a first attempt or a retry.
    pub pending: u64,
    /// When the oldest of them was written.
    pub oldest_pending: Option<Timestamp>,
    /// Messages given up (`failed`) or of unknown fate (`uncertain`), by provider
    /// (`none` when no provider took them).
    pub failed_by_provider: Vec<(String, u64)>,
}

/// A case after an action, with the event that recorded it.
#[derive(Debug, Clone, PartialEq)]
pub struct Acted {
    pub case: Case,
    pub event: JournalEvent,
}

/// Persistence for everything Baraza keeps. Holds no business rules: case changes are
/// decided by `baraza_core::lifecycle`, which the store calls inside its transaction.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Is the database reachable?
    async fn ping(&self) -> StoreResult<()>;
    /// The outbox as operators watch it: what waits, since when, and what was given up.
    async fn outbox_health(&self) -> StoreResult<OutboxHealth>;

    // Reference data: upserts, so loading the same data twice changes nothing.
    async fn put_jurisdiction(&self, j: &Jurisdiction) -> StoreResult<()>;
    async fn jurisdictions(&self) -> StoreResult<Vec<Jurisdiction>>;
    async fn put_areas(&self, areas: &[Area]) -> StoreResult<()>;
    async fn areas(&self, j: &JurisdictionId) -> StoreResult<Vec<Area>>;
    async fn put_department(&self, d: &Department) -> StoreResult<()>;
    async fn departments(&self, j: &JurisdictionId) -> StoreResult<Vec<Department>>;
    async fn put_category(&self, c: &ServiceCategory) -> StoreResult<()>;
    async fn categories(&self, j: &JurisdictionId) -> StoreResult<Vec<ServiceCategory>>;

    // Staff and tokens.
    /// Fails with `Conflict` if the username is taken.
    async fn add_user(&self, u: &StaffUser) -> StoreResult<()>;
    async fn users(&self, j: Option<&JurisdictionId>) -> StoreResult<Vec<StaffUser>>;
    async fn user(&self, id: UserId) -> StoreResult<Option<StaffUser>>;
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<StaffUser>>;
    async fn set_user_disabled(&self, id: UserId, disabled: bool) -> StoreResult<()>;
    /// Give a user another role and scope (checked by the application layer).
    async fn set_user_role(
        &self,
        id: UserId,
        role: baraza_core::Role,
        scope: &baraza_core::Scope,
    ) -> StoreResult<()>;
    async fn add_token(&self, t: &ApiToken) -> StoreResult<()>;
    async fn tokens(&self, user: Option<UserId>) -> StoreResult<Vec<ApiToken>>;
    async fn token_by_secret_sha256(&self, sha256_hex: &str) -> StoreResult<Option<ApiToken>>;
    async fn revoke_token(&self, id: uuid::Uuid, at: Timestamp) -> StoreResult<()>;

    // Console sign-in and sessions.
    async fn credentials(&self, user: UserId) -> StoreResult<Option<Credentials>>;
    /// Set a password hash (an administrator's reset): clears failures and the lock, and
    /// ends every session of the user.
    async fn set_password(&self, user: UserId, phc: &str) -> StoreResult<()>;
    /// Count a failed sign-in; from the `lock_after`-th in a row the account is locked
    /// until `lock_until`. Returns the failures counted so far.
    async fn record_failed_login(
        &self,
        user: UserId,
        lock_after: u32,
        lock_until: Timestamp,
    ) -> StoreResult<u32>;
    async fn clear_failed_logins(&self, user: UserId) -> StoreResult<()>;
    async fn add_session(&self, s: &Session) -> StoreResult<()>;
    async fn session(&self, id_sha256: &str) -> StoreResult<Option<Session>>;
    async fn end_session(&self, id_sha256: &str) -> StoreResult<()>;
    /// Sign out everywhere: returns how many sessions ended.
    async fn end_sessions_of(&self, user: UserId) -> StoreResult<u64>;

    // Cases. Writes go through the group-commit writer: durable when they return.
    // `act` with `expected_version` fails with `Conflict { code: "version_mismatch" }` when
    // the case has changed since the caller read it (optimistic concurrency).
    async fn create_case(&self, new: NewCase, actor: Actor, at: Timestamp) -> StoreResult<Intake>;
    async fn act(
        &self,
        number: CaseNumber,
        expected_version: Option<u32>,
        actor: Actor,
        action: Action,
        targets: Deadlines,
        at: Timestamp,
    ) -> StoreResult<Acted>;
    async fn case_by_number(&self, number: CaseNumber) -> StoreResult<Option<Case>>;
    async fn case_by_id(&self, id: CaseId) -> StoreResult<Option<Case>>;
    async fn case_events(&self, id: CaseId) -> StoreResult<Vec<JournalEvent>>;
    async fn citizen(&self, id: CitizenId) -> StoreResult<Option<Citizen>>;
    /// The citizens with these ids, in one query (a page of a list); unknown ids are
    /// left out.
    async fn citizens(&self, ids: &[CitizenId]) -> StoreResult<Vec<Citizen>>;
    /// The events of these kinds about these cases, in journal order, in one query (a
    /// page of a list).
    async fn events_of_kinds(
        &self,
        cases: &[CaseId],
        kinds: &[EventKind],
    ) -> StoreResult<Vec<JournalEvent>>;
    /// The citizen with this phone number in a jurisdiction, if any.
    async fn citizen_by_phone(
        &self,
        j: &JurisdictionId,
        phone: &PhoneNumber,
    ) -> StoreResult<Option<Citizen>>;
    /// A citizen's cases, most recently changed first.
    async fn cases_of_citizen(&self, citizen: CitizenId, limit: u32) -> StoreResult<Vec<Case>>;
    /// Newest first, `(created_at, id)` keyset order; `filter.limit` rows at most.
    async fn list_cases(&self, filter: &CaseFilter) -> StoreResult<Vec<Case>>;
    /// How many cases match (`limit` and `after` are ignored).
    async fn count_cases(&self, filter: &CaseFilter) -> StoreResult<u64>;
    /// A jurisdiction's public journal events between two times (inclusive), oldest
    /// first, with their case's number (Open311's service request updates).
    async fn public_events(
        &self,
        j: &JurisdictionId,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<(CaseNumber, JournalEvent)>>;
    /// A jurisdiction's cases as figures (no text, no contact), in id order after `after`:
    /// the dashboard's first read.
    async fn case_stats(
        &self,
        j: &JurisdictionId,
        after: Option<CaseId>,
        limit: u32,
    ) -> StoreResult<Vec<CaseStat>>;
    /// The jurisdiction's cases that journal events after `after_seq` touched (at most
    /// `limit` events are looked at), and the last sequence number looked at. Sequence
    /// numbers follow commit order (writers take turns on the jurisdiction's chain head), so reading by them
    /// never misses a change, unlike reading by time.
    async fn case_stats_changed(
        &self,
        j: &JurisdictionId,
        after_seq: u64,
        limit: u32,
    ) -> StoreResult<(Vec<CaseStat>, u64)>;

    // Citizens' messages and the outbox.
    /// Store a citizen's message once and handle it (through the writer, like any write).
    async fn receive_message(&self, arrival: inbound::Arrival) -> StoreResult<inbound::Handled>;
    /// Claim up to `limit` outbox messages due at `now`; they stay hidden from other
    /// workers until `lease_until`, by when the claimer records the outcome.
    async fn claim_outbox(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<OutboxEntry>>;
    /// Record what happened to claimed messages (sent, retry later, failed), a worker's
    /// whole round in one transaction; each only if its claim still holds (with it, the
    /// lease it was claimed with): a worker whose lease ran out and was overtaken changes
    /// nothing. Returns, in order, whether each was recorded.
    async fn update_outbox(&self, outcomes: &[(OutboxEntry, Timestamp)]) -> StoreResult<Vec<bool>>;
    /// A provider's delivery report, accepted only for a message id we were given:
    /// returns false (and changes nothing) for any other id. Status only moves forward:
    /// a late "sent" never undoes "delivered" or "failed".
    async fn outbox_delivery(
        &self,
        provider: &str,
        provider_message_id: &str,
        status: OutboxStatus,
        detail: Option<String>,
        at: Timestamp,
    ) -> StoreResult<bool>;
    /// Citizens' messages whose media waits to be fetched, oldest first.
    async fn pending_media(
        &self,
        limit: u32,
    ) -> StoreResult<Vec<baraza_core::outbound::InboundMessage>>;
    /// Record where fetching a message's media stands (`fetched`, `failed`).
    async fn set_media_status(
        &self,
        inbound_id: uuid::Uuid,
        status: baraza_core::outbound::MediaStatus,
    ) -> StoreResult<()>;
    /// When `from` last wrote to us on `channel` (WhatsApp's 24-hour window).
    async fn last_inbound_at(&self, channel: Channel, from: &str)
    -> StoreResult<Option<Timestamp>>;
    /// Messages to one address, newest first. A diagnostic (and tests'): it scans the
    /// outbox, deliberately unindexed by recipient, so that intake stays fast.
    async fn outbox_to(&self, to: &str, limit: u32) -> StoreResult<Vec<OutboxEntry>>;

    /// Relay a citizen's update from an Open311 integration, once per update id.
    async fn relay_update(&self, r: Relay) -> StoreResult<Relayed>;

    // ---- The proactive disclosure log ----

    /// Record a publication and tell its class's followers; returns how many were told.
    async fn publish(&self, p: Publish) -> StoreResult<usize>;
    /// Follow a class; false when already following.
    async fn follow(&self, s: baraza_core::disclosure::Subscription) -> StoreResult<bool>;
    /// Apply changes to an action plan (see `plans`).
    async fn write_plan(&self, w: plans::PlanWrite) -> StoreResult<plans::PlanWritten>;
    /// Queue messages, each once by its idempotency key (reminders).
    async fn notify(&self, entries: Vec<OutboxEntry>) -> StoreResult<()>;
    /// A jurisdiction's action plans, by slug.
    async fn plans(
        &self,
        j: &JurisdictionId,
    ) -> StoreResult<Vec<baraza_core::action_plan::ActionPlan>>;
    /// Every jurisdiction's action plans (jobs).
    async fn all_plans(&self) -> StoreResult<Vec<baraza_core::action_plan::ActionPlan>>;

    // ---- Public projects and their open contracting data ----

    /// Apply changes to a project (see `projects`).
    async fn write_project(
        &self,
        w: projects::ProjectWrite,
    ) -> StoreResult<projects::ProjectWritten>;
    /// A jurisdiction's projects, by code.
    async fn projects(&self, j: &JurisdictionId)
    -> StoreResult<Vec<baraza_core::project::Project>>;
    /// A consistent copy of the whole database into a new file, taken while others write
    /// (SQLite's `VACUUM INTO`). PostgreSQL has its own tools (`pg_dump`) and refuses.
    async fn copy_into(&self, path: &std::path::Path) -> StoreResult<()>;
    /// What changes whenever a project of the jurisdiction is added or changed: how many
    /// there are and the sum of their versions (a version only grows). Readers cache the
    /// projects under it.
    async fn projects_stamp(&self, j: &JurisdictionId) -> StoreResult<(u64, u64)>;
    /// One project by its code.
    async fn project(
        &self,
        j: &JurisdictionId,
        code: &str,
    ) -> StoreResult<Option<baraza_core::project::Project>>;
    /// A jurisdiction's publications, newest first.
    async fn publications(
        &self,
        j: &JurisdictionId,
    ) -> StoreResult<Vec<baraza_core::disclosure::Publication>>;
    /// Who follows classes starting with `prefix` in a jurisdiction (`ward:` for the
    /// ward alerts' digest).
    async fn followers_with(
        &self,
        j: &JurisdictionId,
        prefix: &str,
    ) -> StoreResult<Vec<baraza_core::disclosure::Subscription>>;
    /// What an address follows (for the data subject's access to their record).
    async fn followed_by(
        &self,
        address: &str,
    ) -> StoreResult<Vec<baraza_core::disclosure::Subscription>>;

    // ---- Data protection (Kenya DPA 2019, Ghana Act 843) ----

    /// Erase a citizen's personal data, keeping the journal verifiable (see `erasure`).
    async fn erase_citizen(&self, e: erasure::Erasure) -> StoreResult<erasure::Erased>;
    /// Citizens whose phone number, WhatsApp id or email address is `contact`, in any
    /// jurisdiction.
    async fn citizens_by_contact(&self, contact: &str) -> StoreResult<Vec<Citizen>>;
    /// Messages received from these addresses or about these cases, oldest first.
    async fn inbound_of(
        &self,
        addresses: &[String],
        cases: &[CaseId],
    ) -> StoreResult<Vec<baraza_core::outbound::InboundMessage>>;
    /// Messages sent (or to send) to these addresses or about these cases, oldest first.
    async fn outbox_of(
        &self,
        addresses: &[String],
        cases: &[CaseId],
    ) -> StoreResult<Vec<OutboxEntry>>;
    /// Rectify a citizen record: every field written as given.
    async fn rectify_citizen(&self, c: &Citizen) -> StoreResult<()>;
    /// Citizens of a jurisdiction still holding personal data whose cases all settled
    /// (closed, rejected, referred, duplicate) before `settled_before`.
    async fn citizens_past_retention(
        &self,
        j: &JurisdictionId,
        settled_before: Timestamp,
    ) -> StoreResult<Vec<CitizenId>>;
    /// Blank the texts of messages about cases that settled before `settled_before`;
    /// returns how many were blanked.
    async fn expire_message_texts(
        &self,
        j: &JurisdictionId,
        settled_before: Timestamp,
    ) -> StoreResult<u64>;

    // The journal, export and import.
    /// A jurisdiction's chain head as recorded by the writer (to detect events removed
    /// from the end).
    async fn journal_head(&self, j: &JurisdictionId) -> StoreResult<ChainHead>;
    /// Stream every record (of one jurisdiction, or all) from one consistent snapshot, in
    /// [`portable`]'s order, ending with the chains' heads. Memory stays constant: the
    /// channel applies backpressure. One jurisdiction's export holds nothing of another's:
    /// the shared chain's other events go as links (place and hashes).
    async fn export(
        &self,
        only: Option<&JurisdictionId>,
        out: tokio::sync::mpsc::Sender<Record>,
    ) -> StoreResult<()>;
    /// Whether the database holds no jurisdiction, user, case or event (import target).
    async fn is_empty(&self) -> StoreResult<bool>;
    /// Insert exported records as they are, all in one transaction: commit when a
    /// `Record::Footer` arrives; roll everything back on an `Err` item, or if the channel
    /// closes before the footer. The caller checks the records; the store only inserts.
    async fn import(
        &self,
        records: tokio::sync::mpsc::Receiver<StoreResult<Record>>,
    ) -> StoreResult<()>;
}

/// The `ORDER BY` of a case listing, the same on both backends (standard SQL); ties
/// broken by id, so that pages never overlap.
pub fn case_order_sql(order: baraza_core::CaseOrder) -> &'static str {
    use baraza_core::CaseOrder as O;
    match order {
        O::Newest => " ORDER BY created_at DESC, id DESC",
        O::Oldest => " ORDER BY created_at ASC, id ASC",
        O::Deadline => {
            " ORDER BY CASE WHEN deadline IS NULL THEN 1 ELSE 0 END, deadline ASC, created_at ASC, id ASC"
        }
        O::Priority => {
            " ORDER BY CASE priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 \
             WHEN 'normal' THEN 2 WHEN 'low' THEN 3 ELSE 4 END, created_at ASC, id ASC"
        }
    }
}
