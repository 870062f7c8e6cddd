//! Row shapes read from and written to storage.
use serde::Serialize;
use sunledger_core::{Level, RegionCode};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Region {
    #[schema(value_type = String)]
    pub code: RegionCode,
    pub name: String,
    #[schema(value_type = String)]
    pub level: Level,
    #[schema(value_type = Option<String>)]
    pub parent: Option<RegionCode>,
    /// Number of direct children (filled by listing queries; 0 where not computed).
    pub children: i64,
}

/// A region to insert or rename.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRegion {
    pub code: RegionCode,
    pub name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UpsertCounts {
    pub inserted: u64,
    pub renamed: u64,
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
    pub position: sunledger_core::department::Position,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    /// The region the account belongs to; admins of that region's subtree manage it.
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub person_id: Option<i64>,
    pub locale: Option<String>,
    pub disabled: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub region: RegionCode,
    pub person_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct GrantRow {
    pub id: i64,
    pub user_id: i64,
    pub role: String,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub granted_by: Option<i64>,
    pub granted_at: i64,
    pub revoked_by: Option<i64>,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGrant {
    pub user_id: i64,
    pub role: sunledger_core::Role,
    pub region: RegionCode,
    pub granted_by: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub token_hash: String,
    pub user_id: i64,
    pub created_at: i64,
    pub expires_at: i64,
}

/// Kinds of entries in the record of sign-ins and access changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthEventKind {
    SignIn,
    SignInFailed,
    SignOut,
    UserAdded,
    PasswordSet,
    Grant,
    Revoke,
}

impl AuthEventKind {
    pub fn key(self) -> &'static str {
        match self {
            AuthEventKind::SignIn => "sign_in",
            AuthEventKind::SignInFailed => "sign_in_failed",
            AuthEventKind::SignOut => "sign_out",
            AuthEventKind::UserAdded => "user_added",
            AuthEventKind::PasswordSet => "password_set",
            AuthEventKind::Grant => "grant",
            AuthEventKind::Revoke => "revoke",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuthEvent {
    pub at: i64,
    pub kind: AuthEventKind,
    /// The region the event concerns (the account's home region); `None` for unknown usernames.
    pub region: Option<RegionCode>,
    pub username: Option<String>,
    pub user_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub ip: Option<String>,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AuthEvent {
    pub id: i64,
    pub at: i64,
    pub kind: String,
    pub region: Option<String>,
    pub username: Option<String>,
    pub user_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub ip: Option<String>,
    pub detail: String,
}
