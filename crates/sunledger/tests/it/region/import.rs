//! `sunledger regions import` (and `regions generate`), run as the real binary against both
//! backends; the database is inspected through the store afterwards.
//!
//! The CLI contract: stdout holds `rows=N inserted=N renamed=N unchanged=N outside=N rejected=N`;
//! stderr holds one `line {line}: {code}: {reason}` per rejected row; the exit status is 0 when no
//! row was rejected, 2 when some were, and another failure status when the import could not run.
use crate::both;
use crate::support::TestDb;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use sunledger_core::RegionCode;

struct Run {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The summary line's numbers.
    fn summary(&self) -> HashMap<String, u64> {
        let line = self
            .stdout
            .lines()
            .find(|l| l.starts_with("rows="))
            .unwrap_or_else(|| {
                panic!(
                    "no summary line in stdout:\n{}\nstderr:\n{}",
                    self.stdout, self.stderr
                )
            });
        line.split_whitespace()
            .map(|kv| {
                let (k, v) = kv
                    .split_once('=')
                    .unwrap_or_else(|| panic!("bad summary field {kv:?} in {line:?}"));
                (
                    k.to_string(),
                    v.parse().unwrap_or_else(|_| panic!("bad number in {kv:?}")),
                )
            })
            .collect()
    }

    /// Asserts the summary's counts (only the keys given).
    fn expect(&self, want: &[(&str, u64)]) {
        let got = self.summary();
        for (k, v) in want {
            assert_eq!(
                got.get(*k),
                Some(v),
                "{k} in {:?}\nstderr:\n{}",
                self.stdout.trim(),
                self.stderr
            );
        }
    }

    /// The rejected-row lines of stderr.
    fn bad_rows(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("line "))
            .collect()
    }
}

async fn sunledger(args: &[&str]) -> Run {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_sunledger"))
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("run sunledger");
    let run = Run {
        status: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    // stderr is a pipe here, so no progress bar may be drawn on it (indicatif redraws with a
    // carriage return and the erase-line sequence).
    assert!(
        !run.stderr.contains('\r') && !run.stderr.contains("\u{1b}[2K"),
        "progress output on a non-terminal stderr:\n{:?}",
        run.stderr
    );
    run
}

async fn import(db: &TestDb, file: &Path, under: Option<&str>) -> Run {
    let file = file.to_str().expect("utf-8 path");
    let mut args = vec!["--database", db.url.as_str(), "regions", "import", file];
    if let Some(u) = under {
        args.extend(["--under", u]);
    }
    sunledger(&args).await
}

fn write_file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).expect("write test file");
    p
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).expect("test code")
}

async fn name_of(db: &TestDb, c: &str) -> Option<String> {
    db.store
        .region(&code(c))
        .await
        .expect("region")
        .map(|r| r.name)
}

/// Province 52, city 5223, county 522327 with 5 towns of 8 villages each (one town a
/// sub-district with communities), and a second county 522328 with 2 towns of 3 villages:
/// 3 + 5 + 40 + 1 + 2 + 6 = 57 rows. Header `code,name,level`.
fn table() -> String {
    let mut s = String::from(
        "code,name,level\n52,贵州省,province\n5223,黔西南布依族苗族自治州,city\n522327,册亨县,county\n",
    );
    for t in 0..5 {
        let (seg, kind, vstart, vkind) = if t == 0 {
            (1, "街道", 1, "社区")
        } else {
            (100 + t, "镇", 200, "村")
        };
        s.push_str(&format!("522327{seg:03},者楼{t}{kind},township\n"));
        for v in 0..8 {
            s.push_str(&format!(
                "522327{seg:03}{:03},者{t}{v}{vkind},village\n",
                vstart + v
            ));
        }
    }
    s.push_str("522328,安龙县,county\n");
    for t in 0..2 {
        s.push_str(&format!("522328{:03},龙{t}镇,township\n", 101 + t));
        for v in 0..3 {
            s.push_str(&format!(
                "522328{:03}{:03},龙{t}{v}村,village\n",
                101 + t,
                201 + v
            ));
        }
    }
    s
}
const TABLE_ROWS: u64 = 57;

async fn utf8_with_bom(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(table().as_bytes());
    let f = write_file(&dir, "bom.csv", &bytes);
    let run = import(&db, &f, None).await;
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    run.expect(&[
        ("rows", TABLE_ROWS),
        ("inserted", TABLE_ROWS),
        ("rejected", 0),
        ("outside", 0),
    ]);
    assert_eq!(db.store.region_count().await.unwrap(), TABLE_ROWS as i64);
    assert_eq!(name_of(&db, "52").await.as_deref(), Some("贵州省"));
    assert_eq!(
        name_of(&db, "522327101201").await.as_deref(),
        Some("者11村")
    );
    let kids = db.store.region_children(&code("522327")).await.unwrap();
    assert_eq!(kids.len(), 5);
    assert_eq!(kids[0].name, "者楼0街道");
}
both!(utf8_with_bom, utf8_with_bom);

async fn gb18030_file(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let text = table().replace("code,name,level", "区划代码,名称,级别");
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the test file must not be valid UTF-8"
    );
    let f = write_file(&dir, "gb.csv", &bytes);
    let run = import(&db, &f, None).await;
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    run.expect(&[
        ("rows", TABLE_ROWS),
        ("inserted", TABLE_ROWS),
        ("rejected", 0),
    ]);
    assert_eq!(
        name_of(&db, "5223").await.as_deref(),
        Some("黔西南布依族苗族自治州")
    );
    assert_eq!(
        name_of(&db, "522328102203").await.as_deref(),
        Some("龙12村")
    );
}
both!(gb18030_file, gb18030_file);

async fn header_order_and_extra_columns(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let text = "城乡分类,NAME,备注,Code\n,贵州省,x,52\n,黔西南州,,522300000000\n,册亨县,\"a, b\",522327\n111,者楼街道,,522327001\n111,\"者楼,社区\",,522327001001\n";
    let f = write_file(&dir, "order.csv", text.as_bytes());
    let run = import(&db, &f, None).await;
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    run.expect(&[("rows", 5), ("inserted", 5), ("rejected", 0)]);
    assert_eq!(
        name_of(&db, "522327001001").await.as_deref(),
        Some("者楼,社区")
    );
    assert_eq!(name_of(&db, "5223").await.as_deref(), Some("黔西南州"));
}
both!(
    header_order_and_extra_columns,
    header_order_and_extra_columns
);

/// Each kind of bad row, with its line; the good rows are imported all the same.
async fn bad_rows_reported_by_line(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let text = [
        "code,name",            // 1
        "52,贵州省",            // 2
        "5223,黔西南州",        // 3
        "522327,册亨县",        // 4
        "5223271O1,者楼镇",     // 5 malformed: letter O
        "5223271010001,长码村", // 6 malformed: 13 digits
        "522327102,",           // 7 empty name
        "522327102201,孤村",    // 8 parent rejected on line 7
        "522327103201,无镇村",  // 9 parent not anywhere
        "522327104,岩架镇",     // 10
        "522327104201,岩架村",  // 11
        "522327104,岩架乡",     // 12 duplicate of line 10 with another name
        "522327104,岩架镇",     // 13 exact repeat: ignored
        "522399,不在州",        // 14 good (parent 5223 is in the file)
        "5224001,缺段",         // 15 pads to a township of city 5224 (missing)
        "522327000201,缺乡村",  // 16 malformed: village without township segment
        "522329104201,远村",    // 17 parent 522329104 missing, and so is 522329
    ]
    .join("\n")
        + "\n";
    let f = write_file(&dir, "bad.csv", text.as_bytes());
    let run = import(&db, &f, None).await;
    assert_eq!(
        run.status,
        Some(2),
        "stdout {}\nstderr {}",
        run.stdout,
        run.stderr
    );
    let bad = run.bad_rows();
    let lines: Vec<u64> = bad
        .iter()
        .map(|l| {
            l.trim_start_matches("line ")
                .split(':')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(lines, vec![5, 6, 7, 8, 9, 12, 15, 16, 17], "{bad:#?}");
    assert_eq!(bad[0], "line 5: 5223271O1: malformed code: not_digits");
    assert_eq!(bad[1], "line 6: 5223271010001: malformed code: too_long");
    assert_eq!(bad[2], "line 7: 522327102000: empty name");
    assert!(
        bad[3].starts_with("line 8: 522327102201: missing parent 522327102000"),
        "{}",
        bad[3]
    );
    assert!(bad[3].contains("line 7"), "{}", bad[3]);
    assert!(
        bad[4].starts_with("line 9: 522327103201: missing parent 522327103000"),
        "{}",
        bad[4]
    );
    assert!(
        bad[5].starts_with("line 12: 522327104000: duplicate code"),
        "{}",
        bad[5]
    );
    assert!(bad[5].contains("line 10"), "{}", bad[5]);
    // 5224001 pads to 522400100000: a township of a city without counties, whose city 5224 is
    // missing.
    assert!(
        bad[6].starts_with("line 15: 522400100000: missing parent 522400000000"),
        "{}",
        bad[6]
    );
    assert_eq!(
        bad[7],
        "line 16: 522327000201: malformed code: missing_township_segment"
    );
    assert!(
        bad[8].starts_with("line 17: 522329104201: missing parent 522329104000"),
        "{}",
        bad[8]
    );

    run.expect(&[
        ("rows", 16),
        ("inserted", 6),
        ("renamed", 0),
        ("unchanged", 0),
        ("outside", 0),
        ("rejected", 9),
    ]);
    assert_eq!(db.store.region_count().await.unwrap(), 6);
    assert_eq!(
        name_of(&db, "522327104").await.as_deref(),
        Some("岩架镇"),
        "the earlier row wins"
    );
    assert_eq!(
        name_of(&db, "522327104201").await.as_deref(),
        Some("岩架村")
    );
    assert_eq!(name_of(&db, "522399").await.as_deref(), Some("不在州"));
    assert_eq!(name_of(&db, "522327102").await, None);
    assert_eq!(name_of(&db, "522327102201").await, None);
}
both!(bad_rows_reported_by_line, bad_rows_reported_by_line);

async fn reimport_is_idempotent(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let f = write_file(&dir, "t.csv", table().as_bytes());
    let first = import(&db, &f, None).await;
    assert_eq!(first.status, Some(0), "{}", first.stderr);
    first.expect(&[("inserted", TABLE_ROWS), ("unchanged", 0)]);
    let second = import(&db, &f, None).await;
    assert_eq!(second.status, Some(0), "{}", second.stderr);
    second.expect(&[
        ("rows", TABLE_ROWS),
        ("inserted", 0),
        ("renamed", 0),
        ("unchanged", TABLE_ROWS),
        ("rejected", 0),
    ]);
    assert_eq!(db.store.region_count().await.unwrap(), TABLE_ROWS as i64);
}
both!(reimport_is_idempotent, reimport_is_idempotent);

/// A changed name updates the region; rows missing from the new file are kept.
async fn rename_updates_name(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let f = write_file(&dir, "t.csv", table().as_bytes());
    assert_eq!(import(&db, &f, None).await.status, Some(0));
    let changed: String = table()
        .replace("册亨县", "册亨新县")
        .replace("者楼1镇", "者楼1乡")
        .lines()
        .filter(|l| !l.starts_with("522328"))
        .map(|l| format!("{l}\n"))
        .collect();
    let f2 = write_file(&dir, "t2.csv", changed.as_bytes());
    let run = import(&db, &f2, None).await;
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    run.expect(&[
        ("rows", TABLE_ROWS - 9),
        ("inserted", 0),
        ("renamed", 2),
        ("unchanged", TABLE_ROWS - 11),
    ]);
    assert_eq!(name_of(&db, "522327").await.as_deref(), Some("册亨新县"));
    assert_eq!(name_of(&db, "522327101").await.as_deref(), Some("者楼1乡"));
    assert_eq!(
        name_of(&db, "522328").await.as_deref(),
        Some("安龙县"),
        "nothing is deleted"
    );
    assert_eq!(db.store.region_count().await.unwrap(), TABLE_ROWS as i64);
}
both!(rename_updates_name, rename_updates_name);

/// `--under` imports the subtree and the ancestors the file holds; the rest is `outside`.
async fn under_a_county(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}53,云南省,province\n5301,昆明市,city\n53X1,坏码,city\n",
        table()
    );
    let f = write_file(&dir, "t.csv", text.as_bytes());
    let run = import(&db, &f, Some("522327")).await;
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    // 52, 5223, 522327 and its 45 descendants; outside: 522328 and its 8, 53, 5301, the bad code.
    run.expect(&[
        ("rows", TABLE_ROWS + 3),
        ("inserted", 48),
        ("outside", 12),
        ("rejected", 0),
    ]);
    assert_eq!(name_of(&db, "52").await.as_deref(), Some("贵州省"));
    assert_eq!(
        name_of(&db, "5223").await.as_deref(),
        Some("黔西南布依族苗族自治州")
    );
    assert_eq!(
        name_of(&db, "522327104207").await.as_deref(),
        Some("者47村")
    );
    assert_eq!(name_of(&db, "522328").await, None);
    assert_eq!(name_of(&db, "53").await, None);

    // A county table without its ancestors: they must be stored already.
    let county: String = table()
        .lines()
        .filter(|l| l.starts_with("code") || l.starts_with("522328"))
        .map(|l| format!("{l}\n"))
        .collect();
    let f2 = write_file(&dir, "county.csv", county.as_bytes());
    let run = import(&db, &f2, Some("522328")).await;
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    run.expect(&[("rows", 9), ("inserted", 9), ("outside", 0)]);
    assert_eq!(
        db.store.region_children(&code("5223")).await.unwrap().len(),
        2
    );

    // `under` must exist somewhere.
    let run = import(&db, &f2, Some("522329")).await;
    assert!(
        !matches!(run.status, Some(0) | Some(2)),
        "status {:?}",
        run.status
    );
    assert!(run.stderr.contains("522329"), "{}", run.stderr);
    assert_eq!(db.store.region_count().await.unwrap(), 57);
}
both!(under_a_county, under_a_county);

async fn missing_name_column_fails(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let f = write_file(
        &dir,
        "noname.csv",
        "code,level,名字\n52,province,贵州省\n5223,city,州\n".as_bytes(),
    );
    let run = import(&db, &f, None).await;
    assert!(
        !matches!(run.status, Some(0) | Some(2)),
        "status {:?}",
        run.status
    );
    assert!(run.stderr.contains("no `name` column"), "{}", run.stderr);
    assert!(run.bad_rows().is_empty());
    assert_eq!(db.store.region_count().await.unwrap(), 0);
}
both!(missing_name_column_fails, missing_name_column_fails);

/// A generated table with broken rows: each broken row is rejected, everything else imported.
async fn generated_table_with_broken_rows(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("gen.csv");
    let fs = f.to_str().unwrap();
    let made = sunledger(&[
        "regions", "generate", "--out", fs, "--seed", "7", "--scale", "small", "--broken", "12",
    ])
    .await;
    assert_eq!(made.status, Some(0), "{}", made.stderr);
    let again = dir.path().join("again.csv");
    let made2 = sunledger(&[
        "regions",
        "generate",
        "--out",
        again.to_str().unwrap(),
        "--seed",
        "7",
        "--scale",
        "small",
        "--broken",
        "12",
    ])
    .await;
    assert_eq!(made2.status, Some(0), "{}", made2.stderr);
    assert_eq!(
        std::fs::read(&f).unwrap(),
        std::fs::read(&again).unwrap(),
        "same seed, same table"
    );

    let rows = std::fs::read_to_string(&f).unwrap().lines().count() as u64 - 1;
    let run = import(&db, &f, None).await;
    assert_eq!(run.status, Some(2), "{}", run.stderr);
    assert_eq!(run.bad_rows().len(), 12, "{}", run.stderr);
    run.expect(&[("rows", rows), ("inserted", rows - 12), ("rejected", 12)]);
    assert_eq!(db.store.region_count().await.unwrap(), (rows - 12) as i64);
}
both!(
    generated_table_with_broken_rows,
    generated_table_with_broken_rows
);

/// Files are read strictly: on a CRLF file the lines are right; a row with a field too many or
/// too few is refused by line; a last line without a line break (cut off?) is refused and the
/// rest imported; the complete file then adds it. A name with a NUL byte is refused.
async fn strict_rows_and_lines(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        "code,name",        // 1
        "52,贵州省",        // 2
        "5223,黔西南州",    // 3
        "522327,册亨县,多", // 4 a field too many
        "522328",           // 5 a field short
        "522329,安\0龙县",  // 6 a NUL byte
        "522330,兴义市",    // 7 the last line
    ];
    let full = rows.join("\r\n") + "\r\n";
    let f = write_file(&dir, "crlf.csv", full.trim_end_matches("\r\n").as_bytes());
    let run = import(&db, &f, None).await;
    assert_eq!(run.status, Some(2), "{}", run.stderr);
    let bad = run.bad_rows();
    assert_eq!(bad.len(), 4, "{bad:#?}");
    assert!(
        bad[0].starts_with("line 4: 522327: has 3 fields but the header (line 1) has 2"),
        "{bad:#?}"
    );
    assert!(
        bad[1].starts_with("line 5: 522328: has 1 field but"),
        "{bad:#?}"
    );
    assert!(
        bad[2].starts_with("line 6: 522329000000: name: holds a NUL byte"),
        "{bad:#?}"
    );
    assert!(
        bad[3].starts_with("line 7: 522330: the file ends without a line break"),
        "{bad:#?}"
    );
    run.expect(&[("rows", 6), ("inserted", 2), ("rejected", 4)]);
    assert_eq!(
        name_of(&db, "522330").await,
        None,
        "the cut row is not imported"
    );
    let f = write_file(&dir, "crlf.csv", full.as_bytes());
    let run = import(&db, &f, None).await;
    run.expect(&[("inserted", 1), ("unchanged", 2), ("rejected", 3)]);
    assert_eq!(name_of(&db, "522330").await.as_deref(), Some("兴义市"));
}
both!(strict_rows_and_lines, strict_rows_and_lines);
