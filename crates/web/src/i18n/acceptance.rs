//! The `acceptance` part of the translation catalogue.
//! Book 4's rules (core `acceptance`): acceptance states and steps, grades, evaluation bands, the
//! indicator tree, and the refusals of its rules.
use super::Entry;

/// (key, zh-CN, en)
pub(super) const ENTRIES: &[Entry] = &[
    ("acceptance.state.applied", "已申请验收", "Applied for"),
    (
        "acceptance.state.prechecked",
        "乡镇已初验",
        "Prechecked by the township",
    ),
    (
        "acceptance.state.team_formed",
        "验收组已组成",
        "Team formed",
    ),
    ("acceptance.state.inspected", "已验收检查", "Inspected"),
    (
        "acceptance.state.signed",
        "验收组已签字",
        "Signed by the team",
    ),
    ("acceptance.state.posted", "验收结果公示中", "Result posted"),
    ("acceptance.state.accepted", "验收通过", "Accepted"),
    ("acceptance.state.rectifying", "限期整改中", "Rectifying"),
    (
        "acceptance.action.precheck",
        "乡镇初验",
        "Township precheck",
    ),
    ("acceptance.action.form_team", "组成验收组", "Form the team"),
    ("acceptance.action.inspect", "验收检查", "Inspect"),
    (
        "acceptance.action.complete_signing",
        "完成签字",
        "Complete the signatures",
    ),
    (
        "acceptance.action.fail",
        "不合格，限期整改",
        "Fail, with a deadline",
    ),
    ("acceptance.action.post", "公示验收结果", "Post the result"),
    ("acceptance.action.accept", "确认验收通过", "Accept"),
    ("acceptance.grade.excellent", "优质", "Excellent"),
    ("acceptance.grade.qualified", "合格", "Qualified"),
    ("acceptance.grade.failed", "不合格", "Failed"),
    ("acceptance.band.excellent", "优", "Excellent"),
    ("acceptance.band.good", "良", "Good"),
    ("acceptance.band.fair", "中", "Fair"),
    ("acceptance.band.poor", "差", "Poor"),
    ("indicator.class.output", "产出指标", "Output"),
    ("indicator.class.benefit", "效益指标", "Benefit"),
    ("indicator.class.satisfaction", "满意度指标", "Satisfaction"),
    ("indicator.kind.quantity", "数量指标", "Quantity"),
    ("indicator.kind.quality", "质量指标", "Quality"),
    ("indicator.kind.timeliness", "时效指标", "Timeliness"),
    ("indicator.kind.cost", "成本指标", "Cost"),
    ("indicator.kind.economic", "经济效益", "Economic"),
    ("indicator.kind.social", "社会效益", "Social"),
    ("indicator.kind.ecological", "生态效益", "Ecological"),
    (
        "indicator.kind.sustainability",
        "可持续影响",
        "Sustainability",
    ),
    (
        "indicator.kind.satisfied",
        "服务对象满意度",
        "Beneficiaries' satisfaction",
    ),
    ("indicator.operator.ge", "≥", "≥"),
    ("indicator.operator.le", "≤", "≤"),
    ("indicator.operator.eq", "=", "="),
    (
        "reason.team_incomplete",
        "验收组须有财政、扶贫部门和行业主管部门人员",
        "the team needs members from finance, the poverty alleviation bureau and the business department",
    ),
    (
        "reason.not_failed",
        "验收结果不是不合格",
        "the result is not a failure",
    ),
    (
        "reason.failed_is_rectified",
        "不合格的项目须限期整改后重新验收",
        "a failed project is rectified and inspected again",
    ),
    (
        "reason.member_disagrees",
        "有验收组成员签署不同意，须先解决",
        "a team member signed in disagreement, which must be resolved first",
    ),
    (
        "reason.signatures_missing",
        "验收组成员尚未全部签字",
        "not every team member has signed",
    ),
    (
        "reason.retention_until_acceptance",
        "项目验收前不能支付尾款（按规定预留的资金），验收前最多还可支付",
        "the retained money (尾款) is paid only after acceptance; before it at most this may still be paid",
    ),
    (
        "reason.weights_not_100",
        "各指标权重之和须为 100",
        "the indicators' weights must add up to 100",
    ),
    (
        "reason.satisfaction_missing",
        "须有一个满意度指标",
        "need a satisfaction indicator",
    ),
    (
        "reason.too_many_indicators",
        "指标过多",
        "has too many indicators",
    ),
    (
        "reason.bad_indicator",
        "应写作 指标|名称|比较|目标值|单位|权重[|core]",
        "must read kind|name|operator|target|unit|weight[|core]",
    ),
    (
        "reason.bad_core",
        "应为 core、核心或留空",
        "must be core, 核心 or empty",
    ),
    (
        "reason.one_per_indicator",
        "每个指标须有一个实际值",
        "each indicator needs one actual value",
    ),
    (
        "reason.unknown_acceptance_state",
        "不是已知的验收状态",
        "is not a known acceptance state",
    ),
    (
        "reason.unknown_acceptance_action",
        "不是已知的验收步骤",
        "is not a known acceptance step",
    ),
    (
        "reason.unknown_grade",
        "不是已知的验收结果",
        "is not a known grade",
    ),
    (
        "reason.unknown_band",
        "不是已知的评价等级",
        "is not a known band",
    ),
    (
        "reason.unknown_indicator_class",
        "不是已知的指标类别",
        "is not a known indicator class",
    ),
    (
        "reason.unknown_indicator_kind",
        "不是已知的指标",
        "is not a known indicator kind",
    ),
    (
        "reason.unknown_operator",
        "不是已知的比较方式",
        "is not a known comparison",
    ),
    ("field.grade", "验收结果", "grade"),
    ("field.signatures", "签字", "signatures"),
    ("field.actuals", "实际值", "actual values"),
];
