//! Roles, grants and permissions. A grant gives a role on a region subtree: a county finance
//! official acts on that county and everything below it, and on nothing else.
use crate::error::DomainError;
use crate::region::RegionCode;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// System administrator of a subtree: accounts, grants, departments and people.
    Admin,
    /// 市扶贫移民局: sees the whole city, runs spot checks, receives every ledger for the record.
    MunicipalBureau,
    /// 党委政府: main responsibility for the region.
    PartyGovernment,
    /// 纪委: supervisory duty, inspections and case handling.
    Discipline,
    /// 财政局: fund allocation and suspension of payment.
    Finance,
    /// 扶贫移民局 staff of a county.
    PovertyBureau,
    /// Township party committee and government officials.
    TownshipOfficial,
    /// Village committee cadre.
    VillageCadre,
    /// Resident work team captain or first secretary.
    WorkTeam,
    /// A member of the village affairs supervision committee (村务监督委员会): confirms that
    /// notices were put up.
    VillageSupervisor,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Admin,
        Role::MunicipalBureau,
        Role::PartyGovernment,
        Role::Discipline,
        Role::Finance,
        Role::PovertyBureau,
        Role::TownshipOfficial,
        Role::VillageCadre,
        Role::WorkTeam,
        Role::VillageSupervisor,
    ];
    pub fn key(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::MunicipalBureau => "municipal_bureau",
            Role::PartyGovernment => "party_government",
            Role::Discipline => "discipline",
            Role::Finance => "finance",
            Role::PovertyBureau => "poverty_bureau",
            Role::TownshipOfficial => "township_official",
            Role::VillageCadre => "village_cadre",
            Role::WorkTeam => "work_team",
            Role::VillageSupervisor => "village_supervisor",
        }
    }
    pub fn parse(s: &str) -> Result<Role, DomainError> {
        Self::ALL
            .into_iter()
            .find(|r| r.key() == s.trim())
            .ok_or_else(|| DomainError::invalid("role", "unknown_role", s))
    }

    pub fn permits(self, p: Permission) -> bool {
        use Permission::*;
        match p {
            ViewInternal => true,
            ManageUsers | ManageOrganisation => self == Role::Admin,
            ViewAuthEvents => {
                matches!(self, Role::Admin | Role::Discipline | Role::MunicipalBureau)
            }
            ManageFunds => self == Role::Finance,
        }
    }
}

/// Who drafts, publishes and closes notices, answers objections and records postings: the
/// officials of the level the notice is for.
pub const NOTICE_WRITERS: &[Role] = &[
    Role::PartyGovernment,
    Role::Finance,
    Role::PovertyBureau,
    Role::TownshipOfficial,
    Role::VillageCadre,
    Role::MunicipalBureau,
];

/// Who confirms that a notice was put up: the village affairs supervision committee.
pub const POSTING_CONFIRMERS: &[Role] = &[Role::VillageSupervisor];

/// Who records inspections and findings, and verifies rectification: the discipline
/// commission, the poverty alleviation bureau, finance, and the municipal bureau. Shared by
/// inspections and Book 3 (problems).
pub const INSPECTORS: &[Role] = &[
    Role::Discipline,
    Role::PovertyBureau,
    Role::Finance,
    Role::MunicipalBureau,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See unpublished data of a region: departments, people, and later ledgers.
    ViewInternal,
    /// Create departments and people.
    ManageOrganisation,
    /// Create accounts and grant or revoke roles.
    ManageUsers,
    /// Read the record of sign-ins, grants and revocations.
    ViewAuthEvents,
    /// Book funds and transfers, confirm receipts, pay, hold and suspend payments (finance).
    ManageFunds,
}

/// A role on a region subtree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub region: RegionCode,
}

impl Grant {
    pub fn covers(&self, region: &RegionCode) -> bool {
        region.is_within(&self.region)
    }
}

/// Who is acting: an account with its active grants, or the public (no grants).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub grants: Vec<Grant>,
}

impl Actor {
    pub fn public() -> Actor {
        Actor::default()
    }
    pub fn is_signed_in(&self) -> bool {
        self.user_id.is_some()
    }

    /// True when some grant covers `region` with a role that permits `p`.
    pub fn can(&self, p: Permission, region: &RegionCode) -> bool {
        self.grants
            .iter()
            .any(|g| g.role.permits(p) && g.covers(region))
    }

    pub fn require(&self, p: Permission, region: &RegionCode) -> Result<(), DomainError> {
        if self.can(p, region) {
            Ok(())
        } else {
            Err(DomainError::Forbidden)
        }
    }

    /// True when some grant of one of `roles` covers `region`.
    pub fn has_role(&self, roles: &[Role], region: &RegionCode) -> bool {
        self.grants
            .iter()
            .any(|g| roles.contains(&g.role) && g.covers(region))
    }

    /// The subtree roots where this actor holds `p` (for filtering lists in storage).
    pub fn scopes(&self, p: Permission) -> Vec<RegionCode> {
        let mut v: Vec<RegionCode> = self
            .grants
            .iter()
            .filter(|g| g.role.permits(p))
            .map(|g| g.region)
            .collect();
        v.sort();
        v.dedup();
        // Drop roots that lie inside another root.
        let all = v.clone();
        v.retain(|c| !all.iter().any(|o| o != c && c.is_within(o)));
        v
    }

    /// An admin may grant a role on `region` only inside its own admin scope.
    pub fn may_grant(&self, grant: &Grant) -> bool {
        self.can(Permission::ManageUsers, &grant.region)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn subtree_scope() {
        let a = Actor {
            user_id: Some(1),
            grants: vec![Grant {
                role: Role::Finance,
                region: c("522327"),
            }],
        };
        assert!(a.can(Permission::ViewInternal, &c("522327104201")));
        assert!(a.can(Permission::ViewInternal, &c("522327")));
        assert!(!a.can(Permission::ViewInternal, &c("522328")));
        assert!(!a.can(Permission::ViewInternal, &c("5223")));
        assert!(!a.can(Permission::ManageUsers, &c("522327")));
        assert!(!Actor::public().can(Permission::ViewInternal, &c("522327")));
    }

    #[test]
    fn scopes_collapse_nested_roots() {
        let a = Actor {
            user_id: Some(1),
            grants: vec![
                Grant {
                    role: Role::Finance,
                    region: c("522327"),
                },
                Grant {
                    role: Role::Discipline,
                    region: c("522327104"),
                },
                Grant {
                    role: Role::Finance,
                    region: c("522328"),
                },
            ],
        };
        assert_eq!(
            a.scopes(Permission::ViewInternal),
            vec![c("522327"), c("522328")]
        );
    }
}
