//! Public notices (公告公示), the "four openness" of seed §3B: what was decided and paid, put up
//! on the village board, at the project site and on the website, for a window in which anyone
//! may object.
//!
//! A notice is drafted, published (its window opens) and closed (after its window, with every
//! objection answered). A published notice's text is never edited: a correction is a new notice
//! that points at the old one. Each kind of notice names the fields it must give; the kinds are a
//! registry ([`KINDS`]) a feature adds a line to. Rules come with their sources:
//! - 国务院扶贫办 财政部《关于完善扶贫资金项目公告公示制度的指导意见》(国开办发〔2017〕50号):
//!   what a fund and a project notice give, fund allocation results within 15 working days,
//!   notices at least 10 days on the village board, long-term on the website;
//! - seed §3B: policies implemented to households publicise "the content, scale, object, subsidy
//!   standard, subsidy amount and source of funds".
use crate::error::DomainError;
use crate::keyed::keyed;
use crate::money::Money;
use std::collections::BTreeMap;

/// The type of a notice field: how it is checked and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// One line or a paragraph, at most this many characters.
    Text(usize),
    /// An amount in yuan, stored as fen.
    Money,
    /// A calendar day `YYYY-MM-DD`.
    Day,
    /// One entry a line (a list of beneficiaries: name and village).
    Lines,
}

/// A field a kind of notice has: its key (`notice.field.<key>` in the catalogue), its type, and
/// whether publishing needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub key: &'static str,
    pub ty: FieldType,
    pub required: bool,
}

const fn req(key: &'static str, ty: FieldType) -> FieldSpec {
    FieldSpec {
        key,
        ty,
        required: true,
    }
}
const fn opt(key: &'static str, ty: FieldType) -> FieldSpec {
    FieldSpec {
        key,
        ty,
        required: false,
    }
}

const LINE: FieldType = FieldType::Text(crate::text::NAME);
const PARA: FieldType = FieldType::Text(crate::text::REASON);
const LONG: FieldType = FieldType::Text(crate::text::REPORT);

/// Fields every notice has: what to call it, its document number, its text, and how to ask,
/// object and report (国开办发〔2017〕50号: every notice gives the channels of supervision).
pub const COMMON: &[FieldSpec] = &[
    req("title", LINE),
    opt("document_no", FieldType::Text(crate::text::DOCUMENT_NO)),
    opt("body", LONG),
    req("channels", PARA),
];

/// When a notice falls due: so many working days after the event that calls for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub working_days: u32,
    /// What starts the clock (`notice.due.<event>` in the catalogue).
    pub after: &'static str,
}

/// One kind of notice: its key, its own fields (besides [`COMMON`]), how many days its window
/// stays open, when it falls due, and where the rule comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindRule {
    pub key: &'static str,
    pub fields: &'static [FieldSpec],
    pub window_days: i64,
    pub due: Option<Due>,
    pub source: &'static str,
}

/// Every kind of notice, one line a kind; the features that book what a notice publishes add
/// theirs here (Book 4's acceptance, the household appraisal).
pub const KINDS: &[KindRule] = &[
    KindRule {
        key: "policy",
        fields: &[
            req("content", LONG),
            req("scale", LINE),
            req("object", LINE),
            req("subsidy_standard", PARA),
            req("amount_per_household", FieldType::Money),
            req("fund_source", LINE),
            opt("beneficiaries", FieldType::Lines),
        ],
        window_days: 10,
        due: None,
        source: "seed §3B (content, scale, object, subsidy standard, amount, fund source); 国开办发〔2017〕50号 (10 days)",
    },
    KindRule {
        key: "fund_allocation",
        fields: &[
            req("fund_source", LINE),
            req("amount", FieldType::Money),
            req("use", PARA),
            req("using_unit", LINE),
            req("principle", PARA),
            req("result", LONG),
        ],
        window_days: 10,
        due: Some(Due {
            working_days: 15,
            after: "allocation",
        }),
        source: "国开办发〔2017〕50号: source, size, use, using unit, principle and result, within 15 working days of the allocation",
    },
    KindRule {
        key: "project_plan",
        fields: &[
            req("project_name", LINE),
            req("place", LINE),
            req("content", LONG),
            req("period", LINE),
            req("implementing_unit", LINE),
            req("responsible_person", LINE),
            req("funding", PARA),
            req("procurement", PARA),
            req("targets", PARA),
        ],
        window_days: 10,
        due: Some(Due {
            working_days: 15,
            after: "approval",
        }),
        source: "国开办发〔2017〕50号: name, place, content, period, implementing unit and responsible person, funding, procurement, targets",
    },
    KindRule {
        key: "project_implementation",
        fields: &[
            req("project_name", LINE),
            req("progress", PARA),
            opt("changes", PARA),
        ],
        window_days: 10,
        due: None,
        source: "seed §3B (openness of project implementation); 国开办发〔2017〕50号",
    },
    KindRule {
        key: "acceptance",
        fields: &[
            req("project_name", LINE),
            req("accepted_on", FieldType::Day),
            req("team", PARA),
            req("result", PARA),
        ],
        window_days: 7,
        due: Some(Due {
            working_days: 15,
            after: "acceptance",
        }),
        source: "seed §3C.4 (acceptance signed for the record); county practice: results posted 7 days",
    },
    KindRule {
        key: "appraisal",
        fields: &[
            req("object", LINE),
            req("standard", PARA),
            req("result", PARA),
            req("beneficiaries", FieldType::Lines),
        ],
        window_days: 7,
        due: None,
        source: "seed §3B (evaluation openness); county practice: each appraisal round posted 7 days",
    },
    KindRule {
        key: "appraisal_announcement",
        fields: &[
            req("object", LINE),
            req("result", PARA),
            req("beneficiaries", FieldType::Lines),
        ],
        window_days: 7,
        due: None,
        source: "国开办发〔2014〕24号 (两公示一公告): the county announces the result after its check",
    },
];

/// The rule of kind `key`, or an error naming the field `kind`.
pub fn kind(key: &str) -> Result<&'static KindRule, DomainError> {
    KINDS
        .iter()
        .find(|k| k.key == key.trim())
        .ok_or_else(|| DomainError::invalid("kind", "unknown_notice_kind", key))
}

impl KindRule {
    /// Every field of this kind: the common ones, then its own, in the order shown.
    pub fn all_fields(&self) -> impl Iterator<Item = &'static FieldSpec> + use<> {
        COMMON.iter().chain(self.fields.iter())
    }

    /// The spec of field `key`.
    pub fn field(&self, key: &str) -> Option<&'static FieldSpec> {
        self.all_fields().find(|f| f.key == key)
    }

    /// Checks and normalises a draft's fields: unknown fields and bad values are refused, each
    /// naming its field; empty values are dropped. Money is kept as fen, days as `YYYY-MM-DD`.
    pub fn clean(&self, given: &BTreeMap<String, String>) -> Result<Fields, DomainError> {
        let mut out = BTreeMap::new();
        for (k, v) in given {
            let spec = self
                .field(k)
                .ok_or_else(|| DomainError::invalid("fields", "unknown_field", k.as_str()))?;
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            let value = match spec.ty {
                FieldType::Text(max) => crate::text::bounded(spec.key, v, max)?,
                FieldType::Lines => {
                    let lines: Vec<&str> =
                        v.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
                    crate::text::bounded(spec.key, &lines.join("\n"), crate::text::REPORT)?
                }
                FieldType::Money => {
                    let m = Money::parse_yuan(v).map_err(|_| {
                        DomainError::invalid(spec.key, "not_a_number", v.to_string())
                    })?;
                    if m.fen() < 0 {
                        return Err(DomainError::invalid(spec.key, "negative", v));
                    }
                    m.fen().to_string()
                }
                FieldType::Day => crate::day::format(crate::day::parse(spec.key, v)?),
            };
            if let Some(private) = private_number(&value).filter(|_| spec.ty != FieldType::Money) {
                return Err(DomainError::invalid(spec.key, "private_number", private));
            }
            out.insert(spec.key.to_string(), value);
        }
        Ok(Fields(out))
    }

    /// The first required field a notice lacks, in the order shown (publishing refuses it).
    pub fn missing(&self, f: &Fields) -> Option<&'static str> {
        self.all_fields()
            .find(|s| s.required && f.get(s.key).is_none())
            .map(|s| s.key)
    }
}

/// A notice's fields, checked, keyed by field key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields(pub BTreeMap<String, String>);

impl Fields {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }
    /// The fields as stored: canonical JSON, keys sorted.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_default()
    }
    pub fn from_json(s: &str) -> Option<Fields> {
        serde_json::from_str(s).ok().map(Fields)
    }
}

/// The text a notice's SHA-256 is taken over: its kind, region, the notice it corrects and its
/// fields, as canonical JSON (keys sorted). Any change to what was published changes the hash.
pub fn content_text(kind: &str, region: &str, corrects: Option<i64>, f: &Fields) -> String {
    let mut m = BTreeMap::new();
    m.insert("corrects", serde_json::json!(corrects));
    m.insert("fields", serde_json::json!(f.0));
    m.insert("kind", serde_json::json!(kind));
    m.insert("region", serde_json::json!(region));
    serde_json::to_string(&m).unwrap_or_default()
}

/// The first run of digits in `s` that looks like an ID number (15 or 18 characters, the last
/// may be `X`), a mobile phone number or a bank card (11 digits or more), if any. A notice is
/// public: such numbers never go on it (a masked ID, `522327********1234`, passes).
pub fn private_number(s: &str) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars.get(i).is_some_and(char::is_ascii_digit) {
            let start = i;
            while chars.get(i).is_some_and(char::is_ascii_digit) {
                i += 1;
            }
            let mut run = i - start;
            if chars.get(i).is_some_and(|c| *c == 'X' || *c == 'x') && run == 17 {
                run += 1;
            }
            if run >= 11 {
                return Some(chars.iter().skip(start).take(run).collect());
            }
        } else {
            i += 1;
        }
    }
    None
}

keyed!(
    /// Where a notice is in its life.
    NoticeState, "state", "unknown_notice_state" {
        /// Being written; not public.
        Draft => "draft",
        /// Public; objections are taken until its window ends.
        Published => "published",
        /// Its window ended with every objection answered; still public, long-term.
        Closed => "closed",
    }
);

keyed!(
    /// A step of a notice.
    NoticeAction, "action", "unknown_notice_action" {
        Publish => "publish",
        Close => "close",
    }
);

/// What a step of a notice depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gate {
    pub today: i64,
    /// The first required field the notice lacks.
    pub missing: Option<&'static str>,
    /// The window (published notices).
    pub window: Option<Window>,
    /// Objections not yet answered.
    pub unanswered: u32,
}

/// A published notice's window: from the day it was published, `days` days long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: i64,
    pub days: i64,
}

impl Window {
    /// The window's last day.
    pub fn last_day(&self) -> i64 {
        self.from + self.days.max(1) - 1
    }
    /// Whether objections are taken on `today`.
    pub fn is_open(&self, today: i64) -> bool {
        today >= self.from && today <= self.last_day()
    }
}

/// The one transition function of a notice: the state after `action`, or why not.
pub fn next(
    state: NoticeState,
    action: NoticeAction,
    g: &Gate,
) -> Result<NoticeState, DomainError> {
    use NoticeAction as A;
    use NoticeState as S;
    match (state, action) {
        (S::Draft, A::Publish) => match g.missing {
            Some(field) => Err(DomainError::invalid(field, "required_to_publish", "")),
            None => Ok(S::Published),
        },
        (S::Published, A::Close) => {
            let w = g
                .window
                .ok_or_else(|| DomainError::invalid("state", "not_published", state.key()))?;
            if g.today <= w.last_day() {
                Err(DomainError::invalid(
                    "state",
                    "window_running",
                    crate::day::format(w.last_day()),
                ))
            } else if g.unanswered > 0 {
                Err(DomainError::invalid(
                    "objections",
                    "objections_unanswered",
                    g.unanswered.to_string(),
                ))
            } else {
                Ok(S::Closed)
            }
        }
        _ => Err(DomainError::invalid(
            "action",
            "not_allowed_in_state",
            format!("{}:{}", state.key(), action.key()),
        )),
    }
}

/// A notice falls due `due.working_days` working days after `event_day`.
pub fn due_on(cal: &crate::day::Calendar, due: &Due, event_day: i64) -> i64 {
    cal.add_working_days(event_day, due.working_days)
}

/// Receipt codes given to whoever objects or complains without an account: ten characters of
/// Crockford's base 32 (no I, L, O or U), shown as two groups of five.
pub mod receipt {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// The code of 50 random bits.
    pub fn from_random(bits: u64) -> String {
        let mut s = String::with_capacity(11);
        for i in 0..10 {
            if i == 5 {
                s.push('-');
            }
            let idx = ((bits >> (45 - 5 * i)) & 31) as usize;
            s.push(char::from(*ALPHABET.get(idx).unwrap_or(&b'0')));
        }
        s
    }

    /// A typed code as stored: upper case, without spaces or dashes, with the letters people
    /// confuse read as the digits they look like. `None` when it cannot be a code.
    pub fn normalise(typed: &str) -> Option<String> {
        let mut s = String::new();
        for c in typed.chars() {
            let c = match c.to_ascii_uppercase() {
                ' ' | '-' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if !ALPHABET.contains(&(c as u8)) || !c.is_ascii() {
                return None;
            }
            s.push(c);
        }
        if s.len() != 10 {
            return None;
        }
        s.insert(5, '-');
        Some(s)
    }
}

/// A photo of a posted notice: PNG or JPEG, at most this many bytes.
pub const PHOTO_MAX_BYTES: usize = 5 * 1024 * 1024;

/// The media type of a photo by its first bytes, or an error naming the field `photo`.
pub fn photo_type(bytes: &[u8]) -> Result<&'static str, DomainError> {
    if bytes.is_empty() {
        return Err(DomainError::invalid("photo", "empty", ""));
    }
    if bytes.len() > PHOTO_MAX_BYTES {
        return Err(DomainError::invalid(
            "photo",
            "too_large",
            format!("{}/{}", bytes.len(), PHOTO_MAX_BYTES),
        ));
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("image/jpeg")
    } else {
        Err(DomainError::invalid("photo", "not_an_image", ""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_policy_notice_without_the_subsidy_standard_is_not_published() {
        let k = kind("policy").unwrap_or(&KINDS[0]);
        let f = k
            .clean(&fields(&[
                ("title", "2026年产业奖补政策落实公示"),
                ("channels", "12317"),
                ("content", "养殖奖补"),
                ("scale", "120户"),
                ("object", "脱贫户、监测户"),
                ("amount_per_household", "3,000"),
                ("fund_source", "中央财政衔接推进乡村振兴补助资金"),
            ]))
            .unwrap_or_default();
        assert_eq!(f.get("amount_per_household"), Some("300000"));
        assert_eq!(k.missing(&f), Some("subsidy_standard"));
        let g = Gate {
            today: 0,
            missing: k.missing(&f),
            window: None,
            unanswered: 0,
        };
        let e = next(NoticeState::Draft, NoticeAction::Publish, &g);
        assert_eq!(
            e,
            Err(DomainError::invalid(
                "subsidy_standard",
                "required_to_publish",
                ""
            ))
        );
    }

    #[test]
    fn fields_are_checked_and_named() {
        let k = kind("fund_allocation").unwrap_or(&KINDS[0]);
        let e = k.clean(&fields(&[("amount", "12.345")]));
        assert!(matches!(
            e,
            Err(DomainError::Invalid {
                field: "amount",
                ..
            })
        ));
        let e = k.clean(&fields(&[("colour", "red")]));
        assert!(matches!(
            e,
            Err(DomainError::Invalid {
                reason: "unknown_field",
                ..
            })
        ));
        let e = k.clean(&fields(&[("result", "张三 522327199001011234 3000元")]));
        assert!(matches!(
            e,
            Err(DomainError::Invalid {
                field: "result",
                reason: "private_number",
                ..
            })
        ));
        assert!(
            k.clean(&fields(&[("result", "张三 522327********1234 3000元")]))
                .is_ok()
        );
        assert!(kind("lottery").is_err());
    }

    #[test]
    fn private_numbers_are_found() {
        assert_eq!(
            private_number("电话13812345678"),
            Some("13812345678".into())
        );
        assert_eq!(
            private_number("身份证52232719900101123X号"),
            Some("52232719900101123X".into())
        );
        assert_eq!(
            private_number("卡号6222021234567890123"),
            Some("6222021234567890123".into())
        );
        assert_eq!(private_number("2026年12月 3000元 黔财农〔2026〕12号"), None);
    }

    #[test]
    fn receipts_round_trip() {
        let c = receipt::from_random(0x3_FFFF_FFFF_FFFF);
        assert_eq!(c.len(), 11);
        assert_eq!(receipt::normalise(&c.to_lowercase()), Some(c.clone()));
        assert_eq!(
            receipt::normalise("o1234-56789"),
            Some("01234-56789".into())
        );
        assert_eq!(receipt::normalise("abc"), None);
        assert_eq!(receipt::normalise("UUUUU-UUUUU"), None);
    }

    #[test]
    fn photos_are_png_or_jpeg() {
        assert_eq!(photo_type(b"\x89PNG\r\n\x1a\nrest"), Ok("image/png"));
        assert!(photo_type(b"GIF89a").is_err());
        assert!(photo_type(b"").is_err());
    }

    proptest! {
        /// Walks of steps: a notice is published only when complete, closed only after its
        /// window with nothing unanswered, and never leaves the closed state.
        #[test]
        fn notice_steps_keep_the_rules(steps in prop::collection::vec((0usize..2, 0i64..30, 0u32..3, any::<bool>()), 0..20)) {
            let mut state = NoticeState::Draft;
            let mut window: Option<Window> = None;
            for (a, today, unanswered, complete) in steps {
                let action = NoticeAction::ALL.get(a).copied().unwrap_or(NoticeAction::Publish);
                let g = Gate { today, missing: if complete { None } else { Some("title") }, window, unanswered };
                if let Ok(s) = next(state, action, &g) {
                    {
                        match s {
                            NoticeState::Published => {
                                prop_assert_eq!(state, NoticeState::Draft);
                                prop_assert!(complete);
                                window = Some(Window { from: today, days: 10 });
                            }
                            NoticeState::Closed => {
                                prop_assert_eq!(state, NoticeState::Published);
                                prop_assert!(unanswered == 0);
                                prop_assert!(window.is_some_and(|w| today > w.last_day()));
                            }
                            NoticeState::Draft => prop_assert!(false, "no step returns to draft"),
                        }
                        state = s;
                    }
                }
            }
        }

        /// Every random code reads back as itself.
        #[test]
        fn every_receipt_normalises_to_itself(bits in any::<u64>()) {
            let c = receipt::from_random(bits);
            prop_assert_eq!(receipt::normalise(&c), Some(c.clone()));
        }
    }
}
