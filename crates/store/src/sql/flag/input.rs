//! Reads the rows of one shard (a county, or the city's own rows) into core `flag::Input`: the
//! region accounts with the money into and out of them, appropriations, payments, projects,
//! beneficiaries, the people on the roll, the imported lists and the evaluations due.

use super::*;
use sunledger_core::flag::{
    Account, Appropriation, Beneficiary, Evaluation, Input, ListEntry, ListKind, Official, Payment,
    Project,
};
use sunledger_core::ledger::FundSource;

type Conn = <DB as sqlx::Database>::Connection;

fn day_of(field: &str, s: &str) -> Result<i64> {
    sunledger_core::day::parse("day", s)
        .map_err(|e| StoreError::Corrupt(format!("{field} {s:?}: {e}")))
}

fn opt_day(field: &str, s: Option<String>) -> Result<Option<i64>> {
    s.map(|s| day_of(field, &s)).transpose()
}

fn source_of(s: &str) -> Result<FundSource> {
    FundSource::parse(s).map_err(|e| StoreError::Corrupt(format!("fund source {s:?}: {e}")))
}

/// Not reversed by a later correction.
const LIVE: &str = "NOT EXISTS (SELECT 1 FROM transfers r WHERE r.reverses = t.id)";

pub(super) async fn read(conn: &mut Conn, unit: &RegionCode, today: i64) -> Result<Input> {
    let shard = unit.county_code().to_string();
    let city_shard = format!("{}00", shard.get(..4).unwrap_or(""));
    let mut input = Input {
        today,
        ..Input::default()
    };

    // Region accounts, their credits (as the dashboard's detention reads them) and outflows.
    let mut accounts: BTreeMap<i64, Account> = BTreeMap::new();
    for r in sqlx::query(
        "SELECT a.id, a.fund_id, f.name AS fund, f.source, a.region_code, f.detention_days \
         FROM ledger_accounts a JOIN funds f ON f.id = a.fund_id \
         WHERE a.county_code = $1 AND a.owner_kind = 'region' ORDER BY a.id",
    )
    .bind(&shard)
    .fetch_all(&mut *conn)
    .await?
    {
        let id: i64 = r.try_get("id")?;
        accounts.insert(
            id,
            Account {
                id,
                fund_id: r.try_get("fund_id")?,
                fund: r.try_get("fund")?,
                source: source_of(&r.try_get::<String, _>("source")?)?,
                region: code(&r.try_get::<String, _>("region_code")?)?,
                detention_days: r.try_get("detention_days")?,
                credits: Vec::new(),
                outflows: Vec::new(),
            },
        );
    }
    for r in sqlx::query(AssertSqlSafe(format!(
        "SELECT t.to_account AS account, t.id, t.amount, \
         COALESCE((SELECT MIN(e.on_date) FROM transfer_events e WHERE e.transfer_id = t.id AND e.action = 'confirm'), t.booked_on) AS day \
         FROM transfers t JOIN ledger_accounts a ON a.id = t.to_account \
         WHERE a.county_code = $1 AND a.owner_kind = 'region' \
         AND t.kind IN ('receive', 'appropriate', 'arrange', 'refund') \
         AND (t.kind <> 'appropriate' OR t.state = 'received') AND {LIVE} ORDER BY t.id"
    )))
    .bind(&shard)
    .fetch_all(&mut *conn)
    .await?
    {
        let account: i64 = r.try_get("account")?;
        let day = day_of("transfer day", &r.try_get::<String, _>("day")?)?;
        if let Some(a) = accounts.get_mut(&account) {
            a.credits.push((day, Money::from_fen(r.try_get("amount")?), r.try_get("id")?));
        }
    }
    for r in sqlx::query(AssertSqlSafe(format!(
        "SELECT t.from_account AS account, t.amount, t.booked_on FROM transfers t \
         JOIN ledger_accounts a ON a.id = t.from_account \
         WHERE a.county_code = $1 AND a.owner_kind = 'region' \
         AND t.kind IN ('appropriate', 'arrange', 'disburse', 'refund') \
         AND (t.state IS NULL OR t.state <> 'voided') AND {LIVE} ORDER BY t.id"
    )))
    .bind(&shard)
    .fetch_all(&mut *conn)
    .await?
    {
        let account: i64 = r.try_get("account")?;
        let day = day_of("transfer day", &r.try_get::<String, _>("booked_on")?)?;
        if let Some(a) = accounts.get_mut(&account) {
            a.outflows
                .push((day, Money::from_fen(r.try_get("amount")?)));
        }
    }
    for a in accounts.values_mut() {
        a.credits.sort_by_key(|c| (c.0, c.2));
        a.outflows.sort_by_key(|o| o.0);
    }
    input.accounts = accounts.into_values().collect();

    // Appropriations into this shard's regions.
    for r in sqlx::query(
        "SELECT t.id, t.fund_id, f.name AS fund, fa.region_code AS from_region, ta.region_code AS to_region, \
         t.amount, t.booked_on, CASE WHEN t.state = 'received' THEN COALESCE((SELECT MIN(e.on_date) FROM transfer_events e \
         WHERE e.transfer_id = t.id AND e.action = 'confirm'), t.booked_on) END AS received_on, \
         CAST(CASE WHEN EXISTS (SELECT 1 FROM transfers r WHERE r.reverses = t.id) THEN 1 ELSE 0 END AS BIGINT) AS reversed \
         FROM transfers t JOIN funds f ON f.id = t.fund_id JOIN ledger_accounts fa ON fa.id = t.from_account \
         JOIN ledger_accounts ta ON ta.id = t.to_account \
         WHERE ta.county_code = $1 AND t.kind = 'appropriate' ORDER BY t.id",
    )
    .bind(&shard)
    .fetch_all(&mut *conn)
    .await?
    {
        input.appropriations.push(Appropriation {
            id: r.try_get("id")?,
            fund_id: r.try_get("fund_id")?,
            fund: r.try_get("fund")?,
            from: code(&r.try_get::<String, _>("from_region")?)?,
            to: code(&r.try_get::<String, _>("to_region")?)?,
            amount: Money::from_fen(r.try_get("amount")?),
            booked_on: day_of("booked_on", &r.try_get::<String, _>("booked_on")?)?,
            received_on: opt_day("received_on", r.try_get("received_on")?)?,
            reversed: r.try_get::<i64, _>("reversed")? != 0,
        });
    }

    // Payments from the shard's project accounts, not voided, not reversed.
    for r in sqlx::query(AssertSqlSafe(format!(
        "SELECT t.id, pa.project_id, p.name AS project, p.region_code, f.source, COALESCE(t.payee, '') AS payee, \
         t.amount, t.booked_on, t.state FROM transfers t JOIN ledger_accounts pa ON pa.id = t.from_account \
         JOIN projects p ON p.id = pa.project_id JOIN funds f ON f.id = t.fund_id \
         WHERE pa.county_code = $1 AND t.kind = 'disburse' AND t.state IN ('approved', 'held', 'paid') AND {LIVE} \
         ORDER BY t.id"
    )))
    .bind(&shard)
    .fetch_all(&mut *conn)
    .await?
    {
        input.payments.push(Payment {
            id: r.try_get("id")?,
            project_id: r.try_get("project_id")?,
            project: r.try_get("project")?,
            region: code(&r.try_get::<String, _>("region_code")?)?,
            source: source_of(&r.try_get::<String, _>("source")?)?,
            payee: r.try_get("payee")?,
            amount: Money::from_fen(r.try_get("amount")?),
            booked_on: day_of("booked_on", &r.try_get::<String, _>("booked_on")?)?,
            state: PaymentState::parse(&r.try_get::<String, _>("state")?)
                .map_err(|e| StoreError::Corrupt(format!("payment state: {e}")))?,
        });
    }

    // Projects, with the approved budget and the days of their status steps.
    for r in sqlx::query(
        "SELECT p.id, p.name, p.region_code, p.approved_version, \
         (SELECT v.budget FROM project_versions v WHERE v.project_id = p.id AND v.version = p.approved_version) AS budget, \
         (SELECT MIN(e.on_date) FROM project_events e WHERE e.project_id = p.id AND e.to_state = 'in_progress') AS started_on, \
         (SELECT MIN(e.on_date) FROM project_events e WHERE e.project_id = p.id AND e.to_state = 'completed') AS completed_on, \
         (SELECT MIN(e.on_date) FROM project_events e WHERE e.project_id = p.id AND e.to_state = 'accepted') AS accepted_on, \
         (SELECT MAX(u.on_date) FROM milestone_updates u WHERE u.project_id = p.id) AS updated_on \
         FROM projects p WHERE p.county_code = $1 ORDER BY p.id",
    )
    .bind(&shard)
    .fetch_all(&mut *conn)
    .await?
    {
        let budget = match r.try_get::<Option<String>, _>("budget")? {
            Some(b) => sunledger_core::project::Budget::decode(&b)
                .map_err(|e| StoreError::Corrupt(format!("project budget {b:?}: {e}")))?
                .lines()
                .to_vec(),
            None => Vec::new(),
        };
        let started_on = opt_day("started_on", r.try_get("started_on")?)?;
        let updated_on = opt_day("updated_on", r.try_get("updated_on")?)?;
        input.projects.push(Project {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            region: code(&r.try_get::<String, _>("region_code")?)?,
            approved: r.try_get::<Option<i64>, _>("approved_version")?.is_some(),
            budget,
            started_on,
            completed_on: opt_day("completed_on", r.try_get("completed_on")?)?,
            accepted_on: opt_day("accepted_on", r.try_get("accepted_on")?)?,
            last_progress_on: updated_on.max(started_on),
        });
    }

    for r in sqlx::query(
        "SELECT b.id, b.project_id, p.name AS project, p.region_code, b.name, b.id_number \
         FROM project_beneficiaries b JOIN projects p ON p.id = b.project_id WHERE b.county_code = $1 ORDER BY b.id",
    )
    .bind(&shard)
    .fetch_all(&mut *conn)
    .await?
    {
        input.beneficiaries.push(Beneficiary {
            id: r.try_get("id")?,
            project_id: r.try_get("project_id")?,
            project: r.try_get("project")?,
            region: code(&r.try_get::<String, _>("region_code")?)?,
            name: r.try_get("name")?,
            id_number: r.try_get("id_number")?,
        });
    }

    for r in sqlx::query(
        "SELECT pe.id, pe.name, pe.region_code, d.name AS department, pe.position FROM people pe \
         JOIN departments d ON d.id = pe.department_id WHERE pe.county_code = $1 ORDER BY pe.id",
    )
    .bind(&shard)
    .fetch_all(&mut *conn)
    .await?
    {
        input.officials.push(Official {
            person_id: r.try_get("id")?,
            name: r.try_get("name")?,
            region: code(&r.try_get::<String, _>("region_code")?)?,
            department: r.try_get("department")?,
            position: r.try_get("position")?,
        });
    }

    // The lists imported for the county or for the whole city.
    for r in sqlx::query(
        "SELECT e.id, l.kind, e.name, e.id_number, e.relation, e.of_name FROM crosscheck_entries e \
         JOIN crosscheck_lists l ON l.id = e.list_id \
         WHERE l.county_code IN ($1, $2) AND l.kind IN ('public_payroll', 'cadre_relatives', 'deceased') ORDER BY e.id",
    )
    .bind(&shard)
    .bind(&city_shard)
    .fetch_all(&mut *conn)
    .await?
    {
        input.lists.push(ListEntry {
            id: r.try_get("id")?,
            kind: ListKind::parse(&r.try_get::<String, _>("kind")?)
                .map_err(|e| StoreError::Corrupt(format!("list kind: {e}")))?,
            name: r.try_get("name")?,
            id_number: r.try_get("id_number")?,
            relation: r.try_get("relation")?,
            of_name: r.try_get("of_name")?,
        });
    }

    for r in sqlx::query(
        "SELECT e.id, e.project_id, p.name AS project, p.region_code, e.due_on, e.state FROM evaluations e \
         JOIN projects p ON p.id = e.project_id WHERE e.county_code = $1 ORDER BY e.id",
    )
    .bind(&shard)
    .fetch_all(&mut *conn)
    .await?
    {
        input.evaluations.push(Evaluation {
            id: r.try_get("id")?,
            project_id: r.try_get("project_id")?,
            project: r.try_get("project")?,
            region: code(&r.try_get::<String, _>("region_code")?)?,
            due_on: day_of("due_on", &r.try_get::<String, _>("due_on")?)?,
            done: r.try_get::<String, _>("state")? != "due",
        });
    }
    // The names of the unit's regions and of those above it.
    let (lo, hi) = subtree_range(unit);
    for r in sqlx::query("SELECT code, name FROM regions WHERE code >= $1 AND code <= $2")
        .bind(lo)
        .bind(hi)
        .fetch_all(&mut *conn)
        .await?
    {
        input
            .names
            .insert(code(&r.try_get::<String, _>(0)?)?, r.try_get(1)?);
    }
    for a in unit.lineage() {
        if let Some(n) = sqlx::query_scalar::<_, String>("SELECT name FROM regions WHERE code = $1")
            .bind(a.as_str())
            .fetch_optional(&mut *conn)
            .await?
        {
            input.names.insert(a, n);
        }
    }
    Ok(input)
}
