//! The red-flag sections of `bench province` (issue 20): the planted cases booked through the
//! pages' store calls, a full scan of the province timed, and each rule's planted cases found.
use super::*;
/// A full red-flag scan of the province (every rule, every county and city), timed, with the
/// flags each rule raised. The target (issue 20) is for SQLite on this machine.
pub(super) async fn flag_section(store: &dyn Store, table: &mut Table) -> Result<()> {
    let today = sunledger_core::day::today(NOW);
    let t = Instant::now();
    let mut per_rule: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
    let mut shards = 0;
    for root in store.region_roots().await? {
        for r in store
            .scan_flags(&root.code, &[], today, None, NOW, &|_| {})
            .await?
        {
            shards += 1;
            for (id, hits, raised) in r.rules {
                let e = per_rule.entry(id).or_default();
                e.0 += hits;
                e.1 += raised;
            }
        }
    }
    let secs = t.elapsed().as_secs_f64();
    table.target(
        "flags",
        format!("full scan, every rule ({shards} counties and cities)"),
        format!("{secs:.1} s"),
        secs < 120.0,
        "< 2 min (SQLite)",
    );
    for (id, (hits, raised)) in per_rule {
        table.add(
            "flags",
            format!("{id}: hits / flags"),
            format!("{hits} / {raised}"),
        );
    }
    Ok(())
}

/// Julian day number of 1970-01-01.
const UNIX_EPOCH_DAY: i64 = 2_440_588;

/// Noon in Beijing of `day` (`YYYY-MM-DD`), as the Unix time an office step is taken at.
fn noon_of(day: &str) -> Result<i64> {
    let d = sunledger_core::day::parse("on_date", day)?;
    Ok((d - UNIX_EPOCH_DAY) * 86_400 + 4 * 3_600)
}

/// Books the planted cases' side files ([`crate::bench::plant`]): each county's project steps
/// and beneficiaries through the store calls the project pages make, dated as written, and its
/// cross-check lists through `crosscheck import`'s own function. Returns the rows booked.
pub(super) async fn book_plants(store: &dyn Store, g: &generate::Generated) -> Result<u64> {
    use sunledger_core::project::StatusAction;
    let dir = g
        .regions
        .parent()
        .context("the generated files' directory")?;
    let mut n = 0u64;
    for f in crate::bench::plant::county_files(dir, &g.province) {
        let county = sunledger_core::RegionCode::parse(&f.county)?;
        let mut milestones: std::collections::BTreeMap<i64, i64> = Default::default();
        let mut team: Option<Team> = None;
        for (i, r) in read_records(&f.progress)?.iter().enumerate() {
            let line = || format!("{} line {}", f.progress.display(), i + 2);
            let id: i64 = r.get(0).unwrap_or("").parse().with_context(line)?;
            let day = r.get(2).unwrap_or("");
            let at = noon_of(day).with_context(line)?;
            match r.get(1).unwrap_or("") {
                "progress" => {
                    let m = match milestones.get(&id) {
                        Some(m) => *m,
                        None => {
                            let m = store
                                .add_milestone(id, "主体工程", 100, None, None, at)
                                .await
                                .with_context(line)?
                                .id;
                            milestones.insert(id, m);
                            m
                        }
                    };
                    let progress: i64 = r.get(3).unwrap_or("").parse().with_context(line)?;
                    store
                        .report_progress(m, progress, day, "进度报告", None, at)
                        .await
                        .with_context(line)?;
                }
                "accept" => {
                    let team = match &team {
                        Some(t) => t,
                        None => team.insert(Team::new(store, &county).await.with_context(line)?),
                    };
                    team.accept(store, id, day).await.with_context(line)?;
                }
                action => {
                    let action = StatusAction::parse(action).with_context(line)?;
                    store
                        .project_status_step(id, action, "", None, at)
                        .await
                        .with_context(line)?;
                }
            }
            n += 1;
        }
        for (i, r) in read_records(&f.beneficiaries)?.iter().enumerate() {
            let line = || format!("{} line {}", f.beneficiaries.display(), i + 2);
            let id: i64 = r.get(0).unwrap_or("").parse().with_context(line)?;
            let number =
                sunledger_core::IdNumber::parse(r.get(2).unwrap_or("")).with_context(line)?;
            let size: i64 = r.get(3).unwrap_or("").parse().with_context(line)?;
            store
                .add_beneficiary(id, r.get(1).unwrap_or(""), &number, size, None, NOW)
                .await
                .with_context(line)?;
            n += 1;
        }
        for (kind, path) in &f.lists {
            let kind = sunledger_core::appraisal::CheckList::parse(kind)?;
            let r =
                crate::io::appraisal::import_file(store, path, kind, &county, None, NOW).await?;
            if let Some(e) = r.errors.first() {
                bail!("{}: {e}", path.display());
            }
            n += r.rows;
        }
    }
    Ok(n)
}

/// A county's acceptance team for the planted cases' Book 4 path: accounts of people in the
/// county's finance bureau, poverty bureau and agriculture bureau, and of a township official
/// who applies. They cannot sign in (no password); the store's four-eyes controls see them.
struct Team {
    applicant: i64,
    finance: i64,
    bureau: i64,
    agri: i64,
}

impl Team {
    async fn new(store: &dyn Store, county: &sunledger_core::RegionCode) -> Result<Team> {
        use sunledger_core::DepartmentKind as K;
        let mut ids = Vec::new();
        for (i, (kind, unit, who)) in [
            (K::Government, "人民政府", "乡村振兴专干"),
            (K::FinanceBureau, "财政局", "验收组财政代表"),
            (K::PovertyBureau, "乡村振兴局", "验收组组长"),
            (K::BusinessDepartment, "农业农村局", "验收组技术代表"),
        ]
        .into_iter()
        .enumerate()
        {
            let d = store
                .create_department(
                    &sunledger_store::NewDepartment {
                        region: *county,
                        kind,
                        name: format!("基准县{unit}"),
                        credit_code: None,
                        stationed_by: None,
                    },
                    NOW,
                )
                .await?;
            let person = store
                .create_person(
                    &sunledger_store::NewPerson {
                        department_id: d.id,
                        name: who.to_string(),
                        position: sunledger_core::org::Position::Staff,
                        phone: None,
                    },
                    NOW,
                )
                .await?;
            let username = format!("bench.{}.{i}", county.county_code());
            let ev = sunledger_store::NewAuthEvent {
                at: NOW,
                kind: sunledger_store::AuthEventKind::UserAdded,
                region: Some(*county),
                username: Some(username.clone()),
                user_id: None,
                actor_id: None,
                ip: None,
                detail: "bench: planted acceptance".into(),
            };
            let u = store
                .create_user(
                    &sunledger_store::NewUser {
                        username,
                        display_name: who.to_string(),
                        password_hash: "!".into(),
                        region: *county,
                        person_id: Some(person.id),
                    },
                    &ev,
                )
                .await?;
            ids.push(u.id);
        }
        let [applicant, finance, bureau, agri] = ids[..] else {
            bail!("four accounts expected");
        };
        Ok(Team {
            applicant,
            finance,
            bureau,
            agri,
        })
    }

    /// Takes a completed project through Book 4 to its acceptance on `day`: applied 30 days
    /// before, prechecked, a team of three that inspects and signs, the result posted for 7
    /// days, then accepted (which schedules its evaluations).
    async fn accept(&self, store: &dyn Store, project_id: i64, day: &str) -> Result<()> {
        use sunledger_core::acceptance::{CHECKS, Grade, Opinion};
        let end = sunledger_core::day::parse("on_date", day)?;
        let at = |before: i64| noon_of(&sunledger_core::day::format(end - before));
        let p = store
            .project(project_id)
            .await?
            .context("a planted project")?;
        let a = store
            .apply_acceptance(
                &sunledger_store::NewApplication {
                    project_id,
                    application: format!("{}已完工，申请验收。", p.name),
                },
                Some(self.applicant),
                at(30)?,
            )
            .await?;
        store
            .precheck_acceptance(a.id, "初验合格。", Some(self.bureau), at(27)?)
            .await?;
        store
            .form_acceptance_team(
                a.id,
                &[self.finance, self.bureau, self.agri],
                Some(self.bureau),
                at(25)?,
            )
            .await?;
        store
            .inspect_acceptance(
                a.id,
                &sunledger_store::NewAcceptanceInspection {
                    inspected_on: sunledger_core::day::format(end - 20),
                    passed: vec![true; CHECKS.len()],
                    grade: Grade::Qualified,
                    findings: "建设内容与批复一致，工程质量合格。".into(),
                    deadline: None,
                },
                Some(self.agri),
                at(20)?,
            )
            .await?;
        for u in [self.finance, self.bureau, self.agri] {
            store
                .sign_acceptance(a.id, Opinion::Agree, "", u, at(19)?)
                .await?;
        }
        let mut fields = std::collections::BTreeMap::new();
        for (k, v) in [
            ("title", format!("{}验收结果公示", p.name)),
            ("project_name", p.name.clone()),
            ("accepted_on", sunledger_core::day::format(end - 20)),
            ("team", "县财政局、县乡村振兴局、县农业农村局".to_string()),
            ("result", "经县验收组验收，项目合格。".to_string()),
            ("channels", "公示期内可向乡镇人民政府反映。".to_string()),
        ] {
            fields.insert(k.to_string(), v);
        }
        let notice = store
            .draft_notice(
                &sunledger_store::NewNotice {
                    region: p.region,
                    kind: "acceptance".into(),
                    fields,
                    corrects: None,
                    source: Some(format!("project:{project_id}")),
                },
                Some(self.bureau),
                at(17)?,
            )
            .await?;
        store
            .notice_action(
                notice.id,
                sunledger_core::notice::NoticeAction::Publish,
                Some(self.finance),
                at(17)?,
            )
            .await?;
        store
            .post_acceptance(a.id, notice.id, Some(self.bureau), at(17)?)
            .await?;
        store
            .accept_project(
                a.id,
                "公示期满无异议，验收通过。",
                Some(self.bureau),
                at(0)?,
            )
            .await?;
        Ok(())
    }
}

/// Per rule, the planted cases ([`crate::bench::plant`]) the full scan flagged, and the flags
/// it raised on the rest of the books (flags carrying no planted case's marker).
pub(super) async fn planted_section(
    store: &dyn Store,
    table: &mut Table,
    cases: &[crate::bench::plant::Case],
) -> Result<()> {
    let roots: Vec<sunledger_core::RegionCode> = store
        .region_roots()
        .await?
        .into_iter()
        .map(|r| r.code)
        .collect();
    let filter = sunledger_store::FlagFilter {
        scopes: roots,
        ..Default::default()
    };
    let mut flags = Vec::new();
    loop {
        let (page, _) = store.flags(&filter, 10_000, flags.len() as i64).await?;
        if page.is_empty() {
            break;
        }
        flags.extend(page);
    }
    let carries = |f: &sunledger_store::Flag, c: &crate::bench::plant::Case| {
        f.region.county_code() == c.county.get(..6).unwrap_or("")
            && (f.evidence_key == c.marker || f.evidence.zh.contains(&c.marker))
    };
    let mut by_county: std::collections::BTreeMap<&str, Vec<&crate::bench::plant::Case>> =
        Default::default();
    for c in cases {
        by_county
            .entry(c.county.get(..6).unwrap_or(""))
            .or_default()
            .push(c);
    }
    for rule in sunledger_core::flag::RULES {
        let mine: Vec<&crate::bench::plant::Case> =
            cases.iter().filter(|c| c.rule == rule.id).collect();
        let of_rule: Vec<&sunledger_store::Flag> =
            flags.iter().filter(|f| f.rule_id == rule.id).collect();
        let found = mine
            .iter()
            .filter(|c| of_rule.iter().any(|f| carries(f, c)))
            .count();
        let rest = of_rule
            .iter()
            .filter(|f| {
                !by_county
                    .get(f.region.county_code())
                    .is_some_and(|cs| cs.iter().any(|c| carries(f, c)))
            })
            .count();
        if let Some((_, why)) = crate::bench::plant::NOT_PLANTED
            .iter()
            .find(|(id, _)| *id == rule.id)
        {
            table.add(
                "flags",
                format!("{}: not planted ({why}); flags on the rest", rule.id),
                rest.to_string(),
            );
            continue;
        }
        table.target(
            "flags",
            format!("{}: planted cases found; flags on the rest", rule.id),
            format!("{found} of {}; {rest}", mine.len()),
            found == mine.len() && !mine.is_empty(),
            "every planted case",
        );
    }
    Ok(())
}
