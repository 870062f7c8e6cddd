//! The score table as filed: one row per county in rank order, the total, then every item's
//! points under the item's code and name.
use crate::app::table::Cell;
use crate::i18n::{Lang, t};
use sunledger_core::assessment::{Scheme, rank};
use sunledger_store::CountyScore;

/// Points are hundredths, exported like fen (two decimals; a number in XLSX).
pub fn score_table(
    lang: Lang,
    scheme: &Scheme,
    cards: &[CountyScore],
) -> (Vec<String>, Vec<Vec<Cell>>) {
    let mut headers: Vec<String> = [
        "export.assessment.rank",
        "export.assessment.county_code",
        "export.region_name",
        "export.assessment.total",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    for it in &scheme.items {
        let name = if lang == Lang::Zh {
            &it.name_zh
        } else {
            &it.name_en
        };
        headers.push(format!("{} {name}", it.code));
    }
    let ranked = rank(
        &cards
            .iter()
            .map(|c| (c.code.clone(), c.card.total))
            .collect::<Vec<_>>(),
    );
    let rows = ranked
        .iter()
        .filter_map(|r| {
            let c = cards.iter().find(|c| c.code == r.county)?;
            let mut row = vec![
                Cell::Int(r.rank),
                c.code.as_str().into(),
                c.name.as_str().into(),
                Cell::Fen(c.card.total.0),
            ];
            for it in &scheme.items {
                row.push(
                    c.card
                        .item(&it.code)
                        .map_or(Cell::Text(String::new()), |x| Cell::Fen(x.points.0)),
                );
            }
            Some(row)
        })
        .collect();
    (headers, rows)
}
