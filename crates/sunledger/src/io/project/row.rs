//! Checking one row of a project file into a project to import.
use super::*;

/// A reason code of the domain's checks, in words.
pub(super) fn describe(e: &DomainError) -> (String, String) {
    match e {
        DomainError::Invalid {
            field,
            reason,
            value,
        } => {
            let field = field.to_string();
            let words = match *reason {
                "empty" => "is empty".to_string(),
                "too_long" => match sunledger_core::text::too_long_parts(value) {
                    Some((given, max)) => {
                        format!("is too long: at most {max} characters ({given} given)")
                    }
                    None => format!("is too long ({value} characters)"),
                },
                "out_of_range" => format!("{value} is out of range"),
                "bad_date" => format!("{} is not a date (YYYY-MM-DD)", quoted(value)),
                "in_future" => format!("{value} is in the future"),
                "not_a_village" => format!("{value} is not a village"),
                "not_importable" => format!("a project cannot be imported as {value}"),
                "weights_not_100" => format!("the weights add up to {value}, not 100"),
                "satisfaction_missing" => "has no satisfaction indicator (kind `satisfied`)".into(),
                "too_many_indicators" => format!("too many indicators ({value})"),
                "bad_indicator" => format!(
                    "{} is not kind|name|operator|target|unit|weight[|core]",
                    quoted(value)
                ),
                "unknown_indicator_kind" => format!(
                    "unknown indicator kind {} (one of {})",
                    quoted(value),
                    sunledger_core::acceptance::IndicatorKind::ALL
                        .iter()
                        .map(|k| k.key())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                "unknown_operator" => {
                    format!("unknown operator {} (ge, le, eq, ≥, ≤, =)", quoted(value))
                }
                "not_a_number" => format!("{} is not a whole number", quoted(value)),
                "more_than_two_decimals" => {
                    format!("{} has more than two decimals", quoted(value))
                }
                "bad_core" => format!("{} is not core, 核心 or empty", quoted(value)),
                "negative" => format!("{value} is negative"),
                other => format!("{other} ({value})"),
            };
            (field, words)
        }
        other => ("row".into(), other.to_string()),
    }
}

/// Checks one row and turns it into the project to import, or the row's problems.
pub fn parse_row(line: u64, cells: &RowCells, today: i64) -> Result<ImportProject, Vec<RowError>> {
    let mut errors: Vec<RowError> = Vec::new();
    let mut bad = |field: &str, reason: String| {
        errors.push(RowError {
            line,
            field: field.to_string(),
            reason,
        })
    };
    let get = |key: &'static str, bad: &mut dyn FnMut(&str, String)| -> String {
        match cells.get(key) {
            None => String::new(),
            Some(Ok(s)) => s.trim().to_string(),
            Some(Err(e)) => {
                bad(key, e.clone());
                String::new()
            }
        }
    };
    let required = |key: &str, v: &str, bad: &mut dyn FnMut(&str, String)| {
        if v.is_empty() {
            bad(key, "is empty".into());
            false
        } else {
            true
        }
    };

    let village_s = get("village", &mut bad);
    let village = if required("village", &village_s, &mut bad) {
        match RegionCode::parse(&village_s) {
            Ok(v) if v.level() == Level::Village => Some(v),
            Ok(v) => {
                bad(
                    "village",
                    format!(
                        "{village_s} is a {} code, not a village's (12 digits)",
                        v.level().key()
                    ),
                );
                None
            }
            Err(_) => {
                bad(
                    "village",
                    format!("{} is not a region code (12 digits)", quoted(&village_s)),
                );
                None
            }
        }
    } else {
        None
    };
    let name = get("name", &mut bad);
    required("name", &name, &mut bad);
    if name.contains(['\n', '\r']) {
        bad("name", "holds a line break".into());
    }
    let category_s = get("category", &mut bad);
    let category = if required("category", &category_s, &mut bad) {
        parse_category(&category_s)
            .map_err(|e| bad("category", e))
            .ok()
    } else {
        None
    };
    let year_s = get("fiscal_year", &mut bad);
    let fiscal_year = if required("fiscal_year", &year_s, &mut bad) {
        match parse_whole(&year_s).map(FiscalYear::new) {
            Some(Ok(y)) => Some(y),
            _ => {
                bad(
                    "fiscal_year",
                    format!("{} is not a year between 2000 and 2100", quoted(&year_s)),
                );
                None
            }
        }
    } else {
        None
    };
    let mut lines = Vec::new();
    let mut budget_bad = false;
    for c in &COLUMNS {
        let Some(source) = budget_source(c.key) else {
            continue;
        };
        let v = get(c.key, &mut bad);
        if v.is_empty() {
            continue;
        }
        match Money::parse_yuan(&v) {
            Ok(m) if m.fen() == 0 => {}
            Ok(m) if m.fen() > 0 => lines.push((source, m)),
            Ok(_) => {
                budget_bad = true;
                bad(c.key, format!("{v} is negative"))
            }
            Err(_) => {
                budget_bad = true;
                bad(
                    c.key,
                    format!(
                        "{} is not a sum in yuan with at most two decimals",
                        quoted(&v)
                    ),
                )
            }
        }
    }
    let budget = if lines.is_empty() {
        if !budget_bad {
            bad("budget", "no fund source has an amount".into());
        }
        None
    } else {
        Budget::new(lines)
            .map_err(|e| {
                let (_, words) = describe(&e);
                bad("budget", words)
            })
            .ok()
    };
    let targets = if cells.contains_key("targets") {
        let t = get("targets", &mut bad);
        if required("targets", &t, &mut bad) {
            sunledger_core::project::parse_targets(&t)
                .map_err(|e| {
                    let (field, words) = describe(&e);
                    bad(&field, words)
                })
                .ok()
        } else {
            None
        }
    } else {
        legacy_targets(&get, &mut bad)
    };
    let meeting_s = get("meeting_on", &mut bad);
    let meeting_on = if required("meeting_on", &meeting_s, &mut bad) {
        match parse_date(&meeting_s) {
            Ok(d) => {
                if sunledger_core::day::parse("meeting_on", &d).is_ok_and(|x| x > today) {
                    bad("meeting_on", format!("{d} is in the future"));
                    None
                } else {
                    Some(d)
                }
            }
            Err(e) => {
                bad("meeting_on", e);
                None
            }
        }
    } else {
        None
    };
    let meeting_ref = get("meeting_ref", &mut bad);
    required("meeting_ref", &meeting_ref, &mut bad);
    let description = get("description", &mut bad);
    let stage = parse_stage(&get("stage", &mut bad))
        .map_err(|e| bad("stage", e))
        .ok();

    let (
        Some(village),
        Some(category),
        Some(fiscal_year),
        Some(budget),
        Some(targets),
        Some(meeting_on),
        Some(stage),
    ) = (
        village,
        category,
        fiscal_year,
        budget,
        targets,
        meeting_on,
        stage,
    )
    else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let content = Content {
        name,
        category,
        village,
        fiscal_year,
        budget,
        targets,
        meeting_on,
        meeting_ref,
        description,
        meeting_item_id: None,
    };
    // The domain's own checks (lengths and the rest), so the store refuses nothing of this.
    if let Err(e) = content.check(today) {
        let (field, reason) = describe(&e);
        return Err(vec![RowError {
            line,
            field,
            reason,
        }]);
    }
    Ok(ImportProject { content, stage })
}

/// Reads a cell, reporting (column, reason) one that could not be read.
type Get<'a> = dyn Fn(&'static str, &mut dyn FnMut(&str, String)) -> String + 'a;

/// The four target columns of the older layout, as the indicators they stand for
/// (`core::project::legacy_targets`).
fn legacy_targets(
    get: &Get<'_>,
    bad: &mut dyn FnMut(&str, String),
) -> Option<Vec<sunledger_core::project::Indicator>> {
    let required = |key: &str, v: &str, bad: &mut dyn FnMut(&str, String)| {
        if v.is_empty() {
            bad(key, "is empty".into());
            false
        } else {
            true
        }
    };
    let outputs = get("outputs", bad);
    required("outputs", &outputs, bad);
    let income_effect = get("income_effect", bad);
    required("income_effect", &income_effect, bad);
    let households_s = get("households", bad);
    let households = if required("households", &households_s, bad) {
        parse_whole(&households_s)
            .filter(|h| (1..=10_000_000).contains(h))
            .or_else(|| {
                bad(
                    "households",
                    format!(
                        "{} is not a whole number of households (at least 1)",
                        quoted(&households_s)
                    ),
                );
                None
            })
    } else {
        None
    };
    let satisfaction_s = get("satisfaction", bad);
    let satisfaction = if required("satisfaction", &satisfaction_s, bad) {
        parse_whole(&satisfaction_s)
            .filter(|s| (1..=100).contains(s))
            .or_else(|| {
                bad(
                    "satisfaction",
                    format!(
                        "{} is not a percentage from 1 to 100",
                        quoted(&satisfaction_s)
                    ),
                );
                None
            })
    } else {
        None
    };
    if outputs.is_empty() || income_effect.is_empty() {
        return None;
    }
    Some(sunledger_core::project::legacy_targets(
        &outputs,
        households?,
        &income_effect,
        satisfaction?,
    ))
}
