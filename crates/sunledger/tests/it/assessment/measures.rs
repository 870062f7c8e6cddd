//! The measures read from a county's books as of a moment, through the real store on both
//! backends over the demo city (whose dates count back from the moment it was loaded, so every
//! test reads the year of today): the rows are sorted, rates keep part ≤ weight, every row lies in
//! the year clipped to the as-of day; the quarters are those ended (and the running one once
//! inspected), as the demo inspected them; the ladder's rows are the escalations booked, each under its document number;
//! detention and unconfirmed appropriations are what the red flags compute on the same day; an
//! informed criticism booked through the store counts its deduction points from the moment it
//! was booked and changes nothing before; both backends give the same rows.
#[allow(unused_imports)]
use super::*;
use sunledger_core::assessment::{Measure, MeasureRow};
use sunledger_core::day;
use sunledger_core::escalation::Step;
use sunledger_core::flag::{self as rules, Settings};
use sunledger_core::inspection::Quarter;
use sunledger_store::{NewEscalation, ProblemFilter};

/// 云岭县, the demo's featured county.
const COUNTY: &str = "529121000000";
const DAY: i64 = 86_400;

fn year_of(d: i64) -> i32 {
    Quarter::of_day(d).year
}

fn of(rows: &[MeasureRow], m: Measure) -> Vec<&MeasureRow> {
    rows.iter().filter(|r| r.measure == m).collect()
}

/// What every answer keeps: sorted by (measure, source, source id), one row per key and
/// measure, days in the year up to the as-of day, rates with 0 ≤ part ≤ weight (0 or 1 of 1,
/// but for money paid of money arranged), counts with a weight of at least 0.
fn check(rows: &[MeasureRow], year: i32, as_of: i64) {
    let today = day::today(as_of);
    let first = day::parse("d", &format!("{year}-01-01")).unwrap();
    for pair in rows.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(
            (a.measure, &a.source, a.source_id) < (b.measure, &b.source, b.source_id),
            "not sorted, or a key twice: {a:?} then {b:?}"
        );
    }
    for r in rows {
        assert!(
            first <= r.day && r.day <= today,
            "day out of the year: {r:?}"
        );
        assert_eq!(year_of(r.day), year, "{r:?}");
        assert!(!r.label.trim().is_empty(), "no label: {r:?}");
        assert!(r.weight >= 0 && r.part >= 0, "{r:?}");
        if r.measure.is_rate() {
            assert!(r.part <= r.weight, "part above weight: {r:?}");
            if r.measure != Measure::PaidOfArranged {
                assert_eq!(r.weight, 1, "{r:?}");
            }
        }
    }
}

async fn the_demo_county_rows_are_sound(app: TestApp) {
    let s = app.db.store.as_ref();
    let county = rc(COUNTY);
    let at = now();
    let today = day::today(at);
    let year = year_of(today);
    let rows = s.assessment_rows(&county, year, at).await.unwrap();
    check(&rows, year, at);
    // Earlier moments and the year before keep the same rules; a year not begun has no rows.
    for back in [10, 45, 120] {
        check(
            &s.assessment_rows(&county, year, at - back * DAY)
                .await
                .unwrap(),
            year,
            at - back * DAY,
        );
    }
    let last_year = s.assessment_rows(&county, year - 1, at).await.unwrap();
    check(&last_year, year - 1, at);
    assert!(
        s.assessment_rows(&county, year + 1, at)
            .await
            .unwrap()
            .is_empty()
    );

    // A quarter row per quarter ended; the one still running counts only once it has had its
    // inspection. The demo inspected 云岭县 in each earlier quarter but not yet in the current
    // one (its odd-numbered counties are behind), so that quarter is not counted short yet.
    let current = Quarter::of_day(today);
    let quarters = of(&rows, Measure::InspectionQuarters);
    assert_eq!(quarters.len(), usize::from(current.q) - 1, "{quarters:?}");
    for r in &quarters {
        assert_eq!(r.source, "quarter");
        let q = Quarter {
            year,
            q: u8::try_from(r.source_id).unwrap(),
        };
        assert_ne!(q, current, "{r:?}");
        assert_eq!(r.label, q.label());
        assert_eq!(r.day, q.days().0);
        assert_eq!(r.part, 1, "{r:?}");
    }

    // The ladder: every escalation of the county's problems dated in the year, under its
    // document number, informed criticism weighing its points.
    let (problems, _) = s
        .problems(
            &ProblemFilter {
                scopes: vec![county],
                ..Default::default()
            },
            1000,
            0,
        )
        .await
        .unwrap();
    let mut expected = Vec::new();
    for p in &problems {
        let record = s.problem_record(p.id).await.unwrap().unwrap();
        for e in record.escalations {
            let on = day::parse("on", &e.on_date).unwrap();
            if year_of(on) != year {
                continue;
            }
            let m = match Step::parse(&e.step).unwrap().rung() {
                1 => Measure::Reminders,
                2 => Measure::Interviews,
                3 => Measure::Suspensions,
                4 => Measure::InformedCriticism,
                _ => Measure::Referrals,
            };
            expected.push((m, e.id, e.document_no, on, e.deduction_points.unwrap_or(1)));
        }
    }
    expected.sort();
    let ladder = [
        Measure::Reminders,
        Measure::Interviews,
        Measure::Suspensions,
        Measure::InformedCriticism,
        Measure::Referrals,
    ];
    let mut got: Vec<_> = rows
        .iter()
        .filter(|r| ladder.contains(&r.measure))
        .map(|r| {
            assert_eq!(r.source, "escalation", "{r:?}");
            (r.measure, r.source_id, r.label.clone(), r.day, r.weight)
        })
        .collect();
    got.sort();
    assert!(!expected.is_empty(), "the demo's ladder is empty");
    assert_eq!(got, expected);

    // Book 3: the problems open past their deadline are those the problem list calls overdue
    // today, and each deadline of the year is a row of the on-time rate.
    let (overdue, _) = s
        .problems(
            &ProblemFilter {
                scopes: vec![county],
                overdue_on: Some(day::format(today)),
                ..Default::default()
            },
            1000,
            0,
        )
        .await
        .unwrap();
    let mut want: Vec<(i64, String)> = overdue
        .iter()
        .filter(|p| year_of(day::parse("d", &p.deadline).unwrap()) == year)
        .map(|p| (p.id, p.title.clone()))
        .collect();
    want.sort();
    let got: Vec<(i64, String)> = of(&rows, Measure::ProblemsOverdue)
        .iter()
        .map(|r| (r.source_id, r.label.clone()))
        .collect();
    assert!(!want.is_empty(), "the demo has no overdue problem");
    assert_eq!(got, want);
    for p in &problems {
        let first = day::parse("d", &p.first_deadline).unwrap();
        let counted = of(&rows, Measure::ProblemsRectifiedOnTime)
            .iter()
            .any(|r| r.source == "problem" && r.source_id == p.id && r.day == first);
        assert_eq!(counted, year_of(first) == year && first <= today, "{p:?}");
    }

    // Money: what the red flags compute on the same day, with the settings in force.
    let input = s.flag_input(&county, today).await.unwrap();
    let docs: Vec<Settings> = s
        .flag_settings(&county)
        .await
        .unwrap()
        .iter()
        .map(|d| Settings::parse(&d.body).unwrap())
        .collect();
    let layers: Vec<&Settings> = docs.iter().collect();
    let hits = |id: &str| {
        let r = rules::rule(id).unwrap();
        r.run(&input, &rules::values(r, &layers))
    };
    let detained: i64 = hits("detention").iter().map(|h| h.amount.fen()).sum();
    let counted: i64 = of(&rows, Measure::FundsDetained)
        .iter()
        .map(|r| r.weight)
        .sum();
    assert_eq!(counted, detained);
    let mut unconfirmed: Vec<String> = hits("unconfirmed").into_iter().map(|h| h.key).collect();
    unconfirmed.sort();
    let keys: Vec<String> = of(&rows, Measure::AppropriationsUnconfirmed)
        .iter()
        .map(|r| r.key())
        .collect();
    assert_eq!(keys, unconfirmed);

    // The other sources name their records.
    for r in &rows {
        let want = match r.measure {
            Measure::InspectionQuarters => &["quarter"][..],
            Measure::ProblemsRectifiedOnTime
            | Measure::ProblemsOverdue
            | Measure::DoubleInvestigations => &["problem"],
            Measure::FundsDetained => &["fund"],
            Measure::AppropriationsUnconfirmed => &["transfer"],
            Measure::PaidOfArranged | Measure::AcceptanceOnTime => &["project"],
            Measure::EvaluationsOnTime => &["evaluation"],
            Measure::NoticesOnTime => &["transfer", "project", "acceptance"],
            Measure::ComplaintsOnTime => &["complaint"],
            Measure::FlagsHandled => &["flag"],
            _ => &["escalation"],
        };
        assert!(want.contains(&r.source.as_str()), "{r:?}");
    }
    for m in [
        Measure::PaidOfArranged,
        Measure::NoticesOnTime,
        Measure::FlagsHandled,
    ] {
        assert!(!of(&rows, m).is_empty(), "no row of {m:?}");
    }
}
crate::both_app!(
    the_demo_county_rows_are_sound,
    the_demo_county_rows_are_sound
);

async fn a_criticism_counts_its_points_from_its_booking(app: TestApp) {
    let s = app.db.store.as_ref();
    let county = rc(COUNTY);
    let at = now();
    let year = year_of(day::today(at));
    // The demo's case that climbed the ladder to the suspension of payment.
    let (problems, _) = s
        .problems(
            &ProblemFilter {
                scopes: vec![county],
                ..Default::default()
            },
            1000,
            0,
        )
        .await
        .unwrap();
    let mut suspended = None;
    for p in &problems {
        let r = s.problem_record(p.id).await.unwrap().unwrap();
        if r.escalations.iter().any(|e| e.step == "suspend_payment") {
            suspended = Some(p.id);
        }
    }
    let problem_id = suspended.expect("the demo's suspended case");
    let before = s.assessment_rows(&county, year, at - 1).await.unwrap();
    assert!(of(&before, Measure::InformedCriticism).is_empty());
    let document_no = "云纪〔测试〕901号";
    let e = s
        .escalate(
            &NewEscalation {
                problem_id,
                step: Step::InformedCriticism.key().into(),
                document_no: document_no.into(),
                issuing_unit: "中共云岭县纪律检查委员会".into(),
                content: "对逾期未整改问题予以通报批评，年度考核扣分。".into(),
                responsible_person: "镇长".into(),
                deduction_points: Some(3),
                ..Default::default()
            },
            None,
            at,
        )
        .await
        .unwrap();
    // Booked at `at`: counted from then, with its points and its document number.
    let after = s.assessment_rows(&county, year, at).await.unwrap();
    check(&after, year, at);
    let criticism = of(&after, Measure::InformedCriticism);
    assert_eq!(criticism.len(), 1, "{criticism:?}");
    let r = criticism[0];
    assert_eq!((r.source.as_str(), r.source_id), ("escalation", e.id));
    assert_eq!(r.label, document_no);
    assert_eq!(r.weight, 3);
    assert_eq!(r.day, day::today(at));
    assert_eq!(r.key(), format!("escalation:{}", e.id));
    // Nothing else changed: the rows as of a second before are those read before the booking.
    assert_eq!(
        s.assessment_rows(&county, year, at - 1).await.unwrap(),
        before
    );
    let rest: Vec<MeasureRow> = after
        .iter()
        .filter(|r| r.measure != Measure::InformedCriticism)
        .cloned()
        .collect();
    assert_eq!(rest, before);
    // Another county's books do not carry it.
    let other = s
        .assessment_rows(&rc("529122000000"), year, at)
        .await
        .unwrap();
    assert!(
        of(&other, Measure::InformedCriticism)
            .iter()
            .all(|r| r.source_id != e.id),
        "{other:?}"
    );
}
crate::both_app!(
    a_criticism_counts_its_points_from_its_booking,
    a_criticism_counts_its_points_from_its_booking
);

/// The demo loaded on each backend gives the same rows of 云岭县 at the same moment (skipped
/// without PostgreSQL).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_backends_give_the_same_rows() {
    let Some(pg) = demo_db(Kind::Postgres).await else {
        eprintln!("skipped: set SUNLEDGER_TEST_PG to compare with PostgreSQL");
        return;
    };
    let lite = demo_db(Kind::Sqlite).await.unwrap();
    let at = now();
    let year = year_of(day::today(at));
    for county in [COUNTY, "529122000000"] {
        let a = lite
            .store
            .assessment_rows(&rc(county), year, at)
            .await
            .unwrap();
        let b = pg
            .store
            .assessment_rows(&rc(county), year, at)
            .await
            .unwrap();
        assert!(!a.is_empty());
        assert_eq!(
            serde_json::to_string_pretty(&a).unwrap(),
            serde_json::to_string_pretty(&b).unwrap(),
            "{county}"
        );
    }
}
