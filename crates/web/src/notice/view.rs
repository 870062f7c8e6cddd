//! How a notice's fields are shown and typed: labels from the catalogue, money in yuan, lists a
//! line each.
use crate::app::page::Page;
use std::collections::BTreeMap;
use sunledger_core::notice::{self as rules, FieldType, KindRule};
use sunledger_store::Notice;

/// One field of a notice, for a page or a form.
pub struct FieldView {
    pub key: &'static str,
    pub label: String,
    pub required: bool,
    /// `text`, `textarea`, `money`, `day` or `lines`.
    pub input: &'static str,
    /// As shown (money in yuan with separators).
    pub shown: String,
    /// As typed in the form (money in plain yuan).
    pub typed: String,
    /// A list field's lines.
    pub lines: Vec<String>,
}

fn input_of(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Text(max) if max > sunledger_core::text::NAME => "textarea",
        FieldType::Text(_) => "text",
        FieldType::Money => "money",
        FieldType::Day => "day",
        FieldType::Lines => "lines",
    }
}

/// Every field of `rule`, with the values of `values` (stored values: money in fen) or of
/// `typed` (a refused form's text, shown again as typed).
pub fn fields(
    page: &Page,
    rule: &KindRule,
    values: &BTreeMap<String, String>,
    typed: Option<&BTreeMap<String, String>>,
) -> Vec<FieldView> {
    rule.all_fields()
        .map(|spec| {
            let stored = values.get(spec.key).cloned().unwrap_or_default();
            let shown = match spec.ty {
                FieldType::Money => stored
                    .parse::<i64>()
                    .map(|f| page.fen(f))
                    .unwrap_or_else(|_| stored.clone()),
                _ => stored.clone(),
            };
            let as_typed = match spec.ty {
                FieldType::Money => stored
                    .parse::<i64>()
                    .map(|f| sunledger_core::money::Money::from_fen(f).to_string())
                    .unwrap_or_else(|_| stored.clone()),
                _ => stored.clone(),
            };
            FieldView {
                key: spec.key,
                label: page.tp("notice.field.", spec.key),
                required: spec.required,
                input: input_of(spec.ty),
                lines: stored.lines().map(str::to_string).collect(),
                shown,
                typed: typed
                    .and_then(|t| t.get(spec.key).cloned())
                    .unwrap_or(as_typed),
            }
        })
        .collect()
}

/// A notice's fields that have a value, for reading (title and channels are shown apart).
pub fn shown(page: &Page, n: &Notice) -> Vec<FieldView> {
    match rules::kind(&n.kind) {
        Ok(rule) => fields(page, rule, &n.fields, None)
            .into_iter()
            .filter(|f| !f.shown.is_empty() && f.key != "title" && f.key != "channels")
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The form's `f.<key>` pairs as field values.
pub fn typed_fields(pairs: &[(String, String)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("f.").map(|k| (k.to_string(), v.clone())))
        .collect()
}

/// The value of the first pair named `key`.
pub fn pair<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// The last day of a published notice's window, if any.
pub fn last_day(n: &Notice) -> Option<String> {
    n.window()
        .map(|w| sunledger_core::day::format(w.last_day()))
}

/// Whether a notice takes objections on `today`.
pub fn open_on(n: &Notice, today: i64) -> bool {
    n.state == "published" && n.window().is_some_and(|w| w.is_open(today))
}
