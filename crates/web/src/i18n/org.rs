//! The `org` part of the translation catalogue.
//! Departments, their kinds, people and positions.
use super::Entry;

/// (key, zh-CN, en)
pub(super) const ENTRIES: &[Entry] = &[
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
    ("field.kind", "类型", "kind"),
    ("field.name", "名称", "name"),
    (
        "field.credit_code",
        "统一社会信用代码",
        "unified social credit code",
    ),
    ("field.position", "职务", "position"),
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
];
