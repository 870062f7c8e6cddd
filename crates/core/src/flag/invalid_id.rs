//! Invalid ID numbers (虚报冒领的迹象): a beneficiary recorded with an ID number that cannot be a
//! resident ID number (wrong length, not digits, or a check character that does not match,
//! GB 11643-1999). Also the masking the beneficiary rules share: an ID number never appears whole
//! in a sentence or a figure.
use super::*;
use crate::ids::IdNumber;

pub(super) const RULE: Rule = Rule {
    id: "invalid_id",
    group: Group::FalseClaims,
    zh: "受益户身份证号无效",
    en: "Beneficiary with an invalid ID number",
    citation_zh: "通知第四条：严肃查处虚报冒领等违纪违规问题；GB 11643-1999《公民身份号码》（18 位，末位为 ISO 7064 MOD 11-2 校验码）",
    citation_en: "Seed §4: investigate false claims; GB 11643-1999 citizen identification number (18 characters, the last an ISO 7064 MOD 11-2 check character)",
    severity: Severity::Medium,
    category: ProblemCategory::Targeting,
    params: &[],
    scan,
};

/// An ID number as it may be shown: the masked number when it parses, else the first six
/// characters, ten stars and the last character of the raw text (all stars when it is too short
/// to hide anything).
pub(super) fn masked_id(raw: &str) -> String {
    if let Ok(id) = IdNumber::parse(raw) {
        return id.masked();
    }
    let chars: Vec<char> = normal_id(raw).chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars.iter().take(6).collect();
    let tail: String = chars.last().map(|c| c.to_string()).unwrap_or_default();
    format!("{head}**********{tail}")
}

/// The evidence key of an ID number: `id:` and the first 16 hex characters of the SHA-256 of
/// the number as matched, never the number itself.
pub(super) fn id_key(raw: &str) -> String {
    let hex = crate::log::fact::sha256_hex(normal_id(raw).as_bytes());
    format!("id:{}", hex.get(..16).unwrap_or(&hex))
}

/// Why the number is not a resident ID number, in both languages.
fn why(raw: &str, reason: &str) -> (String, String) {
    let n = normal_id(raw).chars().count();
    match reason {
        "length" if n == 0 => ("未登记身份证号".into(), "no ID number is recorded".into()),
        "length" => (
            format!("身份证号 {} 为 {} 位，应为 18 位", masked_id(raw), n),
            format!(
                "the ID number {} has {} characters, not 18",
                masked_id(raw),
                n
            ),
        ),
        "not_digits" => (
            format!("身份证号 {} 前 17 位不全是数字", masked_id(raw)),
            format!(
                "the first 17 characters of the ID number {} are not all digits",
                masked_id(raw)
            ),
        ),
        "check_character" => (
            format!("身份证号 {} 的校验码与前 17 位不符", masked_id(raw)),
            format!(
                "the check character of the ID number {} does not match its first 17 digits",
                masked_id(raw)
            ),
        ),
        _ => (
            format!("身份证号 {} 无效", masked_id(raw)),
            format!("the ID number {} is not valid", masked_id(raw)),
        ),
    }
}

fn scan(input: &Input, _v: &Values) -> Vec<Hit> {
    let mut out = Vec::new();
    for b in &input.beneficiaries {
        let reason = match IdNumber::parse(&b.id_number) {
            Ok(_) => continue,
            Err(DomainError::Invalid { reason, .. }) => reason,
            Err(_) => "invalid",
        };
        let (why_zh, why_en) = why(&b.id_number, reason);
        out.push(
            Hit::new(
                format!("beneficiary:{}", b.id),
                b.region,
                format!(
                    "{} 的受益户 {} 登记的身份证号无效：{}。",
                    b.project, b.name, why_zh
                ),
                format!(
                    "{}, a beneficiary of {}, is recorded with an invalid ID number: {}.",
                    b.name, b.project, why_en
                ),
            )
            .project(b.project_id)
            .row("project_beneficiaries", b.id)
            .figure("受益户", "Beneficiary", b.name.clone())
            .figure(
                "身份证号（遮蔽）",
                "ID number (masked)",
                masked_id(&b.id_number),
            )
            .figure("原因", "Reason", reason),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    const GOOD17: &str = "53292119800101001";

    fn input(id_number: &str) -> Input {
        Input {
            today: d("2026-06-01"),
            beneficiaries: vec![beneficiary(3, 5, VILLAGE, "李四", id_number)],
            ..Input::default()
        }
    }

    #[test]
    fn hit_wrong_check_character_length_and_letters() {
        let good = id_number(GOOD17);
        let wrong_check = if good.ends_with('0') {
            format!("{GOOD17}1")
        } else {
            format!("{GOOD17}0")
        };
        for (raw, reason) in [
            (wrong_check.as_str(), "check_character"),
            ("5329211980010100", "length"),
            ("53292119800101A01X", "not_digits"),
            ("", "length"),
        ] {
            let hits = RULE.run(&input(raw), &defaults(&RULE));
            assert_eq!(hits.len(), 1, "{raw}");
            let h = &hits[0];
            assert_eq!(h.key, "beneficiary:3");
            assert_eq!(h.project_id, Some(5));
            assert!(
                h.evidence.figures.iter().any(|f| f.value == reason),
                "{raw}"
            );
            if !raw.is_empty() {
                assert!(!h.evidence.zh.contains(raw) && !h.evidence.en.contains(raw));
                assert!(h.evidence.figures.iter().all(|f| !f.value.contains(raw)));
            }
        }
    }

    #[test]
    fn miss_a_valid_number_in_lower_case_or_with_spaces() {
        let good = id_number("11010519491231002");
        assert!(RULE.run(&input(&good), &defaults(&RULE)).is_empty());
        assert!(
            RULE.run(
                &input(&format!(" {} ", good.to_lowercase())),
                &defaults(&RULE)
            )
            .is_empty()
        );
    }

    #[test]
    fn masking_hides_the_middle_and_keys_are_hashes() {
        assert_eq!(masked_id("11010519491231002X"), "110105**********2X");
        assert_eq!(masked_id("1101051949123100"), "110105**********0");
        assert_eq!(masked_id("12345"), "*****");
        let k = id_key(" 11010519491231002x");
        assert_eq!(k, id_key("11010519491231002X"));
        assert_eq!(k.len(), 3 + 16);
        assert!(!k.contains("110105"));
    }
}
