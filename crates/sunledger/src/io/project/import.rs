//! `sunledger projects import`: the report, and importing the good rows in one transaction.
use super::row::describe;
use super::*;

/// What an import did (or, with `check`, would do).
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// Data rows read (blank rows not counted).
    pub rows: u64,
    /// Projects imported (with `check`: that would be imported).
    pub imported: u64,
    /// Imported as draft, declared and approved.
    pub by_stage: [u64; 3],
    /// Rows already in the library with the same content.
    pub unchanged: u64,
    /// The problems of the rejected rows, by line (a row may have several).
    pub errors: Vec<RowError>,
    /// How the file was read (`CSV (UTF-8)`, `XLSX`...).
    pub format: String,
    /// The ids of the projects imported, in file order.
    pub ids: Vec<i64>,
    /// Only checked; nothing imported.
    pub check_only: bool,
}

impl ImportReport {
    /// Rows rejected.
    pub fn rejected(&self) -> u64 {
        self.errors
            .iter()
            .map(|e| e.line)
            .collect::<BTreeSet<_>>()
            .len() as u64
    }
    /// `rows=N imported=N unchanged=N rejected=N` (with `--check`: `to_import=N`).
    pub fn summary_line(&self) -> String {
        format!(
            "rows={} {}={} unchanged={} rejected={}",
            self.rows,
            if self.check_only {
                "to_import"
            } else {
                "imported"
            },
            self.imported,
            self.unchanged,
            self.rejected()
        )
    }
}

/// Options of an import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Check only; import nothing.
    pub check: bool,
    /// Added to the note recorded with every imported project (e.g. the approving document).
    pub note: Option<String>,
}

/// The note recorded with each imported project: its version's note, and the comment of the
/// `import` event of the approved ones.
pub fn import_note(path: &Path, extra: Option<&str>) -> String {
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut note = format!(
        "从既有项目库导入（{file}），此前的申报、公示和审批在系统外完成 / imported from an existing project library ({file}); its declaration, notice and approval took place outside the system"
    );
    if let Some(x) = extra.map(str::trim).filter(|x| !x.is_empty()) {
        note.push_str(" — ");
        note.push_str(x);
    }
    note
}

/// The CLI command: imports `path` (see the module documentation). Prints each problem of a
/// rejected row on standard error (`line N: field: reason`) and the summary line on standard
/// output. Returns 0 when no row was rejected, 2 when some were.
pub async fn run_cli(
    store: &dyn Store,
    path: &Path,
    opts: &ImportOptions,
    now: i64,
) -> anyhow::Result<i32> {
    let report = import_projects(store, path, opts, now).await?;
    {
        let mut err = std::io::BufWriter::new(std::io::stderr().lock());
        for e in &report.errors {
            writeln!(err, "{}", read::clip(&e.to_string()))?;
        }
        if report.check_only {
            writeln!(err, "check only: nothing imported")?;
        }
        err.flush()?;
    }
    let mut out = std::io::stdout().lock();
    if report.imported > 0 {
        let [draft, declared, approved] = report.by_stage;
        writeln!(
            out,
            "{}: approved={approved} declared={declared} draft={draft}",
            if report.check_only {
                "to import"
            } else {
                "imported"
            }
        )?;
    }
    writeln!(out, "{}", report.summary_line())?;
    out.flush()?;
    Ok(if report.errors.is_empty() { 0 } else { 2 })
}

/// The key of a project in the library: its village, fiscal year and name.
type Key = (RegionCode, i64, String);

fn key_of(c: &Content) -> Key {
    (c.village, c.fiscal_year.get(), c.name.clone())
}

/// Imports the project file at `path`. `Err` for failures that concern no row (unreadable
/// file, bad header, database).
pub async fn import_projects(
    store: &dyn Store,
    path: &Path,
    opts: &ImportOptions,
    now: i64,
) -> anyhow::Result<ImportReport> {
    let today = sunledger_core::day::today(now);
    let file = read_project_file(path)?;
    let mut report = ImportReport {
        rows: (file.rows.len() + file.errors.len()) as u64,
        format: file.format.clone(),
        check_only: opts.check,
        errors: file.errors.clone(),
        ..ImportReport::default()
    };
    let mut good: Vec<(u64, ImportProject)> = Vec::new();
    let mut first: HashMap<Key, u64> = HashMap::new();
    for (line, cells) in &file.rows {
        match parse_row(*line, cells, today) {
            Ok(p) => match first.get(&key_of(&p.content)) {
                Some(other) => report.errors.push(RowError {
                    line: *line,
                    field: "name".into(),
                    reason: format!(
                        "line {other} already has a project of this name in village {} for {}",
                        p.content.village,
                        p.content.fiscal_year.get()
                    ),
                }),
                None => {
                    first.insert(key_of(&p.content), *line);
                    good.push((*line, p));
                }
            },
            Err(es) => report.errors.extend(es),
        }
    }

    // Villages that are not in the region table.
    let villages: HashSet<RegionCode> = good.iter().map(|(_, p)| p.content.village).collect();
    let mut missing = HashSet::new();
    for v in villages {
        if store.region(&v).await?.is_none() {
            missing.insert(v);
        }
    }
    // Projects already in the library under the same village, year and name.
    let mut todo: Vec<(u64, ImportProject)> = Vec::new();
    for (line, p) in good {
        let c = &p.content;
        if missing.contains(&c.village) {
            report.errors.push(RowError {
                line,
                field: "village".into(),
                reason: format!(
                    "{} is not in the region table (import the regions first)",
                    c.village
                ),
            });
            continue;
        }
        match existing(store, c).await? {
            Existing::None => todo.push((line, p)),
            Existing::Same => report.unchanged += 1,
            Existing::Other { id, fields } => report.errors.push(RowError {
                line,
                field: "name".into(),
                reason: format!(
                    "project {id} of this village and year already has this name, with other content ({}): change it in the system, or give this row another name",
                    fields.join(", ")
                ),
            }),
        }
    }

    if !opts.check {
        let note = import_note(path, opts.note.as_deref());
        // One transaction; a row the store refuses is reported and the rest imported again.
        while !todo.is_empty() {
            let items: Vec<ImportProject> = todo.iter().map(|(_, p)| p.clone()).collect();
            match store.import_projects(&items, &note, None, now).await {
                Ok(projects) => {
                    report.ids = projects.iter().map(|p| p.id).collect();
                    break;
                }
                Err(StoreError::Batch { index, error }) if index < todo.len() => {
                    let (field, reason) = match *error {
                        StoreError::Rule(e) => describe(&e),
                        StoreError::Conflict { field } => {
                            (field, "conflicts with a stored row".into())
                        }
                        StoreError::NotFound(what) => ("row".into(), format!("{what} not found")),
                        other => return Err(anyhow!("importing the projects: {other}")),
                    };
                    let (line, _) = todo.remove(index);
                    report.errors.push(RowError {
                        line,
                        field,
                        reason,
                    });
                }
                Err(e) => return Err(anyhow!("importing the projects: {e}")),
            }
        }
    }
    for (_, p) in &todo {
        report.imported += 1;
        let slot = match p.stage {
            Stage::Draft => 0,
            Stage::Declared => 1,
            _ => 2,
        };
        if let Some(n) = report.by_stage.get_mut(slot) {
            *n += 1;
        }
    }
    report.errors.sort_by_key(|e| e.line);
    Ok(report)
}

enum Existing {
    None,
    Same,
    Other { id: i64, fields: Vec<&'static str> },
}

/// Whether the library already has a project of this village, year and name, and with what.
async fn existing(store: &dyn Store, c: &Content) -> anyhow::Result<Existing> {
    // The store's name filter drops `%` and `_`; such names are matched here only.
    let plain = !c.name.contains(['%', '_']);
    let (found, _) = store
        .projects(
            &ProjectFilter {
                scopes: vec![c.village],
                fiscal_year: Some(c.fiscal_year.get()),
                name: plain.then(|| c.name.clone()),
                ..ProjectFilter::default()
            },
            10_000,
            0,
        )
        .await?;
    let mut other = None;
    for p in found
        .iter()
        .filter(|p| p.name == c.name && p.region == c.village)
    {
        let Some(record) = store.project_record(p.id).await? else {
            continue;
        };
        let Some(current) = record.versions.iter().max_by_key(|v| v.version) else {
            continue;
        };
        let stored = current
            .content()
            .map_err(|e| anyhow!("project {}: stored content: {e}", p.id))?;
        let diff = stored.diff(c);
        if diff.is_empty() {
            return Ok(Existing::Same);
        }
        other.get_or_insert(Existing::Other {
            id: p.id,
            fields: diff.iter().map(|d| d.0).collect(),
        });
    }
    Ok(other.unwrap_or(Existing::None))
}
