//! `sunledger projects export`: the library in the import's columns.
use super::*;

/// The stage an exported project is imported back into: `approved` for the library (approved or
/// recorded), `declared` for projects under review (declared, noticed, returned to the
/// township), `draft` for the rest (drafts, returned to the village, revoked).
pub fn import_stage_of(stage: &str) -> &'static str {
    match Stage::parse(stage) {
        Ok(s) if s.in_library() => "approved",
        Ok(Stage::Declared | Stage::Noticed | Stage::ReturnedToTownship) => "declared",
        _ => "draft",
    }
}

/// The CSV of a library: UTF-8 with a byte-order mark, the header [`COLUMNS`] then
/// [`EXPORT_EXTRA`], CRLF line ends, fields Excel would take for formulas guarded with an
/// apostrophe (which the import removes).
pub fn library_csv(
    rows: &[(sunledger_store::Project, sunledger_store::ProjectVersion)],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(512 + rows.len() * 400);
    out.extend_from_slice(b"\xEF\xBB\xBF");
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    let header: Vec<&str> = COLUMNS
        .iter()
        .map(|c| c.key)
        .chain(EXPORT_EXTRA.iter().copied())
        .collect();
    let mut ok = w.write_record(&header).is_ok();
    for (p, v) in rows {
        let mut fields: Vec<String> = Vec::with_capacity(header.len());
        for c in &COLUMNS {
            let f = match c.key {
                "village" => v.village.clone(),
                "name" => v.name.clone(),
                "category" => v.category.clone(),
                "fiscal_year" => v.fiscal_year.to_string(),
                "targets" => v
                    .targets
                    .iter()
                    .map(sunledger_store::ProjectIndicator::indicator)
                    .collect::<Result<Vec<_>, _>>()
                    .map(|t| sunledger_core::project::encode_targets(&t))
                    .unwrap_or_default(),
                "meeting_on" => v.meeting_on.clone(),
                "meeting_ref" => v.meeting_ref.clone(),
                "description" => v.description.clone(),
                "stage" => import_stage_of(&p.stage).to_string(),
                k => match budget_source(k) {
                    Some(s) => v
                        .budget
                        .iter()
                        .find(|l| l.source == s.key())
                        .map(|l| Money::from_fen(l.amount_fen).to_string())
                        .unwrap_or_default(),
                    None => String::new(),
                },
            };
            fields.push(f);
        }
        fields.push(p.id.to_string());
        fields.push(p.stage.clone());
        fields.push(p.status.clone().unwrap_or_default());
        fields.push(p.progress.to_string());
        fields.push(Money::from_fen(p.budget_total_fen).to_string());
        ok &= w
            .write_record(fields.iter().map(|f| csv_guard(f).into_owned()))
            .is_ok();
    }
    match w.into_inner() {
        Ok(bytes) if ok => bytes,
        _ => Vec::new(),
    }
}

/// The CLI command: writes every project of `region`'s subtree (its current content) to `out`
/// as CSV, ordered by region and id.
pub async fn export_cli(store: &dyn Store, region: &str, out: &Path) -> anyhow::Result<i32> {
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if ext != "csv" {
        bail!("--out {}: the file name must end in .csv", out.display());
    }
    let code = RegionCode::parse(region).map_err(|e| anyhow!("--region {region:?}: {e}"))?;
    if store.region(&code).await?.is_none() {
        bail!("--region {region}: no such region");
    }
    let rows = library_rows(store, &code).await?;
    let bytes = library_csv(&rows);
    if bytes.is_empty() {
        bail!("writing the CSV failed");
    }
    std::fs::write(out, bytes).with_context(|| format!("writing {}", out.display()))?;
    println!("projects={} file={}", rows.len(), out.display());
    Ok(0)
}

/// Every project in `region`'s subtree with its current version.
pub async fn library_rows(
    store: &dyn Store,
    region: &RegionCode,
) -> anyhow::Result<Vec<(sunledger_store::Project, sunledger_store::ProjectVersion)>> {
    const PAGE: i64 = 500;
    let filter = ProjectFilter {
        scopes: vec![*region],
        ..ProjectFilter::default()
    };
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let (page, total) = store.projects(&filter, PAGE, offset).await?;
        let n = page.len() as i64;
        for p in page {
            let Some(record) = store.project_record(p.id).await? else {
                continue;
            };
            // Projects registered outside the library (no content yet) have no row.
            if let Some(v) = record.versions.into_iter().max_by_key(|v| v.version) {
                out.push((record.project, v));
            }
        }
        offset += n;
        if n == 0 || offset >= total {
            break;
        }
    }
    Ok(out)
}
