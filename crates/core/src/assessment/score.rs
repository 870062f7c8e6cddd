//! Scores: a scheme applied to the rows its measures counted. Pure and exact (hundredths of a
//! point, integer arithmetic), so the same rows give the same card on every machine.
use super::{Measure, MeasureRow, Points, Scheme, ScoreRule};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// A measure's value: a rate (Σpart of Σweight) or a count of rows with their total weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Value {
    Rate { part: i64, weight: i64 },
    Count { rows: i64, weight: i64 },
}

impl Value {
    /// A rate in hundredths of a percent (rounded down); `None` without rows.
    pub fn percent_hundredths(self) -> Option<i64> {
        match self {
            Value::Rate { part, weight } if weight > 0 => {
                Some(i64::try_from(i128::from(part) * 10_000 / i128::from(weight)).unwrap_or(0))
            }
            _ => None,
        }
    }
}

/// What one counted row did to its item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowEffect {
    pub row: MeasureRow,
    /// Points this row took off (negative) or added (positive), before the item's floor or
    /// cap; 0 for a rate's rows.
    pub points: Points,
    /// For a rate: whether the row counted fully (a quarter inspected, a problem on time).
    pub met: bool,
    /// An upheld appeal set this row aside (a deduction restored, a rate's row counted as met).
    pub appealed: bool,
}

/// An item's score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemScore {
    pub code: String,
    pub parent: Option<String>,
    pub max: Points,
    pub points: Points,
    pub measure: Option<Measure>,
    pub value: Option<Value>,
    /// The rows behind the points: every row of a count, the rows of a rate that fell short.
    pub rows: Vec<RowEffect>,
}

/// A county's score card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub total: Points,
    pub max: Points,
    /// In the scheme's order.
    pub items: Vec<ItemScore>,
}

impl Card {
    pub fn item(&self, code: &str) -> Option<&ItemScore> {
        self.items.iter().find(|i| i.code == code)
    }
}

/// An upheld appeal: the item and the row key (`source:id`) it set aside.
pub type Upheld = BTreeSet<(String, String)>;

fn units(row: &MeasureRow, per: Option<i64>) -> i64 {
    match per {
        None => 1,
        Some(p) if p > 0 => {
            let w = row.weight.max(0);
            (w + p - 1) / p
        }
        Some(_) => 1,
    }
}

/// Scores `rows` (of one county) by `scheme`, with the appeals in `upheld` set aside.
pub fn score(scheme: &Scheme, rows: &[MeasureRow], upheld: &Upheld) -> Card {
    let mut items: Vec<ItemScore> = Vec::with_capacity(scheme.items.len());
    for it in &scheme.items {
        let (Some(measure), Some(rule)) = (it.measure, &it.rule) else {
            items.push(ItemScore {
                code: it.code.clone(),
                parent: it.parent.clone(),
                max: it.max,
                points: Points(0),
                measure: None,
                value: None,
                rows: Vec::new(),
            });
            continue;
        };
        let mine: Vec<(&MeasureRow, bool)> = rows
            .iter()
            .filter(|r| r.measure == measure)
            .map(|r| (r, upheld.contains(&(it.code.clone(), r.key()))))
            .collect();
        let max = it.max.0;
        let (points, value, effects) = match rule {
            ScoreRule::Rate {
                target,
                step,
                points,
                empty_full,
            } => {
                let mut part = 0_i64;
                let mut weight = 0_i64;
                let mut effects = Vec::new();
                for (r, appealed) in &mine {
                    let p = if *appealed {
                        r.weight
                    } else {
                        r.part.clamp(0, r.weight.max(0))
                    };
                    part = part.saturating_add(p);
                    weight = weight.saturating_add(r.weight.max(0));
                    let met = r.part >= r.weight;
                    if !met || *appealed {
                        effects.push(RowEffect {
                            row: (*r).clone(),
                            points: Points(0),
                            met,
                            appealed: *appealed,
                        });
                    }
                }
                let value = Value::Rate { part, weight };
                let got = match value.percent_hundredths() {
                    None if *empty_full => max,
                    None => 0,
                    Some(pct) if pct >= *target => max,
                    Some(pct) => {
                        let short = target - pct;
                        let steps = (short + step - 1) / step.max(&1);
                        (max - steps.saturating_mul(points.0)).max(0)
                    }
                };
                (got, value, effects)
            }
            ScoreRule::Deduct { points, per } | ScoreRule::Bonus { points, per } => {
                let sign = if matches!(rule, ScoreRule::Deduct { .. }) {
                    -1
                } else {
                    1
                };
                let mut sum = 0_i64;
                let mut weight = 0_i64;
                let mut effects = Vec::new();
                for (r, appealed) in &mine {
                    let p = if *appealed {
                        0
                    } else {
                        sign * units(r, *per).saturating_mul(points.0)
                    };
                    sum = sum.saturating_add(p);
                    weight = weight.saturating_add(r.weight);
                    effects.push(RowEffect {
                        row: (*r).clone(),
                        points: Points(p),
                        met: false,
                        appealed: *appealed,
                    });
                }
                let base = if sign < 0 { max } else { 0 };
                let value = Value::Count {
                    rows: i64::try_from(mine.len()).unwrap_or(i64::MAX),
                    weight,
                };
                ((base + sum).clamp(0, max), value, effects)
            }
        };
        items.push(ItemScore {
            code: it.code.clone(),
            parent: it.parent.clone(),
            max: it.max,
            points: Points(points),
            measure: Some(measure),
            value: Some(value),
            rows: effects,
        });
    }
    // Groups add up their children, within their maximum, deepest first (a child comes after
    // its parent in the document, so going backwards finishes every child before its parent).
    for i in (0..items.len()).rev() {
        let Some(code) = items.get(i).map(|x| x.code.clone()) else {
            continue;
        };
        if items.get(i).and_then(|x| x.measure).is_some() {
            continue;
        }
        let sum: i64 = items
            .iter()
            .filter(|c| c.parent.as_deref() == Some(code.as_str()))
            .map(|c| c.points.0)
            .sum();
        if let Some(x) = items.get_mut(i) {
            x.points = Points(sum.clamp(0, x.max.0));
        }
    }
    let total: i64 = items
        .iter()
        .filter(|i| i.parent.is_none())
        .map(|i| i.points.0)
        .sum();
    Card {
        total: Points(total.clamp(0, scheme.total.0)),
        max: scheme.total,
        items,
    }
}

/// A ranked county: 1-based competition rank (equal totals share a rank; the next rank skips).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranked {
    pub county: String,
    pub rank: i64,
    pub total: Points,
}

/// Ranks `(county, total)` by total, highest first; ties by county code for the order.
pub fn rank(totals: &[(String, Points)]) -> Vec<Ranked> {
    let mut v: Vec<&(String, Points)> = totals.iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut out: Vec<Ranked> = Vec::with_capacity(v.len());
    for (i, (county, total)) in v.into_iter().enumerate() {
        let rank = match out.last() {
            Some(prev) if prev.total == *total => prev.rank,
            _ => i64::try_from(i).unwrap_or(0) + 1,
        };
        out.push(Ranked {
            county: county.clone(),
            rank,
            total: *total,
        });
    }
    out
}

/// The score table of counties' cards as text, one line per county and item
/// (`county<TAB>item<TAB>points<TAB>max`), in county order then scheme order: what a
/// publication hashes and stores.
pub fn table_text(cards: &[(String, Card)]) -> String {
    let mut v: Vec<&(String, Card)> = cards.iter().collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::new();
    for (county, card) in v {
        out.push_str(&format!(
            "{county}\t*\t{}\t{}\n",
            card.total.text(),
            card.max.text()
        ));
        for it in &card.items {
            out.push_str(&format!(
                "{county}\t{}\t{}\t{}\n",
                it.code,
                it.points.text(),
                it.max.text()
            ));
        }
    }
    out
}

/// The SHA-256 (hex) of a table's text.
pub fn table_hash(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reads a table's text back into `(county, item, points)` (item `*`: the total); lines that
/// do not parse are skipped.
pub fn parse_table(text: &str) -> Vec<(String, String, Points)> {
    text.lines()
        .filter_map(|l| {
            let mut f = l.split('\t');
            let county = f.next()?.to_string();
            let item = f.next()?.to_string();
            let points = parse_signed(f.next()?)?;
            Some((county, item, points))
        })
        .collect()
}

fn parse_signed(s: &str) -> Option<Points> {
    match s.strip_prefix('-') {
        Some(rest) => Points::parse(rest).map(|p| Points(-p.0)),
        None => Points::parse(s),
    }
}

/// A line of the score table that differs between a publication and the live scores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub county: String,
    /// The item's code, or `*` for the total.
    pub item: String,
    pub published: Option<Points>,
    pub live: Option<Points>,
}

/// The lines of two score tables (core `table_text`) that differ, in the published table's
/// order, then the lines only the live one has.
pub fn diff(published: &str, live: &str) -> Vec<Change> {
    let p = parse_table(published);
    let l = parse_table(live);
    let find = |v: &[(String, String, Points)], c: &str, i: &str| {
        v.iter().find(|x| x.0 == c && x.1 == i).map(|x| x.2)
    };
    let mut out = Vec::new();
    for (c, i, pts) in &p {
        let now = find(&l, c, i);
        if now != Some(*pts) {
            out.push(Change {
                county: c.clone(),
                item: i.clone(),
                published: Some(*pts),
                live: now,
            });
        }
    }
    for (c, i, pts) in &l {
        if find(&p, c, i).is_none() {
            out.push(Change {
                county: c.clone(),
                item: i.clone(),
                published: None,
                live: Some(*pts),
            });
        }
    }
    out
}

/// What one more row of `measure` with `weight` would take off (or add to) `card`'s total under
/// `scheme`: the item's rule, its floor or cap, and every group's maximum on the way up. For a
/// rate (which one row moves by a share) and a measure the scheme does not score: `None`.
pub fn preview(scheme: &Scheme, card: &Card, measure: Measure, weight: i64) -> Option<Points> {
    let item = scheme.items.iter().find(|i| i.measure == Some(measure))?;
    let now = card.item(&item.code)?;
    // The step as the row it would add: its weight, no source yet.
    let row = MeasureRow {
        measure,
        source: String::new(),
        source_id: 0,
        label: String::new(),
        day: 0,
        weight,
        part: 0,
    };
    let change = match item.rule.as_ref()? {
        ScoreRule::Deduct { points, per } => -units(&row, *per).saturating_mul(points.0),
        ScoreRule::Bonus { points, per } => units(&row, *per).saturating_mul(points.0),
        ScoreRule::Rate { .. } => return None,
    };
    // The leaf within its bounds, then each group within its maximum.
    let mut delta = (now.points.0 + change).clamp(0, now.max.0) - now.points.0;
    let mut parent = now.parent.clone();
    while let Some(code) = parent {
        let g = card.item(&code)?;
        let children: i64 = card
            .items
            .iter()
            .filter(|c| c.parent.as_deref() == Some(code.as_str()))
            .map(|c| c.points.0)
            .sum();
        delta = (children + delta).clamp(0, g.max.0) - g.points.0;
        parent = g.parent.clone();
    }
    let top: i64 = card
        .items
        .iter()
        .filter(|i| i.parent.is_none())
        .map(|i| i.points.0)
        .sum();
    Some(Points((top + delta).clamp(0, card.max.0) - card.total.0))
}
