//! `sunledger backup` and `sunledger restore` (docs/BACKUP.md).
//!
//! - SQLite: the backup is a consistent copy of the database file made by `VACUUM INTO` (safe
//!   while the server runs; the copy is checked with `PRAGMA integrity_check`). Restoring
//!   checks the copy, moves an existing database aside (`FILE.before-restore-UNIXTIME`, with
//!   `--force` only) and puts the copy in its place.
//! - PostgreSQL: the backup is a `pg_dump` archive (custom format, consistent while the server
//!   runs); restoring runs `pg_restore` in one transaction. `pg_dump`/`pg_restore` are taken from
//!   `PATH` or Debian's `/usr/lib/postgresql/*/bin` (the newest).
//!
//! A restore refuses a database that already holds regions, accounts or log entries unless
//! `--force` is given, and a backup of one backend cannot be restored into the other. After
//! restoring, the migrations of this version are applied and `verify` is run on the restored
//! database: the restore exits 1 if it finds anything.
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command as Process;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Writes a consistent backup of the database to a new file (SQLite: a database file made by
    /// VACUUM INTO; PostgreSQL: a pg_dump archive). Safe while the server runs. See
    /// docs/BACKUP.md.
    Backup {
        /// The file to write (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
    /// Restores a backup into the configured database (--database), then runs `verify` on it.
    /// Stop the server first. Refuses a database that holds data unless --force.
    Restore {
        /// A file written by `sunledger backup`.
        file: PathBuf,
        /// Replace a database that already holds data (SQLite: the old file is kept as
        /// FILE.before-restore-UNIXTIME).
        #[arg(long)]
        force: bool,
    },
}

enum Db {
    Sqlite(PathBuf),
    Postgres(String),
}

fn parse(url: &str) -> Result<Db> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Db::Postgres(url.to_string()));
    }
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    if url.contains("://") && !url.starts_with("sqlite://") {
        bail!(
            "unsupported database URL {}",
            sunledger_store::redact_url(url)
        );
    }
    let path = path.split('?').next().unwrap_or(path);
    Ok(Db::Sqlite(PathBuf::from(path)))
}

/// What a backup file holds, from its first bytes.
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Sqlite,
    PgDump,
}

fn kind_of(file: &Path) -> Result<Kind> {
    use std::io::Read;
    let mut head = [0u8; 16];
    let mut f = std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let n = f
        .read(&mut head)
        .with_context(|| format!("reading {}", file.display()))?;
    let head = head.get(..n).unwrap_or_default();
    if head.starts_with(b"SQLite format 3\0") {
        Ok(Kind::Sqlite)
    } else if head.starts_with(b"PGDMP") {
        Ok(Kind::PgDump)
    } else {
        bail!(
            "{}: not a Sunledger backup (neither a SQLite database nor a pg_dump archive)",
            file.display()
        )
    }
}

/// Runs the command; the exit code (0 ok, 1 verify found something).
pub async fn run(cmd: Command, url: &str, data_dir: &Path) -> Result<u8> {
    match cmd {
        Command::Backup { out } => {
            if out.exists() {
                bail!(
                    "--out {}: the file exists (choose a new name)",
                    out.display()
                );
            }
            if let Some(dir) = out.parent()
                && !dir.as_os_str().is_empty()
                && !dir.is_dir()
            {
                bail!("--out {}: no directory {}", out.display(), dir.display());
            }
            match parse(url)? {
                Db::Sqlite(path) => backup_sqlite(&path, &out).await?,
                Db::Postgres(url) => backup_postgres(&url, &out)?,
            }
            let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
            println!(
                "backup written: {} ({size} bytes) from {}",
                out.display(),
                sunledger_store::redact_url(url)
            );
            println!(
                "keep it with a copy of the data directory's log-signing.key and log-verifier.keys (see docs/BACKUP.md)"
            );
            Ok(0)
        }
        Command::Restore { file, force } => {
            let kind = kind_of(&file)?;
            match (parse(url)?, kind) {
                (Db::Sqlite(path), Kind::Sqlite) => restore_sqlite(&file, &path, force).await?,
                (Db::Postgres(url), Kind::PgDump) => restore_postgres(&file, &url, force).await?,
                (Db::Sqlite(_), Kind::PgDump) => bail!(
                    "{}: a PostgreSQL backup cannot be restored into a SQLite database (give --database postgres://...)",
                    file.display()
                ),
                (Db::Postgres(_), Kind::Sqlite) => bail!(
                    "{}: a SQLite backup cannot be restored into a PostgreSQL database (give --database sqlite:PATH)",
                    file.display()
                ),
            }
            println!(
                "restored {} into {}",
                file.display(),
                sunledger_store::redact_url(url)
            );
            verify_restored(url, data_dir).await
        }
    }
}

async fn verify_restored(url: &str, data_dir: &Path) -> Result<u8> {
    let store = sunledger_store::open(url).await.with_context(|| {
        format!(
            "opening the restored database {}",
            sunledger_store::redact_url(url)
        )
    })?;
    let keys = crate::keys::verifiers(data_dir)?;
    if keys.is_empty() {
        eprintln!(
            "warning: no verifier key in {} (restore log-verifier.keys too): signatures not checked",
            data_dir.display()
        );
    }
    let report = crate::verify::verify(store.as_ref(), &keys).await?;
    for f in &report.findings {
        println!("{f}");
    }
    println!(
        "verify: leaves={} rows={} checkpoints={} findings={}",
        report.leaves,
        report.rows,
        report.checkpoints,
        report.findings.len()
    );
    if report.findings.is_empty() {
        Ok(0)
    } else {
        eprintln!("the restored database does not match its log: see the findings above");
        Ok(1)
    }
}

async fn sqlite_conn(path: &Path, read_only: bool) -> Result<sqlx::SqliteConnection> {
    use sqlx::ConnectOptions;
    sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(read_only)
        .create_if_missing(false)
        .busy_timeout(std::time::Duration::from_secs(30))
        .connect()
        .await
        .with_context(|| format!("opening {}", path.display()))
}

async fn backup_sqlite(db: &Path, out: &Path) -> Result<()> {
    if !db.is_file() {
        bail!("database {}: no such file", db.display());
    }
    let mut c = sqlite_conn(db, true).await?;
    let target = out.to_str().context("--out: the path is not UTF-8")?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(&mut c)
        .await
        .with_context(|| format!("writing {} (VACUUM INTO)", out.display()))?;
    drop(c);
    check_sqlite(out).await
}

/// `PRAGMA integrity_check` on a database file.
async fn check_sqlite(path: &Path) -> Result<()> {
    use sqlx::Row;
    let mut c = sqlite_conn(path, true).await?;
    let rows = sqlx::query("PRAGMA integrity_check")
        .fetch_all(&mut c)
        .await
        .with_context(|| format!("checking {}", path.display()))?;
    let problems: Vec<String> = rows
        .iter()
        .filter_map(|r| r.try_get::<String, _>(0).ok())
        .filter(|s| s != "ok")
        .collect();
    if !problems.is_empty() {
        bail!(
            "{}: the database is damaged: {}",
            path.display(),
            problems.join("; ")
        );
    }
    Ok(())
}

/// Whether the database behind `$conn` (a `&mut` connection of either backend) holds regions,
/// accounts or log entries; `$tables` lists its tables (missing ones count as empty).
macro_rules! holds_data {
    ($conn:expr, $tables:expr) => {
        async {
            for t in ["regions", "users", "log_leaves"] {
                if $tables.iter().any(|x: &String| x == t) {
                    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT count(*) FROM (SELECT 1 FROM {t} LIMIT 1) AS x"
                    )))
                    .fetch_one(&mut *$conn)
                    .await?;
                    if n > 0 {
                        return Ok::<bool, anyhow::Error>(true);
                    }
                }
            }
            Ok(false)
        }
    };
}

/// The CLI reads the clock once, for the name of a database moved aside.
#[allow(clippy::disallowed_methods)]
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

async fn restore_sqlite(file: &Path, db: &Path, force: bool) -> Result<()> {
    check_sqlite(file).await?;
    if db.exists() {
        let mut c = sqlite_conn(db, true).await?;
        let tables: Vec<String> =
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                .fetch_all(&mut c)
                .await
                .with_context(|| format!("reading {}", db.display()))?;
        let full = holds_data!(&mut c, &tables).await;
        drop(c);
        if full? && !force {
            bail!(
                "database {} already holds data; give --force to replace it (it is kept as a .before-restore file)",
                db.display()
            );
        }
    }
    if let Some(dir) = db.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    // Copy next to the target first, so the final step is one rename on the same file system.
    let tmp = with_suffix(db, ".restoring");
    std::fs::copy(file, &tmp)
        .with_context(|| format!("copying {} to {}", file.display(), tmp.display()))?;
    if db.exists() {
        let aside = with_suffix(db, &format!(".before-restore-{}", unix_now()));
        std::fs::rename(db, &aside).with_context(|| format!("moving {} aside", db.display()))?;
        println!("the previous database is kept as {}", aside.display());
        for ext in ["-wal", "-shm"] {
            let side = with_suffix(db, ext);
            if side.exists() {
                std::fs::rename(&side, with_suffix(&aside, ext))
                    .with_context(|| format!("moving {} aside", side.display()))?;
            }
        }
    }
    std::fs::rename(&tmp, db)
        .with_context(|| format!("putting the backup in place at {}", db.display()))?;
    Ok(())
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// `pg_dump` or `pg_restore`: on PATH, else the newest Debian PostgreSQL's.
fn pg_tool(name: &str) -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let p = e.path().join("bin").join(name);
            p.is_file().then_some((v, p))
        })
        .collect();
    found.sort();
    match found.pop() {
        Some((_, p)) => Ok(p),
        None => bail!(
            "{name} not found on PATH or in /usr/lib/postgresql/*/bin (apt-get install postgresql-client)"
        ),
    }
}

/// The URL without its password, and the password (given to the tools as PGPASSWORD so that it
/// does not show in the process list).
fn split_password(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://") else {
        return (url.to_string(), None);
    };
    let rest_start = scheme_end + 3;
    let rest = url.get(rest_start..).unwrap_or_default();
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = rest.get(..authority_end).unwrap_or_default();
    let Some(at) = authority.rfind('@') else {
        return (url.to_string(), None);
    };
    let userinfo = authority.get(..at).unwrap_or_default();
    let Some((user, password)) = userinfo.split_once(':') else {
        return (url.to_string(), None);
    };
    let stripped = format!(
        "{}{user}{}",
        url.get(..rest_start).unwrap_or_default(),
        rest.get(at..).unwrap_or_default()
    );
    (stripped, Some(percent_decode(password)))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let byte = b.get(i).copied().unwrap_or_default();
        if byte == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(byte);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn pg_process(tool: &str, url: &str) -> Result<(Process, String)> {
    let (url, password) = split_password(url);
    let mut p = Process::new(pg_tool(tool)?);
    if let Some(pw) = password {
        p.env("PGPASSWORD", pw);
    }
    Ok((p, url))
}

fn run_tool(mut p: Process, what: &str) -> Result<()> {
    let out = p.output().with_context(|| format!("running {what}"))?;
    if !out.status.success() {
        bail!(
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

fn backup_postgres(url: &str, out: &Path) -> Result<()> {
    let (mut p, url) = pg_process("pg_dump", url)?;
    p.arg("--format=custom")
        .arg("--no-owner")
        .arg("--no-privileges")
        .arg("--file")
        .arg(out)
        .arg("--dbname")
        .arg(&url);
    let r = run_tool(p, "pg_dump");
    if r.is_err() {
        let _ = std::fs::remove_file(out);
    }
    r
}

async fn restore_postgres(file: &Path, url: &str, force: bool) -> Result<()> {
    {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(url)
            .await
            .with_context(|| format!("connecting to {}", sunledger_store::redact_url(url)))?;
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()",
        )
        .fetch_all(&mut c)
        .await?;
        let full = holds_data!(&mut c, &tables).await?;
        if full && !force {
            bail!(
                "database {} already holds data; give --force to replace it",
                sunledger_store::redact_url(url)
            );
        }
        if !tables.is_empty() {
            // An emptied or freshly initialised database: its tables are replaced by the
            // backup's (pg_restore --clean drops what the archive holds first).
            println!("replacing the {} tables already there", tables.len());
        }
    }
    let (mut p, url) = pg_process("pg_restore", url)?;
    p.arg("--no-owner")
        .arg("--no-privileges")
        .arg("--single-transaction")
        .arg("--exit-on-error")
        .arg("--clean")
        .arg("--if-exists")
        .arg("--dbname")
        .arg(&url)
        .arg(file);
    run_tool(p, "pg_restore")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_leave_the_url() {
        assert_eq!(
            split_password("postgres://u:p%40ss@h:5432/db?sslmode=require"),
            (
                "postgres://u@h:5432/db?sslmode=require".to_string(),
                Some("p@ss".to_string())
            )
        );
        assert_eq!(
            split_password("postgres://u@h/db"),
            ("postgres://u@h/db".to_string(), None)
        );
        assert_eq!(
            split_password("postgres://h/db"),
            ("postgres://h/db".to_string(), None)
        );
    }
}
