//! The `responsibility` part of the translation catalogue.
//! Book 2, the project supervision responsibility ledger, and its letters.
use super::Entry;

/// (key, zh-CN, en)
pub(super) const ENTRIES: &[Entry] = &[
    ("project.person_id", "责任人编号", "responsible person's id"),
    ("project.responsible_now", "当前责任人", "Responsible now"),
    (
        "project.nobody_responsible",
        "尚未明确责任人。",
        "No responsible person named yet.",
    ),
    ("project.since", "自", "since"),
    (
        "project.responsibility_history",
        "查看全部责任历史",
        "Whole responsibility history",
    ),
    ("project.assign", "明确责任人", "Name a responsible person"),
    (
        "project.end_responsibility",
        "责任人交接",
        "Hand over a responsibility",
    ),
    ("project.end", "终止责任", "End the responsibility"),
    (
        "project.responsibility_assigned",
        "明确责任人",
        "Responsible person named",
    ),
    (
        "resp.role.county_leader",
        "县级分管领导",
        "County leader in charge",
    ),
    (
        "resp.role.bureau_staff",
        "扶贫移民局责任人",
        "Poverty bureau staff",
    ),
    (
        "resp.role.township_official",
        "乡镇责任人",
        "Township official",
    ),
    ("resp.role.village_cadre", "村干部", "Village cadre"),
    (
        "resp.role.work_team_captain",
        "驻村工作队队长",
        "Resident work team captain",
    ),
    ("resp.role.first_secretary", "第一书记", "First secretary"),
    ("resp.on_day", "某日的责任人", "Responsible on day"),
    ("resp.person", "责任人", "Person"),
    ("resp.ongoing", "至今", "ongoing"),
    (
        "resp.none",
        "没有符合条件的责任记录。",
        "No responsibilities match.",
    ),
    ("resp.letters", "目标责任书", "Responsibility letters"),
    ("resp.no_letters", "尚无责任书。", "No letters filed yet."),
    (
        "resp.file_letter",
        "登记责任书",
        "File a responsibility letter",
    ),
    ("export.resp.role", "责任角色", "Role"),
    ("export.resp.person", "责任人", "Person"),
    ("export.resp.position", "职务", "Position"),
    ("export.resp.department", "单位", "Department"),
    ("export.resp.start_on", "起始日期", "From"),
    ("export.resp.end_on", "终止日期", "To"),
    ("export.resp.end_reason", "终止原因", "Why ended"),
    ("field.person_id", "责任人", "person"),
    ("field.start_on", "起始日期", "start date"),
    ("field.end_on", "终止日期", "end date"),
    ("field.signed_on", "签订日期", "signing date"),
    ("field.title", "标题", "title"),
    (
        "field.bureau_person_id",
        "扶贫移民局签字人",
        "signatory for the poverty bureau",
    ),
    (
        "field.township_person_id",
        "乡镇党委政府签字人",
        "signatory for the township",
    ),
    ("field.person", "责任人", "person"),
    ("field.on", "日期", "date"),
    (
        "reason.unknown_responsible_role",
        "未知的责任角色",
        "is not a known role",
    ),
    (
        "reason.does_not_fit_role",
        "所在单位或职务与责任角色不符",
        "does not hold a post fitting the role",
    ),
    (
        "reason.outside_project_region",
        "不在项目所在县、乡、村",
        "is not in the project's county, township or village",
    ),
    (
        "reason.unknown_person",
        "人员不存在",
        "is not a known person",
    ),
    (
        "reason.before_start",
        "早于起始日期",
        "is before the start date",
    ),
    (
        "reason.not_county_poverty_bureau",
        "须为该县扶贫移民局人员",
        "must be staff of the county poverty bureau",
    ),
    (
        "reason.not_township_leadership",
        "须为该乡镇党委或政府人员",
        "must be of the township's party committee or government",
    ),
];
