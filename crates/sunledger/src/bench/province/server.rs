//! The server part of `bench province`: the real `sunledger serve` as a child process, its
//! rollups one request at a time and a loopback load generator.
use super::*;

pub(super) async fn cities_of(store: &dyn Store, counties: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for c in counties {
        let code = sunledger_core::RegionCode::parse(c)?;
        if let Some(r) = store.region(&code).await?
            && let Some(p) = r.parent
            && !out.contains(&p.to_string())
        {
            out.push(p.to_string());
        }
    }
    Ok(out)
}

const BENCH_USER: &str = "bench.province";
const BENCH_PASSWORD: &str = "Bench-province-2025!";

/// A party-and-government account at the province (sees every summary below it).
pub(super) async fn bench_user(store: &dyn Store, prov: &generate::Province) -> Result<String> {
    let county = prov
        .counties
        .first()
        .map(|c| c.code.clone())
        .context("no county generated")?;
    let code = sunledger_core::RegionCode::parse(&county)?;
    let mut root = code;
    while let Some(p) = store.region(&root).await?.and_then(|r| r.parent) {
        root = p;
    }
    let hash = sunledger_web::access::auth::hash_password(BENCH_PASSWORD)
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let ev = sunledger_store::NewAuthEvent {
        at: NOW,
        kind: sunledger_store::AuthEventKind::UserAdded,
        region: Some(root),
        username: Some(BENCH_USER.into()),
        user_id: None,
        actor_id: None,
        ip: None,
        detail: "bench".into(),
    };
    let u = store
        .create_user(
            &sunledger_store::NewUser {
                username: BENCH_USER.into(),
                display_name: "省级基准测试".into(),
                password_hash: hash,
                region: root,
                person_id: None,
            },
            &ev,
        )
        .await?;
    let ev = sunledger_store::NewAuthEvent {
        kind: sunledger_store::AuthEventKind::Grant,
        user_id: Some(u.id),
        ..ev
    };
    store
        .add_grant(
            &sunledger_store::NewGrant {
                user_id: u.id,
                role: sunledger_core::Role::PartyGovernment,
                region: root,
                granted_by: None,
            },
            NOW,
            &ev,
        )
        .await?;
    Ok(BENCH_USER.into())
}

/// The server as a child process; killed on drop.
struct Server {
    child: tokio::process::Child,
    addr: String,
}

impl Server {
    async fn start(opts: &Options, url: &str) -> Result<Server> {
        let exe = std::env::current_exe().context("finding the sunledger executable")?;
        let files = opts.dir.join("files");
        std::fs::create_dir_all(&files)?;
        let mut child = tokio::process::Command::new(exe)
            .arg("--database")
            .arg(url)
            .arg("--data-dir")
            .arg(&opts.dir)
            .arg("serve")
            .arg("--addr")
            .arg("127.0.0.1:0")
            .arg("--files-dir")
            .arg(&files)
            .arg("--checkpoint-every")
            .arg("86400")
            .args(
                opts.read_replica
                    .iter()
                    .flat_map(|r| ["--read-replica", r.as_str()]),
            )
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .context("starting sunledger serve")?;
        let stdout = child.stdout.take().context("server stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let addr = tokio::time::timeout(Duration::from_secs(600), async {
            while let Some(l) = lines.next_line().await? {
                if let Some(rest) = l.split("http://").nth(1) {
                    return Ok::<_, anyhow::Error>(rest.trim_end_matches('/').to_string());
                }
            }
            bail!("the server exited before listening")
        })
        .await
        .context("the server did not start within 10 minutes")??;
        // Keep draining its output.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Server { child, addr })
    }

    /// (peak, current) resident memory in MB.
    fn memory(&self) -> Option<(f64, f64)> {
        let pid = self.child.id()?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let kb = |key: &str| {
            status
                .lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        };
        Some((kb("VmHWM:")? / 1024.0, kb("VmRSS:")? / 1024.0))
    }
}

/// A minimal HTTP/1.1 keep-alive client for loopback load: GET with optional cookie, reads the
/// status and a `Content-Length` body.
struct Conn {
    r: BufReader<TcpStream>,
    host: String,
}

impl Conn {
    async fn open(addr: &str) -> Result<Conn> {
        let s = TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        Ok(Conn {
            r: BufReader::new(s),
            host: addr.to_string(),
        })
    }

    async fn request(
        &mut self,
        method: &str,
        path: &str,
        cookie: &str,
        body: &str,
    ) -> Result<(u16, Vec<u8>, Vec<String>)> {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.host);
        if !cookie.is_empty() {
            req.push_str(&format!("Cookie: {cookie}\r\n"));
        }
        if !body.is_empty() {
            req.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        req.push_str("\r\n");
        req.push_str(body);
        self.r.get_mut().write_all(req.as_bytes()).await?;
        let mut line = String::new();
        self.r.read_line(&mut line).await?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("bad status line {line:?}"))?;
        let mut len = 0usize;
        let mut cookies = Vec::new();
        loop {
            line.clear();
            self.r.read_line(&mut line).await?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let lower = l.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                len = v.trim().parse().unwrap_or(0);
            } else if lower.starts_with("transfer-encoding:") {
                bail!("chunked responses are not supported by the bench client");
            } else if lower.starts_with("set-cookie:")
                && let Some(v) = l.split_once(':').map(|x| x.1)
            {
                cookies.push(v.split(';').next().unwrap_or("").trim().to_string());
            }
        }
        let mut body = vec![0u8; len];
        self.r.read_exact(&mut body).await?;
        Ok((status, body, cookies))
    }
}

async fn sign_in(addr: &str, user: &str) -> Result<String> {
    let mut c = Conn::open(addr).await?;
    let body = serde_json::json!({"username": user, "password": BENCH_PASSWORD}).to_string();
    let (status, b, cookies) = c.request("POST", "/api/v1/session", "", &body).await?;
    if status != 200 {
        bail!("signing in: {status} {}", String::from_utf8_lossy(&b));
    }
    Ok(cookies.join("; "))
}

/// Result of one load run.
struct Load {
    requests: u64,
    errors: u64,
    secs: f64,
    lat_ms: Vec<f64>,
    bytes: u64,
}

/// `connections` keep-alive connections issue GETs for `seconds` (and at most `max` requests in
/// all); `path(i)` is the i-th request's path.
async fn load(
    addr: &str,
    cookie: &str,
    connections: usize,
    seconds: f64,
    max: u64,
    paths: Arc<Vec<String>>,
) -> Result<Load> {
    let issued = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections.max(1) {
        let addr = addr.to_string();
        let cookie = cookie.to_string();
        let paths = paths.clone();
        let issued = issued.clone();
        tasks.push(tokio::spawn(async move {
            let mut c = Conn::open(&addr).await?;
            let mut lat = Vec::new();
            let (mut errors, mut bytes) = (0u64, 0u64);
            loop {
                let i = issued.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= max || Instant::now() >= deadline {
                    break;
                }
                let path = paths
                    .get((i as usize) % paths.len().max(1))
                    .cloned()
                    .unwrap_or_default();
                let t = Instant::now();
                let (status, body, _) = c.request("GET", &path, &cookie, "").await?;
                lat.push(t.elapsed().as_secs_f64() * 1e3);
                bytes += body.len() as u64;
                if status != 200 {
                    errors += 1;
                }
            }
            Ok::<_, anyhow::Error>((lat, errors, bytes))
        }));
    }
    let mut out = Load {
        requests: 0,
        errors: 0,
        secs: 0.0,
        lat_ms: Vec::new(),
        bytes: 0,
    };
    for t in tasks {
        let (lat, errors, bytes) = t.await??;
        out.requests += lat.len() as u64;
        out.errors += errors;
        out.bytes += bytes;
        out.lat_ms.extend(lat);
    }
    out.secs = start.elapsed().as_secs_f64();
    out.lat_ms.sort_by(f64::total_cmp);
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn server_section(
    opts: &Options,
    url: &str,
    table: &mut Table,
    user: &str,
    cities: &[String],
    counties: &[String],
    townships: &[String],
    villages: &[String],
    projects: &[i64],
) -> Result<()> {
    eprintln!("server");
    let t = Instant::now();
    let server = Server::start(opts, url).await?;
    table.add(
        "server",
        "start (open, migrate, first checkpoint)",
        format!("{:.1} s", t.elapsed().as_secs_f64()),
    );
    let addr = server.addr.clone();
    let cookie = sign_in(&addr, user).await?;
    // Rollups, one request at a time.
    let mut rng = Rng(opts.seed ^ 0x524F_4C4C);
    let mut c = Conn::open(&addr).await?;
    let sample = |xs: &[String], rng: &mut Rng, n: usize| -> Vec<String> {
        (0..n.min(xs.len().max(1) * 3))
            .filter_map(|_| rng.pick(xs).cloned())
            .collect()
    };
    for (level, codes, n) in [
        ("city", cities, 60),
        ("county", counties, 200),
        ("township", townships, 300),
    ] {
        let mut lat = Vec::new();
        let mut bytes = 0;
        for code in sample(codes, &mut rng, n) {
            let t = Instant::now();
            let (status, body, _) = c
                .request(
                    "GET",
                    &format!("/api/v1/regions/{code}/summary"),
                    &cookie,
                    "",
                )
                .await?;
            lat.push(t.elapsed().as_secs_f64() * 1e3);
            bytes += body.len();
            if status != 200 {
                bail!(
                    "rollup of {code}: {status} {}",
                    String::from_utf8_lossy(&body)
                );
            }
        }
        lat.sort_by(f64::total_cmp);
        let p95 = pct(&lat, 0.95);
        table.target(
            "rollup",
            format!(
                "{level} summary (GET /api/v1/regions/CODE/summary, {} requests, {} KB average), p50 / p95 / p99",
                lat.len(),
                bytes / lat.len().max(1) / 1024
            ),
            format!("{:.1} / {p95:.1} / {:.1} ms", pct(&lat, 0.5), pct(&lat, 0.99)),
            p95 <= 20.0,
            "(p95 ≤ 20 ms)",
        );
    }
    // Public pages: approved projects picked at random.
    let public: Vec<String> = (0..2000)
        .filter_map(|_| rng.pick(projects))
        .map(|id| format!("/public/projects/{id}"))
        .collect();
    let first = public.first().cloned().unwrap_or_default();
    let (status, page, _) = c.request("GET", &first, "", "").await?;
    if status != 200 {
        bail!("{first}: {status}");
    }
    std::fs::write(opts.dir.join("files").join("project.html"), &page)?;
    let dashboards: Vec<String> = counties
        .iter()
        .map(|c| format!("/regions/{c}/summary"))
        .collect();
    // Public region pages: random villages, and the counties in turn (12-digit codes).
    let region_pages = |codes: &[String], rng: &mut Rng, n: usize| -> Vec<String> {
        sample(codes, rng, n)
            .into_iter()
            .map(|c| format!("/public/regions/{c:0<12}"))
            .collect()
    };
    let village_pages = region_pages(villages, &mut rng, 2000);
    let county_pages = region_pages(counties, &mut rng, 200);
    let runs = [
        (
            "public project page (/public/projects/ID, random IDs)",
            String::new(),
            public,
        ),
        (
            "the same page's bytes as a static file (/files/project.html)",
            String::new(),
            vec!["/files/project.html".to_string()],
        ),
        (
            "county dashboard (/regions/CODE/summary, signed in)",
            cookie.clone(),
            dashboards,
        ),
        (
            "public village page (/public/regions/CODE, random villages)",
            String::new(),
            village_pages,
        ),
        (
            "public county page (/public/regions/CODE, every county)",
            String::new(),
            county_pages,
        ),
    ];
    let mut static_rate = 0.0;
    let mut public_rate = 0.0;
    for (i, (what, ck, paths)) in runs.into_iter().enumerate() {
        // Warm up, then measure.
        load(
            &addr,
            &ck,
            opts.connections,
            opts.http_seconds / 5.0,
            2_000,
            Arc::new(paths.clone()),
        )
        .await?;
        let l = load(
            &addr,
            &ck,
            opts.connections,
            opts.http_seconds,
            2_000_000,
            Arc::new(paths),
        )
        .await?;
        let rps = l.requests as f64 / l.secs.max(1e-9);
        let p99 = pct(&l.lat_ms, 0.99);
        let value = format!(
            "{rps:.0} req/s, p50 {:.1} ms, p99 {p99:.1} ms ({} requests, {} errors, {} KB each)",
            pct(&l.lat_ms, 0.5),
            l.requests,
            l.errors,
            l.bytes / l.requests.max(1) / 1024
        );
        if l.errors > 0 {
            bail!("{what}: {} of {} requests failed", l.errors, l.requests);
        }
        match i {
            0 => {
                public_rate = rps;
                table.target(
                    "http",
                    format!("{what}, {} connections", opts.connections),
                    value,
                    rps >= 5000.0 && p99 <= 20.0,
                    "(≥ 5,000 req/s, p99 ≤ 20 ms)",
                );
            }
            1 => {
                static_rate = rps;
                table.add("http", what, value);
            }
            _ => table.add("http", what, value),
        }
    }
    table.add(
        "http",
        "public page ÷ static file",
        format!("{:.1} %", 100.0 * public_rate / static_rate.max(1e-9)),
    );
    if let Some((peak, now)) = server.memory() {
        table.target(
            "memory",
            "server resident memory, peak (VmHWM) / at the end",
            format!("{peak:.0} MB / {now:.0} MB"),
            peak <= 200.0,
            "(≤ 200 MB)",
        );
    }
    Ok(())
}
