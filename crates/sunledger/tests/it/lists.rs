//! Issue 15, parts 6 and 7: the downloads for people (numbers as numbers, days as dates, headers
//! and codes in the language asked, any period) and the paged lists, on both backends.
use crate::support::TestApp;
use calamine::{Data, Reader, Xlsx};
use std::collections::HashMap;
use sunledger_core::RegionCode;
use sunledger_core::money::Money;

async fn get_bytes(c: &reqwest::Client, app: &TestApp, path: &str, want: u16) -> Vec<u8> {
    let r = c.get(app.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    let body = r.bytes().await.unwrap().to_vec();
    assert_eq!(
        status,
        want,
        "GET {path}: {}",
        String::from_utf8_lossy(&body)
    );
    body
}

/// The body as text, with askama's `&#38;` written `&amp;` (the same character in HTML).
async fn get_text(c: &reqwest::Client, app: &TestApp, path: &str, want: u16) -> String {
    String::from_utf8(get_bytes(c, app, path, want).await)
        .unwrap()
        .replace("&#38;", "&amp;")
}

/// The first sheet of a workbook: its header row and its data rows.
fn sheet(bytes: &[u8]) -> (Vec<String>, Vec<Vec<Data>>) {
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))
        .expect("open the workbook");
    let range = wb
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("read the sheet");
    let mut rows = range.rows();
    let header = rows
        .next()
        .expect("a header row")
        .iter()
        .map(|c| c.to_string())
        .collect();
    (header, rows.map(<[Data]>::to_vec).collect())
}

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name:?} in {header:?}"))
}

/// Every cell of the sheet is readable text for a person: no machine header, no raw key.
fn assert_no_machine_text(header: &[String], rows: &[Vec<Data>], keys: &[&str]) {
    for h in header {
        assert!(
            !h.contains('_') && h != "kind" && h != "amount",
            "machine header {h:?} in {header:?}"
        );
    }
    for r in rows {
        for c in r {
            if let Data::String(s) = c {
                assert!(
                    !keys.contains(&s.as_str()) && !s.contains("kind="),
                    "raw key {s:?} in a row: {r:?}"
                );
            }
        }
    }
}

fn is_date(c: &Data) -> bool {
    matches!(c, Data::DateTime(d) if d.is_datetime())
}

/// The fen of a numeric amount cell (exact for the books' amounts).
fn fen_of(c: &Data) -> i64 {
    match c {
        Data::Float(f) => (f * 100.0).round() as i64,
        Data::Int(i) => i * 100,
        other => panic!("amount cell is not a number: {other:?}"),
    }
}

/// The import-form CSV's rows (machine columns), by column name.
fn csv_rows(text: &str) -> Vec<HashMap<String, String>> {
    let mut rdr =
        csv::ReaderBuilder::new().from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

const LEDGER_KEYS: &[&str] = &[
    "receive",
    "appropriate",
    "arrange",
    "disburse",
    "refund",
    "reverse",
    "dispatched",
    "received",
    "approved",
    "paid",
    "central_special",
    "provincial",
    "municipal",
    "county_budget",
];

async fn exports_for_people(app: TestApp) {
    let finance = app.signed_in("yunling.finance").await;

    // The import form (the API's default) is unchanged: machine columns, exact amounts.
    let import = get_text(&finance, &app, "/api/v1/regions/529121/ledger.csv", 200).await;
    assert!(import.starts_with("\u{feff}client_id,booked_on,kind,"));
    let all = csv_rows(&import);
    assert!(all.len() > 5, "the demo county has a ledger");
    let want_fen: i64 = all
        .iter()
        .map(|r| Money::parse_yuan(&r["amount"]).unwrap().fen())
        .sum();

    // The report in Chinese: translated headers, names beside codes, numbers and dates.
    let zh = get_bytes(
        &finance,
        &app,
        "/api/v1/regions/529121/ledger.xlsx?form=report&lang=zh",
        200,
    )
    .await;
    let (header, rows) = sheet(&zh);
    assert_eq!(rows.len(), all.len(), "one row per transfer");
    assert_no_machine_text(&header, &rows, LEDGER_KEYS);
    let (amount, booked, kind, to, year) = (
        col(&header, "金额（元）"),
        col(&header, "记账日期"),
        col(&header, "业务类型"),
        col(&header, "拨入方"),
        col(&header, "资金年度"),
    );
    let got_fen: i64 = rows.iter().map(|r| fen_of(&r[amount])).sum();
    assert_eq!(got_fen, want_fen, "the amounts sum to the ledger's total");
    assert!(
        rows.iter().all(|r| is_date(&r[booked])),
        "booking days are dates"
    );
    assert!(
        rows.iter()
            .all(|r| matches!(r[year], Data::Float(_) | Data::Int(_)))
    );
    let kinds: Vec<String> = rows.iter().map(|r| r[kind].to_string()).collect();
    assert!(
        kinds.iter().any(|k| k == "下拨"),
        "kinds in Chinese: {kinds:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r[to].to_string().starts_with("云岭县") || r[to].to_string().contains(" 5291")),
        "region names beside their codes: {:?}",
        rows.iter().map(|r| r[to].to_string()).collect::<Vec<_>>()
    );
    // The first booking day reads back as the day of the import form.
    let first_day = match &rows[0][booked] {
        Data::DateTime(d) => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(first_day, all[0]["booked_on"]);

    // In English.
    let en = get_bytes(
        &finance,
        &app,
        "/api/v1/regions/529121/ledger.xlsx?form=report&lang=en",
        200,
    )
    .await;
    let (header, rows) = sheet(&en);
    assert_no_machine_text(&header, &rows, LEDGER_KEYS);
    let kind = col(&header, "Kind");
    col(&header, "Amount (yuan)");
    col(&header, "Booked on");
    assert!(rows.iter().any(|r| r[kind] == "Appropriation"));

    // The report as CSV keeps exact decimal text.
    let csv = get_text(
        &finance,
        &app,
        "/api/v1/regions/529121/ledger.csv?form=report&lang=en",
        200,
    )
    .await;
    assert!(csv.starts_with("\u{feff}Booked on,Kind,"), "{}", &csv[..80]);
    assert!(!csv.contains("client_id") && !csv.contains(",appropriate,"));
    let r = finance
        .get(app.url("/api/v1/regions/529121/ledger.csv?form=pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["error"]["field"], "form", "{e}");

    // Book 3: amounts numbers, deadlines dates, the region's name beside its code.
    let discipline = app.signed_in("yunling.discipline").await;
    for (lang, region_name, amount, deadline) in [
        ("zh", "区划名称", "涉及金额（元）", "整改时限"),
        ("en", "Region", "Amount involved (yuan)", "Deadline"),
    ] {
        let x = get_bytes(
            &discipline,
            &app,
            &format!("/api/v1/problems.xlsx?lang={lang}"),
            200,
        )
        .await;
        let (header, rows) = sheet(&x);
        assert!(!rows.is_empty());
        assert_no_machine_text(
            &header,
            &rows,
            &["fund_management", "rectifying", "general"],
        );
        let (name, amount, deadline) = (
            col(&header, region_name),
            col(&header, amount),
            col(&header, deadline),
        );
        assert!(rows.iter().all(|r| !r[name].to_string().is_empty()));
        assert!(
            rows.iter()
                .all(|r| matches!(r[amount], Data::Float(_) | Data::Int(_)))
        );
        assert!(rows.iter().all(|r| is_date(&r[deadline])));
    }

    // The project library: budgets are numbers that sum to the CSV's.
    let bureau = app.signed_in("yunling.bureau").await;
    let x = get_bytes(&bureau, &app, "/api/v1/projects.xlsx?lang=en", 200).await;
    let (header, rows) = sheet(&x);
    let budget = header
        .iter()
        .position(|h| h.starts_with("Planned budget"))
        .unwrap_or_else(|| panic!("no budget column in {header:?}"));
    let xlsx_fen: i64 = rows.iter().map(|r| fen_of(&r[budget])).sum();
    let csv = get_text(&bureau, &app, "/api/v1/projects.csv?lang=en", 200).await;
    let csv_fen: i64 = csv_rows(&csv)
        .iter()
        .map(|r| {
            let v = r
                .iter()
                .find(|(k, _)| k.starts_with("Planned budget"))
                .map(|(_, v)| v.clone())
                .unwrap();
            Money::parse_yuan(&v).unwrap().fen()
        })
        .sum();
    assert_eq!(xlsx_fen, csv_fen);
    assert!(xlsx_fen > 0);

    // Book 2 and the inspections: days as dates, names beside codes.
    let x = get_bytes(&bureau, &app, "/api/v1/responsibilities.xlsx?lang=en", 200).await;
    let (header, rows) = sheet(&x);
    let (from, name) = (col(&header, "From"), col(&header, "Region"));
    assert!(!rows.is_empty() && rows.iter().all(|r| is_date(&r[from])));
    assert!(rows.iter().all(|r| !r[name].to_string().is_empty()));
    let x = get_bytes(&discipline, &app, "/api/v1/inspections.xlsx?lang=zh", 200).await;
    let (header, rows) = sheet(&x);
    let planned = col(&header, "计划日期");
    col(&header, "区划名称");
    assert!(!rows.is_empty() && rows.iter().all(|r| is_date(&r[planned])));
    assert_no_machine_text(&header, &rows, &["routine", "spot_check"]);
}
crate::both_app!(exports_for_people_both, exports_for_people);

async fn ledger_period(app: TestApp) {
    let finance = app.signed_in("yunling.finance").await;
    let all = csv_rows(&get_text(&finance, &app, "/api/v1/regions/529121/ledger.csv", 200).await);
    let mut days: Vec<String> = all.iter().map(|r| r["booked_on"].clone()).collect();
    days.sort();
    days.dedup();
    assert!(
        days.len() >= 3,
        "the demo county books on several days: {days:?}"
    );
    // A period strictly inside the history: from the second day to the one before the last.
    let (from, to) = (&days[1], &days[days.len() - 2]);
    let inside: Vec<&HashMap<String, String>> = all
        .iter()
        .filter(|r| r["booked_on"] >= *from && r["booked_on"] <= *to)
        .collect();
    assert!(!inside.is_empty() && inside.len() < all.len());

    let x = get_bytes(
        &finance,
        &app,
        &format!("/api/v1/regions/529121/ledger.xlsx?form=report&lang=en&from={from}&to={to}"),
        200,
    )
    .await;
    let (header, rows) = sheet(&x);
    let (booked, amount) = (col(&header, "Booked on"), col(&header, "Amount (yuan)"));
    assert_eq!(rows.len(), inside.len(), "exactly the rows of the period");
    let in_fen: i64 = inside
        .iter()
        .map(|r| Money::parse_yuan(&r["amount"]).unwrap().fen())
        .sum();
    assert_eq!(rows.iter().map(|r| fen_of(&r[amount])).sum::<i64>(), in_fen);
    for r in &rows {
        let Data::DateTime(d) = &r[booked] else {
            panic!("{r:?}")
        };
        let (y, m, day, ..) = d.to_ymd_hms_milli();
        let s = format!("{y:04}-{m:02}-{day:02}");
        assert!(&s >= from && &s <= to, "{s} outside {from}..{to}");
    }

    // The page shows the period and offers the downloads for it.
    let page = get_text(
        &finance,
        &app,
        &format!("/regions/529121/ledger?from={from}&to={to}"),
        200,
    )
    .await;
    assert!(
        page.contains(&format!("name=\"from\" value=\"{from}\"")),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            "ledger.xlsx?form=report&amp;lang=zh-CN&amp;from={from}&amp;to={to}"
        )),
        "the download keeps the period"
    );
    let outside: Vec<&String> = days.iter().filter(|d| *d < from || *d > to).collect();
    for d in &outside {
        assert!(
            !page.contains(&format!("\"><td>{d}</td>")),
            "a transfer of {d}, outside {from}..{to}, is listed"
        );
    }
    assert!(page.contains(&format!("\"><td>{from}</td>")));

    // A bad day is an error naming its field, on the page and in the API.
    let page = get_text(
        &finance,
        &app,
        "/regions/529121/ledger?from=2026-02-30",
        422,
    )
    .await;
    assert!(
        page.contains("起始日期") && page.contains("2026-02-30"),
        "{page}"
    );
    let page = get_text(
        &finance,
        &app,
        "/regions/529121/ledger?to=2026-13-01&lang=en",
        422,
    )
    .await;
    assert!(page.contains("To is malformed (2026-13-01)"), "{page}");
    let r = finance
        .get(app.url("/api/v1/regions/529121/ledger.csv?form=report&to=2026-13-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["error"]["field"], "to", "{e}");
}
crate::both_app!(ledger_period_both, ledger_period);

async fn paged_lists(app: TestApp) {
    let discipline = app.signed_in("yunling.discipline").await;
    let county = RegionCode::parse("529121").unwrap();
    let department = app
        .db
        .store
        .departments_in(&county)
        .await
        .unwrap()
        .first()
        .expect("a department of the county")
        .id;
    // Enough problems of one category for three pages.
    let deadline =
        sunledger_core::day::format(sunledger_core::day::today(crate::support::now()) + 30);
    for n in 0..105 {
        let r = discipline
            .post(app.url("/api/v1/problems"))
            .json(&serde_json::json!({
                "region": "529121", "category": "four_winds", "severity": "general",
                "title": format!("分页问题 {n:03}"), "description": "x",
                "department_id": department, "deadline": deadline}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    }
    let ledger: serde_json::Value = discipline
        .get(app.url("/api/v1/problems?category=four_winds&region=529121"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let total = ledger["total"].as_i64().unwrap();
    assert!(total >= 105, "{ledger}");
    let rows_on = |p: &str| {
        p.split("<ul class=\"cards problems\">")
            .nth(1)
            .and_then(|s| s.split("</ul>").next())
            .map(|s| s.matches("<a href=\"/problems/").count())
            .unwrap_or(0)
    };
    let p1 = get_text(
        &discipline,
        &app,
        "/problems?category=four_winds&region=529121",
        200,
    )
    .await;
    assert_eq!(rows_on(&p1), 50);
    assert!(p1.contains(&format!("第 1–50 条，共 {total} 条")), "{p1}");
    assert!(
        p1.contains("href=\"/problems?region=529121&amp;category=four_winds&amp;page=2\""),
        "the next link keeps the filters:\n{p1}"
    );
    let p3 = get_text(
        &discipline,
        &app,
        "/problems?region=529121&category=four_winds&page=3&lang=en",
        200,
    )
    .await;
    let rest = usize::try_from(total - 100).unwrap();
    assert_eq!(rows_on(&p3), rest);
    assert!(
        p3.contains(&format!("Showing 101–{total} of {total}")),
        "{p3}"
    );
    assert!(p3.contains("href=\"/problems?region=529121&amp;category=four_winds&amp;page=2\""));
    assert!(!p3.contains("rel=\"next\""));

    // Book 2 and the inspections are paged the same way.
    let bureau = app.signed_in("yunling.bureau").await;
    let all: serde_json::Value = bureau
        .get(app.url("/api/v1/responsibilities"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let n = all.as_array().map(Vec::len).unwrap_or(0);
    let page = get_text(&bureau, &app, "/responsibility", 200).await;
    let shown = n.min(50);
    assert!(
        page.contains(&format!("第 1–{shown} 条，共 {n} 条")),
        "{n} responsibilities:\n{page}"
    );
    let page = get_text(&discipline, &app, "/inspections?region=529121&page=1", 200).await;
    assert!(page.contains("条，共 "), "{page}");
}
crate::both_app!(paged_lists_both, paged_lists);
