//! The second factor: TOTP (RFC 6238, HMAC-SHA1, 30-second steps, 6 digits, the defaults every
//! authenticator app uses), base32 secrets (RFC 4648) and one-time recovery codes.
//!
//! A code is accepted for the current step and one step either side (clock drift), and only for a
//! step later than the last one used, so a code cannot be replayed.
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

pub const STEP_SECS: i64 = 30;
pub const DIGITS: u32 = 6;
const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buf: u64 = 0;
    let mut bits = 0u32;
    for &b in bytes {
        buf = (buf << 8) | u64::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            let i = usize::try_from((buf >> bits) & 31).unwrap_or(0);
            out.push(char::from(ALPHABET.get(i).copied().unwrap_or(b'A')));
        }
    }
    if bits > 0 {
        let i = usize::try_from((buf << (5 - bits)) & 31).unwrap_or(0);
        out.push(char::from(ALPHABET.get(i).copied().unwrap_or(b'A')));
    }
    out
}

/// Decodes base32 (case and spaces ignored, padding optional); `None` on a foreign character.
pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 5 / 8);
    let mut buf: u64 = 0;
    let mut bits = 0u32;
    for c in s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=' && *c != '-')
    {
        let c = c.to_ascii_uppercase();
        let v = ALPHABET.iter().position(|&a| char::from(a) == c)?;
        buf = (buf << 5) | u64::try_from(v).ok()?;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buf >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

/// HOTP (RFC 4226) with HMAC-SHA1: the `digits`-digit code of `counter`.
pub fn hotp(key: &[u8], counter: u64, digits: u32) -> u32 {
    let Ok(mut mac) = <Hmac<Sha1> as KeyInit>::new_from_slice(key) else {
        return 0;
    };
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h.last().copied().unwrap_or(0) & 0x0f);
    let word = h
        .get(offset..offset + 4)
        .map(|b| {
            (u32::from(b.first().copied().unwrap_or(0) & 0x7f) << 24)
                | (u32::from(b.get(1).copied().unwrap_or(0)) << 16)
                | (u32::from(b.get(2).copied().unwrap_or(0)) << 8)
                | u32::from(b.get(3).copied().unwrap_or(0))
        })
        .unwrap_or(0);
    word % 10u32.pow(digits.min(9))
}

/// The time step of Unix time `unix`.
pub fn step_of(unix: i64) -> i64 {
    unix.div_euclid(STEP_SECS)
}

/// The 6-digit TOTP code of `secret` (base32) at Unix time `unix`, zero-padded.
pub fn code_at(secret: &str, unix: i64) -> String {
    let key = base32_decode(secret).unwrap_or_default();
    let step = u64::try_from(step_of(unix)).unwrap_or(0);
    format!(
        "{:0width$}",
        hotp(&key, step, DIGITS),
        width = DIGITS as usize
    )
}

/// The step whose code `code` is (now, or one step either side), if it is later than
/// `last_step`.
pub fn matching_step(secret: &str, code: &str, now: i64, last_step: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let key = base32_decode(secret)?;
    let now_step = step_of(now);
    let mut found = None;
    // Every candidate is computed, so the time taken does not say which one matched.
    for step in [now_step - 1, now_step, now_step + 1] {
        let c = format!(
            "{:0width$}",
            hotp(&key, u64::try_from(step).unwrap_or(0), DIGITS),
            width = DIGITS as usize
        );
        if constant_eq(c.as_bytes(), code.as_bytes()) && step > last_step && found.is_none() {
            found = Some(step);
        }
    }
    found
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A new 160-bit secret (RFC 4226's recommended length), base32.
pub fn new_secret() -> String {
    let bytes: [u8; 20] = rand::random();
    base32_encode(&bytes)
}

fn uri_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The `otpauth://` URI authenticator apps read (as a QR code or pasted).
pub fn otpauth_uri(issuer: &str, account: &str, secret: &str) -> String {
    format!(
        "otpauth://totp/{}:{}?secret={secret}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        uri_escape(issuer),
        uri_escape(account),
        uri_escape(issuer)
    )
}

/// Ten recovery codes like `k7qm-2x4p-9fhd` (60 random bits each).
pub fn new_recovery_codes() -> Vec<String> {
    (0..10)
        .map(|_| {
            let bytes: [u8; 8] = rand::random();
            let s = base32_encode(&bytes).to_ascii_lowercase();
            let s: String = s.chars().take(12).collect();
            format!(
                "{}-{}-{}",
                s.get(0..4).unwrap_or(""),
                s.get(4..8).unwrap_or(""),
                s.get(8..12).unwrap_or("")
            )
        })
        .collect()
}

/// What the store keeps of a recovery code: the SHA-256 of its letters, dashes, spaces and case
/// ignored.
pub fn recovery_hash(code: &str) -> String {
    let norm: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Sha256::digest(norm.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `code` looks like a recovery code rather than a TOTP code.
pub fn is_recovery_code(code: &str) -> bool {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).count() == 12
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, the SHA-1 rows: the key is the ASCII of "12345678901234567890",
    /// 8 digits.
    #[test]
    fn rfc6238_test_vectors() {
        let key = b"12345678901234567890";
        for (t, want) in [
            (59u64, 94287082u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            assert_eq!(hotp(key, t / 30, 8), want, "T = {t}");
        }
        // The same through base32 and the 6-digit code apps show (the last six digits).
        let secret = base32_encode(key);
        assert_eq!(secret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(code_at(&secret, 59), "287082");
        assert_eq!(code_at(&secret, 1111111109), "081804");
    }

    /// RFC 4226 Appendix D: HOTP values of counters 0 to 9.
    #[test]
    fn rfc4226_test_vectors() {
        let key = b"12345678901234567890";
        let want = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (c, w) in want.iter().enumerate() {
            assert_eq!(hotp(key, c as u64, 6), *w, "counter {c}");
        }
    }

    #[test]
    fn base32_round_trips() {
        for n in 0..40 {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(base32_decode(&base32_encode(&bytes)).unwrap(), bytes);
        }
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("mzxw 6ytb oi======").unwrap(), b"foobar");
        assert!(base32_decode("MZ1").is_none());
    }

    #[test]
    fn codes_match_nearby_steps_once() {
        let s = base32_encode(b"12345678901234567890");
        let now = 1_111_111_111;
        let code = code_at(&s, now);
        assert_eq!(matching_step(&s, &code, now, 0), Some(step_of(now)));
        assert_eq!(matching_step(&s, &code, now + 30, 0), Some(step_of(now)));
        assert_eq!(matching_step(&s, &code, now + 90, 0), None);
        assert_eq!(
            matching_step(&s, &code, now, step_of(now)),
            None,
            "replayed"
        );
        assert_eq!(matching_step(&s, "12345", now, 0), None);
        assert_eq!(matching_step(&s, "abcdef", now, 0), None);
    }

    #[test]
    fn recovery_codes_are_hashed_loosely() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert!(codes.iter().all(|c| is_recovery_code(c)));
        let c = &codes[0];
        assert_eq!(
            recovery_hash(c),
            recovery_hash(&c.to_uppercase().replace('-', " "))
        );
        assert!(otpauth_uri("阳光账本", "a b", "ABC").starts_with("otpauth://totp/%E9"));
    }
}
