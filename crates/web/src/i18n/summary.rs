//! The `summary` part of the translation catalogue.
//! Region dashboards.
use super::Entry;

/// (key, zh-CN, en)
pub(super) const ENTRIES: &[Entry] = &[
    ("summary.title", "概况", "Overview"),
    ("summary.money", "资金（元）", "Funds (yuan)"),
    ("summary.own", "本级账户", "This level's accounts"),
    ("summary.below", "下级账户", "Lower levels' accounts"),
    ("summary.projects", "项目账户", "Project accounts"),
    ("summary.accounts", "账户数", "Accounts"),
    ("summary.detained", "滞留资金", "Detained funds"),
    (
        "summary.detained_none",
        "没有超过期限未分配的资金。",
        "No money left unallocated past its deadline.",
    ),
    (
        "summary.detained_line",
        "个账户，最长超期天数",
        "accounts; most days past the deadline",
    ),
    ("summary.children", "下级对账", "Lower levels reconciled"),
    ("summary.oldest", "最早未确认", "Oldest unconfirmed"),
    (
        "summary.projects_by_stage",
        "项目（按申报阶段）",
        "Projects by stage",
    ),
    (
        "summary.projects_by_status",
        "项目（按实施状态）",
        "Projects by status",
    ),
    (
        "summary.problems_by_state",
        "问题（按整改状态）",
        "Problems by state",
    ),
    (
        "summary.suspensions",
        "暂停拨付（生效中）",
        "Active suspensions of payment",
    ),
    ("summary.details", "资金台账明细", "Ledger details"),
    // Overdue Book 4 steps (issue 17).
    (
        "summary.overdue",
        "验收与绩效评价逾期",
        "Overdue acceptances and evaluations",
    ),
    (
        "summary.overdue_acceptances",
        "逾期未组织县级验收的项目",
        "Applications not inspected by the county in time",
    ),
    (
        "summary.overdue_evaluations",
        "逾期未完成的绩效评价",
        "Evaluations overdue",
    ),
    ("summary.overdue_list", "查看清单", "See the list"),
    (
        "summary.overdue_proposals",
        "系统提示的升级措施（待确认）",
        "Escalation steps proposed (awaiting a decision)",
    ),
    ("summary.overdue_due_on", "应于", "due on"),
    ("summary.overdue_basis", "依据", "basis"),
];
