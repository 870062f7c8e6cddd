use super::*;
use crate::log::merkle::{EMPTY_ROOT, leaf_hash};

// Vectors of the Go reference implementation, golang/mod, file sumdb/note/note_test.go
// (TestNewVerifier, TestNewSigner, TestSign, TestOpen, TestVerifierList).
const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const PETER_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                    then you don't know what your problem is.\n";
const PETER_SIG: &str = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ENOCH_SIG: &str = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

fn peter() -> NoteVerifier {
    NoteVerifier::new(PETER_VKEY).unwrap()
}

fn signer() -> NoteSigner {
    NoteSigner::from_seed("sunledger.example/log", &[7; 32]).unwrap()
}

fn checkpoint() -> Checkpoint {
    Checkpoint::new("sunledger.example/log", 20852163, leaf_hash(b"root")).unwrap()
}

#[test]
fn go_key_vectors() {
    let v = peter();
    assert_eq!(v.name(), "PeterNeumann");
    assert_eq!(v.key_id(), 0xc74f20a3);
    assert_eq!(v.verifier_key(), PETER_VKEY);
    // The key ID is SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key)[:4], big-endian.
    let pk = B64
        .decode("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
        .unwrap();
    assert_eq!(pk.len(), 33);
    assert_eq!(key_id("PeterNeumann", pk[0], &pk[1..]), 0xc74f20a3);
    let s = NoteSigner::from_signer_key(PETER_SKEY).unwrap();
    assert_eq!(s.verifier_key(), PETER_VKEY);
    assert_eq!(s.signer_key(), PETER_SKEY);
    assert_eq!(s.verifier(), v);
    let e = NoteVerifier::new(ENOCH_VKEY).unwrap();
    assert_eq!(e.key_id(), 0xaf0cfe78);
    assert_eq!(
        ENOCH_VKEY.parse::<NoteVerifier>().unwrap().to_string(),
        ENOCH_VKEY
    );
    // The Debug form never shows the seed.
    assert!(!format!("{s:?}").contains("AYEK"));
}

#[test]
fn go_key_manglings_rejected() {
    // TestNewVerifier: every proper substring and every single-byte increment fails.
    let b = PETER_VKEY.as_bytes();
    for i in 0..=b.len() {
        for j in i + 1..=b.len() {
            if i != 0 || j != b.len() {
                let k = std::str::from_utf8(&b[i..j]).unwrap();
                assert!(NoteVerifier::new(k).is_err(), "{k}");
            }
        }
    }
    let mut m = b.to_vec();
    for i in 0..m.len() {
        m[i] += 1;
        let k = String::from_utf8(m.clone()).unwrap();
        assert!(NoteVerifier::new(&k).is_err(), "{k}");
        m[i] -= 1;
    }
    // Wrong length key and unknown algorithm, each with an adjusted key ID.
    assert!(
        NoteVerifier::new(
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
        )
        .is_err()
    );
    assert!(
        NoteVerifier::new("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
            .is_err()
    );
    // TestNewSigner: the same for the signer key.
    let b = PETER_SKEY.as_bytes();
    for i in 0..=b.len() {
        for j in i + 1..=b.len() {
            if i != 0 || j != b.len() {
                let k = std::str::from_utf8(&b[i..j]).unwrap();
                assert!(NoteSigner::from_signer_key(k).is_err(), "{k}");
            }
        }
    }
    let mut m = b.to_vec();
    for i in 0..m.len() {
        m[i] += 1;
        let k = String::from_utf8(m.clone()).unwrap();
        assert!(NoteSigner::from_signer_key(&k).is_err(), "{k}");
        m[i] -= 1;
    }
    // Key names.
    for name in ["", "a b", "a+b", "a\tb", "a\u{3000}b", "a\nb"] {
        assert!(NoteSigner::from_seed(name, &[1; 32]).is_err(), "{name:?}");
    }
    // A small-order public key (the identity point) is refused.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert_eq!(
        NoteVerifier::from_public_key("x", &identity),
        Err(CheckpointError::MalformedKey("small_order_public_key"))
    );
}

#[test]
fn go_sign_vector() {
    let s = NoteSigner::from_signer_key(PETER_SKEY).unwrap();
    let note = s.sign_note(TEXT).unwrap();
    assert_eq!(note, format!("{TEXT}\n{PETER_SIG}"));
    assert_eq!(peter().open_note(&note), Ok(TEXT));
    assert!(s.sign_note("abc").is_err());
    assert!(s.sign_note("a\u{1}b\n").is_err());
}

#[test]
fn go_open_vectors() {
    let p = peter();
    let e = NoteVerifier::new(ENOCH_VKEY).unwrap();
    let both = format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}");
    // One known key, one unknown: the unknown signature is ignored.
    assert_eq!(p.open_note(&both), Ok(TEXT));
    assert_eq!(e.open_note(&both), Ok(TEXT));
    // Repeated signatures are fine.
    let rep = format!("{TEXT}\n{PETER_SIG}{PETER_SIG}{ENOCH_SIG}{ENOCH_SIG}");
    assert_eq!(p.open_note(&rep), Ok(TEXT));
    // No signature by this key.
    let only_enoch = format!("{TEXT}\n{ENOCH_SIG}");
    assert!(matches!(
        p.open_note(&only_enoch),
        Err(CheckpointError::NotSigned { .. })
    ));
    // Same name, other key (other key ID): ignored, so not signed.
    let other = NoteSigner::from_seed("PeterNeumann", &[9; 32]).unwrap();
    assert!(matches!(
        other.verifier().open_note(&both),
        Err(CheckpointError::NotSigned { .. })
    ));
    // Too many signatures.
    let many = format!("{TEXT}\n{}", PETER_SIG.repeat(101));
    assert!(matches!(
        p.open_note(&many),
        Err(CheckpointError::MalformedNote(_))
    ));
    let sixteen = format!("{TEXT}\n{}", PETER_SIG.repeat(16));
    assert_eq!(p.open_note(&sixteen), Ok(TEXT));
    // A signature line of this key that does not verify.
    let (head, tail) = PETER_SIG.split_at(60);
    let corrupt = format!("{TEXT}\n{head}ABCD{tail}");
    assert!(matches!(
        p.open_note(&corrupt),
        Err(CheckpointError::InvalidSignature { .. })
    ));
    // A corrupt signature of this key rejects the note even beside a good one.
    let mixed = format!("{TEXT}\n{PETER_SIG}{head}ABCD{tail}");
    assert!(matches!(
        p.open_note(&mixed),
        Err(CheckpointError::InvalidSignature { .. })
    ));
    // Malformed messages (TestOpen badMsgs).
    let bad = [
        TEXT.to_owned(),
        format!("{TEXT}\n"),
        format!("{TEXT}\n{}", &PETER_SIG[..PETER_SIG.len() - 1]),
        format!("\u{1}{TEXT}\n{PETER_SIG}"),
        format!(
            "{TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
        ),
        format!("{TEXT}\n{PETER_SIG}Unexpected line.\n"),
        format!("{TEXT}\n— PeterNeumann\n"),
        format!("{TEXT}\n— PeterNeumann x08g\n"),
        format!(
            "{TEXT}\n- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
        ),
        format!("{TEXT}\n{PETER_SIG}\r"),
    ];
    for msg in bad {
        assert!(
            matches!(p.open_note(&msg), Err(CheckpointError::MalformedNote(_))),
            "{msg:?}: {:?}",
            p.open_note(&msg)
        );
    }
    // Tampered text.
    let tampered = format!("{TEXT}\n{PETER_SIG}").replace("cryptography", "cryptographY");
    assert!(matches!(
        p.open_note(&tampered),
        Err(CheckpointError::InvalidSignature { .. })
    ));
}

/// golang/mod sumdb/tlog/note_test.go TestFormatTree: the go.sum database tree head, the
/// same three-line body as a checkpoint.
#[test]
fn go_tree_body_vector() {
    let golden =
        "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n";
    let cp = Checkpoint::new(
        "go.sum database tree",
        123456789012,
        leaf_hash(b"hello world"),
    )
    .unwrap();
    assert_eq!(cp.body(), golden);
    assert_eq!(Checkpoint::parse_body(golden), Ok(cp));
    assert!(Checkpoint::parse_body(&golden.replace("123456789012", "0xabcdef")).is_err());
    assert!(Checkpoint::parse_body(&golden.replace("HmuwBb0=", "HmuwBTOOBIG=")).is_err());
}

#[test]
fn round_trip() {
    let s = signer();
    let cp = checkpoint();
    let note = s.sign(&cp).unwrap();
    let body = cp.body();
    assert!(note.starts_with(&body));
    assert!(note.contains("\n\n— sunledger.example/log "));
    assert!(note.ends_with('\n'));
    let v = NoteVerifier::new(&s.verifier_key()).unwrap();
    assert_eq!(v.open(&note), Ok(cp.clone()));
    assert_eq!(open(&note, &v), Ok(cp.clone()));
    assert_eq!(sign(&cp, &s), Ok(note.clone()), "deterministic");
    // The empty tree.
    let empty = Checkpoint::new("sunledger.example/log", 0, EMPTY_ROOT).unwrap();
    assert_eq!(
        empty.body(),
        "sunledger.example/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
    );
    assert_eq!(v.open(&s.sign(&empty).unwrap()), Ok(empty));
}

#[test]
fn tampering_rejected() {
    let s = signer();
    let v = s.verifier();
    let cp = checkpoint();
    let note = s.sign(&cp).unwrap();
    let invalid = |n: &str| {
        assert!(
            matches!(v.open(n), Err(CheckpointError::InvalidSignature { .. })),
            "{n:?}: {:?}",
            v.open(n)
        );
    };
    // Size, root, origin.
    invalid(&note.replace("\n20852163\n", "\n20852164\n"));
    let mut other_root = cp.clone();
    other_root.root[31] ^= 1;
    invalid(&note.replace(&B64.encode(cp.root), &B64.encode(other_root.root)));
    invalid(&note.replacen("sunledger.example/log\n", "sunledger.example/log2\n", 1));
    // The signature itself: every base64 character of the signature changed in turn.
    let sig_at = note.rfind(' ').unwrap() + 1;
    for i in sig_at + 6..note.len() - 3 {
        let mut b = note.clone().into_bytes();
        b[i] = if b[i] == b'A' { b'B' } else { b'A' };
        let n = String::from_utf8(b).unwrap();
        assert!(v.open(&n).is_err(), "{n}");
    }
    // Signed by another key under the same name: not signed by ours.
    let mallory = NoteSigner::from_seed("sunledger.example/log", &[8; 32]).unwrap();
    assert!(matches!(
        v.open(&mallory.sign(&cp).unwrap()),
        Err(CheckpointError::NotSigned { .. })
    ));
    // Signature line without its note, or with the blank line removed.
    assert!(v.open(&note.replacen("\n\n", "\n", 1)).is_err());
    assert!(v.open(&note[cp.body().len()..]).is_err());
}

#[test]
fn cosignatures_and_extensions() {
    let s = signer();
    let v = s.verifier();
    let cp = checkpoint();
    // A witness cosignature from an unknown key is ignored.
    let witness = NoteSigner::from_seed("witness.example/w1", &[3; 32]).unwrap();
    let note = s.sign(&cp).unwrap();
    let cosigned = format!(
        "{note}{}",
        witness.sign(&cp).unwrap().split_at(cp.body().len() + 1).1
    );
    assert_eq!(v.open(&cosigned), Ok(cp.clone()));
    assert_eq!(witness.verifier().open(&cosigned), Ok(cp.clone()));
    // Extension lines are signed text: returned, and the core three fields parsed.
    let text = format!("{}ext one\next two\n", cp.body());
    let signed = s.sign_note(&text).unwrap();
    assert_eq!(
        v.open_with_extensions(&signed),
        Ok((cp.clone(), vec!["ext one".to_owned(), "ext two".to_owned()]))
    );
    assert_eq!(v.open(&signed), Ok(cp.clone()));
    // But an empty extension line is not (it would be the blank line anyway).
    let blank_ext = format!("{}ext\n\nmore\n", cp.body());
    assert!(Checkpoint::parse_body(&blank_ext).is_err());
}

#[test]
fn body_parsing_is_strict() {
    let root = B64.encode([5u8; 32]);
    let ok = format!("o\n7\n{root}\n");
    assert_eq!(
        Checkpoint::parse_body(&ok),
        Ok(Checkpoint::new("o", 7, [5; 32]).unwrap())
    );
    for bad in [
        format!("o\n7\n{root}"),
        format!("\n7\n{root}\n"),
        format!("o\n\n{root}\n"),
        format!("o\n07\n{root}\n"),
        format!("o\n+7\n{root}\n"),
        format!("o\n-7\n{root}\n"),
        format!("o\n 7\n{root}\n"),
        format!("o\n18446744073709551616\n{root}\n"),
        "o\n7\n\n".to_owned(),
        format!("o\n7\n{}\n", B64.encode([5u8; 31])),
        format!("o\n7\n{}\n", B64.encode([5u8; 33])),
        format!("o\n7\n{}\n", root.trim_end_matches('=')),
        "o\n7\nBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQV=\n".to_owned(),
        format!("o\u{7}\n7\n{root}\n"),
        format!("o\n7\n{root}\n\n"),
        "o\n7\n".to_owned(),
    ] {
        assert!(Checkpoint::parse_body(&bad).is_err(), "{bad:?}");
    }
    assert_eq!(
        Checkpoint::parse_body(&format!("o\n0\n{root}\n")).map(|c| c.size),
        Ok(0)
    );
    assert_eq!(
        Checkpoint::parse_body(&format!("o\n18446744073709551615\n{root}\n")).map(|c| c.size),
        Ok(u64::MAX)
    );
    assert!(Checkpoint::new("", 1, [0; 32]).is_err());
    assert!(Checkpoint::new("a\nb", 1, [0; 32]).is_err());
    let bad = Checkpoint {
        origin: "a\nb".into(),
        size: 1,
        root: [0; 32],
    };
    assert!(signer().sign(&bad).is_err());
}
