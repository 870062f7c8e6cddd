//! Book 1, the fund ledger: detention, unconfirmed appropriations, money paid of money arranged.

use super::*;

/// The day a transfer was reversed by a reversal booked by `as_of` (`$2`), for `transfers t`.
const REVERSED_ON: &str =
    "(SELECT MIN(r.booked_on) FROM transfers r WHERE r.reverses = t.id AND r.created_at <= $2)";

/// The first day `t` reached `state` by an event booked by `as_of` (`$2`).
fn reached(state: &str) -> String {
    format!(
        "(SELECT MIN(e.on_date) FROM transfer_events e WHERE e.transfer_id = t.id \
         AND e.to_state = '{state}' AND e.at <= $2)"
    )
}

/// Whether a transfer still stands on `end`: booked by then and not reversed by then.
fn stands(w: &Window, r: &DbRow) -> Result<bool> {
    let booked = day_of("booked_on", &r.try_get::<String, _>("booked_on")?)?;
    let reversed = opt_day("reversed_on", r.try_get("reversed_on")?)?;
    Ok(booked <= w.end && !by(reversed, w.end))
}

/// A region account of the county: its fund, the fund's deadline, and its dated credits and the
/// money that left it by `end`.
struct Account {
    fund_id: i64,
    fund: String,
    detention_days: i64,
    credits: Vec<(i64, i64, Money)>,
    spent: Money,
}

/// `funds_detained`: a row per fund (source `fund`, label its name, day `end`) with money on the
/// county's region accounts (county, townships, villages) unspent past the fund's deadline on
/// `end`, as the `detention` flag computes it per account (`core::ledger::detention`, first in,
/// first out, the fund's `detention_days` plus the flag's `grace_days` in force) and summed over
/// the fund's accounts. Credits: receipts, arrangements and refunds by their booking day,
/// appropriations by the day their receipt was confirmed; money out: appropriations,
/// arrangements, payments and refunds booked, not voided; all booked by `as_of`, dated by `end`
/// and not reversed by then. Weight: the detained fen; part: the most days past the deadline.
pub(super) async fn funds_detained(
    conn: &mut Conn,
    w: &Window,
    grace_days: i64,
    out: &mut Vec<MeasureRow>,
) -> Result<()> {
    let mut accounts: BTreeMap<i64, Account> = BTreeMap::new();
    for r in sqlx::query(
        "SELECT a.id, a.fund_id, f.name, f.detention_days FROM ledger_accounts a \
         JOIN funds f ON f.id = a.fund_id WHERE a.county_code = $1 AND a.owner_kind = 'region' \
         AND a.created_at <= $2 ORDER BY a.id",
    )
    .bind(&w.shard)
    .bind(w.as_of)
    .fetch_all(&mut *conn)
    .await?
    {
        accounts.insert(
            r.try_get("id")?,
            Account {
                fund_id: r.try_get("fund_id")?,
                fund: r.try_get("name")?,
                detention_days: r.try_get("detention_days")?,
                credits: Vec::new(),
                spent: Money::ZERO,
            },
        );
    }
    for r in sqlx::query(AssertSqlSafe(format!(
        "SELECT t.to_account AS account, t.id, t.kind, t.amount, t.booked_on, {} AS received_on, \
         {REVERSED_ON} AS reversed_on FROM transfers t JOIN ledger_accounts a ON a.id = t.to_account \
         WHERE a.county_code = $1 AND a.owner_kind = 'region' AND t.created_at <= $2 \
         AND t.kind IN ('receive', 'appropriate', 'arrange', 'refund') ORDER BY t.id",
        reached("received")
    )))
    .bind(&w.shard)
    .bind(w.as_of)
    .fetch_all(&mut *conn)
    .await?
    {
        if !stands(w, &r)? {
            continue;
        }
        let day = if r.try_get::<String, _>("kind")? == "appropriate" {
            match opt_day("received_on", r.try_get("received_on")?)? {
                Some(d) if d <= w.end => d,
                _ => continue,
            }
        } else {
            day_of("booked_on", &r.try_get::<String, _>("booked_on")?)?
        };
        if let Some(a) = accounts.get_mut(&r.try_get::<i64, _>("account")?) {
            a.credits
                .push((day, r.try_get("id")?, Money::from_fen(r.try_get("amount")?)));
        }
    }
    for r in sqlx::query(AssertSqlSafe(format!(
        "SELECT t.from_account AS account, t.amount, t.booked_on, {} AS voided_on, \
         {REVERSED_ON} AS reversed_on FROM transfers t JOIN ledger_accounts a ON a.id = t.from_account \
         WHERE a.county_code = $1 AND a.owner_kind = 'region' AND t.created_at <= $2 \
         AND t.kind IN ('appropriate', 'arrange', 'disburse', 'refund') ORDER BY t.id",
        reached("voided")
    )))
    .bind(&w.shard)
    .bind(w.as_of)
    .fetch_all(&mut *conn)
    .await?
    {
        if !stands(w, &r)? || by(opt_day("voided_on", r.try_get("voided_on")?)?, w.end) {
            continue;
        }
        if let Some(a) = accounts.get_mut(&r.try_get::<i64, _>("account")?) {
            let m = Money::from_fen(r.try_get("amount")?);
            a.spent = a.spent.checked_add(m).unwrap_or(a.spent);
        }
    }
    // Per fund: (name, detained fen, most days over).
    let mut funds: BTreeMap<i64, (String, i64, i64)> = BTreeMap::new();
    for a in accounts.values_mut() {
        a.credits.sort_by_key(|c| (c.0, c.1));
        let credits: Vec<(i64, Money)> = a.credits.iter().map(|c| (c.0, c.2)).collect();
        let Some((detained, over)) = sunledger_core::ledger::detention(
            &credits,
            a.spent,
            w.end,
            a.detention_days.saturating_add(grace_days),
        ) else {
            continue;
        };
        let f = funds
            .entry(a.fund_id)
            .or_insert_with(|| (a.fund.clone(), 0, 0));
        f.1 = f.1.saturating_add(detained.fen());
        f.2 = f.2.max(over);
    }
    for (id, (name, fen, over)) in funds {
        out.push(row(
            Measure::FundsDetained,
            ("fund", id),
            name,
            w.end,
            (fen, over),
        ));
    }
    Ok(())
}

/// What a reader sees of a transfer: its fund and its document number.
fn transfer_label(r: &DbRow) -> Result<String> {
    let fund: String = r.try_get("fund")?;
    let doc: String = r.try_get("document_no")?;
    Ok(format!("{fund} {doc}").trim().to_string())
}

/// `appropriations_unconfirmed`: a row per appropriation to the county's regions (source
/// `transfer`, label fund and document number, day `end`; weight: its fen) booked by `as_of`,
/// dispatched by `end` and not reversed, whose receipt was not confirmed by `end` and which has
/// waited longer than the `unconfirmed` flag allows (`days` in force, default 15), as that flag
/// counts it.
pub(super) async fn appropriations_unconfirmed(
    conn: &mut Conn,
    w: &Window,
    days: i64,
    out: &mut Vec<MeasureRow>,
) -> Result<()> {
    for r in sqlx::query(AssertSqlSafe(format!(
        "SELECT t.id, t.amount, t.booked_on, t.document_no, f.name AS fund, {} AS received_on, \
         {REVERSED_ON} AS reversed_on FROM transfers t JOIN ledger_accounts a ON a.id = t.to_account \
         JOIN funds f ON f.id = t.fund_id WHERE a.county_code = $1 AND t.kind = 'appropriate' \
         AND t.created_at <= $2 ORDER BY t.id",
        reached("received")
    )))
    .bind(&w.shard)
    .bind(w.as_of)
    .fetch_all(&mut *conn)
    .await?
    {
        let booked = day_of("booked_on", &r.try_get::<String, _>("booked_on")?)?;
        let received = opt_day("received_on", r.try_get("received_on")?)?;
        if !stands(w, &r)? || by(received, w.end) || w.end - booked <= days {
            continue;
        }
        out.push(row(
            Measure::AppropriationsUnconfirmed,
            ("transfer", r.try_get("id")?),
            transfer_label(&r)?,
            w.end,
            (r.try_get("amount")?, 0),
        ));
    }
    Ok(())
}

/// Money arranged to one project: before the year, in it, and paid by `end`.
#[derive(Default)]
struct Arranged {
    name: String,
    before: i64,
    within: i64,
    first_day: Option<i64>,
    paid: i64,
}

/// `paid_of_arranged`: a row per project of the county (source `project`, label its name, day
/// its first arrangement of the year) with money arranged to it in the year (`arrange` transfers
/// to its accounts booked by `as_of`, dated in the year, not reversed by `end`); weight: the fen
/// arranged in the year; part: the fen paid of it by `end` (payments whose `paid` event is
/// booked by `as_of` and dated by `end`, not reversed), first in, first out as detention counts
/// money: payments go to money arranged before the year first, so part is at most the weight.
/// Refunds out of a project account are not payments.
pub(super) async fn paid_of_arranged(
    conn: &mut Conn,
    w: &Window,
    out: &mut Vec<MeasureRow>,
) -> Result<()> {
    let mut projects: BTreeMap<i64, Arranged> = BTreeMap::new();
    for r in sqlx::query(AssertSqlSafe(format!(
        "SELECT a.project_id, p.name, t.amount, t.booked_on, {REVERSED_ON} AS reversed_on \
         FROM transfers t JOIN ledger_accounts a ON a.id = t.to_account JOIN projects p ON p.id = a.project_id \
         WHERE a.county_code = $1 AND a.owner_kind = 'project' AND t.kind = 'arrange' \
         AND t.created_at <= $2 ORDER BY t.id"
    )))
    .bind(&w.shard)
    .bind(w.as_of)
    .fetch_all(&mut *conn)
    .await?
    {
        if !stands(w, &r)? {
            continue;
        }
        let day = day_of("booked_on", &r.try_get::<String, _>("booked_on")?)?;
        let amount: i64 = r.try_get("amount")?;
        let p = projects
            .entry(r.try_get("project_id")?)
            .or_default();
        p.name = r.try_get("name")?;
        if day < w.first {
            p.before = p.before.saturating_add(amount);
        } else {
            p.within = p.within.saturating_add(amount);
            p.first_day = Some(p.first_day.map_or(day, |d| d.min(day)));
        }
    }
    for r in sqlx::query(AssertSqlSafe(format!(
        "SELECT a.project_id, t.amount, t.booked_on, {} AS paid_on, {REVERSED_ON} AS reversed_on \
         FROM transfers t JOIN ledger_accounts a ON a.id = t.from_account \
         WHERE a.county_code = $1 AND a.owner_kind = 'project' AND t.kind = 'disburse' \
         AND t.created_at <= $2 ORDER BY t.id",
        reached("paid")
    )))
    .bind(&w.shard)
    .bind(w.as_of)
    .fetch_all(&mut *conn)
    .await?
    {
        if !stands(w, &r)? || !by(opt_day("paid_on", r.try_get("paid_on")?)?, w.end) {
            continue;
        }
        if let Some(p) = projects.get_mut(&r.try_get::<i64, _>("project_id")?) {
            p.paid = p.paid.saturating_add(r.try_get("amount")?);
        }
    }
    for (id, p) in projects {
        let Some(day) = p.first_day else {
            continue;
        };
        let part = p.paid.saturating_sub(p.before).clamp(0, p.within);
        out.push(row(
            Measure::PaidOfArranged,
            ("project", id),
            p.name,
            day,
            (p.within, part),
        ));
    }
    Ok(())
}
