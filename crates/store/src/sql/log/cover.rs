//! How `verify` covers every column of every table. A column is booked (held by a fact of its
//! row), derived (re-computed here from booked columns), part of the log itself, or unbooked on
//! purpose with its reason. Each feature lists its own in its `BOOKING`; the migrations' live
//! schema is checked against the whole (`tests/it/log/coverage.rs`).

use super::*;
use std::future::Future;
use std::pin::Pin;

pub(crate) type BoxFut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Code that re-derives columns and returns the rows where the stored value differs.
pub(crate) type DeriveFn = for<'a> fn(&'a Pool<DB>) -> BoxFut<'a, Result<Vec<Mismatch>>>;

/// Columns of one table that `verify` re-computes from booked columns.
pub(crate) struct Derived {
    pub(crate) table: &'static str,
    /// The columns, in the order of the check's (stored, derived) pairs.
    pub(crate) columns: &'static [&'static str],
    /// How, in a sentence (shown in reports and `docs/VERIFY.md`).
    pub(crate) rule: &'static str,
    pub(crate) check: Check,
}

pub(crate) enum Check {
    /// A query returning, for each row where a column differs, its key and then a (stored,
    /// derived) pair of texts per column.
    Sql(&'static str),
    /// `county_code` is the first six digits of a region code: the row's own (`t.` is the
    /// table), or one reached through `join`.
    County {
        join: &'static str,
        region: &'static str,
    },
    /// Code (for rules that live in `sunledger_core`).
    Code(DeriveFn),
}

/// `table.county_code` is the first six digits of `region` (`t.` is the table; other tables are
/// reached through `join`): the shard key, derived like this everywhere.
pub(crate) const fn county(
    table: &'static str,
    join: &'static str,
    region: &'static str,
    rule: &'static str,
) -> Derived {
    Derived {
        table,
        columns: &["county_code"],
        rule,
        check: Check::County { join, region },
    }
}

/// A column (or `*`, the whole table) that is not booked, and why.
pub(crate) struct Unbooked {
    pub(crate) table: &'static str,
    pub(crate) column: &'static str,
    pub(crate) reason: &'static str,
}

/// The log's own tables: the tree checks them.
const LOG_TABLES: &[(&str, &str, &str)] = &[
    (
        "log_leaves",
        "idx",
        "the leaf's position: its bytes hash to the leaf node at it",
    ),
    (
        "log_leaves",
        "data",
        "the fact's canonical bytes, hashed into the tree",
    ),
    (
        "log_leaves",
        "kind",
        "must equal the kind inside the leaf's bytes",
    ),
    (
        "log_leaves",
        "record_table",
        "must equal the table inside the leaf's bytes",
    ),
    (
        "log_leaves",
        "record_id",
        "must equal the id inside the leaf's bytes",
    ),
    (
        "log_leaves",
        "at",
        "must equal the time inside the leaf's bytes",
    ),
    (
        "log_leaves",
        "county_code",
        "must equal the booked row's county",
    ),
    ("log_nodes", "level", "the node's position in the tree"),
    ("log_nodes", "idx", "the node's position in the tree"),
    (
        "log_nodes",
        "hash",
        "the hash of its two children (of its leaf, at level 0)",
    ),
    ("log_head", "id", "the single head row"),
    ("log_head", "size", "must equal the number of leaves"),
    ("log_checkpoints", "size", "signed in the note"),
    (
        "log_checkpoints",
        "root",
        "signed in the note, and re-computed from the leaves",
    ),
    (
        "log_checkpoints",
        "note",
        "its signature is checked with the trusted keys",
    ),
    (
        "log_checkpoints",
        "prev_size",
        "must be the size of the checkpoint before it",
    ),
    (
        "log_checkpoints",
        "consistency",
        "proves the tree at `size` extends the one at `prev_size`",
    ),
];

/// Columns no table's facts or checks cover, on purpose.
const UNBOOKED: &[Unbooked] = &[
    Unbooked {
        table: "log_checkpoints",
        column: "at",
        reason: "when the server stored the checkpoint; the signed note holds only the size and root",
    },
    Unbooked {
        table: "_sqlx_migrations",
        column: "*",
        reason: "the migrations applied to this database (checked when `verify` opens it)",
    },
];

fn parse_field(spec: &'static str) -> (&'static str, Option<&'static str>) {
    match spec.split_once('=') {
        Some((f, "")) => (f, None),
        Some((f, c)) => (f, Some(c)),
        None => (spec, Some(spec)),
    }
}

/// The coverage of every table that any feature or the log declares.
pub(crate) fn build_coverage() -> Vec<TableCover> {
    let mut out: BTreeMap<&'static str, TableCover> = BTreeMap::new();
    fn table<'a>(
        out: &'a mut BTreeMap<&'static str, TableCover>,
        name: &'static str,
    ) -> &'a mut TableCover {
        out.entry(name).or_insert_with(|| TableCover {
            table: name,
            versioned: false,
            columns: Vec::new(),
        })
    }
    for b in REGISTRY {
        for f in b.facts {
            let t = table(&mut out, f.table);
            t.versioned = f.versioned;
            t.columns.push((f.key.column(), Cover::Key));
            for (kind, at, fields) in f.kinds {
                t.columns.push((at, Cover::Booked { kind, field: "@at" }));
                for spec in *fields {
                    if let (field, Some(column)) = parse_field(spec) {
                        t.columns.push((column, Cover::Booked { kind, field }));
                    }
                }
            }
        }
        for d in b.derived {
            let t = table(&mut out, d.table);
            for c in d.columns {
                t.columns.push((c, Cover::Derived { rule: d.rule }));
            }
        }
    }
    for u in REGISTRY.iter().flat_map(|b| b.unbooked).chain(UNBOOKED) {
        table(&mut out, u.table)
            .columns
            .push((u.column, Cover::Unbooked { reason: u.reason }));
    }
    for (t, c, rule) in LOG_TABLES {
        table(&mut out, t).columns.push((c, Cover::Log { rule }));
    }
    out.into_values().collect()
}

/// Runs every feature's derivations.
pub(crate) async fn derived_mismatches(pool: &Pool<DB>) -> Result<Vec<Mismatch>> {
    let mut out = Vec::new();
    for b in REGISTRY {
        for d in b.derived {
            match run(pool, d).await {
                Ok(m) => out.extend(m),
                // A check that cannot read its rows is itself a finding, not the end of the audit.
                Err(e) => out.push(Mismatch {
                    table: d.table,
                    key: "*".into(),
                    column: d.columns.first().copied().unwrap_or("*"),
                    stored: Some(format!("unreadable ({e})")),
                    derived: None,
                    rule: d.rule,
                    sources: String::new(),
                }),
            }
        }
    }
    Ok(out)
}

async fn run(pool: &Pool<DB>, d: &'static Derived) -> Result<Vec<Mismatch>> {
    match &d.check {
        Check::Code(f) => f(pool).await,
        Check::Sql(q) => pairs(pool, d, q).await,
        Check::County { join, region } => {
            let key = if d.table == "regions" { "code" } else { "id" };
            let q = format!(
                "SELECT CAST(t.{key} AS TEXT), t.county_code, substr({region}, 1, 6) FROM {} t {join} \
                 WHERE t.county_code IS DISTINCT FROM substr({region}, 1, 6)",
                d.table
            );
            pairs(pool, d, &q).await
        }
    }
}

/// Reads a check's rows: the key, then a (stored, derived) pair per column.
async fn pairs(pool: &Pool<DB>, d: &'static Derived, q: &str) -> Result<Vec<Mismatch>> {
    let rows = sqlx::query(AssertSqlSafe(q.to_string()))
        .fetch_all(pool)
        .await?;
    let mut out = Vec::new();
    for r in &rows {
        let key: Option<String> = r.try_get(0)?;
        for (i, column) in d.columns.iter().enumerate() {
            let stored: Option<String> = r.try_get(1 + 2 * i)?;
            let derived: Option<String> = r.try_get(2 + 2 * i)?;
            if stored != derived {
                out.push(Mismatch {
                    table: d.table,
                    key: key.clone().unwrap_or_default(),
                    column,
                    stored,
                    derived,
                    rule: d.rule,
                    sources: String::new(),
                });
            }
        }
    }
    Ok(out)
}

/// A mismatch found by code.
pub(crate) fn mismatch(
    d: (&'static str, &'static str, &'static str),
    key: impl ToString,
    stored: Option<String>,
    derived: Option<String>,
) -> Mismatch {
    let (table, column, rule) = d;
    Mismatch {
        table,
        key: key.to_string(),
        column,
        stored,
        derived,
        rule,
        sources: String::new(),
    }
}
