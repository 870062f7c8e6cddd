//! Departments of each region, of the kinds the seed names, and the positions people hold in them.
use crate::error::DomainError;
use crate::region::Level;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DepartmentKind {
    /// 党委
    PartyCommittee,
    /// 政府
    Government,
    /// 纪委监委
    DisciplineCommission,
    /// 财政局 / 财政所
    FinanceBureau,
    /// 扶贫移民局
    PovertyBureau,
    /// 其他业务部门
    BusinessDepartment,
    /// 村民委员会
    VillageCommittee,
    /// 村纪检小组
    VillageDisciplineTeam,
    /// 群众监督小组
    MassSupervisionTeam,
    /// 驻村工作队
    ResidentWorkTeam,
}

impl DepartmentKind {
    pub const ALL: [DepartmentKind; 10] = [
        DepartmentKind::PartyCommittee,
        DepartmentKind::Government,
        DepartmentKind::DisciplineCommission,
        DepartmentKind::FinanceBureau,
        DepartmentKind::PovertyBureau,
        DepartmentKind::BusinessDepartment,
        DepartmentKind::VillageCommittee,
        DepartmentKind::VillageDisciplineTeam,
        DepartmentKind::MassSupervisionTeam,
        DepartmentKind::ResidentWorkTeam,
    ];

    pub fn key(self) -> &'static str {
        match self {
            DepartmentKind::PartyCommittee => "party_committee",
            DepartmentKind::Government => "government",
            DepartmentKind::DisciplineCommission => "discipline_commission",
            DepartmentKind::FinanceBureau => "finance_bureau",
            DepartmentKind::PovertyBureau => "poverty_bureau",
            DepartmentKind::BusinessDepartment => "business_department",
            DepartmentKind::VillageCommittee => "village_committee",
            DepartmentKind::VillageDisciplineTeam => "village_discipline_team",
            DepartmentKind::MassSupervisionTeam => "mass_supervision_team",
            DepartmentKind::ResidentWorkTeam => "resident_work_team",
        }
    }

    pub fn parse(s: &str) -> Result<DepartmentKind, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.key() == s.trim())
            .ok_or_else(|| DomainError::invalid("kind", "unknown_department_kind", s))
    }

    /// The region levels at which this kind of department exists.
    pub fn allowed_at(self, level: Level) -> bool {
        use DepartmentKind::*;
        match self {
            PartyCommittee | Government | DisciplineCommission | FinanceBureau | PovertyBureau
            | BusinessDepartment => matches!(level, Level::City | Level::County | Level::Township),
            VillageCommittee | VillageDisciplineTeam | MassSupervisionTeam | ResidentWorkTeam => {
                level == Level::Village
            }
        }
    }

    /// Kinds every region of `level` is expected to have (the resident work team is optional).
    pub fn standard_for(level: Level) -> Vec<DepartmentKind> {
        Self::ALL
            .into_iter()
            .filter(|k| k.allowed_at(level) && *k != DepartmentKind::ResidentWorkTeam)
            .collect()
    }

    /// Positions a person may hold in this kind of department.
    pub fn positions(self) -> &'static [Position] {
        use Position::*;
        match self {
            DepartmentKind::ResidentWorkTeam => &[Captain, FirstSecretary, Member],
            DepartmentKind::VillageCommittee => &[Director, Secretary, Member],
            DepartmentKind::VillageDisciplineTeam | DepartmentKind::MassSupervisionTeam => {
                &[Leader, Member]
            }
            _ => &[Head, DeputyHead, Staff],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    Head,
    DeputyHead,
    Staff,
    Director,
    Secretary,
    Leader,
    Member,
    /// 驻村工作队队长
    Captain,
    /// 第一书记
    FirstSecretary,
}

impl Position {
    pub const ALL: [Position; 9] = [
        Position::Head,
        Position::DeputyHead,
        Position::Staff,
        Position::Director,
        Position::Secretary,
        Position::Leader,
        Position::Member,
        Position::Captain,
        Position::FirstSecretary,
    ];
    pub fn key(self) -> &'static str {
        match self {
            Position::Head => "head",
            Position::DeputyHead => "deputy_head",
            Position::Staff => "staff",
            Position::Director => "director",
            Position::Secretary => "secretary",
            Position::Leader => "leader",
            Position::Member => "member",
            Position::Captain => "captain",
            Position::FirstSecretary => "first_secretary",
        }
    }
    pub fn parse(s: &str) -> Result<Position, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.key() == s.trim())
            .ok_or_else(|| DomainError::invalid("position", "unknown_position", s))
    }
}

/// Checks that a department of `kind` may be created in a region of `level` and a person may hold
/// `position` in it.
pub fn check_position(kind: DepartmentKind, position: Position) -> Result<(), DomainError> {
    if kind.positions().contains(&position) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "position",
            "not_in_this_department",
            position.key(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_level() {
        assert_eq!(DepartmentKind::standard_for(Level::County).len(), 6);
        assert_eq!(DepartmentKind::standard_for(Level::Village).len(), 3);
        assert!(DepartmentKind::ResidentWorkTeam.allowed_at(Level::Village));
        assert!(!DepartmentKind::FinanceBureau.allowed_at(Level::Village));
        assert!(!DepartmentKind::VillageCommittee.allowed_at(Level::Province));
        for k in DepartmentKind::ALL {
            assert_eq!(DepartmentKind::parse(k.key()), Ok(k));
        }
        assert!(check_position(DepartmentKind::ResidentWorkTeam, Position::FirstSecretary).is_ok());
        assert!(check_position(DepartmentKind::FinanceBureau, Position::Captain).is_err());
    }
}
