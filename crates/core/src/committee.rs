//! The village affairs supervision committee (村务监督委员会, issue 18): elected for a term, at
//! least one member with accounting skills, and nobody who sits on the village committee or is a
//! close relative of one of its members. No storage and no clock.
//!
//! Sources (every number a default in [`Rules`]):
//! - 《中华人民共和国村民委员会组织法》(2018) art. 32: the village sets up a supervision body,
//!   its members are elected by the villagers' meeting or the representatives' meeting from
//!   among the villagers, "among them there shall be persons with accounting and management
//!   knowledge", and "members of the village committee and their close relatives may not serve";
//!   art. 11: the term is five years;
//! - 中共中央办公厅 国务院办公厅《关于建立健全村务监督委员会的指导意见》(2017): three to five
//!   members with one chair; the term is the village committee's;
//! - seed §2, §3B: the village "mass supervision team" takes part in the whole process.
use crate::error::DomainError;

/// The configurable numbers of a committee, with their defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// Fewest members (指导意见 2017: 3).
    pub min_members: usize,
    /// Most members (指导意见 2017: 5).
    pub max_members: usize,
    /// Years of a term (组织法 art. 11: 5).
    pub term_years: u32,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            min_members: 3,
            max_members: 5,
            term_years: 5,
        }
    }
}

/// A person standing for the committee, as the election records them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub name: String,
    /// The resident ID number, when given (it decides a match with a list).
    pub id_number: Option<String>,
    pub chair: bool,
    /// Has accounting skills (财会知识).
    pub accounting: bool,
}

/// Someone the conflict rule checks a candidate against: a member of the village committee
/// (`of_name` empty, `relation` "本人" or empty) or one of their close relatives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tie {
    pub name: String,
    pub id_number: Option<String>,
    /// 本人, 配偶, 父母, 子女, 兄弟姐妹 ... as the list gives it.
    pub relation: String,
    /// The village committee member the person is related to (empty for the member).
    pub of_name: String,
}

impl Tie {
    /// Whether the tie is the village committee member themself.
    pub fn is_member(&self) -> bool {
        self.of_name.trim().is_empty() || matches!(self.relation.trim(), "" | "本人")
    }

    /// The relation in words for a refusal: `李四（村民委员会成员）` or `李四（配偶）`.
    pub fn describe(&self) -> String {
        if self.is_member() {
            format!("{}（村民委员会成员）", self.name.trim())
        } else {
            format!(
                "{}（{}）的{}",
                self.of_name.trim(),
                "村民委员会成员",
                self.relation.trim()
            )
        }
    }
}

/// Whether a candidate is the person of a tie: by ID number when both carry one, else by name.
pub fn same_person(c: &Candidate, t: &Tie) -> bool {
    let norm = |s: &str| s.trim().to_ascii_uppercase();
    match (c.id_number.as_deref(), t.id_number.as_deref()) {
        (Some(a), Some(b)) if !a.trim().is_empty() && !b.trim().is_empty() => norm(a) == norm(b),
        _ => c.name.trim() == t.name.trim() && !c.name.trim().is_empty(),
    }
}

/// The first tie a candidate has, if any.
pub fn conflict<'a>(c: &Candidate, ties: &'a [Tie]) -> Option<&'a Tie> {
    ties.iter().find(|t| same_person(c, t))
}

/// Checks a slate elected together: its size, one chair, a member with accounting skills, no
/// person twice, and nobody tied to the village committee. The refusal names the row (1-based)
/// and, for a conflict, the relation.
pub fn check_slate(slate: &[Candidate], ties: &[Tie], rules: &Rules) -> Result<(), DomainError> {
    if slate.len() < rules.min_members || slate.len() > rules.max_members {
        return Err(DomainError::invalid(
            "members",
            "committee_size",
            format!(
                "{} ∉ [{}, {}]",
                slate.len(),
                rules.min_members,
                rules.max_members
            ),
        ));
    }
    for (i, c) in slate.iter().enumerate() {
        if c.name.trim().is_empty() {
            return Err(DomainError::invalid(
                "members",
                "member_name_missing",
                format!("{}", i + 1),
            ));
        }
        if slate.iter().take(i).any(|d| {
            same_person(
                c,
                &Tie {
                    name: d.name.clone(),
                    id_number: d.id_number.clone(),
                    relation: String::new(),
                    of_name: String::new(),
                },
            )
        }) {
            return Err(DomainError::invalid(
                "members",
                "duplicate_member",
                format!("{}", i + 1),
            ));
        }
        if let Some(t) = conflict(c, ties) {
            return Err(DomainError::invalid(
                "members",
                "committee_conflict",
                format!("{}. {} → {}", i + 1, c.name.trim(), t.describe()),
            ));
        }
    }
    let chairs = slate.iter().filter(|c| c.chair).count();
    if chairs != 1 {
        return Err(DomainError::invalid(
            "members",
            "committee_chair",
            chairs.to_string(),
        ));
    }
    if !slate.iter().any(|c| c.accounting) {
        return Err(DomainError::invalid(
            "members",
            "committee_without_accounting",
            "",
        ));
    }
    Ok(())
}

/// Checks one member added to a sitting committee (a by-election): no tie, not already sitting.
pub fn check_addition(
    c: &Candidate,
    sitting: &[Candidate],
    ties: &[Tie],
    rules: &Rules,
) -> Result<(), DomainError> {
    if c.name.trim().is_empty() {
        return Err(DomainError::invalid("name", "required", ""));
    }
    if sitting.len() >= rules.max_members {
        return Err(DomainError::invalid(
            "members",
            "committee_size",
            format!("{} > {}", sitting.len() + 1, rules.max_members),
        ));
    }
    if c.chair && sitting.iter().any(|s| s.chair) {
        return Err(DomainError::invalid("chair", "committee_chair", "2"));
    }
    if sitting.iter().any(|s| {
        same_person(
            c,
            &Tie {
                name: s.name.clone(),
                id_number: s.id_number.clone(),
                relation: String::new(),
                of_name: String::new(),
            },
        )
    }) {
        return Err(DomainError::invalid(
            "name",
            "duplicate_member",
            c.name.trim(),
        ));
    }
    if let Some(t) = conflict(c, ties) {
        return Err(DomainError::invalid(
            "name",
            "committee_conflict",
            format!("{} → {}", c.name.trim(), t.describe()),
        ));
    }
    Ok(())
}

/// The last day of a term elected on `elected_on` (a Julian day): the day before the same date
/// `years` later (a term begun on 29 February ends on 28 February of a common year).
pub fn term_ends(elected_on: i64, years: u32) -> Option<i64> {
    let d = i32::try_from(elected_on)
        .ok()
        .and_then(|j| time::Date::from_julian_day(j).ok())?;
    let year = d.year() + i32::try_from(years).ok()?;
    let end = time::Date::from_calendar_date(year, d.month(), d.day())
        .or_else(|_| time::Date::from_calendar_date(year, time::Month::March, 1))
        .ok()?;
    Some(i64::from(end.to_julian_day()) - 1)
}

/// What the sitting committee lacks, as warnings for its page: too few members, no chair, no
/// member with accounting skills.
pub fn gaps(sitting: &[Candidate], rules: &Rules) -> Vec<&'static str> {
    let mut out = Vec::new();
    if sitting.len() < rules.min_members {
        out.push("committee_size");
    }
    if !sitting.iter().any(|c| c.chair) {
        out.push("committee_chair");
    }
    if !sitting.iter().any(|c| c.accounting) {
        out.push("committee_without_accounting");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cand(name: &str, chair: bool, accounting: bool) -> Candidate {
        Candidate {
            name: name.into(),
            id_number: None,
            chair,
            accounting,
        }
    }

    fn reason(e: DomainError) -> (&'static str, &'static str, String) {
        match e {
            DomainError::Invalid {
                field,
                reason,
                value,
            } => (field, reason, value),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_relative_of_the_village_committee_is_refused_with_the_relation() {
        let ties = vec![
            Tie {
                name: "李四".into(),
                id_number: None,
                relation: "本人".into(),
                of_name: String::new(),
            },
            Tie {
                name: "王芳".into(),
                id_number: Some("52312119800101001X".into()),
                relation: "配偶".into(),
                of_name: "李四".into(),
            },
        ];
        let mut slate = vec![
            cand("张三", true, false),
            cand("赵六", false, true),
            Candidate {
                name: "王芳".into(),
                id_number: Some("52312119800101001x".into()),
                chair: false,
                accounting: false,
            },
        ];
        let (f, r, v) = reason(check_slate(&slate, &ties, &Rules::default()).unwrap_err());
        assert_eq!((f, r), ("members", "committee_conflict"));
        assert_eq!(v, "3. 王芳 → 李四（村民委员会成员）的配偶");
        slate[2] = cand("李四", false, false);
        let (_, _, v) = reason(check_slate(&slate, &ties, &Rules::default()).unwrap_err());
        assert_eq!(v, "3. 李四 → 李四（村民委员会成员）");
        slate[2] = cand("孙七", false, false);
        assert!(check_slate(&slate, &ties, &Rules::default()).is_ok());
    }

    #[test]
    fn an_id_number_decides_over_a_shared_name() {
        let tie = Tie {
            name: "王芳".into(),
            id_number: Some("52312119800101001X".into()),
            relation: "配偶".into(),
            of_name: "李四".into(),
        };
        let namesake = Candidate {
            name: "王芳".into(),
            id_number: Some("523121199001010023".into()),
            chair: false,
            accounting: false,
        };
        assert!(!same_person(&namesake, &tie));
        let no_id = cand("王芳", false, false);
        assert!(same_person(&no_id, &tie));
    }

    #[test]
    fn a_slate_needs_an_accountant_and_one_chair() {
        let r = Rules::default();
        let s = vec![
            cand("甲", true, false),
            cand("乙", false, false),
            cand("丙", false, false),
        ];
        assert_eq!(
            reason(check_slate(&s, &[], &r).unwrap_err()).1,
            "committee_without_accounting"
        );
        let s = vec![
            cand("甲", true, true),
            cand("乙", true, false),
            cand("丙", false, false),
        ];
        assert_eq!(
            reason(check_slate(&s, &[], &r).unwrap_err()).1,
            "committee_chair"
        );
        let s = vec![cand("甲", true, true), cand("乙", false, false)];
        assert_eq!(
            reason(check_slate(&s, &[], &r).unwrap_err()).1,
            "committee_size"
        );
        assert_eq!(gaps(&s, &r), vec!["committee_size"]);
    }

    #[test]
    fn a_term_ends_the_day_before_its_fifth_anniversary() {
        let d = crate::day::parse("on", "2024-02-29").unwrap();
        let end = term_ends(d, 5).unwrap();
        assert_eq!(crate::day::format(end), "2029-02-28");
        let d = crate::day::parse("on", "2026-03-10").unwrap();
        assert_eq!(crate::day::format(term_ends(d, 5).unwrap()), "2031-03-09");
    }

    proptest! {
        /// Any slate the rule accepts has a size within bounds, one chair, an accountant, no
        /// tied member and no one twice; and the order of the slate does not change the answer.
        #[test]
        fn accepted_slates_keep_every_rule(
            rows in prop::collection::vec((0..8u8, any::<bool>(), any::<bool>()), 0..8),
            tied in prop::collection::vec(0..8u8, 0..3),
        ) {
            let r = Rules::default();
            let slate: Vec<Candidate> = rows
                .iter()
                .map(|(n, c, a)| cand(&format!("村民{n}"), *c, *a))
                .collect();
            let ties: Vec<Tie> = tied
                .iter()
                .map(|n| Tie { name: format!("村民{n}"), id_number: None, relation: "本人".into(), of_name: String::new() })
                .collect();
            let ok = check_slate(&slate, &ties, &r).is_ok();
            if ok {
                prop_assert!(slate.len() >= r.min_members && slate.len() <= r.max_members);
                prop_assert_eq!(slate.iter().filter(|c| c.chair).count(), 1);
                prop_assert!(slate.iter().any(|c| c.accounting));
                prop_assert!(slate.iter().all(|c| conflict(c, &ties).is_none()));
                let mut names: Vec<_> = slate.iter().map(|c| c.name.clone()).collect();
                names.sort();
                names.dedup();
                prop_assert_eq!(names.len(), slate.len());
            }
            let mut rev = slate.clone();
            rev.reverse();
            prop_assert_eq!(check_slate(&rev, &ties, &r).is_ok(), ok);
        }
    }
}
