//! The `app` part of the translation catalogue.
//! Strings every page shares: the application's name, navigation, the home page and the
//! four books, form buttons, units, exports, error titles, and the fields and reasons of input
//! checks that several features use.
use super::Entry;

/// (key, zh-CN, en)
pub(super) const ENTRIES: &[Entry] = &[
    ("app.name", "阳光账本", "Sunledger"),
    (
        "app.tagline",
        "扶贫移民项目与资金四级联动监督",
        "Four-level supervision of poverty-alleviation and resettlement projects and funds",
    ),
    (
        "app.intro",
        "市、县、乡、村四级联动，建立资金拨付、项目监管责任、问题整改、项目验收绩效评价“四本台账”，每一笔记账都可验证、不可篡改。",
        "City, county, township and village work together on the \"four books\": fund appropriation, project supervision responsibility, problem rectification, and project acceptance and performance evaluation. Every booked fact is tamper-evident.",
    ),
    ("nav.home", "首页", "Home"),
    ("nav.regions", "行政区划", "Regions"),
    ("nav.users", "账号管理", "Accounts"),
    ("nav.events", "登录与授权记录", "Sign-in and access record"),
    ("nav.api", "接口文档", "API"),
    ("nav.sign_in", "登录", "Sign in"),
    ("nav.sign_out", "退出", "Sign out"),
    ("nav.switch_lang", "English", "中文"),
    ("nav.signed_in_as", "当前用户", "Signed in as"),
    ("home.your_scopes", "您的管辖范围", "Your areas"),
    (
        "home.public",
        "未登录时仅能查看已公开的信息。",
        "Without signing in you see only what is published.",
    ),
    ("home.books", "四本台账", "The four books"),
    ("book.funds", "资金拨付台账", "Fund appropriation ledger"),
    (
        "book.responsibility",
        "项目监管责任台账",
        "Project supervision responsibility ledger",
    ),
    (
        "book.problems",
        "问题整改台账",
        "Problem rectification ledger",
    ),
    (
        "book.acceptance",
        "项目验收绩效评价台账",
        "Project acceptance and performance evaluation ledger",
    ),
    ("nav.log", "防篡改记录", "Tamper-evident log"),
    ("form.save", "保存", "Save"),
    ("form.optional", "选填", "optional"),
    ("error.title", "出错了", "Something went wrong"),
    ("error.back", "返回首页", "Back to the home page"),
    ("error.unauthorized", "请先登录。", "Please sign in first."),
    (
        "error.forbidden",
        "您无权访问该内容：它不在您的管辖范围内。",
        "You may not access this: it is outside your areas.",
    ),
    ("error.not_found", "未找到该内容。", "Not found."),
    (
        "error.no_route",
        "没有这个地址。",
        "There is no such address.",
    ),
    (
        "error.bad_credentials",
        "用户名或密码错误。",
        "Wrong username or password.",
    ),
    (
        "error.too_many_attempts",
        "登录失败次数过多，请稍后再试。",
        "Too many failed sign-ins. Try again later.",
    ),
    (
        "error.cross_origin",
        "拒绝来自其他网站的修改请求。",
        "Changes requested from another site are refused.",
    ),
    ("error.invalid", "输入有误", "Invalid input"),
    ("error.conflict", "已存在", "Already exists"),
    (
        "error.internal",
        "服务器内部错误，已记录。",
        "Internal error; it has been logged.",
    ),
    ("error.bad_request", "请求格式有误", "Malformed request"),
    ("field.id_number", "身份证号码", "ID number"),
    ("field.body", "请求内容", "request body"),
    ("reason.empty", "不能为空", "must not be empty"),
    ("reason.too_long", "过长", "is too long"),
    (
        "reason.too_long_at_most",
        "过长：最多 {max} 个字符（输入了 {given} 个）",
        "is too long: at most {max} characters ({given} given)",
    ),
    ("reason.too_short", "过短", "is too short"),
    (
        "reason.not_digits",
        "只能包含数字",
        "must contain digits only",
    ),
    (
        "reason.length",
        "长度应为 18 位",
        "must be 18 characters long",
    ),
    (
        "reason.check_character",
        "校验码错误",
        "has a wrong check character",
    ),
    (
        "reason.alphabet",
        "含有不允许的字符",
        "contains characters that are not allowed",
    ),
    ("reason.not_a_number", "不是有效数字", "is not a number"),
    (
        "reason.more_than_two_decimals",
        "最多两位小数",
        "has more than two decimals",
    ),
    ("reason.too_large", "数值过大", "is too large"),
    ("reason.malformed", "格式有误", "is malformed"),
    (
        "reason.unknown_reference",
        "不存在或不在您的辖区内",
        "does not exist or is outside your area",
    ),
    ("reason.out_of_range", "超出范围", "is out of range"),
    (
        "reason.not_a_date",
        "不是有效日期（YYYY-MM-DD）",
        "is not a date (YYYY-MM-DD)",
    ),
    ("reason.negative", "不能为负数", "must not be negative"),
    ("reason.missing", "缺失", "is missing"),
    ("book.projects", "项目库", "Project library"),
    (
        "reason.bad_date",
        "不是有效日期（应为 YYYY-MM-DD）",
        "is not a valid date (YYYY-MM-DD)",
    ),
    (
        "reason.in_future",
        "不能晚于今天",
        "cannot be in the future",
    ),
    ("reason.bad_format", "格式不正确", "is malformed"),
    (
        "reason.bad_amount",
        "金额格式不正确",
        "has a malformed amount",
    ),
    (
        "book.problems_short",
        "问题整改台账",
        "Problem rectification ledger",
    ),
    // Pages: navigation, exports.
    ("nav.inspections", "监督检查", "Inspections"),
    ("export.xlsx", "导出 Excel", "Export XLSX"),
    ("export.csv", "导出 CSV", "Export CSV"),
    ("nav.limits", "登录限制", "Sign-in limits"),
    ("nav.sessions", "我的会话", "My sessions"),
    ("nav.second_factor", "双重验证", "Two-step sign-in"),
    ("unit.minutes", "分钟", "minutes"),
    ("unit.hours", "小时", "hours"),
];
