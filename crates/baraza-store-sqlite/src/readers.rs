//! Reads of many rows (lists, pages of a list) on connections of the C library (through
//! rusqlite), on the blocking pool. `sqlx`'s SQLite driver copies every value of every
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

/// Idle connections kept for the next read; more are opened under load, then closed.
const KEEP: usize = 4;

pub struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    pub fn new(path: PathBuf) -> Arc<Self> {
        Arc::new(Self {
            path,
            idle: Mutex::new(Vec::new()),
        })
    }

    fn open(&self) -> StoreResult<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
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

    /// Run `f` on a reader connection, on the blocking pool.
    pub async fn read<T, F>(self: &Arc<Self>, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let me = self.clone();
        tokio::task::spawn_blocking(move || {
            let idle = me.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
            let conn = match idle {
                Some(c) => c,
                None => me.open()?,
            };
            let out = f(&conn);
            let mut idle = me.idle.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < KEEP {
                idle.push(conn);
            }
            out
        })
        .await
        .map_err(|e| StoreError::Backend(format!("a read stopped: {e}")))?
    }
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
