//! The assessment's booked facts and how `verify` covers its columns.

use super::*;

/// The tables of this feature whose rows are booked facts (listed in the log's registry).
pub(crate) const FACTS: &[FactTable] = &[
    FactTable {
        table: "assessment_schemes",
        select: "SELECT id, county_code, region_code, year, version, body, note, actor_id, at FROM assessment_schemes",
        build: schemes_facts,
        kinds: &[(
            "assessment.scheme",
            "at",
            &["region_code", "year", "version", "body", "note", "actor_id"],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "assessment_rounds",
        select: "SELECT id, county_code, region_code, year, at FROM assessment_rounds",
        build: rounds_facts,
        kinds: &[("assessment.round", "at", &["region_code", "year"])],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "assessment_publications",
        select: "SELECT id, county_code, round_id, scheme_id, as_of, log_size, score_table, hash, cards, actor_id, at FROM assessment_publications",
        build: publications_facts,
        kinds: &[(
            "assessment.published",
            "at",
            &[
                "round_id",
                "scheme_id",
                "as_of",
                "log_size",
                "score_table",
                "hash",
                "cards",
                "actor_id",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "assessment_round_events",
        select: "SELECT id, county_code, round_id, action, from_state, to_state, reason, publication_id, actor_id, at FROM assessment_round_events",
        build: round_events_facts,
        kinds: &[(
            "assessment.step",
            "at",
            &[
                "round_id",
                "action",
                "from_state",
                "to_state",
                "reason",
                "publication_id",
                "actor_id",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "assessment_appeals",
        select: "SELECT id, county_code, region_code, year, item_code, row_key, row_label, reason, evidence, actor_id, at FROM assessment_appeals",
        build: appeals_facts,
        kinds: &[(
            "assessment.appeal",
            "at",
            &[
                "region_code",
                "year",
                "item_code",
                "row_key",
                "row_label",
                "reason",
                "evidence",
                "actor_id",
            ],
        )],
        key: Key::Id,
        versioned: false,
    },
    FactTable {
        table: "assessment_appeal_events",
        select: "SELECT id, county_code, appeal_id, action, reason, actor_id, at FROM assessment_appeal_events",
        build: appeal_events_facts,
        kinds: &[(
            "assessment.decision",
            "at",
            &["appeal_id", "action", "reason", "actor_id"],
        )],
        key: Key::Id,
        versioned: false,
    },
];

/// How `verify` covers this feature's tables (listed in the log's registry).
pub(crate) const BOOKING: Booking = Booking {
    facts: FACTS,
    derived: &[
        county(
            "assessment_schemes",
            "",
            "t.region_code",
            "the city's padded code",
        ),
        county(
            "assessment_rounds",
            "",
            "t.region_code",
            "the city's padded code",
        ),
        county(
            "assessment_publications",
            "LEFT JOIN assessment_rounds r ON r.id = t.round_id",
            "r.region_code",
            "the city of the round",
        ),
        county(
            "assessment_round_events",
            "LEFT JOIN assessment_rounds r ON r.id = t.round_id",
            "r.region_code",
            "the city of the round",
        ),
        county(
            "assessment_appeals",
            "",
            "t.region_code",
            "the county appealing",
        ),
        county(
            "assessment_appeal_events",
            "LEFT JOIN assessment_appeals a ON a.id = t.appeal_id",
            "a.region_code",
            "the county of the appeal",
        ),
        Derived {
            table: "assessment_rounds",
            columns: &["state"],
            rule: "the round's steps: the last one's state, else draft",
            check: Check::Sql(
                "SELECT CAST(r.id AS TEXT), r.state, COALESCE((SELECT x.to_state FROM assessment_round_events x \
                 WHERE x.round_id = r.id ORDER BY x.id DESC LIMIT 1), 'draft') FROM assessment_rounds r",
            ),
        },
        Derived {
            table: "assessment_appeals",
            columns: &["state"],
            rule: "the appeal's decision: upheld or dismissed, else filed",
            check: Check::Sql(
                "SELECT CAST(a.id AS TEXT), a.state, COALESCE((SELECT x.action FROM assessment_appeal_events x \
                 WHERE x.appeal_id = a.id ORDER BY x.id DESC LIMIT 1), 'filed') FROM assessment_appeals a",
            ),
        },
    ],
    unbooked: &[],
};

fn schemes_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "assessment.scheme",
            "assessment_schemes",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("region_code", r.try_get::<String, _>("region_code")?)
        .field("year", r.try_get::<i64, _>("year")?)
        .field("version", r.try_get::<i64, _>("version")?)
        .field("body", r.try_get::<String, _>("body")?)
        .field("note", r.try_get::<String, _>("note")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}

fn rounds_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "assessment.round",
            "assessment_rounds",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("region_code", r.try_get::<String, _>("region_code")?)
        .field("year", r.try_get::<i64, _>("year")?),
    ])
}

fn publications_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "assessment.published",
            "assessment_publications",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("round_id", r.try_get::<i64, _>("round_id")?)
        .field("scheme_id", r.try_get::<i64, _>("scheme_id")?)
        .field("as_of", r.try_get::<i64, _>("as_of")?)
        .field("log_size", r.try_get::<i64, _>("log_size")?)
        .field("score_table", r.try_get::<String, _>("score_table")?)
        .field("hash", r.try_get::<String, _>("hash")?)
        .field("cards", r.try_get::<String, _>("cards")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}

fn round_events_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "assessment.step",
            "assessment_round_events",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("round_id", r.try_get::<i64, _>("round_id")?)
        .field("action", r.try_get::<String, _>("action")?)
        .field("from_state", r.try_get::<String, _>("from_state")?)
        .field("to_state", r.try_get::<String, _>("to_state")?)
        .field("reason", r.try_get::<String, _>("reason")?)
        .field(
            "publication_id",
            r.try_get::<Option<i64>, _>("publication_id")?,
        )
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}

fn appeals_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "assessment.appeal",
            "assessment_appeals",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("region_code", r.try_get::<String, _>("region_code")?)
        .field("year", r.try_get::<i64, _>("year")?)
        .field("item_code", r.try_get::<String, _>("item_code")?)
        .field("row_key", r.try_get::<String, _>("row_key")?)
        .field("row_label", r.try_get::<String, _>("row_label")?)
        .field("reason", r.try_get::<String, _>("reason")?)
        .field("evidence", r.try_get::<String, _>("evidence")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}

fn appeal_events_facts(r: &DbRow) -> Result<Vec<Fact>> {
    Ok(vec![
        Fact::new(
            "assessment.decision",
            "assessment_appeal_events",
            r.try_get("id")?,
            r.try_get("at")?,
        )
        .county(Some(r.try_get::<String, _>("county_code")?))
        .field("appeal_id", r.try_get::<i64, _>("appeal_id")?)
        .field("action", r.try_get::<String, _>("action")?)
        .field("reason", r.try_get::<String, _>("reason")?)
        .field("actor_id", r.try_get::<Option<i64>, _>("actor_id")?),
    ])
}
