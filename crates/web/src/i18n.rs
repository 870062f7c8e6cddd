//! The translation catalogue: every user-facing string, Simplified Chinese first, English beside it.
//! Keys are stable; templates and errors look them up with [`t`].
use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh_cn" | "zh-hans" => Some(Lang::Zh),
            "en" | "en-us" | "en-gb" | "en_us" => Some(Lang::En),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

/// (key, zh-CN, en)
pub const CATALOGUE: &[(&str, &str, &str)] = &[
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
    ("login.title", "登录", "Sign in"),
    ("login.username", "用户名", "Username"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Sign in"),
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
    ("dept.title", "部门与组织", "Departments"),
    ("dept.kind", "类型", "Kind"),
    ("dept.name", "名称", "Name"),
    (
        "dept.credit_code",
        "统一社会信用代码",
        "Unified social credit code",
    ),
    ("dept.stationed_by", "派出单位", "Sent by"),
    ("dept.people", "人员", "People"),
    ("dept.none", "尚无部门。", "No departments yet."),
    ("dept.add", "新增部门", "Add department"),
    ("dept.kind.party_committee", "党委", "Party committee"),
    ("dept.kind.government", "人民政府", "Government"),
    (
        "dept.kind.discipline_commission",
        "纪委监委",
        "Discipline inspection commission",
    ),
    ("dept.kind.finance_bureau", "财政部门", "Finance bureau"),
    (
        "dept.kind.poverty_bureau",
        "扶贫移民局",
        "Poverty alleviation and immigration bureau",
    ),
    (
        "dept.kind.business_department",
        "其他业务部门",
        "Other business department",
    ),
    (
        "dept.kind.village_committee",
        "村民委员会",
        "Village committee",
    ),
    (
        "dept.kind.village_discipline_team",
        "村纪检小组",
        "Village discipline inspection team",
    ),
    (
        "dept.kind.mass_supervision_team",
        "群众监督小组",
        "Mass supervision team",
    ),
    (
        "dept.kind.resident_work_team",
        "驻村工作队",
        "Resident work team",
    ),
    ("person.name", "姓名", "Name"),
    ("person.position", "职务", "Position"),
    ("person.phone", "电话", "Phone"),
    ("person.none", "尚无人员。", "No people yet."),
    ("person.add", "新增人员", "Add person"),
    ("position.head", "负责人", "Head"),
    ("position.deputy_head", "副职", "Deputy head"),
    ("position.staff", "工作人员", "Staff"),
    ("position.director", "主任", "Director"),
    ("position.secretary", "书记", "Secretary"),
    ("position.leader", "组长", "Leader"),
    ("position.member", "成员", "Member"),
    ("position.captain", "队长", "Captain"),
    ("position.first_secretary", "第一书记", "First secretary"),
    ("users.title", "账号管理", "Accounts"),
    ("users.username", "用户名", "Username"),
    ("users.display_name", "姓名", "Name"),
    ("users.region", "所属区划", "Home region"),
    ("users.password", "初始密码", "Initial password"),
    ("users.roles", "角色", "Roles"),
    ("users.add", "新增账号", "Add account"),
    (
        "users.none",
        "您的管辖范围内尚无账号。",
        "No accounts in your areas yet.",
    ),
    ("users.disabled", "已停用", "Disabled"),
    ("grants.title", "授权（含历史）", "Grants (with history)"),
    ("grants.role", "角色", "Role"),
    ("grants.region", "范围", "Scope"),
    ("grants.granted_at", "授予时间", "Granted"),
    ("grants.revoked_at", "撤销时间", "Revoked"),
    ("grants.active", "有效", "Active"),
    ("grants.add", "授予角色", "Grant role"),
    ("grants.revoke", "撤销", "Revoke"),
    ("role.admin", "系统管理员", "Administrator"),
    (
        "role.municipal_bureau",
        "市扶贫移民局",
        "Municipal poverty alleviation bureau",
    ),
    (
        "role.party_government",
        "党委政府",
        "Party committee and government",
    ),
    ("role.discipline", "纪检监察", "Discipline inspection"),
    ("role.finance", "财政", "Finance"),
    (
        "role.poverty_bureau",
        "县扶贫移民局",
        "County poverty alleviation bureau",
    ),
    ("role.township_official", "乡镇干部", "Township official"),
    ("role.village_cadre", "村干部", "Village cadre"),
    ("role.work_team", "驻村工作队", "Resident work team"),
    (
        "events.title",
        "登录与授权记录",
        "Sign-in and access record",
    ),
    ("events.at", "时间", "Time"),
    ("events.kind", "事件", "Event"),
    ("events.username", "用户名", "Username"),
    ("events.ip", "地址", "Address"),
    ("events.detail", "说明", "Detail"),
    ("event.sign_in", "登录", "Sign-in"),
    ("event.sign_in_failed", "登录失败", "Failed sign-in"),
    ("event.sign_out", "退出", "Sign-out"),
    ("event.user_added", "新增账号", "Account added"),
    ("event.password_set", "设置密码", "Password set"),
    ("event.grant", "授权", "Grant"),
    ("event.revoke", "撤销授权", "Revocation"),
    ("nav.log", "防篡改记录", "Tamper-evident log"),
    ("proof.title", "防篡改证明", "Tamper-evidence proof"),
    ("proof.link", "查看防篡改证明", "Tamper-evidence proof"),
    (
        "proof.explain",
        "这条记录在记账时已写入只能追加的默克尔日志（RFC 6962）。下面是它的原始数据、从该数据到已签名树根的包含证明，以及签名的检查点。下载后可在离线状态下核验，无需信任本系统。",
        "This record was written into the append-only Merkle log (RFC 6962) when it was booked. Below are its bytes, the inclusion proof from them to a signed tree root, and the signed checkpoint. Download it and check it offline, without trusting this server.",
    ),
    ("proof.download", "下载证明文件", "Download the proof"),
    ("proof.leaf", "日志叶子", "Log leaf"),
    ("proof.leaf_hash", "叶子哈希", "Leaf hash"),
    (
        "proof.path",
        "包含证明（自叶至根）",
        "Inclusion proof (leaf to root)",
    ),
    ("proof.checkpoint", "签名检查点", "Signed checkpoint"),
    ("proof.keys", "验证公钥", "Verifier keys"),
    ("log.title", "防篡改记录", "Tamper-evident log"),
    (
        "log.explain",
        "每一项记账事实都按 RFC 6962 追加为默克尔树的叶子；检查点由本系统的 ed25519 密钥签名，每个检查点都附有与上一个检查点的一致性证明。核验方法见 docs/VERIFY.md。",
        "Every booked fact is appended as a leaf of an RFC 6962 Merkle tree; checkpoints are signed with this system's ed25519 key, each with a consistency proof from the one before. How to check: docs/VERIFY.md.",
    ),
    ("log.size", "叶子数", "Leaves"),
    ("log.root", "当前树根", "Current root"),
    (
        "log.no_checkpoint",
        "尚无签名检查点。",
        "No signed checkpoint yet.",
    ),
    ("form.save", "保存", "Save"),
    (
        "region.ledger_link",
        "资金拨付台账",
        "Fund appropriation ledger",
    ),
    (
        "ledger.export_month_xlsx",
        "导出本月台账（Excel）",
        "Export this month (Excel)",
    ),
    ("ledger.export_csv", "导出全部（CSV）", "Export all (CSV)"),
    ("ledger.suspended", "已暂停拨付", "Payments suspended"),
    ("ledger.resume", "恢复拨付", "Resume payments"),
    ("ledger.accounts", "资金账户", "Accounts"),
    (
        "ledger.no_accounts",
        "本级尚无资金账户。",
        "No accounts at this level yet.",
    ),
    ("ledger.fund", "资金", "Fund"),
    ("ledger.account", "账户", "Account"),
    ("ledger.own_account", "本级", "This level"),
    ("ledger.credited", "收入", "In"),
    ("ledger.debited", "支出", "Out"),
    ("ledger.held", "已批待付", "Approved, unpaid"),
    ("ledger.in_transit", "在途待确认", "In transit"),
    ("ledger.available", "可用余额", "Available"),
    ("ledger.detained", "滞留", "Detained"),
    ("ledger.over_deadline", "超期", "over the deadline by"),
    ("ledger.days", "天", "days"),
    (
        "ledger.reconciliation",
        "下级对账（已下拨与已到账）",
        "Lower levels reconciled (dispatched against received)",
    ),
    ("ledger.lower_level", "下级", "Lower level"),
    ("ledger.dispatched", "已下拨", "Dispatched"),
    ("ledger.received", "已确认到账", "Received"),
    ("ledger.difference", "差额", "Difference"),
    ("ledger.waiting", "未确认", "Unconfirmed"),
    ("ledger.unconfirmed_for", "已等待", "waiting for"),
    ("ledger.transfers", "收支记录", "Transfers"),
    ("ledger.no_transfers", "尚无收支记录。", "No transfers yet."),
    ("ledger.date", "日期", "Date"),
    ("ledger.kind", "类型", "Kind"),
    ("ledger.from_to", "转出 → 转入", "From → to"),
    ("ledger.amount", "金额（元）", "Amount (yuan)"),
    (
        "ledger.amount_yuan",
        "金额（元，最多两位小数）",
        "Amount (yuan, up to two decimals)",
    ),
    ("ledger.confirm_receipt", "确认到账", "Confirm receipt"),
    ("ledger.book", "记账", "Book"),
    (
        "ledger.receive_fund",
        "接收资金（上级下达或本级预算）",
        "Receive a fund (from above or own budget)",
    ),
    ("ledger.fund_name", "资金名称", "Fund name"),
    (
        "ledger.move_money",
        "下拨、安排项目、支付或退回",
        "Pass down, arrange to a project, pay or refund",
    ),
    (
        "ledger.owner_hint",
        "区划代码，或项目编号如 P12",
        "region code, or a project as P12",
    ),
    ("ledger.suspend", "暂停拨付", "Suspend payments"),
    (
        "ledger.target_id",
        "项目编号、区划代码或收款人",
        "Project id, region code or payee",
    ),
    ("ledger.external", "上级/外部", "outside"),
    (
        "ledger.flow_explain",
        "该笔资金从接收到各级下拨、安排项目直至支付给收款人的全部记录（仅显示您管辖范围内的部分）。",
        "Every movement of this fund from receipt down the levels to projects and payees (only the parts in your areas are shown).",
    ),
    ("ledger.reversed", "已冲正", "Reversed"),
    ("ledger.kind.receive", "接收", "Receipt"),
    ("ledger.kind.appropriate", "下拨", "Appropriation"),
    ("ledger.kind.arrange", "安排项目", "Arrangement to project"),
    ("ledger.kind.disburse", "支付", "Disbursement"),
    ("ledger.kind.refund", "退回", "Refund"),
    ("ledger.kind.reverse", "冲正", "Reversal"),
    ("ledger.state.dispatched", "已下拨待确认", "Dispatched"),
    ("ledger.state.received", "已到账", "Received"),
    ("ledger.state.approved", "已审批待付", "Approved"),
    ("ledger.state.held", "暂缓支付", "Held"),
    ("ledger.state.paid", "已支付", "Paid"),
    ("ledger.state.voided", "已作废", "Voided"),
    ("ledger.action.pay", "支付", "Pay"),
    ("ledger.action.hold", "暂缓", "Hold"),
    ("ledger.action.release", "放行", "Release"),
    ("ledger.action.void", "作废", "Void"),
    ("ledger.target.project", "项目", "Project"),
    ("ledger.target.region", "区划", "Region"),
    ("ledger.target.payee", "收款人", "Payee"),
    (
        "ledger.source.central_special",
        "中央财政专项扶贫资金",
        "Central special poverty fund",
    ),
    (
        "ledger.source.provincial",
        "省级财政资金",
        "Provincial funds",
    ),
    ("ledger.source.municipal", "市级财政资金", "Municipal funds"),
    (
        "ledger.source.county_budget",
        "县级财政预算",
        "County budget",
    ),
    (
        "ledger.source.integrated_agri",
        "统筹整合涉农资金",
        "Integrated agriculture-related funds",
    ),
    (
        "ledger.source.social_donation",
        "社会捐赠",
        "Social donations",
    ),
    ("ledger.source.other", "其他", "Other"),
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
    ("field.code", "区划代码", "region code"),
    ("field.region", "区划", "region"),
    ("field.kind", "类型", "kind"),
    ("field.name", "名称", "name"),
    (
        "field.credit_code",
        "统一社会信用代码",
        "unified social credit code",
    ),
    ("field.position", "职务", "position"),
    ("field.role", "角色", "role"),
    ("field.username", "用户名", "username"),
    ("field.password", "密码", "password"),
    ("field.display_name", "姓名", "name"),
    ("field.id_number", "身份证号码", "ID number"),
    ("field.amount", "金额", "amount"),
    ("field.body", "请求内容", "request body"),
    ("reason.empty", "不能为空", "must not be empty"),
    ("reason.too_long", "过长", "is too long"),
    ("reason.too_short", "过短", "is too short"),
    (
        "reason.not_digits",
        "只能包含数字",
        "must contain digits only",
    ),
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
    (
        "reason.unknown_department_kind",
        "未知的部门类型",
        "is not a known department kind",
    ),
    (
        "reason.not_allowed_at_level",
        "该级别不设此类部门",
        "does not exist at this region level",
    ),
    (
        "reason.unknown_position",
        "未知的职务",
        "is not a known position",
    ),
    (
        "reason.not_in_this_department",
        "该部门没有此职务",
        "does not exist in this department",
    ),
    ("reason.unknown_role", "未知的角色", "is not a known role"),
    (
        "reason.unknown_region",
        "区划不存在",
        "is not a known region",
    ),
    (
        "reason.password_too_short",
        "至少 10 个字符",
        "needs at least 10 characters",
    ),
    (
        "reason.username_format",
        "只能用字母、数字、点、横线和下划线，3 到 64 个字符",
        "may use letters, digits, dot, dash and underscore, 3 to 64 characters",
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
        "error.suspended",
        "已暂停拨付：{unit}暂停令第 {id} 号（文号 {document_no}），原因：{reason}",
        "Payments are suspended: suspension {id} issued by {unit} (document {document_no}), reason: {reason}",
    ),
    (
        "reason.outside_issuing_unit",
        "不在签发单位辖区内",
        "is outside the issuing unit's area",
    ),
    (
        "reason.unknown_reference",
        "不存在或不在您的辖区内",
        "does not exist or is outside your area",
    ),
    (
        "reason.insufficient_funds",
        "超出可用余额（括号内为当前可用金额）",
        "exceeds what is available (the amount available follows)",
    ),
    (
        "reason.not_positive",
        "必须大于零",
        "must be greater than zero",
    ),
    (
        "reason.not_one_level_down",
        "只能拨付给直接下一级",
        "must go to the level directly below",
    ),
    (
        "reason.project_outside_region",
        "项目不在本级管辖范围内",
        "is a project outside this region",
    ),
    (
        "reason.wrong_direction",
        "资金流向不符合该类型",
        "does not fit this kind of transfer",
    ),
    (
        "reason.must_be_region",
        "必须是行政区划账户",
        "must be a region's account",
    ),
    (
        "reason.missing_account",
        "缺少转出或转入账户",
        "lacks a source or destination account",
    ),
    (
        "reason.disbursement_needs_project_and_payee",
        "支付须从项目账户付给收款人",
        "must be paid from a project account to a payee",
    ),
    (
        "reason.cannot_reverse_a_reversal",
        "冲正记录不能再冲正",
        "cannot reverse a reversal",
    ),
    (
        "reason.must_equal_original",
        "必须与原记录一致",
        "must equal the original",
    ),
    (
        "reason.void_the_payment_instead",
        "未支付的款项请作废而非冲正",
        "is an unpaid payment: void it instead",
    ),
    ("reason.payment_was_voided", "该笔支付已作废", "was voided"),
    (
        "reason.not_an_appropriation",
        "不是下拨记录",
        "is not an appropriation",
    ),
    (
        "reason.already_received",
        "已确认到账",
        "was already received",
    ),
    ("reason.reversed", "已被冲正", "was reversed"),
    (
        "reason.already_reversed",
        "已冲正过，不能重复冲正",
        "was already reversed",
    ),
    (
        "reason.not_a_disbursement",
        "不是支付记录",
        "is not a disbursement",
    ),
    (
        "reason.transition_not_allowed",
        "当前状态不允许此操作",
        "does not allow this step now",
    ),
    (
        "reason.unknown_payment_state",
        "未知状态",
        "is not a known state",
    ),
    (
        "reason.unknown_fund_source",
        "未知的资金来源",
        "is not a known fund source",
    ),
    (
        "reason.unknown_transfer_kind",
        "未知的业务类型",
        "is not a known kind of transfer",
    ),
    ("reason.out_of_range", "超出范围", "is out of range"),
    (
        "reason.not_a_date",
        "不是有效日期（YYYY-MM-DD）",
        "is not a date (YYYY-MM-DD)",
    ),
    ("reason.negative", "不能为负数", "must not be negative"),
    (
        "reason.negative_total",
        "合计不能为负",
        "would make a total negative",
    ),
    ("reason.missing", "缺失", "is missing"),
    ("field.booked_on", "记账日期", "booking date"),
    ("field.fiscal_year", "年度", "fiscal year"),
    ("field.source", "资金来源", "fund source"),
    ("field.to", "转入方", "destination"),
    ("field.from", "转出方", "source account"),
    ("field.payee", "收款人", "payee"),
    ("field.reverses", "冲正对象", "reversed transfer"),
    ("field.transfer", "记录", "transfer"),
    ("field.state", "状态", "state"),
    ("field.document_no", "文号", "document number"),
    ("field.detention_days", "滞留天数", "detention days"),
    ("field.target", "暂停对象", "suspension target"),
    ("field.reason", "原因", "reason"),
    ("field.client_id", "请求编号", "client id"),
    ("field.fund", "资金", "fund"),
    ("field.purpose", "用途", "purpose"),
    ("field.project", "项目", "project"),
    ("field.action", "操作", "action"),
    (
        "reason.unknown_project",
        "项目不存在",
        "is not a known project",
    ),
    ("reason.unknown_action", "未知操作", "is not a known action"),
    (
        "reason.unknown_target_kind",
        "未知的暂停对象类型",
        "is not a known kind of target",
    ),
];

include!("i18n_projects.rs");
include!("i18n_supervision.rs");
include!("i18n_auth.rs");

/// Every entry of the catalogue.
pub fn entries() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    CATALOGUE
        .iter()
        .chain(PROJECT_CATALOGUE.iter())
        .chain(SUPERVISION_CATALOGUE.iter())
        .chain(AUTH_CATALOGUE.iter())
}

static ZH: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| entries().map(|(k, zh, _)| (*k, *zh)).collect());
static EN: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| entries().map(|(k, _, en)| (*k, *en)).collect());

/// Looks `key` up in `lang`. A missing key comes back as the key itself (and a test checks that
/// no rendered page contains one).
pub fn t(lang: Lang, key: &str) -> String {
    let m = match lang {
        Lang::Zh => &*ZH,
        Lang::En => &*EN,
    };
    match m.get(key) {
        Some(s) => (*s).to_string(),
        None => {
            tracing::warn!(key, "missing translation");
            key.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_filled() {
        let mut seen = std::collections::HashSet::new();
        for (k, zh, en) in entries() {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(!zh.is_empty() && !en.is_empty(), "{k} is empty");
        }
    }

    #[test]
    fn every_domain_enum_is_translated() {
        for r in sunledger_core::Role::ALL {
            assert!(ZH.contains_key(format!("role.{}", r.key()).as_str()));
        }
        for k in sunledger_core::DepartmentKind::ALL {
            assert!(ZH.contains_key(format!("dept.kind.{}", k.key()).as_str()));
        }
        for p in sunledger_core::department::Position::ALL {
            assert!(ZH.contains_key(format!("position.{}", p.key()).as_str()));
        }
        for l in sunledger_core::Level::ALL {
            assert!(ZH.contains_key(format!("level.{}", l.key()).as_str()));
        }
        use sunledger_core::project as p;
        let keys = p::Category::ALL
            .iter()
            .map(|x| format!("project.category.{}", x.key()))
            .chain(
                p::Stage::ALL
                    .iter()
                    .map(|x| format!("project.stage.{}", x.key())),
            )
            .chain(
                p::Status::ALL
                    .iter()
                    .map(|x| format!("project.status.{}", x.key())),
            )
            .chain(
                p::StageAction::ALL
                    .iter()
                    .map(|x| format!("project.action.{}", x.key())),
            )
            .chain(
                p::StatusAction::ALL
                    .iter()
                    .map(|x| format!("project.action.{}", x.key())),
            )
            .chain(
                p::ResponsibleRole::ALL
                    .iter()
                    .map(|x| format!("resp.role.{}", x.key())),
            );
        for k in keys {
            assert!(
                ZH.contains_key(k.as_str()) && EN.contains_key(k.as_str()),
                "{k}"
            );
        }
    }
}
