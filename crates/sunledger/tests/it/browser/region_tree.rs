//! A walk down the region tree, in English too, and out of scope.
use super::*;

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

    // The home page in Chinese: the user's dashboard, their area with links to its books.
    assert!(text(c, "main h1").await.starts_with("我的工作台"));
    assert_eq!(text(c, "header .brand").await, "阳光账本");
    assert_eq!(text(c, "header .who").await, "当前用户: 云岭县财政局 张芳");
    let scopes = text(c, "main ul.cards").await;
    assert!(
        scopes.contains("云岭县") && scopes.contains("财政"),
        "scope cards: {scopes}"
    );
    for book in ["资金拨付台账", "项目库", "问题整改台账", "监督检查"] {
        c.find(Locator::XPath(&format!(
            "//main//ul[contains(@class,'books')]//a[text()='{book}']"
        )))
        .await
        .unwrap_or_else(|e| panic!("no link to {book} on the home page: {e}"));
    }
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
