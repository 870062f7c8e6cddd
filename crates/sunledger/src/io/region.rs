//! `sunledger regions import`: reads a region table (CSV) into the region tree.
//!
//! # The file
//! - A header row naming at least a code column (`code`, `代码`, `区划代码` or `统计用区划代码`) and a
//!   name column (`name`, `名称` or `区划名称`), in any order and any letter case; other columns are
//!   ignored. A header without one of them is an error and nothing is imported.
//! - Comma-separated; a file whose header line holds tabs but no comma is read as tab-separated.
//! - Read by the shared strict reader, [`crate::io::read`] (one record at a time, so a national
//!   table is not held as cells all at once): UTF-8 with or without a byte-order mark, UTF-16
//!   with a byte-order mark, or GB18030 (the usual encoding of tables saved by Chinese Excel).
//!   A row of the wrong width, a last line without a line break (cut off?) or a cell with
//!   unreadable text is a bad row, reported and skipped. The whole file is read into memory (a
//!   national table is about 30 MB).
//! - Codes of 2 to 12 digits (right-padded to 12, so `52` and `520000000000` are the same region).
//!   Rows whose fields are all blank (trailing `,,` lines of spreadsheet exports) are skipped.
//!
//! # Policy
//! Every bad row is reported with its line in the file (the header is line 1) and skipped; the good
//! rows are imported all the same, in one transaction. A row is bad when its code is malformed, its
//! name is empty or holds a line break (usually an unbalanced quote), it repeats an earlier row's
//! code with another name (the earlier row wins), or its parent region is neither a good row of the
//! file nor already stored. A row whose parent was rejected is therefore rejected too. A row that
//! repeats an earlier row exactly is ignored (counted in `repeated`). Re-importing is idempotent:
//! unchanged rows are counted, renamed rows update the name, and nothing is ever deleted.
//!
//! # `--under`
//! With `under`, only rows inside that subtree are imported, and the ancestors of `under` that the
//! file contains (so `--under 522327` on a national table imports province `52`, city `5223`,
//! county `522327` and everything below it). Rows elsewhere are counted as `outside`, not checked.
//! A malformed code counts as outside when its leading digits already differ from `under`'s
//! (`110101X` under `522327`); otherwise it might belong inside and is reported. Ancestors that the
//! file lacks must already be stored; `under` itself must be in the file or already stored.
use crate::io::read::{self, CsvRows, excerpt, quoted};
use anyhow::{anyhow, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::{HashMap, HashSet};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Duration;
use sunledger_core::{DomainError, RegionCode};
use sunledger_store::{NewRegion, Store};

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Only rows inside this subtree are imported; others are counted as `outside`.
    pub under: Option<RegionCode>,
    /// Show a progress bar (only drawn when stderr is a terminal).
    pub progress: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowError {
    /// 1-based line number in the file (the header is line 1).
    pub line: u64,
    pub code: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// Data rows read (the header and all-blank rows not counted).
    pub rows: u64,
    pub inserted: u64,
    pub renamed: u64,
    pub unchanged: u64,
    /// Rows outside `ImportOptions::under` (skipped, not errors).
    pub outside: u64,
    /// Exact repeats of an earlier row (same code, same name): ignored, not errors.
    pub repeated: u64,
    /// The rejected rows, by line.
    pub errors: Vec<RowError>,
    /// How the file was decoded: `UTF-8`, `UTF-8 (BOM)`, `UTF-16LE`, `UTF-16BE` or `GB18030`.
    pub encoding: &'static str,
}

impl ImportReport {
    /// `rows=N inserted=N renamed=N unchanged=N outside=N rejected=N`, the CLI's summary line.
    pub fn summary_line(&self) -> String {
        format!(
            "rows={} inserted={} renamed={} unchanged={} outside={} rejected={}",
            self.rows,
            self.inserted,
            self.renamed,
            self.unchanged,
            self.outside,
            self.errors.len()
        )
    }
}

/// Header names accepted for the code and the name column (compared trimmed, ASCII-lowercased).
const CODE_HEADERS: &[&str] = &["code", "代码", "区划代码", "统计用区划代码"];
const NAME_HEADERS: &[&str] = &["name", "名称", "区划名称"];

/// The CLI command: imports `path`, prints one line per rejected row on stderr
/// (`line {line}: {code}: {reason}`) and the summary line on stdout. Returns the exit status:
/// 0 when no row was rejected, 2 when some were. Errors that stop the import (unreadable file,
/// bad header, bad `under`, database failure) are returned as `Err`; nothing is imported then.
pub async fn run_cli(
    store: &dyn Store,
    path: &Path,
    under: Option<&str>,
    progress: bool,
    now: i64,
) -> anyhow::Result<i32> {
    let under =
        match under {
            Some(u) => Some(RegionCode::parse(u).map_err(|e| {
                anyhow!("--under {u:?}: malformed region code ({})", code_reason(&e))
            })?),
            None => None,
        };
    let report = import_regions(store, path, &ImportOptions { under, progress }, now).await?;
    {
        let mut err = std::io::BufWriter::new(std::io::stderr().lock());
        for e in &report.errors {
            let line = format!("line {}: {}: {}", e.line, e.code, e.reason);
            writeln!(err, "{}", read::clip(&line))?;
        }
        err.flush()?;
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", report.summary_line())?;
    out.flush()?;
    Ok(if report.errors.is_empty() { 0 } else { 2 })
}

/// A row that passed the per-row checks (code, name, duplicates); its parent is checked later.
struct Candidate {
    region: NewRegion,
    line: u64,
}

/// Imports the region table at `path`. See the module documentation for the rules.
pub async fn import_regions(
    store: &dyn Store,
    path: &Path,
    opts: &ImportOptions,
    now: i64,
) -> anyhow::Result<ImportReport> {
    let (text, encoding) = read::read_text(path)?;
    let bar = progress_bar(opts.progress, text.len() as u64);
    let _clear = ClearOnDrop(bar.clone());
    let mut report = ImportReport {
        encoding,
        ..ImportReport::default()
    };

    let parsed = parse(&text, opts.under.as_ref(), &mut report, &bar)
        .map_err(|e| anyhow!("{}: {e:#}", path.display()))?;
    drop(text);
    let Parsed {
        candidates,
        index,
        rejected_lines,
    } = parsed;

    bar.set_message("checking");
    let mut db = StoredRegions::new(store);
    if let Some(u) = &opts.under
        && !index.contains_key(u)
        && !rejected_lines.contains_key(u)
        && !db.exists_now(u).await?
    {
        bail!(
            "--under {}: region {} is neither in the file nor in the database",
            u.prefix(),
            u.as_str()
        );
    }

    // Parents before children: a parent's level is always lower, so walking the levels in order
    // settles every parent before its children are looked at (and rejections cascade down).
    let mut accepted = vec![false; candidates.len()];
    let mut by_level: [Vec<usize>; 5] = Default::default();
    for (i, c) in candidates.iter().enumerate() {
        let l = (c.region.code.level().as_i64() - 1).clamp(0, 4) as usize;
        if let Some(v) = by_level.get_mut(l) {
            v.push(i);
        }
    }
    let accepted_in_file = |accepted: &[bool], p: &RegionCode| {
        index
            .get(p)
            .is_some_and(|&j| accepted.get(j).copied().unwrap_or(false))
    };
    for level in &by_level {
        // The parents this level needs from the database: those that are not good rows of the file.
        let wanted: HashSet<RegionCode> = level
            .iter()
            .filter_map(|&i| candidates.get(i)?.region.code.parent())
            .filter(|p| !accepted_in_file(&accepted, p))
            .collect();
        db.look_up(wanted).await?;
        for &i in level {
            let Some(c) = candidates.get(i) else { continue };
            let Some(p) = c.region.code.parent() else {
                if let Some(a) = accepted.get_mut(i) {
                    *a = true;
                }
                continue;
            };
            if accepted_in_file(&accepted, &p) || db.exists(&p) {
                if let Some(a) = accepted.get_mut(i) {
                    *a = true;
                }
                continue;
            }
            let why = match index
                .get(&p)
                .and_then(|&j| candidates.get(j))
                .map(|pc| pc.line)
                .or_else(|| rejected_lines.get(&p).copied())
            {
                Some(l) => format!(" (line {l} was rejected)"),
                None => " (neither in the file nor in the database)".to_string(),
            };
            report.errors.push(RowError {
                line: c.line,
                code: c.region.code.as_str().to_string(),
                reason: format!("missing parent {p}{why}"),
            });
        }
    }
    drop(db);
    drop(index);
    drop(rejected_lines);
    report.errors.sort_by_key(|e| e.line);

    // Every good row goes to the store, which inserts new codes, renames changed ones and leaves
    // the rest alone; what it did not touch is unchanged.
    let to_write: Vec<NewRegion> = candidates
        .into_iter()
        .zip(accepted)
        .filter(|(_, ok)| *ok)
        .map(|(c, _)| c.region)
        .collect();
    if !to_write.is_empty() {
        bar.set_style(spinner_style());
        bar.set_message(format!("writing {} regions", to_write.len()));
        bar.enable_steady_tick(Duration::from_millis(120));
        let counts = store
            .upsert_regions(&to_write, now)
            .await
            .map_err(|e| anyhow!("writing the regions: {e}"))?;
        report.inserted = counts.inserted;
        report.renamed = counts.renamed;
    }
    report.unchanged = (to_write.len() as u64).saturating_sub(report.inserted + report.renamed);
    bar.finish_and_clear();
    Ok(report)
}

/// Which codes exist in the database. A few codes (the usual case: the city and province above
/// an imported county) are looked up one by one; past `ONE_BY_ONE` lookups every stored code is
/// read at once. A full national table needs no lookup at all, so it is never read whole.
struct StoredRegions<'a> {
    store: &'a dyn Store,
    known: HashMap<RegionCode, bool>,
    all: Option<HashSet<RegionCode>>,
}

impl<'a> StoredRegions<'a> {
    const ONE_BY_ONE: usize = 2000;

    fn new(store: &'a dyn Store) -> Self {
        StoredRegions {
            store,
            known: HashMap::new(),
            all: None,
        }
    }

    /// Makes `exists` answer for every code in `codes`.
    async fn look_up(&mut self, codes: HashSet<RegionCode>) -> anyhow::Result<()> {
        if self.all.is_some() {
            return Ok(());
        }
        let new: Vec<RegionCode> = codes
            .into_iter()
            .filter(|c| !self.known.contains_key(c))
            .collect();
        if self.known.len() + new.len() > Self::ONE_BY_ONE {
            let names = self
                .store
                .region_names()
                .await
                .map_err(|e| anyhow!("reading the stored regions: {e}"))?;
            self.all = Some(names.into_keys().collect());
            self.known = HashMap::new();
            return Ok(());
        }
        for c in new {
            let found = self
                .store
                .region(&c)
                .await
                .map_err(|e| anyhow!("looking up region {c}: {e}"))?
                .is_some();
            self.known.insert(c, found);
        }
        Ok(())
    }

    async fn exists_now(&mut self, code: &RegionCode) -> anyhow::Result<bool> {
        self.look_up(HashSet::from([*code])).await?;
        Ok(self.exists(code))
    }

    fn exists(&self, code: &RegionCode) -> bool {
        match &self.all {
            Some(all) => all.contains(code),
            None => self.known.get(code).copied().unwrap_or(false),
        }
    }
}

struct Parsed {
    candidates: Vec<Candidate>,
    /// Code -> index into `candidates` of its (first, kept) row.
    index: HashMap<RegionCode, usize>,
    /// Codes that parsed but whose first row was rejected (empty name...): code -> line.
    rejected_lines: HashMap<RegionCode, u64>,
}

/// Reads the header and the rows, applying every check that needs only the row itself and the
/// rows before it. Bad rows go to `report.errors`.
fn parse(
    text: &str,
    under: Option<&RegionCode>,
    report: &mut ImportReport,
    bar: &ProgressBar,
) -> anyhow::Result<Parsed> {
    let mut rdr = CsvRows::new(text, report.encoding);
    let header = loop {
        match rdr.next_record() {
            None => {
                bail!("the file is empty: expected a header row with `code` and `name` columns")
            }
            Some(r) if r.problem.is_none() && r.is_blank() => continue,
            Some(r) => break r,
        }
    };
    if let Some(p) = &header.problem {
        bail!("the header (line {}): {p}", header.line);
    }
    let (code_col, name_col) = header_columns(&header.cells, header.line)?;

    // A national table has ~665,000 rows of ~40 bytes.
    let estimate = text.len() / 40;
    let mut candidates: Vec<Candidate> = Vec::with_capacity(estimate);
    let mut index: HashMap<RegionCode, usize> = HashMap::with_capacity(estimate);
    let mut rejected_lines: HashMap<RegionCode, u64> = HashMap::new();

    let mut n: u64 = 0;
    while let Some(rec) = rdr.next_record() {
        n += 1;
        if n.is_multiple_of(8192) {
            bar.set_position(rdr.byte());
        }
        if rec.problem.is_none() && rec.is_blank() {
            continue;
        }
        report.rows += 1;
        let line = rec.line;
        let field = |i: usize| match rec.cells.get(i) {
            Some(Ok(s)) => Ok(s.trim()),
            Some(Err(e)) => Err(e.as_str()),
            None => Ok(""),
        };
        let reject = |report: &mut ImportReport, code: String, reason: String| {
            report.errors.push(RowError { line, code, reason })
        };
        let raw_code = match field(code_col) {
            Ok(c) => c,
            Err(e) => {
                reject(report, "-".into(), format!("code: {e}"));
                continue;
            }
        };
        // Rows outside `under` are not checked, whatever else is wrong with them.
        let parsed = RegionCode::parse(raw_code);
        let outside = match (&parsed, under) {
            (_, None) => false,
            (Ok(c), Some(u)) => !c.is_within(u) && !u.is_within(c),
            (Err(_), Some(u)) => surely_outside(raw_code, u),
        };
        if outside {
            report.outside += 1;
            continue;
        }
        if let Some(p) = &rec.problem {
            reject(report, excerpt(raw_code), p.clone());
            continue;
        }
        let code = match parsed {
            Ok(c) => c,
            Err(e) => {
                reject(
                    report,
                    excerpt(raw_code),
                    format!("malformed code: {}", code_reason(&e)),
                );
                continue;
            }
        };
        let name = match field(name_col) {
            Ok(n) => n,
            Err(e) => {
                rejected_lines.entry(code).or_insert(line);
                reject(report, code.as_str().to_string(), format!("name: {e}"));
                continue;
            }
        };
        let name_problem = if name.is_empty() {
            Some("empty name".to_string())
        } else if name.chars().any(char::is_control) {
            Some(format!(
                "bad name {}: it holds a line break or control character (unbalanced quote?)",
                excerpt(name)
            ))
        } else {
            None
        };
        if let Some(reason) = name_problem {
            rejected_lines.entry(code).or_insert(line);
            reject(report, code.as_str().to_string(), reason);
            continue;
        }
        if let Some(&i) = index.get(&code) {
            let Some(earlier) = candidates.get(i) else {
                continue;
            };
            if earlier.region.name == name {
                report.repeated += 1;
            } else {
                reject(
                    report,
                    code.as_str().to_string(),
                    format!(
                        "duplicate code: line {} has it with name {}, this row has {}",
                        earlier.line,
                        quoted(&earlier.region.name),
                        quoted(name)
                    ),
                );
            }
            continue;
        }
        index.insert(code, candidates.len());
        candidates.push(Candidate {
            region: NewRegion {
                code,
                name: name.to_string(),
            },
            line,
        });
    }
    bar.set_position(bar.length().unwrap_or(0));
    Ok(Parsed {
        candidates,
        index,
        rejected_lines,
    })
}

/// Finds the code and the name column in the header row.
fn header_columns(cells: &[read::Cell], line: u64) -> anyhow::Result<(usize, usize)> {
    let names: Vec<&str> = cells.iter().map(|c| c.as_deref().unwrap_or("")).collect();
    let find = |accepted: &[&str], what: &str| -> anyhow::Result<Option<usize>> {
        let mut found: Option<(usize, &str)> = None;
        for (i, h) in names.iter().enumerate() {
            let h = h.trim().trim_start_matches('\u{feff}').trim();
            if accepted.iter().any(|a| h.eq_ignore_ascii_case(a)) {
                if let Some((j, first)) = found {
                    bail!(
                        "the header (line {line}) has two {what} columns: {} (column {}) and {} (column {})",
                        quoted(first),
                        j + 1,
                        quoted(h),
                        i + 1
                    );
                }
                found = Some((i, h));
            }
        }
        Ok(found.map(|(i, _)| i))
    };
    let code = find(CODE_HEADERS, "code")?;
    let name = find(NAME_HEADERS, "name")?;
    let columns = names
        .iter()
        .map(|h| quoted(h.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let missing = |what: &str, accepted: &[&str]| {
        anyhow!(
            "the header (line {line}) has no `{what}` column (accepted names: {}); its columns are: {columns}",
            accepted.join(", ")
        )
    };
    match (code, name) {
        (Some(c), Some(n)) => Ok((c, n)),
        (None, Some(_)) => Err(missing("code", CODE_HEADERS)),
        (Some(_), None) => Err(missing("name", NAME_HEADERS)),
        (None, None) => Err(anyhow!(
            "the header (line {line}) has neither a `code` nor a `name` column (accepted names: {} / {}); its columns are: {columns}",
            CODE_HEADERS.join(", "),
            NAME_HEADERS.join(", ")
        )),
    }
}

/// True when a (malformed) code's leading digits differ from `under`'s significant prefix before
/// any non-digit, so the row cannot lie inside `under` or be one of its ancestors.
fn surely_outside(raw: &str, under: &RegionCode) -> bool {
    for (r, u) in raw.trim().bytes().zip(under.prefix().bytes()) {
        if !r.is_ascii_digit() {
            return false;
        }
        if r != u {
            return true;
        }
    }
    false
}

/// The reason code of a code parse error (`not_digits`, `too_long`...).
fn code_reason(e: &DomainError) -> String {
    match e {
        DomainError::Invalid { reason, .. } => (*reason).to_string(),
        other => other.to_string(),
    }
}

/// A progress bar on stderr, drawn only when asked for and stderr is a terminal.
fn progress_bar(enabled: bool, len: u64) -> ProgressBar {
    let target = if enabled && std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(len), target);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg:10} [{bar:40}] {binary_bytes}/{binary_total_bytes} ({eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_message("reading");
    bar
}

/// Clears the progress bar however the import ends, so error messages start on a clean line.
struct ClearOnDrop(ProgressBar);

impl Drop for ClearOnDrop {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;
    use std::sync::Arc;

    async fn fresh() -> (tempfile::TempDir, Arc<dyn Store>) {
        let dir = tempfile::tempdir().unwrap();
        let store = sunledger_store::open(&format!("sqlite:{}", dir.path().join("t.db").display()))
            .await
            .unwrap();
        (dir, store)
    }

    fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn c(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    const TABLE: &str = "code,name\n52,贵州省\n5223,黔西南布依族苗族自治州\n522327,册亨县\n522327104,者楼镇\n522327104201,者楼村\n";

    #[tokio::test]
    async fn imports_and_reimports() {
        let (dir, store) = fresh().await;
        let p = write(&dir, "a.csv", TABLE.as_bytes());
        let r = import_regions(&*store, &p, &ImportOptions::default(), 1)
            .await
            .unwrap();
        assert_eq!(
            (r.rows, r.inserted, r.renamed, r.unchanged),
            (5, 5, 0, 0),
            "{r:?}"
        );
        assert!(r.errors.is_empty());
        let r = import_regions(&*store, &p, &ImportOptions::default(), 2)
            .await
            .unwrap();
        assert_eq!(
            (r.rows, r.inserted, r.renamed, r.unchanged),
            (5, 0, 0, 5),
            "{r:?}"
        );
        assert_eq!(
            store
                .region(&c("522327104201"))
                .await
                .unwrap()
                .unwrap()
                .name,
            "者楼村"
        );
    }

    #[tokio::test]
    async fn bad_rows_and_cascade() {
        let (dir, store) = fresh().await;
        let text = "名称,区划代码,x\n贵州省,52,\n,5223,\n册亨县,522327,\n者楼镇,522327104,\n某村,52232710420X,\n者楼镇,522327104,\n别名镇,522327104,\n\"a\nb\",522327105,\n,,\n";
        let p = write(&dir, "b.csv", text.as_bytes());
        let r = import_regions(&*store, &p, &ImportOptions::default(), 1)
            .await
            .unwrap();
        let lines: Vec<(u64, &str)> = r
            .errors
            .iter()
            .map(|e| (e.line, e.reason.as_str()))
            .collect();
        assert_eq!(r.errors.len(), 6, "{lines:?}");
        assert_eq!(r.errors[0].line, 3);
        assert!(r.errors[0].reason.starts_with("empty name"));
        assert_eq!(r.errors[1].line, 4);
        assert!(
            r.errors[1]
                .reason
                .starts_with("missing parent 522300000000 (line 3"),
            "{}",
            r.errors[1].reason
        );
        assert_eq!(r.errors[2].line, 5);
        assert!(
            r.errors[2]
                .reason
                .starts_with("missing parent 522327000000 (line 4")
        );
        assert_eq!(
            (r.errors[3].line, r.errors[3].reason.as_str()),
            (6, "malformed code: not_digits")
        );
        assert_eq!(r.errors[4].line, 8);
        assert!(r.errors[4].reason.contains("line 5"));
        assert_eq!(r.errors[5].line, 9);
        assert!(r.errors[5].reason.starts_with("bad name"));
        assert_eq!((r.rows, r.inserted, r.repeated), (8, 1, 1), "{r:?}");
        assert_eq!(store.region_count().await.unwrap(), 1);
    }

    #[tokio::test]
    async fn encodings() {
        let (dir, store) = fresh().await;
        let (gb, _, bad) = encoding_rs::GB18030.encode(TABLE);
        assert!(!bad);
        let p = write(&dir, "gb.csv", &gb);
        let r = import_regions(&*store, &p, &ImportOptions::default(), 1)
            .await
            .unwrap();
        assert_eq!((r.encoding, r.inserted), ("GB18030", 5));
        assert_eq!(
            store.region(&c("5223")).await.unwrap().unwrap().name,
            "黔西南布依族苗族自治州"
        );
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(TABLE.replace("者楼村", "者楼村委会").as_bytes());
        let p = write(&dir, "bom.csv", &bom);
        let r = import_regions(&*store, &p, &ImportOptions::default(), 2)
            .await
            .unwrap();
        assert_eq!(
            (r.encoding, r.inserted, r.renamed, r.unchanged),
            ("UTF-8 (BOM)", 0, 1, 4)
        );
    }

    #[tokio::test]
    async fn header_errors() {
        let (dir, store) = fresh().await;
        let p = write(&dir, "h.csv", "code,level\n52,1\n".as_bytes());
        let e = import_regions(&*store, &p, &ImportOptions::default(), 1)
            .await
            .unwrap_err();
        assert!(format!("{e:#}").contains("no `name` column"), "{e:#}");
        let p = write(&dir, "e.csv", b"");
        let e = import_regions(&*store, &p, &ImportOptions::default(), 1)
            .await
            .unwrap_err();
        assert!(format!("{e:#}").contains("empty"), "{e:#}");
        assert_eq!(store.region_count().await.unwrap(), 0);
    }

    #[tokio::test]
    async fn under() {
        let (dir, store) = fresh().await;
        let text = format!("{TABLE}522328,另一县\n522328100,另一镇\n53,云南省\n");
        let p = write(&dir, "u.csv", text.as_bytes());
        let opts = ImportOptions {
            under: Some(c("522327")),
            progress: false,
        };
        let r = import_regions(&*store, &p, &opts, 1).await.unwrap();
        assert_eq!((r.inserted, r.outside), (5, 3), "{r:?}");
        let opts = ImportOptions {
            under: Some(c("522329")),
            progress: false,
        };
        let e = import_regions(&*store, &p, &opts, 1).await.unwrap_err();
        assert!(format!("{e:#}").contains("neither in the file nor in the database"));
    }

    /// More stored parents than are worth looking up one by one: all stored codes are read.
    #[tokio::test]
    async fn many_stored_parents() {
        let (dir, store) = fresh().await;
        let mut towns = String::from("code,name\n52,省\n5223,州\n");
        let mut villages = String::from("code,name\n");
        for county in 1..=3 {
            towns.push_str(&format!("5223{county:02},县{county}\n"));
            for t in 1..=700 {
                towns.push_str(&format!("5223{county:02}{t:03},镇{t}\n"));
                villages.push_str(&format!("5223{county:02}{t:03}201,村{t}\n"));
            }
        }
        villages.push_str("522304001201,孤村\n");
        let p = write(&dir, "t.csv", towns.as_bytes());
        let r = import_regions(&*store, &p, &ImportOptions::default(), 1)
            .await
            .unwrap();
        assert_eq!((r.inserted, r.errors.len()), (2105, 0));
        let p = write(&dir, "v.csv", villages.as_bytes());
        let r = import_regions(&*store, &p, &ImportOptions::default(), 2)
            .await
            .unwrap();
        assert_eq!((r.inserted, r.errors.len()), (2100, 1), "{:?}", r.errors);
        assert_eq!(r.errors[0].line, 2102);
        assert!(
            r.errors[0]
                .reason
                .contains("neither in the file nor in the database")
        );
    }

    /// A parent rejected in the file but already stored still holds its children.
    #[tokio::test]
    async fn stored_parent_of_a_rejected_row() {
        let (dir, store) = fresh().await;
        let p = write(&dir, "a.csv", TABLE.as_bytes());
        import_regions(&*store, &p, &ImportOptions::default(), 1)
            .await
            .unwrap();
        let text = "code,name\n522327104,\n522327104202,新村\n";
        let p = write(&dir, "b.csv", text.as_bytes());
        let r = import_regions(&*store, &p, &ImportOptions::default(), 2)
            .await
            .unwrap();
        assert_eq!((r.inserted, r.errors.len()), (1, 1), "{:?}", r.errors);
        assert_eq!(r.errors[0].line, 2);
        assert_eq!(
            store.region(&c("522327104")).await.unwrap().unwrap().name,
            "者楼镇"
        );
    }

    #[test]
    fn malformed_outside_under() {
        let u = c("522327");
        assert!(surely_outside("1101010010010", &u));
        assert!(surely_outside("522328X", &u));
        assert!(!surely_outside("52232710420X", &u));
        assert!(!surely_outside("52X", &u));
        assert!(!surely_outside("", &u));
        assert!(!surely_outside("5", &u));
    }
}
