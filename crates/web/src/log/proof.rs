//! Proofs from the tamper-evident log for one record: its leaves, an inclusion proof for each,
//! and a signed checkpoint that covers them (signed on the spot when none does yet).
//!
//! Who may see a record's proof: organisation records (departments) are public, like the names
//! of government bodies; published notices, their steps, postings and the objections raised to
//! them are public like the notices themselves; every other record needs the right to see internal data of the region
//! its fact names (or, for facts that name none, of the county it is filed under).
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use sunledger_core::Permission;
use sunledger_core::RegionCode;
use sunledger_core::log::proof::{BUNDLE_FORMAT, BundleLeaf, ProofBundle};
use sunledger_store::{hex, log};

pub const PUBLIC_TABLES: [&str; 1] = ["departments"];

pub async fn bundle(
    state: &AppState,
    ctx: &Ctx,
    table: &str,
    id: i64,
) -> Result<ProofBundle, WebError> {
    if !sunledger_store::FACT_TABLES.contains(&table) {
        return Err(WebError::NotFound);
    }
    let leaves = state.store.log_leaves_of(table, id).await?;
    let first = leaves.first().ok_or(WebError::NotFound)?;
    let public = PUBLIC_TABLES.contains(&table)
        || crate::notice::ops::is_public_record(state, table, id).await?;
    if !public {
        let region = serde_json::from_slice::<serde_json::Value>(&first.data)
            .ok()
            .and_then(|v| {
                v.pointer("/fields/region")
                    .and_then(|r| r.as_str())
                    .and_then(|r| RegionCode::parse(r).ok())
            })
            // Facts that name no region (steps, objections, escalations...) are scoped by the
            // county their leaf is filed under.
            .or_else(|| {
                first
                    .county_code
                    .as_deref()
                    .and_then(|c| RegionCode::parse(c).ok())
            })
            .ok_or(WebError::NotFound)?;
        ctx.require_or_hide(Permission::ViewInternal, &region)?;
    }
    let last_index = leaves.iter().map(|l| l.index).max().unwrap_or(0);
    let mut cp = state.store.latest_checkpoint().await?;
    if cp.as_ref().is_none_or(|c| c.size <= last_index) {
        cp = state.checkpoint().await?;
    }
    let cp = cp
        .filter(|c| c.size > last_index)
        .ok_or(WebError::NotFound)?;
    let mut out = Vec::with_capacity(leaves.len());
    for l in leaves {
        let proof = log::inclusion_proof(state.store.as_ref(), l.index, cp.size).await?;
        out.push(BundleLeaf {
            index: l.index,
            kind: l.kind,
            leaf_hash: hex(&sunledger_core::log::merkle::leaf_hash(&l.data)),
            data: String::from_utf8_lossy(&l.data).into_owned(),
            inclusion: proof.iter().map(|h| hex(h)).collect(),
        });
    }
    Ok(ProofBundle {
        format: BUNDLE_FORMAT.into(),
        record: format!("{table}/{id}"),
        checkpoint: cp.note,
        verifier_keys: state.verifier_keys.as_ref().clone(),
        leaves: out,
    })
}
