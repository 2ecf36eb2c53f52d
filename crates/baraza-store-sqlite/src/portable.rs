//! The journal head, export and import.

use super::*;

impl SqliteStore {
    pub(crate) async fn journal_head(
        &self,
        j: &JurisdictionId,
    ) -> StoreResult<baraza_core::ChainHead> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        writes::read_head(&mut conn, j).await
    }

    /// Every statement takes `?1`: the one jurisdiction exported, or NULL for all.
    pub(crate) async fn export(
        &self,
        only: Option<&JurisdictionId>,
        out: mpsc::Sender<Record>,
    ) -> StoreResult<()> {
        let only: Option<String> = only.map(|j| j.as_str().to_owned());
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        // One read transaction: in WAL mode every statement below sees the same snapshot.
        let mut tx = conn.begin().await.map_err(db_err)?;
        let send = |r: Record| {
            let out = out.clone();
            async move {
                out.send(r)
                    .await
                    .map_err(|_| StoreError::Backend("the export reader stopped".into()))
            }
        };
        macro_rules! stream {
            ($sql:expr, $map:expr) => {{
                let sql = $sql;
                let mut rows = sqlx::query(&sql).bind(only.clone()).fetch(&mut *tx);
                while let Some(row) = rows.try_next().await.map_err(db_err)? {
                    send($map(&row)?).await?;
                }
            }};
        }
        stream!(
            "SELECT * FROM jurisdictions WHERE ?1 IS NULL OR id = ?1 ORDER BY id".to_owned(),
            |r| { rows::jurisdiction(r).map(|j| Record::Jurisdiction(Box::new(j))) }
        );
        stream!(
            "SELECT * FROM areas WHERE ?1 IS NULL OR jurisdiction_id = ?1 ORDER BY jurisdiction_id, depth, code".to_owned(),
            |r| rows::area(r).map(Record::Area)
        );
        stream!(
            "SELECT * FROM departments WHERE ?1 IS NULL OR jurisdiction_id = ?1 ORDER BY jurisdiction_id, code".to_owned(),
            |r| rows::department(r).map(Record::Department)
        );
        stream!(
            "SELECT * FROM categories WHERE ?1 IS NULL OR jurisdiction_id = ?1 ORDER BY jurisdiction_id, code".to_owned(),
            |r| rows::category(r).map(Record::Category)
        );
        stream!(
            "SELECT * FROM users WHERE ?1 IS NULL OR jurisdiction_id = ?1 ORDER BY id".to_owned(),
            |r| { rows::user(r).map(Record::User) }
        );
        stream!("SELECT * FROM api_tokens WHERE ?1 IS NULL OR user_id IN (SELECT id FROM users WHERE jurisdiction_id = ?1) ORDER BY id".to_owned(), |r| {
            rows::token(r).map(Record::Token)
        });
        stream!(
            "SELECT * FROM citizens WHERE ?1 IS NULL OR jurisdiction_id = ?1 ORDER BY id"
                .to_owned(),
            |r| { rows::citizen(r).map(Record::Citizen) }
        );
        stream!(
            format!(
                "SELECT {} FROM cases WHERE ?1 IS NULL OR jurisdiction_id = ?1 ORDER BY id",
                rows::CASE_COLUMNS
            ),
            |r| rows::case(r).map(|c| Record::Case(Box::new(c)))
        );
        stream!(
            "SELECT record FROM action_plans WHERE ?1 IS NULL OR jurisdiction_id = ?1 ORDER BY id"
                .to_owned(),
            |r| crate::disclosure::record(&rows::get::<String>(r, "record")?)
                .map(|p| Record::Plan(Box::new(p)))
        );
        stream!(
            "SELECT record FROM projects WHERE ?1 IS NULL OR jurisdiction_id = ?1 ORDER BY id"
                .to_owned(),
            |r| {
                crate::disclosure::record(&rows::get::<String>(r, "record")?)
                    .map(|p| Record::Project(Box::new(p)))
            }
        );
        // The shared chain in its order: this export's events whole, others' as links.
        stream!(
            "SELECT s.seq AS link_seq, s.prev_hash AS link_prev_hash, s.hash AS link_hash, e.* \
             FROM journal_shared s LEFT JOIN journal e ON e.jurisdiction_id = s.jurisdiction_id \
             AND e.seq = s.seq AND (?1 IS NULL OR e.jurisdiction_id = ?1) ORDER BY s.seq"
                .to_owned(),
            |r: &sqlx::sqlite::SqliteRow| -> StoreResult<Record> {
                if rows::get::<Option<String>>(r, "jurisdiction_id")?.is_some() {
                    return rows::event(r).map(Record::Event);
                }
                Ok(Record::Link(baraza_core::ChainLink {
                    seq: rows::get(r, "link_seq")?,
                    prev_hash: rows::get(r, "link_prev_hash")?,
                    hash: rows::get(r, "link_hash")?,
                }))
            }
        );
        let shared = writes::read_shared_head(&mut tx).await?;
        send(Record::Head(shared.clone())).await?;
        // Each jurisdiction's chain, along its key.
        let mut chains: Vec<(JurisdictionId, baraza_core::ChainHead)> = Vec::new();
        {
            let mut rows = sqlx::query(
                "SELECT jurisdiction_id, seq, hash FROM journal_heads \
                 WHERE ?1 IS NULL OR jurisdiction_id = ?1 ORDER BY jurisdiction_id",
            )
            .bind(only.clone())
            .fetch(&mut *tx);
            while let Some(r) = rows.try_next().await.map_err(db_err)? {
                chains.push((
                    JurisdictionId::parse(&rows::get::<String>(&r, "jurisdiction_id")?)?,
                    baraza_core::ChainHead {
                        seq: rows::get(&r, "seq")?,
                        hash: rows::get(&r, "hash")?,
                    },
                ));
            }
        }
        let chain_sql = format!(
            "SELECT {} FROM journal WHERE jurisdiction_id = ?1 AND seq > ?2 ORDER BY seq",
            rows::EVENT_COLUMNS
        );
        for (j, _) in &chains {
            let mut rows = sqlx::query(&chain_sql)
                .bind(j.as_str())
                .bind(shared.seq)
                .fetch(&mut *tx);
            while let Some(row) = rows.try_next().await.map_err(db_err)? {
                send(Record::Event(rows::event(&row)?)).await?;
            }
        }
        stream!(
            format!(
                "SELECT {} FROM outbox WHERE ?1 IS NULL OR jurisdiction_id = ?1 ORDER BY id",
                rows::OUTBOX_COLUMNS
            ),
            |r| rows::outbox(r).map(|o| Record::Outbox(Box::new(o)))
        );
        stream!(
            format!(
                "SELECT {} FROM inbound_messages WHERE ?1 IS NULL OR jurisdiction_id = ?1 ORDER BY id",
                rows::INBOUND_COLUMNS
            ),
            |r| rows::inbound(r).map(|m| Record::Inbound(Box::new(m)))
        );
        stream!(
            "SELECT record FROM disclosures WHERE ?1 IS NULL OR jurisdiction_id = ?1 ORDER BY id"
                .to_owned(),
            |r| crate::disclosure::record(&rows::get::<String>(r, "record")?)
                .map(|p| Record::Publication(Box::new(p)))
        );
        stream!(
            "SELECT record FROM disclosure_followers WHERE ?1 IS NULL OR jurisdiction_id = ?1 ORDER BY jurisdiction_id, class_code, address"
                .to_owned(),
            |r| crate::disclosure::record(&rows::get::<String>(r, "record")?)
                .map(|f| Record::Follower(Box::new(f)))
        );
        for (jurisdiction, head) in chains {
            send(Record::Chain { jurisdiction, head }).await?;
        }
        tx.rollback().await.map_err(db_err)
    }

    pub(crate) async fn is_empty(&self) -> StoreResult<bool> {
        let row = sqlx::query(
            "SELECT EXISTS (SELECT 1 FROM jurisdictions) OR EXISTS (SELECT 1 FROM users) \
             OR EXISTS (SELECT 1 FROM cases) OR EXISTS (SELECT 1 FROM journal) AS has_data",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(!rows::get::<bool>(&row, "has_data")?)
    }

    pub(crate) async fn import(
        &self,
        records: mpsc::Receiver<StoreResult<Record>>,
    ) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        // One transaction holds the whole import: a page cache big enough that SQLite does
        // not spill pages to the log and read them back (SQLite's default is 2 MB). The
        // connection gets the default back before it returns to the pool.
        sqlx::query("PRAGMA cache_size = -262144")
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        let result = self.import_on(&mut conn, records).await;
        let _ = sqlx::query("PRAGMA cache_size = -2000")
            .execute(&mut *conn)
            .await;
        if result.is_err() {
            // Whatever state the connection is in, it does not go back to the pool.
            conn.detach();
        }
        result
    }

    async fn import_on(
        &self,
        conn: &mut sqlx::SqliteConnection,
        mut records: mpsc::Receiver<StoreResult<Record>>,
    ) -> StoreResult<()> {
        use sqlx::Connection;
        let mut tx = conn.begin().await.map_err(db_err)?;
        // No insert needs an index that is not unique: they go for the import and are built
        // again, each in one sorted pass, before it commits (at a million cases, keeping
        // fifteen of them in order row by row was most of the import's time). Dropping them
        // is part of the transaction: an import that fails leaves them as they were.
        let deferred: Vec<(String, String)> = sqlx::query_as(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
             AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        for (name, _) in &deferred {
            sqlx::query(&format!("DROP INDEX \"{name}\""))
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        // Rows of the big tables wait here and go many to a statement: a run of records of
        // one kind (the export writes each table in turn), written when the kind changes.
        let mut run: Option<(&'static str, Vec<Vec<rows::SqlValue>>)> = None;
        // The shared chain's end, once its head has come: events up to it are its own.
        let mut shared: Option<i64> = None;
        // Dropping the transaction without commit rolls it back.
        while let Some(next) = records.recv().await {
            let r = next?;
            let row = match &r {
                Record::Citizen(c) => {
                    Some((writes::INSERT_CITIZEN.as_str(), rows::citizen_values(c)))
                }
                Record::Case(c) => Some((writes::UPSERT_CASE.as_str(), rows::case_values(c))),
                Record::Event(e) => Some((writes::INSERT_EVENT.as_str(), rows::event_values(e))),
                Record::Outbox(o) => Some((writes::INSERT_OUTBOX.as_str(), rows::outbox_values(o))),
                Record::Inbound(m) => {
                    Some((writes::INSERT_INBOUND.as_str(), rows::inbound_values(m)))
                }
                _ => None,
            };
            let same = matches!((&run, &row), (Some((a, _)), Some((b, _))) if std::ptr::eq(*a, *b));
            if !same && let Some((sql, values)) = run.take() {
                writes::execute_rows(&mut tx, sql, values).await?;
            }
            if let Some((sql, values)) = row {
                run.get_or_insert_with(|| (sql, Vec::new())).1.push(values);
                if run.as_ref().is_some_and(|(_, v)| v.len() >= 4_096)
                    && let Some((sql, values)) = run.take()
                {
                    writes::execute_rows(&mut tx, sql, values).await?;
                }
                continue;
            }
            match &r {
                Record::Jurisdiction(j) => writes::put_jurisdiction(&mut tx, j).await?,
                Record::Area(a) => writes::put_area(&mut tx, a).await?,
                Record::Department(d) => writes::put_department(&mut tx, d).await?,
                Record::Category(c) => writes::put_category(&mut tx, c).await?,
                Record::User(u) => writes::add_user(&mut tx, u).await?,
                Record::Token(t) => writes::add_token(&mut tx, t).await?,
                Record::Publication(p) => {
                    writes::execute_values(
                        &mut tx,
                        crate::disclosure::INSERT_PUBLICATION,
                        crate::disclosure::publication_values(p),
                    )
                    .await?
                }
                Record::Follower(f) => {
                    writes::execute_values(
                        &mut tx,
                        crate::disclosure::INSERT_FOLLOWER,
                        crate::disclosure::follower_values(f),
                    )
                    .await?
                }
                Record::Plan(p) => {
                    writes::execute_values(
                        &mut tx,
                        crate::plans::PUT_PLAN,
                        crate::plans::plan_values(p),
                    )
                    .await?
                }
                Record::Project(p) => {
                    writes::execute_values(
                        &mut tx,
                        crate::projects::PUT_PROJECT,
                        crate::projects::project_values(p),
                    )
                    .await?
                }
                Record::Head(h) => {
                    writes::write_shared_head(&mut tx, h).await?;
                    shared = Some(h.seq);
                }
                Record::Link(l) => {
                    sqlx::query(
                        "INSERT INTO journal_shared (seq, jurisdiction_id, prev_hash, hash) \
                         VALUES (?1, NULL, ?2, ?3)",
                    )
                    .bind(l.seq)
                    .bind(&l.prev_hash)
                    .bind(&l.hash)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                }
                Record::Chain { jurisdiction, head } => {
                    writes::write_chain_head(&mut tx, jurisdiction, head).await?
                }
                Record::Footer { .. } => {
                    // The shared chain's own events, listed in its order beside the links.
                    sqlx::query(
                        "INSERT INTO journal_shared (seq, jurisdiction_id, prev_hash, hash) \
                         SELECT seq, jurisdiction_id, prev_hash, hash FROM journal WHERE seq <= ?1",
                    )
                    .bind(shared.unwrap_or(0))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    for (_, sql) in &deferred {
                        sqlx::query(sql).execute(&mut *tx).await.map_err(db_err)?;
                    }
                    tx.commit().await.map_err(db_err)?;
                    // The planner's statistics, so that the first lists after a large
                    // import read along the right index.
                    // A sample of each index is enough (`analysis_limit`), and quick.
                    sqlx::query("PRAGMA analysis_limit = 1000; ANALYZE")
                        .execute(&mut *conn)
                        .await
                        .map_err(db_err)?;
                    return Ok(());
                }
                Record::Header { .. } => {}
                Record::Citizen(_)
                | Record::Case(_)
                | Record::Event(_)
                | Record::Outbox(_)
                | Record::Inbound(_) => {}
            }
        }
        Err(StoreError::Backend(
            "the import ended before its footer; nothing was stored".into(),
        ))
    }
}
