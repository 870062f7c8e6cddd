//! Unit tests of the strict reader.

use super::*;

fn rows(text: &str) -> Vec<Record> {
    let mut r = CsvRows::new(text, "UTF-8");
    std::iter::from_fn(|| r.next_record()).collect()
}

#[test]
fn lines_lf_crlf_cr() {
    for nl in ["\n", "\r\n", "\r"] {
        let text = format!("a,b{nl}1,2{nl}{nl}3,4{nl}\"x{nl}y\",5{nl}6,7{nl}");
        let lines: Vec<u64> = rows(&text).iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![1, 2, 4, 5, 7], "{nl:?}");
        assert!(rows(&text).iter().all(|r| r.problem.is_none()), "{nl:?}");
    }
}

#[test]
fn widths_and_cut_last_lines() {
    let r = rows("a,b,c\n1,2\n1,2,3,4\n,,\n1,2,3\n");
    assert!(r[1].problem.as_deref().unwrap().contains("has 2 fields"));
    assert!(r[2].problem.as_deref().unwrap().contains("has 4 fields"));
    assert!(r[3].problem.is_none() && r[4].problem.is_none());
    let cut = rows("a,b,c\n1,2,3\n4,5,21212.9");
    assert!(cut[2].problem.as_deref().unwrap().contains("cut off"));
    let cut = rows("a,b,c\n1,2,3\n4,5");
    assert!(cut[2].problem.as_deref().unwrap().contains("cut off"));
    let cut = rows("a,b,c\n1,2,3\n4,5,\"ab\"\"");
    assert!(cut[2].problem.as_deref().unwrap().contains("quoted"));
    // Even a closed quote may be the first half of an escaped one.
    let closed = rows("a,b,c\n1,2,3\n4,5,\"ab\"\"c\"");
    assert!(closed[2].problem.as_deref().unwrap().contains("line break"));
    let whole = rows("a,b,c\n1,2,3\n4,5,\"ab\"\"c\"\n");
    assert_eq!(whole[2].problem, None);
    assert_eq!(whole[2].cells[2], Ok("ab\"c".to_string()));
    assert_eq!(rows("a,b\n1,2\r")[1].problem, None);
}

#[test]
fn encodings_and_text() {
    let (gb, _, _) = encoding_rs::GB18030.encode("代码,名称\n52,贵州省\n");
    assert_eq!(decode(gb.into_owned()).unwrap().1, "GB18030");
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice("a,b\n".as_bytes());
    assert_eq!(decode(bom).unwrap(), ("a,b\n".to_string(), "UTF-8 (BOM)"));
    // Cut inside a character.
    let mut cut = "a,b\n1,大坝村\n".as_bytes().to_vec();
    cut.truncate(cut.len() - 3);
    let e = decode(cut).unwrap_err().to_string();
    assert!(e.contains("cut off") && e.contains("line 2"), "{e}");
    // Mixed.
    let mut mixed = "a,b\n1,大坝村项目\n2,小坪村项目\n".as_bytes().to_vec();
    mixed.extend_from_slice(&encoding_rs::GB18030.encode("3,石门村项目\n").0);
    let e = decode(mixed).unwrap_err().to_string();
    assert!(e.contains("mixes encodings") && e.contains("line 4"), "{e}");
    // Big5 read as GB18030.
    let (big5, _, _) = encoding_rs::BIG5.encode("名稱,代碼\n中華民國,1\n");
    let (text, enc) = decode(big5.into_owned()).unwrap();
    assert_eq!(enc, "GB18030");
    assert!(
        text.split([',', '\n'])
            .any(|f| text_problem(f, true).is_some()),
        "{text}"
    );
    // Garbled UTF-8.
    let (gbk_read, _, bad) = encoding_rs::GB18030.decode("下达资金".as_bytes());
    assert!(!bad);
    assert!(text_problem(&gbk_read, false).unwrap().contains("下达资金"));
    let (latin, _, _) = encoding_rs::WINDOWS_1252.decode("大坝村".as_bytes());
    assert!(text_problem(&latin, false).is_some(), "{latin}");
    let (latin, _, _) = encoding_rs::WINDOWS_1252.decode("下达资金".as_bytes());
    assert!(text_problem(&latin, false).is_some(), "{latin}");
    let (latin, _, _) = encoding_rs::WINDOWS_1252.decode("项目".as_bytes());
    assert!(
        text_problem(&latin, false).unwrap().contains("项目"),
        "{latin}"
    );
    for good in [
        "大坝村肉牛养殖项目",
        "黔财农〔2026〕12号",
        "项目",
        "café",
        "目",
    ] {
        assert_eq!(text_problem(good, false), None, "{good}");
        assert_eq!(text_problem(good, true), None, "{good}");
    }
    assert!(text_problem("a\0b", false).unwrap().contains("NUL"));
    assert!(text_problem("a\u{1b}b", false).unwrap().contains("U+001B"));
    assert!(text_problem(&"9".repeat(MAX_FIELD_CHARS + 1), false).is_some());
    assert_eq!(excerpt(&"9".repeat(50)).chars().count(), EXCERPT_CHARS + 1);
    assert_eq!(excerpt("a\nb"), "a\\nb");
}
