//! Benchmarks and the synthetic data they run on: `sunledger bench province` ([`province`]), the
//! province generator behind `sunledger generate` ([`generate`]), synthetic region tables
//! ([`synthetic`]), and here `sunledger bench log`.
//!
//! `sunledger bench log`: the cost of the tamper-evident log on this machine — append cost per
//! fact through the real append path, and inclusion/consistency proof size and time at the
//! resulting log size. Prints a table. Benchmarks are not tests: CI does not run this.
use anyhow::Result;
use std::time::Instant;
use sunledger_core::log::fact::Fact;
use sunledger_store::Store;

pub mod generate;
pub mod plant;
pub mod province;
pub mod synthetic;

fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted.get(i).copied().unwrap_or(0.0)
}

/// Grows the log to `leaves` with synthetic transfer-like facts in transactions of `batch`, then
/// measures proofs.
pub async fn log(store: &dyn Store, leaves: u64, batch: u64) -> Result<()> {
    let start_size = store.log_size().await?;
    let mut seed = 42u64;
    let t0 = Instant::now();
    let mut n = start_size;
    let mut single = Vec::new();
    while n < leaves {
        let k = batch.min(leaves - n);
        let facts: Vec<Fact> = (0..k)
            .map(|i| {
                let id = (n + i) as i64;
                Fact::new("bench.transfer", "bench", id, 1_800_000_000 + id)
                    .county(Some("529121".into()))
                    .field("amount_fen", (splitmix(&mut seed) % 10_000_000) as i64)
                    .field("from", "529121000000")
                    .field("to", "529121100000")
                    .field("document", format!("云财扶〔2026〕{}号", id % 1000))
            })
            .collect();
        store.append_facts(&facts).await?;
        n += k;
        if n % (batch * 100) < batch {
            eprintln!("{n} leaves, {:.0} s", t0.elapsed().as_secs_f64());
        }
    }
    let grow = t0.elapsed();
    // Single-fact transactions: what one booked fact costs on its own.
    for i in 0..200 {
        let f = Fact::new("bench.single", "bench", i, 0).field("x", i);
        let t = Instant::now();
        store.append_facts(&[f]).await?;
        single.push(t.elapsed().as_secs_f64() * 1e6);
    }
    single.sort_by(f64::total_cmp);
    let size = store.log_size().await?;
    let mut incl = Vec::new();
    let mut incl_len = 0;
    for _ in 0..1000 {
        let idx = splitmix(&mut seed) % size;
        let t = Instant::now();
        let p = sunledger_store::log::inclusion_proof(store, idx, size).await?;
        incl.push(t.elapsed().as_secs_f64() * 1e3);
        incl_len = incl_len.max(p.len());
    }
    incl.sort_by(f64::total_cmp);
    let mut cons = Vec::new();
    let mut cons_len = 0;
    for _ in 0..200 {
        let old = 1 + splitmix(&mut seed) % (size - 1);
        let t = Instant::now();
        let p = sunledger_store::log::consistency_proof(store, old, size).await?;
        cons.push(t.elapsed().as_secs_f64() * 1e3);
        cons_len = cons_len.max(p.len());
    }
    cons.sort_by(f64::total_cmp);
    let t = Instant::now();
    sunledger_store::log::root(store, size).await?;
    let root_ms = t.elapsed().as_secs_f64() * 1e3;
    let appended = size.saturating_sub(start_size).saturating_sub(200);
    println!("| measure | value |");
    println!("|---|---|");
    println!("| log size (leaves) | {size} |");
    if appended > 0 {
        println!(
            "| append, batched ({batch} facts per transaction) | {:.1} µs per fact ({:.0} facts/s) |",
            grow.as_secs_f64() * 1e6 / appended as f64,
            appended as f64 / grow.as_secs_f64()
        );
    }
    println!(
        "| append, one fact per transaction, p50 / p95 | {:.0} µs / {:.0} µs |",
        pct(&single, 0.5),
        pct(&single, 0.95)
    );
    println!(
        "| inclusion proof: hashes (bytes), at most | {incl_len} ({} B) |",
        incl_len * 32
    );
    println!(
        "| inclusion proof time p50 / p99 | {:.2} ms / {:.2} ms |",
        pct(&incl, 0.5),
        pct(&incl, 0.99)
    );
    println!(
        "| consistency proof: hashes (bytes), at most | {cons_len} ({} B) |",
        cons_len * 32
    );
    println!(
        "| consistency proof time p50 / p99 | {:.2} ms / {:.2} ms |",
        pct(&cons, 0.5),
        pct(&cons, 0.99)
    );
    println!("| root from stored nodes | {root_ms:.2} ms |");
    Ok(())
}
