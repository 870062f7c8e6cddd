use super::*;
use proptest::prelude::*;

fn row(measure: Measure, id: i64, weight: i64, part: i64) -> MeasureRow {
    MeasureRow {
        measure,
        source: "x".into(),
        source_id: id,
        label: format!("#{id}"),
        day: 0,
        weight,
        part,
    }
}

fn scheme() -> Scheme {
    Scheme::default_for(2026)
}

#[test]
fn the_default_scheme_is_valid_and_reads_back_from_its_document() {
    let s = Scheme::parse(DEFAULT).unwrap();
    assert_eq!(s.total, Points(10_000));
    let top: i64 = s.children(None).map(|i| i.max.0).sum();
    assert_eq!(top, 10_000);
    // Every measure is scored by the default scheme.
    for m in Measure::ALL {
        assert!(s.items.iter().any(|i| i.measure == Some(*m)), "{m:?}");
    }
    assert_eq!(Scheme::parse(&s.to_document()).unwrap(), s);
}

#[test]
fn a_broken_item_is_named() {
    let doc = DEFAULT
        .replace("\"measure\": \"reminders\"", "\"measure\": \"lunch\"")
        .replace(
            "\"code\": \"2.2\", \"parent\": \"2\", \"name_zh\": \"约谈\", \"name_en\": \"Interviews\", \"max\": 3",
            "\"code\": \"2.2\", \"parent\": \"2\", \"name_zh\": \"约谈\", \"name_en\": \"Interviews\", \"max\": 30",
        );
    let errs = Scheme::parse(&doc).unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.item == "2.1" && e.field == "measure" && e.reason == "unknown_measure"),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.item == "2.2" && e.field == "max" && e.reason == "over_parent_max"),
        "{errs:?}"
    );
    // An unknown measure is reported once, not also as missing.
    assert_eq!(
        errs.iter().filter(|e| e.item == "2.1").count(),
        1,
        "{errs:?}"
    );
    // A document that does not parse names its line.
    let errs = Scheme::parse("{\n  \"year\": 2026,\n  oops").unwrap_err();
    assert!(errs[0].field.starts_with("line 3"), "{errs:?}");
    // A parent named before it exists, a rate rule on a count, a rule without a measure.
    let doc = r#"{"year":2026,"title_zh":"x","title_en":"x","total":10,"items":[
        {"code":"a","name_zh":"a","name_en":"a","max":5,"parent":"b"},
        {"code":"b","name_zh":"b","name_en":"b","max":5,"measure":"reminders","rule":{"kind":"rate","target":100,"step":1,"points":1}},
        {"code":"c","name_zh":"c","name_en":"c","max":0,"rule":{"kind":"deduct","points":1}}]}"#;
    let errs = Scheme::parse(doc).unwrap_err();
    let has = |item: &str, reason: &str| errs.iter().any(|e| e.item == item && e.reason == reason);
    assert!(has("a", "unknown_parent"), "{errs:?}");
    assert!(has("b", "rate_of_count"), "{errs:?}");
    assert!(has("c", "rule_without_measure"), "{errs:?}");
}

#[test]
fn an_informed_criticism_costs_its_points() {
    let s = scheme();
    let none = score(&s, &[], &Upheld::new());
    let rows = vec![row(Measure::InformedCriticism, 7, 3, 0)];
    let one = score(&s, &rows, &Upheld::new());
    assert_eq!(none.total.0 - one.total.0, 300);
    let it = one.item("2.4").unwrap();
    assert_eq!(it.points, Points(300));
    assert_eq!(it.rows[0].points, Points(-300));
    // Upheld on appeal, the points come back and the row says why.
    let mut up = Upheld::new();
    up.insert(("2.4".into(), "x:7".into()));
    let back = score(&s, &rows, &up);
    assert_eq!(back.total, none.total);
    assert!(back.item("2.4").unwrap().rows[0].appealed);
}

#[test]
fn the_preview_of_a_step_is_what_booking_it_costs() {
    let s = scheme();
    let rows = vec![row(Measure::InformedCriticism, 1, 4, 0)];
    let card = score(&s, &rows, &Upheld::new());
    // 2 of the item's 6 points are left: a criticism of 3 points costs 2.
    assert_eq!(
        preview(&s, &card, Measure::InformedCriticism, 3),
        Some(Points(-200))
    );
    let mut more = rows.clone();
    more.push(row(Measure::InformedCriticism, 2, 3, 0));
    let after = score(&s, &more, &Upheld::new());
    assert_eq!(after.total.0 - card.total.0, -200);
    assert_eq!(preview(&s, &card, Measure::Reminders, 1), Some(Points(-50)));
    assert_eq!(preview(&s, &card, Measure::InspectionQuarters, 1), None);
    assert_eq!(
        Measure::of_step("warning_interview"),
        Some(Measure::Interviews)
    );
    assert_eq!(
        Measure::of_step("judicial_referral"),
        Some(Measure::Referrals)
    );
}

#[test]
fn a_rate_loses_points_per_step_short_down_to_zero() {
    let s = scheme();
    // 3 of 4 quarters inspected: 75 % against 100 %, one step of 25 short: 2.5 off.
    let rows: Vec<_> = (1..=4)
        .map(|q| row(Measure::InspectionQuarters, q, 1, i64::from(q != 2)))
        .collect();
    let c = score(&s, &rows, &Upheld::new());
    let it = c.item("1.1").unwrap();
    assert_eq!(it.points, Points(750));
    assert_eq!(it.rows.len(), 1, "only the quarter that fell short");
    assert_eq!(it.value, Some(Value::Rate { part: 3, weight: 4 }));
    // No quarter: zero, never below.
    let rows: Vec<_> = (1..=4)
        .map(|q| row(Measure::InspectionQuarters, q, 1, 0))
        .collect();
    assert_eq!(
        score(&s, &rows, &Upheld::new()).item("1.1").unwrap().points,
        Points(0)
    );
}

#[test]
fn ranks_share_equal_totals() {
    let r = rank(&[
        ("b".into(), Points(90)),
        ("a".into(), Points(95)),
        ("c".into(), Points(90)),
        ("d".into(), Points(80)),
    ]);
    let got: Vec<_> = r.iter().map(|x| (x.county.as_str(), x.rank)).collect();
    assert_eq!(got, [("a", 1), ("b", 2), ("c", 2), ("d", 4)]);
}

#[test]
fn the_round_and_the_appeal_move_only_as_allowed() {
    use RoundAction as A;
    use RoundState as S;
    assert_eq!(S::Draft.next(A::Review, ""), Ok(S::Reviewed));
    assert!(S::Draft.next(A::Publish, "").is_err());
    assert_eq!(S::Reviewed.next(A::Publish, ""), Ok(S::Published));
    assert!(S::Published.next(A::Unpublish, " ").is_err());
    assert_eq!(S::Published.next(A::Unpublish, "wrong year"), Ok(S::Draft));
    assert_eq!(S::Draft.actions(), vec![A::Review]);
    assert!(AppealState::Filed.decide(true, "").is_err());
    assert_eq!(
        AppealState::Filed.decide(true, "ok"),
        Ok(AppealState::Upheld)
    );
    assert!(AppealState::Upheld.decide(false, "again").is_err());
}

fn any_rows() -> impl Strategy<Value = Vec<MeasureRow>> {
    prop::collection::vec(
        (0..Measure::ALL.len(), 1..40_i64, 0..20_i64, 0..20_i64),
        0..60,
    )
    .prop_map(|v| {
        v.into_iter()
            .map(|(m, id, w, p)| {
                let measure = Measure::ALL[m];
                let weight = if measure.is_rate() { w.max(1) } else { w };
                row(measure, id, weight, p.min(weight))
            })
            .collect()
    })
}

proptest! {
    /// Every item stays within zero and its maximum, groups are the sum of their children within
    /// their maximum, the total is the sum of the top level; the order of rows changes nothing.
    #[test]
    fn scores_stay_in_bounds_and_add_up(rows in any_rows()) {
        let s = scheme();
        let c = score(&s, &rows, &Upheld::new());
        for it in &c.items {
            prop_assert!(it.points.0 >= 0 && it.points <= it.max, "{}", it.code);
            if it.measure.is_none() {
                let sum: i64 = c.items.iter().filter(|x| x.parent.as_deref() == Some(&it.code)).map(|x| x.points.0).sum();
                prop_assert_eq!(it.points.0, sum.min(it.max.0));
            }
        }
        let top: i64 = c.items.iter().filter(|i| i.parent.is_none()).map(|i| i.points.0).sum();
        prop_assert_eq!(c.total.0, top);
        let mut rev = rows.clone();
        rev.reverse();
        prop_assert_eq!(score(&s, &rev, &Upheld::new()).total, c.total);
        // The published table reads back to the same points.
        let text = table_text(&[("529121000000".into(), c.clone())]);
        let back = parse_table(&text);
        prop_assert_eq!(back.len(), c.items.len() + 1);
        prop_assert_eq!(back[0].2, c.total);
    }

    /// The preview of one more row is exactly what scoring with it gives.
    #[test]
    fn the_preview_agrees_with_scoring(rows in any_rows(), m in 0..Measure::ALL.len(), w in 0..10_i64) {
        let s = scheme();
        let measure = Measure::ALL[m];
        let card = score(&s, &rows, &Upheld::new());
        if let Some(p) = preview(&s, &card, measure, w) {
            let mut more = rows.clone();
            more.push(row(measure, 999, w, 0));
            prop_assert_eq!(score(&s, &more, &Upheld::new()).total.0 - card.total.0, p.0);
        }
    }

    /// Upholding an appeal never lowers a score.
    #[test]
    fn an_upheld_appeal_never_costs_points(rows in any_rows(), pick in 0..60_usize) {
        let s = scheme();
        let before = score(&s, &rows, &Upheld::new());
        let Some(r) = rows.get(pick) else { return Ok(()) };
        let Some(item) = s.items.iter().find(|i| i.measure == Some(r.measure)) else { return Ok(()) };
        let mut up = Upheld::new();
        up.insert((item.code.clone(), r.key()));
        let after = score(&s, &rows, &up);
        prop_assert!(after.total >= before.total);
    }

    /// Points read back from their text.
    #[test]
    fn points_read_back(n in 0..10_000_000_i64) {
        prop_assert_eq!(Points::parse(&Points(n).text()), Some(Points(n)));
    }
}
