//! The writes of public notices, each one transaction that books its facts.

use super::*;

async fn lock_notice(tx: &mut sqlx::Transaction<'static, DB>, id: i64) -> Result<Notice> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT id FROM notices WHERE id = $1{FOR_UPDATE}"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound("notice"))?;
    one_in(
        tx,
        format!("{NOTICE_SELECT} WHERE n.id = $1"),
        id,
        notice_row,
    )
    .await
}

/// Reads the row just written, by `select` (which ends in its id's `$1`), and commits.
async fn reread<T>(
    mut tx: sqlx::Transaction<'static, DB>,
    select: String,
    id: i64,
    f: fn(&DbRow) -> Result<T>,
) -> Result<T> {
    let out = one_in(&mut tx, select, id, f).await?;
    tx.commit().await?;
    Ok(out)
}

/// `transfer:ID` or `project:ID`.
fn check_source(s: &str) -> Result<String> {
    let t = s.trim();
    let ok = ["transfer:", "project:", "appraisal:"].iter().any(|p| {
        t.strip_prefix(p).is_some_and(|n| {
            !n.is_empty() && n.len() <= 18 && n.bytes().all(|b| b.is_ascii_digit())
        })
    });
    if ok {
        Ok(t.to_string())
    } else {
        Err(invalid("source", "bad_source", t))
    }
}

pub(super) async fn draft(
    s: &StoreImpl,
    n: &NewNotice,
    actor: Option<i64>,
    now: i64,
) -> Result<Notice> {
    let rule = rules::kind(&n.kind).map_err(rule)?;
    let fields = rule.clean(&n.fields).map_err(rule_err)?;
    let source = n.source.as_deref().map(check_source).transpose()?;
    let mut tx = begin_write(&s.pool).await?;
    let known = sqlx::query("SELECT code FROM regions WHERE code = $1")
        .bind(n.region.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    if known.is_none() {
        return Err(invalid("region", "unknown_region", n.region.as_str()));
    }
    if let Some(c) = n.corrects {
        let old = sqlx::query("SELECT kind, county_code, state FROM notices WHERE id = $1")
            .bind(c)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| invalid("corrects", "unknown_notice", c.to_string()))?;
        let (kind, county, state): (String, String, String) =
            (old.try_get(0)?, old.try_get(1)?, old.try_get(2)?);
        if county != n.region.county_code() || kind != rule.key || state == "draft" {
            return Err(invalid("corrects", "not_correctable", c.to_string()));
        }
    }
    let json = fields.to_json();
    let hash = content_sha256(rule.key, n.region.as_str(), n.corrects, &json);
    let row = sqlx::query(
        "INSERT INTO notices (county_code, region_code, kind, fields, corrects, source, state, content_sha256, drafted_by, \
         drafted_at, revised_at) VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8, $9, $9) RETURNING id",
    )
    .bind(n.region.county_code())
    .bind(n.region.as_str())
    .bind(rule.key)
    .bind(&json)
    .bind(n.corrects)
    .bind(source)
    .bind(hash)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(&mut tx, "notices", id).await?;
    reread(
        tx,
        format!("{NOTICE_SELECT} WHERE n.id = $1"),
        id,
        notice_row,
    )
    .await
}

fn rule_err(e: sunledger_core::DomainError) -> StoreError {
    StoreError::Rule(e)
}

pub(super) async fn edit(
    s: &StoreImpl,
    id: i64,
    given: &BTreeMap<String, String>,
    _actor: Option<i64>,
    now: i64,
) -> Result<Notice> {
    let mut tx = begin_write(&s.pool).await?;
    let n = lock_notice(&mut tx, id).await?;
    if notice_state(&n)? != NoticeState::Draft {
        // A published notice's text is never edited: a correction is a new notice.
        return Err(invalid("state", "published_never_edited", n.state.clone()));
    }
    let rule = rules::kind(&n.kind).map_err(rule)?;
    let fields = rule.clean(given).map_err(rule_err)?;
    let json = fields.to_json();
    let hash = content_sha256(rule.key, n.region.as_str(), n.corrects, &json);
    sqlx::query(
        "UPDATE notices SET fields = $1, content_sha256 = $2, revised_at = $3 WHERE id = $4",
    )
    .bind(&json)
    .bind(hash)
    .bind(now.max(n.drafted_at))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    append_row_facts(&mut tx, "notices", id).await?;
    reread(
        tx,
        format!("{NOTICE_SELECT} WHERE n.id = $1"),
        id,
        notice_row,
    )
    .await
}

pub(super) async fn step(
    s: &StoreImpl,
    id: i64,
    action: NoticeAction,
    actor: Option<i64>,
    now: i64,
) -> Result<Notice> {
    let today = sunledger_core::day::today(now);
    let mut tx = begin_write(&s.pool).await?;
    let n = lock_notice(&mut tx, id).await?;
    let state = notice_state(&n)?;
    let gate = gate_of(&mut tx, &n, today).await?;
    let next = rules::next(state, action, &gate).map_err(rule)?;
    if action == NoticeAction::Publish {
        Control::PublishNotice
            .check(n.drafted_by, actor)
            .map_err(rule)?;
    }
    let rule_of_kind = rules::kind(&n.kind).map_err(rule)?;
    let window = (action == NoticeAction::Publish).then_some(rule_of_kind.window_days);
    let on = sunledger_core::day::format(today);
    let row = sqlx::query(
        "INSERT INTO notice_events (county_code, notice_id, action, from_state, to_state, on_date, window_days, actor_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(n.region.county_code())
    .bind(id)
    .bind(action.key())
    .bind(state.key())
    .bind(next.key())
    .bind(&on)
    .bind(window)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let event: i64 = row.try_get(0)?;
    if action == NoticeAction::Publish {
        sqlx::query(
            "UPDATE notices SET state = $1, published_on = $2, window_days = $3 WHERE id = $4",
        )
        .bind(next.key())
        .bind(&on)
        .bind(window)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query("UPDATE notices SET state = $1 WHERE id = $2")
            .bind(next.key())
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    append_row_facts(&mut tx, "notice_events", event).await?;
    reread(
        tx,
        format!("{NOTICE_SELECT} WHERE n.id = $1"),
        id,
        notice_row,
    )
    .await
}

/// A phone number as people write it: digits, spaces, `+` and `-`, 5 to 20 characters.
fn check_phone(p: &str) -> Result<String> {
    let t = p.trim();
    let ok = (5..=20).contains(&t.chars().count())
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-'))
        && t.chars().filter(char::is_ascii_digit).count() >= 5;
    if ok {
        Ok(t.to_string())
    } else {
        Err(invalid("phone", "bad_phone", t))
    }
}

pub(super) async fn object(s: &StoreImpl, o: &NewObjection, now: i64) -> Result<PublicObjection> {
    let today = sunledger_core::day::today(now);
    let content = nonempty("content", &o.content, sunledger_core::text::REASON)?;
    let name = o
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| nonempty("name", n, 100))
        .transpose()?;
    let phone = o
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(check_phone)
        .transpose()?;
    let receipt = sunledger_core::notice::receipt::normalise(&o.receipt)
        .ok_or_else(|| invalid("receipt", "bad_receipt", o.receipt.clone()))?;
    let mut tx = begin_write(&s.pool).await?;
    let county = match o.subject_table.as_str() {
        "notices" => {
            let n = lock_notice(&mut tx, o.subject_id).await?;
            let open = n.state == NoticeState::Published.key()
                && n.window().is_some_and(|w| w.is_open(today));
            if !open {
                return Err(invalid(
                    "notice",
                    "not_open_for_objections",
                    n.state.clone(),
                ));
            }
            n.region.county_code().to_string()
        }
        "projects" => {
            let p = lock_project(&mut tx, o.subject_id).await?;
            let from = p
                .notice_from
                .as_deref()
                .and_then(sunledger_core::day::number);
            let open = stage_of(&p)? == Stage::Noticed
                && from.is_some_and(|f| {
                    let n = sunledger_core::project::NoticeState {
                        from: f,
                        unanswered: 0,
                    };
                    today >= n.from && today <= n.until()
                });
            if !open {
                return Err(invalid("project", "not_under_notice", p.stage.clone()));
            }
            p.region.county_code().to_string()
        }
        other => return Err(invalid("subject", "unknown_subject", other)),
    };
    let row = sqlx::query(
        "INSERT INTO public_objections (county_code, receipt, subject_table, subject_id, content, name, phone, received_on, \
         received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(&county)
    .bind(&receipt)
    .bind(&o.subject_table)
    .bind(o.subject_id)
    .bind(&content)
    .bind(name)
    .bind(phone)
    .bind(sunledger_core::day::format(today))
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(classify)?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(&mut tx, "public_objections", id).await?;
    reread(
        tx,
        format!("{OBJECTION_SELECT} WHERE o.id = $1"),
        id,
        public_objection_row,
    )
    .await
}

pub(super) async fn answer(
    s: &StoreImpl,
    id: i64,
    answer: &str,
    actor: Option<i64>,
    now: i64,
) -> Result<PublicObjection> {
    let answer = nonempty("answer", answer, sunledger_core::text::REASON)?;
    let mut tx = begin_write(&s.pool).await?;
    let done = sqlx::query(
        "UPDATE public_objections SET answer = $1, answered_by = $2, answered_at = $3 WHERE id = $4 AND answered_at IS NULL",
    )
    .bind(&answer)
    .bind(actor)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done == 0 {
        let exists = sqlx::query("SELECT 1 FROM public_objections WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        return Err(match exists {
            Some(_) => StoreError::Conflict {
                field: "answer".into(),
            },
            None => StoreError::NotFound("objection"),
        });
    }
    append_later_fact(&mut tx, "public_objections", id, "public_objection.answer").await?;
    reread(
        tx,
        format!("{OBJECTION_SELECT} WHERE o.id = $1"),
        id,
        public_objection_row,
    )
    .await
}

pub(super) async fn posting(
    s: &StoreImpl,
    p: &NewPosting,
    actor: Option<i64>,
    now: i64,
) -> Result<Posting> {
    let today = sunledger_core::day::today(now);
    let place = nonempty("place", &p.place, sunledger_core::text::NAME)?;
    let posted_by = nonempty("posted_by", &p.posted_by, sunledger_core::text::NAME)?;
    let posted_on = past_day("posted_on", &p.posted_on, today)?;
    let photo_type = sunledger_core::notice::photo_type(&p.photo).map_err(rule)?;
    let mut tx = begin_write(&s.pool).await?;
    let n = lock_notice(&mut tx, p.notice_id).await?;
    let published = n
        .published_on
        .as_deref()
        .and_then(sunledger_core::day::number)
        .ok_or_else(|| invalid("notice", "not_published", n.state.clone()))?;
    if posted_on < published {
        return Err(invalid(
            "posted_on",
            "before_publication",
            p.posted_on.clone(),
        ));
    }
    let row = sqlx::query(
        "INSERT INTO notice_postings (county_code, notice_id, place, posted_on, posted_by, photo, photo_type, photo_sha256, \
         recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(n.region.county_code())
    .bind(n.id)
    .bind(place)
    .bind(sunledger_core::day::format(posted_on))
    .bind(posted_by)
    .bind(&p.photo)
    .bind(photo_type)
    .bind(sha256_hex(&p.photo))
    .bind(actor)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    append_row_facts(&mut tx, "notice_postings", id).await?;
    reread(
        tx,
        format!("{POSTING_SELECT} WHERE s.id = $1"),
        id,
        posting_row,
    )
    .await
}

pub(super) async fn confirm(
    s: &StoreImpl,
    id: i64,
    actor: Option<i64>,
    now: i64,
) -> Result<Posting> {
    let mut tx = begin_write(&s.pool).await?;
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT recorded_by, confirmed_at FROM notice_postings WHERE id = $1{FOR_UPDATE}"
    )))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound("posting"))?;
    let recorded_by: Option<i64> = row.try_get(0)?;
    let confirmed: Option<i64> = row.try_get(1)?;
    if confirmed.is_some() {
        return Err(StoreError::Conflict {
            field: "confirmed_by".into(),
        });
    }
    Control::ConfirmPosting
        .check(recorded_by, actor)
        .map_err(rule)?;
    sqlx::query("UPDATE notice_postings SET confirmed_by = $1, confirmed_at = $2 WHERE id = $3")
        .bind(actor)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    append_later_fact(&mut tx, "notice_postings", id, "notice.posting.confirm").await?;
    reread(
        tx,
        format!("{POSTING_SELECT} WHERE s.id = $1"),
        id,
        posting_row,
    )
    .await
}

/// Drafts and publishes a notice inside the caller's transaction (the household appraisal posts
/// its notices and its announcement as steps of a round): the fields checked against the kind,
/// every required one present, the window `window_days` long. Returns the notice's id.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn post_in(
    tx: &mut sqlx::Transaction<'static, DB>,
    region: &RegionCode,
    kind: &str,
    given: &BTreeMap<String, String>,
    source: &str,
    window_days: i64,
    actor: Option<i64>,
    now: i64,
) -> Result<i64> {
    let rule_of_kind = rules::kind(kind).map_err(rule)?;
    let fields = rule_of_kind.clean(given).map_err(rule_err)?;
    if let Some(field) = rule_of_kind.missing(&fields) {
        return Err(invalid(field, "required_to_publish", ""));
    }
    let source = check_source(source)?;
    let json = fields.to_json();
    let hash = content_sha256(rule_of_kind.key, region.as_str(), None, &json);
    let on = sunledger_core::day::today_text(now);
    let id: i64 = sqlx::query(
        "INSERT INTO notices (county_code, region_code, kind, fields, corrects, source, state, content_sha256, drafted_by, \
         drafted_at, revised_at, published_on, window_days) VALUES ($1, $2, $3, $4, NULL, $5, 'published', $6, $7, $8, $8, $9, $10) \
         RETURNING id",
    )
    .bind(region.county_code())
    .bind(region.as_str())
    .bind(rule_of_kind.key)
    .bind(&json)
    .bind(source)
    .bind(hash)
    .bind(actor)
    .bind(now)
    .bind(&on)
    .bind(window_days)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    append_row_facts(tx, "notices", id).await?;
    let event: i64 = sqlx::query(
        "INSERT INTO notice_events (county_code, notice_id, action, from_state, to_state, on_date, window_days, actor_id, at) \
         VALUES ($1, $2, 'publish', 'draft', 'published', $3, $4, $5, $6) RETURNING id",
    )
    .bind(region.county_code())
    .bind(id)
    .bind(&on)
    .bind(window_days)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    append_row_facts(tx, "notice_events", event).await?;
    Ok(id)
}
