//! `sunledger serve` (the web server and its account options) and `sunledger init`.
use super::access::role_list;
use super::{Globals, now, open};
use anyhow::{Context, Result, bail};
use std::path::PathBuf;
use sunledger_core::Role;

/// The options of `sunledger serve`.
#[derive(clap::Args)]
pub(super) struct Serve {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
    /// Load the fictional demo city (青山市) with one account per role, and print the accounts.
    #[arg(long)]
    pub(super) demo: bool,
    /// Mark cookies Secure (when served behind HTTPS).
    #[arg(long, env = "SUNLEDGER_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Seconds between signed checkpoints of the log (signed only when the log grew).
    #[arg(long, default_value_t = 300)]
    checkpoint_every: u64,
    /// Serve this directory's files as they are under /files/ (published notices, downloads).
    #[arg(long)]
    files_dir: Option<PathBuf>,
    /// Address of a reverse proxy (repeatable) whose X-Forwarded-Proto, X-Forwarded-Host and
    /// X-Forwarded-For are believed: behind its HTTPS, cookies are marked Secure and the
    /// origin check expects https://. Ignored from any other address.
    #[arg(
        long = "trusted-proxy",
        env = "SUNLEDGER_TRUSTED_PROXY",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<std::net::IpAddr>,
    /// A holiday calendar file (`YYYY-MM-DD off|on` a line, see crates/core/calendar/cn.txt)
    /// for working-day deadlines; China's public holidays are compiled in.
    #[arg(long)]
    holidays: Option<PathBuf>,
    /// A streaming replica (hot standby) of the PostgreSQL main database, e.g.
    /// postgres://user@replica/sunledger: dashboards, public pages and search read from it,
    /// except a writer's reads until the replica has replayed its last write.
    #[arg(long, env = "SUNLEDGER_READ_REPLICA")]
    read_replica: Option<String>,
    #[command(flatten)]
    accounts: AccountArgs,
}

/// Sessions, sign-in limits and the second factor (`serve`).
#[derive(clap::Args)]
pub(super) struct AccountArgs {
    /// A session unused this long ends (e.g. 30m, 2h, 900s).
    #[arg(long, default_value = "30m", value_parser = parse_duration)]
    session_idle: i64,
    /// A session ends this long after sign-in whatever its use (e.g. 12h).
    #[arg(long, default_value = "12h", value_parser = parse_duration)]
    session_max: i64,
    /// Require a second factor (TOTP) of the holders of --totp-roles: until they enrol, their
    /// accounts have no rights. Off unless given (so `--demo` accounts sign in with the password).
    #[arg(long, env = "SUNLEDGER_REQUIRE_TOTP")]
    require_totp: bool,
    /// The roles --require-totp applies to.
    #[arg(long, value_delimiter = ',', default_value = "admin,finance")]
    totp_roles: Vec<String>,
    /// Sign-in attempts per account and address within --sign-in-window (OWASP: throttle per
    /// account and source).
    #[arg(long, default_value_t = 5)]
    sign_in_per_account_address: i64,
    /// Sign-in attempts per address within --sign-in-window.
    #[arg(long, default_value_t = 30)]
    sign_in_per_address: i64,
    #[arg(long, default_value = "15m", value_parser = parse_duration)]
    sign_in_window: i64,
    /// Failed attempts in a row before an account asks for a growing delay (doubling from 2 s)
    /// between attempts from addresses it has not signed in from.
    #[arg(long, default_value_t = 5)]
    sign_in_free_failures: i64,
    /// The longest such delay (NIST SP 800-63B §5.2.2 caps consecutive failures at 100).
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    sign_in_max_delay: i64,
}

impl AccountArgs {
    fn config(&self, _demo: bool) -> Result<sunledger_web::Config> {
        let mut roles = Vec::new();
        if self.require_totp {
            for r in &self.totp_roles {
                roles.push(Role::parse(r.trim()).map_err(|_| {
                    anyhow::anyhow!("--totp-roles: unknown role {r}; roles: {}", role_list())
                })?);
            }
        }
        for (name, v) in [
            (
                "--sign-in-per-account-address",
                self.sign_in_per_account_address,
            ),
            ("--sign-in-per-address", self.sign_in_per_address),
            ("--session-idle", self.session_idle),
            ("--session-max", self.session_max),
            ("--sign-in-window", self.sign_in_window),
        ] {
            if v < 1 {
                bail!("{name} must be at least 1");
            }
        }
        Ok(sunledger_web::Config {
            session_idle_secs: self.session_idle,
            session_ttl_secs: self.session_max,
            totp_required_roles: roles,
            sign_in: sunledger_store::SignInPolicy {
                window_secs: self.sign_in_window,
                max_per_account_address: self.sign_in_per_account_address,
                max_per_address: self.sign_in_per_address,
                account_free_failures: self.sign_in_free_failures.max(0),
                account_max_delay_secs: self.sign_in_max_delay.max(1),
                ..Default::default()
            },
            ..Default::default()
        })
    }
}

/// `90s`, `30m`, `12h`, `2d` or plain seconds.
fn parse_duration(s: &str) -> std::result::Result<i64, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => (s.get(..i).unwrap_or(""), s.get(i..).unwrap_or("")),
        None => (s, "s"),
    };
    let n: i64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration such as 90s, 30m, 12h or 2d"))?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("{s:?}: the unit must be s, m, h or d")),
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("{s:?} is too long"))
}

/// `sunledger init`.
pub(super) async fn init(g: &Globals) -> Result<u8> {
    let (url, data_dir) = (&g.url, &g.data_dir);
    let store = open(url).await?;
    println!("database ready: {}", sunledger_store::redact_url(url));
    let (signer, created) = crate::keys::load_or_create(data_dir, &g.log_origin)?;
    println!(
        "log signing key {}: {} (verifier key {})",
        if created { "created" } else { "present" },
        data_dir.join(crate::keys::SIGNING_FILE).display(),
        signer.verifier_key()
    );
    if store.user_count().await? == 0 {
        print_first_admin_hint();
    }
    Ok(0)
}

/// `sunledger serve`.
pub(super) async fn run(opts: Serve, g: &Globals) -> Result<u8> {
    let data_dir = &g.data_dir;
    let (signer, created) = crate::keys::load_or_create(data_dir, &g.log_origin)?;
    if created {
        println!("created the log signing key in {}", data_dir.display());
    }
    let keys = crate::keys::verifiers(data_dir)?
        .iter()
        .map(|v| v.verifier_key())
        .collect();
    serve(&g.url, opts, signer, keys).await
}

fn print_first_admin_hint() {
    println!("没有任何账号。创建第一个管理员 / No accounts yet. Create the first administrator:");
    println!("  sunledger regions import REGIONS.csv");
    println!(
        "  sunledger users add admin --name 管理员 --region <CITY CODE>   (password from standard input)"
    );
    println!("  sunledger users grant admin admin <CITY CODE>");
}

async fn serve(
    url: &str,
    opts: Serve,
    signer: sunledger_core::log::checkpoint::NoteSigner,
    verifier_keys: Vec<String>,
) -> Result<u8> {
    let Serve {
        addr,
        demo,
        secure_cookies,
        checkpoint_every,
        files_dir,
        trusted_proxies,
        holidays,
        read_replica,
        accounts,
    } = opts;
    let calendar = match &holidays {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("--holidays: reading {}", path.display()))?;
            sunledger_core::day::Calendar::parse(&text)
                .map_err(|e| anyhow::anyhow!("--holidays {}: {e} ({e:?})", path.display()))?
        }
        None => sunledger_core::day::Calendar::china(),
    };
    let store = match &read_replica {
        None => open(url).await?,
        Some(replica) => sunledger_store::open_with_replica(url, Some(replica))
            .await
            .with_context(|| {
                format!(
                    "--read-replica {}: opening database {}",
                    sunledger_store::redact_url(replica),
                    sunledger_store::redact_url(url)
                )
            })?,
    };
    if demo {
        let loaded = crate::demo::load(store.as_ref(), now()).await?;
        println!(
            "{} 演示数据 / demo city 青山市 ({})",
            if loaded { "已载入" } else { "已存在" },
            sunledger_store::redact_url(url)
        );
        println!(
            "演示账号（密码均为 {pw}）/ demo accounts (password {pw}):",
            pw = crate::demo::DEMO_PASSWORD
        );
        for a in &crate::demo::ACCOUNTS {
            println!(
                "  {:<20} {:<18} {} @ {}",
                a.username,
                a.role.key(),
                a.display_name,
                a.region
            );
        }
    } else if store.user_count().await? == 0 {
        print_first_admin_hint();
    }
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    let config = sunledger_web::Config {
        secure_cookies,
        files_dir,
        trusted_proxies,
        calendar: std::sync::Arc::new(calendar),
        ..accounts.config(demo)?
    };
    println!("Sunledger 阳光账本: http://{}/", listener.local_addr()?);
    let state = sunledger_web::AppState::new(store, config).with_signer(signer, verifier_keys);
    // A first checkpoint at start, then periodically.
    if let Err(e) = state.checkpoint().await {
        tracing::error!(error = %e, "signing the start-up checkpoint");
    }
    sunledger_web::spawn_checkpointer(
        state.clone(),
        std::time::Duration::from_secs(checkpoint_every.max(1)),
    );
    // Escalation steps that came due are proposed at start and then once a day.
    sunledger_web::spawn_escalation_proposer(
        state.clone(),
        std::time::Duration::from_secs(24 * 3600),
    );
    // Red flags: every rule over every region ten minutes after start, then once a day.
    sunledger_web::spawn_flag_scanner(
        state.clone(),
        std::time::Duration::from_secs(600),
        std::time::Duration::from_secs(24 * 3600),
    );
    sunledger_web::serve(listener, state).await?;
    Ok(0)
}
