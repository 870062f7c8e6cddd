//! The demo's fund ledger (Book 1).
use super::project::Library;
use super::{CITY, COUNTIES, City};
use anyhow::Result;
use sunledger_core::RegionCode;
use sunledger_core::project::Category;
use sunledger_store::Store;

/// The demo's fund ledger: central funds received by the city and passed down to every county
/// (one county has not confirmed receipt yet), county budget funds passed to townships, two
/// library projects per county (approved through the notice and in progress, made by `lib`) with
/// money arranged to them, payments in every state, and one suspension.
pub(super) async fn load(store: &dyn Store, city: &City, lib: &mut Library<'_>) -> Result<()> {
    let now = city.now;
    use sunledger_core::ledger::{FiscalYear, FundSource, PaymentAction, TransferKind};
    use sunledger_core::money::Money;
    use sunledger_store::{NewFund, NewTransfer, Owner, SuspensionTarget};
    let yuan = |s: &str| Money::parse_yuan(s);
    let year = FiscalYear::new(2026)?;
    let city = RegionCode::parse(CITY)?;
    let (central, _) = store
        .create_fund(
            &NewFund {
                client_id: "demo-fund-central-2026".into(),
                region: city,
                source: FundSource::CentralSpecial,
                fiscal_year: year,
                document_no: "黔财农〔2026〕12号".into(),
                name: "2026年中央财政专项扶贫资金".into(),
                detention_days: 30,
                amount: yuan("120000000.00")?,
                booked_on: "2026-03-02".into(),
                actor: None,
            },
            now,
        )
        .await?;
    let transfer = |client_id: String,
                    fund_id: i64,
                    kind: TransferKind,
                    from: Owner,
                    to: Option<Owner>,
                    amount: Money,
                    on: &str,
                    doc: String,
                    purpose: &str| NewTransfer {
        client_id,
        fund_id,
        kind,
        from: Some(from),
        to,
        payee: None,
        amount,
        booked_on: on.into(),
        document_no: doc,
        purpose: purpose.into(),
        actor: None,
        reverses: None,
    };
    for (i, (county, county_name, _)) in COUNTIES.iter().enumerate() {
        let county = RegionCode::parse(county)?;
        let t = store
            .book_transfer(
                &transfer(
                    format!("demo-approp-{county}"),
                    central.id,
                    TransferKind::Appropriate,
                    Owner::Region(city),
                    Some(Owner::Region(county)),
                    yuan("15000000.00")?,
                    "2026-03-10",
                    format!("青财农〔2026〕{}号", 20 + i),
                    "下达2026年中央财政专项扶贫资金",
                ),
                now,
            )
            .await?;
        // 石门县 has not confirmed receipt: the reconciliation shows the difference.
        if county.as_str() != "529122000000" {
            store.confirm_receipt(t.id, "2026-03-12", None, now).await?;
        }
        let (county_fund, _) = store
            .create_fund(
                &NewFund {
                    client_id: format!("demo-fund-county-{county}"),
                    region: county,
                    source: FundSource::CountyBudget,
                    fiscal_year: year,
                    document_no: format!("{county_name}财预〔2026〕3号"),
                    name: format!("{county_name}2026年本级财政扶贫资金"),
                    detention_days: 30,
                    amount: yuan("5000000.00")?,
                    booked_on: "2026-03-15".into(),
                    actor: None,
                },
                now,
            )
            .await?;
        let townships = store.region_children(&county).await?;
        for (j, t) in townships.iter().take(3).enumerate() {
            let tr = store
                .book_transfer(
                    &transfer(
                        format!("demo-approp-{}", t.code),
                        county_fund.id,
                        TransferKind::Appropriate,
                        Owner::Region(county),
                        Some(Owner::Region(t.code)),
                        yuan("1000000.00")?,
                        "2026-04-01",
                        format!("{county_name}财农〔2026〕{}号", 40 + j),
                        "下达乡镇产业扶贫资金",
                    ),
                    now,
                )
                .await?;
            store
                .confirm_receipt(tr.id, "2026-04-03", None, now)
                .await?;
        }
        // Two projects in the first township's first village, funded from the central fund.
        let Some(first_township) = townships.first() else {
            continue;
        };
        let villages = store.region_children(&first_township.code).await?;
        let Some(village) = villages.get(1).or(villages.first()) else {
            continue;
        };
        for (k, (pname, category)) in [
            (
                format!("{}肉牛养殖产业项目", village.name),
                Category::Industry,
            ),
            (
                format!("{}通组公路硬化项目", village.name),
                Category::Infrastructure,
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let p = lib.ledger_project(&village.code, &pname, category).await?;
            if county.as_str() == "529122000000" {
                continue; // money still in transit to 石门县
            }
            store
                .book_transfer(
                    &transfer(
                        format!("demo-arrange-{}", p.id),
                        central.id,
                        TransferKind::Arrange,
                        Owner::Region(county),
                        Some(Owner::Project(p.id)),
                        yuan("800000.00")?,
                        "2026-04-20",
                        format!("{county_name}扶贫〔2026〕{}号", 60 + k),
                        "安排项目资金",
                    ),
                    now,
                )
                .await?;
            let pay = |n: usize, amount: Money, payee: &str| NewTransfer {
                payee: Some(payee.into()),
                ..transfer(
                    format!("demo-pay-{}-{n}", p.id),
                    central.id,
                    TransferKind::Disburse,
                    Owner::Project(p.id),
                    None,
                    amount,
                    "2026-05-15",
                    format!("{county_name}支付〔2026〕{}号", p.id * 10 + n as i64),
                    "工程进度款",
                )
            };
            let paid = store
                .book_transfer(
                    &pay(
                        1,
                        yuan("300000.00")?,
                        &format!("{county_name}宏达建筑工程有限公司"),
                    ),
                    now,
                )
                .await?;
            store
                .payment_action(paid.id, PaymentAction::Pay, "2026-05-20", "", None, now)
                .await?;
            let held = store
                .book_transfer(
                    &pay(
                        2,
                        yuan("120000.00")?,
                        &format!("{}养殖专业合作社", village.name),
                    ),
                    now,
                )
                .await?;
            if i % 2 == 0 {
                store
                    .payment_action(held.id, PaymentAction::Hold, "2026-05-22", "", None, now)
                    .await?;
            }
        }
    }
    // 龙泉县: payments in one town suspended after an inspection.
    let longquan = RegionCode::parse("529126")?;
    store
        .suspend(
            &SuspensionTarget::Region(RegionCode::parse("529126100")?),
            &longquan,
            "专项检查发现项目资金违规使用，暂停拨付",
            "龙财监〔2026〕7号",
            None,
            now,
        )
        .await?;
    Ok(())
}

// --- The project library and Book 2 ----------------------------------------------------------
