//! Book 2, the supervision responsibility ledger: the rules, with no storage.
//!
//! Every project has named responsible persons ([`ResponsibleRole`]), each for a span of dates;
//! the history is never deleted, so "who was responsible on date D" always has an answer.
use crate::access::Role;
use crate::keyed::keyed;
use crate::org::{DepartmentKind, Position};
use crate::region::Level;

keyed!(
    /// The roles of Book 2: who answers for a project.
    ResponsibleRole, "role", "unknown_responsible_role" {
        /// 县级分管领导
        CountyLeader => "county_leader",
        /// 扶贫移民局工作人员
        BureauStaff => "bureau_staff",
        /// 乡镇干部
        TownshipOfficial => "township_official",
        /// 村干部
        VillageCadre => "village_cadre",
        /// 驻村工作队队长
        WorkTeamCaptain => "work_team_captain",
        /// 第一书记
        FirstSecretary => "first_secretary",
    }
);

/// Roles that keep Book 2: assign responsible persons and file responsibility letters.
pub const RESPONSIBILITY_KEEPERS: &[Role] = &[Role::PovertyBureau];

impl ResponsibleRole {
    /// Whether a person in a department of `kind` at `level`, holding `position`, can answer for
    /// a project in this role.
    pub fn fits(self, kind: DepartmentKind, level: Level, position: Position) -> bool {
        use DepartmentKind as K;
        use ResponsibleRole::*;
        match self {
            CountyLeader => {
                level == Level::County && matches!(kind, K::PartyCommittee | K::Government)
            }
            BureauStaff => level == Level::County && kind == K::PovertyBureau,
            TownshipOfficial => {
                level == Level::Township && matches!(kind, K::PartyCommittee | K::Government)
            }
            VillageCadre => level == Level::Village && kind == K::VillageCommittee,
            WorkTeamCaptain => kind == K::ResidentWorkTeam && position == Position::Captain,
            FirstSecretary => kind == K::ResidentWorkTeam && position == Position::FirstSecretary,
        }
    }

    /// The level of region the person's department must be at, relative to the project: the
    /// project's county, township or village.
    pub fn level(self) -> Level {
        match self {
            ResponsibleRole::CountyLeader | ResponsibleRole::BureauStaff => Level::County,
            ResponsibleRole::TownshipOfficial => Level::Township,
            _ => Level::Village,
        }
    }
}

/// Whether a responsibility that ran from `start` to `end` (inclusive, open when `None`) covers
/// `day`.
pub fn covers(start: i64, end: Option<i64>, day: i64) -> bool {
    start <= day && end.is_none_or(|e| day <= e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responsibility_spans() {
        assert!(covers(10, None, 10));
        assert!(covers(10, Some(12), 12));
        assert!(!covers(10, Some(12), 13));
        assert!(!covers(10, None, 9));
        assert!(ResponsibleRole::FirstSecretary.fits(
            DepartmentKind::ResidentWorkTeam,
            Level::Village,
            Position::FirstSecretary
        ));
        assert!(!ResponsibleRole::BureauStaff.fits(
            DepartmentKind::FinanceBureau,
            Level::County,
            Position::Staff
        ));
    }
}
