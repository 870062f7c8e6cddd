//! `sunledger households import`: a county's household register from a file, all or nothing,
//! with each bad row named by its line, and the same file twice registering nothing twice.
use crate::support::{TestDb, now};
use sunledger::io::inspection::import_households;
use sunledger_core::RegionCode;

const V: &str = "529121100201";

fn id(first17: &str) -> String {
    let c = sunledger_core::IdNumber::check_char(first17).unwrap();
    format!("{first17}{c}")
}

async fn register(db: TestDb) {
    let s = db.store.as_ref();
    let want: std::collections::HashSet<RegionCode> = RegionCode::parse(V)
        .unwrap()
        .lineage()
        .into_iter()
        .collect();
    let rows: Vec<_> = sunledger::demo::regions()
        .unwrap()
        .into_iter()
        .filter(|r| want.contains(&r.code))
        .collect();
    s.upsert_regions(&rows, now()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let a = id("52212119700101001");
    let b = id("52212119800202002");
    let bad = format!("{}X", &b[..17]).replace('X', if b.ends_with('1') { "2" } else { "1" });
    // Chinese headers, in another order; line 3 has a wrong check digit and a size of 0, line 4
    // repeats line 2's number.
    let file = dir.path().join("户籍.csv");
    std::fs::write(
        &file,
        format!(
            "户主姓名,村代码,户主身份证号,家庭人口,是否脱贫户\n张三,{V},{a},4,是\n李四,{V},{bad},0,否\n王五,{V},{a},2,否\n"
        ),
    )
    .unwrap();
    let r = import_households(s, &file, now()).await.unwrap();
    assert_eq!(r.registered, 0);
    assert_eq!(r.errors.len(), 3, "{:?}", r.errors);
    assert!(
        r.errors[0].starts_with("line 3: id_number:"),
        "{:?}",
        r.errors
    );
    assert!(r.errors[1].starts_with("line 3: size:"), "{:?}", r.errors);
    assert!(
        r.errors[2].starts_with("line 4: id_number: line 2 has it already"),
        "{:?}",
        r.errors
    );
    assert!(
        s.households_in(&RegionCode::parse(V).unwrap())
            .await
            .unwrap()
            .is_empty()
    );

    std::fs::write(
        &file,
        format!("village,head_name,id_number,poor,size\n{V},张三,{a},yes,4\n{V},李四,{b},no,3\n"),
    )
    .unwrap();
    let r = import_households(s, &file, now()).await.unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!((r.registered, r.unchanged), (2, 0));
    let hs = s
        .households_in(&RegionCode::parse(V).unwrap())
        .await
        .unwrap();
    assert_eq!(hs.len(), 2);
    assert!(
        hs.iter()
            .any(|h| h.head_name == "张三" && h.poor && h.size == 4)
    );
    // The same file again: nothing new, nothing logged twice.
    let size = s.log_size().await.unwrap();
    let r = import_households(s, &file, now()).await.unwrap();
    assert_eq!((r.registered, r.unchanged, r.errors.len()), (0, 2, 0));
    assert_eq!(s.log_size().await.unwrap(), size);
    // A changed detail for a registered number is refused, not applied.
    std::fs::write(
        &file,
        format!("village,head_name,id_number,poor,size\n{V},张三,{a},yes,5\n"),
    )
    .unwrap();
    let r = import_households(s, &file, now()).await.unwrap();
    assert_eq!(
        r.errors,
        vec![
            "line 2: id_number: already registered in this village with other details".to_string()
        ]
    );
    assert_eq!(
        s.households_in(&RegionCode::parse(V).unwrap())
            .await
            .unwrap()
            .len(),
        2
    );
}

crate::both!(households_import, register);

/// Files are read strictly: on a CRLF file the lines are right; a short row, a long row, a NUL
/// byte and a last line without a line break (cut off?) are refused by line, and then nothing
/// is registered; the complete file registers every row.
async fn strict(db: TestDb) {
    let s = db.store.as_ref();
    s.upsert_regions(&sunledger::demo::regions().unwrap(), now())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let a = id("52212119700101001");
    let b = id("52212119800202002");
    let c = id("52212119900303003");
    let rows = [
        "village,head_name,id_number,poor,size".to_string(),
        format!("{V},张三,{a},yes,4"),
        format!("{V},李四,{b},no"),
        format!("{V},王五,{c},no,3,多"),
        format!("{V},赵\0六,{c},no,3"),
        format!("{V},钱七,{c},no,12"),
    ];
    let full = rows.join("\r\n") + "\r\n";
    let file = dir.path().join("户籍.csv");
    // Cut inside the size: 12 must not become 1.
    std::fs::write(&file, &full[..full.len() - 3]).unwrap();
    let r = import_households(s, &file, now()).await.unwrap();
    assert_eq!(r.registered, 0);
    let lines: Vec<&str> = r.errors.iter().map(String::as_str).collect();
    assert_eq!(lines.len(), 4, "{lines:#?}");
    assert!(
        lines[0].starts_with("line 3: row: has 4 fields but the header (line 1) has 5"),
        "{lines:#?}"
    );
    assert!(
        lines[1].starts_with("line 4: row: has 6 fields"),
        "{lines:#?}"
    );
    assert!(
        lines[2].starts_with("line 5: head_name: holds a NUL byte"),
        "{lines:#?}"
    );
    assert!(
        lines[3].starts_with("line 6: row: the file ends without a line break"),
        "{lines:#?}"
    );
    assert!(
        s.households_in(&RegionCode::parse(V).unwrap())
            .await
            .unwrap()
            .is_empty()
    );
    let good = [
        rows[0].clone(),
        rows[1].clone(),
        format!("{V},钱七,{c},no,12"),
    ]
    .join("\r\n")
        + "\r\n";
    std::fs::write(&file, good).unwrap();
    let r = import_households(s, &file, now()).await.unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let hs = s
        .households_in(&RegionCode::parse(V).unwrap())
        .await
        .unwrap();
    assert!(hs.iter().any(|h| h.head_name == "钱七" && h.size == 12));
}
crate::both!(households_strict, strict);
