//! Reads of many rows (lists, pages of a list) on connections of the C library (through
//! rusqlite), on reader threads of their own. `sqlx`'s SQLite driver copies every value of every
//! row (`sqlite3_value_dup`) and frees it again: for a page of 25 cases of 37 columns,
//! that was half the server's time. A row read here is decoded where it lies, by the
//! same `rows::case` as everywhere else.

use crate::rows::{Columns, SqlValue};
use crate::writer::{err, to_value};
use baraza_store::{StoreError, StoreResult};
use rusqlite::{Connection, OpenFlags};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Reader threads, each with its connection: enough to keep two cores busy. SQLite
/// allocates with the C library, which keeps what a thread frees for that thread; reads
/// on a few long-lived threads reuse their memory instead of spreading it over the
/// blocking pool's.
const THREADS: usize = 4;

type Job = Box<dyn FnOnce(&Connection) + Send>;

pub struct Readers {
    jobs: std::sync::mpsc::Sender<Job>,
}

impl Readers {
    /// Open the reader connections and start their threads (they stop with the store).
    pub fn new(path: PathBuf) -> StoreResult<Arc<Self>> {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..THREADS {
            let conn = open(&path)?;
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("baraza-reader-{i}"))
                .spawn(move || {
                    loop {
                        let job = queue.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        match job {
                            Ok(job) => job(&conn),
                            Err(_) => break,
                        }
                    }
                })
                .map_err(|e| StoreError::Unavailable(format!("starting a reader: {e}")))?;
        }
        Ok(Arc::new(Self { jobs }))
    }

    /// Run `f` on a reader connection, on a reader thread.
    pub async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move |conn| {
                let _ = tx.send(f(conn));
            }))
            .map_err(|_| StoreError::Unavailable("the readers stopped".into()))?;
        rx.await
            .map_err(|_| StoreError::Backend("a read stopped".into()))?
    }
}

fn open(path: &std::path::Path) -> StoreResult<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )
    .map_err(err)?;
    // Reads only; in WAL, they never wait for the writer.
    conn.execute_batch("PRAGMA query_only = ON; PRAGMA busy_timeout = 10000;")
        .map_err(err)?;
    conn.set_prepared_statement_cache_capacity(32);
    Ok(conn)
}

/// A row whose columns are found by name through a map made once per query: rusqlite
/// looks a name up by comparing it with every column's (a third of a list's time).
pub struct Named<'a> {
    row: &'a rusqlite::Row<'a>,
    columns: &'a HashMap<String, usize>,
}

impl Named<'_> {
    fn idx(&self, col: &str) -> StoreResult<usize> {
        self.columns
            .get(col)
            .copied()
            .ok_or_else(|| StoreError::corrupt(format!("no column {col}")))
    }

    fn get<T: rusqlite::types::FromSql>(&self, col: &str) -> StoreResult<T> {
        self.row
            .get(self.idx(col)?)
            .map_err(|e| StoreError::corrupt(format!("column {col}: {e}")))
    }
}

impl Columns for Named<'_> {
    fn text(&self, col: &str) -> StoreResult<Option<String>> {
        self.get(col)
    }
    fn int(&self, col: &str) -> StoreResult<Option<i64>> {
        self.get(col)
    }
    fn real(&self, col: &str) -> StoreResult<Option<f64>> {
        self.get(col)
    }
}

/// Every row of a query, each decoded by `decode`.
pub fn all<T>(
    conn: &Connection,
    sql: &str,
    values: Vec<SqlValue>,
    decode: impl Fn(&Named<'_>) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql).map_err(err)?;
    let columns: HashMap<String, usize> = stmt
        .column_names()
        .into_iter()
        .enumerate()
        .map(|(i, n)| (n.to_owned(), i))
        .collect();
    let values: Vec<rusqlite::types::Value> = values.into_iter().map(to_value).collect();
    let mut rows = stmt
        .query(rusqlite::params_from_iter(values.iter()))
        .map_err(err)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(err)? {
        out.push(decode(&Named {
            row,
            columns: &columns,
        })?);
    }
    Ok(out)
}
