//! The `region` part of the translation catalogue.
//! Regions and their levels.
use super::Entry;

/// (key, zh-CN, en)
pub(super) const ENTRIES: &[Entry] = &[
    ("region.title", "行政区划", "Regions"),
    ("region.code", "区划代码", "Code"),
    ("region.name", "名称", "Name"),
    ("region.level", "级别", "Level"),
    ("region.children", "下级区划", "Subdivisions"),
    ("region.child_count", "下级数", "Count"),
    (
        "region.none",
        "尚无区划数据。请先导入区划表：sunledger regions import FILE.csv",
        "No regions yet. Import a region table first: sunledger regions import FILE.csv",
    ),
    ("region.no_children", "无下级区划。", "No subdivisions."),
    ("level.province", "省", "Province"),
    ("level.city", "市（州）", "City"),
    ("level.county", "县（区）", "County"),
    ("level.township", "乡（镇、街道）", "Township"),
    ("level.village", "村（社区）", "Village"),
    (
        "region.ledger_link",
        "资金拨付台账",
        "Fund appropriation ledger",
    ),
    ("field.code", "区划代码", "region code"),
    ("field.region", "区划", "region"),
    (
        "reason.zero_province",
        "省级代码不能为 00",
        "has a zero province segment",
    ),
    (
        "reason.missing_city_segment",
        "缺少市级代码段",
        "lacks the city segment",
    ),
    (
        "reason.missing_township_segment",
        "缺少乡级代码段",
        "lacks the township segment",
    ),
    (
        "reason.unknown_region",
        "区划不存在",
        "is not a known region",
    ),
];
