//! A scoring scheme: a versioned JSON document of items in a tree, owned by the municipal bureau.
//! Every error names its item and field; [`Scheme::parse`] returns all of them at once.
use super::Measure;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Points in hundredths of a point, so scores are exact on every machine.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Points(pub i64);

impl Points {
    /// Parses `12`, `2.5` or `0.25` (at most two decimals, not negative).
    pub fn parse(s: &str) -> Option<Points> {
        decimal(s, 2).map(Points)
    }

    /// `12`, `2.5`, `0.25`, `-3`.
    pub fn text(self) -> String {
        hundredths_text(self.0)
    }
}

/// `n` hundredths as a decimal without trailing zeros.
pub fn hundredths_text(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    let a = n.unsigned_abs();
    let (whole, frac) = (a / 100, a % 100);
    match frac {
        0 => format!("{sign}{whole}"),
        f if f % 10 == 0 => format!("{sign}{whole}.{}", f / 10),
        f => format!("{sign}{whole}.{f:02}"),
    }
}

/// A non-negative decimal with at most `places` decimals, scaled by 10^places.
fn decimal(s: &str, places: u32) -> Option<i64> {
    let s = s.trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() && frac.is_empty()
        || frac.len() > places as usize
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || whole.len() > 12
    {
        return None;
    }
    let w: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut f: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    for _ in frac.len()..places as usize {
        f *= 10;
    }
    w.checked_mul(10_i64.pow(places))?.checked_add(f)
}

/// A number as a document may write it: `3`, `2.5` or `"2.5"`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Number {
    Int(i64),
    Float(f64),
    Text(String),
}

impl Number {
    fn text(&self) -> String {
        match self {
            Number::Int(i) => i.to_string(),
            // Rust prints the shortest text that reads back as the same float: 0.1 as "0.1".
            Number::Float(f) => format!("{f}"),
            Number::Text(s) => s.clone(),
        }
    }
}

/// How an item scores its measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScoreRule {
    /// Full points at or above `target` (in hundredths of a percent); `points` off for each
    /// `step` (hundredths of a percent) or part of it short; never below zero. A rate with no
    /// rows scores full points when `empty_full`, else zero.
    Rate {
        target: i64,
        step: i64,
        points: Points,
        empty_full: bool,
    },
    /// `points` off per row, or per `per` units (or part) of each row's weight; never below zero.
    Deduct { points: Points, per: Option<i64> },
    /// `points` added per row, or per `per` units (or part) of each row's weight, up to the
    /// item's maximum.
    Bonus { points: Points, per: Option<i64> },
}

/// An item of a scheme: a group (children, no measure) or a leaf (a measure and its rule).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub code: String,
    pub parent: Option<String>,
    pub name_zh: String,
    pub name_en: String,
    pub max: Points,
    pub measure: Option<Measure>,
    pub rule: Option<ScoreRule>,
    /// Where the figures come from (e.g. "Book 3").
    pub source: String,
    /// The department that assesses it.
    pub department: String,
    /// Its basis: the seed section, the law or the practice.
    pub basis: String,
}

/// A validated scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scheme {
    pub year: i32,
    pub title_zh: String,
    pub title_en: String,
    /// The most a county can score (the top-level items' maxima add up to at most this).
    pub total: Points,
    /// In document order: a parent before its children.
    pub items: Vec<Item>,
}

/// One error of a scheme document: the item (its code, or its position when it has none), the
/// field and a reason code (`reason.<code>` in the catalogue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemeError {
    pub item: String,
    pub field: String,
    pub reason: &'static str,
    pub value: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScheme {
    year: i32,
    title_zh: String,
    title_en: String,
    total: Number,
    items: Vec<RawItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    #[serde(default)]
    code: String,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    name_zh: String,
    #[serde(default)]
    name_en: String,
    max: Option<Number>,
    #[serde(default)]
    measure: Option<String>,
    #[serde(default)]
    rule: Option<RawRule>,
    #[serde(default)]
    source: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    basis: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    kind: String,
    /// Rates: the target rate in percent (`100`, `95.5`).
    #[serde(default)]
    target: Option<Number>,
    /// Rates: the step in percentage points (`0.1`).
    #[serde(default)]
    step: Option<Number>,
    points: Option<Number>,
    /// Counts: the units of a row's weight that make one event (e.g. `1` for points).
    #[serde(default)]
    per: Option<i64>,
    /// Rates: `full` (default) or `zero` when the county has no rows.
    #[serde(default)]
    when_empty: Option<String>,
}

impl Scheme {
    /// The scheme that ships with the binary, for `year`.
    pub fn default_for(year: i32) -> Scheme {
        let mut s = Scheme::parse(DEFAULT).unwrap_or_else(|_| Scheme {
            year,
            title_zh: String::new(),
            title_en: String::new(),
            total: Points(0),
            items: Vec::new(),
        });
        s.year = year;
        s
    }

    /// Parses and validates a scheme document (JSON). A document that does not parse is one
    /// error naming its line and column; otherwise every item's errors are listed.
    pub fn parse(text: &str) -> Result<Scheme, Vec<SchemeError>> {
        let raw: RawScheme = serde_json::from_str(text).map_err(|e| {
            vec![SchemeError {
                item: String::new(),
                field: format!("line {}, column {}", e.line(), e.column()),
                reason: "bad_document",
                value: e.to_string(),
            }]
        })?;
        let mut errors = Vec::new();
        let mut err = |item: &str, field: &str, reason: &'static str, value: String| {
            errors.push(SchemeError {
                item: item.to_string(),
                field: field.to_string(),
                reason,
                value,
            })
        };
        if !(2000..=2100).contains(&raw.year) {
            err("", "year", "year_out_of_range", raw.year.to_string());
        }
        if raw.title_zh.trim().is_empty() {
            err("", "title_zh", "required", String::new());
        }
        if raw.title_en.trim().is_empty() {
            err("", "title_en", "required", String::new());
        }
        let total = Points::parse(&raw.total.text()).unwrap_or_else(|| {
            err("", "total", "bad_points", raw.total.text());
            Points(0)
        });
        if raw.items.is_empty() {
            err("", "items", "required", String::new());
        }
        let mut items: Vec<Item> = Vec::new();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        // Items whose measure was given (an unknown one is reported once, as unknown).
        let mut measure_given = std::collections::BTreeSet::new();
        for (n, r) in raw.items.iter().enumerate() {
            let code = r.code.trim().to_string();
            let label = if code.is_empty() {
                format!("#{}", n + 1)
            } else {
                code.clone()
            };
            if code.is_empty() {
                err(&label, "code", "required", String::new());
            } else if code.chars().count() > 20
                || !code
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            {
                err(&label, "code", "bad_code", code.clone());
            } else if seen.contains_key(&code) {
                err(&label, "code", "duplicate_code", code.clone());
            }
            for (field, v) in [("name_zh", &r.name_zh), ("name_en", &r.name_en)] {
                if v.trim().is_empty() {
                    err(&label, field, "required", String::new());
                } else if v.chars().count() > 200 {
                    err(&label, field, "too_long", v.clone());
                }
            }
            let parent = r.parent.as_ref().map(|p| p.trim().to_string());
            if let Some(p) = &parent
                && !seen.contains_key(p)
            {
                err(&label, "parent", "unknown_parent", p.clone());
            }
            let max = match &r.max {
                None => {
                    err(&label, "max", "required", String::new());
                    Points(0)
                }
                Some(m) => Points::parse(&m.text()).unwrap_or_else(|| {
                    err(&label, "max", "bad_points", m.text());
                    Points(0)
                }),
            };
            let measure = match &r.measure {
                None => None,
                Some(m) => match Measure::parse(m) {
                    Ok(m) => Some(m),
                    Err(_) => {
                        err(&label, "measure", "unknown_measure", m.clone());
                        None
                    }
                },
            };
            let rule = match (&r.rule, r.measure.is_some()) {
                (None, true) => {
                    err(&label, "rule", "required", String::new());
                    None
                }
                (Some(_), false) => {
                    err(&label, "rule", "rule_without_measure", String::new());
                    None
                }
                (None, false) => None,
                (Some(rr), true) => rule_of(rr, measure, &label, &mut err),
            };
            if r.measure.is_some() {
                measure_given.insert(code.clone());
            }
            seen.insert(code.clone(), n);
            items.push(Item {
                code,
                parent,
                name_zh: r.name_zh.trim().to_string(),
                name_en: r.name_en.trim().to_string(),
                max,
                measure,
                rule,
                source: r.source.trim().to_string(),
                department: r.department.trim().to_string(),
                basis: r.basis.trim().to_string(),
            });
        }
        // The tree: a group has children and no measure; children's maxima fit their parent's,
        // and the top level fits the total.
        let mut used: BTreeMap<Option<String>, i64> = BTreeMap::new();
        for it in &items {
            let has_children = items.iter().any(|c| c.parent.as_ref() == Some(&it.code));
            if has_children && it.measure.is_some() {
                err(&it.code, "measure", "group_with_measure", String::new());
            }
            if !has_children && it.measure.is_none() && !measure_given.contains(&it.code) {
                err(&it.code, "measure", "required", String::new());
            }
            let cap = match &it.parent {
                None => Some(total),
                Some(p) => items.iter().find(|x| &x.code == p).map(|x| x.max),
            };
            let sum = used.entry(it.parent.clone()).or_insert(0);
            *sum += it.max.0;
            if let Some(cap) = cap
                && *sum > cap.0
            {
                err(
                    &it.code,
                    "max",
                    "over_parent_max",
                    format!("{} > {}", hundredths_text(*sum), cap.text()),
                );
            }
        }
        if errors.is_empty() {
            Ok(Scheme {
                year: raw.year,
                title_zh: raw.title_zh.trim().to_string(),
                title_en: raw.title_en.trim().to_string(),
                total,
                items,
            })
        } else {
            Err(errors)
        }
    }

    /// The document of this scheme (what `parse` reads back to the same scheme).
    pub fn to_document(&self) -> String {
        let items: Vec<serde_json::Value> = self
            .items
            .iter()
            .map(|it| {
                let mut o = serde_json::json!({
                    "code": it.code,
                    "name_zh": it.name_zh,
                    "name_en": it.name_en,
                    "max": it.max.text(),
                });
                if let Some(map) = o.as_object_mut() {
                    if let Some(p) = &it.parent {
                        map.insert("parent".into(), p.clone().into());
                    }
                    if let Some(m) = it.measure {
                        map.insert("measure".into(), m.key().into());
                    }
                    if let Some(r) = &it.rule {
                        map.insert("rule".into(), rule_document(r));
                    }
                    for (k, v) in [
                        ("source", &it.source),
                        ("department", &it.department),
                        ("basis", &it.basis),
                    ] {
                        if !v.is_empty() {
                            map.insert(k.into(), v.clone().into());
                        }
                    }
                }
                o
            })
            .collect();
        let doc = serde_json::json!({
            "year": self.year,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "total": self.total.text(),
            "items": items,
        });
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    }

    /// The item of `code`.
    pub fn item(&self, code: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.code == code)
    }

    /// The items whose parent is `parent` (`None`: the top level), in document order.
    pub fn children<'a>(&'a self, parent: Option<&'a str>) -> impl Iterator<Item = &'a Item> {
        self.items
            .iter()
            .filter(move |i| i.parent.as_deref() == parent)
    }
}

fn rule_of(
    r: &RawRule,
    measure: Option<Measure>,
    label: &str,
    err: &mut impl FnMut(&str, &str, &'static str, String),
) -> Option<ScoreRule> {
    let points = match &r.points {
        None => {
            err(label, "rule.points", "required", String::new());
            Points(0)
        }
        Some(p) => Points::parse(&p.text()).unwrap_or_else(|| {
            err(label, "rule.points", "bad_points", p.text());
            Points(0)
        }),
    };
    if let Some(per) = r.per
        && per < 1
    {
        err(label, "rule.per", "bad_per", per.to_string());
    }
    let rate = measure.map(Measure::is_rate);
    match r.kind.trim() {
        "rate" => {
            if rate == Some(false) {
                err(label, "rule.kind", "rate_of_count", r.kind.clone());
            }
            let pct = |field: &str,
                       v: &Option<Number>,
                       err: &mut dyn FnMut(&str, &'static str, String)| {
                match v {
                    None => {
                        err(field, "required", String::new());
                        0
                    }
                    Some(n) => match decimal(&n.text(), 2) {
                        Some(x) if x <= 10_000 => x,
                        _ => {
                            err(field, "bad_percent", n.text());
                            0
                        }
                    },
                }
            };
            let mut e = |f: &str, reason: &'static str, v: String| err(label, f, reason, v);
            let target = pct("rule.target", &r.target, &mut e);
            let step = pct("rule.step", &r.step, &mut e);
            if step == 0 && r.step.is_some() {
                e("rule.step", "bad_percent", "0".into());
            }
            let empty_full = match r.when_empty.as_deref().map(str::trim) {
                None | Some("full") => true,
                Some("zero") => false,
                Some(other) => {
                    e("rule.when_empty", "bad_when_empty", other.to_string());
                    true
                }
            };
            Some(ScoreRule::Rate {
                target,
                step: step.max(1),
                points,
                empty_full,
            })
        }
        "deduct" | "bonus" => {
            if rate == Some(true) {
                err(label, "rule.kind", "count_of_rate", r.kind.clone());
            }
            if r.target.is_some() || r.step.is_some() || r.when_empty.is_some() {
                err(label, "rule", "rate_fields_on_count", String::new());
            }
            let per = r.per.filter(|p| *p >= 1);
            Some(if r.kind.trim() == "deduct" {
                ScoreRule::Deduct { points, per }
            } else {
                ScoreRule::Bonus { points, per }
            })
        }
        other => {
            err(label, "rule.kind", "unknown_rule_kind", other.to_string());
            None
        }
    }
}

fn rule_document(r: &ScoreRule) -> serde_json::Value {
    match r {
        ScoreRule::Rate {
            target,
            step,
            points,
            empty_full,
        } => {
            let mut o = serde_json::json!({
                "kind": "rate",
                "target": hundredths_text(*target),
                "step": hundredths_text(*step),
                "points": points.text(),
            });
            if !empty_full && let Some(m) = o.as_object_mut() {
                m.insert("when_empty".into(), "zero".into());
            }
            o
        }
        ScoreRule::Deduct { points, per } | ScoreRule::Bonus { points, per } => {
            let kind = if matches!(r, ScoreRule::Deduct { .. }) {
                "deduct"
            } else {
                "bonus"
            };
            let mut o = serde_json::json!({ "kind": kind, "points": points.text() });
            if let (Some(p), Some(m)) = (per, o.as_object_mut()) {
                m.insert("per".into(), (*p).into());
            }
            o
        }
    }
}

/// The scheme that ships with the binary (its year is replaced by the year asked for).
pub const DEFAULT: &str = include_str!("default.json");
