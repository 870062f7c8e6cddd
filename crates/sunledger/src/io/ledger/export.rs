//! `sunledger ledger export`.
use super::*;

/// booked between `from` and `to` to `out`, as CSV or XLSX by its extension.
pub async fn export_cli(
    store: &dyn Store,
    region: &str,
    subtree: bool,
    from: Option<&str>,
    to: Option<&str>,
    out: &Path,
) -> anyhow::Result<i32> {
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if ext != "csv" && ext != "xlsx" {
        bail!(
            "--out {}: the file name must end in .csv or .xlsx (the format follows it)",
            out.display()
        );
    }
    let code = RegionCode::parse(region).map_err(|e| anyhow!("--region {region:?}: {e}"))?;
    let region = store
        .region(&code)
        .await?
        .ok_or_else(|| anyhow!("--region {region}: no such region"))?;
    let (from, to) = table::period(from, to).map_err(|e| {
        anyhow!(
            "--{}: {}",
            e.field().unwrap_or("from"),
            e.message(sunledger_web::i18n::Lang::En)
        )
    })?;
    let rows = store.ledger_rows(&code, subtree, &from, &to).await?;
    let bytes = if ext == "csv" {
        sunledger_web::ledger::export::ledger_csv(&rows)
    } else {
        let title = format!("{} {}", region.name, code.prefix());
        sunledger_web::ledger::export::ledger_xlsx(&rows, &title)
            .map_err(|e| anyhow!("writing the workbook: {e}"))?
    };
    std::fs::write(out, bytes).with_context(|| format!("writing {}", out.display()))?;
    println!("rows={} file={}", rows.len(), out.display());
    Ok(0)
}
