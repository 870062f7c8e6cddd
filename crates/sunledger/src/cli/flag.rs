//! `sunledger flags`: scans the books with the red-flag rules (`sunledger_core::flag`).
use super::{Globals, now, open};
use anyhow::{Result, anyhow};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use sunledger_core::RegionCode;
use sunledger_core::flag::{self as rules, Rule};
use sunledger_store::Store;

#[derive(Subcommand)]
pub(super) enum FlagsCommand {
    /// Scans each county of a region with the rules (every rule, or one) on today's date; a hit
    /// already raised is not raised again. Prints, per county and rule, the hits and the new
    /// flags.
    Scan {
        /// The region to scan (its counties); default: every region held.
        #[arg(long)]
        region: Option<String>,
        /// One rule's id (see `/flags/rules`); default: every rule.
        #[arg(long)]
        rule: Option<String>,
    },
}

pub(super) async fn run(command: FlagsCommand, g: &Globals) -> Result<u8> {
    match command {
        FlagsCommand::Scan { region, rule } => {
            let chosen: Vec<&'static Rule> = match rule.as_deref().map(str::trim) {
                None | Some("") => Vec::new(),
                Some(id) => vec![rules::rule(id).map_err(|_| {
                    let ids: Vec<&str> = rules::RULES.iter().map(|r| r.id).collect();
                    anyhow!(
                        "--rule: {id:?} is not a rule; the rules are {}",
                        ids.join(", ")
                    )
                })?],
            };
            let store = open(&g.url).await?;
            let scopes: Vec<RegionCode> = match region.as_deref() {
                Some(r) => vec![RegionCode::parse(r).map_err(|e| anyhow!("--region: {r:?}: {e}"))?],
                None => store
                    .region_roots()
                    .await?
                    .into_iter()
                    .map(|r| r.code)
                    .collect(),
            };
            let now = now();
            let today = sunledger_core::day::today(now);
            let (mut hits, mut raised) = (0i64, 0i64);
            for scope in &scopes {
                if store.region(scope).await?.is_none() {
                    return Err(anyhow!("--region: {} is not a region held", scope.as_str()));
                }
                let (done, total) = scan_one(store.as_ref(), scope, &chosen, today, now).await?;
                hits += done;
                raised += total;
            }
            println!("{hits} hits, {raised} new flags");
            Ok(0)
        }
    }
}

async fn scan_one(
    store: &dyn Store,
    scope: &RegionCode,
    chosen: &[&'static Rule],
    today: i64,
    now: i64,
) -> Result<(i64, i64)> {
    let units = store.region_children(scope).await?.len().max(1);
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(units as u64), target);
    bar.set_style(
        ProgressStyle::with_template("{msg:24} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(scope.as_str().to_string());
    let reports = store
        .scan_flags(scope, chosen, today, None, now, &|r| {
            bar.inc(1);
            bar.set_message(r.county.clone());
        })
        .await;
    bar.finish_and_clear();
    let reports = reports?;
    let (mut hits, mut raised) = (0, 0);
    for r in &reports {
        println!(
            "{}  scan {}  log {}  hits {}  new {}",
            r.county, r.scan_id, r.log_size, r.hits, r.raised
        );
        for (id, h, n) in &r.rules {
            if *h > 0 {
                println!("  {id:24} {h:>7} hits {n:>7} new");
            }
        }
        hits += r.hits;
        raised += r.raised;
    }
    Ok((hits, raised))
}
