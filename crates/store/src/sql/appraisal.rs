//! The household appraisal: cross-check lists (`lists.rs`), rounds and their writes (`write.rs`),
//! the facts of both and how `verify` covers them, and the reads.

use super::*;
use sunledger_core::appraisal::{self as appr, HitDecision, RoundAction, RoundState};

mod lists;
mod write;

fn text(r: &DbRow, c: &str) -> Result<String> {
    Ok(r.try_get::<String, _>(c)?)
}
fn int(r: &DbRow, c: &str) -> Result<i64> {
    Ok(r.try_get::<i64, _>(c)?)
}
fn otext(r: &DbRow, c: &str) -> Result<Option<String>> {
    Ok(r.try_get::<Option<String>, _>(c)?)
}
fn oint(r: &DbRow, c: &str) -> Result<Option<i64>> {
    Ok(r.try_get::<Option<i64>, _>(c)?)
}
fn base(kind: &'static str, table: &'static str, r: &DbRow, at: &str) -> Result<Fact> {
    Ok(Fact::new(kind, table, int(r, "id")?, int(r, at)?).county(Some(text(r, "county_code")?)))
}

/// The tables of this feature whose rows are booked facts (listed in the log's registry).
pub(super) const FACTS: &[FactTable] = &[
    FactTable {
        table: "crosscheck_lists",
        select: "SELECT id, county_code, region_code, kind, imported_on, imported_by, file_sha256, row_count, at \
                 FROM crosscheck_lists",
        build: list_facts,
        kinds: &[(
            "crosscheck_list",
            "at",
            &[
                "region=region_code",
                "kind",
                "imported_on",
                "imported_by",
                "file_sha256",
                "row_count",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "crosscheck_entries",
        select: "SELECT id, county_code, list_id, row_no, name, id_number, relation, of_name, village_code, note, at \
                 FROM crosscheck_entries",
        build: entry_facts,
        kinds: &[(
            "crosscheck_entry",
            "at",
            &[
                "list_id",
                "row_no",
                "name",
                "id_number",
                "relation",
                "of_name",
                "village=village_code",
                "note",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "appraisal_rounds",
        select: "SELECT id, county_code, region_code, year, kind, notice_days, township_percent, county_percent, \
                 created_by, created_at FROM appraisal_rounds",
        build: round_facts,
        kinds: &[(
            "appraisal_round",
            "created_at",
            &[
                "region=region_code",
                "year",
                "kind",
                "notice_days",
                "township_percent",
                "county_percent",
                "created_by",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "appraisal_applicants",
        select: "SELECT id, county_code, round_id, household_id, head_name, reason, income_evidence, applied_on, \
                 actor_id, at, removed_on, removed_reason, removed_cause, removed_by, removed_at FROM appraisal_applicants",
        build: applicant_facts,
        kinds: &[
            (
                "appraisal_applicant",
                "at",
                &[
                    "round_id",
                    "household_id",
                    "head_name",
                    "reason",
                    "income_evidence",
                    "applied_on",
                    "actor_id",
                ],
            ),
            (
                "appraisal_applicant.remove",
                "removed_at",
                &[
                    "removed_on",
                    "removed_reason",
                    "removed_cause",
                    "removed_by",
                ],
            ),
        ],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "appraisal_hits",
        select: "SELECT id, county_code, applicant_id, entry_id, matched_by, at, decision, decision_reason, decided_by, \
                 decided_at FROM appraisal_hits",
        build: hit_facts,
        kinds: &[
            (
                "appraisal_hit",
                "at",
                &["applicant_id", "entry_id", "matched_by"],
            ),
            (
                "appraisal_hit.decide",
                "decided_at",
                &["decision", "decision_reason", "decided_by"],
            ),
        ],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "appraisal_votes",
        select: "SELECT id, county_code, applicant_id, item_id, outcome, actor_id, at FROM appraisal_votes",
        build: vote_facts,
        kinds: &[(
            "appraisal_vote",
            "at",
            &["applicant_id", "item_id", "outcome", "actor_id"],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "appraisal_samples",
        select: "SELECT id, county_code, round_id, level, seed, percent, population, sample, actor_id, at \
                 FROM appraisal_samples",
        build: sample_facts,
        kinds: &[(
            "appraisal_sample",
            "at",
            &[
                "round_id",
                "level",
                "seed",
                "percent",
                "population",
                "sample",
                "actor_id",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "appraisal_checks",
        select: "SELECT id, county_code, sample_id, applicant_id, passed, note, actor_id, at FROM appraisal_checks",
        build: check_facts,
        kinds: &[(
            "appraisal_check",
            "at",
            &["sample_id", "applicant_id", "passed", "note", "actor_id"],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "appraisal_steps",
        select: "SELECT id, county_code, round_id, action, from_state, to_state, on_date, document, comment, notice_id, \
                 actor_id, at FROM appraisal_steps",
        build: step_facts,
        kinds: &[(
            "appraisal_step",
            "at",
            &[
                "round_id",
                "action",
                "from_state",
                "to_state",
                "on_date",
                "document",
                "comment",
                "notice_id",
                "actor_id",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "household_status_changes",
        select: "SELECT id, county_code, household_id, poor, round_id, step_id, at FROM household_status_changes",
        build: change_facts,
        kinds: &[(
            "household_status_change",
            "at",
            &["household_id", "poor", "round_id", "step_id"],
        )],
        key: Key::Id,
        versioned: false,
    },
];

const BY_ROUND: &str = "LEFT JOIN appraisal_rounds x ON x.id = t.round_id";
const BY_APPLICANT: &str = "LEFT JOIN appraisal_applicants a ON a.id = t.applicant_id \
    LEFT JOIN appraisal_rounds x ON x.id = a.round_id";
const OF_ROUND: &str = "the county of the round's village";

/// How `verify` covers this feature's tables (listed in the log's registry).
pub(super) const BOOKING: Booking = Booking {
    facts: FACTS,
    derived: &[
        county(
            "crosscheck_lists",
            "",
            "t.region_code",
            "the first six digits of the list's region",
        ),
        county(
            "crosscheck_entries",
            "LEFT JOIN crosscheck_lists l ON l.id = t.list_id",
            "l.region_code",
            "the county of the entry's list",
        ),
        county(
            "appraisal_rounds",
            "",
            "t.region_code",
            "the first six digits of the round's village",
        ),
        Derived {
            table: "appraisal_rounds",
            columns: &["state"],
            rule: "the round's steps: the last one's state, else open (sunledger_core::appraisal::next)",
            check: Check::Sql(
                "SELECT CAST(r.id AS TEXT), r.state, COALESCE((SELECT s.to_state FROM appraisal_steps s \
                 WHERE s.round_id = r.id ORDER BY s.id DESC LIMIT 1), 'open') FROM appraisal_rounds r",
            ),
        },
        county("appraisal_applicants", BY_ROUND, "x.region_code", OF_ROUND),
        county("appraisal_hits", BY_APPLICANT, "x.region_code", OF_ROUND),
        county("appraisal_votes", BY_APPLICANT, "x.region_code", OF_ROUND),
        county("appraisal_samples", BY_ROUND, "x.region_code", OF_ROUND),
        Derived {
            table: "appraisal_samples",
            columns: &["sample"],
            rule: "the sample drawn from the seed, the population and the percent by the published recipe \
                   (sunledger_core::appraisal::sample: SHA-256 of seed, `appraisal:<round>:<level>`, id; lowest first)",
            check: Check::Code(samples),
        },
        county(
            "appraisal_checks",
            "LEFT JOIN appraisal_samples m ON m.id = t.sample_id LEFT JOIN appraisal_rounds x ON x.id = m.round_id",
            "x.region_code",
            OF_ROUND,
        ),
        county("appraisal_steps", BY_ROUND, "x.region_code", OF_ROUND),
        county(
            "household_status_changes",
            "LEFT JOIN households h ON h.id = t.household_id",
            "h.region_code",
            "the county of the household's village",
        ),
        Derived {
            table: "households",
            columns: &["poor"],
            rule: "the flag the latest announcement gave the household (household_status_changes), else the flag \
                   as registered: it changes only through an announcement",
            check: Check::Sql(
                "SELECT CAST(h.id AS TEXT), CAST(h.poor AS TEXT), CAST(COALESCE((SELECT c.poor FROM household_status_changes c \
                 WHERE c.household_id = h.id ORDER BY c.id DESC LIMIT 1), h.registered_poor) AS TEXT) FROM households h",
            ),
        },
    ],
    unbooked: &[],
};

fn list_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        base("crosscheck_list", "crosscheck_lists", r, "at")?
            .field("region", text(r, "region_code")?)
            .field("kind", text(r, "kind")?)
            .field("imported_on", text(r, "imported_on")?)
            .field("imported_by", oint(r, "imported_by")?)
            .field("file_sha256", text(r, "file_sha256")?)
            .field("row_count", int(r, "row_count")?),
    ])
}

fn entry_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        base("crosscheck_entry", "crosscheck_entries", r, "at")?
            .field("list_id", int(r, "list_id")?)
            .field("row_no", int(r, "row_no")?)
            .field("name", text(r, "name")?)
            .field("id_number", text(r, "id_number")?)
            .field("relation", text(r, "relation")?)
            .field("of_name", text(r, "of_name")?)
            .field("village", otext(r, "village_code")?)
            .field("note", text(r, "note")?),
    ])
}

fn round_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        base("appraisal_round", "appraisal_rounds", r, "created_at")?
            .field("region", text(r, "region_code")?)
            .field("year", int(r, "year")?)
            .field("kind", text(r, "kind")?)
            .field("notice_days", int(r, "notice_days")?)
            .field("township_percent", int(r, "township_percent")?)
            .field("county_percent", int(r, "county_percent")?)
            .field("created_by", oint(r, "created_by")?),
    ])
}

fn applicant_facts(r: &DbRow) -> Result<Vec<Fact>> {
    let mut out = vec![
        base("appraisal_applicant", "appraisal_applicants", r, "at")?
            .field("round_id", int(r, "round_id")?)
            .field("household_id", int(r, "household_id")?)
            .field("head_name", text(r, "head_name")?)
            .field("reason", text(r, "reason")?)
            .field("income_evidence", text(r, "income_evidence")?)
            .field("applied_on", text(r, "applied_on")?)
            .field("actor_id", oint(r, "actor_id")?),
    ];
    let (on, reason, cause, by) = (
        otext(r, "removed_on")?,
        otext(r, "removed_reason")?,
        otext(r, "removed_cause")?,
        oint(r, "removed_by")?,
    );
    let filled = [
        on.is_some(),
        reason.is_some(),
        cause.is_some(),
        by.is_some(),
    ];
    if let Some(at) = later(oint(r, "removed_at")?, &filled) {
        out.push(
            Fact::new(
                "appraisal_applicant.remove",
                "appraisal_applicants",
                int(r, "id")?,
                at,
            )
            .county(Some(text(r, "county_code")?))
            .field("removed_on", on)
            .field("removed_reason", reason)
            .field("removed_cause", cause)
            .field("removed_by", by),
        );
    }
    Ok(out)
}

fn hit_facts(r: &DbRow) -> Result<Vec<Fact>> {
    let mut out = vec![
        base("appraisal_hit", "appraisal_hits", r, "at")?
            .field("applicant_id", int(r, "applicant_id")?)
            .field("entry_id", int(r, "entry_id")?)
            .field("matched_by", text(r, "matched_by")?),
    ];
    let (d, why, by) = (
        otext(r, "decision")?,
        otext(r, "decision_reason")?,
        oint(r, "decided_by")?,
    );
    let filled = [d.is_some(), why.is_some(), by.is_some()];
    if let Some(at) = later(oint(r, "decided_at")?, &filled) {
        out.push(
            Fact::new("appraisal_hit.decide", "appraisal_hits", int(r, "id")?, at)
                .county(Some(text(r, "county_code")?))
                .field("decision", d)
                .field("decision_reason", why)
                .field("decided_by", by),
        );
    }
    Ok(out)
}

fn vote_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        base("appraisal_vote", "appraisal_votes", r, "at")?
            .field("applicant_id", int(r, "applicant_id")?)
            .field("item_id", int(r, "item_id")?)
            .field("outcome", text(r, "outcome")?)
            .field("actor_id", oint(r, "actor_id")?),
    ])
}

fn sample_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        base("appraisal_sample", "appraisal_samples", r, "at")?
            .field("round_id", int(r, "round_id")?)
            .field("level", text(r, "level")?)
            .field("seed", text(r, "seed")?)
            .field("percent", int(r, "percent")?)
            .field("population", text(r, "population")?)
            .field("sample", text(r, "sample")?)
            .field("actor_id", oint(r, "actor_id")?),
    ])
}

fn check_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        base("appraisal_check", "appraisal_checks", r, "at")?
            .field("sample_id", int(r, "sample_id")?)
            .field("applicant_id", int(r, "applicant_id")?)
            .field("passed", int(r, "passed")?)
            .field("note", text(r, "note")?)
            .field("actor_id", oint(r, "actor_id")?),
    ])
}

fn step_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        base("appraisal_step", "appraisal_steps", r, "at")?
            .field("round_id", int(r, "round_id")?)
            .field("action", text(r, "action")?)
            .field("from_state", text(r, "from_state")?)
            .field("to_state", text(r, "to_state")?)
            .field("on_date", text(r, "on_date")?)
            .field("document", text(r, "document")?)
            .field("comment", text(r, "comment")?)
            .field("notice_id", oint(r, "notice_id")?)
            .field("actor_id", oint(r, "actor_id")?),
    ])
}

fn change_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        base(
            "household_status_change",
            "household_status_changes",
            r,
            "at",
        )?
        .field("household_id", int(r, "household_id")?)
        .field("poor", int(r, "poor")?)
        .field("round_id", int(r, "round_id")?)
        .field("step_id", int(r, "step_id")?),
    ])
}

/// The sample of a population by the recipe (`ids` comma-separated), comma-separated.
pub(crate) fn draw_text(seed: &str, round: i64, level: &str, ids: &str, percent: i64) -> String {
    let list: Vec<&str> = ids.split(',').filter(|s| !s.is_empty()).collect();
    let p = u32::try_from(percent.clamp(0, 100)).unwrap_or(100);
    appr::sample(seed, round, level, &list, p).join(",")
}

fn samples(pool: &Pool<DB>) -> BoxFut<'_, Result<Vec<Mismatch>>> {
    Box::pin(async move {
        let rows = sqlx::query(
            "SELECT id, round_id, level, seed, percent, population, sample FROM appraisal_samples ORDER BY id",
        )
        .fetch_all(pool)
        .await?;
        let rule = "the sample drawn from its seed (sunledger_core::appraisal::sample)";
        let mut out = Vec::new();
        for r in &rows {
            let id = int(r, "id")?;
            let stored = text(r, "sample")?;
            let derived = draw_text(
                &text(r, "seed")?,
                int(r, "round_id")?,
                &text(r, "level")?,
                &text(r, "population")?,
                int(r, "percent")?,
            );
            if stored != derived {
                out.push(mismatch(
                    ("appraisal_samples", "sample", rule),
                    id,
                    Some(stored),
                    Some(derived),
                ));
            }
        }
        Ok(out)
    })
}

mod read;
use read::*;

#[async_trait]
impl AppraisalStore for StoreImpl {
    async fn import_crosscheck_list(
        &self,
        l: &NewCrosscheckList,
        actor: Option<i64>,
        now: i64,
    ) -> Result<CrosscheckList> {
        lists::import(self, l, actor, now).await
    }

    async fn crosscheck_lists(&self, scopes: &[RegionCode]) -> Result<Vec<CrosscheckList>> {
        lists::lists(self, scopes).await
    }

    async fn crosscheck_list(
        &self,
        id: i64,
    ) -> Result<Option<(CrosscheckList, Vec<CrosscheckEntry>)>> {
        lists::list(self, id).await
    }

    async fn crosscheck_hits(
        &self,
        county: &str,
        village: Option<&RegionCode>,
        name: &str,
        id_number: Option<&str>,
    ) -> Result<Vec<CrosscheckHit>> {
        let mut conn = self.pool.acquire().await?;
        lists::hits(&mut conn, county, village, name, id_number).await
    }

    async fn open_round(&self, r: &NewRound, actor: Option<i64>, now: i64) -> Result<Round> {
        write::open(self, r, actor, now).await
    }

    async fn apply(&self, a: &NewApplicant, actor: Option<i64>, now: i64) -> Result<Applicant> {
        write::apply(self, a, actor, now).await
    }

    async fn round_step(
        &self,
        round_id: i64,
        action: RoundAction,
        s: &StepInput,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Round> {
        write::step(self, round_id, action, s, actor, now).await
    }

    async fn decide_hit(
        &self,
        hit_id: i64,
        decision: HitDecision,
        reason: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Round> {
        write::decide(self, hit_id, decision, reason, actor, now).await
    }

    async fn record_vote(
        &self,
        applicant_id: i64,
        item_id: i64,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Round> {
        write::vote(self, applicant_id, item_id, actor, now).await
    }

    async fn draw_round_sample(
        &self,
        round_id: i64,
        level: &str,
        seed: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Round> {
        write::draw(self, round_id, level, seed, actor, now).await
    }

    async fn check_sampled(
        &self,
        round_id: i64,
        applicant_id: i64,
        passed: bool,
        note: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Round> {
        write::check(self, round_id, applicant_id, passed, note, actor, now).await
    }

    async fn answer_round_objection(
        &self,
        objection_id: i64,
        answer: &str,
        remove: Option<i64>,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Round> {
        write::answer(self, objection_id, answer, remove, actor, now).await
    }

    async fn round(&self, id: i64, now: i64) -> Result<Option<RoundRecord>> {
        let mut conn = self.pool.acquire().await?;
        let round = sqlx::query(AssertSqlSafe(format!("{ROUND_SELECT} WHERE r.id = $1")))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .as_ref()
            .map(round_row)
            .transpose()?;
        match round {
            Some(r) => Ok(Some(
                round_record_of(&mut conn, r, sunledger_core::day::today(now)).await?,
            )),
            None => Ok(None),
        }
    }

    async fn rounds(&self, scopes: &[RegionCode]) -> Result<Vec<Round>> {
        let mut qb: QueryBuilder<DB> = QueryBuilder::new(ROUND_SELECT);
        qb.push(" WHERE ");
        push_scope_filter(&mut qb, "r.region_code", scopes);
        qb.push(" ORDER BY r.year DESC, r.id DESC");
        qb.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(round_row)
            .collect()
    }

    async fn household_changes(&self, household_id: i64) -> Result<Vec<StatusChange>> {
        sqlx::query(
            "SELECT id, household_id, poor, round_id, step_id, at FROM household_status_changes \
             WHERE household_id = $1 ORDER BY id",
        )
        .bind(household_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(change_row)
        .collect()
    }
}
