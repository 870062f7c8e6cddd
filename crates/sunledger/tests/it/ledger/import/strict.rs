//! Encodings, workbooks and reading files strictly.
use super::*;
// --- encodings and workbooks ------------------------------------------------------------------

/// A ledger with every kind and state, on project P1 in a village of 云岭县.
fn full_ledger() -> Vec<String> {
    let f = "central_special,2026,黔财农〔2026〕12号,2026年中央财政衔接资金,30";
    [
        format!("g-f1,2026-03-02,receive,g-f1,{f},,529100000000,,1000000.00,黔财农〔2026〕12号,2026年中央财政衔接资金,,"),
        format!("g-a1,2026-03-10,appropriate,g-f1,{f},529100000000,529121000000,,600000.00,青财农〔2026〕20号,下达资金,received,"),
        format!("g-a2,2026-03-10,appropriate,g-f1,{f},529100000000,529122000000,,100000.00,青财农〔2026〕21号,下达资金,dispatched,"),
        format!("g-r1,2026-04-20,arrange,g-f1,{f},529121000000,P1,,300000.00,云财〔2026〕1号,安排项目资金,,"),
        format!("g-d1,2026-05-15,disburse,g-f1,{f},P1,,\"云岭县宏达建筑工程有限公司, 91522327MA6DXXXX1X\",100000.50,云支〔2026〕1号,工程进度款,paid,"),
        format!("g-d2,2026-05-15,disburse,g-f1,{f},P1,,养殖专业合作社,20000.00,云支〔2026〕2号,\"=SUM(A1:A9)\",held,"),
        format!("g-d3,2026-05-16,disburse,g-f1,{f},P1,,某公司,5000.00,云支〔2026〕3号,预付款,voided,"),
        format!("g-b1,2026-05-20,refund,g-f1,{f},P1,529121000000,,1000.00,云退〔2026〕1号,退回结余,,"),
        format!("g-x1,2026-05-21,reverse,g-f1,{f},529121000000,P1,,1000.00,云冲〔2026〕1号,冲正,,g-b1"),
        format!("g-x2,2026-05-22,reverse,g-f1,{f},,P1,,100000.50,云冲〔2026〕2号,冲正,,g-d1"),
    ]
    .to_vec()
}

async fn gb18030_and_workbooks_import(db: TestDb) {
    with_demo_regions(&db).await;
    let project = db
        .store
        .create_project(
            &NewProject {
                region: rc("529121100201"),
                name: "肉牛养殖产业项目".into(),
                fiscal_year: FiscalYear::new(2026).unwrap(),
            },
            now(),
        )
        .await
        .unwrap();
    assert_eq!(project.id, 1);
    let dir = tempfile::tempdir().unwrap();
    let rows = full_ledger();
    let plain = write_csv(
        dir.path(),
        "plain.csv",
        &rows.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let want = rows_of(&plain);
    assert_eq!(want.len(), 10);
    step_gb18030(&db, &dir, &plain, &want).await;
    step_export_round_trip(&db, &dir).await;
    step_our_workbook(&db, &dir, &want).await;
    step_hand_made_workbook(&db, &dir).await;
}

/// GB18030, columns reversed, an extra column: imported as written; then a replay.
async fn step_gb18030(db: &TestDb, dir: &tempfile::TempDir, plain: &Path, want: &[LedgerRow]) {
    // GB18030, columns reversed, an extra column.
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(plain)
        .unwrap();
    let mut wtr = csv::Writer::from_writer(Vec::new());
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let mut fields: Vec<&str> = rec.iter().rev().collect();
        fields.insert(
            3,
            if rec.get(0) == Some("client_id") {
                "备注"
            } else {
                "无"
            },
        );
        wtr.write_record(&fields).unwrap();
    }
    let text = String::from_utf8(wtr.into_inner().unwrap()).unwrap();
    let (gb, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&gb).is_err(), "really not UTF-8");
    let gb_file = dir.path().join("gb.csv");
    std::fs::write(&gb_file, &gb).unwrap();
    let f = read_ledger_file(&gb_file).unwrap();
    assert_eq!(f.format, "CSV (GB18030)");
    let (code, out, err) = import(db, &gb_file);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(summary(&out), "rows=10 booked=10 unchanged=0");
    assert_eq!(
        all_rows(db.store.as_ref(), CITY, true).await,
        want,
        "what was imported is what is exported"
    );
    let p1 = db
        .store
        .account_of(1, sunledger_store::Owner::Project(1))
        .await
        .unwrap()
        .unwrap()
        .balance;
    // In 300000.00 + 1000.00 back from the reversal of the refund + 100000.50 back from the
    // reversal of the paid payment; out 100000.50 paid + 1000.00 refunded; 20000.00 held.
    assert_eq!(p1.credited.fen(), 30_100_000 + 10_000_050);
    assert_eq!(p1.debited.fen(), 10_000_050 + 100_000);
    assert_eq!(p1.held.fen(), 2_000_000);
    let (code, out, _) = import(db, plain);
    assert_eq!(
        (code, summary(&out)),
        (0, "rows=10 booked=0 unchanged=10".into())
    );
}

/// Exported and imported into a fresh database with the same project: the same rows and totals.
async fn step_export_round_trip(db: &TestDb, dir: &tempfile::TempDir) {
    // Exported (reversals, refunds and voids included) and imported into a fresh database with
    // the same project: the same rows and totals.
    let exported = dir.path().join("full.xlsx");
    let (code, _, err) = sunledger(
        db,
        &[
            "ledger",
            "export",
            "--region",
            CITY,
            "--subtree",
            "--out",
            p(&exported),
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let copy = fresh_like(db).await;
    with_demo_regions(&copy).await;
    copy.store
        .create_project(
            &NewProject {
                region: rc("529121100201"),
                name: "肉牛养殖产业项目".into(),
                fiscal_year: FiscalYear::new(2026).unwrap(),
            },
            now(),
        )
        .await
        .unwrap();
    let (code, out, err) = import(&copy, &exported);
    assert_eq!(code, 0, "{out}{err}");
    let city = all_rows(db.store.as_ref(), CITY, true).await;
    assert_eq!(all_rows(copy.store.as_ref(), CITY, true).await, city);
    assert_eq!(
        balances(copy.store.as_ref(), &city).await,
        balances(db.store.as_ref(), &city).await
    );
}

/// Our own workbook of those rows imports as a replay.
async fn step_our_workbook(db: &TestDb, dir: &tempfile::TempDir, want: &[LedgerRow]) {
    // Our own workbook of those rows imports as a replay.
    let xlsx = dir.path().join("ours.xlsx");
    std::fs::write(
        &xlsx,
        sunledger_web::ledger::export::ledger_xlsx(want, "云岭县 529121").unwrap(),
    )
    .unwrap();
    assert_eq!(rows_of(&xlsx), want);
    let (code, out, _) = import(db, &xlsx);
    assert_eq!(
        (code, summary(&out)),
        (0, "rows=10 booked=0 unchanged=10".into())
    );
}

/// A hand-made workbook: shuffled columns starting at C3, numbers, a date cell, a blank row.
async fn step_hand_made_workbook(db: &TestDb, dir: &tempfile::TempDir) {
    // A hand-made workbook: shuffled columns starting at C3, numbers, a date cell, a blank row.
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let cols = [
        "Amount",
        "kind",
        "client_id",
        "booked_on",
        "fund_client_id",
        "from",
        "to",
        "fund_source",
        "fiscal_year",
        "fund_document_no",
        "fund_name",
        "document_no",
        "purpose",
        "state",
        "说明",
    ];
    for (c, name) in (2u16..).zip(cols) {
        ws.write_string(2, c, name).unwrap();
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    // x-f1: a county fund; x-a1: 2500.50 typed as a number, dated by a date cell.
    ws.write_number(3, 2, 50000).unwrap();
    for (c, v) in (3u16..).zip([
        "receive",
        "x-f1",
        "2026-03-15",
        "",
        "",
        "529121000000",
        "county_budget",
    ]) {
        ws.write_string(3, c, v).unwrap();
    }
    ws.write_number(3, 10, 2026).unwrap();
    for (c, v) in (11u16..).zip(["云财预〔2026〕3号", "云岭县本级资金", "", "", ""]) {
        ws.write_string(3, c, v).unwrap();
    }
    ws.write_number(5, 2, 2500.5).unwrap();
    for (c, v) in (3u16..).zip(["appropriate", "x-a1"]) {
        ws.write_string(5, c, v).unwrap();
    }
    ws.write_datetime_with_format(5, 5, ExcelDateTime::from_ymd(2026, 4, 1).unwrap(), &date)
        .unwrap();
    for (c, v) in (6u16..).zip([
        "x-f1",
        "529121000000",
        "529121100000",
        "",
        "",
        "",
        "",
        "云财〔2026〕9号",
        "下达乡镇资金",
        "received",
        "手工录入",
    ]) {
        ws.write_string(5, c, v).unwrap();
    }
    let hand = dir.path().join("hand.xlsx");
    wb.save(&hand).unwrap();
    let read = read_ledger_file(&hand).unwrap();
    assert_eq!(
        read.rows.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
        vec![4, 6],
        "lines are sheet rows"
    );
    let (code, out, err) = import(db, &hand);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(summary(&out), "rows=2 booked=2 unchanged=0");
    let town = all_rows(db.store.as_ref(), "529121100", false).await;
    let a1 = town.iter().find(|r| r.client_id == "x-a1").unwrap();
    assert_eq!(
        (a1.amount.as_str(), a1.booked_on.as_str(), a1.state.as_str()),
        ("2500.50", "2026-04-01", "received")
    );
    assert_eq!(a1.fund_client_id, "x-f1");
}
both!(
    gb18030_and_workbooks_import_on,
    gb18030_and_workbooks_import
);

// --- reading files strictly -------------------------------------------------------------------

/// The last rows of a generated ledger file, for the property test: column order, line ends,
/// and for each appropriation its amount, document number and purpose.
#[derive(Debug, Clone)]
struct CutCase {
    /// 0: the filing order (`reverses` last); 1: `amount` last; 2: `purpose` last.
    order: usize,
    crlf: bool,
    rows: Vec<(i64, String, String)>,
}

fn cut_case_strategy() -> impl proptest::strategy::Strategy<Value = CutCase> {
    use proptest::prelude::*;
    let text = prop_oneof![
        Just("下达资金".to_string()),
        Just("青财农〔2026〕20号".to_string()),
        Just("拨付, 第二批".to_string()),
        Just("d".to_string()),
        Just("\"引号\"内".to_string()),
    ];
    (
        0..3usize,
        any::<bool>(),
        proptest::collection::vec((1i64..=9_999_999, text.clone(), text), 2..4),
    )
        .prop_map(|(order, crlf, rows)| CutCase { order, crlf, rows })
}

/// The file of a case: a receipt and its appropriations, client ids prefixed by `tag`.
fn cut_case_file(case: &CutCase, tag: &str) -> Vec<u8> {
    let mut cols: Vec<&str> = HEADER.split(',').collect();
    let last = match case.order {
        1 => Some("amount"),
        2 => Some("purpose"),
        _ => None,
    };
    if let Some(l) = last {
        cols.retain(|c| *c != l);
        cols.push(l);
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(if case.crlf {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        })
        .from_writer(Vec::new());
    w.write_record(&cols).unwrap();
    let mut rows: Vec<std::collections::HashMap<&str, String>> = Vec::new();
    let base = |id: String| -> std::collections::HashMap<&str, String> {
        let mut m = std::collections::HashMap::new();
        m.insert("client_id", id);
        m.insert("fund_source", "central_special".into());
        m.insert("fiscal_year", "2026".into());
        m.insert("fund_document_no", "黔财农〔2026〕12号".into());
        m.insert("fund_name", "中央资金".into());
        m.insert("detention_days", "30".into());
        m
    };
    let mut f = base(format!("{tag}-f"));
    f.insert("booked_on", "2026-03-02".into());
    f.insert("kind", "receive".into());
    f.insert("to", "529100000000".into());
    f.insert("amount", "99999999.00".into());
    f.insert("fund_client_id", format!("{tag}-f"));
    f.insert("document_no", "黔财农〔2026〕12号".into());
    f.insert("purpose", "中央资金".into());
    rows.push(f);
    for (i, (fen, doc, purpose)) in case.rows.iter().enumerate() {
        let mut a = base(format!("{tag}-a{i}"));
        a.insert("booked_on", "2026-03-10".into());
        a.insert("kind", "appropriate".into());
        a.insert("fund_client_id", format!("{tag}-f"));
        a.insert("from", "529100000000".into());
        a.insert(
            "to",
            if i % 2 == 0 {
                "529121000000"
            } else {
                "529122000000"
            }
            .into(),
        );
        a.insert("amount", format!("{}.{:02}", fen / 100, fen % 100));
        a.insert("document_no", doc.clone());
        a.insert("purpose", purpose.clone());
        a.insert(
            "state",
            if i % 2 == 0 { "received" } else { "dispatched" }.into(),
        );
        rows.push(a);
    }
    for r in &rows {
        w.write_record(cols.iter().map(|c| r.get(c).cloned().unwrap_or_default()))
            .unwrap();
    }
    w.into_inner().unwrap()
}

/// The rows of this case that are booked, oldest first.
async fn booked_rows(db: &TestDb, tag: &str) -> Vec<LedgerRow> {
    all_rows(db.store.as_ref(), CITY, true)
        .await
        .into_iter()
        .filter(|r| r.client_id.starts_with(&format!("{tag}-")))
        .collect()
}

/// A valid file cut at every byte of its last two rows either books exactly the complete rows
/// it reports, unchanged, or nothing; the complete file then books in full. (Before, a file cut
/// inside `21212.99` booked its last row as 212.00 and the complete file was then refused.)
async fn cut_files_book_whole_rows_or_nothing(db: TestDb) {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::{Config, TestRunner};
    with_demo_regions(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let mut runner = TestRunner::new(Config {
        cases: 4,
        ..Config::default()
    });
    let strategy = cut_case_strategy();
    for k in 0..4 {
        let case = strategy.new_tree(&mut runner).unwrap().current();
        let tag = format!("c{k}");
        let full = cut_case_file(&case, &tag);
        let full_path = dir.path().join(format!("{tag}.csv"));
        std::fs::write(&full_path, &full).unwrap();
        let want = rows_of(&full_path);
        // Where the last two rows start.
        let breaks: Vec<usize> = full
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i + 1)
            .collect();
        let from = breaks[breaks.len() - 3];
        let mut most = 0usize;
        let mut booked_cuts = 0;
        for cut in from..full.len() {
            let path = dir.path().join(format!("{tag}-cut.csv"));
            std::fs::write(&path, &full[..cut]).unwrap();
            let size = db.store.log_size().await.unwrap();
            let r =
                sunledger::io::ledger::import_ledger(db.store.as_ref(), &path, false, now()).await;
            match r {
                Ok(rep) if rep.errors.is_empty() => {
                    booked_cuts += 1;
                    let n = rep.rows as usize;
                    let read = rows_of(&path);
                    assert_eq!(
                        read,
                        want[..n],
                        "{case:?} cut at {cut}: the rows read are whole"
                    );
                    most = most.max(n);
                }
                _ => assert_eq!(
                    db.store.log_size().await.unwrap(),
                    size,
                    "{case:?} cut at {cut}: refused, so nothing booked"
                ),
            }
            assert_eq!(
                booked_rows(&db, &tag).await,
                want[..most],
                "{case:?} cut at {cut}: only whole rows, unchanged, are booked"
            );
        }
        assert!(
            booked_cuts >= 1,
            "the cut at the start of the last row books"
        );
        let (code, out, err) = import(&db, &full_path);
        assert_eq!(
            code, 0,
            "{case:?}: the complete file still books: {out}{err}"
        );
        assert_eq!(booked_rows(&db, &tag).await, want);
    }
}
both!(
    cut_files_book_whole_rows_or_nothing_on,
    cut_files_book_whole_rows_or_nothing
);

/// The finding's file: cut inside `21212.99`.
async fn a_file_cut_inside_an_amount_books_nothing(db: TestDb) {
    with_demo_regions(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        format!("t-f1,2026-03-02,receive,,{F},,529100000000,,90000.00,,,,"),
        format!(
            "t-a1,2026-03-10,appropriate,t-f1,{F},529100000000,529121000000,,100.00,青财〔2026〕1号,下达,received,"
        ),
    ];
    let mut text = format!("{HEADER}\n{}\n{}\n", rows[0], rows[1]);
    // The last row with its amount last, as a spreadsheet may order the columns.
    let header2 = HEADER.replace(",amount", "") + ",amount";
    let mut cut = format!(
        "{header2}\n{}\n{}\n",
        rows[0].replace(",90000.00,", ",") + ",90000.00",
        "t-a2,2026-03-11,appropriate,t-f1,".to_string()
            + F
            + ",529100000000,529122000000,,青财〔2026〕2号,下达,received,,21212.99"
    );
    let full = dir.path().join("full.csv");
    std::fs::write(&full, &cut).unwrap();
    cut.truncate(cut.len() - "12.99\n".len());
    assert!(cut.ends_with(",212"));
    let f = dir.path().join("cut.csv");
    std::fs::write(&f, &cut).unwrap();
    let size = db.store.log_size().await.unwrap();
    let (code, out, err) = import(&db, &f);
    assert_eq!(code, 2, "{out}{err}");
    assert!(report_for(&err, 3).contains("cut off"), "{err}");
    assert_eq!(db.store.log_size().await.unwrap(), size, "nothing booked");
    // The complete file books, 21212.99 as written.
    let (code, out, err) = import(&db, &full);
    assert_eq!(code, 0, "{out}{err}");
    let shimen = all_rows(db.store.as_ref(), "529122", false).await;
    assert_eq!(shimen[0].amount, "21212.99");
    // A short row and a long row are errors naming their lines, even when the file ends well.
    text.push_str(&format!(
        "t-a3,2026-03-12,appropriate,t-f1,{F},529100000000\n"
    ));
    text.push_str(&format!(
        "t-a4,2026-03-12,appropriate,t-f1,{F},529100000000,529121000000,,1.00,d,p,,,extra\n"
    ));
    let f = dir.path().join("widths.csv");
    std::fs::write(&f, &text).unwrap();
    let (code, _, err) = import(&db, &f);
    assert_eq!(code, 2, "{err}");
    assert_eq!(report_lines(&err), vec![4, 5], "{err}");
    assert!(
        report_for(&err, 4).contains("has 10 fields but the header (line 1) has 17"),
        "{err}"
    );
    assert!(report_for(&err, 5).contains("has 18 fields"), "{err}");
}
both!(
    a_file_cut_inside_an_amount_books_nothing_on,
    a_file_cut_inside_an_amount_books_nothing
);

/// CRLF files (what the export writes) report the right lines; dates outside 2000-2100, unknown
/// fund sources on any row, control characters, Big5, garbled and mixed text are refused, naming
/// the line and field; a huge field is not echoed.
async fn strict_values_and_text(db: TestDb) {
    with_demo_regions(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let size = db.store.log_size().await.unwrap();
    let rows = [
        /* 2 */ format!("s-f1,2026-03-02,receive,,{F},,529100000000,,1000.00,,,,"),
        /* 3 */
        format!("s-a1,0000-01-01,appropriate,s-f1,{F},529100000000,529121000000,,1.00,d,p,,"),
        /* 4 */
        format!("s-a2,9999-12-31,appropriate,s-f1,{F},529100000000,529121000000,,1.00,d,p,,"),
        /* 5 */
        "s-a3,2026-03-03,appropriate,s-f1,bogus,2026,黔财农〔2026〕12号,中央资金,30,529100000000,529121000000,,1.00,d,p,,".to_string(),
        /* 6 */
        format!("s-a4,2026-03-03,appropriate,s-f1,{F},529100000000,529121000000,,1.00,d\u{0}x,p,,"),
        /* 7 */
        format!(
            "s-a5,2026-03-03,appropriate,s-f1,{F},529100000000,529121000000,,1.00,d,{},,",
            encoding_rs::GB18030.decode("下达资金".as_bytes()).0
        ),
        /* 8 */
        format!(
            "s-a6,2026-03-03,appropriate,s-f1,{F},529100000000,529121000000,,{},d,p,,",
            "9".repeat(5000)
        ),
    ];
    let text = format!("{HEADER}\r\n{}\r\n", rows.join("\r\n"));
    let f = dir.path().join("crlf.csv");
    std::fs::write(&f, &text).unwrap();
    let (code, _, err) = import(&db, &f);
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        report_lines(&err),
        vec![3, 4, 5, 6, 7, 8],
        "CRLF lines: {err}"
    );
    assert!(report_for(&err, 3).contains("booked_on"), "{err}");
    assert!(
        report_for(&err, 4).contains("between 2000 and 2100"),
        "{err}"
    );
    assert!(report_for(&err, 5).contains("unknown fund_source"), "{err}");
    assert!(
        report_for(&err, 6).contains("document_no: holds a NUL byte"),
        "{err}"
    );
    assert!(
        report_for(&err, 7).contains("purpose: looks garbled"),
        "{err}"
    );
    assert!(report_for(&err, 7).contains("下达资金"), "{err}");
    assert!(report_for(&err, 8).contains("amount"), "{err}");
    assert!(
        report_for(&err, 8).len() < 300,
        "an excerpt, not the value: {err}"
    );
    assert_eq!(db.store.log_size().await.unwrap(), size);

    // An 8 MB field: refused, and not echoed.
    let big = format!(
        "{HEADER}\ns-f1,2026-03-02,receive,,{F},,529100000000,,1000.00,,{},,\n",
        "x".repeat(8 * 1024 * 1024)
    );
    let f = dir.path().join("big.csv");
    std::fs::write(&f, &big).unwrap();
    let (code, _, err) = import(&db, &f);
    assert_eq!(code, 2);
    assert!(
        report_for(&err, 2).contains("purpose: is 8388608 characters long"),
        "{}",
        &err[..err.len().min(500)]
    );
    assert!(
        err.len() < 1000,
        "the field is not echoed ({} bytes)",
        err.len()
    );

    // Big5 is not GB18030; a file mixing UTF-8 and GB18030 lines; a UTF-8 file cut in a character.
    let big5_text = format!(
        "{HEADER}\ns-f1,2026-03-02,receive,,central_special,2026,黔財農〔2026〕12號,中央資金,30,,529100000000,,1000.00,,,,\n"
    );
    let (big5, _, _) = encoding_rs::BIG5.encode(&big5_text);
    let f = dir.path().join("big5.csv");
    std::fs::write(&f, &big5).unwrap();
    let (code, _, err) = import(&db, &f);
    assert_eq!(code, 2, "{err}");
    assert!(report_for(&err, 2).contains("fund_"), "{err}");
    assert!(report_for(&err, 2).contains("Big5"), "{err}");
    let mut mixed = format!("{HEADER}\n{}\n", rows[0]).into_bytes();
    mixed.extend_from_slice(
        &encoding_rs::GB18030
            .encode(&format!(
                "s-a9,2026-03-03,appropriate,s-f1,{F},529100000000,529121000000,,1.00,下达,拨付资金,,\n"
            ))
            .0,
    );
    let f = dir.path().join("mixed.csv");
    std::fs::write(&f, &mixed).unwrap();
    let (code, _, err) = import(&db, &f);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("mixes encodings") && err.contains("line 3"),
        "{err}"
    );
    let mut cut = format!("{HEADER}\n{}\n", rows[0].replace(",,,,", ",,中央资金,,")).into_bytes();
    // Without the line break, two commas and the last byte of 金.
    cut.truncate(cut.len() - 4);
    let f = dir.path().join("cut-char.csv");
    std::fs::write(&f, &cut).unwrap();
    let (code, _, err) = import(&db, &f);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("cut off") && err.contains("line 2"), "{err}");
    assert_eq!(db.store.log_size().await.unwrap(), size, "nothing booked");
}
both!(strict_values_and_text_on, strict_values_and_text);

/// A workbook that unpacks to more than the reader allows is refused before its sheet is
/// parsed, whatever its zip headers say; so is a value far right of the header; `.xls` is refused.
async fn workbooks_are_bounded(db: TestDb) {
    use std::io::Write;
    with_demo_regions(&db).await;
    let dir = tempfile::tempdir().unwrap();
    // A valid workbook, then the same with a sheet padded to 120 MB of blanks (a few hundred KB
    // compressed).
    let ok = dir.path().join("ok.xlsx");
    let rows = [format!(
        "b-f1,2026-03-02,receive,,{F},,529100000000,,1000.00,,,,"
    )];
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let csv_file = write_csv(dir.path(), "b.csv", &rows);
    std::fs::write(
        &ok,
        sunledger_web::ledger::export::ledger_xlsx(&rows_of(&csv_file), "t").unwrap(),
    )
    .unwrap();
    let mut src = zip::ZipArchive::new(std::fs::File::open(&ok).unwrap()).unwrap();
    let bomb = dir.path().join("bomb.xlsx");
    let mut out = zip::ZipWriter::new(std::fs::File::create(&bomb).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    for i in 0..src.len() {
        let mut e = src.by_index(i).unwrap();
        let name = e.name().unwrap().to_string();
        let mut body = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut body).unwrap();
        out.start_file(name.as_str(), opts).unwrap();
        if name.contains("worksheets/sheet1") {
            let pos = body.windows(11).position(|w| w == b"<sheetData>").unwrap();
            out.write_all(&body[..pos]).unwrap();
            let pad = vec![b' '; 1024 * 1024];
            for _ in 0..120 {
                out.write_all(&pad).unwrap();
            }
            out.write_all(&body[pos..]).unwrap();
        } else {
            out.write_all(&body).unwrap();
        }
    }
    out.finish().unwrap();
    assert!(std::fs::metadata(&bomb).unwrap().len() < 4 * 1024 * 1024);
    let (code, _, err) = import(&db, &bomb);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("unpacks to more than 100 MB"), "{err}");

    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, name) in (0u16..).zip(HEADER.split(',')) {
        ws.write_string(0, c, name).unwrap();
    }
    ws.write_string(1, 0, "b-f9").unwrap();
    ws.write_string(1, 40, "a note right of the table").unwrap();
    ws.write_string(2, 5000, "far away").unwrap();
    let wide = dir.path().join("wide.xlsx");
    wb.save(&wide).unwrap();
    let (code, _, err) = import(&db, &wide);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("at most 1000 columns"), "{err}");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, name) in (0u16..).zip(HEADER.split(',')) {
        ws.write_string(0, c, name).unwrap();
    }
    ws.write_string(1, 40, "a note right of the table").unwrap();
    let note = dir.path().join("note.xlsx");
    wb.save(&note).unwrap();
    let (code, _, err) = import(&db, &note);
    assert_eq!(code, 2, "{err}");
    assert!(
        report_for(&err, 2).contains("column 41 holds a value"),
        "{err}"
    );
    let xls = dir.path().join("old.xls");
    std::fs::write(&xls, b"not read").unwrap();
    let (code, _, err) = import(&db, &xls);
    assert_eq!(code, 1);
    assert!(err.contains("save the sheet as .xlsx"), "{err}");
}
both!(workbooks_are_bounded_on, workbooks_are_bounded);
