//! `sunledger escalate`: the escalation steps due on open problems, recorded as proposals.
use super::{Globals, now, open};
use anyhow::{Context, Result};
use sunledger_core::RegionCode;

/// The options of `sunledger escalate`.
#[derive(clap::Args)]
pub(super) struct Escalate {
    /// List only; record nothing.
    #[arg(long)]
    dry_run: bool,
    /// Only problems inside this region (default: everywhere).
    #[arg(long)]
    region: Option<String>,
}

/// `sunledger escalate`.
pub(super) async fn run(Escalate { dry_run, region }: Escalate, g: &Globals) -> Result<u8> {
    let store = open(&g.url).await?;
    let scopes = match region {
        Some(r) => vec![RegionCode::parse(&r).with_context(|| format!("--region {r}"))?],
        None => store
            .region_roots()
            .await?
            .into_iter()
            .map(|r| r.code)
            .collect(),
    };
    let rules = sunledger_core::escalation::default_rules();
    let due = store.due_escalations(&scopes, &rules, now()).await?;
    if due.is_empty() {
        println!("no escalation step is due");
        return Ok(0);
    }
    println!("problem\tregion\tdeadline\tstate\tdue\ttitle");
    for (p, steps) in &due {
        let steps: Vec<&str> = steps.iter().map(|s| s.key()).collect();
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            p.id,
            p.region,
            p.deadline,
            p.state,
            steps.join(","),
            p.title
        );
    }
    if dry_run {
        println!("(dry run: nothing recorded)");
    } else {
        let made = store.propose_escalations(&scopes, &rules, now()).await?;
        println!("{} new proposal(s) recorded for confirmation", made.len());
    }
    Ok(0)
}
