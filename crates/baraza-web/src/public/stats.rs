//! The transparency dashboard's figures, kept up to date incrementally: each jurisdiction's
//! cases are held in memory as `CaseStat` rows (figures only: no text, no contact). The
//! first read takes every case (after noting the journal's head); each later read takes
//! only the cases that journal events since then touched (`Store::case_stats_changed`).
//! Journal sequence numbers follow commit order, so no change is ever missed. Breakdowns are computed from those rows on demand and kept
//! until the data changes, so a page costs a lookup even with a million cases.
//!
//! Small counts are suppressed: a group of fewer than [`MIN_COUNT`] cases shows no figure,
//! so that no one can be identified from a breakdown.

use baraza_core::{
    AgeBand, AreaCode, AreaTree, CaseId, CaseKind, CaseNumber, CaseStat, Channel, Gender,
    JurisdictionId, Priority, Status, Timestamp,
};
use baraza_store::{Store, StoreResult};
use std::collections::{HashMap, HashSet};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use std::time::{Duration, Instant};

/// Groups with fewer cases than this show no figures.
pub const MIN_COUNT: usize = 5;
/// How stale the figures may be before a page reads the changes: reading them costs one
/// indexed query that usually returns nothing, so every page reads them.
const REFRESH_AFTER: Duration = Duration::ZERO;
const PAGE: u32 = 20_000;

/// The ways figures can be broken down.
pub const DIMENSIONS: &[&str] = &[
    "ward",
    "sub-county",
    "department",
    "category",
    "channel",
    "month",
    "gender",
    "age-band",
];

/// The figures of one group (or of everything).
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub key: String,
    pub count: usize,
    /// False when the group is too small to show anything but "fewer than 5".
    pub shown: bool,
    pub first_response_median_h: Option<f64>,
    pub first_response_p90_h: Option<f64>,
    pub resolution_median_d: Option<f64>,
    pub resolution_p90_d: Option<f64>,
    /// Resolved (confirmed) within the resolution target, of those resolved with a target.
    pub within_target: Option<f64>,
    /// Confirmed by the citizen, of those answered and settled (confirmed or unconfirmed).
    pub confirmed: Option<f64>,
    pub satisfaction: Option<f64>,
    pub reopen_rate: Option<f64>,
    pub resolved: usize,
}

fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.len() < MIN_COUNT {
        return None;
    }
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted.get(i).copied()
}

fn share(part: usize, of: usize) -> Option<f64> {
    (of >= MIN_COUNT).then(|| part as f64 / of as f64)
}

/// The figures of a set of cases.
fn figures<'a>(key: String, cases: impl Iterator<Item = &'a Row> + Clone) -> Figures {
    // The times to take medians of are most of a computation's memory at a million cases
    // (8 MB each): counted first, so that they are allocated once at their size rather
    // than grown by doubling, which held up to three times as much while copying.
    let (mut firsts, mut resolutions, mut rated) = (0, 0, 0);
    for c in cases.clone() {
        firsts += usize::from(c.first_responded_at.get().is_some());
        resolutions += usize::from(c.resolved_at.get().is_some());
        rated += usize::from(c.satisfaction.is_some());
    }
    let mut count = 0;
    let mut first = Vec::with_capacity(firsts);
    let mut resolution = Vec::with_capacity(resolutions);
    let (mut with_target, mut in_time) = (0, 0);
    let (mut confirmed, mut unconfirmed) = (0, 0);
    let mut ratings = Vec::with_capacity(rated);
    let mut reopened = 0;
    for c in cases {
        count += 1;
        if let Some(t) = c.first_responded_at.get() {
            first.push(((t - c.created_at.0) / 1_000_000) as f64 / 3600.0);
        }
        if let Some(t) = c.resolved_at.get() {
            resolution.push(((t - c.created_at.0) / 1_000_000) as f64 / 86_400.0);
            confirmed += 1;
            if let Some(due) = c.resolution_due.get() {
                with_target += 1;
                if t <= due {
                    in_time += 1;
                }
            }
        } else if c.status == Status::ClosedUnconfirmed {
            unconfirmed += 1;
        }
        if let Some(s) = c.satisfaction {
            ratings.push(f64::from(s));
        }
        if c.reopen_count > 0 {
            reopened += 1;
        }
    }
    first.sort_by(f64::total_cmp);
    resolution.sort_by(f64::total_cmp);
    let shown = count >= MIN_COUNT;
    let hide = |v: Option<f64>| v.filter(|_| shown);
    Figures {
        key,
        count,
        shown,
        first_response_median_h: hide(quantile(&first, 0.5)),
        first_response_p90_h: hide(quantile(&first, 0.9)),
        resolution_median_d: hide(quantile(&resolution, 0.5)),
        resolution_p90_d: hide(quantile(&resolution, 0.9)),
        within_target: hide(share(in_time, with_target)),
        confirmed: hide(share(confirmed, confirmed + unconfirmed)),
        satisfaction: hide(
            (ratings.len() >= MIN_COUNT)
                .then(|| ratings.iter().sum::<f64>() / ratings.len() as f64),
        ),
        reopen_rate: hide(share(reopened, count)),
        resolved: confirmed,
    }
}

/// A time as microseconds since 1970; `i64::MIN` is no time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Micros(i64);

impl Micros {
    const NONE: Micros = Micros(i64::MIN);

    fn of(t: &Timestamp) -> Self {
        Micros(t.timestamp_micros())
    }

    fn of_opt(t: Option<&Timestamp>) -> Self {
        t.map_or(Self::NONE, Self::of)
    }

    fn get(self) -> Option<i64> {
        (self != Self::NONE).then_some(self.0)
    }

    fn time(self) -> Option<Timestamp> {
        self.get().and_then(chrono::DateTime::from_timestamp_micros)
    }
}

/// A code held once per jurisdiction (ward, category, department), by its number.
type Sym = Option<NonZeroU32>;

/// The codes the rows name, each held once.
#[derive(Default)]
struct Symbols {
    names: Vec<String>,
    numbers: HashMap<String, NonZeroU32>,
}

impl Symbols {
    fn sym(&mut self, name: Option<&str>) -> Sym {
        let name = name?;
        if let Some(n) = self.numbers.get(name) {
            return Some(*n);
        }
        self.names.push(name.to_owned());
        let n = NonZeroU32::new(u32::try_from(self.names.len()).unwrap_or(u32::MAX))?;
        self.numbers.insert(name.to_owned(), n);
        Some(n)
    }

    fn name(&self, s: Sym) -> Option<&str> {
        s.and_then(|n| self.names.get(n.get() as usize - 1))
            .map(String::as_str)
    }
}

/// One case's figures as the dashboard holds them: about a hundred bytes, no text, no
/// contact, codes by number (a `CaseStat` with its four strings takes four times that).
#[derive(Debug, Clone, Copy)]
struct Row {
    id: CaseId,
    number: CaseNumber,
    created_at: Micros,
    first_responded_at: Micros,
    resolved_at: Micros,
    closed_at: Micros,
    resolution_due: Micros,
    updated_at: Micros,
    category: Sym,
    ward: Sym,
    holder: Sym,
    department: Sym,
    reopen_count: u32,
    kind: CaseKind,
    channel: Channel,
    status: Status,
    priority: Option<Priority>,
    satisfaction: Option<u8>,
    gender: Option<Gender>,
    age_band: Option<AgeBand>,
    publishable: bool,
}

impl Row {
    fn pack(c: &CaseStat, symbols: &mut Symbols) -> Self {
        Row {
            id: c.id,
            number: c.number,
            created_at: Micros::of(&c.created_at),
            first_responded_at: Micros::of_opt(c.first_responded_at.as_ref()),
            resolved_at: Micros::of_opt(c.resolved_at.as_ref()),
            closed_at: Micros::of_opt(c.closed_at.as_ref()),
            resolution_due: Micros::of_opt(c.resolution_due.as_ref()),
            updated_at: Micros::of(&c.updated_at),
            category: symbols.sym(c.category.as_deref()),
            ward: symbols.sym(c.ward.as_ref().map(|w| w.0.as_str())),
            holder: symbols.sym(c.holder.as_ref().map(|w| w.0.as_str())),
            department: symbols.sym(c.department.as_deref()),
            reopen_count: c.reopen_count,
            kind: c.kind,
            channel: c.channel,
            status: c.status,
            priority: c.priority,
            satisfaction: c.satisfaction,
            gender: c.gender,
            age_band: c.age_band,
            publishable: c.publishable,
        }
    }

    fn unpack(&self, symbols: &Symbols) -> CaseStat {
        let code = |s: Sym| symbols.name(s).map(str::to_owned);
        CaseStat {
            id: self.id,
            number: self.number,
            kind: self.kind,
            channel: self.channel,
            status: self.status,
            category: code(self.category),
            ward: code(self.ward).map(AreaCode),
            holder: code(self.holder).map(AreaCode),
            department: code(self.department),
            priority: self.priority,
            created_at: self.created_at.time().unwrap_or_default(),
            first_responded_at: self.first_responded_at.time(),
            resolved_at: self.resolved_at.time(),
            closed_at: self.closed_at.time(),
            resolution_due: self.resolution_due.time(),
            reopen_count: self.reopen_count,
            satisfaction: self.satisfaction,
            gender: self.gender,
            age_band: self.age_band,
            publishable: self.publishable,
            updated_at: self.updated_at.time().unwrap_or_default(),
        }
    }
}

/// The group of a case in a breakdown, as a number (a code's symbol, a vocabulary's
/// index, a month); `None` leaves it out (e.g. no ward yet). Grouping by number and
/// naming each group once keeps a breakdown of a million cases free of a million strings.
fn group_of(dimension: &str, c: &Row) -> Option<u64> {
    let sym = |s: Sym| s.map(|n| u64::from(n.get()));
    match dimension {
        "ward" | "sub-county" => sym(c.ward),
        "department" => sym(c.department),
        "category" => sym(c.category),
        "channel" => Some(c.channel as u64),
        "month" => c.created_at.time().map(|t| {
            use chrono::Datelike;
            (t.year() as u64) * 12 + u64::from(t.month0())
        }),
        "gender" => Some(c.gender.map_or(0, |g| g as u64 + 1)),
        "age-band" => Some(c.age_band.map_or(0, |a| a as u64 + 1)),
        _ => None,
    }
}

/// The key a group is shown under (see [`group_of`]); `None` leaves it out.
fn group_name(dimension: &str, group: u64, symbols: &Symbols, tree: &AreaTree) -> Option<String> {
    let code = || NonZeroU32::new(u32::try_from(group).ok()?).and_then(|n| symbols.name(Some(n)));
    let declared = |all: &[&'static str]| match group {
        0 => Some("not_declared".to_owned()),
        n => all.get(n as usize - 1).map(|s| (*s).to_owned()),
    };
    match dimension {
        "ward" | "department" | "category" => code().map(str::to_owned),
        "sub-county" => code()
            .and_then(|w| tree.get(&AreaCode(w.to_owned())))
            .and_then(|a| a.parent.as_ref())
            .map(|p| p.0.clone()),
        "channel" => Channel::ALL.get(group as usize).map(|c| c.to_string()),
        "month" => Some(format!("{:04}-{:02}", group / 12, group % 12 + 1)),
        "gender" => declared(&Gender::ALL.iter().map(|g| g.as_str()).collect::<Vec<_>>()),
        "age-band" => declared(&AgeBand::ALL.iter().map(|a| a.as_str()).collect::<Vec<_>>()),
        _ => None,
    }
}

/// One jurisdiction's cases as figures.
#[derive(Default)]
struct Data {
    /// Every case's row; those of the first read first, in id order (found by binary
    /// search, no index to hold), then those of cases that came since.
    rows: Vec<Row>,
    /// How many rows at the start are in id order.
    sorted: usize,
    /// Where the rows of cases that came since the first read are.
    tail: HashMap<CaseId, u32>,
    symbols: Symbols,
    /// The journal sequence number read up to; `None` before the first read.
    seq: Option<u64>,
    /// Bumped whenever rows change; cached breakdowns of an older generation are stale.
    generation: u64,
    refreshed: Option<Instant>,
}

/// Above this many cases a stale breakdown is answered at once and recomputed in the
/// background (figures trail by one computation, well under a second at a million cases);
/// below it, pages recompute before answering.
const SYNC_LIMIT: usize = 100_000;

/// Room for the cases to come beside `n` rows: about 3% (a few weeks of a county's
/// intake), so that the rows are rarely moved, and then moved into a little more room.
fn headroom(n: usize) -> usize {
    n / 32 + 1024
}

/// One jurisdiction: its figures, and the breakdowns computed from them so far.
#[derive(Default)]
struct Jurisdiction {
    /// Held while reading from the store, so that concurrent pages read once.
    reading: tokio::sync::Mutex<()>,
    data: Mutex<Data>,
    count: AtomicUsize,
    cache: Mutex<HashMap<String, (u64, Arc<Breakdown>)>>,
    computing: Mutex<HashSet<String>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Data {
    /// Where a case's row is.
    fn find(&self, id: &CaseId) -> Option<usize> {
        match self.rows[..self.sorted].binary_search_by_key(id, |r| r.id) {
            Ok(i) => Some(i),
            Err(_) => self.tail.get(id).map(|&i| i as usize),
        }
    }

    /// Put a case's figures in, replacing what it had.
    fn put(&mut self, c: &CaseStat) {
        let row = Row::pack(c, &mut self.symbols);
        match self.find(&c.id) {
            Some(i) => self.rows[i] = row,
            None => {
                let i = u32::try_from(self.rows.len()).unwrap_or(u32::MAX);
                if self.rows.len() == self.rows.capacity() {
                    // Grown by a little, not doubled: a million rows are 104 MB.
                    self.rows.reserve_exact(headroom(self.rows.len()));
                }
                self.rows.push(row);
                self.tail.insert(c.id, i);
            }
        }
    }

    /// The first read's rows, put in id order (the store gives them so) with no index.
    fn first_read(rows: Vec<Row>, symbols: Symbols) -> Self {
        let mut rows = rows;
        rows.sort_unstable_by_key(|r| r.id);
        rows.dedup_by_key(|r| r.id);
        // Not shrunk: the room left is for the cases to come (shrinking copies every row,
        // and the next case would copy them all again, each time holding both copies).
        if rows.capacity() > rows.len() + 2 * headroom(rows.len()) {
            rows.shrink_to(rows.len() + headroom(rows.len()));
        }
        Data {
            sorted: rows.len(),
            rows,
            symbols,
            ..Default::default()
        }
    }
}

impl Jurisdiction {
    /// The data, unless a computation holds it and there are many cases (then the
    /// caller goes on without it rather than wait).
    fn data_if_free(&self) -> Option<MutexGuard<'_, Data>> {
        if self.count.load(Ordering::Relaxed) <= SYNC_LIMIT {
            return Some(lock(&self.data));
        }
        match self.data.try_lock() {
            Ok(d) => Some(d),
            Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        }
    }

    fn compute(&self, tree: &AreaTree, dimension: &str) -> Arc<Breakdown> {
        let d = lock(&self.data);
        let total = figures("all".into(), d.rows.iter());
        // Each group's name is looked up once per number, and each case is listed once,
        // in its named group. Two numbers may share a name (two wards of one sub-county).
        let mut slots: HashMap<u64, Option<usize>> = HashMap::new();
        let mut by_name: HashMap<String, usize> = HashMap::new();
        let mut members: Vec<(String, Vec<&Row>)> = Vec::new();
        for c in &d.rows {
            let Some(k) = group_of(dimension, c) else {
                continue;
            };
            let slot = *slots.entry(k).or_insert_with(|| {
                let name = group_name(dimension, k, &d.symbols, tree)?;
                Some(*by_name.entry(name).or_insert_with_key(|name| {
                    members.push((name.clone(), Vec::new()));
                    members.len() - 1
                }))
            });
            if let Some(i) = slot {
                members[i].1.push(c);
            }
        }
        let mut groups: Vec<Figures> = members
            .into_iter()
            .map(|(k, cs)| figures(k, cs.iter().copied()))
            .collect();
        groups.sort_by(|a, b| a.key.cmp(&b.key));
        let b = Arc::new(Breakdown { total, groups });
        let generation = d.generation;
        drop(d);
        lock(&self.cache).insert(dimension.to_owned(), (generation, b.clone()));
        b
    }

    fn compute_in_background(self: Arc<Self>, tree: AreaTree, dimension: String) {
        if !lock(&self.computing).insert(dimension.clone()) {
            return;
        }
        tokio::task::spawn_blocking(move || {
            self.compute(&tree, &dimension);
            lock(&self.computing).remove(&dimension);
        });
    }
}

/// Figures for everything and per group, groups sorted by their key.
#[derive(Debug, Clone, PartialEq)]
pub struct Breakdown {
    pub total: Figures,
    pub groups: Vec<Figures>,
}

/// Every jurisdiction's figures. Cheap to share; refreshes itself when read.
#[derive(Default)]
pub struct Stats {
    data: tokio::sync::Mutex<HashMap<JurisdictionId, Arc<Jurisdiction>>>,
}

impl Stats {
    async fn jurisdiction(&self, j: &JurisdictionId) -> Arc<Jurisdiction> {
        self.data.lock().await.entry(j.clone()).or_default().clone()
    }

    /// Read the cases changed since the last read (all of them the first time).
    pub async fn refresh(
        &self,
        store: &dyn Store,
        j: &JurisdictionId,
        force: bool,
    ) -> StoreResult<()> {
        let jur = self.jurisdiction(j).await;
        let _one_reader = jur.reading.lock().await;
        // A large breakdown being computed holds the data: read the changes next time.
        let Some((fresh, seq)) = jur.data_if_free().map(|d| {
            let fresh = d.refreshed.is_some_and(|t| t.elapsed() < REFRESH_AFTER);
            (fresh, d.seq)
        }) else {
            return Ok(());
        };
        if fresh && !force {
            return Ok(());
        }
        let mut seq = match seq {
            Some(seq) => seq,
            None => {
                // First read: note the head, then take every case; whatever commits
                // meanwhile is read again by sequence number next time.
                let head = u64::try_from(store.journal_head(j).await?.seq).unwrap_or(0);
                let mut after = None;
                // Room for every case at once: a vector grown by doubling would hold
                // twice the rows for a moment, and the allocator keeps such peaks.
                let expected = store
                    .count_cases(&baraza_core::CaseFilter {
                        jurisdiction: Some(j.clone()),
                        information: Some(false),
                        ..Default::default()
                    })
                    .await?;
                let expected = usize::try_from(expected).unwrap_or(0);
                let mut rows = Vec::with_capacity(expected + headroom(expected));
                let mut symbols = Symbols::default();
                loop {
                    let batch = store.case_stats(j, after, PAGE).await?;
                    let full = batch.len() == PAGE as usize;
                    after = batch.last().map(|r| r.id);
                    rows.extend(batch.iter().map(|r| Row::pack(r, &mut symbols)));
                    if !full {
                        break;
                    }
                }
                let all = Data::first_read(rows, symbols);
                let mut d = lock(&jur.data);
                jur.count.store(all.rows.len(), Ordering::Relaxed);
                d.rows = all.rows;
                d.sorted = all.sorted;
                d.tail = all.tail;
                d.symbols = all.symbols;
                d.generation += 1;
                d.seq = Some(head);
                head
            }
        };
        loop {
            let (batch, last) = store.case_stats_changed(j, seq, PAGE).await?;
            let caught_up = last == seq || last < seq + u64::from(PAGE);
            // While a large breakdown is being computed, leave these for the next read:
            // the sequence number only moves once they are in.
            let Some(mut d) = jur.data_if_free() else {
                return Ok(());
            };
            if !batch.is_empty() {
                d.generation += 1;
            }
            for row in &batch {
                d.put(row);
            }
            jur.count.store(d.rows.len(), Ordering::Relaxed);
            d.seq = Some(last);
            if caught_up {
                d.refreshed = Some(Instant::now());
            }
            drop(d);
            seq = last;
            if caught_up {
                return Ok(());
            }
        }
    }

    /// The figures broken down by `dimension` (see [`DIMENSIONS`]).
    pub async fn breakdown(
        &self,
        store: &dyn Store,
        j: &JurisdictionId,
        tree: &AreaTree,
        dimension: &str,
    ) -> StoreResult<Arc<Breakdown>> {
        self.refresh(store, j, false).await?;
        let jur = self.jurisdiction(j).await;
        let cached = lock(&jur.cache).get(dimension).cloned();
        let current = jur.data_if_free().map(|d| (d.generation, d.rows.len()));
        match (cached, current) {
            (Some((g, b)), Some((now, _))) if g == now => return Ok(b),
            (Some((_, b)), Some((_, n))) if n > SYNC_LIMIT => {
                jur.compute_in_background(tree.clone(), dimension.to_owned());
                return Ok(b);
            }
            (Some((_, b)), None) => {
                jur.compute_in_background(tree.clone(), dimension.to_owned());
                return Ok(b);
            }
            _ => {}
        }
        let tree = tree.clone();
        let dimension = dimension.to_owned();
        tokio::task::spawn_blocking(move || jur.compute(&tree, &dimension))
            .await
            .map_err(|e| baraza_store::StoreError::Backend(format!("computing figures: {e}")))
    }

    /// How many cases the figures hold, and about how many bytes they take (rows, the
    /// index by case id, the codes), across jurisdictions: what `/metrics` reports.
    pub async fn held(&self) -> (usize, usize) {
        let all: Vec<Arc<Jurisdiction>> = self.data.lock().await.values().cloned().collect();
        let (mut rows, mut bytes) = (0, 0);
        for jur in all {
            let d = lock(&jur.data);
            rows += d.rows.len();
            bytes += d.rows.capacity() * std::mem::size_of::<Row>()
                // hashbrown: a key, a value and a control byte per bucket.
                + d.tail.capacity() * (std::mem::size_of::<(CaseId, u32)>() + 1) * 8 / 7
                + d.symbols.names.iter().map(|n| 2 * n.capacity() + 64).sum::<usize>();
        }
        (rows, bytes)
    }

    /// Every case of the jurisdiction as figures, oldest first (open data), read a piece
    /// at a time: a million cases are never all in memory as `CaseStat`s.
    pub async fn rows(&self, store: &dyn Store, j: &JurisdictionId) -> StoreResult<Rows> {
        self.refresh(store, j, false).await?;
        let jur = self.jurisdiction(j).await;
        let mut order: Vec<(Micros, CaseId, u32)> = {
            let d = lock(&jur.data);
            d.rows
                .iter()
                .enumerate()
                .map(|(i, r)| (r.created_at, r.id, i as u32))
                .collect()
        };
        order.sort_unstable();
        Ok(Rows {
            jur,
            order: order.into_iter().map(|(_, _, i)| i).collect(),
            at: 0,
        })
    }
}

/// A jurisdiction's cases in open data's order, taken a piece at a time (see
/// [`Stats::rows`]). Each piece shows the cases as they are when it is taken.
pub struct Rows {
    jur: Arc<Jurisdiction>,
    order: Vec<u32>,
    at: usize,
}

impl Rows {
    /// How many cases there are in all.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The next `n` cases (fewer at the end; none after it).
    pub fn next_piece(&mut self, n: usize) -> Vec<CaseStat> {
        let end = (self.at + n).min(self.order.len());
        let d = lock(&self.jur.data);
        let piece = self.order[self.at..end]
            .iter()
            .filter_map(|&i| d.rows.get(i as usize))
            .map(|r| r.unpack(&d.symbols))
            .collect();
        self.at = end;
        piece
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(i: u32, resolved_after_days: Option<i64>, within: bool) -> CaseStat {
        let created: Timestamp = "2026-11-02T08:00:00Z".parse().unwrap();
        let resolved_at = resolved_after_days.map(|d| created + chrono::Duration::days(d));
        CaseStat {
            id: CaseId(uuid::Uuid::from_u128(u128::from(i))),
            number: CaseNumber::parse("00000000").unwrap(),
            kind: CaseKind::Complaint,
            channel: Channel::Sms,
            status: if resolved_at.is_some() {
                Status::Resolved
            } else {
                Status::ClosedUnconfirmed
            },
            category: None,
            ward: None,
            holder: None,
            department: Some("water".into()),
            priority: None,
            created_at: created,
            first_responded_at: Some(created + chrono::Duration::hours(i64::from(i))),
            resolved_at,
            closed_at: None,
            resolution_due: Some(created + chrono::Duration::days(if within { 30 } else { 1 })),
            reopen_count: u32::from(i.is_multiple_of(2)),
            satisfaction: Some(4),
            gender: None,
            age_band: None,
            publishable: false,
            updated_at: created,
        }
    }

    #[test]
    fn rows_are_found_without_an_index_and_replaced_in_place() {
        let mut symbols = Symbols::default();
        // The first read, in any order: put in id order.
        let first: Vec<Row> = [5, 1, 3]
            .into_iter()
            .map(|i| Row::pack(&stat(i, None, false), &mut symbols))
            .collect();
        let mut d = Data::first_read(first, symbols);
        assert_eq!((d.sorted, d.tail.len()), (3, 0));
        // A change to a case of the first read replaces its row; a new case goes after.
        let mut changed = stat(3, Some(2), true);
        changed.department = Some("health".into());
        d.put(&changed);
        d.put(&stat(2, None, false));
        d.put(&stat(2, Some(1), true));
        assert_eq!((d.rows.len(), d.sorted, d.tail.len()), (4, 3, 1));
        let at = |i: u32| d.find(&CaseId(uuid::Uuid::from_u128(u128::from(i))));
        assert_eq!(d.rows[at(3).unwrap()].unpack(&d.symbols), changed);
        assert_eq!(
            d.rows[at(2).unwrap()].unpack(&d.symbols),
            stat(2, Some(1), true)
        );
        assert!(at(1).is_some() && at(5).is_some() && at(4).is_none());
    }

    #[test]
    fn new_cases_go_into_the_room_left_and_then_into_a_little_more() {
        let mut symbols = Symbols::default();
        let n = 4_000u32;
        let mut first = Vec::with_capacity(n as usize + headroom(n as usize));
        first.extend((0..n).map(|i| Row::pack(&stat(i, None, false), &mut symbols)));
        let mut d = Data::first_read(first, symbols);
        // The room the first read was given stays: new cases do not move the rows.
        let (at, room) = (d.rows.as_ptr(), d.rows.capacity());
        assert_eq!(room, n as usize + headroom(n as usize));
        for i in n..(room as u32) {
            d.put(&stat(i, None, false));
        }
        assert_eq!((d.rows.as_ptr(), d.rows.capacity()), (at, room));
        // Full, they move once, into the room for a few weeks more, not twice as much.
        d.put(&stat(room as u32, None, false));
        assert_eq!(d.rows.capacity(), room + headroom(room));
    }

    #[test]
    fn figures_and_suppression() {
        let mut symbols = Symbols::default();
        let cases: Vec<Row> = (1..=10)
            .map(|i| {
                Row::pack(
                    &stat(i, (i <= 8).then_some(i64::from(i)), i <= 6),
                    &mut symbols,
                )
            })
            .collect();
        // Packed and unpacked, a case is what it was.
        let one = stat(3, Some(2), true);
        assert_eq!(Row::pack(&one, &mut symbols).unpack(&symbols), one);
        let f = figures("water".into(), cases.iter());
        assert!(f.shown);
        assert_eq!(f.count, 10);
        assert_eq!(f.first_response_median_h, Some(6.0));
        assert_eq!(f.first_response_p90_h, Some(9.0));
        assert_eq!(f.resolution_median_d, Some(5.0));
        assert_eq!(f.within_target, Some(6.0 / 8.0));
        assert_eq!(f.confirmed, Some(8.0 / 10.0));
        assert_eq!(f.satisfaction, Some(4.0));
        assert_eq!(f.reopen_rate, Some(0.5));
        // Four cases: nothing but "fewer than 5".
        let small = figures("tiny".into(), cases.iter().take(4));
        assert!(!small.shown);
        assert_eq!(
            (
                small.first_response_median_h,
                small.satisfaction,
                small.reopen_rate
            ),
            (None, None, None)
        );
    }
}
