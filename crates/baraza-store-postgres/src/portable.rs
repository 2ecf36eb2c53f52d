//! The journal head, export and import.

use super::*;

impl PostgresStore {
    pub(crate) async fn journal_head(
        &self,
        j: &JurisdictionId,
    ) -> StoreResult<baraza_core::ChainHead> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        writes::read_head(&mut conn, j).await
    }

    /// Every statement takes `$1`: the one jurisdiction exported, or NULL for all.
    pub(crate) async fn export(
        &self,
        only: Option<&JurisdictionId>,
        out: mpsc::Sender<Record>,
    ) -> StoreResult<()> {
        let only: Option<String> = only.map(|j| j.as_str().to_owned());
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        // One snapshot for the whole export, even while other processes keep writing.
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
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
            "SELECT * FROM jurisdictions WHERE $1::text IS NULL OR id = $1 ORDER BY id".to_owned(),
            |r| { rows::jurisdiction(r).map(|j| Record::Jurisdiction(Box::new(j))) }
        );
        stream!(
            "SELECT * FROM areas WHERE $1::text IS NULL OR jurisdiction_id = $1 ORDER BY jurisdiction_id, depth, code".to_owned(),
            |r| rows::area(r).map(Record::Area)
        );
        stream!(
            "SELECT * FROM departments WHERE $1::text IS NULL OR jurisdiction_id = $1 ORDER BY jurisdiction_id, code".to_owned(),
            |r| rows::department(r).map(Record::Department)
        );
        stream!(
            "SELECT * FROM categories WHERE $1::text IS NULL OR jurisdiction_id = $1 ORDER BY jurisdiction_id, code".to_owned(),
            |r| rows::category(r).map(Record::Category)
        );
        stream!(
            "SELECT * FROM users WHERE $1::text IS NULL OR jurisdiction_id = $1 ORDER BY id"
                .to_owned(),
            |r| { rows::user(r).map(Record::User) }
        );
        stream!("SELECT * FROM api_tokens WHERE $1::text IS NULL OR user_id IN (SELECT id FROM users WHERE jurisdiction_id = $1) ORDER BY id".to_owned(), |r| {
            rows::token(r).map(Record::Token)
        });
        stream!(
            "SELECT * FROM citizens WHERE $1::text IS NULL OR jurisdiction_id = $1 ORDER BY id"
                .to_owned(),
            |r| { rows::citizen(r).map(Record::Citizen) }
        );
        stream!(
            format!(
                "SELECT {} FROM cases WHERE $1::text IS NULL OR jurisdiction_id = $1 ORDER BY id",
                rows::CASE_COLUMNS
            ),
            |r| rows::case(r).map(|c| Record::Case(Box::new(c)))
        );
        stream!(
            "SELECT record FROM action_plans WHERE $1::text IS NULL OR jurisdiction_id = $1 ORDER BY id".to_owned(),
            |r| crate::plans::plan_record(r).map(|p| Record::Plan(Box::new(p)))
        );
        stream!("SELECT record FROM projects WHERE $1::text IS NULL OR jurisdiction_id = $1 ORDER BY id".to_owned(), |r| {
            crate::projects::project_record(r).map(|p| Record::Project(Box::new(p)))
        });
        // The shared chain in its order: this export's events whole, others' as links.
        stream!(
            "SELECT s.seq AS link_seq, s.prev_hash AS link_prev_hash, s.hash AS link_hash, e.* \
             FROM journal_shared s LEFT JOIN journal e ON e.jurisdiction_id = s.jurisdiction_id \
             AND e.seq = s.seq AND ($1::text IS NULL OR e.jurisdiction_id = $1) ORDER BY s.seq"
                .to_owned(),
            |r: &sqlx::postgres::PgRow| -> StoreResult<Record> {
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
        for r in sqlx::query(
            "SELECT jurisdiction_id, seq, hash FROM journal_heads \
             WHERE $1::text IS NULL OR jurisdiction_id = $1 ORDER BY jurisdiction_id",
        )
        .bind(only.clone())
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?
        {
            chains.push((
                JurisdictionId::parse(&rows::get::<String>(&r, "jurisdiction_id")?)?,
                baraza_core::ChainHead {
                    seq: rows::get(&r, "seq")?,
                    hash: rows::get(&r, "hash")?,
                },
            ));
        }
        let chain_sql = format!(
            "SELECT {} FROM journal WHERE jurisdiction_id = $1 AND seq > $2 ORDER BY seq",
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
                "SELECT {} FROM outbox WHERE $1::text IS NULL OR jurisdiction_id = $1 ORDER BY id",
                rows::OUTBOX_COLUMNS
            ),
            |r| rows::outbox(r).map(|o| Record::Outbox(Box::new(o)))
        );
        stream!(
            format!(
                "SELECT {} FROM inbound_messages WHERE $1::text IS NULL OR jurisdiction_id = $1 ORDER BY id",
                rows::INBOUND_COLUMNS
            ),
            |r| rows::inbound(r).map(|m| Record::Inbound(Box::new(m)))
        );
        stream!(
            "SELECT record FROM disclosures WHERE $1::text IS NULL OR jurisdiction_id = $1 ORDER BY id".to_owned(),
            |r| crate::disclosure::record(&rows::get::<String>(r, "record")?)
                .map(|p| Record::Publication(Box::new(p)))
        );
        stream!(
            "SELECT record FROM disclosure_followers WHERE $1::text IS NULL OR jurisdiction_id = $1 ORDER BY jurisdiction_id, class_code, address"
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
        mut records: mpsc::Receiver<StoreResult<Record>>,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        // No insert needs an index that is not unique: they go for the import and are built
        // again, each in one sorted pass, before it commits (keeping a dozen of them in
        // order row by row was most of a large import's time). Dropping them is part of
        // the transaction: an import that fails leaves them as they were.
        let deferred: Vec<(String, String)> = sqlx::query_as(
            "SELECT indexname::text, indexdef FROM pg_indexes \
             WHERE schemaname = current_schema() AND indexdef NOT LIKE 'CREATE UNIQUE%' \
             ORDER BY indexname",
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
        // Citizens, cases, events and messages wait here and go thousands to a statement
        // (`RowBatch`): written before any other record, so foreign keys find their rows.
        // The next batch gathers while the database writes the last one.
        let (work_tx, mut work) = mpsc::channel::<Work>(1);
        let gather = async move {
            let mut rows = writes::RowBatch::default();
            while let Some(next) = records.recv().await {
                // PostgreSQL stores no NUL: texts from before the edge cleaned them get U+FFFD.
                match baraza_store::portable::without_nul(next?) {
                    Record::Citizen(c) => rows.citizens.push(c),
                    Record::Case(c) => rows.cases.push(*c),
                    Record::Event(e) => rows.events.push(e),
                    Record::Outbox(o) => rows.outbox.push(*o),
                    other => {
                        let footer = matches!(other, Record::Footer { .. });
                        let pending = (!rows.is_empty()).then(|| std::mem::take(&mut rows));
                        let work = pending.map(Work::Rows).into_iter();
                        for w in work.chain([Work::One(other)]) {
                            if work_tx.send(w).await.is_err() {
                                return Ok(());
                            }
                        }
                        if footer {
                            return Ok(());
                        }
                        continue;
                    }
                }
                if rows.lens().iter().sum::<usize>() >= 2_000
                    && work_tx
                        .send(Work::Rows(std::mem::take(&mut rows)))
                        .await
                        .is_err()
                {
                    return Ok(());
                }
            }
            Ok::<(), StoreError>(())
        };
        let write = async move {
            // The shared chain's end, once its head has come: events up to it are its own.
            let mut shared = 0i64;
            // Dropping the transaction without commit rolls it back.
            while let Some(w) = work.recv().await {
                let other = match w {
                    Work::Rows(rows) => {
                        rows.copy(&mut tx).await?;
                        continue;
                    }
                    Work::One(other) => other,
                };
                if let Record::Head(h) = &other {
                    shared = h.seq;
                }
                if let Record::Footer { .. } = other {
                    // The shared chain's own events, listed in its order beside the links.
                    sqlx::query(
                        "INSERT INTO journal_shared (seq, jurisdiction_id, prev_hash, hash) \
                         SELECT seq, jurisdiction_id, prev_hash, hash FROM journal WHERE seq <= $1",
                    )
                    .bind(shared)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    // Sorting in memory, not on disk, for the indexes of a large import.
                    sqlx::query("SET LOCAL maintenance_work_mem = '128MB'")
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    for (_, sql) in &deferred {
                        sqlx::query(sql).execute(&mut *tx).await.map_err(db_err)?;
                    }
                    tx.commit().await.map_err(db_err)?;
                    return Ok(());
                }
                import_one(&mut tx, &other).await?;
            }
            Err(StoreError::Backend(
                "the import ended before its footer; nothing was stored".into(),
            ))
        };
        // A failure on either side drops the other, and with it the transaction.
        tokio::try_join!(gather, write)?;
        // The planner's statistics now, not when autovacuum comes by: the first lists
        // after a large import read along the right index.
        sqlx::query("ANALYZE")
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}

/// What the import's writer does next, in the file's order.
enum Work {
    Rows(writes::RowBatch),
    One(Record),
}

/// A record that is not one of the many (reference data, users, messages in, the head).
async fn import_one(tx: &mut sqlx::PgConnection, r: &Record) -> StoreResult<()> {
    match r {
        Record::Jurisdiction(j) => writes::put_jurisdiction(tx, j).await,
        Record::Area(a) => writes::put_area(tx, a).await,
        Record::Department(d) => writes::put_department(tx, d).await,
        Record::Category(c) => writes::put_category(tx, c).await,
        Record::User(u) => writes::add_user(tx, u).await,
        Record::Token(t) => writes::add_token(tx, t).await,
        Record::Inbound(m) => writes::insert_inbound(tx, m).await.map(|_| ()),
        Record::Publication(p) => crate::disclosure::insert_publication(tx, p).await,
        Record::Follower(f) => crate::disclosure::insert_follower(tx, f).await.map(|_| ()),
        Record::Plan(p) => crate::plans::put_plan(tx, p).await,
        Record::Project(p) => crate::projects::put_project(tx, p).await,
        Record::Head(h) => writes::write_shared_head(tx, h).await,
        Record::Link(l) => sqlx::query(
            "INSERT INTO journal_shared (seq, jurisdiction_id, prev_hash, hash) VALUES ($1, NULL, $2, $3)",
        )
        .bind(l.seq)
        .bind(&l.prev_hash)
        .bind(&l.hash)
        .execute(tx)
        .await
        .map(|_| ())
        .map_err(db_err),
        Record::Chain { jurisdiction, head } => {
            writes::write_chain_head(tx, jurisdiction, head).await
        }
        Record::Citizen(_)
        | Record::Case(_)
        | Record::Event(_)
        | Record::Outbox(_)
        | Record::Header { .. }
        | Record::Footer { .. } => Ok(()),
    }
}
