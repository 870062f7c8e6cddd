//! The translation catalogue: every user-facing string, Simplified Chinese first, English beside it.
//! Keys are stable; templates and errors look them up with [`t`]. Each feature keeps its strings
//! in its own part, `i18n/<feature>.rs`; `app` holds those every page shares.
use std::collections::HashMap;
use std::sync::LazyLock;

mod acceptance;
mod access;
mod app;
mod appraisal;
mod assessment;
mod asset;
mod committee;
mod complaint;
mod disclosure;
mod escalation;
mod evaluation;
mod flag;
mod inspection;
mod ledger;
mod log;
mod meeting;
mod notice;
mod org;
mod problem;
mod project;
mod region;
mod responsibility;
mod summary;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh_cn" | "zh-hans" => Some(Lang::Zh),
            "en" | "en-us" | "en-gb" | "en_us" => Some(Lang::En),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

/// One entry of the catalogue: (key, zh-CN, en).
pub type Entry = (&'static str, &'static str, &'static str);

/// The registry: one catalogue part per feature, each in `i18n/<feature>.rs`. A key must appear
/// in one part only (a test refuses duplicates, which would silently shadow each other).
const PARTS: &[&[Entry]] = &[
    app::ENTRIES,
    acceptance::ENTRIES,
    evaluation::ENTRIES,
    committee::ENTRIES,
    complaint::ENTRIES,
    flag::ENTRIES,
    appraisal::ENTRIES,
    region::ENTRIES,
    org::ENTRIES,
    access::ENTRIES,
    log::ENTRIES,
    ledger::ENTRIES,
    project::ENTRIES,
    responsibility::ENTRIES,
    inspection::ENTRIES,
    problem::ENTRIES,
    escalation::ENTRIES,
    summary::ENTRIES,
    disclosure::ENTRIES,
    notice::ENTRIES,
    asset::ENTRIES,
    meeting::ENTRIES,
    assessment::ENTRIES,
];

/// Every entry of the catalogue.
pub fn entries() -> impl Iterator<Item = &'static Entry> {
    PARTS.iter().flat_map(|part| part.iter())
}

static ZH: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| entries().map(|(k, zh, _)| (*k, *zh)).collect());
static EN: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| entries().map(|(k, _, en)| (*k, *en)).collect());

/// Looks `key` up in `lang`, `None` when the catalogue lacks it (for a fallback chosen by the
/// caller).
pub fn lookup(lang: Lang, key: &str) -> Option<&'static str> {
    match lang {
        Lang::Zh => ZH.get(key).copied(),
        Lang::En => EN.get(key).copied(),
    }
}

/// Looks `key` up in `lang`. A missing key comes back as the key itself (and a test checks that
/// no rendered page contains one).
pub fn t(lang: Lang, key: &str) -> String {
    let m = match lang {
        Lang::Zh => &*ZH,
        Lang::En => &*EN,
    };
    match m.get(key) {
        Some(s) => (*s).to_string(),
        None => {
            tracing::warn!(key, "missing translation");
            key.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_filled() {
        let mut seen = std::collections::HashSet::new();
        for (k, zh, en) in entries() {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(!zh.is_empty() && !en.is_empty(), "{k} is empty");
        }
    }

    #[test]
    fn every_notice_kind_field_state_and_step_is_translated() {
        use sunledger_core::notice as n;
        let keys = n::KINDS
            .iter()
            .flat_map(|k| {
                std::iter::once(format!("notice.kind.{}", k.key))
                    .chain(k.all_fields().map(|f| format!("notice.field.{}", f.key)))
                    .chain(k.all_fields().map(|f| format!("field.{}", f.key)))
                    .chain(k.due.map(|d| format!("notice.due.{}", d.after)))
            })
            .chain(
                n::NoticeState::ALL
                    .iter()
                    .map(|s| format!("notice.state.{}", s.key())),
            )
            .chain(
                n::NoticeAction::ALL
                    .iter()
                    .map(|a| format!("notice.action.{}", a.key())),
            );
        for k in keys {
            assert!(
                ZH.contains_key(k.as_str()) && EN.contains_key(k.as_str()),
                "{k}"
            );
        }
        use sunledger_core::meeting as mt;
        let keys = mt::MeetingKind::ALL
            .iter()
            .map(|x| format!("meeting.kind.{}", x.key()))
            .chain(
                mt::RosterBasis::ALL
                    .iter()
                    .map(|x| format!("meeting.basis.{}", x.key())),
            )
            .chain(
                mt::Outcome::ALL
                    .iter()
                    .map(|x| format!("meeting.outcome.{}", x.key())),
            )
            .chain(
                mt::Ballot::ALL
                    .iter()
                    .map(|x| format!("meeting.ballot.{}", x.key())),
            )
            .chain(["meeting.state.called".into(), "meeting.state.held".into()]);
        for k in keys {
            assert!(
                ZH.contains_key(k.as_str()) && EN.contains_key(k.as_str()),
                "{k}"
            );
        }
        use sunledger_core::evaluation as ev;
        let keys = ev::EvaluationState::ALL
            .iter()
            .map(|x| format!("evaluation.state.{}", x.key()))
            .chain(ev::EvaluationAction::ALL.iter().flat_map(|x| {
                [
                    format!("evaluation.action.{}", x.key()),
                    format!("evaluation.step.{}", x.key()),
                ]
            }))
            .chain(
                ev::Source::ALL
                    .iter()
                    .map(|x| format!("evaluation.source.{}", x.key())),
            );
        for k in keys {
            assert!(
                ZH.contains_key(k.as_str()) && EN.contains_key(k.as_str()),
                "{k}"
            );
        }
        use sunledger_core::acceptance as a;
        let keys = a::AcceptanceState::ALL
            .iter()
            .map(|x| format!("acceptance.state.{}", x.key()))
            .chain(
                a::AcceptanceAction::ALL
                    .iter()
                    .map(|x| format!("acceptance.action.{}", x.key())),
            )
            .chain(
                a::Grade::ALL
                    .iter()
                    .map(|x| format!("acceptance.grade.{}", x.key())),
            )
            .chain(
                a::Band::ALL
                    .iter()
                    .map(|x| format!("acceptance.band.{}", x.key())),
            )
            .chain(
                a::IndicatorClass::ALL
                    .iter()
                    .map(|x| format!("indicator.class.{}", x.key())),
            )
            .chain(
                a::IndicatorKind::ALL
                    .iter()
                    .map(|x| format!("indicator.kind.{}", x.key())),
            )
            .chain(
                a::Operator::ALL
                    .iter()
                    .map(|x| format!("indicator.operator.{}", x.key())),
            );
        for k in keys {
            assert!(
                ZH.contains_key(k.as_str()) && EN.contains_key(k.as_str()),
                "{k}"
            );
        }
    }

    #[test]
    fn every_domain_enum_is_translated() {
        for r in sunledger_core::Role::ALL {
            assert!(ZH.contains_key(format!("role.{}", r.key()).as_str()));
        }
        for k in sunledger_core::DepartmentKind::ALL {
            assert!(ZH.contains_key(format!("dept.kind.{}", k.key()).as_str()));
        }
        for p in sunledger_core::org::Position::ALL {
            assert!(ZH.contains_key(format!("position.{}", p.key()).as_str()));
        }
        for l in sunledger_core::Level::ALL {
            assert!(ZH.contains_key(format!("level.{}", l.key()).as_str()));
        }
        use sunledger_core::project as p;
        let keys = p::Category::ALL
            .iter()
            .map(|x| format!("project.category.{}", x.key()))
            .chain(
                p::Stage::ALL
                    .iter()
                    .map(|x| format!("project.stage.{}", x.key())),
            )
            .chain(
                p::Status::ALL
                    .iter()
                    .map(|x| format!("project.status.{}", x.key())),
            )
            .chain(
                p::StageAction::ALL
                    .iter()
                    .map(|x| format!("project.action.{}", x.key())),
            )
            .chain(
                p::StatusAction::ALL
                    .iter()
                    .map(|x| format!("project.action.{}", x.key())),
            )
            .chain(
                sunledger_core::responsibility::ResponsibleRole::ALL
                    .iter()
                    .map(|x| format!("resp.role.{}", x.key())),
            );
        for k in keys {
            assert!(
                ZH.contains_key(k.as_str()) && EN.contains_key(k.as_str()),
                "{k}"
            );
        }
    }
}
