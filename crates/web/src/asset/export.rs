//! The asset registers' download table, in the filing columns of a county asset register
//! (资产编号, 名称, 类别, 数量, 单位, 原值 by fund source, 所有权, 管护主体, 状态).
use crate::app::table::Cell;
use crate::i18n::{Lang, t};
use std::collections::HashMap;
use sunledger_core::RegionCode;
use sunledger_core::ledger::FundSource;
use sunledger_store::Asset;

pub fn asset_table(
    lang: Lang,
    names: &HashMap<RegionCode, String>,
    rows: &[Asset],
) -> (Vec<String>, Vec<Vec<Cell>>) {
    let mut headers: Vec<String> = [
        "export.asset.number",
        "export.asset.name",
        "export.asset.class",
        "export.asset.quantity",
        "export.asset.unit",
        "export.asset.value_total",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    for s in FundSource::ALL {
        headers.push(format!(
            "{} · {}",
            t(lang, "export.asset.value_of"),
            t(lang, &format!("ledger.source.{}", s.key()))
        ));
    }
    headers.extend(
        [
            "export.asset.owner_level",
            "export.asset.owner_code",
            "export.asset.owner_name",
            "export.asset.household",
            "export.asset.custodian",
            "export.asset.custodian_person",
            "export.asset.village_code",
            "export.region_name",
            "export.asset.distribution",
            "export.asset.state",
            "export.asset.project",
            "export.asset.registered_on",
        ]
        .iter()
        .map(|k| t(lang, k)),
    );
    let rows = rows
        .iter()
        .map(|a| {
            let mut r = vec![
                a.number.as_str().into(),
                a.name.as_str().into(),
                t(lang, &format!("asset.class.{}", a.class)).into(),
                a.quantity.as_str().into(),
                a.unit.as_str().into(),
                Cell::Fen(a.value_total_fen),
            ];
            for s in FundSource::ALL {
                r.push(Cell::Fen(
                    a.value
                        .iter()
                        .filter(|l| l.source == s.key())
                        .map(|l| l.amount_fen)
                        .sum(),
                ));
            }
            let plan = a
                .distribution
                .iter()
                .map(|s| {
                    format!(
                        "{} {}%",
                        t(lang, &format!("asset.share.{}", s.holder)),
                        s.percent
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            r.extend([
                t(lang, &format!("asset.owner_level.{}", a.owner_level)).into(),
                a.owner_region.as_str().into(),
                names
                    .get(&a.owner_region)
                    .cloned()
                    .unwrap_or_default()
                    .into(),
                a.household_head.clone().unwrap_or_default().into(),
                a.custodian.as_str().into(),
                a.custodian_person.as_str().into(),
                a.village.as_str().into(),
                names.get(&a.village).cloned().unwrap_or_default().into(),
                plan.into(),
                t(lang, &format!("asset.state.{}", a.state)).into(),
                Cell::Int(a.project_id),
                Cell::day(a.registered_on.as_str()),
            ]);
            r
        })
        .collect();
    (headers, rows)
}
