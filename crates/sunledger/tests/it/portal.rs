//! The public portal (`/public`): region pages, search, projects under notice, cache headers,
//! and a privacy scan of every page a citizen reaches from the front page.
use crate::support::{TestApp, assert_no_catalogue_keys};
use std::collections::{HashSet, VecDeque};
use sunledger_core::RegionCode;

async fn get(app: &TestApp, path: &str) -> (u16, String) {
    let r = app.client().get(app.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

/// The region codes of the `/public/regions/` links of a page.
fn region_links(html: &str) -> Vec<String> {
    html.split("href=\"/public/regions/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_string)
        .collect()
}

async fn pages_search_and_headers(app: TestApp) {
    let store = &app.db.store;
    // The front page: the search box and the counties of the city, by name.
    let (status, front) = get(&app, "/public").await;
    assert_eq!(status, 200);
    assert!(front.contains("name=\"q\""), "{front}");
    for county in ["青山区", "云岭县", "石门县", "龙泉县"] {
        assert!(front.contains(county), "{county} missing on /public");
    }
    assert!(region_links(&front).contains(&"529121000000".to_string()));
    assert!(front.contains("12317"));
    assert_no_catalogue_keys(&front);

    // A county: breadcrumbs, its townships, totals and funds in yuan.
    let (status, county) = get(&app, "/public/regions/529121000000").await;
    assert_eq!(status, 200);
    assert!(
        county.contains("云岭县") && county.contains("青山市"),
        "{county}"
    );
    let townships = store
        .region_children(&RegionCode::parse("529121").unwrap())
        .await
        .unwrap();
    let first = &townships[0];
    assert!(county.contains(&first.name));
    assert!(region_links(&county).contains(&first.code.to_string()));
    assert!(county.contains("云岭县财农〔2026〕40号"), "{county}");
    assert!(county.contains("¥1,000,000.00"), "{county}");
    assert!(county.contains("下辖乡镇"));
    assert_no_catalogue_keys(&county);

    // A township: its villages (the "find your village" list) and the breadcrumbs above it.
    let (status, township) = get(&app, &format!("/public/regions/{}", first.code)).await;
    assert_eq!(status, 200);
    let villages = store.region_children(&first.code).await.unwrap();
    for v in &villages {
        assert!(township.contains(&v.name), "{} missing", v.name);
        assert!(region_links(&township).contains(&v.code.to_string()));
    }
    assert!(township.contains("云岭县") && township.contains(&first.name));

    // The village with the demo's ledger projects: arranged 800,000, paid 300,000 each.
    let village = villages.get(1).unwrap_or(&villages[0]);
    let (status, vpage) = get(&app, &format!("/public/regions/{}", village.code)).await;
    assert_eq!(status, 200);
    let cattle = format!("{}肉牛养殖产业项目", village.name);
    assert!(vpage.contains(&cattle), "{vpage}");
    assert!(
        vpage.contains("¥800,000.00") && vpage.contains("¥300,000.00"),
        "{vpage}"
    );
    assert!(vpage.contains(&first.name) && vpage.contains("云岭县"));
    assert!(vpage.contains("正在实施"));
    let (_, vpage_en) = get(&app, &format!("/public/regions/{}?lang=en", village.code)).await;
    assert!(vpage_en.contains("In progress") && vpage_en.contains("Paid"));
    assert_no_catalogue_keys(&vpage_en);

    // Search: a village by name, a project by name, a fund by document number.
    let search = |q: &str| {
        let r = app
            .client()
            .get(app.url("/public/search"))
            .query(&[("q", q)]);
        async move {
            let r = r.send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (status, found) = search(&village.name).await;
    assert_eq!(status, 200);
    assert!(
        region_links(&found).contains(&village.code.to_string()),
        "{found}"
    );
    let (_, found) = search(&cattle).await;
    let projects = store.public_projects(&village.code, 100).await.unwrap();
    let p = projects.iter().find(|p| p.name == cattle).unwrap();
    assert!(
        found.contains(&format!("href=\"/public/projects/{}\"", p.id)),
        "{found}"
    );
    let (_, found) = search("云岭县财农〔2026〕41号").await;
    assert!(
        found.contains("云岭县财农〔2026〕41号") && found.contains("¥1,000,000.00"),
        "{found}"
    );
    assert!(
        region_links(&found).contains(&townships[1].code.to_string()),
        "{found}"
    );
    // Wildcards are taken literally; an empty or too long search says so and keeps the text.
    let (_, found) = search("%无此内容%").await;
    assert!(found.contains("没有找到相符的结果"), "{found}");
    let (status, empty) = search("  ").await;
    assert_eq!(status, 200);
    assert!(empty.contains("请输入要找的"), "{empty}");
    let long = "村".repeat(101);
    let (status, refused) = search(&long).await;
    assert_eq!(status, 422);
    assert!(refused.contains("搜索内容太长") && refused.contains(&format!("value=\"{long}\"")));

    // Bad references answer the normal 404 page.
    for bad in [
        "/public/regions/abc",
        "/public/regions/529199000000",
        "/public/regions/52912199",
        "/public/regions/%E9%87%91",
        "/public/regions/99999999999999999999",
        "/public/projects/xyz",
        "/public/projects/999999",
    ] {
        let (status, body) = get(&app, bad).await;
        assert_eq!(status, 404, "{bad}");
        assert!(body.contains("<html"), "{bad}");
    }

    // A project under public notice is shown with the notice's last day and its region.
    let noticed = store
        .public_projects(&RegionCode::parse("5291").unwrap(), 1000)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.stage == "noticed")
        .expect("the demo has a project under notice");
    let (status, page) = get(&app, &format!("/public/projects/{}", noticed.id)).await;
    assert_eq!(status, 200, "{page}");
    let from = sunledger_core::day::parse("d", noticed.notice_from.as_deref().unwrap()).unwrap();
    let until = sunledger_core::day::format(from + sunledger_core::project::NOTICE_DAYS - 1);
    let today = sunledger_core::day::today(crate::support::now());
    let banner = if from + sunledger_core::project::NOTICE_DAYS - 1 < today {
        format!("公示期已于 {until} 期满")
    } else {
        format!("公示中，至 {until}")
    };
    assert!(page.contains(&banner), "{page}");
    assert!(page.contains("href=\"/public/regions/"));

    // Cache headers: a strong ETag of the body, 304 when it matches, another per language.
    let c = app.client();
    let path = format!("/public/regions/{}", village.code);
    let r = c.get(app.url(&path)).send().await.unwrap();
    assert_eq!(r.headers()["cache-control"], "public, max-age=60");
    assert!(r.headers().contains_key("last-modified"));
    assert!(r.headers().get("set-cookie").is_none());
    let tag = r.headers()["etag"].to_str().unwrap().to_string();
    assert!(tag.starts_with('"') && !tag.starts_with("W/"));
    let r = c
        .get(app.url(&path))
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304);
    assert_eq!(r.headers()["etag"].to_str().unwrap(), tag);
    assert!(r.bytes().await.unwrap().is_empty());
    let r = c
        .get(app.url(&format!("{path}?lang=en")))
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_ne!(r.headers()["etag"].to_str().unwrap(), tag);
    for p in ["/public", "/public/search?q=%E9%87%91"] {
        let r = c.get(app.url(p)).send().await.unwrap();
        assert!(r.headers().contains_key("etag"), "{p}");
    }
    // A signed-in reader's copy names them: private.
    let official = app.signed_in("yunling.finance").await;
    let r = official.get(app.url(&path)).send().await.unwrap();
    assert_eq!(r.headers()["cache-control"], "private, no-cache");
    // Pages elsewhere are not tagged.
    let r = c.get(app.url("/log")).send().await.unwrap();
    assert!(r.headers().get("etag").is_none());
}
crate::both_app!(portal_pages, pages_search_and_headers);

/// Maximal runs of ASCII digits (an `X` may end an ID number) not touching a letter or digit.
fn number_runs(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let mut end = i;
        if i - start == 17 && matches!(b.get(i), Some(b'X' | b'x')) {
            end = i + 1;
        }
        let before = start.checked_sub(1).map(|j| b[j]);
        let after = b.get(end).copied();
        if !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
        {
            out.push(text[start..end].to_string());
        }
        i = end;
    }
    out
}

/// What a run of digits would reveal: an ID number, a mobile number, a bank card number.
fn personal_number(run: &str) -> Option<&'static str> {
    let b = run.as_bytes();
    match run.len() {
        18 if b[..17].iter().all(u8::is_ascii_digit) => Some("ID number"),
        11 if b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) => Some("mobile number"),
        16..=19 => Some("bank card number"),
        _ => None,
    }
}

#[test]
fn privacy_scanner() {
    let runs = number_runs(
        "a 11010519491231002X b 13812345678 c 6222021234567890123 \
         529121100201 deadbeef1234567890123456789 2026-01-01 ¥1,000.00",
    );
    let found: Vec<_> = runs.iter().filter_map(|r| personal_number(r)).collect();
    assert_eq!(found, ["ID number", "mobile number", "bank card number"]);
}

/// Every page a citizen reaches from `/public`, in both languages.
async fn crawl(app: &TestApp) -> Vec<(String, String)> {
    let c = app.client();
    let mut queue = VecDeque::from(["/public".to_string()]);
    let mut seen: HashSet<String> = queue.iter().cloned().collect();
    let mut pages = Vec::new();
    while !queue.is_empty() {
        // A batch at a time, in parallel.
        let batch: Vec<String> = queue.drain(..queue.len().min(16)).collect();
        let mut set = tokio::task::JoinSet::new();
        for href in batch {
            for lang in ["zh-CN", "en"] {
                let sep = if href.contains('?') { '&' } else { '?' };
                let (c, url) = (c.clone(), app.url(&format!("{href}{sep}lang={lang}")));
                let href = href.clone();
                set.spawn(async move {
                    let r = c.get(&url).send().await.unwrap();
                    assert_eq!(r.status(), 200, "{url}");
                    (href, lang, r.text().await.unwrap())
                });
            }
        }
        while let Some(done) = set.join_next().await {
            let (href, lang, body) = done.unwrap();
            if lang == "zh-CN" {
                for part in body.split("href=\"").skip(1) {
                    let link = part.split('"').next().unwrap_or("").replace("&amp;", "&");
                    if link.starts_with("/public") && seen.insert(link.clone()) {
                        queue.push_back(link);
                    }
                }
            }
            pages.push((format!("{href} [{lang}]"), body));
        }
    }
    pages
}

async fn privacy_scan(app: TestApp) {
    let store = &app.db.store;
    // Names and ID numbers of beneficiary households, and the payees of disbursements.
    let mut secrets: Vec<String> = Vec::new();
    let city = RegionCode::parse("5291").unwrap();
    for p in store.public_projects(&city, 1000).await.unwrap() {
        let rec = store.project_record(p.id).await.unwrap().unwrap();
        for b in rec.beneficiaries.iter().take(2) {
            secrets.push(b.name.clone());
            secrets.push(b.id_number.clone());
        }
        if secrets.len() > 40 {
            break;
        }
    }
    assert!(secrets.len() > 4, "the demo has beneficiaries");
    secrets.push("宏达建筑工程有限公司".into());
    secrets.push("养殖专业合作社".into());
    let pages = crawl(&app).await;
    assert!(pages.len() > 200, "reached only {} pages", pages.len());
    eprintln!(
        "privacy scan: {} pages, {} names and numbers",
        pages.len(),
        secrets.len()
    );
    let mut faults = Vec::new();
    for (page, body) in &pages {
        for run in number_runs(body) {
            if let Some(what) = personal_number(&run) {
                faults.push(format!("{page}: {what} {run}"));
            }
        }
        for s in &secrets {
            // A notice of a household-level subsidy publishes its beneficiaries by the head's
            // name and village (issue 16): names may appear there, ID numbers never.
            let a_name = !s.chars().any(|c| c.is_ascii_digit());
            if a_name && page.starts_with("/public/notices/") {
                continue;
            }
            if body.contains(s.as_str()) {
                faults.push(format!("{page}: shows {s}"));
            }
        }
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}
crate::both_app!(portal_privacy, privacy_scan);
