//! The tamper-evident log. Facts are built from the rows as stored (re-read inside the writing
//! transaction), by the same functions `verify` uses, so a leaf always says what its row says.

use super::*;

mod cover;
#[allow(unused_imports)]
pub(crate) use self::cover::*;

/// Builds the facts of one row.
pub(crate) type FactBuilder = fn(&DbRow) -> Result<Vec<Fact>>;

/// What one kind of fact of a table holds: its kind, the column that gives its time, and its
/// fields, each `field` (the column of that name), `field=column`, `field=` (a value read from
/// another table, not a column of this one) or `@kind=column` (a column that decides the kind).
pub(crate) type FactKind = (&'static str, &'static str, &'static [&'static str]);

/// A table whose rows are booked facts: the query that reads its rows (a `WHERE` clause on its
/// key may follow), the builder of one row's facts, and what each kind of fact holds.
pub(crate) struct FactTable {
    pub(crate) table: &'static str,
    pub(crate) select: &'static str,
    pub(crate) build: FactBuilder,
    pub(crate) kinds: &'static [FactKind],
    /// The key column rows are looked up and paged by: `id`, or a 12-digit text code read as
    /// the fact's id (`regions.code`).
    pub(crate) key: Key,
    /// Rows booked again when they change (a region renamed by an import, a new password): each
    /// kind is compared with its latest leaf; the earlier ones are the row's history.
    pub(crate) versioned: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    Id,
    Code,
}

impl Key {
    pub(crate) fn column(self) -> &'static str {
        match self {
            Key::Id => "id",
            Key::Code => "code",
        }
    }
    /// Binds the key of fact id `id` (a code's digits, zero-padded).
    pub(crate) fn bind(self, qb: &mut QueryBuilder<DB>, id: i64) {
        match self {
            Key::Id => {
                qb.push_bind(id);
            }
            Key::Code => {
                qb.push_bind(format!("{:012}", id.max(0)));
            }
        }
    }
}

/// What a feature books and how `verify` covers its tables: its fact tables, the columns
/// `verify` re-derives, and the columns left unbooked on purpose.
pub(crate) struct Booking {
    pub(crate) facts: &'static [FactTable],
    pub(crate) derived: &'static [Derived],
    pub(crate) unbooked: &'static [Unbooked],
}

/// Every feature's booking, one line per feature (each lists it in its own sql module).
const REGISTRY: &[&Booking] = &[
    &super::region::BOOKING,
    &super::access::BOOKING,
    &super::org::BOOKING,
    &super::project::BOOKING,
    &super::ledger::BOOKING,
    &super::responsibility::BOOKING,
    &super::inspection::BOOKING,
    &super::problem::BOOKING,
    &super::escalation::BOOKING,
    &super::notice::BOOKING,
    &super::acceptance::BOOKING,
    &super::asset::BOOKING,
    &super::meeting::BOOKING,
    &super::evaluation::BOOKING,
    &super::committee::BOOKING,
    &super::appraisal::BOOKING,
    &super::complaint::BOOKING,
    &super::flag::BOOKING,
    &super::assessment::BOOKING,
    &super::summary::BOOKING,
];

pub(crate) fn fact_tables() -> impl Iterator<Item = &'static FactTable> {
    REGISTRY.iter().flat_map(|b| b.facts.iter())
}

/// The fact table named `table`.
pub(crate) fn fact_table(table: &str) -> Option<&'static FactTable> {
    fact_tables().find(|t| t.table == table)
}

/// The time of a later fact of a row (a revocation, an ending, an answer...), present when any
/// of its columns is filled: a column filled behind the application then has a fact that was
/// never booked. A later fact with a value but no time has the time 0.
pub(crate) fn later(at: Option<i64>, filled: &[bool]) -> Option<i64> {
    if at.is_some() || filled.iter().any(|f| *f) {
        Some(at.unwrap_or(0))
    } else {
        None
    }
}

/// Reads row `id` of `table` inside the transaction and returns its facts.
pub(crate) async fn row_facts(
    tx: &mut sqlx::Transaction<'static, DB>,
    table: &str,
    id: i64,
) -> Result<Vec<Fact>> {
    let t = fact_table(table).ok_or(StoreError::NotFound("fact table"))?;
    let mut qb: QueryBuilder<DB> =
        QueryBuilder::new(format!("{} WHERE {} = ", t.select, t.key.column()));
    t.key.bind(&mut qb, id);
    let row = qb.build().fetch_one(&mut **tx).await?;
    (t.build)(&row)
}

/// Appends every fact row `id` of `table` says (a row just booked).
pub(crate) async fn append_row_facts(
    tx: &mut sqlx::Transaction<'static, DB>,
    table: &str,
    id: i64,
) -> Result<()> {
    let facts = row_facts(tx, table, id).await?;
    append_facts(tx, &facts).await
}

/// Appends the facts of kind `kind` that row `id` of `table` says now: the later fact of a row
/// whose set-once columns were just filled (a revocation, an answer, an ending...).
pub(crate) async fn append_later_fact(
    tx: &mut sqlx::Transaction<'static, DB>,
    table: &str,
    id: i64,
    kind: &str,
) -> Result<()> {
    let facts: Vec<Fact> = row_facts(tx, table, id)
        .await?
        .into_iter()
        .filter(|f| f.kind == kind)
        .collect();
    append_facts(tx, &facts).await
}

/// Appends facts to the log inside the caller's transaction: the leaf rows, the leaf nodes and
/// the perfect subtrees they complete, and the new size. Every append locks the log head, so
/// appends are serialised on both backends.
///
/// The hashes are computed in memory from the log's frontier (the roots of the perfect subtrees
/// along its right edge, the only stored nodes an append reads) and written with multi-row
/// INSERTs, so a batch costs a few statements however many facts it has.
pub(crate) async fn append_facts(
    tx: &mut sqlx::Transaction<'static, DB>,
    facts: &[Fact],
) -> Result<()> {
    if facts.is_empty() {
        return Ok(());
    }
    let size: i64 = sqlx::query(AssertSqlSafe(format!(
        "SELECT size FROM log_head WHERE id = 1{FOR_UPDATE}"
    )))
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    let start = u64::try_from(size).map_err(|_| StoreError::Corrupt(format!("log size {size}")))?;
    // Every left child an append reads is a frontier node or a node of this batch.
    let frontier = merkle::root_nodes(start);
    let mut known: HashMap<NodeId, Hash> = HashMap::new();
    if !frontier.is_empty() {
        for r in nodes_query(&frontier).build().fetch_all(&mut **tx).await? {
            let (id, h) = node_of_row(&r)?;
            known.insert(id, h);
        }
    }
    let mut n = start;
    let mut nodes: Vec<(NodeId, Hash)> = Vec::with_capacity(facts.len() * 2);
    let mut leaves: Vec<(u64, Vec<u8>)> = Vec::with_capacity(facts.len());
    for fact in facts {
        let data = fact.canonical();
        let leaf = merkle::leaf_hash(&data);
        known.insert(NodeId::leaf(n), leaf);
        nodes.push((NodeId::leaf(n), leaf));
        for id in merkle::completed_by_append(n) {
            let (l, r) = id
                .children()
                .ok_or_else(|| StoreError::Corrupt("leaf has no children".into()))?;
            let child = |c: NodeId| {
                known.get(&c).copied().ok_or_else(|| {
                    StoreError::Corrupt(format!("log node {}/{} is missing", c.level, c.index))
                })
            };
            let h = merkle::node_hash(&child(l)?, &child(r)?);
            // Both children are covered by the new node from now on.
            known.remove(&l);
            known.remove(&r);
            known.insert(id, h);
            nodes.push((id, h));
        }
        leaves.push((n, data));
        n += 1;
    }
    for chunk in facts
        .iter()
        .zip(leaves)
        .collect::<Vec<_>>()
        .chunks(BATCH_ROWS)
    {
        let mut qb: QueryBuilder<DB> = QueryBuilder::new(
            "INSERT INTO log_leaves (idx, county_code, kind, record_table, record_id, at, data) ",
        );
        qb.push_values(chunk, |mut b, (fact, (idx, data))| {
            b.push_bind(*idx as i64)
                .push_bind(fact.county.clone())
                .push_bind(fact.kind)
                .push_bind(fact.table)
                .push_bind(fact.id)
                .push_bind(fact.at)
                .push_bind(data.clone());
        });
        qb.build().execute(&mut **tx).await?;
    }
    for chunk in nodes.chunks(BATCH_ROWS) {
        let mut qb: QueryBuilder<DB> =
            QueryBuilder::new("INSERT INTO log_nodes (level, idx, hash) ");
        qb.push_values(chunk, |mut b, (id, h)| {
            b.push_bind(i64::from(id.level))
                .push_bind(id.index as i64)
                .push_bind(h.to_vec());
        });
        qb.build().execute(&mut **tx).await?;
    }
    sqlx::query("UPDATE log_head SET size = $1 WHERE id = 1")
        .bind(n as i64)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// `SELECT level, idx, hash` of the given log nodes (at most `BATCH_ROWS` of them).
pub(crate) fn nodes_query(ids: &[NodeId]) -> QueryBuilder<DB> {
    let mut qb: QueryBuilder<DB> =
        QueryBuilder::new("SELECT level, idx, hash FROM log_nodes WHERE ");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            qb.push(" OR ");
        }
        qb.push("(level = ")
            .push_bind(i64::from(id.level))
            .push(" AND idx = ")
            .push_bind(id.index as i64)
            .push(")");
    }
    qb
}

pub(crate) fn node_of_row(r: &DbRow) -> Result<(NodeId, Hash)> {
    let level: i64 = r.try_get(0)?;
    let idx: i64 = r.try_get(1)?;
    Ok((
        NodeId::new(level as u32, idx as u64),
        to_hash(r.try_get(2)?)?,
    ))
}

pub(crate) fn to_hash(v: Vec<u8>) -> Result<Hash> {
    Hash::try_from(v.as_slice())
        .map_err(|_| StoreError::Corrupt("a stored hash is not 32 bytes".into()))
}

pub(crate) fn leaf_row(r: &DbRow) -> Result<LogLeaf> {
    Ok(LogLeaf {
        index: r.try_get::<i64, _>("idx")? as u64,
        kind: r.try_get("kind")?,
        record_table: r.try_get("record_table")?,
        record_id: r.try_get("record_id")?,
        county_code: r.try_get("county_code")?,
        at: r.try_get("at")?,
        data: r.try_get("data")?,
    })
}

pub(crate) fn checkpoint_row(r: &DbRow) -> Result<StoredCheckpoint> {
    let consistency: String = r.try_get("consistency")?;
    Ok(StoredCheckpoint {
        size: r.try_get::<i64, _>("size")? as u64,
        root: to_hash(r.try_get("root")?)?,
        note: r.try_get("note")?,
        prev_size: r.try_get::<Option<i64>, _>("prev_size")?.map(|v| v as u64),
        consistency: consistency
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        at: r.try_get("at")?,
    })
}

pub(crate) const LEAF_COLS: &str = "idx, county_code, kind, record_table, record_id, at, data";

pub(crate) const CHECKPOINT_COLS: &str = "size, root, note, prev_size, consistency, at";

#[async_trait]
impl LogStore for StoreImpl {
    async fn append_facts(&self, facts: &[Fact]) -> Result<()> {
        let mut tx = begin_write(&self.pool).await?;
        append_facts(&mut tx, facts).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn log_size(&self) -> Result<u64> {
        let n: i64 = sqlx::query("SELECT size FROM log_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        Ok(n as u64)
    }

    async fn log_leaf(&self, index: u64) -> Result<Option<LogLeaf>> {
        let q = format!("SELECT {LEAF_COLS} FROM log_leaves WHERE idx = $1");
        sqlx::query(AssertSqlSafe(q))
            .bind(index as i64)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(leaf_row)
            .transpose()
    }

    async fn log_leaves(&self, from: u64, limit: u64) -> Result<Vec<LogLeaf>> {
        let q = format!("SELECT {LEAF_COLS} FROM log_leaves WHERE idx >= $1 ORDER BY idx LIMIT $2");
        sqlx::query(AssertSqlSafe(q))
            .bind(from as i64)
            .bind(limit as i64)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(leaf_row)
            .collect()
    }

    async fn log_leaves_of(&self, table: &str, id: i64) -> Result<Vec<LogLeaf>> {
        let q = format!(
            "SELECT {LEAF_COLS} FROM log_leaves WHERE record_table = $1 AND record_id = $2 ORDER BY idx"
        );
        sqlx::query(AssertSqlSafe(q))
            .bind(table)
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(leaf_row)
            .collect()
    }

    async fn log_leaves_of_table(
        &self,
        table: &str,
        after_id: i64,
        upto_id: i64,
    ) -> Result<Vec<LogLeaf>> {
        let q = format!(
            "SELECT {LEAF_COLS} FROM log_leaves WHERE record_table = $1 AND record_id > $2 AND record_id <= $3 \
             ORDER BY record_id, kind, idx"
        );
        sqlx::query(AssertSqlSafe(q))
            .bind(table)
            .bind(after_id)
            .bind(upto_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(leaf_row)
            .collect()
    }

    async fn log_nodes(&self, ids: &[NodeId]) -> Result<HashMap<NodeId, Hash>> {
        let mut out = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH_ROWS) {
            for r in nodes_query(chunk).build().fetch_all(&self.pool).await? {
                let (id, h) = node_of_row(&r)?;
                out.insert(id, h);
            }
        }
        Ok(out)
    }

    async fn log_nodes_page(&self, level: u32, from: u64, limit: u64) -> Result<Vec<(u64, Hash)>> {
        let rows = sqlx::query(
            "SELECT idx, hash FROM log_nodes WHERE level = $1 AND idx >= $2 ORDER BY idx LIMIT $3",
        )
        .bind(i64::from(level))
        .bind(from as i64)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get::<i64, _>(0)? as u64, to_hash(r.try_get(1)?)?)))
            .collect()
    }

    async fn facts_of_table(&self, table: &str, after_id: i64, limit: i64) -> Result<Vec<Fact>> {
        let t = fact_table(table).ok_or(StoreError::NotFound("fact table"))?;
        let key = t.key.column();
        let mut qb: QueryBuilder<DB> = QueryBuilder::new(format!("{} WHERE {key} > ", t.select));
        t.key.bind(&mut qb, after_id);
        qb.push(format!(" ORDER BY {key} LIMIT ")).push_bind(limit);
        let rows = qb.build().fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.extend((t.build)(r)?);
        }
        Ok(out)
    }

    fn coverage(&self) -> Vec<TableCover> {
        super::column_coverage()
    }

    async fn derived_mismatches(&self) -> Result<Vec<Mismatch>> {
        derived_mismatches(&self.pool).await
    }

    async fn save_checkpoint(&self, cp: &StoredCheckpoint) -> Result<()> {
        let mut tx = begin_write(&self.pool).await?;
        sqlx::query(
            "INSERT INTO log_checkpoints (size, root, note, prev_size, consistency, at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (size) DO NOTHING",
        )
        .bind(cp.size as i64)
        .bind(cp.root.to_vec())
        .bind(cp.note.as_str())
        .bind(cp.prev_size.map(|v| v as i64))
        .bind(cp.consistency.join(","))
        .bind(cp.at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>> {
        let q = format!("SELECT {CHECKPOINT_COLS} FROM log_checkpoints ORDER BY size DESC LIMIT 1");
        sqlx::query(AssertSqlSafe(q))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(checkpoint_row)
            .transpose()
    }

    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>> {
        let q = format!("SELECT {CHECKPOINT_COLS} FROM log_checkpoints ORDER BY size");
        sqlx::query(AssertSqlSafe(q))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(checkpoint_row)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The registry lists exactly the public `FACT_TABLES`, each once.
    #[test]
    fn registry_lists_exactly_fact_tables() {
        let mut listed: Vec<&str> = fact_tables().map(|t| t.table).collect();
        assert_eq!(listed.len(), crate::FACT_TABLES.len());
        listed.sort_unstable();
        listed.dedup();
        let mut public: Vec<&str> = crate::FACT_TABLES.to_vec();
        public.sort_unstable();
        assert_eq!(listed, public);
    }
}
