//! The browser test: headless Chromium, driven through chromedriver (WebDriver) at a phone's size,
//! walks the real server over the demo city as a person would: signs in through the form, clicks
//! down the region tree, switches to English, tries a county outside its scope, and signs out.
//! Full-page screenshots of a few steps go to `target/screenshots/` to be looked at.
//!
//! Without `/usr/bin/chromium` or `/usr/bin/chromedriver` the test is skipped, except under
//! `CI=true`, where a skipped browser test is a failure.
use crate::support::{Kind, TestApp, fresh_db};
use base64::Engine as _;
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// A common phone's viewport in CSS pixels (iPhone 12 to 15).
const PHONE: (u32, u32) = (390, 844);
/// How long one step may wait for the page it expects.
const STEP: Duration = Duration::from_secs(5);
/// The whole walk's limit, so that a hung browser fails the test instead of stalling the run.
const WALK: Duration = Duration::from_secs(60);

/// chromedriver as a child process on a free port. Dropping it (also when the test panics) ends
/// the browser session, which quits Chromium, then kills chromedriver: Chromium outlives a killed
/// chromedriver, so the session has to go first. Its log and the browser's profile live in a
/// temporary folder removed after it.
struct Chromedriver {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
    session: Option<String>,
}

impl Chromedriver {
    async fn start() -> Chromedriver {
        let dir = tempfile::tempdir().expect("tempdir for chromedriver");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!(
                "--log-path={}",
                dir.path().join("chromedriver.log").display()
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let mut driver = Chromedriver {
            child,
            port,
            dir,
            session: None,
        };
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(r) = http.get(driver.url("/status")).send().await
                && r.status().is_success()
            {
                return driver;
            }
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!(
                    "chromedriver exited ({status}) before it was ready:\n{}",
                    driver.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver was not ready on port {port} within 10 s:\n{}",
                driver.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn profile(&self) -> PathBuf {
        self.dir.path().join("profile")
    }

    /// The end of chromedriver's log, for failure messages.
    fn log(&self) -> String {
        let log =
            std::fs::read_to_string(self.dir.path().join("chromedriver.log")).unwrap_or_default();
        let start = log
            .char_indices()
            .rev()
            .nth(4000)
            .map(|(i, _)| i)
            .unwrap_or(0);
        log[start..].to_string()
    }

    /// A WebDriver session with headless Chromium emulating a phone.
    async fn session(&mut self) -> Client {
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            &format!("--window-size={},{}", PHONE.0, PHONE.1),
            &format!("--user-data-dir={}", self.profile().display()),
        ];
        let caps = serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": args,
                "mobileEmulation": {
                    "deviceMetrics": { "width": PHONE.0, "height": PHONE.1, "pixelRatio": 2.0, "touch": true, "mobile": true }
                }
            }
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!("capabilities are an object")
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&self.url(""))
            .await
        {
            Ok(c) => {
                self.session = c.session_id().await.ok().flatten();
                c
            }
            Err(e) => panic!("no WebDriver session: {e}\n{}", self.log()),
        }
    }

    /// Ends the session (Chromium quits) with a plain blocking request, so that it works while
    /// a panic unwinds through the async runtime.
    fn end_session(&mut self) {
        use std::io::{Read, Write};
        let Some(id) = self.session.take() else {
            return;
        };
        let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) else {
            return;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
        let request = format!(
            "DELETE /session/{id} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.port
        );
        if stream.write_all(request.as_bytes()).is_ok() {
            // chromedriver answers once Chromium has quit (and keeps the connection open).
            let _ = stream.read(&mut [0u8; 1024]);
        }
    }

    /// The processes of this test's Chromium, known by its own profile folder: a last resort
    /// for when chromedriver could not end the session.
    fn leftover_browsers(&self) -> Vec<u32> {
        let marker = format!("--user-data-dir={}", self.profile().display());
        let Ok(procs) = std::fs::read_dir("/proc") else {
            return vec![];
        };
        procs
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .filter(|pid| {
                std::fs::read(format!("/proc/{pid}/cmdline"))
                    .map(|c| c.split(|b| *b == 0).any(|arg| arg == marker.as_bytes()))
                    .unwrap_or(false)
            })
            .collect()
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        self.end_session();
        let _ = self.child.kill();
        let _ = self.child.wait();
        let leftovers = self.leftover_browsers();
        if !leftovers.is_empty() {
            eprintln!("killing Chromium left behind: {leftovers:?}");
            for pid in leftovers {
                let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            }
        }
    }
}

/// Whether the browser is here; outside CI a missing one skips the test.
fn browser_available() -> bool {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var("CI").map(|v| v == "true").unwrap_or(false) {
        panic!(
            "CI=true but {} missing: the browser test may not be skipped in CI (apt-get install chromium chromium-driver fonts-noto-cjk)",
            missing.join(" and ")
        );
    }
    eprintln!(
        "skipped: {} missing (apt-get install chromium chromium-driver fonts-noto-cjk)",
        missing.join(" and ")
    );
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_walk_through_the_region_tree() {
    if !browser_available() {
        return;
    }
    let started = Instant::now();
    let db = fresh_db(Kind::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn(db, true).await;

    // A department of 石门县, a county outside yunling.finance's scope, found as the city admin.
    let admin = app.signed_in("admin").await;
    let r = admin
        .get(app.url("/api/v1/regions/529122/departments"))
        .send()
        .await
        .expect("list departments");
    assert_eq!(r.status(), 200);
    let departments: Vec<serde_json::Value> = r.json().await.expect("departments JSON");
    let other = departments
        .iter()
        .find(|d| d["name"] == "石门县财政局")
        .expect("石门县财政局 in the demo city");
    let other_id = other["id"].as_i64().expect("department id");

    let base = app.url("");
    drive(started, move |c, shots| async move {
        walk(&c, &base, other_id, &shots).await
    })
    .await;

    // The same refusal seen by a plain HTTP client, for its status code.
    let finance = app.signed_in("yunling.finance").await;
    let r = finance
        .get(app.url(&format!("/departments/{other_id}")))
        .send()
        .await
        .expect("department page");
    assert!(
        matches!(r.status().as_u16(), 403 | 404),
        "another county's department gave {}",
        r.status()
    );
    eprintln!(
        "browser test done in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// Runs `steps` in a fresh phone browser, within [`WALK`]. A failing step leaves a screenshot of
/// where it failed before the failure is passed on.
async fn drive<F, Fut>(started: Instant, steps: F)
where
    F: FnOnce(Client, std::sync::Arc<Shots>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let mut driver = Chromedriver::start().await;
    let client = driver.session().await;
    let shots = std::sync::Arc::new(Shots::new(&driver, &client).await);
    eprintln!("browser up after {:.1} s", started.elapsed().as_secs_f64());
    let walk = tokio::spawn({
        let c = client.clone();
        let shots = shots.clone();
        async move { tokio::time::timeout(WALK, steps(c, shots)).await }
    });
    let outcome = walk.await;
    if !matches!(outcome, Ok(Ok(()))) {
        match tokio::time::timeout(STEP, shots.capture(&client, "failure")).await {
            Ok(Ok(path)) => eprintln!("screenshot of the failure: {}", path.display()),
            Ok(Err(e)) => eprintln!("no screenshot of the failure: {e}"),
            Err(_) => eprintln!("no screenshot of the failure: the browser does not answer"),
        }
    }
    drop(driver);
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(_)) => panic!("the browser walk took longer than {WALK:?}"),
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => panic!("the browser walk did not finish: {e}"),
    }
}

/// A village cadre declares a project on a phone, in Chinese: from the library through the form
/// (a forgotten target is pointed out and nothing typed is lost) to the project's page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_declares_a_project() {
    if !browser_available() {
        return;
    }
    let started = Instant::now();
    let db = fresh_db(Kind::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn(db, true).await;
    let base = app.url("");
    drive(started, move |c, shots| async move {
        declare(&c, &base, &shots).await
    })
    .await;
}

async fn fill(c: &Client, name: &str, value: &str) {
    let e = c
        .find(Locator::Css(&format!("[name={name}]")))
        .await
        .unwrap_or_else(|e| panic!("no field {name}: {e}"));
    e.clear().await.ok();
    e.send_keys(value)
        .await
        .unwrap_or_else(|e| panic!("typing into {name}: {e}"));
}

async fn declare(c: &Client, base: &str, shots: &Shots) {
    let go = |path: &str| format!("{base}{path}");
    c.goto(&go("/login?next=/projects"))
        .await
        .expect("open /login");
    fill(c, "username", "yunling.village").await;
    fill(c, "password", sunledger::demo::DEMO_PASSWORD).await;
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .expect("sign-in button")
        .click()
        .await
        .expect("click sign in");
    wait_path(c, "/projects").await;
    assert!(text(c, "main h1").await.starts_with("项目库"));
    assert_fits_phone(c, "/projects").await;
    shots.take(c, "10-library").await;

    click(c, "main", "申报项目").await;
    wait_path(c, "/projects/new").await;
    assert_eq!(text(c, "main h1").await, "申报项目");
    fill(c, "name", "村级光伏电站").await;
    fill(c, "budget_central_special", "300000").await;
    fill(c, "households", "64").await;
    fill(c, "income_effect", "户均年增收 1000 元").await;
    // A date field takes what the phone's date picker gives: set it as the picker would.
    c.execute(
        "document.querySelector('[name=meeting_on]').value = '2026-01-08';",
        vec![],
    )
    .await
    .expect("pick the meeting date");
    fill(c, "meeting_ref", "村民大会纪要〔2026〕2号").await;
    assert_fits_phone(c, "/projects/new").await;
    shots.take(c, "11-declare-form").await;
    // The output target is left empty: the browser itself asks for it (the field is required).
    let invalid = c
        .execute(
            "return document.querySelector('[name=outputs]').validity.valueMissing;",
            vec![],
        )
        .await
        .expect("check validity");
    assert_eq!(invalid, serde_json::Value::Bool(true));
    fill(c, "outputs", "建设 200 千瓦光伏电站").await;
    c.find(Locator::Css("button[name=declare][value='1']"))
        .await
        .expect("declare button")
        .click()
        .await
        .expect("submit");
    let deadline = Instant::now() + STEP;
    while !c
        .current_url()
        .await
        .expect("url")
        .path()
        .starts_with("/projects/")
        || c.current_url().await.expect("url").path() == "/projects/new"
    {
        assert!(
            Instant::now() < deadline,
            "no project page after declaring: {}",
            url(c).await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    c.wait()
        .at_most(STEP)
        .for_element(Locator::Css("footer"))
        .await
        .expect("page loaded");
    assert_eq!(text(c, "main h1").await, "村级光伏电站");
    let page = text(c, "main").await;
    for s in [
        "村级已申报",
        "建设 200 千瓦光伏电站",
        "300,000.00",
        "全过程记录",
        "申报",
    ] {
        assert!(
            page.contains(s),
            "{s} missing from the project page:\n{page}"
        );
    }
    assert_fits_phone(c, "project page").await;
    shots.take(c, "12-declared").await;
}

async fn walk(c: &Client, base: &str, other_id: i64, shots: &Shots) {
    let go = |path: &str| format!("{base}{path}");

    // Sign in through the form.
    c.goto(&go("/login")).await.expect("open /login");
    assert_eq!(text(c, "main h1").await, "登录");
    assert_fits_phone(c, "/login").await;
    shots.take(c, "01-login").await;
    c.find(Locator::Css("input[name=username]"))
        .await
        .expect("username field")
        .send_keys("yunling.finance")
        .await
        .expect("type username");
    c.find(Locator::Css("input[name=password]"))
        .await
        .expect("password field")
        .send_keys(sunledger::demo::DEMO_PASSWORD)
        .await
        .expect("type password");
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .expect("sign-in button")
        .click()
        .await
        .expect("click sign in");
    wait_path(c, "/").await;

    // The home page in Chinese, with the user's scope.
    assert_eq!(text(c, "main h1").await, "阳光账本");
    assert_eq!(text(c, "header .brand").await, "阳光账本");
    assert_eq!(text(c, "header .who").await, "当前用户: 云岭县财政局 张芳");
    let scopes = text(c, "main ul.cards").await;
    assert!(
        scopes.contains("云岭县") && scopes.contains("财政"),
        "scope cards: {scopes}"
    );
    assert_eq!(attr(c, "html", "lang").await, "zh-CN");
    assert_fits_phone(c, "/").await;
    assert_chinese_glyphs(c).await;
    shots.take(c, "02-home").await;

    // Down the region tree by clicking.
    click(c, "header nav", "行政区划").await;
    wait_path(c, "/regions").await;
    assert_eq!(text(c, "main h1").await, "行政区划");
    click(c, "table.tree", "黔山省").await;
    wait_path(c, "/regions/520000000000").await;
    assert_region(c, "黔山省", &["行政区划", "黔山省"], false).await;
    click(c, "table.tree", "青山市").await;
    wait_path(c, "/regions/529100000000").await;
    // The city is above yunling.finance's county: public facts only.
    assert_region(c, "青山市", &["行政区划", "黔山省", "青山市"], false).await;
    click(c, "table.tree", "云岭县").await;
    wait_path(c, "/regions/529121000000").await;
    assert_region(
        c,
        "云岭县",
        &["行政区划", "黔山省", "青山市", "云岭县"],
        true,
    )
    .await;
    let departments = text(c, "main table.list:not(.tree)").await;
    for name in ["云岭县财政局", "中共云岭县委员会", "云岭县人民政府"] {
        assert!(
            departments.contains(name),
            "{name} missing from the county's departments:\n{departments}"
        );
    }
    assert_fits_phone(c, "/regions/529121000000").await;
    shots.take(c, "03-county").await;

    // The county's fund ledger: accounts, the townships reconciled, the transfers.
    click(c, "main", "资金拨付台账").await;
    wait_path(c, "/regions/529121000000/ledger").await;
    let ledger = text(c, "main").await;
    for s in [
        "可用余额",
        "下级对账",
        "2026年中央财政专项扶贫资金",
        "已到账",
    ] {
        assert!(
            ledger.contains(s),
            "{s} missing from the county ledger:\n{ledger}"
        );
    }
    assert_fits_phone(c, "/regions/529121000000/ledger").await;
    shots.take(c, "03b-county-ledger").await;
    c.back().await.expect("back to the county");
    wait_path(c, "/regions/529121000000").await;

    let (township, township_href) = first_child(c).await;
    click(c, "table.tree", &township).await;
    wait_path(c, &township_href).await;
    assert_region(
        c,
        &township,
        &["行政区划", "黔山省", "青山市", "云岭县", &township],
        true,
    )
    .await;
    assert!(
        text(c, "main table.list:not(.tree)")
            .await
            .contains(&format!("{township}财政所")),
        "the township's finance office is listed"
    );

    let (village, village_href) = first_child(c).await;
    click(c, "table.tree", &village).await;
    wait_path(c, &village_href).await;
    assert_region(
        c,
        &village,
        &[
            "行政区划",
            "黔山省",
            "青山市",
            "云岭县",
            &township,
            &village,
        ],
        true,
    )
    .await;
    assert!(
        text(c, "main").await.contains("无下级区划。"),
        "a village has no subdivisions"
    );
    assert_fits_phone(c, &village_href).await;
    shots.take(c, "04-village").await;

    // English, through the language link; the page stays where it was.
    click(c, "header nav", "English").await;
    wait_path(c, &village_href).await;
    assert_eq!(attr(c, "html", "lang").await, "en");
    let main = text(c, "main").await;
    assert!(
        main.contains("Subdivisions")
            && main.contains("Departments")
            && main.contains("No subdivisions."),
        "English village page:\n{main}"
    );
    let header = text(c, "header").await;
    for s in [
        "Sunledger",
        "Regions",
        "Signed in as: 云岭县财政局 张芳",
        "Sign out",
        "中文",
    ] {
        assert!(
            header.contains(s),
            "{s:?} missing from the English header:\n{header}"
        );
    }
    assert_eq!(crumbs(c).await[0], "Regions");
    assert_fits_phone(c, &format!("{village_href} (en)")).await;
    shots.take(c, "05-village-en").await;

    // Another county: its name and subdivisions are public, its departments are not.
    c.goto(&go("/regions/529122")).await.expect("open 石门县");
    assert_region(
        c,
        "石门县",
        &["Regions", "黔山省", "青山市", "石门县"],
        false,
    )
    .await;
    assert!(!text(c, "main").await.contains("石门县财政局"));
    let links = c
        .find_all(Locator::Css("a[href^='/departments/']"))
        .await
        .expect("department links");
    assert!(
        links.is_empty(),
        "another county's page links to {} departments",
        links.len()
    );
    shots.take(c, "06-other-county-en").await;

    // And one of its departments, opened by address, is an error page that names nothing.
    c.goto(&go(&format!("/departments/{other_id}")))
        .await
        .expect("open another county's department");
    assert_eq!(text(c, "main h1").await, "Something went wrong");
    let alert = text(c, "main [role=alert]").await;
    assert!(
        alert == "Not found." || alert == "You may not access this: it is outside your areas.",
        "another county's department: {alert:?}"
    );
    assert!(!text(c, "body").await.contains("石门县财政局"));
    shots.take(c, "07-other-department-en").await;

    // Sign out through the header button, from a regular page: error pages are rendered without
    // the user (`Page::public`), so their header offers "Sign in" even to a signed-in user.
    c.back().await.expect("back to 石门县");
    wait_path(c, "/regions/529122").await;
    c.find(Locator::Css("header form[action='/logout'] button"))
        .await
        .expect("sign-out button")
        .click()
        .await
        .expect("click sign out");
    wait_path(c, "/").await;
    let header = text(c, "header").await;
    assert!(
        header.contains("Sign in")
            && !header.contains("Sign out")
            && !header.contains("Signed in as"),
        "header after signing out:\n{header}"
    );
    c.find(Locator::LinkText("Sign in"))
        .await
        .expect("the sign-in link is back");
    assert!(
        text(c, "main")
            .await
            .contains("Without signing in you see only what is published.")
    );
    assert_fits_phone(c, "/ (signed out)").await;
    shots.take(c, "08-signed-out-en").await;
}

/// The text of the first element matching `css`, waiting for it to appear.
async fn text(c: &Client, css: &str) -> String {
    match c.wait().at_most(STEP).for_element(Locator::Css(css)).await {
        Ok(e) => e.text().await.expect("element text"),
        Err(e) => panic!("no {css} on {}: {e}", url(c).await),
    }
}

async fn attr(c: &Client, css: &str, name: &str) -> String {
    let e = c
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"));
    e.attr(name).await.expect("attribute").unwrap_or_default()
}

async fn url(c: &Client) -> String {
    c.current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_else(|e| format!("(no URL: {e})"))
}

/// Clicks the link whose visible text is `link` inside the first `within` element.
async fn click(c: &Client, within: &str, link: &str) {
    let area = match c.find(Locator::Css(within)).await {
        Ok(e) => e,
        Err(e) => panic!("no {within} on {}: {e}", url(c).await),
    };
    let a = match area.find(Locator::LinkText(link)).await {
        Ok(a) => a,
        Err(e) => panic!("no link {link:?} in {within} on {}: {e}", url(c).await),
    };
    a.click()
        .await
        .unwrap_or_else(|e| panic!("clicking {link:?}: {e}"));
}

/// Waits until the browser shows `path` (query ignored).
async fn wait_path(c: &Client, path: &str) {
    let deadline = Instant::now() + STEP;
    loop {
        let u = c.current_url().await.expect("current URL");
        if u.path() == path {
            // The document of the new address may still be loading: wait for its body.
            c.wait()
                .at_most(STEP)
                .for_element(Locator::Css("footer"))
                .await
                .expect("page loaded");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "expected to arrive at {path}, still at {u}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The breadcrumb's parts.
async fn crumbs(c: &Client) -> Vec<String> {
    text(c, "main nav.crumbs")
        .await
        .split('›')
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// A region page: heading, breadcrumb, the subdivisions heading, and whether the departments
/// section is there.
async fn assert_region(c: &Client, name: &str, trail: &[&str], departments: bool) {
    assert_eq!(
        text(c, "main h1").await,
        name,
        "heading on {}",
        url(c).await
    );
    assert_eq!(crumbs(c).await, trail, "breadcrumb on {}", url(c).await);
    assert_eq!(
        c.title().await.expect("title").split(" · ").next(),
        Some(name)
    );
    let headings: Vec<String> = {
        let mut v = Vec::new();
        for h in c.find_all(Locator::Css("main h2")).await.expect("h2s") {
            v.push(h.text().await.expect("h2 text"));
        }
        v
    };
    let (dept, children) = if headings.iter().any(|h| h == "Subdivisions") {
        ("Departments", "Subdivisions")
    } else {
        ("部门与组织", "下级区划")
    };
    assert!(
        headings.iter().any(|h| h == children),
        "no {children} heading on {}: {headings:?}",
        url(c).await
    );
    assert_eq!(
        headings.iter().any(|h| h == dept),
        departments,
        "departments section shown on {}: {headings:?}",
        url(c).await
    );
}

/// The first subdivision in the children table: its name and address.
async fn first_child(c: &Client) -> (String, String) {
    let a = c
        .find(Locator::Css("table.tree tbody tr td a"))
        .await
        .expect("a subdivision link");
    let name = a.text().await.expect("link text");
    let href = a.attr("href").await.expect("href").expect("href set");
    (name, href)
}

/// Nothing sticks out sideways at a phone's width (no horizontal scrolling).
async fn assert_fits_phone(c: &Client, page: &str) {
    let v = c
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .expect("measure the page");
    let (scroll, inner) = (v[0].as_f64().unwrap_or(0.0), v[1].as_f64().unwrap_or(0.0));
    assert_eq!(inner, f64::from(PHONE.0), "viewport width on {page}");
    assert!(
        scroll <= inner,
        "{page} is {scroll}px wide on a {inner}px phone screen: it scrolls sideways"
    );
}

/// Chinese characters are drawn as themselves, not as boxes: without a CJK font every character
/// falls back to the same missing-glyph box, so two different characters would draw the same.
async fn assert_chinese_glyphs(c: &Client) {
    let script = r#"
        const family = getComputedStyle(document.body).fontFamily;
        const draw = (ch) => {
            const canvas = document.createElement('canvas');
            canvas.width = 64; canvas.height = 64;
            const ctx = canvas.getContext('2d');
            ctx.font = '48px ' + family;
            ctx.fillText(ch, 4, 52);
            return ctx.getImageData(0, 0, 64, 64).data.join(',');
        };
        return [draw('阳') !== draw('账'), draw('阳') !== draw(' ')];
    "#;
    let v = c.execute(script, vec![]).await.expect("draw glyphs");
    assert_eq!(v[1], true, "Chinese characters draw as nothing");
    assert_eq!(
        v[0], true,
        "Chinese characters draw as identical boxes: a CJK font is missing (apt-get install fonts-noto-cjk)"
    );
}

/// Full-page screenshots, through the DevTools protocol chromedriver forwards (WebDriver's own
/// screenshot stops at the viewport).
struct Shots {
    dir: PathBuf,
    endpoint: String,
    http: reqwest::Client,
}

impl Shots {
    async fn new(driver: &Chromedriver, c: &Client) -> Shots {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
        std::fs::create_dir_all(&dir).expect("create target/screenshots");
        let dir = dir.canonicalize().unwrap_or(dir);
        let _ = std::fs::remove_file(dir.join("browser-failure.png"));
        let session = c
            .session_id()
            .await
            .expect("session id")
            .expect("a session");
        Shots {
            dir,
            endpoint: driver.url(&format!("/session/{session}/goog/cdp/execute")),
            http: reqwest::Client::new(),
        }
    }

    async fn cdp(&self, cmd: &str, params: serde_json::Value) -> Option<serde_json::Value> {
        let r = self
            .http
            .post(&self.endpoint)
            .json(&serde_json::json!({"cmd": cmd, "params": params}))
            .send()
            .await
            .ok()?;
        if !r.status().is_success() {
            return None;
        }
        r.json::<serde_json::Value>()
            .await
            .ok()
            .map(|mut v| v["value"].take())
    }

    async fn take(&self, c: &Client, name: &str) {
        match self.capture(c, name).await {
            Ok(path) => eprintln!("screenshot: {}", path.display()),
            Err(e) => panic!("screenshot {name}: {e}"),
        }
    }

    /// Saves the whole page as `target/screenshots/browser-{name}.png`.
    async fn capture(&self, c: &Client, name: &str) -> Result<PathBuf, String> {
        let full = async {
            let m = self
                .cdp("Page.getLayoutMetrics", serde_json::json!({}))
                .await?;
            let size = &m["cssContentSize"];
            let (w, h) = (size["width"].as_f64()?, size["height"].as_f64()?);
            let clip = serde_json::json!({"x": 0, "y": 0, "width": w, "height": h, "scale": 1});
            let shot = self.cdp("Page.captureScreenshot", serde_json::json!({"format": "png", "captureBeyondViewport": true, "clip": clip})).await?;
            base64::engine::general_purpose::STANDARD
                .decode(shot["data"].as_str()?)
                .ok()
        };
        let png = match full.await {
            Some(png) => png,
            // The viewport only, through WebDriver.
            None => c.screenshot().await.map_err(|e| e.to_string())?,
        };
        let path = self.dir.join(format!("browser-{name}.png"));
        std::fs::write(&path, png).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(path)
    }
}

/// A township official works on a problem of Book 3 on a phone: signs in, sees its deadlines
/// first with the summary, starts rectifying, submits the evidence, and opens the reminder letter
/// the discipline commission sent, printable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_township_rectifies_a_problem() {
    if !browser_available() {
        return;
    }
    let started = Instant::now();
    let db = fresh_db(Kind::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn(db, true).await;
    let township = sunledger_core::RegionCode::parse("529121100").expect("township");
    let gov = app
        .db
        .store
        .departments_in(&township)
        .await
        .expect("departments")
        .into_iter()
        .find(|d| d.kind == "government")
        .expect("the township government");
    // The discipline commission records a problem due in three days and sends a reminder.
    let inspector = app.signed_in("yunling.discipline").await;
    let today = sunledger_core::day::today(sunledger_web::Clock::now(&*app.clock));
    let r = inspector
        .post(app.url("/api/v1/problems"))
        .json(&serde_json::json!({
            "region": "529121100", "category": "fund_management", "severity": "serious",
            "title": "项目资金滞留未拨付", "description": "村组道路硬化项目资金在乡财政所滞留",
            "department_id": gov.id, "amount": "120000.00",
            "deadline": sunledger_core::day::format(today + 3)}))
        .send()
        .await
        .expect("record a problem");
    assert_eq!(r.status(), 201);
    let problem: serde_json::Value = r.json().await.expect("problem JSON");
    let pid = problem["id"].as_i64().expect("problem id");
    let r = inspector
        .post(app.url(&format!("/api/v1/problems/{pid}/escalations")))
        .json(&serde_json::json!({
            "step": "reminder_letter", "document_no": "云纪督〔2026〕3号",
            "issuing_unit": "云岭县纪委监委", "responsible_person": "镇长",
            "content": "请立即整改"}))
        .send()
        .await
        .expect("send a reminder");
    assert_eq!(r.status(), 201);
    let letter: serde_json::Value = r.json().await.expect("escalation JSON");
    let letter = letter["id"].as_i64().expect("escalation id");
    let base = app.url("");
    drive(started, move |c, shots| async move {
        rectify(&c, &base, pid, letter, &shots).await
    })
    .await;
}

async fn rectify(c: &Client, base: &str, pid: i64, letter: i64, shots: &Shots) {
    let go = |path: &str| format!("{base}{path}");
    c.goto(&go("/login?next=/problems"))
        .await
        .expect("open /login");
    fill(c, "username", "yunling.township").await;
    fill(c, "password", sunledger::demo::DEMO_PASSWORD).await;
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .expect("sign-in button")
        .click()
        .await
        .expect("click sign in");
    wait_path(c, "/problems").await;
    assert!(text(c, "main h1").await.starts_with("问题整改台账"));
    let summary = text(c, "main ul.summary").await;
    assert!(summary.contains("7 天内到期"), "{summary}");
    let card = c
        .find(Locator::XPath(
            "//ul[contains(@class,'problems')]/li[.//strong[text()='项目资金滞留未拨付']]",
        ))
        .await
        .expect("the problem's card")
        .text()
        .await
        .expect("card text");
    assert!(card.contains("还剩 3 天"), "{card}");
    assert_fits_phone(c, "/problems").await;
    shots.take(c, "20-problems").await;

    click(c, "main ul.cards.problems", "项目资金滞留未拨付").await;
    let page = format!("/problems/{pid}");
    wait_path(c, &page).await;
    c.find(Locator::Css("button.action-start"))
        .await
        .expect("the start button")
        .click()
        .await
        .expect("start");
    wait_path(c, &page).await;
    c.wait()
        .at_most(STEP)
        .for_element(Locator::Css("button.action-submit"))
        .await
        .expect("the submit button after starting");
    assert_eq!(text(c, "main .tag.state-rectifying").await, "整改中");
    fill(c, "text", "资金已全部拨付到位，附银行回单").await;
    c.find(Locator::Css("button.action-submit"))
        .await
        .expect("the submit button")
        .click()
        .await
        .expect("submit");
    wait_path(c, &page).await;
    assert_eq!(text(c, "main .tag.state-submitted").await, "已报送整改");
    let main = text(c, "main").await;
    assert!(
        main.contains("资金已全部拨付到位") && main.contains("云纪督〔2026〕3号"),
        "{main}"
    );
    assert_fits_phone(c, "problem page").await;
    shots.take(c, "21-problem").await;

    click(c, &format!("li#step-{letter}"), "打印文书").await;
    wait_path(c, &format!("/escalations/{letter}/print")).await;
    assert_eq!(text(c, "main h1.doc-title").await, "书面提醒函");
    assert!(
        text(c, "main article.document")
            .await
            .contains("云纪督〔2026〕3号")
    );
    assert_fits_phone(c, "letter").await;
    shots.take(c, "22-letter").await;
}
