//! `sunledger bench province --scale smoke`: benchmarks are not tests, but CI proves in seconds
//! that the benchmark still runs end to end on both backends (generate, import through the
//! users' import paths, verify clean, the real server under load) and prints every row of its
//! table.
use crate::support::TestDb;
use std::process::Command;

async fn smoke_run(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sunledger"))
        .arg("--database")
        .arg(&db.url)
        .arg("--data-dir")
        .arg(dir.path())
        .args(["bench", "province", "--scale", "smoke", "--dir"])
        .arg(dir.path().join("bench"))
        .args(["--http-seconds", "0.5", "--connections", "4"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    for row in [
        "| import | ledger transfers (ledger import",
        "| import | raw bulk insert of the same rows",
        "| import | ledger import ÷ raw insert |",
        "| log | inclusion proof at ",
        "| log | verify ÷ SHA-256 |",
        "| rollup | city summary",
        "| rollup | county summary",
        "| rollup | township summary",
        "| http | public project page",
        "| http | the same page's bytes as a static file",
        "| http | county dashboard",
        "| memory | server resident memory",
    ] {
        assert!(stdout.contains(row), "no row {row:?} in\n{stdout}");
    }
    // Every planted case of every plantable rule was flagged (issue 20), and the rule that
    // cannot be planted says why.
    let planted = std::fs::read_to_string(dir.path().join("bench/planted.csv")).unwrap();
    for rule in sunledger_core::flag::RULES {
        let row = stdout
            .lines()
            .find(|l| {
                l.starts_with(&format!("| flags | {}: ", rule.id))
                    && l.contains("flags on the rest")
            })
            .unwrap_or_else(|| panic!("no planted row for {} in\n{stdout}", rule.id));
        if row.contains("not planted (") {
            assert!(
                ["invalid_id", "overdue_evaluation"].contains(&rule.id),
                "{row}"
            );
            continue;
        }
        let n = planted
            .lines()
            .filter(|l| l.starts_with(&format!("{},", rule.id)))
            .count();
        assert!(n >= 1, "{} has no planted case in planted.csv", rule.id);
        assert!(
            row.contains(&format!("| {n} of {n}; ")) && row.ends_with("| met every planted case |"),
            "{row}"
        );
    }
    // The generated ledger went in whole (3,000 transfers and the planted cases' 52) and no
    // request failed.
    assert!(stdout.contains("3052 in "), "{stdout}");
    assert!(!stdout.contains(" 0 requests"), "{stdout}");
    assert!(stdout.contains(", 0 errors"), "{stdout}");
    // The same seed writes the same files.
    let again = tempfile::tempdir().unwrap();
    let generate = |d: &std::path::Path| {
        let st = Command::new(env!("CARGO_BIN_EXE_sunledger"))
            .args(["generate", "--scale", "smoke", "--out"])
            .arg(d)
            .status()
            .unwrap();
        assert!(st.success());
    };
    generate(again.path());
    for f in [
        "regions.csv",
        "ledger/110101000000-2025-07.csv",
        "projects/110102000000.csv",
        "planted.csv",
        "lists/110101000000-cadre_relatives.csv",
    ] {
        let a = std::fs::read(dir.path().join("bench").join(f)).unwrap();
        let b = std::fs::read(again.path().join(f)).unwrap();
        assert_eq!(a, b, "{f} differs between two runs with the same seed");
    }
}

crate::both!(bench_smoke, smoke_run);
