//! `sunledger users`: accounts, their grants, sign-in limits and second factors.
use super::{now, open};
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use std::io::{IsTerminal, Read};
use sunledger_core::{Grant, RegionCode, Role};
use sunledger_store::{AuthEventKind, NewAuthEvent, NewGrant, NewUser, Store};

#[derive(Subcommand)]
pub(super) enum UsersCommand {
    /// Adds an account. The password is read from standard input (one line) unless --password is given.
    Add {
        username: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Home region code.
        #[arg(long)]
        region: String,
        #[arg(long, env = "SUNLEDGER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Grants ROLE on the REGION subtree.
    Grant {
        username: String,
        role: String,
        region: String,
    },
    /// Revokes the active grant of ROLE on REGION (it stays in the history).
    Revoke {
        username: String,
        role: String,
        region: String,
    },
    /// Lists accounts with their active grants.
    List,
    /// Disables an account: its sessions end at once and it cannot sign in (booked in the log).
    Disable {
        username: String,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Enables a disabled account again (booked in the log).
    Enable {
        username: String,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Lists the sign-in limits holding now (kind, username, address, attempts, next attempt).
    Limits,
    /// Clears the sign-in limits of an account (--username) or of an address (--address).
    ClearLimits {
        #[arg(long)]
        username: Option<String>,
        #[arg(long)]
        address: Option<String>,
    },
    /// Removes an account's second factor (a lost phone); the person enrols again.
    ResetTotp { username: String },
}

fn cli_event(kind: AuthEventKind, user: &sunledger_store::User, detail: String) -> NewAuthEvent {
    NewAuthEvent {
        at: now(),
        kind,
        region: Some(user.region),
        username: Some(user.username.clone()),
        user_id: Some(user.id),
        actor_id: None,
        ip: None,
        detail,
    }
}

pub(super) async fn run(url: &str, command: UsersCommand) -> Result<u8> {
    let store = open(url).await?;
    match command {
        UsersCommand::Add {
            username,
            name,
            region,
            password,
        } => {
            sunledger_web::access::auth::check_username(&username)
                .map_err(|e| anyhow::anyhow!("{}", e.message(sunledger_web::i18n::Lang::En)))?;
            let region =
                RegionCode::parse(&region).map_err(|e| anyhow::anyhow!("--region: {e}"))?;
            if store.region(&region).await?.is_none() {
                bail!("--region: region {region} does not exist (import the region table first)");
            }
            let password = match password {
                Some(p) => p,
                None => {
                    if std::io::stdin().is_terminal() {
                        eprint!("password for {username}: ");
                    }
                    let mut s = String::new();
                    std::io::stdin()
                        .read_to_string(&mut s)
                        .context("reading the password from standard input")?;
                    s.lines().next().unwrap_or("").to_string()
                }
            };
            sunledger_web::access::auth::check_password_policy(&password).map_err(|e| {
                anyhow::anyhow!("password: {}", e.message(sunledger_web::i18n::Lang::En))
            })?;
            let hash = sunledger_web::access::auth::hash_password(&password)
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let ev = NewAuthEvent {
                at: now(),
                kind: AuthEventKind::UserAdded,
                region: Some(region),
                username: Some(username.clone()),
                user_id: None,
                actor_id: None,
                ip: None,
                detail: "cli".into(),
            };
            let u = store
                .create_user(
                    &NewUser {
                        username,
                        display_name: name,
                        password_hash: hash,
                        region,
                        person_id: None,
                    },
                    &ev,
                )
                .await
                .map_err(|e| match e {
                    sunledger_store::StoreError::Conflict { .. } => {
                        anyhow::anyhow!("username already exists")
                    }
                    other => other.into(),
                })?;
            println!("added {} (id {})", u.username, u.id);
            Ok(0)
        }
        UsersCommand::Grant {
            username,
            role,
            region,
        } => {
            let user = store
                .user_by_username(&username)
                .await?
                .with_context(|| format!("no account named {username}"))?;
            let role = Role::parse(&role)
                .map_err(|_| anyhow::anyhow!("unknown role {role}; roles: {}", role_list()))?;
            let region = RegionCode::parse(&region).map_err(|e| anyhow::anyhow!("region: {e}"))?;
            if store.region(&region).await?.is_none() {
                bail!("region {region} does not exist");
            }
            let ev = cli_event(
                AuthEventKind::Grant,
                &user,
                format!("{} @ {region} (cli)", role.key()),
            );
            let g = store
                .add_grant(
                    &NewGrant {
                        user_id: user.id,
                        role,
                        region,
                        granted_by: None,
                    },
                    now(),
                    &ev,
                )
                .await
                .map_err(|e| match e {
                    sunledger_store::StoreError::Conflict { .. } => {
                        anyhow::anyhow!("{username} already holds {} on {region}", role.key())
                    }
                    other => other.into(),
                })?;
            println!(
                "granted {} on {} to {} (grant {})",
                role.key(),
                region,
                username,
                g.id
            );
            Ok(0)
        }
        UsersCommand::Revoke {
            username,
            role,
            region,
        } => {
            let user = store
                .user_by_username(&username)
                .await?
                .with_context(|| format!("no account named {username}"))?;
            let role = Role::parse(&role)
                .map_err(|_| anyhow::anyhow!("unknown role {role}; roles: {}", role_list()))?;
            let region = RegionCode::parse(&region).map_err(|e| anyhow::anyhow!("region: {e}"))?;
            let target = Grant { role, region };
            let grant = store
                .grants_of(user.id, false)
                .await?
                .into_iter()
                .find(|g| g.role == target.role.key() && g.region == target.region)
                .with_context(|| {
                    format!(
                        "{username} holds no active {} grant on {region}",
                        role.key()
                    )
                })?;
            let ev = cli_event(
                AuthEventKind::Revoke,
                &user,
                format!("{} @ {region} (cli)", role.key()),
            );
            store.revoke_grant(grant.id, None, now(), &ev).await?;
            println!("revoked {} on {} from {}", role.key(), region, username);
            Ok(0)
        }
        UsersCommand::Disable { username, reason } => {
            set_disabled(store.as_ref(), &username, true, &reason).await
        }
        UsersCommand::Enable { username, reason } => {
            set_disabled(store.as_ref(), &username, false, &reason).await
        }
        UsersCommand::Limits => {
            let policy = sunledger_store::SignInPolicy::default();
            for l in store
                .sign_in_limits_within(&root_codes(store.as_ref()).await?, true, &policy, now())
                .await?
            {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    l.id,
                    l.kind,
                    l.username.as_deref().unwrap_or("-"),
                    l.ip.as_deref().unwrap_or("-"),
                    l.attempts,
                    if l.next_at > now() {
                        format!("next attempt in {} s", l.next_at - now())
                    } else {
                        String::new()
                    }
                );
            }
            Ok(0)
        }
        UsersCommand::ClearLimits { username, address } => {
            if username.is_none() && address.is_none() {
                bail!("give --username or --address");
            }
            let policy = sunledger_store::SignInPolicy::default();
            let ids: Vec<i64> = store
                .sign_in_limits_within(&root_codes(store.as_ref()).await?, true, &policy, now())
                .await?
                .into_iter()
                .filter(|l| {
                    username
                        .as_ref()
                        .is_some_and(|u| l.username.as_ref() == Some(u))
                        || address.as_ref().is_some_and(|a| l.ip.as_ref() == Some(a))
                })
                .map(|l| l.id)
                .collect();
            let user = match &username {
                Some(u) => store.user_by_username(u).await?,
                None => None,
            };
            let ev = NewAuthEvent {
                at: now(),
                kind: AuthEventKind::LimitCleared,
                region: user.as_ref().map(|u| u.region),
                username: username.clone(),
                user_id: user.as_ref().map(|u| u.id),
                actor_id: None,
                ip: None,
                detail: format!("{} (cli)", address.as_deref().unwrap_or(""))
                    .trim()
                    .to_string(),
            };
            let n = store.clear_sign_in_limits(&ids, &ev).await?;
            println!("cleared {n} sign-in limit(s)");
            Ok(0)
        }
        UsersCommand::ResetTotp { username } => {
            let user = store
                .user_by_username(&username)
                .await?
                .with_context(|| format!("no account named {username}"))?;
            let ev = cli_event(AuthEventKind::TotpRemoved, &user, "cli".into());
            if store.remove_totp(user.id, &ev).await? {
                println!("removed the second factor of {username}");
            } else {
                println!("{username} has no second factor");
            }
            Ok(0)
        }
        UsersCommand::List => {
            let roots: Vec<RegionCode> = store
                .region_roots()
                .await?
                .into_iter()
                .map(|r| r.code)
                .collect();
            for u in store.users_within(&roots).await? {
                let grants = store.grants_of(u.id, false).await?;
                let gs: Vec<String> = grants
                    .iter()
                    .map(|g| format!("{}@{}", g.role, g.region))
                    .collect();
                println!(
                    "{}\t{}\t{}\t{}{}",
                    u.username,
                    u.display_name,
                    u.region,
                    gs.join(","),
                    if u.disabled { "\tdisabled" } else { "" }
                );
            }
            Ok(0)
        }
    }
}

async fn root_codes(store: &dyn Store) -> Result<Vec<RegionCode>> {
    Ok(store
        .region_roots()
        .await?
        .into_iter()
        .map(|r| r.code)
        .collect())
}

async fn set_disabled(
    store: &dyn Store,
    username: &str,
    disabled: bool,
    reason: &str,
) -> Result<u8> {
    let user = store
        .user_by_username(username)
        .await?
        .with_context(|| format!("no account named {username}"))?;
    let kind = if disabled {
        AuthEventKind::Disable
    } else {
        AuthEventKind::Enable
    };
    let detail = format!("{reason} (cli)").trim().to_string();
    let ev = cli_event(kind, &user, detail);
    let word = if disabled { "disabled" } else { "enabled" };
    if store
        .set_disabled(user.id, disabled, None, reason.trim(), &ev)
        .await?
    {
        println!("{word} {username}");
    } else {
        println!("{username} was already {word}");
    }
    Ok(0)
}

pub(super) fn role_list() -> String {
    Role::ALL
        .iter()
        .map(|r| r.key())
        .collect::<Vec<_>>()
        .join(", ")
}
