//! The `escalation` part of the translation catalogue.
//! The escalation ladder: its steps, proposals and printable documents.
use super::Entry;

/// (key, zh-CN, en)
pub(super) const ENTRIES: &[Entry] = &[
    (
        "step.reminder_letter",
        "书面提醒函",
        "Written reminder letter",
    ),
    ("step.supervision_letter", "督办函", "Supervision letter"),
    ("step.suggestion_letter", "建议函", "Suggestion letter"),
    ("step.work_interview", "工作约谈", "Work interview"),
    ("step.warning_interview", "警示约谈", "Warning interview"),
    (
        "step.suspend_payment",
        "暂停资金拨付",
        "Suspension of fund payment",
    ),
    ("step.informed_criticism", "通报批评", "Informed criticism"),
    (
        "step.discipline_referral",
        "移交纪委监委",
        "Referral to the discipline commission",
    ),
    (
        "step.judicial_referral",
        "移送司法机关",
        "Referral to judicial organs",
    ),
    ("field.step", "措施", "step"),
    ("field.issuing_unit", "发文单位", "issuing unit"),
    ("field.attendees", "参加人员", "attendees"),
    ("field.responsible_person", "责任人", "responsible person"),
    (
        "field.deduction_points",
        "考核扣分",
        "assessment points deducted",
    ),
    ("field.proposal_id", "系统提示", "proposal"),
    ("field.outcome", "处理结果", "outcome"),
    ("field.problem_id", "问题", "problem"),
    (
        "reason.skips_the_ladder",
        "不能越级采取措施",
        "skips a rung of the ladder",
    ),
    (
        "reason.problem_closed",
        "问题已销号",
        "belongs to a closed problem",
    ),
    ("reason.not_a_referral", "不是移交措施", "is not a referral"),
    (
        "reason.not_an_open_proposal",
        "不是待处理的系统提示",
        "is not an open proposal",
    ),
    ("reason.unknown_step", "未知的措施", "is not a known step"),
    // Overdue Book 4 steps proposed on the ladder (issue 17).
    (
        "overdue_source.acceptance",
        "验收逾期（申请后逾期未组织县级验收）",
        "Acceptance overdue (not inspected by the county in time)",
    ),
    (
        "overdue_source.evaluation",
        "绩效评价逾期",
        "Performance evaluation overdue",
    ),
    (
        "reason.unknown_overdue_source",
        "未知的逾期事项",
        "is not a known kind of overdue step",
    ),
    ("field.decision", "决定", "decision"),
    (
        "reason.unknown_decision",
        "应为确认或不采取",
        "must be confirmed or dismissed",
    ),
    (
        "reason.not_on_the_project",
        "该问题不在此项目上",
        "is not a problem on this project",
    ),
    // The ladder on the Book 3 pages.
    ("problem.field.step", "措施", "Step"),
    ("problem.field.document_no", "文号", "Document number"),
    ("problem.field.issuing_unit", "发文单位", "Issuing unit"),
    (
        "problem.field.responsible_person",
        "责任人",
        "Responsible person",
    ),
    ("problem.field.content", "内容", "Content"),
    ("problem.field.attendees", "参加人员", "Attendees"),
    (
        "problem.field.deduction_points",
        "考核扣分",
        "Assessment points deducted",
    ),
    (
        "problem.due_steps",
        "按规则今日应采取的措施：",
        "Steps the rules make due today:",
    ),
    ("problem.take_step", "采取措施", "Take a step"),
    ("problem.proposals", "系统提示的措施", "Proposed steps"),
    (
        "problem.assessment_cost",
        "按本年度考核评分表，采取此措施将使本县考核总分减少 ",
        "By this year's assessment scheme, this step would take off the county's total ",
    ),
    ("problem.assessment_points", " 分", " points"),
    (
        "problem.assessment_per_point",
        "（通报每扣 1 分计）",
        " (for each point the criticism deducts)",
    ),
    ("problem.proposed_on", "提示于", "proposed on"),
    (
        "problem.confirm_proposal",
        "确认并采取措施",
        "Confirm and take the step",
    ),
    (
        "problem.dismiss_proposal",
        "不采取，说明理由",
        "Dismiss, with a reason",
    ),
    (
        "problem.awaiting_decision",
        "待有权限的单位决定",
        "Awaiting a decision by the competent unit",
    ),
    ("problem.decision.confirmed", "已确认", "Confirmed"),
    ("problem.decision.dismissed", "未采纳", "Dismissed"),
    (
        "problem.escalations",
        "已采取的措施",
        "Escalation steps taken",
    ),
    (
        "problem.no_escalations",
        "尚未采取措施。",
        "No steps taken yet.",
    ),
    (
        "problem.payments_suspended",
        "相关资金已暂停拨付，核实销号后恢复",
        "Payments suspended until the problem is verified and closed",
    ),
    ("problem.outcome", "处理结果", "Outcome"),
    (
        "problem.record_outcome",
        "登记处理结果",
        "Record the outcome",
    ),
    ("problem.print", "打印文书", "Print the document"),
    (
        "problem.document_no_hint",
        "如：云纪督〔2026〕3号",
        "e.g. 云纪督〔2026〕3号",
    ),
    (
        "problem.content_hint",
        "函件和通报批评须填写内容。",
        "Required for letters and informed criticism.",
    ),
    ("problem.for_interviews", "约谈填写", "For interviews"),
    (
        "problem.for_criticism",
        "通报批评填写",
        "For informed criticism",
    ),
    // Printable documents.
    (
        "letter.title.reminder_letter",
        "书面提醒函",
        "Written reminder",
    ),
    (
        "letter.title.supervision_letter",
        "督办函",
        "Supervision letter",
    ),
    (
        "letter.title.suggestion_letter",
        "建议函",
        "Letter of suggestion",
    ),
    (
        "letter.title.work_interview",
        "工作约谈记录",
        "Record of work interview",
    ),
    (
        "letter.title.warning_interview",
        "警示约谈记录",
        "Record of warning interview",
    ),
    (
        "letter.title.suspend_payment",
        "暂停资金拨付通知",
        "Notice of suspension of fund payment",
    ),
    (
        "letter.title.informed_criticism",
        "通报",
        "Circular of criticism",
    ),
    (
        "letter.title.discipline_referral",
        "问题线索移送函",
        "Letter of referral",
    ),
    (
        "letter.title.judicial_referral",
        "案件移送函",
        "Letter of referral to judicial organs",
    ),
    ("letter.colon", "：", ": "),
    (
        "letter.intro.letter",
        "经监督检查，发现你单位存在以下问题，现予函告：",
        "Supervision found the following problem in your unit:",
    ),
    (
        "letter.intro.interview",
        "因以下问题整改不力，对{addressee}有关负责同志进行约谈：",
        "The responsible officials of {addressee} were interviewed because the following problem was not rectified:",
    ),
    (
        "letter.intro.suspension",
        "因你单位以下问题未按期整改，决定暂停拨付相关扶贫资金：",
        "Because the following problem was not rectified in time, payment of the funds concerned is suspended:",
    ),
    (
        "letter.intro.criticism",
        "{addressee}以下问题未按要求整改，现予通报批评：",
        "{addressee} did not rectify the following problem as required and is hereby criticised:",
    ),
    (
        "letter.intro.referral",
        "现将{addressee}以下问题线索移送处理：",
        "The following problem of {addressee} is referred for handling:",
    ),
    (
        "letter.closing.letter",
        "请你单位高度重视，在整改时限内完成整改，并将整改情况书面报送{unit}。",
        "Complete the rectification within the deadline and report it in writing to {unit}.",
    ),
    (
        "letter.closing.interview",
        "约谈对象已知悉问题，承诺在新的整改时限内完成整改，逾期将按规定进一步处理。",
        "Those interviewed acknowledged the problem and undertook to rectify it by the new deadline; further steps follow if they do not.",
    ),
    (
        "letter.closing.suspension",
        "自即日起暂停拨付，待问题整改经核实销号后恢复。",
        "Payment is suspended from today and resumes once the rectification is verified and the problem closed.",
    ),
    (
        "letter.closing.criticism",
        "予以通报批评，年度考核扣 {points} 分。",
        "It is criticised in this circular and {points} points are deducted in the annual assessment.",
    ),
    (
        "letter.closing.referral",
        "请依规依纪依法处理，并将处理结果反馈{unit}。",
        "Handle it according to the rules and the law, and report the outcome to {unit}.",
    ),
    ("letter.problem", "问题", "Problem"),
    (
        "letter.overdue_note",
        "（截至发文之日已逾期 {n} 天）",
        "({n} days overdue on the date of this document)",
    ),
    ("letter.found_by", "发现于", "Found by"),
    ("letter.interview_date", "约谈时间", "Date of the interview"),
    ("letter.interviewee", "约谈对象", "Interviewed unit"),
    ("letter.unit_concerned", "涉及单位", "Unit concerned"),
    (
        "letter.signatures",
        "约谈人（签字）：　　　　　　被约谈人（签字）：",
        "Interviewer (signature):            Interviewee (signature):",
    ),
    (
        "letter.print_hint",
        "用浏览器的“打印”即可打印或存为 PDF（A4）。",
        "Use the browser's Print to print it or save it as PDF (A4).",
    ),
];
