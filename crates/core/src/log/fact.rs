//! Booked facts and their canonical serialization: what goes into the tamper-evident log.
//!
//! A fact is one thing the application booked: an account created, a role granted or revoked, a
//! department or a person recorded (and, as the books arrive, transfers, receipts, suspensions,
//! sign-offs and state changes). It names the row it comes from (`table`, `id`), its `kind`, its
//! time and its fields. The log's leaf for a fact is [`Fact::canonical`]:
//!
//! ```text
//! {"at":1795748388,"fields":{"granted_by":null,"region":"529121000000","role":"finance","user_id":7},"id":7,"kind":"grant","table":"grants","v":1}
//! ```
//!
//! Version 1 is JSON in the JCS style (RFC 8785) restricted to what facts use: object keys sorted
//! by byte value, no white space, integers in plain decimal, strings with only `"`, `\` and
//! control characters escaped (UTF-8 otherwise), `null` for absent values. Anyone can recompute a
//! leaf hash, `SHA-256(0x00 ‖ canonical bytes)`, from a row with a few lines of code in any
//! language. A fact's fields are the row's *immutable* columns; a later change to the same row is
//! a new fact of another kind (a revocation is `grant.revoke` on the same grant).
use crate::log::merkle::{Hash, leaf_hash};
use std::collections::BTreeMap;
use std::fmt::Write;

pub const FACT_VERSION: i64 = 1;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Value::Null)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub kind: &'static str,
    pub table: &'static str,
    pub id: i64,
    /// The county shard key of the row (`None` for rows above county level, e.g. accounts of the
    /// city). Stored beside the leaf, not part of it.
    pub county: Option<String>,
    pub at: i64,
    pub fields: BTreeMap<&'static str, Value>,
}

fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn push_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Text(s) => push_json_str(out, s),
    }
}

impl Fact {
    pub fn new(kind: &'static str, table: &'static str, id: i64, at: i64) -> Fact {
        Fact {
            kind,
            table,
            id,
            county: None,
            at,
            fields: BTreeMap::new(),
        }
    }

    pub fn county(mut self, county: Option<String>) -> Fact {
        self.county = county;
        self
    }

    pub fn field(mut self, name: &'static str, v: impl Into<Value>) -> Fact {
        self.fields.insert(name, v.into());
        self
    }

    /// `table/id`, how reports name the record.
    pub fn record(&self) -> String {
        format!("{}/{}", self.table, self.id)
    }

    /// The canonical bytes of version 1 (see the module documentation).
    pub fn canonical(&self) -> Vec<u8> {
        let mut out = String::with_capacity(160);
        out.push_str("{\"at\":");
        let _ = write!(out, "{}", self.at);
        out.push_str(",\"fields\":{");
        // BTreeMap orders &str keys by bytes, as JCS requires for ASCII keys.
        for (i, (k, v)) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_json_str(&mut out, k);
            out.push(':');
            push_value(&mut out, v);
        }
        out.push_str("},\"id\":");
        let _ = write!(out, "{}", self.id);
        out.push_str(",\"kind\":");
        push_json_str(&mut out, self.kind);
        out.push_str(",\"table\":");
        push_json_str(&mut out, self.table);
        let _ = write!(out, ",\"v\":{FACT_VERSION}}}");
        out.into_bytes()
    }

    pub fn leaf_hash(&self) -> Hash {
        leaf_hash(&self.canonical())
    }
}

/// SHA-256 of `bytes`, lower-case hex: how a fact commits to a document it does not carry.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in d.iter() {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_form_is_sorted_compact_json() {
        let f = Fact::new("grant", "grants", 7, 1_795_748_388)
            .field("user_id", 7)
            .field("role", "finance")
            .field("region", "529121000000")
            .field("granted_by", None::<i64>);
        let s = String::from_utf8(f.canonical()).unwrap();
        assert_eq!(
            s,
            r#"{"at":1795748388,"fields":{"granted_by":null,"region":"529121000000","role":"finance","user_id":7},"id":7,"kind":"grant","table":"grants","v":1}"#
        );
        let parsed: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(parsed["fields"]["role"], "finance");
    }

    #[test]
    fn strings_escape_only_what_json_requires() {
        let f = Fact::new("person", "people", 1, 0).field("name", "王\"芳\"\\\n\u{1}");
        let s = String::from_utf8(f.canonical()).unwrap();
        assert!(s.contains(r#""name":"王\"芳\"\\\n\u0001""#), "{s}");
        let parsed: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(parsed["fields"]["name"], "王\"芳\"\\\n\u{1}");
    }
}
