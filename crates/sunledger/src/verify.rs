//! `sunledger verify`: recomputes the tamper-evident log from the database and reports every
//! booked row that was edited, deleted or inserted outside the application, every damaged leaf
//! or node, and every checkpoint that does not match, is badly signed or is inconsistent with
//! the one before it.
//!
//! It streams: leaves and nodes are read in pages and each level of the tree is checked against
//! the level below it, so memory stays flat however long the log is.
use anyhow::Result;
use std::collections::BTreeMap;
use std::fmt;
use sunledger_core::log::checkpoint::NoteVerifier;
use sunledger_core::log::fact::Fact;
use sunledger_core::log::merkle::{self, Hash};
use sunledger_store::{FACT_TABLES, LogLeaf, Store, unhex};

const PAGE: u64 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// `edited`, `deleted`, `inserted`, `leaf`, `node`, `checkpoint`.
    pub what: &'static str,
    /// The record (`table/id`) or log position concerned.
    pub subject: String,
    pub detail: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.what, self.subject, self.detail)
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
    let size = store.log_size().await?;
    let checkpoints = store.checkpoints().await?;
    let wanted: BTreeMap<u64, Hash> = checkpoints.iter().map(|c| (c.size, c.root)).collect();
    // The leaves, the nodes and the rows are independent passes: run them side by side (each
    // on its own database connection).
    let ((mut report, roots), nodes, tables) = tokio::try_join!(
        check_leaves(store, size, &wanted),
        check_nodes(store, size),
        check_tables(store)
    )?;
    report.findings.extend(nodes.findings);

    // 3. Checkpoints: signature, root, consistency with the previous one.
    let mut prev: Option<(u64, Hash)> = None;
    for cp in &checkpoints {
        report.checkpoints += 1;
        let subject = format!("checkpoint at size {}", cp.size);
        if !trusted.is_empty() {
            let opened: Vec<_> = trusted.iter().map(|v| v.open(&cp.note)).collect();
            match opened.iter().find_map(|r| r.as_ref().ok()) {
                Some(c) if c.size == cp.size && c.root == cp.root => {}
                Some(_) => report.findings.push(Finding {
                    what: "checkpoint",
                    subject: subject.clone(),
                    detail: "the signed note says another size or root".into(),
                }),
                None => {
                    let why = opened
                        .into_iter()
                        .find_map(Result::err)
                        .map(|e| e.to_string())
                        .unwrap_or_default();
                    report.findings.push(Finding {
                        what: "checkpoint",
                        subject: subject.clone(),
                        detail: format!("signature: {why}"),
                    });
                }
            }
        }
        match roots.get(&cp.size) {
            Some(r) if *r == cp.root => {}
            Some(_) => report.findings.push(Finding {
                what: "checkpoint",
                subject: subject.clone(),
                detail: "the leaves no longer give the signed root".into(),
            }),
            None => report.findings.push(Finding {
                what: "checkpoint",
                subject: subject.clone(),
                detail: "the log is shorter than this checkpoint".into(),
            }),
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
                report.findings.push(Finding {
                    what: "checkpoint",
                    subject,
                    detail: format!("not consistent with the checkpoint at size {psize}"),
                });
            }
        }
        prev = Some((cp.size, cp.root));
    }

    report.findings.extend(tables.findings);
    report.rows += tables.rows;
    Ok(report)
}

async fn check_leaves(
    store: &dyn Store,
    size: u64,
    wanted: &BTreeMap<u64, Hash>,
) -> Result<(Report, BTreeMap<u64, Hash>)> {
    let mut report = Report::default();
    let mut roots: BTreeMap<u64, Hash> = BTreeMap::new();
    if wanted.contains_key(&0) {
        roots.insert(0, merkle::EMPTY_ROOT);
    }

    // 1. Leaves: contiguous, each hashing to its level-0 node; roots at checkpoint sizes.
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
                report.findings.push(Finding {
                    what: "deleted",
                    subject: format!("log leaves {next}..{}", leaf.index),
                    detail: "leaves are missing from the log".into(),
                });
                next = leaf.index;
            }
            let h = merkle::leaf_hash(&leaf.data);
            if nodes.get(&leaf.index) != Some(&h) {
                report.findings.push(Finding {
                    what: "leaf",
                    subject: format!(
                        "log leaf {} ({}/{})",
                        leaf.index, leaf.record_table, leaf.record_id
                    ),
                    detail: "the leaf's bytes do not hash to the stored leaf node".into(),
                });
            }
            frontier.push(h);
            next += 1;
            report.leaves += 1;
            if wanted.contains_key(&next) {
                roots.insert(next, frontier.root());
            }
        }
    }
    if next != size {
        report.findings.push(Finding {
            what: "leaf",
            subject: "log head".into(),
            detail: format!("the head says {size} leaves, the log holds {next}"),
        });
    }

    Ok((report, roots))
}

async fn check_nodes(store: &dyn Store, size: u64) -> Result<Report> {
    let mut report = Report::default();

    // 2. Nodes: each level agrees with the level below it (level 0 was checked against leaves).
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
                    report.findings.push(Finding {
                        what: "node",
                        subject: format!("log node {level}/{j}"),
                        detail: "missing or not the hash of its children".into(),
                    });
                }
            }
            i = end;
        }
        level += 1;
    }

    Ok(report)
}

/// 4. Rows against leaves, table by table, merged in id order.
async fn check_tables(store: &dyn Store) -> Result<Report> {
    let mut report = Report::default();
    for table in FACT_TABLES {
        check_table(store, table, &mut report).await?;
    }
    Ok(report)
}

async fn check_table(store: &dyn Store, table: &'static str, report: &mut Report) -> Result<()> {
    let mut after = 0i64;
    loop {
        let facts = store.facts_of_table(table, after, PAGE as i64).await?;
        let rows: std::collections::BTreeSet<i64> = facts.iter().map(|f| f.id).collect();
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
        for fact in &facts {
            compare(
                fact,
                booked.remove(&(fact.id, fact.kind.to_string())),
                report,
            );
        }
        // Leaves that no row claims: the row was deleted, or edited back (a revocation undone).
        for ((id, kind), ls) in booked {
            for l in ls {
                report.findings.push(Finding {
                    what: if rows.contains(&id) {
                        "edited"
                    } else {
                        "deleted"
                    },
                    subject: format!("{table}/{id}"),
                    detail: format!("leaf {} ({kind}) has no matching row", l.index),
                });
            }
        }
        report.rows += rows.len() as u64;
        if last_page {
            return Ok(());
        }
        after = upto;
    }
}

fn compare(fact: &Fact, booked: Option<Vec<LogLeaf>>, report: &mut Report) {
    let subject = fact.record();
    match booked.as_deref() {
        None | Some([]) => report.findings.push(Finding {
            what: "inserted",
            subject,
            detail: format!("the row's {} was never booked in the log", fact.kind),
        }),
        Some([leaf]) => {
            if leaf.data != fact.canonical() {
                report.findings.push(Finding {
                    what: "edited",
                    subject,
                    detail: format!(
                        "the row differs from leaf {} ({}): booked {}",
                        leaf.index,
                        fact.kind,
                        String::from_utf8_lossy(&leaf.data)
                    ),
                });
            }
        }
        Some(many) => report.findings.push(Finding {
            what: "inserted",
            subject,
            detail: format!("{} leaves book the same {}", many.len(), fact.kind),
        }),
    }
}
