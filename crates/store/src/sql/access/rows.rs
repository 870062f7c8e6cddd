//! Account, grant, sign-in record and limit rows, and their facts.

use super::*;

pub(crate) fn user_row(r: &DbRow) -> Result<User> {
    Ok(User {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        password_hash: r.try_get("password_hash")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        person_id: r.try_get("person_id")?,
        locale: r.try_get("locale")?,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
        created_at: r.try_get("created_at")?,
    })
}

pub(crate) fn grant_row(r: &DbRow) -> Result<GrantRow> {
    Ok(GrantRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        role: r.try_get("role")?,
        region: code(&r.try_get::<String, _>("region_code")?)?,
        granted_by: r.try_get("granted_by")?,
        granted_at: r.try_get("granted_at")?,
        revoked_by: r.try_get("revoked_by")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

pub(crate) fn auth_event_row(r: &DbRow) -> Result<AuthEvent> {
    Ok(AuthEvent {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        kind: r.try_get("kind")?,
        region: r.try_get("region_code")?,
        username: r.try_get("username")?,
        user_id: r.try_get("user_id")?,
        actor_id: r.try_get("actor_id")?,
        ip: r.try_get("ip")?,
        detail: r.try_get("detail")?,
    })
}

pub(crate) fn limit_row(r: &DbRow) -> Result<SignInLimit> {
    Ok(SignInLimit {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        username: r.try_get("username")?,
        ip: r.try_get("ip")?,
        region: r.try_get("region_code")?,
        attempts: r.try_get("attempts")?,
        window_start: r.try_get("window_start")?,
        next_at: r.try_get("next_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

pub(crate) const LIMIT_COLS: &str =
    "id, kind, username, ip, region_code, attempts, window_start, next_at, updated_at";

pub(crate) const USER_COLS: &str = "id, username, display_name, password_hash, region_code, person_id, locale, disabled, created_at";

pub(crate) const GRANT_COLS: &str =
    "id, user_id, role, region_code, granted_by, granted_at, revoked_by, revoked_at";

pub(crate) async fn insert_event(
    tx: &mut sqlx::Transaction<'static, DB>,
    e: &NewAuthEvent,
) -> Result<()> {
    let row = sqlx::query(
        "INSERT INTO auth_events (county_code, region_code, at, kind, username, user_id, actor_id, ip, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(e.region.as_ref().map(|r| r.county_code().to_string()))
    .bind(e.region.as_ref().map(|r| r.as_str().to_string()))
    .bind(e.at)
    .bind(e.kind.key())
    .bind(e.username.as_deref())
    .bind(e.user_id)
    .bind(e.actor_id)
    .bind(e.ip.as_deref())
    .bind(e.detail.as_str())
    .fetch_one(&mut **tx)
    .await?;
    // The sign-in and authorisation record is evidence: every event is booked.
    append_row_facts(tx, "auth_events", row.try_get(0)?).await
}

/// A sign-in, failed sign-in, grant, revocation... as booked: never a password or a token.
pub(crate) fn auth_event_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new("auth", "auth_events", r.try_get("id")?, r.try_get("at")?)
            .county(r.try_get::<Option<String>, _>("county_code")?)
            .field("region", r.try_get::<Option<String>, _>("region_code")?)
            .field("kind", r.try_get::<String, _>("kind")?)
            .field("username", r.try_get::<Option<String>, _>("username")?)
            .field("user_id", r.try_get::<Option<i64>, _>("user_id")?)
            .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?)
            .field("ip", r.try_get::<Option<String>, _>("ip")?)
            .field("detail", r.try_get::<String, _>("detail")?),
    ])
}

// ---------------------------------------------------------------------------------------------
// The tamper-evident log. Facts are built from the rows as stored (re-read inside the writing
// transaction), by the same functions `verify` uses, so a leaf always says what its row says.

pub(crate) fn grant_facts(r: &DbRow) -> Result<Vec<Fact>> {
    let id: i64 = r.try_get("id")?;
    let region: String = r.try_get("region_code")?;
    let county = Some(r.try_get::<String, _>("county_code")?);
    let mut out = vec![
        Fact::new("grant", "grants", id, r.try_get("granted_at")?)
            .county(county.clone())
            .field("user_id", r.try_get::<i64, _>("user_id")?)
            .field("role", r.try_get::<String, _>("role")?)
            .field("region", region)
            .field("granted_by", r.try_get::<Option<i64>, _>("granted_by")?),
    ];
    let revoked_by = r.try_get::<Option<i64>, _>("revoked_by")?;
    if let Some(at) = later(r.try_get("revoked_at")?, &[revoked_by.is_some()]) {
        out.push(
            Fact::new("grant.revoke", "grants", id, at)
                .county(county)
                .field("revoked_by", revoked_by),
        );
    }
    Ok(out)
}

pub(crate) fn user_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "account",
            "users",
            r.try_get("id")?,
            r.try_get("created_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("username", r.try_get::<String, _>("username")?)
        .field("display_name", r.try_get::<String, _>("display_name")?)
        .field("region", r.try_get::<String, _>("region_code")?)
        .field("person_id", r.try_get::<Option<i64>, _>("person_id")?),
        // The password as a digest of its argon2 hash (which holds a random salt), so the log
        // never helps anyone guess it; a new password books this again.
        Fact::new(
            "account.password",
            "users",
            r.try_get("id")?,
            r.try_get("password_set_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field(
            "password_sha256",
            sunledger_core::log::fact::sha256_hex(
                r.try_get::<String, _>("password_hash")?.as_bytes(),
            ),
        ),
    ])
}

pub(crate) fn account_status_facts(r: &DbRow) -> Result<Vec<Fact>> {
    let disabled = r.try_get::<i64, _>("disabled")? != 0;
    Ok(vec![
        Fact::new(
            if disabled {
                "account.disable"
            } else {
                "account.enable"
            },
            "account_status",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("user_id", r.try_get::<i64, _>("user_id")?)
        .field("region", r.try_get::<String, _>("region_code")?)
        .field("reason", r.try_get::<String, _>("reason")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}
