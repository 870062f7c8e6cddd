//! Book 1's facts: what each table books, how `verify` re-derives the running totals, the
//! transfers' states and the county codes, and the fact builders.

use super::*;

/// The tables of this feature whose rows are booked facts (listed in the log's registry).
pub(crate) const FACTS: &[FactTable] = &[
    FactTable {
        table: "funds",
        select: "SELECT id, county_code, region_code, source, fiscal_year, document_no, name, detention_days, created_at FROM funds",
        build: fund_facts,
        kinds: &[(
            "fund",
            "created_at",
            &[
                "region=region_code",
                "source",
                "fiscal_year",
                "document_no",
                "name",
                "detention_days",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "ledger_accounts",
        select: "SELECT id, county_code, fund_id, owner_kind, owner, region_code, project_id, created_at FROM ledger_accounts",
        build: account_facts,
        kinds: &[(
            "ledger_account",
            "created_at",
            &[
                "fund_id",
                "owner_kind",
                "owner",
                "region=region_code",
                "project_id",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "transfers",
        select: "SELECT t.id, t.county_code, t.client_id, t.fund_id, t.kind, t.from_account, t.to_account, t.payee, t.amount, \
                 t.booked_on, t.document_no, t.purpose, t.actor_id, t.reverses, t.created_at, \
                 COALESCE((SELECT a.region_code FROM ledger_accounts a WHERE a.id = COALESCE(t.from_account, t.to_account)), '') AS region_code \
                 FROM transfers t",
        build: transfer_facts,
        kinds: &[(
            "transfer",
            "created_at",
            &[
                "client_id",
                "fund_id",
                "kind",
                "from_account",
                "to_account",
                "payee",
                "amount_fen=amount",
                "booked_on",
                "document_no",
                "purpose",
                "actor_id",
                "reverses",
                "region=",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "transfer_events",
        select: "SELECT e.id, e.county_code, e.transfer_id, e.action, e.from_state, e.to_state, e.on_date, e.document_no, e.actor_id, e.at, \
                 COALESCE((SELECT a.region_code FROM transfers t JOIN ledger_accounts a ON a.id = COALESCE(t.from_account, t.to_account) \
                 WHERE t.id = e.transfer_id), '') AS region_code FROM transfer_events e",
        build: transfer_event_facts,
        kinds: &[(
            "transfer.event",
            "at",
            &[
                "transfer_id",
                "action",
                "from_state",
                "to_state",
                "on_date",
                "document_no",
                "actor_id",
                "region=",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "suspensions",
        select: "SELECT id, county_code, target_kind, target, region_code, reason, document_no, suspended_by, suspended_at, \
                 resumed_by, resumed_at, resume_document FROM suspensions",
        build: suspension_facts,
        kinds: &[
            (
                "suspension",
                "suspended_at",
                &[
                    "target_kind",
                    "target",
                    "region=region_code",
                    "reason",
                    "document_no",
                    "suspended_by",
                ],
            ),
            (
                "suspension.resume",
                "resumed_at",
                &["region=region_code", "resumed_by", "resume_document"],
            ),
        ],
        key: Key::Id,
        versioned: false,
    },
];

/// A transfer's state as its events give it (`alias` names the transfer): the last event's, else
/// where its kind starts.
fn state_of(alias: &str) -> String {
    format!(
        "COALESCE((SELECT e.to_state FROM transfer_events e WHERE e.transfer_id = {alias}.id ORDER BY e.id DESC LIMIT 1), \
         CASE {alias}.kind WHEN 'appropriate' THEN 'dispatched' WHEN 'disburse' THEN 'approved' END)"
    )
}

/// Book 1: funds, accounts, transfers and their events, suspensions; the running totals derived.
pub(crate) const BOOKING: Booking = Booking {
    facts: FACTS,
    derived: &[
        county(
            "funds",
            "",
            "t.region_code",
            "the first six digits of the fund's region",
        ),
        county(
            "ledger_accounts",
            "",
            "t.region_code",
            "the first six digits of the account's region",
        ),
        Derived {
            table: "ledger_accounts",
            columns: &["credited", "debited", "held", "in_transit", "received"],
            rule: "the account's transfers and their events: receipts, confirmed appropriations, arrangements, \
                   refunds and reversals in; appropriations, arrangements, refunds, paid payments and reversals out; \
                   approved or held payments held; unconfirmed appropriations in transit",
            check: Check::Code(account_totals),
        },
        Derived {
            table: "transfers",
            columns: &["county_code"],
            rule: "the county of the paying account (the receiving one for a receipt, the original's for a reversal)",
            check: Check::Sql(
                "SELECT CAST(t.id AS TEXT), t.county_code, a.county_code FROM transfers t \
                 LEFT JOIN ledger_accounts a ON a.id = CASE WHEN t.kind = 'receive' THEN t.to_account \
                 WHEN t.kind = 'reverse' THEN COALESCE(t.to_account, t.from_account) ELSE t.from_account END \
                 WHERE t.county_code IS DISTINCT FROM a.county_code",
            ),
        },
        Derived {
            table: "transfers",
            columns: &["state"],
            rule: "the last event of the transfer, else dispatched (an appropriation) or approved (a payment)",
            check: Check::Code(transfer_states),
        },
        Derived {
            table: "transfer_events",
            columns: &["county_code"],
            rule: "the county of the account the event acts on (the receiving one for a confirmation)",
            check: Check::Sql(
                "SELECT CAST(e.id AS TEXT), e.county_code, a.county_code FROM transfer_events e \
                 LEFT JOIN transfers t ON t.id = e.transfer_id \
                 LEFT JOIN ledger_accounts a ON a.id = CASE WHEN e.action = 'confirm' THEN t.to_account ELSE t.from_account END \
                 WHERE e.county_code IS DISTINCT FROM a.county_code",
            ),
        },
        county(
            "suspensions",
            "",
            "t.region_code",
            "the first six digits of the issuing unit's region",
        ),
    ],
    unbooked: &[Unbooked {
        table: "transfers",
        column: "content_hash",
        reason: "a digest of the request as it was sent (parts of which are not booked), used only to tell a retry \
                 from another request with the same client id: an edit can make a retry be refused, never book money",
    }],
};

fn transfer_states(pool: &Pool<DB>) -> BoxFut<'_, Result<Vec<Mismatch>>> {
    Box::pin(async move {
        let state = state_of("t");
        let q = format!(
            "SELECT CAST(t.id AS TEXT), t.state, {state} FROM transfers t WHERE t.state IS DISTINCT FROM {state}"
        );
        let rows = sqlx::query(AssertSqlSafe(q)).fetch_all(pool).await?;
        let mut out = Vec::new();
        for r in &rows {
            let key: String = r.try_get(0)?;
            out.push(Mismatch {
                sources: format!("the transfer_events of transfer {key}"),
                ..mismatch(
                    ("transfers", "state", "the last event of the transfer"),
                    key,
                    r.try_get(1)?,
                    r.try_get(2)?,
                )
            });
        }
        Ok(out)
    })
}

/// The running totals of one account.
#[derive(Default, Clone, Copy, PartialEq, Eq)]
struct Totals {
    credited: i64,
    debited: i64,
    held: i64,
    in_transit: i64,
    received: i64,
}

/// Re-derives every account's totals from the transfers and their states, in one pass over the
/// transfers in pages: each transfer's effect on its accounts as the bookings apply it through
/// `sunledger_core::ledger::Balance`, summed per account (a second implementation, so the two
/// must agree).
fn account_totals(pool: &Pool<DB>) -> BoxFut<'_, Result<Vec<Mismatch>>> {
    Box::pin(async move {
        let q = format!(
            "SELECT t.id, t.kind, t.from_account, t.to_account, t.amount, {} AS state, \
             CAST(CASE WHEN EXISTS (SELECT 1 FROM transfers r WHERE r.reverses = t.id) THEN 1 ELSE 0 END AS BIGINT) AS reversed, \
             (SELECT {} FROM transfers o WHERE o.id = t.reverses) AS original_state \
             FROM transfers t WHERE t.id > $1 ORDER BY t.id LIMIT $2",
            state_of("t"),
            state_of("o")
        );
        let mut totals: HashMap<i64, Totals> = HashMap::new();
        // The first transfers of each account, to name in a report.
        let mut touched: HashMap<i64, Vec<i64>> = HashMap::new();
        let mut after = 0i64;
        loop {
            let rows = sqlx::query(AssertSqlSafe(q.clone()))
                .bind(after)
                .bind(10_000i64)
                .fetch_all(pool)
                .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let id: i64 = r.try_get("id")?;
                after = id;
                let kind: String = r.try_get("kind")?;
                let from: Option<i64> = r.try_get("from_account")?;
                let to: Option<i64> = r.try_get("to_account")?;
                let amount: i64 = r.try_get("amount")?;
                let state: Option<String> = r.try_get("state")?;
                let live = r.try_get::<i64, _>("reversed")? == 0;
                let original: Option<String> = r.try_get("original_state")?;
                for a in [from, to].into_iter().flatten() {
                    let ids = touched.entry(a).or_default();
                    if ids.len() < 20 {
                        ids.push(id);
                    }
                }
                let mut add = |acc: Option<i64>, f: &dyn Fn(&mut Totals)| {
                    if let Some(a) = acc {
                        f(totals.entry(a).or_default());
                    }
                };
                match (kind.as_str(), state.as_deref()) {
                    ("receive", _) => add(to, &|t| t.credited += amount),
                    ("arrange" | "refund", _) => {
                        add(from, &|t| t.debited += amount);
                        add(to, &|t| t.credited += amount);
                    }
                    ("appropriate", st) => {
                        add(from, &|t| t.debited += amount);
                        match st {
                            Some("received") => add(to, &|t| {
                                t.credited += amount;
                                if live {
                                    t.received += amount;
                                }
                            }),
                            Some("dispatched") if live => add(to, &|t| t.in_transit += amount),
                            _ => {}
                        }
                    }
                    ("disburse", Some("approved" | "held")) => add(from, &|t| t.held += amount),
                    ("disburse", Some("paid")) => add(from, &|t| t.debited += amount),
                    ("reverse", _) => {
                        // The money goes back where the original took it from; the account the
                        // original credited gives it up (from transit, if never confirmed).
                        add(to, &|t| t.credited += amount);
                        if original.as_deref() != Some("dispatched") {
                            add(from, &|t| t.debited += amount);
                        }
                    }
                    _ => {}
                }
            }
        }
        let rows = sqlx::query(
            "SELECT id, credited, debited, held, in_transit, received FROM ledger_accounts ORDER BY id",
        )
        .fetch_all(pool)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get(0)?;
            let want = totals.get(&id).copied().unwrap_or_default();
            let cols: [(&'static str, i64); 5] = [
                ("credited", want.credited),
                ("debited", want.debited),
                ("held", want.held),
                ("in_transit", want.in_transit),
                ("received", want.received),
            ];
            for (i, (column, derived)) in cols.into_iter().enumerate() {
                let stored: i64 = r.try_get(i + 1)?;
                if stored != derived {
                    let ids = touched.get(&id).cloned().unwrap_or_default();
                    out.push(Mismatch {
                        sources: if ids.is_empty() {
                            "no transfers".into()
                        } else {
                            format!(
                                "transfers {}",
                                ids.iter()
                                    .map(i64::to_string)
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        },
                        ..mismatch(
                            ("ledger_accounts", column, "the account's transfers"),
                            id,
                            Some(Money::from_fen(stored).to_string()),
                            Some(Money::from_fen(derived).to_string()),
                        )
                    });
                }
            }
        }
        Ok(out)
    })
}

pub(crate) fn account_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "ledger_account",
            "ledger_accounts",
            r.try_get("id")?,
            r.try_get("created_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("fund_id", r.try_get::<i64, _>("fund_id")?)
        .field("owner_kind", r.try_get::<String, _>("owner_kind")?)
        .field("owner", r.try_get::<String, _>("owner")?)
        .field("region", r.try_get::<String, _>("region_code")?)
        .field("project_id", r.try_get::<Option<i64>, _>("project_id")?),
    ])
}

pub(crate) fn fund_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new("fund", "funds", r.try_get("id")?, r.try_get("created_at")?)
            .county(Some(r.try_get::<String, _>("county_code")?))
            .field("region", r.try_get::<String, _>("region_code")?)
            .field("source", r.try_get::<String, _>("source")?)
            .field("fiscal_year", r.try_get::<i64, _>("fiscal_year")?)
            .field("document_no", r.try_get::<String, _>("document_no")?)
            .field("name", r.try_get::<String, _>("name")?)
            .field("detention_days", r.try_get::<i64, _>("detention_days")?),
    ])
}

/// A transfer's booked columns (its `state` changes by `transfer.event` facts).
pub(crate) fn transfer_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "transfer",
            "transfers",
            r.try_get("id")?,
            r.try_get("created_at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("client_id", r.try_get::<String, _>("client_id")?)
        .field("fund_id", r.try_get::<i64, _>("fund_id")?)
        .field("kind", r.try_get::<String, _>("kind")?)
        .field("from_account", r.try_get::<Option<i64>, _>("from_account")?)
        .field("to_account", r.try_get::<Option<i64>, _>("to_account")?)
        .field("payee", r.try_get::<Option<String>, _>("payee")?)
        .field("amount_fen", r.try_get::<i64, _>("amount")?)
        .field("booked_on", r.try_get::<String, _>("booked_on")?)
        .field("document_no", r.try_get::<String, _>("document_no")?)
        .field("purpose", r.try_get::<String, _>("purpose")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?)
        .field("reverses", r.try_get::<Option<i64>, _>("reverses")?)
        .field("region", r.try_get::<String, _>("region_code")?),
    ])
}

pub(crate) fn transfer_event_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "transfer.event",
            "transfer_events",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("transfer_id", r.try_get::<i64, _>("transfer_id")?)
        .field("action", r.try_get::<String, _>("action")?)
        .field("from_state", r.try_get::<Option<String>, _>("from_state")?)
        .field("to_state", r.try_get::<String, _>("to_state")?)
        .field("on_date", r.try_get::<String, _>("on_date")?)
        .field("document_no", r.try_get::<String, _>("document_no")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?)
        .field("region", r.try_get::<String, _>("region_code")?),
    ])
}

pub(crate) fn suspension_facts(r: &DbRow) -> Result<Vec<Fact>> {
    let id: i64 = r.try_get("id")?;
    let county = Some(r.try_get::<String, _>("county_code")?);
    let region: String = r.try_get("region_code")?;
    let mut out = vec![
        Fact::new("suspension", "suspensions", id, r.try_get("suspended_at")?)
            .county(county.clone())
            .field("target_kind", r.try_get::<String, _>("target_kind")?)
            .field("target", r.try_get::<String, _>("target")?)
            .field("region", region.clone())
            .field("reason", r.try_get::<String, _>("reason")?)
            .field("document_no", r.try_get::<String, _>("document_no")?)
            .field("suspended_by", r.try_get::<Option<i64>, _>("suspended_by")?),
    ];
    let resumed_by = r.try_get::<Option<i64>, _>("resumed_by")?;
    let resume_document = r.try_get::<Option<String>, _>("resume_document")?;
    if let Some(at) = later(
        r.try_get("resumed_at")?,
        &[resumed_by.is_some(), resume_document.is_some()],
    ) {
        out.push(
            Fact::new("suspension.resume", "suspensions", id, at)
                .county(county)
                .field("region", region)
                .field("resumed_by", resumed_by)
                .field("resume_document", resume_document),
        );
    }
    Ok(out)
}
