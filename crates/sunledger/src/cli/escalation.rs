//! `sunledger escalate`: the escalation steps due on open problems and on overdue Book 4 steps
//! (acceptances, evaluations), recorded as proposals.
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
    let overdue = store.overdue_steps(&scopes, now()).await?;
    if due.is_empty() && overdue.is_empty() {
        println!("no escalation step is due");
        return Ok(0);
    }
    if !overdue.is_empty() {
        // Overdue Book 4 steps (issue 17): the ladder's first rung is proposed for each.
        println!("source\tid\tregion\tdue_on\tdays_over\tdue\tproject\tbasis");
        for o in &overdue {
            println!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                o.source,
                o.source_id,
                o.region,
                o.due_on,
                o.days_over,
                sunledger_core::escalation::OVERDUE_STEP.key(),
                o.project_name,
                o.basis
            );
        }
    }
    if !due.is_empty() {
        println!("problem\tregion\tdeadline\tstate\tdue\ttitle");
    }
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
        let made = store
            .propose_escalations(&scopes, &rules, now())
            .await?
            .len()
            + store.propose_overdue(&scopes, now()).await?.len();
        println!("{made} new proposal(s) recorded for confirmation");
    }
    Ok(0)
}
