//! Every page of the demo, walked as each demo role and as a citizen without an account, in
//! Chinese and in English: no catalogue key, no raw enum key (`central_special`, `dispatched`) and
//! no region code without its name beside it.
//!
//! The walk starts at the home page and the public portal and follows every link on every page it reaches (GET only,
//! same site, not the API's files). Pages of the same shape (`/problems/12` and `/problems/13`)
//! are visited twice at most, so the walk stays small while reaching every kind of page.
use crate::support::{TestApp, assert_no_catalogue_keys};
use std::collections::{HashMap, HashSet, VecDeque};

/// Pages of one shape visited at most.
const PER_SHAPE: usize = 2;
/// How far a name may be from its code, in characters of visible text.
const NEAR: usize = 60;

/// The visible text of a page: tags, scripts and styles removed, a few entities decoded.
fn visible(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let lower = rest.get(..8).unwrap_or(rest).to_ascii_lowercase();
        // Scripts, styles and machine text (a proof's bytes, a recipe) are not read as prose.
        let end_tag = [
            ("<script", "</script>"),
            ("<style", "</style>"),
            ("<pre", "</pre>"),
            ("<code", "</code>"),
        ]
        .into_iter()
        .find(|(open, _)| lower.starts_with(open))
        .map_or(">", |(_, close)| close);
        match rest.find(end_tag) {
            Some(j) => rest = &rest[j + end_tag.len()..],
            None => rest = "",
        }
        out.push(' ');
    }
    out.push_str(rest);
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
}

/// The same-site links of a page worth following.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in html.split("href=\"").skip(1) {
        let Some(end) = part.find('"') else { continue };
        let href = part[..end].replace("&amp;", "&");
        if !href.starts_with('/')
            || href.starts_with("//")
            || href.starts_with("/api/")
            || href.starts_with("/static/")
            || href.contains("logout")
            || href.ends_with(".csv")
            || href.ends_with(".xlsx")
            || href.ends_with(".txt")
            || href.ends_with(".pdf")
            || href.ends_with(".json")
        {
            continue;
        }
        let href = href.split('#').next().unwrap_or("").to_string();
        // Languages are tried on every page anyway.
        let href = strip_lang(&href);
        out.push(href);
    }
    out
}

fn strip_lang(href: &str) -> String {
    let Some((path, query)) = href.split_once('?') else {
        return href.to_string();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.starts_with("lang=") && !p.is_empty())
        .collect();
    if kept.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

/// `/problems/12?page=2` → `/problems/N?page`: the kind of page, whatever its ids.
fn shape(href: &str) -> String {
    let (path, query) = href.split_once('?').unwrap_or((href, ""));
    let mut s = String::new();
    let mut digits = false;
    for c in path.chars() {
        if c.is_ascii_digit() {
            if !digits {
                s.push('N');
            }
            digits = true;
        } else {
            digits = false;
            s.push(c);
        }
    }
    let mut keys: Vec<&str> = query
        .split('&')
        .filter_map(|p| p.split('=').next())
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort();
    if !keys.is_empty() {
        s.push('?');
        s.push_str(&keys.join("&"));
    }
    s
}

/// Runs of ASCII digits standing alone (not part of a number with a point or separator).
fn digit_runs(text: &str) -> Vec<(usize, &str)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let before = start.checked_sub(1).map(|j| b[j]);
            let after = b.get(i).copied();
            // Part of an amount, a date, a hash, a percentage or a masked ID number.
            let joined = |c: Option<u8>| {
                c.is_some_and(|c| c.is_ascii_alphanumeric() || b".,-:/+*%".contains(&c))
            };
            if !joined(before) && !joined(after) {
                out.push((start, &text[start..i]));
            }
        } else {
            i += 1;
        }
    }
    out
}

/// The text within `NEAR` characters of byte range `at..at+len`.
fn around(text: &str, at: usize, len: usize) -> String {
    let before: String = text[..at]
        .chars()
        .rev()
        .take(NEAR)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let after: String = text[at + len..].chars().take(NEAR).collect();
    format!("{before}{after}")
}

struct Rules {
    /// Region codes (12 digits) and their short forms (county 6, township 9) → name.
    names: HashMap<String, String>,
    /// Every enum key the catalogue translates (the last part of `ledger.kind.appropriate`).
    enum_keys: HashSet<String>,
}

impl Rules {
    async fn new(app: &TestApp) -> Rules {
        let mut names = HashMap::new();
        for (code, name) in app.db.store.region_names().await.unwrap() {
            names.insert(code.to_string(), name.clone());
            // A province's two digits are any small count (52 projects): only prefixes of four
            // digits and more are taken for codes.
            if code.prefix().len() >= 4 {
                names.insert(code.prefix().to_string(), name);
            }
        }
        let mut enum_keys = HashSet::new();
        for (key, _, _) in sunledger_web::i18n::entries() {
            let parts: Vec<&str> = key.split('.').collect();
            if parts.len() >= 3 {
                let last = parts[parts.len() - 1];
                if last.len() > 2 && last.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                    enum_keys.insert(last.to_string());
                }
            }
        }
        Rules { names, enum_keys }
    }

    /// What is wrong with a page's text, if anything.
    fn faults(&self, html: &str, zh: bool) -> Vec<String> {
        let text = visible(html);
        let mut faults = Vec::new();
        for (at, run) in digit_runs(&text) {
            let region = self.names.get(run);
            let near = around(&text, at, run.len());
            match region {
                Some(name) if !near.contains(name.as_str()) => {
                    faults.push(format!("code {run} without its name {name}: …{near}…"))
                }
                None if run.len() == 12 => {
                    faults.push(format!("12-digit number {run} names nothing: …{near}…"))
                }
                _ => {}
            }
        }
        let mut word = String::new();
        for c in text.chars().chain(std::iter::once(' ')) {
            if c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '@' || c == '-' {
                word.push(c);
                continue;
            }
            let w = word.trim_matches(|c: char| c == '.' || c == '-');
            let raw = self.enum_keys.contains(w) && (w.contains('_') || zh);
            if raw {
                faults.push(format!("raw key {w}"));
            }
            word.clear();
        }
        faults
    }
}

/// Walks every page reachable by `client` from the home page; returns the faults found, each
/// with its page.
async fn walk(app: &TestApp, rules: &Rules, who: &str, client: &reqwest::Client) -> Vec<String> {
    // The public portal is where citizens start (the home page is for officials).
    let mut queue: VecDeque<String> = VecDeque::from(["/".to_string(), "/public".to_string()]);
    let mut seen: HashSet<String> = HashSet::new();
    let mut shapes: HashMap<String, usize> = HashMap::new();
    let mut faults = Vec::new();
    let mut pages = 0;
    while let Some(href) = queue.pop_front() {
        if !seen.insert(href.clone()) {
            continue;
        }
        let n = shapes.entry(shape(&href)).or_default();
        if *n >= PER_SHAPE {
            continue;
        }
        *n += 1;
        for (lang, zh) in [("zh-CN", true), ("en", false)] {
            let sep = if href.contains('?') { '&' } else { '?' };
            let r = client
                .get(app.url(&format!("{href}{sep}lang={lang}")))
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let is_html = r
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/html"));
            let body = r.text().await.unwrap_or_default();
            if status >= 500 {
                faults.push(format!("{who} {href} [{lang}]: status {status}"));
                continue;
            }
            if !is_html || !(200..300).contains(&status) {
                continue;
            }
            pages += 1;
            let caught = std::panic::catch_unwind(|| assert_no_catalogue_keys(&body));
            if caught.is_err() {
                faults.push(format!("{who} {href} [{lang}]: a catalogue key is shown"));
            }
            for f in rules.faults(&body, zh) {
                faults.push(format!("{who} {href} [{lang}]: {f}"));
            }
            if zh {
                for l in links(&body) {
                    if !seen.contains(&l) {
                        queue.push_back(l);
                    }
                }
            }
        }
    }
    assert!(pages > 10, "{who} reached only {pages} pages");
    faults
}

async fn every_page_names_things(app: TestApp) {
    let rules = Rules::new(&app).await;
    let mut faults = walk(&app, &rules, "citizen", &app.client()).await;
    for who in [
        "admin",
        "city.discipline",
        "yunling.finance",
        "yunling.township",
        "jinping.finance",
        "yunling.village",
        "yunling.workteam",
    ] {
        let c = app.signed_in(who).await;
        faults.extend(walk(&app, &rules, who, &c).await);
    }
    faults.sort();
    faults.dedup();
    assert!(
        faults.is_empty(),
        "{} faults:\n{}",
        faults.len(),
        faults.join("\n")
    );
}
crate::both_app!(demo_pages_show_names, every_page_names_things);

#[test]
fn text_helpers() {
    let text = visible("<p>a<script>x</script>b &amp; <b>c</b><code>529121</code></p>");
    assert_eq!(
        text.split_whitespace().collect::<Vec<_>>(),
        ["a", "b", "&", "c"]
    );
    assert_eq!(
        shape("/problems/12?page=2&lang=en"),
        "/problems/N?lang&page"
    );
    assert_eq!(strip_lang("/x?lang=en&a=1"), "/x?a=1");
    let runs: Vec<&str> = digit_runs("529121100201 1.5 2026-01-01 12")
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    assert_eq!(runs, ["529121100201", "12"]);
}

/// Filters take names: a region typed as its name narrows the library like its code does; an
/// unknown name is pointed out beside the form, which keeps it.
async fn filters_take_names(app: TestApp) {
    let fin = app.signed_in("yunling.finance").await;
    let get = |region: &str| {
        let r = fin.get(app.url("/projects")).query(&[("region", region)]);
        async move { r.send().await.unwrap().text().await.unwrap() }
    };
    let by_code = get("529121100").await;
    let by_name = get("金坪镇").await;
    let picked = get("云岭县 · 金坪镇（529121100）").await;
    let rows = |html: &str| html.matches("<li><a href=\"/projects/").count();
    assert!(rows(&by_code) > 0, "{by_code}");
    assert_eq!(rows(&by_name), rows(&by_code));
    assert_eq!(rows(&picked), rows(&by_code));
    assert!(
        by_name.contains("<datalist id=\"regions\">") && by_name.contains("金坪镇（529121100）")
    );
    let unknown = get("不存在镇").await;
    assert!(unknown.contains("没有这个名称的区划或项目"), "{unknown}");
    assert!(unknown.contains("value=\"不存在镇\""));
    assert_eq!(rows(&unknown), 0);

    // The same on the other lists: a name lists what its code lists; an unknown one nothing.
    let links = |html: &str, prefix: &str| {
        html.match_indices(&format!("href=\"{prefix}"))
            .filter(|(i, m)| {
                html[i + m.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit())
            })
            .count()
    };
    for (list, rows) in [
        ("/problems", "/problems/"),
        ("/inspections", "/inspections/"),
        ("/responsibility", "/projects/"),
    ] {
        let get = |region: &str| {
            let r = fin.get(app.url(list)).query(&[("region", region)]);
            async move { r.send().await.unwrap().text().await.unwrap() }
        };
        let by_code = get("529121").await;
        let by_name = get("云岭县").await;
        assert!(links(&by_code, rows) > 0, "{list}: {by_code}");
        assert_eq!(links(&by_name, rows), links(&by_code, rows), "{list}");
        let unknown = get("不存在镇").await;
        assert!(unknown.contains("没有这个名称的区划或项目"), "{list}");
        assert!(unknown.contains("value=\"不存在镇\""), "{list}");
    }

    // An inspection's targets are named by name; an unknown one is pointed out, the form kept.
    let inspector = app.signed_in("yunling.discipline").await;
    let form = |targets: &'static str| {
        vec![
            ("region", "529121"),
            ("kind", "routine"),
            ("title", "村道项目专项检查"),
            ("team", "县纪委监委 王强"),
            ("lead_departments", "discipline_commission"),
            ("planned_on", "2026-06-01"),
            ("targets", targets),
        ]
    };
    let r = inspector
        .post(app.url("/inspections"))
        .form(&form("金坪镇；不存在的项目"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("没有这个名称的区划或项目") && html.contains("金坪镇；不存在的项目"),
        "{html}"
    );
    let r = inspector
        .post(app.url("/inspections"))
        .form(&form("金坪镇；云岭县（529121）"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let at = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = at.rsplit('/').next().unwrap().parse().unwrap();
    let i = app.db.store.inspection(id).await.unwrap().unwrap();
    assert_eq!(i.targets, "region:529121100;region:529121");
    let page = inspector
        .get(app.url(&at))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("云岭县 · 金坪镇（529121100）"), "{page}");
}
crate::both_app!(library_filters_take_names, filters_take_names);
