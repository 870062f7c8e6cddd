//! The `disclosure` part of the translation catalogue.
//! Public pages (no sign-in): a project's notice, the portal's front page, region pages, search.
use super::Entry;

/// (key, zh-CN, en)
pub(super) const ENTRIES: &[Entry] = &[
    ("public.notice", "项目公示", "Public notice of a project"),
    (
        "public.report_hint",
        "对本项目有异议，可向乡镇人民政府或县乡村振兴部门反映，也可拨打12317监督举报电话。",
        "To object to this project, tell the township government or the county rural revitalisation bureau, or call the 12317 supervision hotline.",
    ),
    (
        "public.notice_until",
        "公示中，至 {day}",
        "Under public notice until {day}",
    ),
    (
        "public.notice_ended",
        "公示期已于 {day} 期满，等待县级审批",
        "The public notice ended on {day}; the county has yet to decide",
    ),
    (
        "public.see_place",
        "查看{place}的全部项目和资金",
        "All projects and funds of {place}",
    ),
    // The portal's front page.
    (
        "public.portal",
        "扶贫资金和项目公开",
        "Poverty-alleviation funds and projects, in the open",
    ),
    (
        "public.portal_lead",
        "不用登录，查看本市每个县、乡镇和村的扶贫项目、资金到了哪里、花了多少。",
        "No account needed: see, for every county, township and village of the city, the projects, where the money went and what was paid.",
    ),
    ("public.home", "信息公开", "Public portal"),
    ("public.counties", "各县（区）", "Counties and districts"),
    // Search.
    ("public.search", "搜索", "Search"),
    (
        "public.search_label",
        "村、乡镇、县的名称，项目名称或资金文号",
        "Name of a village, township or county, a project's name, or a fund's document number",
    ),
    (
        "public.search_placeholder",
        "例如：金坪镇、通组公路、财农〔2026〕",
        "e.g. 金坪镇, 通组公路, 财农〔2026〕",
    ),
    ("public.search_results", "搜索结果", "Search results"),
    (
        "public.search_empty",
        "请输入要找的村、乡镇、县的名称，项目名称或资金文号。",
        "Type the name of a village, township or county, a project's name or a fund's document number.",
    ),
    (
        "public.search_too_long",
        "搜索内容太长：最多100个字。",
        "The search is too long: at most 100 characters.",
    ),
    (
        "public.search_none",
        "没有找到相符的结果。",
        "Nothing matches.",
    ),
    ("public.found.regions", "地区", "Places"),
    ("public.found.projects", "项目", "Projects"),
    ("public.found.documents", "资金文件", "Fund documents"),
    ("public.doc.fund", "资金文件", "Fund document"),
    // A region's page.
    ("public.children.city", "下辖市（州）", "Cities within"),
    ("public.children.county", "下辖县（区）", "Counties within"),
    (
        "public.children.township",
        "下辖乡镇（街道）",
        "Townships within",
    ),
    (
        "public.children.village",
        "下辖村（社区）：找到您的村",
        "Villages within: find yours",
    ),
    ("public.projects", "扶贫项目", "Projects"),
    (
        "public.group.planned",
        "计划实施和公示中",
        "Planned or under public notice",
    ),
    ("public.group.in_progress", "正在实施", "In progress"),
    (
        "public.group.done",
        "已完工、已验收",
        "Completed or accepted",
    ),
    (
        "public.no_projects",
        "这里还没有公开的项目。",
        "No public project here yet.",
    ),
    ("public.budget", "计划投资", "Budget"),
    ("public.arranged", "已安排资金", "Arranged"),
    ("public.paid", "已支付", "Paid"),
    ("public.funds", "到达的资金", "Funds that arrived"),
    (
        "public.no_funds",
        "这里还没有到达的资金。",
        "No funds have arrived here yet.",
    ),
    ("public.fund_date", "日期", "Date"),
    ("public.fund_doc", "文号", "Document No."),
    ("public.fund_name", "资金", "Fund"),
    ("public.fund_to", "拨付到", "To"),
    ("public.fund_amount", "金额（元）", "Amount (yuan)"),
    (
        "public.totals.received",
        "从上级收到",
        "Received from the levels above",
    ),
    (
        "public.totals.arranged",
        "安排到项目",
        "Arranged to projects",
    ),
    ("public.totals.paid", "项目已支付", "Paid by projects"),
    (
        "public.shown_newest",
        "只列出最近的 {n} 条。",
        "Only the newest {n} are listed.",
    ),
    // Channels for objections and complaints.
    (
        "public.channels",
        "监督和举报渠道",
        "Objections and complaints",
    ),
    (
        "public.channels.hotline",
        "全国扶贫监督举报电话：12317（也可拨打当地县纪委监委举报电话）。",
        "National poverty-alleviation supervision hotline: 12317 (or the county discipline inspection commission's hotline).",
    ),
    (
        "public.channels.objection",
        "对正在公示的项目有异议的，请在公示期内通过该项目公示页面上的异议表提出，或向乡镇人民政府书面反映。",
        "To object to a project under public notice, use the objection form on the project's notice within the notice period, or write to the township government.",
    ),
    (
        "public.channels.visit",
        "也可以来信来访，向县乡村振兴部门或县纪委监委反映问题。",
        "You may also write or call in person at the county rural revitalisation bureau or the county discipline inspection commission.",
    ),
];
