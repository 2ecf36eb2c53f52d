//! Group commit: many concurrent case writes share one transaction and one fsync.
//!
//! One writer task per process owns the write path. It takes every write waiting in its
//! queue (up to a batch limit), applies each inside its own savepoint, so that one bad
//! write fails alone, then commits once and answers everyone. A write is acknowledged
//! only after its batch is durable. The flow (idempotency, citizen matching, reference
//! numbers, lifecycle decisions, journal sealing) lives here, once; backends supply the
//! SQL through [`BatchTx`].

use crate::{Acted, Intake, StoreError, StoreResult};
use async_trait::async_trait;
use baraza_core::lifecycle::{decide, receive};
use baraza_core::outbound::{self, InboundMessage, OutboxEntry};
use baraza_core::{
    Action, Actor, Case, CaseId, CaseNumber, ChainHead, Citizen, CitizenId, Deadlines, EventKind,
    JournalEvent, JurisdictionId, NewCase, NewCitizen, StaffUser, Timestamp,
};
use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::sync::{mpsc, oneshot};

/// A write to apply.
#[derive(Debug, Clone)]
pub enum WriteOp {
    Create {
        new: Box<NewCase>,
        actor: Actor,
        at: Timestamp,
    },
    /// A message from a citizen: stored once, then understood and acted upon.
    Inbound(Box<crate::inbound::Arrival>),
    /// A citizen's personal data erased (`erasure`).
    Erase(Box<crate::erasure::Erasure>),
    /// A citizen's update relayed by an Open311 integration.
    Relay(Box<Relay>),
    /// A publication of the disclosure log, and a message to each of its followers.
    Publish(Box<Publish>),
    /// A citizen follows a disclosure class.
    Follow(Box<baraza_core::disclosure::Subscription>),
    /// Changes to an action plan, at the version they were decided on.
    Plan(Box<crate::plans::PlanWrite>),
    /// Changes to a public project, at the version they were decided on.
    Project(Box<crate::projects::ProjectWrite>),
    /// Messages to queue (reminders): each once, by its idempotency key.
    Notify(Vec<OutboxEntry>),
    /// Claim up to `limit` outbox messages due at `now`, leased until `lease_until`: for
    /// a backend with one write lock (SQLite), whose sender would otherwise wait for it
    /// behind a busy writer.
    ClaimOutbox {
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    },
    /// Record a round of sends, each only if its claim still holds (see `Store::update_outbox`).
    RecordOutbox(Vec<(OutboxEntry, Timestamp)>),
    Act {
        number: CaseNumber,
        expected_version: Option<u32>,
        actor: Actor,
        action: Box<Action>,
        targets: Box<Deadlines>,
        at: Timestamp,
    },
}

#[derive(Debug)]
pub enum WriteOutcome {
    Created(Intake),
    Acted(Acted),
    Inbound(crate::inbound::Handled),
    Erased(crate::erasure::Erased),
    Relayed(Relayed),
    Published(usize),
    Followed(bool),
    Planned(Box<crate::plans::PlanWritten>),
    Projected(Box<crate::projects::ProjectWritten>),
    Notified,
    Claimed(Vec<OutboxEntry>),
    Recorded(Vec<bool>),
}

/// A publication to record, with what its followers are told.
#[derive(Debug, Clone)]
pub struct Publish {
    pub publication: baraza_core::disclosure::Publication,
    /// The class's name, as the message says it.
    pub class_name: String,
    /// Where the public page is (the message carries it).
    pub link: String,
}

/// A citizen's update relayed by an Open311 integration (FixMyStreet): stored once per
/// (integration, update id) under the same unique key as a provider's message, recorded as
/// the citizen's reply, and followed by the confirmation or reopening it asks for; all in
/// one transaction, so that five concurrent posts of one update make one event.
#[derive(Debug, Clone)]
pub struct Relay {
    /// The update as a message: provider `open311`, the id `<integration>:<update id>`.
    pub message: InboundMessage,
    pub number: CaseNumber,
    pub actor: Actor,
    pub text: String,
    pub source: String,
    /// `resolve` or `reopen`, when the update's status asks for it and the case allows it.
    pub follow: Option<Action>,
    pub targets: Deadlines,
    pub at: Timestamp,
}

/// What a relay did: nothing when the same update was relayed before.
#[derive(Debug, Clone, PartialEq)]
pub struct Relayed {
    pub duplicate: bool,
    /// The citizen's reply, as journaled.
    pub event: Option<JournalEvent>,
}

/// The statements a backend runs for the writer, inside one open transaction.
#[async_trait]
pub trait BatchTx: Send + 'static {
    async fn begin(&mut self) -> StoreResult<()>;
    /// Read the chain heads these writes need, locking them against other processes
    /// until commit, in the order of their jurisdictions' names (so that two writers
    /// never wait on each other in a circle), before any row they write is locked.
    /// Called first in every batch, with nothing wanted when it writes no event, and
    /// again for a head first needed later in the batch.
    async fn lock_heads(
        &mut self,
        wanted: &[HeadOf],
    ) -> StoreResult<Vec<(JurisdictionId, ChainHead)>>;
    /// Record the heads this batch moved.
    async fn write_heads(&mut self, heads: &[(JurisdictionId, ChainHead)]) -> StoreResult<()>;
    async fn savepoint(&mut self) -> StoreResult<()>;
    async fn release_savepoint(&mut self) -> StoreResult<()>;
    async fn rollback_to_savepoint(&mut self) -> StoreResult<()>;
    async fn commit(&mut self) -> StoreResult<()>;
    async fn rollback(&mut self) -> StoreResult<()>;

    async fn case_by_idempotency_key(
        &mut self,
        j: &JurisdictionId,
        key: &str,
    ) -> StoreResult<Option<Case>>;
    async fn find_citizen(
        &mut self,
        j: &JurisdictionId,
        c: &NewCitizen,
    ) -> StoreResult<Option<Citizen>>;
    async fn insert_citizen(&mut self, c: &Citizen) -> StoreResult<()>;
    async fn number_taken(&mut self, n: CaseNumber) -> StoreResult<bool>;
    async fn insert_case(&mut self, c: &Case) -> StoreResult<()>;
    /// Load a case, locking its row until commit where the backend has row locks.
    async fn case_for_update(&mut self, n: CaseNumber) -> StoreResult<Option<Case>>;
    async fn update_case(&mut self, c: &Case) -> StoreResult<()>;
    async fn append_event(&mut self, e: &JournalEvent) -> StoreResult<()>;

    async fn citizen(&mut self, id: CitizenId) -> StoreResult<Option<Citizen>>;
    async fn update_citizen(&mut self, c: &Citizen) -> StoreResult<()>;
    /// A jurisdiction's reference prefix (`EM`), for messages quoting references.
    async fn reference_prefix(&mut self, j: &JurisdictionId) -> StoreResult<String>;
    /// A citizen's most recently updated cases, newest first.
    async fn recent_cases_of(&mut self, citizen: CitizenId, limit: u32) -> StoreResult<Vec<Case>>;
    async fn insert_outbox(&mut self, e: &OutboxEntry) -> StoreResult<()>;
    /// The jurisdiction's active staff (to tell the new holders of an escalated case).
    async fn staff_of(&mut self, j: &JurisdictionId) -> StoreResult<Vec<StaffUser>>;
    async fn insert_publication(
        &mut self,
        p: &baraza_core::disclosure::Publication,
    ) -> StoreResult<()>;
    /// Record a follower; false when they already follow the class.
    async fn put_follower(
        &mut self,
        s: &baraza_core::disclosure::Subscription,
    ) -> StoreResult<bool>;
    async fn followers(
        &mut self,
        j: &JurisdictionId,
        class: &str,
    ) -> StoreResult<Vec<baraza_core::disclosure::Subscription>>;
    /// Load an action plan, locking its row until commit where the backend has row locks.
    async fn plan_for_update(
        &mut self,
        id: baraza_core::action_plan::PlanId,
    ) -> StoreResult<Option<baraza_core::action_plan::ActionPlan>>;
    async fn plan_by_slug(
        &mut self,
        j: &JurisdictionId,
        slug: &str,
    ) -> StoreResult<Option<baraza_core::action_plan::ActionPlan>>;
    /// A jurisdiction's action plans (a citizen's comment names a commitment).
    async fn plans_in(
        &mut self,
        j: &JurisdictionId,
    ) -> StoreResult<Vec<baraza_core::action_plan::ActionPlan>>;
    /// Insert or replace an action plan's record.
    async fn put_plan(&mut self, p: &baraza_core::action_plan::ActionPlan) -> StoreResult<()>;
    /// Load a project, locking its row until commit where the backend has row locks.
    async fn project_for_update(
        &mut self,
        id: baraza_core::project::ProjectId,
    ) -> StoreResult<Option<baraza_core::project::Project>>;
    async fn project_by_code(
        &mut self,
        j: &JurisdictionId,
        code: &str,
    ) -> StoreResult<Option<baraza_core::project::Project>>;
    /// Insert or replace a project's record.
    async fn put_project(&mut self, p: &baraza_core::project::Project) -> StoreResult<()>;
    /// An area of the jurisdiction by its code or its name (any case), the deepest first:
    /// what a citizen typed after FOLLOW.
    async fn area_named(
        &mut self,
        j: &JurisdictionId,
        typed: &str,
    ) -> StoreResult<Option<(baraza_core::AreaCode, String)>>;
    /// Stop telling this address anything (STOP, erasure); returns how many were dropped.
    async fn drop_follower(&mut self, address: &str) -> StoreResult<u64>;
    /// Whether any case still lists a file (by its SHA-256) among its attachments.
    async fn file_in_use(&mut self, sha256: &str) -> StoreResult<bool>;
    /// Store a citizen's message; false if this provider's id was stored before.
    async fn insert_inbound(&mut self, m: &InboundMessage) -> StoreResult<bool>;
    async fn set_inbound_outcome(
        &mut self,
        id: uuid::Uuid,
        outcome: outbound::InboundOutcome,
        case: Option<CaseId>,
    ) -> StoreResult<()>;

    /// A case's events, oldest first.
    async fn case_events(&mut self, case: CaseId) -> StoreResult<Vec<JournalEvent>>;
    /// Take an event's payload out, keeping its digest: erasure only.
    async fn erase_payload(&mut self, j: &JurisdictionId, seq: i64) -> StoreResult<()>;
    /// Blank the texts and addresses of messages from or to these addresses or about
    /// these cases, and give up on those not yet sent; returns (inbound, outbox) counts.
    async fn erase_messages(
        &mut self,
        addresses: &[String],
        cases: &[CaseId],
    ) -> StoreResult<(u64, u64)>;
    /// Write every field of a citizen record (contacts included).
    async fn replace_citizen(&mut self, c: &Citizen) -> StoreResult<()>;
    /// As `Store::claim_outbox`, inside the batch.
    async fn claim_outbox(
        &mut self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<OutboxEntry>>;
    /// As `Store::update_outbox`, inside the batch.
    async fn update_outbox(
        &mut self,
        outcomes: &[(OutboxEntry, Timestamp)],
    ) -> StoreResult<Vec<bool>>;

    /// Which of these numbers are taken, in one statement; `None` where asking one number
    /// at a time costs nothing (an embedded database).
    async fn numbers_taken(
        &mut self,
        _candidates: &[CaseNumber],
    ) -> StoreResult<Option<std::collections::HashSet<CaseNumber>>> {
        Ok(None)
    }
    /// Read ahead, in a few statements, what the batch's intakes will ask (idempotency
    /// keys, citizens by contact), so that they need no round trip each. Called once the
    /// head is locked. Nothing to do for an embedded database.
    async fn prefetch(&mut self, _ops: &[WriteOp]) -> StoreResult<()> {
        Ok(())
    }
    /// Whether writes are deferred to the commit (sent as a few multi-row statements): a
    /// write's failure may then surface only at commit, and the batch is retried with
    /// deferral off, one savepoint per write, to find out which write failed.
    fn defers_writes(&self) -> bool {
        false
    }
    fn set_deferring(&mut self, _on: bool) {}
}

/// Fresh reference numbers for a batch: candidates drawn at random and checked in one
/// statement where the backend can, then handed out one by one.
pub(crate) struct Numbers<'a> {
    rng: &'a mut StdRng,
    free: Vec<CaseNumber>,
}

impl<'a> Numbers<'a> {
    pub(crate) fn new(rng: &'a mut StdRng) -> Self {
        Self {
            rng,
            free: Vec::new(),
        }
    }

    /// Draw and check candidates for `wanted` new cases (twice as many: a drawn number is
    /// taken with the probability that the space is full).
    async fn stock<T: BatchTx>(&mut self, tx: &mut T, wanted: usize) -> StoreResult<()> {
        self.free.clear();
        if wanted == 0 {
            return Ok(());
        }
        let mut drawn: Vec<CaseNumber> = (0..wanted * 2 + 2)
            .map(|_| CaseNumber::random(self.rng))
            .collect();
        drawn.sort_unstable_by_key(|n| n.value());
        drawn.dedup();
        if let Some(taken) = tx.numbers_taken(&drawn).await? {
            drawn.retain(|n| !taken.contains(n));
            // Handed out in the order drawn, not sorted: `pop` from a shuffled stock.
            use rand::seq::SliceRandom;
            drawn.shuffle(self.rng);
            self.free = drawn;
        }
        Ok(())
    }

    async fn fresh<T: BatchTx>(&mut self, tx: &mut T) -> StoreResult<CaseNumber> {
        // Checked under the head lock at the start of the batch, and used once each.
        if let Some(n) = self.free.pop() {
            return Ok(n);
        }
        // Ten million numbers: a few draws suffice until the space is very full.
        for _ in 0..32 {
            let n = CaseNumber::random(self.rng);
            if !tx.number_taken(n).await? {
                return Ok(n);
            }
        }
        Err(StoreError::Conflict {
            code: "reference_space_exhausted",
            message: "no free reference number found; the reference space is nearly full".into(),
        })
    }
}

/// Whose chain head a write needs: a jurisdiction it names, or the jurisdiction of what
/// it writes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadOf {
    Jurisdiction(JurisdictionId),
    /// The case with this number.
    Case(CaseNumber),
    /// The action plan or project with this id.
    Document(uuid::Uuid),
    Citizen(CitizenId),
}

/// The chain heads a batch holds, one per jurisdiction it writes events to: those its
/// writes name are locked together at the start, any other when first needed, and the
/// ones that moved are written back before the commit.
#[derive(Clone, Default)]
pub struct Heads {
    held: std::collections::BTreeMap<JurisdictionId, ChainHead>,
    moved: std::collections::BTreeSet<JurisdictionId>,
}

impl Heads {
    /// Lock the heads these writes need (those not held yet). A head held already keeps
    /// the place this batch has moved it to.
    async fn lock<T: BatchTx>(&mut self, tx: &mut T, wanted: &[HeadOf]) -> StoreResult<()> {
        let mut wanted: Vec<HeadOf> = wanted
            .iter()
            .filter(|w| !matches!(w, HeadOf::Jurisdiction(j) if self.held.contains_key(j)))
            .cloned()
            .collect();
        wanted.dedup();
        for (j, head) in tx.lock_heads(&wanted).await? {
            self.held.entry(j).or_insert(head);
        }
        Ok(())
    }

    /// Give a draft its place in `j`'s chain.
    pub(crate) async fn seal<T: BatchTx>(
        &mut self,
        tx: &mut T,
        j: &JurisdictionId,
        draft: baraza_core::EventDraft,
    ) -> StoreResult<JournalEvent> {
        if !self.held.contains_key(j) {
            self.lock(tx, &[HeadOf::Jurisdiction(j.clone())]).await?;
        }
        let head = self
            .held
            .get_mut(j)
            .ok_or_else(|| StoreError::Corrupt(format!("the journal has no chain head for {j}")))?;
        let ev = head.seal(j, draft);
        *head = ChainHead::after(&ev);
        self.moved.insert(j.clone());
        Ok(ev)
    }

    /// Seal and append.
    pub(crate) async fn append<T: BatchTx>(
        &mut self,
        tx: &mut T,
        j: &JurisdictionId,
        draft: baraza_core::EventDraft,
    ) -> StoreResult<JournalEvent> {
        let ev = self.seal(tx, j, draft).await?;
        tx.append_event(&ev).await?;
        Ok(ev)
    }

    fn moved(&self) -> Vec<(JurisdictionId, ChainHead)> {
        self.moved
            .iter()
            .filter_map(|j| self.held.get(j).map(|h| (j.clone(), h.clone())))
            .collect()
    }
}

/// The chain head a write needs locked before it starts.
fn wants(op: &WriteOp) -> Option<HeadOf> {
    match op {
        WriteOp::Create { new, .. } => Some(HeadOf::Jurisdiction(new.jurisdiction.clone())),
        WriteOp::Inbound(a) => Some(HeadOf::Jurisdiction(a.jurisdiction.clone())),
        WriteOp::Act { number, .. } => Some(HeadOf::Case(*number)),
        WriteOp::Relay(r) => Some(HeadOf::Case(r.number)),
        WriteOp::Erase(e) => Some(HeadOf::Citizen(e.citizen)),
        WriteOp::Plan(w) => Some(HeadOf::Document(w.plan.0)),
        WriteOp::Project(w) => Some(HeadOf::Document(w.project.0)),
        WriteOp::Publish(_)
        | WriteOp::Follow(_)
        | WriteOp::Notify(_)
        | WriteOp::ClaimOutbox { .. }
        | WriteOp::RecordOutbox(_) => None,
    }
}

struct Pending {
    op: WriteOp,
    reply: oneshot::Sender<StoreResult<WriteOutcome>>,
}

/// The handle to a running writer task.
#[derive(Clone)]
pub struct GroupCommitter {
    queue: mpsc::Sender<Pending>,
}

impl GroupCommitter {
    /// Start the writer as a task on the current runtime (for backends whose driver is
    /// asynchronous). `max_batch` bounds how many writes share a commit.
    pub fn spawn<T: BatchTx>(tx: T, max_batch: usize) -> Self {
        let (queue, inbox) = mpsc::channel::<Pending>(max_batch * 4);
        tokio::spawn(writer_loop(tx, inbox, max_batch));
        Self { queue }
    }

    /// Start the writer on a thread of its own (for backends whose driver blocks, like
    /// SQLite's C library): the batch runs without a thread hop per statement.
    pub fn spawn_on_thread<T: BatchTx>(
        make: impl FnOnce() -> StoreResult<T> + Send + 'static,
        max_batch: usize,
    ) -> StoreResult<Self> {
        let (queue, inbox) = mpsc::channel::<Pending>(max_batch * 4);
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("baraza-writer".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(r) => r,
                    Err(e) => {
                        let _ =
                            ready_tx.send(Err(StoreError::Backend(format!("writer runtime: {e}"))));
                        return;
                    }
                };
                match make() {
                    Ok(tx) => {
                        let _ = ready_tx.send(Ok(()));
                        runtime.block_on(writer_loop(tx, inbox, max_batch));
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            })
            .map_err(|e| StoreError::Backend(format!("starting the writer thread: {e}")))?;
        ready_rx
            .recv()
            .map_err(|_| StoreError::Backend("the writer thread died while starting".into()))??;
        Ok(Self { queue })
    }

    pub async fn inbound(
        &self,
        arrival: crate::inbound::Arrival,
    ) -> StoreResult<crate::inbound::Handled> {
        match self.submit(WriteOp::Inbound(Box::new(arrival))).await? {
            WriteOutcome::Inbound(h) => Ok(h),
            _ => Err(StoreError::Backend(
                "writer answered the wrong operation".into(),
            )),
        }
    }

    /// Whether the writer is still there to take writes (for readiness checks).
    pub fn is_running(&self) -> bool {
        !self.queue.is_closed()
    }

    /// Queue a write and wait until it is durable (or failed).
    pub async fn submit(&self, op: WriteOp) -> StoreResult<WriteOutcome> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Pending { op, reply })
            .await
            .map_err(|_| StoreError::Unavailable("the writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Unavailable("the writer has stopped".into()))?
    }

    pub async fn create_case(
        &self,
        new: NewCase,
        actor: Actor,
        at: Timestamp,
    ) -> StoreResult<Intake> {
        match self
            .submit(WriteOp::Create {
                new: Box::new(new),
                actor,
                at,
            })
            .await?
        {
            WriteOutcome::Created(i) => Ok(i),
            _ => Err(StoreError::Backend(
                "writer answered the wrong operation".into(),
            )),
        }
    }

    /// Relay a citizen's update from an Open311 integration, once.
    pub async fn relay(&self, r: Relay) -> StoreResult<Relayed> {
        match self.submit(WriteOp::Relay(Box::new(r))).await? {
            WriteOutcome::Relayed(d) => Ok(d),
            _ => Err(StoreError::Backend(
                "writer answered the wrong operation".into(),
            )),
        }
    }

    pub async fn publish(&self, p: Publish) -> StoreResult<usize> {
        match self.submit(WriteOp::Publish(Box::new(p))).await? {
            WriteOutcome::Published(n) => Ok(n),
            _ => Err(StoreError::Backend(
                "writer answered the wrong operation".into(),
            )),
        }
    }

    pub async fn follow(&self, s: baraza_core::disclosure::Subscription) -> StoreResult<bool> {
        match self.submit(WriteOp::Follow(Box::new(s))).await? {
            WriteOutcome::Followed(b) => Ok(b),
            _ => Err(StoreError::Backend(
                "writer answered the wrong operation".into(),
            )),
        }
    }

    pub async fn plan(&self, w: crate::plans::PlanWrite) -> StoreResult<crate::plans::PlanWritten> {
        match self.submit(WriteOp::Plan(Box::new(w))).await? {
            WriteOutcome::Planned(p) => Ok(*p),
            _ => Err(StoreError::Backend(
                "writer answered the wrong operation".into(),
            )),
        }
    }

    pub async fn project(
        &self,
        w: crate::projects::ProjectWrite,
    ) -> StoreResult<crate::projects::ProjectWritten> {
        match self.submit(WriteOp::Project(Box::new(w))).await? {
            WriteOutcome::Projected(p) => Ok(*p),
            _ => Err(StoreError::Backend(
                "writer answered the wrong operation".into(),
            )),
        }
    }

    pub async fn claim_outbox(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<OutboxEntry>> {
        let op = WriteOp::ClaimOutbox {
            now,
            lease_until,
            limit,
        };
        match self.submit(op).await? {
            WriteOutcome::Claimed(c) => Ok(c),
            _ => Err(StoreError::Backend(
                "writer answered the wrong operation".into(),
            )),
        }
    }

    pub async fn update_outbox(
        &self,
        outcomes: Vec<(OutboxEntry, Timestamp)>,
    ) -> StoreResult<Vec<bool>> {
        match self.submit(WriteOp::RecordOutbox(outcomes)).await? {
            WriteOutcome::Recorded(r) => Ok(r),
            _ => Err(StoreError::Backend(
                "writer answered the wrong operation".into(),
            )),
        }
    }

    pub async fn notify(&self, entries: Vec<OutboxEntry>) -> StoreResult<()> {
        match self.submit(WriteOp::Notify(entries)).await? {
            WriteOutcome::Notified => Ok(()),
            _ => Err(StoreError::Backend(
                "writer answered the wrong operation".into(),
            )),
        }
    }

    /// Erase a citizen's personal data (see `erasure`).
    pub async fn erase(&self, e: crate::erasure::Erasure) -> StoreResult<crate::erasure::Erased> {
        match self.submit(WriteOp::Erase(Box::new(e))).await? {
            WriteOutcome::Erased(d) => Ok(d),
            _ => Err(StoreError::Backend(
                "writer answered the wrong operation".into(),
            )),
        }
    }

    pub async fn act(
        &self,
        number: CaseNumber,
        expected_version: Option<u32>,
        actor: Actor,
        action: Action,
        targets: Deadlines,
        at: Timestamp,
    ) -> StoreResult<Acted> {
        let op = WriteOp::Act {
            number,
            expected_version,
            actor,
            action: Box::new(action),
            targets: Box::new(targets),
            at,
        };
        match self.submit(op).await? {
            WriteOutcome::Acted(a) => Ok(a),
            _ => Err(StoreError::Backend(
                "writer answered the wrong operation".into(),
            )),
        }
    }
}

async fn writer_loop<T: BatchTx>(mut tx: T, mut inbox: mpsc::Receiver<Pending>, max_batch: usize) {
    let mut rng = StdRng::from_entropy();
    let mut batch = Vec::with_capacity(max_batch);
    while inbox.recv_many(&mut batch, max_batch).await > 0 {
        let (ops, replies): (Vec<WriteOp>, Vec<_>) =
            batch.drain(..).map(|p| (p.op, p.reply)).unzip();
        let started = std::time::Instant::now();
        metrics::histogram!("baraza_group_commit_batch_size").record(ops.len() as f64);
        let results = run_batch(&mut tx, ops, &mut rng).await;
        metrics::histogram!("baraza_group_commit_seconds").record(started.elapsed().as_secs_f64());
        for r in results.iter().flatten() {
            let new_case = match r {
                WriteOutcome::Created(i) if i.created => Some(&i.case),
                WriteOutcome::Inbound(h)
                    if !h.duplicate && h.message.outcome == outbound::InboundOutcome::NewCase =>
                {
                    h.case.as_ref()
                }
                _ => None,
            };
            if let Some(c) = new_case {
                metrics::counter!("baraza_intakes_total", "channel" => c.channel.to_string())
                    .increment(1);
            }
            if let WriteOutcome::Acted(a) = r
                && a.event.kind == baraza_core::journal::EventKind::Escalated
            {
                metrics::counter!("baraza_escalations_total", "by" => a.event.actor_role.to_string())
                    .increment(1);
            }
        }
        for (reply, result) in replies.into_iter().zip(results) {
            // A caller that gave up waiting still had its write committed; nothing to undo.
            let _ = reply.send(result);
        }
    }
}

/// Apply a batch in one transaction; each op gets its own result.
pub async fn run_batch<T: BatchTx>(
    tx: &mut T,
    ops: Vec<WriteOp>,
    rng: &mut StdRng,
) -> Vec<StoreResult<WriteOutcome>> {
    if !tx.defers_writes() {
        return run_batch_once(tx, ops, rng).await.0;
    }
    let again = ops.clone();
    let (results, failed) = run_batch_once(tx, ops, rng).await;
    if !failed {
        return results;
    }
    // A deferred write failed at commit, or the transaction broke: nothing was written.
    // Once more, one savepoint per write, so that only the failing write fails.
    tx.set_deferring(false);
    let (results, _) = run_batch_once(tx, again, rng).await;
    tx.set_deferring(true);
    results
}

/// How many ops of a batch may create a case (each wants a fresh number).
fn creations(ops: &[WriteOp]) -> usize {
    ops.iter()
        .filter(|op| matches!(op, WriteOp::Create { .. } | WriteOp::Inbound(_)))
        .count()
}

/// One attempt at a batch; true with the results when the whole batch failed.
async fn run_batch_once<T: BatchTx>(
    tx: &mut T,
    ops: Vec<WriteOp>,
    rng: &mut StdRng,
) -> (Vec<StoreResult<WriteOutcome>>, bool) {
    let n = ops.len();
    let fail_all = |e: StoreError| ((0..n).map(|_| Err(e.duplicate())).collect::<Vec<_>>(), true);
    if let Err(e) = tx.begin().await {
        return fail_all(e);
    }
    let mut head = Heads::default();
    let wanted: Vec<HeadOf> = ops.iter().filter_map(wants).collect();
    if let Err(e) = head.lock(tx, &wanted).await {
        let _ = tx.rollback().await;
        return fail_all(e);
    }
    let mut numbers = Numbers::new(rng);
    let ready = async {
        numbers.stock(tx, creations(&ops)).await?;
        tx.prefetch(&ops).await
    };
    if let Err(e) = ready.await {
        let _ = tx.rollback().await;
        return fail_all(e);
    }
    let mut results = Vec::with_capacity(n);
    let mut any_ok = false;
    for op in ops {
        if let Err(e) = tx.savepoint().await {
            let _ = tx.rollback().await;
            return fail_all(e);
        }
        let before = head.clone();
        match apply(tx, op, &mut head, &mut numbers).await {
            Ok(out) => {
                if let Err(e) = tx.release_savepoint().await {
                    let _ = tx.rollback().await;
                    return fail_all(e);
                }
                any_ok = true;
                results.push(Ok(out));
            }
            Err(err) => {
                head = before;
                let undone = match tx.rollback_to_savepoint().await {
                    Ok(()) => tx.release_savepoint().await,
                    Err(e) => Err(e),
                };
                if let Err(e) = undone {
                    let _ = tx.rollback().await;
                    return fail_all(e);
                }
                results.push(Err(err));
            }
        }
    }
    let finish = async {
        if any_ok {
            tx.write_heads(&head.moved()).await?;
        }
        tx.commit().await
    };
    if let Err(e) = finish.await {
        let _ = tx.rollback().await;
        return fail_all(StoreError::Unavailable(format!(
            "the batch could not be committed: {e}"
        )));
    }
    (results, false)
}

async fn apply<T: BatchTx>(
    tx: &mut T,
    op: WriteOp,
    head: &mut Heads,
    numbers: &mut Numbers<'_>,
) -> StoreResult<WriteOutcome> {
    match op {
        WriteOp::Create { new, actor, at } => create_in_tx(tx, *new, &actor, at, head, numbers)
            .await
            .map(WriteOutcome::Created),
        WriteOp::Act {
            number,
            expected_version,
            actor,
            action,
            targets,
            at,
        } => {
            let case = tx
                .case_for_update(number)
                .await?
                .ok_or(StoreError::NotFound("case"))?;
            if let Some(v) = expected_version
                && v != case.version
            {
                return Err(StoreError::Conflict {
                    code: "version_mismatch",
                    message: format!(
                        "the case changed since version {v}; it is now at version {}",
                        case.version
                    ),
                });
            }
            act_in_tx(tx, &case, &actor, &action, &targets, at, head)
                .await
                .map(WriteOutcome::Acted)
        }
        WriteOp::Inbound(inbound) => crate::inbound::handle(tx, *inbound, head, numbers)
            .await
            .map(WriteOutcome::Inbound),
        WriteOp::Erase(e) => crate::erasure::erase_in_tx(tx, &e, head)
            .await
            .map(WriteOutcome::Erased),
        WriteOp::Relay(r) => relay_in_tx(tx, *r, head).await.map(WriteOutcome::Relayed),
        WriteOp::Publish(p) => publish_in_tx(tx, *p).await.map(WriteOutcome::Published),
        WriteOp::Follow(s) => tx.put_follower(&s).await.map(WriteOutcome::Followed),
        WriteOp::Plan(w) => crate::plans::write_in_tx(tx, *w, head)
            .await
            .map(|w| WriteOutcome::Planned(Box::new(w))),
        WriteOp::Project(w) => crate::projects::write_in_tx(tx, *w, head)
            .await
            .map(|w| WriteOutcome::Projected(Box::new(w))),
        WriteOp::Notify(entries) => {
            for e in &entries {
                tx.insert_outbox(e).await?;
            }
            Ok(WriteOutcome::Notified)
        }
        WriteOp::ClaimOutbox {
            now,
            lease_until,
            limit,
        } => tx
            .claim_outbox(now, lease_until, limit)
            .await
            .map(WriteOutcome::Claimed),
        WriteOp::RecordOutbox(outcomes) => tx
            .update_outbox(&outcomes)
            .await
            .map(WriteOutcome::Recorded),
    }
}

async fn relay_in_tx<T: BatchTx>(tx: &mut T, r: Relay, head: &mut Heads) -> StoreResult<Relayed> {
    // The unique (provider, id) key makes the second of two concurrent posts a no-op.
    if !tx.insert_inbound(&r.message).await? {
        return Ok(Relayed {
            duplicate: true,
            event: None,
        });
    }
    let case = tx
        .case_for_update(r.number)
        .await?
        .ok_or(StoreError::NotFound("case"))?;
    let reply = Action::CitizenReply {
        text: r.text.clone(),
        source: Some(r.source.clone()),
    };
    let noted = act_in_tx(tx, &case, &r.actor, &reply, &r.targets, r.at, head).await?;
    if let Some(follow) = &r.follow {
        act_in_tx(tx, &noted.case, &r.actor, follow, &r.targets, r.at, head).await?;
    }
    tx.set_inbound_outcome(
        r.message.id,
        outbound::InboundOutcome::CitizenUpdate,
        Some(case.id),
    )
    .await?;
    Ok(Relayed {
        duplicate: false,
        event: Some(noted.event),
    })
}

/// Record a publication and queue one message per follower, in one transaction: a
/// retried publication (same id) tells nobody twice.
async fn publish_in_tx<T: BatchTx>(tx: &mut T, p: Publish) -> StoreResult<usize> {
    let pb = &p.publication;
    tx.insert_publication(pb).await?;
    let followers = tx.followers(&pb.jurisdiction, &pb.class).await?;
    for f in &followers {
        let msg = outbound::OutboundMessage {
            id: uuid::Uuid::now_v7(),
            jurisdiction: Some(pb.jurisdiction.clone()),
            idempotency_key: format!("disclosure:{}:{}", pb.id, f.address),
            case_id: None,
            channel: f.channel,
            to: f.address.clone(),
            language: f.language,
            template: outbound::Template::DisclosurePublished {
                class: p.class_name.clone(),
                title: pb.title.clone(),
                link: p.link.clone(),
            },
            created_at: pb.recorded_at,
        };
        tx.insert_outbox(&OutboxEntry::new(msg)).await?;
    }
    Ok(followers.len())
}

/// Take a new case in: idempotency, citizen, reference number, journal, acknowledgement.
pub(crate) async fn create_in_tx<T: BatchTx>(
    tx: &mut T,
    new: NewCase,
    actor: &Actor,
    at: Timestamp,
    head: &mut Heads,
    numbers: &mut Numbers<'_>,
) -> StoreResult<Intake> {
    if let Some(key) = &new.idempotency_key
        && let Some(case) = tx.case_by_idempotency_key(&new.jurisdiction, key).await?
    {
        return Ok(Intake {
            case,
            citizen: None,
            created: false,
        });
    }
    let citizen = match &new.citizen {
        Some(nc) => Some(match_or_add_citizen(tx, &new.jurisdiction, nc, at).await?),
        None => None,
    };
    let mut new = new;
    // A concern about a project: the project decides where it goes (`route_concern`).
    if let Some(baraza_core::Subject::Project(code)) = &new.subject
        && let Some(p) = tx.project_by_code(&new.jurisdiction, code).await?
    {
        baraza_core::project::route_concern(&mut new, &p);
    }
    let number = numbers.fresh(tx).await?;
    let (case, drafts) = receive(
        &new,
        CaseId(uuid::Uuid::now_v7()),
        number,
        citizen.as_ref().map(|c| c.id),
        actor,
        at,
    );
    tx.insert_case(&case).await?;
    for draft in drafts {
        let ev = head.append(tx, &case.jurisdiction, draft).await?;
        if let Some(c) = &citizen {
            notify(tx, &case, &ev, c).await?;
        }
    }
    Ok(Intake {
        case,
        citizen,
        created: true,
    })
}

/// Apply an action decided by the lifecycle: case row, journal event, message to the citizen.
pub(crate) async fn act_in_tx<T: BatchTx>(
    tx: &mut T,
    case: &Case,
    actor: &Actor,
    action: &Action,
    targets: &Deadlines,
    at: Timestamp,
    head: &mut Heads,
) -> StoreResult<Acted> {
    let t = decide(case, actor, action, targets, at)?;
    tx.update_case(&t.case).await?;
    let ev = head.append(tx, &t.case.jurisdiction, t.event).await?;
    if let Some(id) = t.case.citizen
        && let Some(c) = tx.citizen(id).await?
    {
        notify(tx, &t.case, &ev, &c).await?;
    }
    if t.case.status != case.status {
        // People following the case (not its citizen) are told of each change of status.
        let class = outbound::case_follow_class(t.case.number);
        let followers = tx.followers(&t.case.jurisdiction, &class).await?;
        if !followers.is_empty() {
            let prefix = tx.reference_prefix(&t.case.jurisdiction).await?;
            for f in &followers {
                if let Some(msg) = outbound::follower_update(case.status, &t.case, &ev, f, &prefix)
                {
                    tx.insert_outbox(&OutboxEntry::new(msg)).await?;
                }
            }
        }
    }
    if matches!(
        ev.kind,
        EventKind::Escalated | EventKind::Assigned | EventKind::Triaged | EventKind::DeemedRefused
    ) {
        let staff = tx.staff_of(&t.case.jurisdiction).await?;
        let prefix = tx.reference_prefix(&t.case.jurisdiction).await?;
        for msg in outbound::staff_notices(&t.case, &ev, &staff, &prefix) {
            tx.insert_outbox(&OutboxEntry::new(msg)).await?;
        }
    }
    Ok(Acted {
        case: t.case,
        event: ev,
    })
}

/// Queue the message an event warrants, in this same transaction.
async fn notify<T: BatchTx>(
    tx: &mut T,
    case: &Case,
    ev: &JournalEvent,
    citizen: &Citizen,
) -> StoreResult<()> {
    let prefix = tx.reference_prefix(&case.jurisdiction).await?;
    if let Some(msg) = outbound::for_event(case, ev, citizen, &prefix) {
        tx.insert_outbox(&OutboxEntry::new(msg)).await?;
    }
    Ok(())
}

async fn match_or_add_citizen<T: BatchTx>(
    tx: &mut T,
    j: &JurisdictionId,
    nc: &NewCitizen,
    at: Timestamp,
) -> StoreResult<Citizen> {
    if nc.has_contact()
        && let Some(mut found) = tx.find_citizen(j, nc).await?
    {
        // A name the record lacks and this intake gives is kept (a name given on the web
        // after a first SMS): the privacy projection masks a name only if it knows it.
        // Contacts are never added from an intake: whoever knows a citizen's email could
        // otherwise attach their own phone to that citizen and receive their answers.
        // Nothing already held is overwritten.
        let before = found.clone();
        found.name = found.name.or_else(|| nc.name.clone());
        found.gender = found.gender.or(nc.gender);
        found.age_band = found.age_band.or(nc.age_band);
        if found != before {
            tx.replace_citizen(&found).await?;
        }
        return Ok(found);
    }
    let c = Citizen {
        id: CitizenId(uuid::Uuid::now_v7()),
        jurisdiction: j.clone(),
        phone: nc.phone.clone(),
        whatsapp_id: nc.whatsapp_id.clone(),
        email: nc.email.clone(),
        name: nc.name.clone(),
        language: nc.language,
        gender: nc.gender,
        age_band: nc.age_band,
        consent: nc.consent,
        created_at: at,
    };
    tx.insert_citizen(&c).await?;
    Ok(c)
}
