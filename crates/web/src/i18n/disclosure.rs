//! The `disclosure` part of the translation catalogue.
//! Public pages (no sign-in).
use super::Entry;

/// (key, zh-CN, en)
pub(super) const ENTRIES: &[Entry] = &[
    ("public.notice", "项目公示", "Public notice of a project"),
    (
        "public.report_hint",
        "对本项目有异议，可向乡镇人民政府或县乡村振兴部门反映，也可拨打12317监督举报电话。",
        "To object to this project, tell the township government or the county rural revitalisation bureau, or call the 12317 supervision hotline.",
    ),
];
