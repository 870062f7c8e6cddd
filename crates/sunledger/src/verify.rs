//! `sunledger verify`: recomputes the tamper-evident log from the database and reports every
//! booked row that was edited, deleted or inserted outside the application, naming the column;
//! every derived column (account totals, states, stages, deadlines, county codes) that the booked
//! rows no longer give; every damaged leaf or node; and every checkpoint that does not match, is
//! badly signed or is inconsistent with the one before it. Which column is covered how is the
//! store's [`LogStore::coverage`]; `docs/VERIFY.md` lists it.
//!
//! It streams: leaves and nodes are read in pages and each level of the tree is checked against
//! the level below it, so memory stays flat however long the log is.
use anyhow::Result;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use sunledger_core::log::checkpoint::NoteVerifier;
use sunledger_core::log::fact::{Fact, Value};
use sunledger_core::log::merkle::{self, Hash, NodeId};
use sunledger_store::{FACT_TABLES, LogLeaf, Mismatch, Store, TableCover, unhex};

const PAGE: u64 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// `edited`, `deleted`, `inserted`, `leaf`, `node`, `checkpoint`, `unreadable`.
    pub what: &'static str,
    /// The record (`table/key`) or log position (`log_leaves/7`, `log_nodes/1/3`) concerned.
    pub subject: String,
    /// The column, where one is known.
    pub column: Option<String>,
    pub detail: String,
    /// The log leaf the finding compares against, if any (a leaf found rewritten takes the
    /// blame for what its row seems to disagree with).
    pub leaf: Option<u64>,
}

impl Finding {
    fn new(what: &'static str, subject: impl Into<String>, detail: impl Into<String>) -> Finding {
        Finding {
            what,
            subject: subject.into(),
            column: None,
            detail: detail.into(),
            leaf: None,
        }
    }
    fn column(mut self, c: impl Into<String>) -> Finding {
        self.column = Some(c.into());
        self
    }
    fn leaf(mut self, index: u64) -> Finding {
        self.leaf = Some(index);
        self
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "{}: {}.{}: {}", self.what, self.subject, c, self.detail),
            None => write!(f, "{}: {}: {}", self.what, self.subject, self.detail),
        }
    }
}

#[derive(Debug, Default)]
pub struct Report {
    pub leaves: u64,
    pub rows: u64,
    pub checkpoints: u64,
    pub findings: Vec<Finding>,
}

/// Right-to-left frontier of perfect subtrees: the root of the leaves pushed so far.
#[derive(Default)]
struct Frontier(Vec<(u32, Hash)>);

impl Frontier {
    fn push(&mut self, leaf: Hash) {
        let mut cur = (0u32, leaf);
        while let Some(&(level, h)) = self.0.last() {
            if level != cur.0 {
                break;
            }
            self.0.pop();
            cur = (level + 1, merkle::node_hash(&h, &cur.1));
        }
        self.0.push(cur);
    }
    fn root(&self) -> Hash {
        let hashes: Vec<Hash> = self.0.iter().map(|(_, h)| *h).collect();
        merkle::fold_cover(&hashes).unwrap_or(merkle::EMPTY_ROOT)
    }
}

/// Verifies everything. Checkpoint signatures are checked against `trusted` keys (any of them);
/// with none given they are not checked.
pub async fn verify(store: &dyn Store, trusted: &[NoteVerifier]) -> Result<Report> {
    let mut head_findings = Vec::new();
    let size = match store.log_size().await {
        Ok(s) => Some(s),
        Err(e) => {
            head_findings.push(
                Finding::new(
                    "leaf",
                    "log_head/1",
                    format!("the log head is unreadable: {e}"),
                )
                .column("id"),
            );
            None
        }
    };
    let checkpoints = store.checkpoints().await?;
    let wanted: BTreeMap<u64, Hash> = checkpoints.iter().map(|c| (c.size, c.root)).collect();
    let covers: HashMap<&'static str, TableCover> =
        store.coverage().into_iter().map(|t| (t.table, t)).collect();
    // The leaves, the nodes, the rows and the derived columns are independent passes: run them
    // side by side (each on its own database connection).
    let ((mut report, roots, leaf_count), nodes, tables, derived) = tokio::try_join!(
        check_leaves(store, size, &wanted),
        check_nodes(store, size),
        check_tables(store, &covers),
        async { Ok::<_, anyhow::Error>(store.derived_mismatches().await?) }
    )?;
    report.findings.splice(0..0, head_findings);
    let size = size.unwrap_or(leaf_count);
    report.findings.extend(nodes.findings);

    // 3. Checkpoints: signature, root, consistency with the previous one.
    let mut prev: Option<(u64, Hash)> = None;
    for cp in &checkpoints {
        report.checkpoints += 1;
        let subject = format!("log_checkpoints/{}", cp.size);
        if !trusted.is_empty() {
            let opened: Vec<_> = trusted.iter().map(|v| v.open(&cp.note)).collect();
            match opened.iter().find_map(|r| r.as_ref().ok()) {
                Some(c) if c.size == cp.size && c.root == cp.root => {}
                Some(c) => report.findings.push(
                    Finding::new(
                        "checkpoint",
                        &subject,
                        "the signed note says another size or root",
                    )
                    .column(if c.size != cp.size { "size" } else { "root" }),
                ),
                None => {
                    let why = opened
                        .into_iter()
                        .find_map(Result::err)
                        .map(|e| e.to_string())
                        .unwrap_or_default();
                    report.findings.push(
                        Finding::new("checkpoint", &subject, format!("signature: {why}"))
                            .column("note"),
                    );
                }
            }
        }
        match roots.get(&cp.size) {
            Some(r) if *r == cp.root => {}
            Some(_) => report.findings.push(
                Finding::new(
                    "checkpoint",
                    &subject,
                    format!(
                        "the leaves no longer give the signed root (checkpoint at size {})",
                        cp.size
                    ),
                )
                .column("root"),
            ),
            None if cp.size > size => report.findings.push(
                Finding::new(
                    "checkpoint",
                    &subject,
                    "the log is shorter than this checkpoint",
                )
                .column("size"),
            ),
            None => report.findings.push(
                Finding::new("checkpoint", &subject, "no root was computed at this size")
                    .column("size"),
            ),
        }
        if cp.prev_size != prev.map(|(s, _)| s) {
            report.findings.push(
                Finding::new(
                    "checkpoint",
                    &subject,
                    format!(
                        "says the checkpoint before it is at size {:?}, it is at {:?}",
                        cp.prev_size,
                        prev.map(|(s, _)| s)
                    ),
                )
                .column("prev_size"),
            );
        }
        if prev.is_none() && !cp.consistency.is_empty() {
            report.findings.push(
                Finding::new(
                    "checkpoint",
                    &subject,
                    "the first checkpoint carries a consistency proof from nothing",
                )
                .column("consistency"),
            );
        }
        if let Some((psize, proot)) = prev {
            let proof: Option<Vec<Hash>> = cp
                .consistency
                .iter()
                .map(|h| unhex(h).and_then(|v| Hash::try_from(v.as_slice()).ok()))
                .collect();
            let ok = proof
                .is_some_and(|p| merkle::verify_consistency(psize, cp.size, &proot, &cp.root, &p));
            if !ok {
                report.findings.push(
                    Finding::new(
                        "checkpoint",
                        &subject,
                        format!("not consistent with the checkpoint at size {psize}"),
                    )
                    .column("consistency"),
                );
            }
        }
        prev = Some((cp.size, cp.root));
    }

    // A leaf found rewritten is the cause of its row's disagreement: name the leaf, not the row.
    let rewritten: BTreeSet<u64> = report
        .findings
        .iter()
        .filter(|f| f.what == "leaf" && f.column.as_deref() == Some("data"))
        .filter_map(|f| f.leaf)
        .collect();
    report.findings.extend(
        tables
            .findings
            .into_iter()
            .filter(|f| f.leaf.is_none_or(|l| !rewritten.contains(&l))),
    );
    report
        .findings
        .extend(derived.into_iter().map(derived_finding));
    report.rows += tables.rows;
    Ok(report)
}

fn derived_finding(m: Mismatch) -> Finding {
    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "nothing".into());
    let mut detail = format!(
        "derived {}, database says {} ({}",
        show(&m.derived),
        show(&m.stored),
        m.rule
    );
    if !m.sources.is_empty() {
        detail.push_str("; from ");
        detail.push_str(&m.sources);
    }
    detail.push(')');
    Finding::new("edited", format!("{}/{}", m.table, m.key), detail).column(m.column)
}

/// The header of a leaf's bytes: what the leaf says it is.
#[derive(serde::Deserialize)]
struct LeafHead {
    kind: String,
    table: String,
    id: i64,
    at: i64,
}

async fn check_leaves(
    store: &dyn Store,
    size: Option<u64>,
    wanted: &BTreeMap<u64, Hash>,
) -> Result<(Report, BTreeMap<u64, Hash>, u64)> {
    let mut report = Report::default();
    let mut roots: BTreeMap<u64, Hash> = BTreeMap::new();
    if wanted.contains_key(&0) {
        roots.insert(0, merkle::EMPTY_ROOT);
    }

    // 1. Leaves: contiguous, each hashing to its level-0 node, its columns what its bytes say;
    // roots at checkpoint sizes.
    let mut frontier = Frontier::default();
    let mut next = 0u64;
    loop {
        let leaves = store.log_leaves(next, PAGE).await?;
        if leaves.is_empty() {
            break;
        }
        let first = leaves.first().map(|l| l.index).unwrap_or(next);
        let nodes = store.log_nodes_page(0, first, PAGE).await?;
        let nodes: BTreeMap<u64, Hash> = nodes.into_iter().collect();
        for leaf in &leaves {
            if leaf.index != next {
                report.findings.push(Finding::new(
                    "deleted",
                    format!("log_leaves/{next}"),
                    format!("leaves {next}..{} are missing from the log", leaf.index),
                ));
                next = leaf.index;
            }
            let subject = format!("log_leaves/{}", leaf.index);
            let h = merkle::leaf_hash(&leaf.data);
            let stored = nodes.get(&leaf.index).copied();
            if stored != Some(h) {
                report
                    .findings
                    .extend(blame_leaf_or_node(store, leaf, h, stored).await?);
            }
            check_leaf_columns(leaf, &subject, &mut report);
            frontier.push(h);
            next += 1;
            report.leaves += 1;
            if wanted.contains_key(&next) {
                roots.insert(next, frontier.root());
            }
        }
    }
    if let Some(size) = size
        && next != size
    {
        report.findings.push(
            Finding::new(
                "leaf",
                "log_head/1",
                format!("the head says {size} leaves, the log holds {next}"),
            )
            .column("size"),
        );
    }

    Ok((report, roots, next))
}

/// A leaf that does not hash to its node: the node's parent tells which of the two was changed.
async fn blame_leaf_or_node(
    store: &dyn Store,
    leaf: &LogLeaf,
    h: Hash,
    stored: Option<Hash>,
) -> Result<Vec<Finding>> {
    let i = leaf.index;
    let leaf_edited = Finding::new(
        "leaf",
        format!("log_leaves/{i}"),
        format!(
            "the leaf's bytes ({}/{}) do not hash to the stored leaf node",
            leaf.record_table, leaf.record_id
        ),
    )
    .column("data")
    .leaf(i);
    let node_edited = Finding::new(
        "node",
        format!("log_nodes/0/{i}"),
        "the leaf node is not the hash of its leaf's bytes",
    )
    .column("hash");
    let Some(stored) = stored else {
        return Ok(vec![
            Finding::new(
                "node",
                format!("log_nodes/0/{i}"),
                "the leaf node is missing",
            )
            .column("hash"),
        ]);
    };
    let sibling = NodeId::leaf(i ^ 1);
    let parent = NodeId::new(1, i / 2);
    let known = store.log_nodes(&[sibling, parent]).await?;
    let (Some(s), Some(p)) = (known.get(&sibling), known.get(&parent)) else {
        // The last leaf of an odd-sized log has no parent yet: either may have changed.
        return Ok(vec![leaf_edited, node_edited]);
    };
    let pair = |x: &Hash| {
        if i.is_multiple_of(2) {
            merkle::node_hash(x, s)
        } else {
            merkle::node_hash(s, x)
        }
    };
    Ok(if pair(&stored) == *p {
        vec![leaf_edited]
    } else if pair(&h) == *p {
        vec![node_edited]
    } else {
        vec![leaf_edited, node_edited]
    })
}

/// A leaf's columns say what its bytes say.
fn check_leaf_columns(leaf: &LogLeaf, subject: &str, report: &mut Report) {
    let Ok(head) = serde_json::from_slice::<LeafHead>(&leaf.data) else {
        report.findings.push(
            Finding::new("leaf", subject, "the leaf's bytes are not a fact")
                .column("data")
                .leaf(leaf.index),
        );
        return;
    };
    let pairs = [
        ("kind", head.kind != leaf.kind, &head.kind, &leaf.kind),
        (
            "record_table",
            head.table != leaf.record_table,
            &head.table,
            &leaf.record_table,
        ),
    ];
    for (column, differs, booked, stored) in pairs {
        if differs {
            report.findings.push(
                Finding::new(
                    "leaf",
                    subject,
                    format!("the leaf's bytes say {booked:?}, the column says {stored:?}"),
                )
                .column(column),
            );
        }
    }
    for (column, booked, stored) in [
        ("record_id", head.id, leaf.record_id),
        ("at", head.at, leaf.at),
    ] {
        if booked != stored {
            report.findings.push(
                Finding::new(
                    "leaf",
                    subject,
                    format!("the leaf's bytes say {booked}, the column says {stored}"),
                )
                .column(column),
            );
        }
    }
}

async fn check_nodes(store: &dyn Store, size: Option<u64>) -> Result<Report> {
    let mut report = Report::default();
    let Some(size) = size else {
        return Ok(report);
    };

    // 2. Nodes: each level agrees with the level below it (level 0 was checked against leaves),
    // and no level holds a node past its end.
    let mut level = 1u32;
    while (1u64 << level) <= size {
        let count = size >> level;
        let mut i = 0u64;
        while i < count {
            let upper = store.log_nodes_page(level, i, PAGE).await?;
            let lower = store.log_nodes_page(level - 1, 2 * i, 2 * PAGE).await?;
            let lower: BTreeMap<u64, Hash> = lower.into_iter().collect();
            let upper: BTreeMap<u64, Hash> = upper.into_iter().collect();
            let end = (i + PAGE).min(count);
            for j in i..end {
                let expect = match (lower.get(&(2 * j)), lower.get(&(2 * j + 1))) {
                    (Some(l), Some(r)) => Some(merkle::node_hash(l, r)),
                    _ => None,
                };
                if expect.is_none() || upper.get(&j) != expect.as_ref() {
                    report.findings.push(
                        Finding::new(
                            "node",
                            format!("log_nodes/{level}/{j}"),
                            "missing or not the hash of its children",
                        )
                        .column("hash"),
                    );
                }
            }
            i = end;
        }
        level += 1;
    }
    // Nodes past the end of each level (and on levels above the top) were never appended.
    for l in 0..=level {
        let end = size >> l;
        for (j, _) in store.log_nodes_page(l, end, 10).await? {
            report.findings.push(Finding::new(
                "inserted",
                format!("log_nodes/{l}/{j}"),
                format!("a node past the end of level {l} of a log of {size} leaves"),
            ));
        }
    }

    Ok(report)
}

/// 4. Rows against leaves, table by table, merged in id order.
async fn check_tables(
    store: &dyn Store,
    covers: &HashMap<&'static str, TableCover>,
) -> Result<Report> {
    let mut report = Report::default();
    for table in FACT_TABLES {
        let Some(cover) = covers.get(table) else {
            continue;
        };
        check_table(store, table, cover, &mut report).await?;
    }
    Ok(report)
}

async fn check_table(
    store: &dyn Store,
    table: &'static str,
    cover: &TableCover,
    report: &mut Report,
) -> Result<()> {
    let mut after = 0i64;
    loop {
        let facts = match store.facts_of_table(table, after, PAGE as i64).await {
            Ok(f) => f,
            Err(e) => {
                report.findings.push(Finding::new(
                    "unreadable",
                    format!("{table}/{}", after + 1),
                    format!("a row after {after} cannot be read as booked: {e}"),
                ));
                return Ok(());
            }
        };
        let rows: BTreeSet<i64> = facts.iter().map(|f| f.id).collect();
        let last_page = (rows.len() as u64) < PAGE;
        let upto = if last_page {
            i64::MAX
        } else {
            rows.last().copied().unwrap_or(i64::MAX)
        };
        let mut booked: BTreeMap<(i64, String), Vec<LogLeaf>> = BTreeMap::new();
        for l in store.log_leaves_of_table(table, after, upto).await? {
            booked
                .entry((l.record_id, l.kind.clone()))
                .or_default()
                .push(l);
        }
        let with_leaves: BTreeSet<i64> = booked.keys().map(|(id, _)| *id).collect();
        for fact in &facts {
            let mut leaves = booked
                .remove(&(fact.id, fact.kind.to_string()))
                .unwrap_or_default();
            if cover.versioned && leaves.len() > 1 {
                // The earlier leaves are the row's history: the row says what the latest says,
                // and every one of them was booked in the row's county.
                let latest = leaves.split_off(leaves.len() - 1);
                for l in &leaves {
                    check_leaf_county(l, fact, report);
                }
                leaves = latest;
            }
            compare(fact, &leaves, with_leaves.contains(&fact.id), cover, report);
        }
        // Leaves that no row claims: the row was deleted, or edited back (a revocation undone).
        for ((id, kind), ls) in booked {
            for l in ls {
                if rows.contains(&id) {
                    let kind_columns: Vec<&str> = cover
                        .columns
                        .iter()
                        .filter_map(|(c, how)| match how {
                            sunledger_store::Cover::Booked { kind: k, field }
                                if *k == kind && *field == "@kind" =>
                            {
                                Some(*c)
                            }
                            _ => None,
                        })
                        .collect();
                    let columns = if kind_columns.is_empty() {
                        cover.columns_of(&kind)
                    } else {
                        kind_columns
                    };
                    let detail = format!("leaf {} ({kind}) has no matching row", l.index);
                    if columns.is_empty() {
                        report.findings.push(
                            Finding::new("edited", format!("{table}/{id}"), detail.clone())
                                .leaf(l.index),
                        );
                    }
                    for c in columns {
                        report.findings.push(
                            Finding::new("edited", format!("{table}/{id}"), detail.clone())
                                .column(c)
                                .leaf(l.index),
                        );
                    }
                } else {
                    report.findings.push(
                        Finding::new(
                            "deleted",
                            format!("{table}/{id}"),
                            format!("leaf {} ({kind}) has no matching row", l.index),
                        )
                        .leaf(l.index),
                    );
                }
            }
        }
        report.rows += rows.len() as u64;
        if last_page {
            return Ok(());
        }
        after = upto;
    }
}

fn compare(
    fact: &Fact,
    booked: &[LogLeaf],
    row_has_leaves: bool,
    cover: &TableCover,
    report: &mut Report,
) {
    let subject = fact.record();
    match booked {
        [] if !row_has_leaves => report.findings.push(Finding::new(
            "inserted",
            subject,
            format!("the row's {} was never booked in the log", fact.kind),
        )),
        [] => {
            // A later fact of a booked row (a revocation, an answer...) that was never booked:
            // the columns it holds were filled behind the application.
            let detail = format!("the row's {} was never booked in the log", fact.kind);
            let mut named = false;
            // Columns the row's other facts hold too (its region) say nothing about this one.
            let shared = |c: &str| {
                cover.columns.iter().any(|(col, how)| {
                    *col == c
                        && matches!(how, sunledger_store::Cover::Booked { kind, .. } if *kind != fact.kind)
                })
            };
            for (field, v) in &fact.fields {
                if *v != Value::Null
                    && let Some(c) = cover.column_of(fact.kind, field)
                    && !shared(c)
                {
                    report
                        .findings
                        .push(Finding::new("inserted", &subject, &detail).column(c));
                    named = true;
                }
            }
            if fact.at != 0
                && let Some(c) = cover.column_of(fact.kind, "@at")
            {
                report
                    .findings
                    .push(Finding::new("inserted", &subject, &detail).column(c));
                named = true;
            }
            if !named {
                report
                    .findings
                    .push(Finding::new("inserted", subject, detail));
            }
        }
        [leaf] => {
            let data = fact.canonical();
            if leaf.data != data {
                let before = report.findings.len();
                for (column, detail) in differences(fact, leaf, cover) {
                    report.findings.push(
                        Finding::new("edited", &subject, detail)
                            .column(column)
                            .leaf(leaf.index),
                    );
                }
                if report.findings.len() == before {
                    report.findings.push(
                        Finding::new(
                            "edited",
                            &subject,
                            format!(
                                "the row differs from leaf {} ({}): booked {}",
                                leaf.index,
                                fact.kind,
                                String::from_utf8_lossy(&leaf.data)
                            ),
                        )
                        .leaf(leaf.index),
                    );
                }
            }
            check_leaf_county(leaf, fact, report);
        }
        many => report.findings.push(Finding::new(
            "inserted",
            subject,
            format!("{} leaves book the same {}", many.len(), fact.kind),
        )),
    }
}

/// A leaf is stored with its row's county (the shard key proofs are scoped by).
fn check_leaf_county(leaf: &LogLeaf, fact: &Fact, report: &mut Report) {
    if leaf.county_code != fact.county {
        report.findings.push(
            Finding::new(
                "leaf",
                format!("log_leaves/{}", leaf.index),
                format!(
                    "the leaf says county {:?}, its row {} says {:?}",
                    leaf.county_code,
                    fact.record(),
                    fact.county
                ),
            )
            .column("county_code"),
        );
    }
}

/// The columns where a row's fact differs from its leaf, each with a sentence.
fn differences(fact: &Fact, leaf: &LogLeaf, cover: &TableCover) -> Vec<(String, String)> {
    #[derive(serde::Deserialize)]
    struct Booked {
        at: i64,
        #[serde(default)]
        fields: BTreeMap<String, serde_json::Value>,
    }
    let Ok(booked) = serde_json::from_slice::<Booked>(&leaf.data) else {
        return Vec::new();
    };
    let show = |v: &serde_json::Value| match v {
        serde_json::Value::Null => "nothing".to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let now = |v: &Value| match v {
        Value::Null => serde_json::Value::Null,
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Text(s) => serde_json::Value::from(s.as_str()),
    };
    // The columns holding `field`, each named (one field may hash several: name and phone).
    let columns = |field: &str| -> Vec<String> {
        let held: Vec<String> = cover
            .columns
            .iter()
            .filter_map(|(c, how)| match how {
                sunledger_store::Cover::Booked { kind, field: f }
                    if *kind == fact.kind && *f == field =>
                {
                    Some((*c).to_string())
                }
                _ => None,
            })
            .collect();
        if held.is_empty() {
            vec![field.to_string()]
        } else {
            held
        }
    };
    let column = |field: &str| {
        cover
            .column_of(fact.kind, field)
            .map(str::to_string)
            .unwrap_or_else(|| field.to_string())
    };
    let mut out = Vec::new();
    if booked.at != fact.at {
        out.push((
            column("@at"),
            format!(
                "booked {}, database says {} (leaf {})",
                booked.at, fact.at, leaf.index
            ),
        ));
    }
    let names: BTreeSet<&str> = fact
        .fields
        .keys()
        .copied()
        .chain(booked.fields.keys().map(String::as_str))
        .collect();
    for name in names {
        let was = booked
            .fields
            .get(name)
            .cloned()
            .unwrap_or(serde_json::Value::Null);
        let is = fact
            .fields
            .get(name)
            .map(now)
            .unwrap_or(serde_json::Value::Null);
        if was != is {
            for c in columns(name) {
                out.push((
                    c,
                    format!(
                        "booked {}, database says {} (leaf {})",
                        show(&was),
                        show(&is),
                        leaf.index
                    ),
                ));
            }
        }
    }
    out
}

/// How every column is covered, as the Markdown section of `docs/VERIFY.md` (between its
/// `coverage` markers; `sunledger verify --columns` prints it).
pub fn coverage_markdown(covers: &[TableCover]) -> String {
    use sunledger_store::Cover;
    let mut booked: Vec<String> = Vec::new();
    let mut derived: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    let mut log: Vec<String> = Vec::new();
    let mut unbooked: Vec<String> = Vec::new();
    for t in covers {
        let mut kinds: Vec<&str> = Vec::new();
        let mut columns: BTreeSet<&str> = BTreeSet::new();
        for (c, how) in &t.columns {
            match how {
                Cover::Key => {
                    columns.insert(c);
                }
                Cover::Booked { kind, .. } => {
                    if !kinds.contains(kind) {
                        kinds.push(kind);
                    }
                    columns.insert(c);
                }
                Cover::Derived { rule } => derived.entry((t.table, rule)).or_default().push(c),
                Cover::Log { rule } => log.push(format!("| `{}.{c}` | {rule} |", t.table)),
                Cover::Unbooked { reason } => {
                    let what = if *c == "*" {
                        format!("`{}` (every column not listed above)", t.table)
                    } else {
                        format!("`{}.{c}`", t.table)
                    };
                    unbooked.push(format!("| {what} | {reason} |"));
                }
            }
        }
        if !kinds.is_empty() {
            booked.push(format!(
                "| `{}` | {} | {}{} |",
                t.table,
                kinds
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                columns
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if t.versioned {
                    " (booked again when it changes; the latest leaf counts)"
                } else {
                    ""
                }
            ));
        }
    }
    let mut out = String::from("<!-- coverage:start (generated: sunledger verify --columns) -->\n");
    out.push_str("**Booked**: the row's facts hold these columns (and the key).\n\n| table | facts | columns |\n|---|---|---|\n");
    for l in &booked {
        out.push_str(l);
        out.push('\n');
    }
    out.push_str("\n**Derived**: `verify` re-computes these from booked columns and names every row where they differ.\n\n| columns | from |\n|---|---|\n");
    for ((table, rule), cols) in &derived {
        out.push_str(&format!(
            "| {} | {rule} |\n",
            cols.iter()
                .map(|c| format!("`{table}.{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    out.push_str("\n**The log itself**: checked by the tree.\n\n| column | check |\n|---|---|\n");
    for l in &log {
        out.push_str(l);
        out.push('\n');
    }
    out.push_str(
        "\n**Unbooked on purpose**, each with its reason.\n\n| columns | why |\n|---|---|\n",
    );
    for l in &unbooked {
        out.push_str(l);
        out.push('\n');
    }
    out.push_str("<!-- coverage:end -->\n");
    out
}
