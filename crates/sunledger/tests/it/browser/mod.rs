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

/// The text of `css` once it holds every one of `want`: a form posted back to its own page keeps
/// the address, so the old page may still show until the new one has loaded.
async fn text_once(c: &Client, css: &str, want: &[&str]) -> String {
    let deadline = Instant::now() + STEP;
    loop {
        let now = match c.find(Locator::Css(css)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if want.iter().all(|w| now.contains(w)) {
            return now;
        }
        assert!(
            Instant::now() < deadline,
            "{css} never showed {want:?}; it shows {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
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
    // The header (brand and navigation) takes at most two lines: the brand, then the navigation
    // on one line that scrolls sideways by itself.
    let v = c
        .execute(
            "const h = document.querySelector('header.top'), n = h.querySelector('nav'); \
             const cs = getComputedStyle(h); \
             const pad = parseFloat(cs.paddingTop) + parseFloat(cs.paddingBottom) + parseFloat(cs.borderBottomWidth); \
             return [h.getBoundingClientRect().height - pad, n.getBoundingClientRect().height, \
                     parseFloat(getComputedStyle(n).lineHeight), n.scrollWidth, n.clientWidth];",
            vec![],
        )
        .await
        .expect("measure the header");
    let f = |i: usize| v[i].as_f64().unwrap_or(f64::MAX);
    let (header, nav, line) = (f(0), f(1), f(2));
    assert!(
        nav <= 1.6 * line,
        "{page}: the navigation is {nav}px tall, more than one {line}px line"
    );
    assert!(
        header <= 2.0 * 1.6 * line,
        "{page}: the header is {header}px tall, more than two {line}px lines"
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

mod acceptance;
mod appraisal;
mod assessment;
mod complaint;
mod declaration;
mod evaluation;
mod ledger;
mod meeting;
mod notice;
mod problem;
mod region_tree;
