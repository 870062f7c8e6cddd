//! The one macro for the crate's keyed enums: a closed set of values, each with a stable
//! snake_case key used in storage, forms, URLs and the API.
//!
//! `keyed!(Name, "field", "reason" { Variant => "key", ... })` defines `pub enum Name` (`Debug,
//! Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord`, serde in snake_case) with `Name::ALL` (in
//! declaration order), `key()` and `parse()`, which trims its input and refuses an unknown key
//! with `DomainError::invalid(field, reason, input)`.

macro_rules! keyed {
    ($(#[$m:meta])* $name:ident, $field:literal, $reason:literal { $($(#[$vm:meta])* $v:ident => $k:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            pub fn key(self) -> &'static str {
                match self { $($name::$v => $k),+ }
            }
            pub fn parse(s: &str) -> Result<$name, $crate::error::DomainError> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|x| x.key() == s.trim())
                    .ok_or_else(|| $crate::error::DomainError::invalid($field, $reason, s))
            }
        }
    };
}

pub(crate) use keyed;
