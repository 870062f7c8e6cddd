//! `sunledger ledger export` / `ledger import` and the CSV/XLSX downloads of the API, on both
//! backends.
//!
//! The round trip: the demo city's whole ledger (`--region 5291 --subtree`) is exported and imported
//! into a fresh database holding the demo regions and the demo's projects under the same ids
//! (`P<id>` in the file is a database id, so projects must exist with the same ids; the importer
//! creates funds and transfers, never regions or projects). Exporting again gives the same rows,
//! and every account has the same totals. Re-importing books nothing, in the fresh database and in
//! the demo database itself (so the export replays exactly the demo's own bookings).
//!
//! The rest: the county's exports by the CLI and the API agree (CSV and XLSX), and the API's are
//! scoped; a file with bad rows reports every bad line and books nothing; a file whose line 5
//! overdraws is refused whole; a GB18030 CSV with shuffled columns and every kind and state
//! (reversals, refunds, voids) imports and exports to the same rows, and round-trips through XLSX
//! into a fresh database; a hand-made XLSX (shuffled columns, number and date cells) imports.
//!
//! The demo city is loaded once per backend (`demo_ledger_files`): loading it is most of that
//! test's time (about 3.5 s on SQLite and 15 s on PostgreSQL here), the rest is about a second.
use crate::both;
use crate::support::{TestDb, fresh_like, now, p, rc, sunledger, with_demo_regions};
use std::path::{Path, PathBuf};
use sunledger::io::ledger::read_ledger_file;
use sunledger_core::RegionCode;
use sunledger_core::ledger::{Balance, FiscalYear};
use sunledger_store::{LedgerRow, NewProject, Store};

const CITY: &str = "5291";
const FIRST: &str = "0000-01-01";
const LAST: &str = "9999-12-31";

fn rows_of(path: &Path) -> Vec<LedgerRow> {
    let f = read_ledger_file(path).unwrap();
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    f.rows.into_iter().map(|(_, r)| r).collect()
}

async fn all_rows(store: &dyn Store, region: &str, subtree: bool) -> Vec<LedgerRow> {
    store
        .ledger_rows(&rc(region), subtree, FIRST, LAST)
        .await
        .unwrap()
}

/// Every account of the regions (and their projects) the rows touch: fund, owner, totals.
async fn balances(
    store: &dyn Store,
    rows: &[LedgerRow],
) -> Vec<(i64, String, String, Option<i64>, Balance)> {
    let mut regions: Vec<RegionCode> = Vec::new();
    for r in rows {
        for v in [&r.from, &r.to] {
            if let Some(id) = v.strip_prefix('P') {
                let pr = store.project(id.parse().unwrap()).await.unwrap().unwrap();
                regions.push(pr.region);
            } else if !v.is_empty() {
                regions.push(rc(v));
            }
        }
    }
    regions.sort();
    regions.dedup();
    let mut out = Vec::new();
    for r in regions {
        for a in store.accounts_in(&r).await.unwrap() {
            out.push((
                a.fund_id,
                a.owner_kind,
                a.region.as_str().to_string(),
                a.project_id,
                a.balance,
            ));
        }
    }
    out.sort_by(|a, b| (a.0, &a.2, a.3).cmp(&(b.0, &b.2, b.3)));
    out
}

fn summary(out: &str) -> String {
    out.lines()
        .find(|l| l.starts_with("rows="))
        .unwrap_or_else(|| panic!("no summary line: {out}"))
        .to_string()
}

fn import(db: &TestDb, file: &Path) -> (i32, String, String) {
    sunledger(db, &["ledger", "import", p(file)], None)
}

// --- the demo city: exports and the round trip -----------------------------------------------

/// The demo city's whole ledger into a fresh database and back; `db` holds the demo.
async fn round_trip(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("city.csv");
    let (code, out, err) = sunledger(
        db,
        &[
            "ledger",
            "export",
            "--region",
            CITY,
            "--subtree",
            "--out",
            p(&file),
        ],
        None,
    );
    assert_eq!(code, 0, "{out}{err}");
    let src = all_rows(db.store.as_ref(), CITY, true).await;
    let n = src.len();
    assert!(n > 60, "the demo ledger has {n} rows");
    assert!(out.contains(&format!("rows={n} ")), "{out}");
    assert_eq!(rows_of(&file), src, "the file holds the ledger's rows");
    for kind in ["receive", "appropriate", "arrange", "disburse"] {
        assert!(src.iter().any(|r| r.kind == kind), "no {kind} row");
    }
    for state in ["dispatched", "received", "approved", "held", "paid"] {
        assert!(src.iter().any(|r| r.state == state), "no {state} row");
    }

    // A fresh database with the demo regions and the demo's projects under the same ids.
    let dst = fresh_like(db).await;
    with_demo_regions(&dst).await;
    let max_project = src
        .iter()
        .flat_map(|r| [&r.from, &r.to])
        .filter_map(|v| v.strip_prefix('P'))
        .map(|id| id.parse::<i64>().unwrap())
        .max()
        .expect("the demo ledger names projects");
    for id in 1..=max_project {
        let pr = db.store.project(id).await.unwrap().unwrap();
        let made = dst
            .store
            .create_project(
                &NewProject {
                    region: pr.region,
                    name: pr.name,
                    fiscal_year: FiscalYear::new(pr.fiscal_year).unwrap(),
                },
                now(),
            )
            .await
            .unwrap();
        assert_eq!(
            made.id, id,
            "projects get the same ids in the fresh database"
        );
    }
    let (code, out, err) = import(&dst, &file);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(summary(&out), format!("rows={n} booked={n} unchanged=0"));
    let copy = all_rows(dst.store.as_ref(), CITY, true).await;
    assert_eq!(
        copy, src,
        "exporting the imported ledger gives the same rows"
    );
    assert_eq!(
        balances(dst.store.as_ref(), &copy).await,
        balances(db.store.as_ref(), &src).await,
        "every account has the same totals"
    );
    // The imported copy exports to the same file, byte for byte.
    let again = dir.path().join("copy.csv");
    let (code, _, err) = sunledger(
        &dst,
        &[
            "ledger",
            "export",
            "--region",
            CITY,
            "--subtree",
            "--out",
            p(&again),
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read(&again).unwrap(),
        std::fs::read(&file).unwrap()
    );

    // Re-importing books nothing twice: in the copy, and in the demo database the file came from.
    for target in [&dst, db] {
        let size = target.store.log_size().await.unwrap();
        let (code, out, err) = import(target, &file);
        assert_eq!(code, 0, "{out}{err}");
        assert_eq!(summary(&out), format!("rows={n} booked=0 unchanged={n}"));
        assert_eq!(
            target.store.log_size().await.unwrap(),
            size,
            "the log did not grow"
        );
    }
    assert_eq!(all_rows(db.store.as_ref(), CITY, true).await, src);
}

/// One demo city per backend (loading it is most of the time): the county's exports, then the
/// round trip of the whole city.
async fn demo_ledger_files(db: TestDb) {
    let app = crate::support::TestApp::spawn(db, true).await;
    let db = &app.db;
    let dir = tempfile::tempdir().unwrap();
    let want = all_rows(db.store.as_ref(), "529121", false).await;
    assert!(want.len() >= 5, "{want:?}");
    let mut files: Vec<PathBuf> = Vec::new();
    for ext in ["csv", "xlsx"] {
        let f = dir.path().join(format!("cli.{ext}"));
        let (code, out, err) = sunledger(
            db,
            &["ledger", "export", "--region", "529121", "--out", p(&f)],
            None,
        );
        assert_eq!(code, 0, "{out}{err}");
        files.push(f);
    }
    let finance = app.signed_in("yunling.finance").await;
    for ext in ["csv", "xlsx"] {
        let r = finance
            .get(app.url(&format!("/api/v1/regions/529121/ledger.{ext}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let ct = r.headers()["content-type"].to_str().unwrap().to_string();
        assert!(
            ct.starts_with(if ext == "csv" {
                "text/csv"
            } else {
                "application/vnd.openxmlformats"
            }),
            "{ct}"
        );
        let cd = r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            cd.starts_with("attachment; filename=\"ledger-529121-asof-")
                && cd.ends_with(&format!(".{ext}\"")),
            "{cd}"
        );
        let body = r.bytes().await.unwrap();
        if ext == "csv" {
            assert!(body.starts_with(b"\xEF\xBB\xBFclient_id,booked_on,kind,"));
        }
        let f = dir.path().join(format!("api.{ext}"));
        std::fs::write(&f, &body).unwrap();
        files.push(f);
    }
    for f in &files {
        assert_eq!(rows_of(f), want, "{}", f.display());
    }

    // One month, with its name; the subtree; bad input; other counties; the public.
    let r = finance
        .get(
            app.url("/api/v1/regions/529121/ledger.csv?from=2026-04-01&to=2026-04-30&subtree=true"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"ledger-529121-subtree-2026-04.csv\""
    );
    let f = dir.path().join("april.csv");
    std::fs::write(&f, r.bytes().await.unwrap()).unwrap();
    let april = rows_of(&f);
    assert_eq!(
        april,
        db.store
            .ledger_rows(&rc("529121"), true, "2026-04-01", "2026-04-30")
            .await
            .unwrap()
    );
    assert!(!april.is_empty() && april.iter().all(|r| r.booked_on.starts_with("2026-04")));
    assert!(
        april.iter().any(|r| r.to.starts_with('P')),
        "projects are in the subtree"
    );
    let r = finance
        .get(app.url("/api/v1/regions/529121/ledger.xlsx?from=2026-13-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    for (who, url, status) in [
        ("yunling.finance", "/api/v1/regions/529122/ledger.csv", 403),
        ("yunling.finance", "/api/v1/regions/5291/ledger.xlsx", 403),
        ("yunling.village", "/api/v1/regions/529121/ledger.csv", 403),
        ("shimen.finance", "/api/v1/regions/529121/ledger.xlsx", 403),
        ("city.discipline", "/api/v1/regions/529121/ledger.csv", 200),
        ("admin", "/api/v1/regions/529199/ledger.csv", 404),
    ] {
        let c = app.signed_in(who).await;
        let r = c.get(app.url(url)).send().await.unwrap();
        assert_eq!(r.status(), status, "{who} {url}");
    }
    let r = app
        .client()
        .get(app.url("/api/v1/regions/529121/ledger.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // The downloaded workbook imports back onto the same bookings: nothing new.
    let size = db.store.log_size().await.unwrap();
    let (code, out, err) = import(db, &dir.path().join("api.xlsx"));
    assert_eq!(code, 0, "{out}{err}");
    let n = want.len();
    assert_eq!(summary(&out), format!("rows={n} booked=0 unchanged={n}"));
    assert_eq!(db.store.log_size().await.unwrap(), size);

    round_trip(db).await;
}
both!(demo_ledger_files_on, demo_ledger_files);

// --- refusals: all or nothing -----------------------------------------------------------------

const HEADER: &str = "client_id,booked_on,kind,fund_client_id,fund_source,fiscal_year,fund_document_no,fund_name,detention_days,from,to,payee,amount,document_no,purpose,state,reverses";

fn write_csv(dir: &Path, name: &str, rows: &[&str]) -> PathBuf {
    let mut text = format!("{HEADER}\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    let f = dir.join(name);
    std::fs::write(&f, text).unwrap();
    f
}

/// The `line N` numbers of the report lines.
fn report_lines(err: &str) -> Vec<u64> {
    err.lines()
        .filter_map(|l| l.strip_prefix("line "))
        .map(|l| l.split(':').next().unwrap().parse().unwrap())
        .collect()
}

fn report_for(err: &str, line: u64) -> String {
    err.lines()
        .find(|l| l.starts_with(&format!("line {line}: ")))
        .unwrap_or_else(|| panic!("no report for line {line}:\n{err}"))
        .to_string()
}

const F: &str = "central_special,2026,黔财农〔2026〕12号,中央资金,30";

async fn bad_rows_book_nothing(db: TestDb) {
    with_demo_regions(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let size = db.store.log_size().await.unwrap();
    let rows = [
        /* 2 */
        format!(
            "f1,2026-03-02,receive,f1,{F},,529100000000,,1000.00,黔财农〔2026〕12号,中央资金,,"
        ),
        /* 3 */
        format!("a1,2026-03-03,allocate,f1,{F},529100000000,529121000000,,100.00,d,p,,"),
        /* 4 */
        format!("a2,2026-03-03,appropriate,f1,{F},529100000000,529121000000,,12.345,d,p,,"),
        /* 5 */
        format!("a3,2026-02-30,appropriate,f1,{F},529100000000,529121000000,,1.00,d,p,,"),
        /* 6 */
        "f2,2026-03-02,receive,,provincal,2026,d,n,30,,529100000000,,5.00,,,,".to_string(),
        /* 7 */ format!("a4,2026-03-03,appropriate,f1,{F},52910X,529121000000,,1.00,d,p,,"),
        /* 8 */
        format!(",2026-03-03,appropriate,f1,{F},529100000000,529121000000,,1.00,d,p,,"),
        /* 9 */
        format!("f1,2026-03-04,appropriate,f1,{F},529100000000,529121000000,,1.00,d,p,,"),
        /* 10 */
        format!("a6,2026-03-04,appropriate,f1,{F},529100000000,529122000000,,1.00,d,p,,"),
        /* 11 */
        format!("a7,2026-03-04,appropriate,a6,{F},529100000000,529123000000,,1.00,d,p,,"),
        /* 12 */
        format!("a8,2026-03-04,appropriate,f1,{F},529100000000,529121100000,,1.00,d,p,,"),
        /* 13 */ format!("a9,2026-03-04,disburse,f1,{F},529100000000,,,1.00,d,p,,"),
        /* 14 */ format!("b1,2026-03-04,arrange,f1,{F},529100000000,P1,,1.00,d,p,paid,"),
        /* 15 */ format!("b2,2026-03-04,reverse,f1,{F},,,,1.00,d,p,,"),
        /* 16 */ ",,,,,,,,,,,,,,,,".to_string(),
        /* 17 */
        format!("b3,2026-03-05,appropriate,f9,{F},529100000000,529124000000,,1.00,d,p,,"),
        /* 18 */ format!("f9,2026-03-05,receive,,{F},,529100000000,,9.00,,,,"),
        /* 19 */
        "f8,2026-03-05,receive,,central_special,二〇二六,d,n,30,,529100000000,,9.00,,,,"
            .to_string(),
    ];
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let f = write_csv(dir.path(), "bad.csv", &rows);
    let (code, out, err) = import(&db, &f);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty(), "no summary when nothing is booked: {out}");
    assert_eq!(
        report_lines(&err),
        vec![3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 17, 19],
        "{err}"
    );
    for (line, id, words) in [
        (3, "a1", "unknown kind"),
        (4, "a2", "amount"),
        (5, "a3", "booked_on"),
        (6, "f2", "fund_source"),
        (7, "a4", "from"),
        (8, "-", "missing client_id"),
        (9, "f1", "duplicate client_id: line 2"),
        (11, "a7", "line 10, which is not a receive row"),
        (12, "a8", "not one level below"),
        (13, "a9", "missing payee"),
        (14, "b1", "state"),
        (15, "b2", "missing reverses"),
        (17, "b3", "line 18, below this row"),
        (19, "f8", "fiscal_year"),
    ] {
        let l = report_for(&err, line);
        assert!(
            l.starts_with(&format!("line {line}: {id}: ")) && l.contains(words),
            "{l}"
        );
    }
    assert!(
        err.contains("nothing booked: 14 of 17 rows refused"),
        "{err}"
    );
    assert_eq!(db.store.log_size().await.unwrap(), size, "nothing booked");
    assert!(all_rows(db.store.as_ref(), CITY, true).await.is_empty());

    // A header without a required column is an error naming it; nothing is read.
    let f = dir.path().join("header.csv");
    std::fs::write(
        &f,
        "client_id,booked_on,kind,amount\nx,2026-03-02,receive,1.00\n",
    )
    .unwrap();
    let (code, _, err) = import(&db, &f);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("`fund_source`") && err.contains("`to`"),
        "{err}"
    );
}
both!(bad_rows_book_nothing_on, bad_rows_book_nothing);

async fn an_overdraft_refuses_the_whole_file(db: TestDb) {
    with_demo_regions(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let size = db.store.log_size().await.unwrap();
    let file = |name: &str, line5: &str, a2_state: &str| {
        let rows = [
            format!(
                "f1,2026-03-02,receive,f1,{F},,529100000000,,1000.00,黔财农〔2026〕12号,中央资金,,"
            ),
            format!(
                "a1,2026-03-10,appropriate,f1,{F},529100000000,529121000000,,600.00,青财〔2026〕1号,下达,received,"
            ),
            format!(
                "a2,2026-03-10,appropriate,f1,{F},529100000000,529122000000,,300.00,青财〔2026〕2号,下达,{a2_state},"
            ),
            format!(
                "a3,2026-03-11,appropriate,f1,{F},529100000000,529123000000,,{line5},青财〔2026〕3号,下达,,"
            ),
            "k1,2026-03-15,receive,,county_budget,2026,云财预〔2026〕3号,云岭县本级资金,30,,529121000000,,50.00,,,,"
                .to_string(),
        ];
        let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
        write_csv(dir.path(), name, &rows)
    };
    // Line 5 appropriates 200.00 of the 100.00 left.
    let (code, out, err) = import(&db, &file("over.csv", "200.00", "dispatched"));
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(report_lines(&err), vec![5], "{err}");
    assert!(
        report_for(&err, 5).starts_with("line 5: a3: overdraft"),
        "{err}"
    );
    assert!(
        report_for(&err, 5).contains("100.00"),
        "names what is available: {err}"
    );
    assert_eq!(db.store.log_size().await.unwrap(), size, "nothing booked");
    assert!(all_rows(db.store.as_ref(), CITY, true).await.is_empty());

    // Fixed, it books; again, nothing.
    let ok = file("ok.csv", "100.00", "dispatched");
    let (code, out, err) = import(&db, &ok);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(summary(&out), "rows=5 booked=5 unchanged=0");
    let size = db.store.log_size().await.unwrap();
    let (code, out, _) = import(&db, &ok);
    assert_eq!(
        (code, summary(&out)),
        (0, "rows=5 booked=0 unchanged=5".into())
    );
    assert_eq!(db.store.log_size().await.unwrap(), size);
    // The same file saying that 石门县 has since confirmed receipt: one row changes.
    let (code, out, err) = import(&db, &file("confirmed.csv", "100.00", "received"));
    assert_eq!(code, 0, "{err}");
    assert_eq!(summary(&out), "rows=5 booked=1 unchanged=4");
    let shimen = all_rows(db.store.as_ref(), "529122", false).await;
    assert_eq!(shimen[0].state, "received");
    // A booked entry is never changed: other content under a booked client id is refused.
    let size = db.store.log_size().await.unwrap();
    let (code, _, err) = import(&db, &file("edited.csv", "99.00", "received"));
    assert_eq!(code, 2);
    assert!(
        report_for(&err, 5).contains("already booked with other content"),
        "{err}"
    );
    assert_eq!(db.store.log_size().await.unwrap(), size);
}
both!(
    an_overdraft_refuses_the_whole_file_on,
    an_overdraft_refuses_the_whole_file
);

mod strict;
