//! Departments and the people in them.
use crate::Result;
use async_trait::async_trait;
use serde::Serialize;
use sunledger_core::RegionCode;

/// The storage of departments and people (part of [`crate::Store`]).
#[async_trait]
pub trait OrgStore: Send + Sync {
    async fn create_department(&self, d: &NewDepartment, now: i64) -> Result<Department>;
    /// Creates many departments in one transaction (demo and imports); returns their ids in order.
    async fn create_departments(&self, ds: &[NewDepartment], now: i64) -> Result<Vec<i64>>;
    async fn department(&self, id: i64) -> Result<Option<Department>>;
    async fn departments_in(&self, region: &RegionCode) -> Result<Vec<Department>>;
    async fn create_person(&self, p: &NewPerson, now: i64) -> Result<Person>;
    /// Creates many people in one transaction (demo and imports).
    async fn create_people(&self, ps: &[NewPerson], now: i64) -> Result<u64>;
    async fn person(&self, id: i64) -> Result<Option<Person>>;
    async fn people_in_department(&self, department_id: i64) -> Result<Vec<Person>>;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Department {
    pub id: i64,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub kind: String,
    pub name: String,
    pub credit_code: Option<String>,
    /// For resident work teams: the unit that sent the team.
    pub stationed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDepartment {
    pub region: RegionCode,
    pub kind: sunledger_core::DepartmentKind,
    pub name: String,
    pub credit_code: Option<sunledger_core::CreditCode>,
    pub stationed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Person {
    pub id: i64,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub department_id: i64,
    pub name: String,
    pub position: String,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerson {
    pub department_id: i64,
    pub name: String,
    pub position: sunledger_core::org::Position,
    pub phone: Option<String>,
}
