//! Accounts, grants, sessions, sign-in records and limits, disabling, the TOTP second factor.

use super::*;

mod facts;
/// The feature's booking, named explicitly: every feature's is called `BOOKING`.
pub(super) use self::facts::BOOKING;
mod rows;
#[allow(unused_imports)]
pub(crate) use self::{facts::*, rows::*};

#[async_trait]
impl AccessStore for StoreImpl {
    async fn user_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }

    async fn create_user(&self, u: &NewUser, event: &NewAuthEvent) -> Result<User> {
        let mut tx = begin_write(&self.pool).await?;
        let row = sqlx::query(
            "INSERT INTO users (username, display_name, password_hash, county_code, region_code, person_id, created_at, \
             password_set_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(u.username.as_str())
        .bind(u.display_name.as_str())
        .bind(u.password_hash.as_str())
        .bind(u.region.county_code())
        .bind(u.region.as_str())
        .bind(u.person_id)
        .bind(event.at)
        .fetch_one(&mut *tx)
        .await
        .map_err(classify)?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(&mut tx, "users", id).await?;
        let mut e = event.clone();
        e.user_id = Some(id);
        insert_event(&mut tx, &e).await?;
        tx.commit().await?;
        self.user(id).await?.ok_or(StoreError::NotFound("user"))
    }

    async fn user(&self, id: i64) -> Result<Option<User>> {
        let q = format!("SELECT {USER_COLS} FROM users WHERE id = $1");
        sqlx::query(AssertSqlSafe(q))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(user_row)
            .transpose()
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let q = format!("SELECT {USER_COLS} FROM users WHERE username = $1");
        sqlx::query(AssertSqlSafe(q))
            .bind(username)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(user_row)
            .transpose()
    }

    async fn users_within(&self, scopes: &[RegionCode]) -> Result<Vec<User>> {
        let mut qb: QueryBuilder<DB> =
            QueryBuilder::new(format!("SELECT {USER_COLS} FROM users WHERE "));
        push_scope_filter(&mut qb, "region_code", scopes);
        qb.push(" ORDER BY region_code, username LIMIT 5000");
        qb.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(user_row)
            .collect()
    }

    async fn set_password(&self, user_id: i64, hash: &str, event: &NewAuthEvent) -> Result<()> {
        let mut tx = begin_write(&self.pool).await?;
        let n =
            sqlx::query("UPDATE users SET password_hash = $1, password_set_at = $2 WHERE id = $3")
                .bind(hash)
                .bind(event.at)
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound("user"));
        }
        append_later_fact(&mut tx, "users", user_id, "account.password").await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_locale(&self, user_id: i64, locale: Option<&str>) -> Result<()> {
        let n = sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
            .bind(locale)
            .bind(user_id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound("user"));
        }
        Ok(())
    }

    async fn grants_of(&self, user_id: i64, include_revoked: bool) -> Result<Vec<GrantRow>> {
        let q = format!(
            "SELECT {GRANT_COLS} FROM grants WHERE user_id = $1 {} ORDER BY id",
            if include_revoked {
                ""
            } else {
                "AND revoked_at IS NULL"
            }
        );
        sqlx::query(AssertSqlSafe(q))
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(grant_row)
            .collect()
    }

    async fn add_grant(&self, g: &NewGrant, now: i64, event: &NewAuthEvent) -> Result<GrantRow> {
        let mut tx = begin_write(&self.pool).await?;
        let dup = sqlx::query("SELECT id FROM grants WHERE user_id = $1 AND role = $2 AND region_code = $3 AND revoked_at IS NULL")
            .bind(g.user_id)
            .bind(g.role.key())
            .bind(g.region.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        if dup.is_some() {
            return Err(StoreError::Conflict {
                field: "grant".into(),
            });
        }
        let row = sqlx::query(
            "INSERT INTO grants (county_code, user_id, role, region_code, granted_by, granted_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(g.region.county_code())
        .bind(g.user_id)
        .bind(g.role.key())
        .bind(g.region.as_str())
        .bind(g.granted_by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(classify)?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(&mut tx, "grants", id).await?;
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        self.grant(id).await?.ok_or(StoreError::NotFound("grant"))
    }

    async fn revoke_grant(
        &self,
        grant_id: i64,
        by: Option<i64>,
        now: i64,
        event: &NewAuthEvent,
    ) -> Result<bool> {
        let mut tx = begin_write(&self.pool).await?;
        let n = sqlx::query("UPDATE grants SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL")
            .bind(now)
            .bind(by)
            .bind(grant_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        append_later_fact(&mut tx, "grants", grant_id, "grant.revoke").await?;
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn grant(&self, grant_id: i64) -> Result<Option<GrantRow>> {
        let q = format!("SELECT {GRANT_COLS} FROM grants WHERE id = $1");
        sqlx::query(AssertSqlSafe(q))
            .bind(grant_id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(grant_row)
            .transpose()
    }

    async fn create_session(
        &self,
        s: &NewSession,
        replaces: Option<&str>,
        event: &NewAuthEvent,
    ) -> Result<()> {
        self.create_session_with(s, &SessionMeta::default(), replaces, Some(event))
            .await
    }

    async fn session_user(&self, token_hash: &str, now: i64) -> Result<Option<i64>> {
        let row = sqlx::query(
            "SELECT s.user_id FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0 AND s.stage = 'full'",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| r.try_get(0))
            .transpose()
            .map_err(StoreError::from)
    }

    async fn delete_session(&self, token_hash: &str, event: Option<&NewAuthEvent>) -> Result<()> {
        let mut tx = begin_write(&self.pool).await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        if let Some(e) = event {
            insert_event(&mut tx, e).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn record_auth_event(&self, e: &NewAuthEvent) -> Result<()> {
        let mut tx = begin_write(&self.pool).await?;
        insert_event(&mut tx, e).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn failed_sign_ins_since(
        &self,
        username: &str,
        ip: Option<&str>,
        since: i64,
    ) -> Result<(i64, i64)> {
        let by_name: i64 = sqlx::query("SELECT COUNT(*) FROM auth_events WHERE username = $1 AND kind = 'sign_in_failed' AND at >= $2")
            .bind(username)
            .bind(since)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        let by_ip: i64 = match ip {
            Some(ip) => sqlx::query("SELECT COUNT(*) FROM auth_events WHERE ip = $1 AND kind = 'sign_in_failed' AND at >= $2")
                .bind(ip)
                .bind(since)
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?,
            None => 0,
        };
        Ok((by_name, by_ip))
    }

    async fn reserve_sign_in(
        &self,
        keys: &SignInKeys,
        policy: &SignInPolicy,
        now: i64,
    ) -> Result<SignInGate> {
        let mut wanted: Vec<(String, &'static str)> =
            vec![(keys.account_address_key(), "account_address")];
        if let Some(a) = keys.address_key() {
            wanted.push((a, "address"));
        }
        if keys.account_backoff {
            wanted.push((keys.account_key(), "account"));
        }
        // Locks are taken in key order, so two attempts never wait on each other in a cycle.
        wanted.sort();
        let region = keys.region.as_ref().map(|r| r.as_str().to_string());
        let county = keys.region.as_ref().map(|r| r.county_code().to_string());
        // Housekeeping, on its own and best effort (a failure changes no count): rows nothing
        // has touched for a day (or a window) hold nothing any more.
        if let Err(e) =
            sqlx::query("DELETE FROM sign_in_limits WHERE updated_at < $1 AND next_at < $2")
                .bind(now - policy.window_secs.max(86_400))
                .bind(now)
                .execute(&self.pool)
                .await
        {
            tracing::warn!(error = %e, "dropping stale sign-in limits");
        }
        let mut tx = begin_write(&self.pool).await?;
        for (key, kind) in &wanted {
            let (username, ip, region, county) = match *kind {
                "address" => (None, keys.ip.as_deref(), None, None),
                "account" => (
                    Some(keys.username.as_str()),
                    None,
                    region.as_deref(),
                    county.as_deref(),
                ),
                _ => (
                    Some(keys.username.as_str()),
                    keys.ip.as_deref(),
                    region.as_deref(),
                    county.as_deref(),
                ),
            };
            sqlx::query(
                "INSERT INTO sign_in_limits (key, kind, username, ip, county_code, region_code, attempts, window_start, next_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 0, $7, 0, $7) ON CONFLICT (key) DO NOTHING",
            )
            .bind(key.as_str())
            .bind(*kind)
            .bind(username)
            .bind(ip)
            .bind(county)
            .bind(region)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let mut refusal: Option<(&'static str, i64)> = None;
        let mut updates: Vec<(i64, i64, i64, i64)> = Vec::new();
        for (key, kind) in &wanted {
            let r = sqlx::query(AssertSqlSafe(format!(
                "SELECT id, attempts, window_start, next_at, updated_at FROM sign_in_limits WHERE key = $1{FOR_UPDATE}"
            )))
            .bind(key.as_str())
            .fetch_one(&mut *tx)
            .await?;
            let id: i64 = r.try_get("id")?;
            let attempts: i64 = r.try_get("attempts")?;
            let window_start: i64 = r.try_get("window_start")?;
            let next_at: i64 = r.try_get("next_at")?;
            let updated_at: i64 = r.try_get("updated_at")?;
            let mut refuse = |limit: &'static str, wait: i64| {
                let wait = wait.max(1);
                if refusal.is_none_or(|(_, w)| w < wait) {
                    refusal = Some((limit, wait));
                }
            };
            if *kind == "account" {
                // A day without attempts starts the count again.
                let attempts = if now - updated_at >= 86_400 {
                    0
                } else {
                    attempts
                };
                if next_at > now {
                    refuse("account", next_at - now);
                } else {
                    let n = attempts + 1;
                    updates.push((id, n, window_start, now + policy.account_delay(n)));
                }
            } else {
                let max = if *kind == "address" {
                    policy.max_per_address
                } else {
                    policy.max_per_account_address
                };
                let (a, start) = if window_start <= now - policy.window_secs {
                    (0, now)
                } else {
                    (attempts, window_start)
                };
                if a >= max {
                    refuse(kind, start + policy.window_secs - now);
                } else {
                    updates.push((id, a + 1, start, next_at));
                }
            }
        }
        if let Some((limit, retry_after)) = refusal {
            tx.rollback().await?;
            return Ok(SignInGate::Limited { limit, retry_after });
        }
        for (id, attempts, window_start, next_at) in updates {
            sqlx::query(
                "UPDATE sign_in_limits SET attempts = $1, window_start = $2, next_at = $3, updated_at = $4 WHERE id = $5",
            )
            .bind(attempts)
            .bind(window_start)
            .bind(next_at)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(SignInGate::Allowed)
    }

    async fn sign_in_succeeded(&self, keys: &SignInKeys) -> Result<()> {
        let mut tx = begin_write(&self.pool).await?;
        // The account's backoff starts again; the windows get this attempt back but keep the
        // failures, so a success never buys a guesser a fresh allowance.
        sqlx::query("DELETE FROM sign_in_limits WHERE key = $1")
            .bind(keys.account_key())
            .execute(&mut *tx)
            .await?;
        for key in std::iter::once(keys.account_address_key()).chain(keys.address_key()) {
            sqlx::query(
                "UPDATE sign_in_limits SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0",
            )
            .bind(key)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn signed_in_from(&self, user_id: i64, ip: &str, since: i64) -> Result<bool> {
        let r = sqlx::query(
            "SELECT id FROM auth_events WHERE user_id = $1 AND ip = $2 AND kind = 'sign_in' AND at >= $3 LIMIT 1",
        )
        .bind(user_id)
        .bind(ip)
        .bind(since)
        .fetch_optional(&self.pool)
        .await?;
        Ok(r.is_some())
    }

    async fn sign_in_limits_within(
        &self,
        scopes: &[RegionCode],
        include_unknown: bool,
        policy: &SignInPolicy,
        now: i64,
    ) -> Result<Vec<SignInLimit>> {
        let mut qb: QueryBuilder<DB> = QueryBuilder::new(format!(
            "SELECT {LIMIT_COLS} FROM sign_in_limits WHERE attempts > 0 AND ("
        ));
        push_scope_filter(&mut qb, "region_code", scopes);
        if include_unknown {
            qb.push(" OR region_code IS NULL");
        }
        qb.push(") AND ((kind <> 'account' AND window_start > ")
            .push_bind(now - policy.window_secs)
            .push(") OR (kind = 'account' AND updated_at > ")
            .push_bind(now - 86_400)
            .push(")) ORDER BY updated_at DESC, id LIMIT 1000");
        qb.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(limit_row)
            .collect()
    }

    async fn sign_in_limit(&self, id: i64) -> Result<Option<SignInLimit>> {
        let q = format!("SELECT {LIMIT_COLS} FROM sign_in_limits WHERE id = $1");
        sqlx::query(AssertSqlSafe(q))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(limit_row)
            .transpose()
    }

    async fn clear_sign_in_limits(&self, ids: &[i64], event: &NewAuthEvent) -> Result<u64> {
        let mut tx = begin_write(&self.pool).await?;
        let mut n = 0;
        for id in ids {
            n += sqlx::query("DELETE FROM sign_in_limits WHERE id = $1")
                .bind(*id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        if n > 0 {
            insert_event(&mut tx, event).await?;
        }
        tx.commit().await?;
        Ok(n)
    }

    async fn create_session_with(
        &self,
        s: &NewSession,
        meta: &SessionMeta,
        replaces: Option<&str>,
        event: Option<&NewAuthEvent>,
    ) -> Result<()> {
        let mut tx = begin_write(&self.pool).await?;
        if let Some(old) = replaces {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(old)
                .execute(&mut *tx)
                .await?;
        }
        // Housekeeping: drop this user's expired sessions.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND expires_at <= $2")
            .bind(s.user_id)
            .bind(s.created_at)
            .execute(&mut *tx)
            .await?;
        let stage = if meta.stage.is_empty() {
            "full"
        } else {
            meta.stage.as_str()
        };
        let public_id = if meta.public_id.is_empty() {
            s.token_hash.chars().take(32).collect()
        } else {
            meta.public_id.clone()
        };
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, public_id, last_seen_at, ip, user_agent, stage, tries) \
             VALUES ($1, $2, $3, $4, $5, $3, $6, $7, $8, 0)",
        )
        .bind(s.token_hash.as_str())
        .bind(s.user_id)
        .bind(s.created_at)
        .bind(s.expires_at)
        .bind(public_id)
        .bind(meta.ip.as_deref())
        .bind(meta.user_agent.as_deref())
        .bind(stage)
        .execute(&mut *tx)
        .await
        .map_err(classify)?;
        if let Some(e) = event {
            // The sign-in that opens a session is booked at the session's own time: `verify`
            // matches every signed-in session with it.
            let e = NewAuthEvent {
                at: s.created_at,
                ..e.clone()
            };
            insert_event(&mut tx, &e).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn live_session(
        &self,
        token_hash: &str,
        now: i64,
        idle_secs: i64,
    ) -> Result<Option<LiveSession>> {
        let row = sqlx::query(
            "SELECT s.user_id, s.public_id, s.stage, s.tries, s.created_at, COALESCE(s.last_seen_at, s.created_at) AS seen \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else {
            return Ok(None);
        };
        let seen: i64 = r.try_get("seen")?;
        if seen <= now - idle_secs {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .execute(&self.pool)
                .await?;
            return Ok(None);
        }
        // Written at most once a minute per session (more often for short idle limits).
        if now - seen >= (idle_secs / 10).clamp(0, 60) {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(token_hash)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(LiveSession {
            user_id: r.try_get("user_id")?,
            public_id: r
                .try_get::<Option<String>, _>("public_id")?
                .unwrap_or_default(),
            stage: r.try_get("stage")?,
            tries: r.try_get("tries")?,
            created_at: r.try_get("created_at")?,
        }))
    }

    async fn bump_session_tries(&self, token_hash: &str) -> Result<i64> {
        let r = sqlx::query(
            "UPDATE sessions SET tries = tries + 1 WHERE token_hash = $1 RETURNING tries",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        match r {
            Some(r) => Ok(r.try_get(0)?),
            None => Ok(i64::MAX),
        }
    }

    async fn sessions_of(
        &self,
        user_id: i64,
        now: i64,
        idle_secs: i64,
    ) -> Result<Vec<SessionInfo>> {
        let rows = sqlx::query(
            "SELECT public_id, created_at, COALESCE(last_seen_at, created_at) AS seen, expires_at, ip, user_agent \
             FROM sessions WHERE user_id = $1 AND stage = 'full' AND expires_at > $2 \
             AND COALESCE(last_seen_at, created_at) > $3 ORDER BY created_at DESC LIMIT 200",
        )
        .bind(user_id)
        .bind(now)
        .bind(now - idle_secs)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SessionInfo {
                    id: r
                        .try_get::<Option<String>, _>("public_id")?
                        .unwrap_or_default(),
                    created_at: r.try_get("created_at")?,
                    last_seen_at: r.try_get("seen")?,
                    expires_at: r.try_get("expires_at")?,
                    ip: r.try_get("ip")?,
                    user_agent: r.try_get("user_agent")?,
                    current: false,
                })
            })
            .collect()
    }

    async fn end_session(
        &self,
        user_id: i64,
        public_id: &str,
        event: &NewAuthEvent,
    ) -> Result<bool> {
        let mut tx = begin_write(&self.pool).await?;
        let n = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND public_id = $2")
            .bind(user_id)
            .bind(public_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn set_disabled(
        &self,
        user_id: i64,
        disabled: bool,
        actor: Option<i64>,
        reason: &str,
        event: &NewAuthEvent,
    ) -> Result<bool> {
        let flag = i64::from(disabled);
        let mut tx = begin_write(&self.pool).await?;
        let n = sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2 AND disabled <> $1")
            .bind(flag)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            let exists = sqlx::query("SELECT id FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
            return match exists {
                Some(_) => Ok(false),
                None => Err(StoreError::NotFound("user")),
            };
        }
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        let row = sqlx::query(
            "INSERT INTO account_status (county_code, region_code, user_id, disabled, reason, actor_id, at) \
             SELECT county_code, region_code, id, $1, $2, $3, $4 FROM users WHERE id = $5 RETURNING id",
        )
        .bind(flag)
        .bind(reason)
        .bind(actor)
        .bind(event.at)
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(classify)?;
        let id: i64 = row.try_get(0)?;
        append_row_facts(&mut tx, "account_status", id).await?;
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn totp(&self, user_id: i64) -> Result<Option<TotpRow>> {
        let r = sqlx::query(
            "SELECT user_id, secret, created_at, confirmed_at, last_step FROM user_totp WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        r.map(|r| {
            Ok(TotpRow {
                user_id: r.try_get("user_id")?,
                secret: r.try_get("secret")?,
                created_at: r.try_get("created_at")?,
                confirmed_at: r.try_get("confirmed_at")?,
                last_step: r.try_get("last_step")?,
            })
        })
        .transpose()
    }

    async fn start_totp(&self, user_id: i64, secret: &str, now: i64) -> Result<()> {
        let mut tx = begin_write(&self.pool).await?;
        let n = sqlx::query(
            "INSERT INTO user_totp (user_id, county_code, secret, created_at, last_step) \
             SELECT id, county_code, $2, $3, 0 FROM users WHERE id = $1 \
             ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at, last_step = 0 \
             WHERE user_totp.confirmed_at IS NULL",
        )
        .bind(user_id)
        .bind(secret)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict {
                field: "totp".into(),
            });
        }
        tx.commit().await?;
        Ok(())
    }

    async fn confirm_totp(
        &self,
        user_id: i64,
        step: i64,
        recovery_hashes: &[String],
        event: &NewAuthEvent,
    ) -> Result<bool> {
        let mut tx = begin_write(&self.pool).await?;
        let n = sqlx::query(
            "UPDATE user_totp SET confirmed_at = $1, last_step = $2 WHERE user_id = $3 AND confirmed_at IS NULL",
        )
        .bind(event.at)
        .bind(step)
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        for h in recovery_hashes {
            sqlx::query(
                "INSERT INTO recovery_codes (user_id, county_code, code_hash, created_at) \
                 SELECT user_id, county_code, $2, $3 FROM user_totp WHERE user_id = $1",
            )
            .bind(user_id)
            .bind(h.as_str())
            .bind(event.at)
            .execute(&mut *tx)
            .await?;
        }
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn use_totp_step(&self, user_id: i64, step: i64) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE user_totp SET last_step = $1 WHERE user_id = $2 AND last_step < $1 AND confirmed_at IS NOT NULL",
        )
        .bind(step)
        .bind(user_id)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    async fn use_recovery_code(&self, user_id: i64, code_hash: &str, now: i64) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(now)
        .bind(user_id)
        .bind(code_hash)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n > 0)
    }

    async fn recovery_codes_left(&self, user_id: i64) -> Result<i64> {
        Ok(sqlx::query(
            "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?)
    }

    async fn remove_totp(&self, user_id: i64, event: &NewAuthEvent) -> Result<bool> {
        let mut tx = begin_write(&self.pool).await?;
        let n = sqlx::query("DELETE FROM user_totp WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if n == 0 {
            return Ok(false);
        }
        insert_event(&mut tx, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn auth_events_within(
        &self,
        scopes: &[RegionCode],
        include_unknown: bool,
        limit: i64,
    ) -> Result<Vec<AuthEvent>> {
        let mut qb: QueryBuilder<DB> = QueryBuilder::new(
            "SELECT id, at, kind, region_code, username, user_id, actor_id, ip, detail FROM auth_events WHERE ",
        );
        push_scope_filter(&mut qb, "region_code", scopes);
        if include_unknown {
            qb.push(" OR region_code IS NULL");
        }
        qb.push(" ORDER BY id DESC LIMIT ").push_bind(limit);
        qb.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(auth_event_row)
            .collect()
    }
}
