//! Segregation of duties ("four eyes"): a control step is never taken by the person whose step it
//! controls. Each control names the step it controls, who may not take it, and where the rule
//! comes from; the store enforces them on every write, so the API and the pages obey alike.
//!
//! Sources: the Ministry of Finance's 行政事业单位内部控制规范（试行）(财会〔2012〕21号) art. 12
//! (incompatible posts separated: approval and execution, execution and supervision, custody and
//! recording), and the seed's §3A: the county bureau urges rectification, the inspectors verify it,
//! and payment is suspended until it is verified.
use crate::error::DomainError;
use crate::keyed::keyed;

keyed!(
    /// A control step and the step it controls.
    Control, "control", "unknown_control" {
        /// Verifying or rejecting a rectification controls its submission.
        VerifyRectification => "verify_rectification",
        /// Confirming receipt of an appropriation controls its dispatch.
        ConfirmReceipt => "confirm_receipt",
        /// Lifting a suspension the escalation ladder booked controls the problem's rectification.
        LiftLadderSuspension => "lift_ladder_suspension",
        /// The township's approval of a declaration controls the declaration (or its revision).
        TownshipApproval => "township_approval",
        /// The county's approval controls the township's.
        CountyApproval => "county_approval",
        /// Publishing a notice controls its drafting: the one who wrote it does not publish it.
        PublishNotice => "publish_notice",
        /// Confirming that a notice was put up controls the record of its posting.
        ConfirmPosting => "confirm_posting",
        /// The township's preliminary check of an acceptance: not by its applicant.
        PrecheckAcceptance => "precheck_acceptance",
        /// Accepting a project: not by the team member who recorded its inspection.
        AcceptProject => "accept_project",
        /// Disposing of a project asset controls its registration: the one who registered it does
        /// not approve its disposal.
        DisposeAsset => "dispose_asset",
        /// Reviewing a performance evaluation: not by the one who recorded its values.
        ReviewEvaluation => "review_evaluation",
        /// A complaint's review or re-review is answered by someone other than the one who gave
        /// the answer reviewed (《信访工作条例》: the review is the next level's).
        ReviewComplaint => "review_complaint",
        /// Publishing an assessment round: not by the one who reviewed it (the review controls
        /// the scores; the publication controls the review).
        PublishAssessment => "publish_assessment",
    }
);

impl Control {
    /// The step this control step controls (its actor may not take the control).
    pub fn controls(self) -> &'static str {
        match self {
            Control::VerifyRectification => "submit",
            Control::ConfirmReceipt => "appropriate",
            Control::LiftLadderSuspension => "suspension",
            Control::TownshipApproval => "declare",
            Control::CountyApproval => "township_approve",
            Control::PublishNotice => "draft",
            Control::ConfirmPosting => "post",
            Control::PrecheckAcceptance => "apply",
            Control::AcceptProject => "inspect",
            Control::DisposeAsset => "register_asset",
            Control::ReviewEvaluation => "record",
            Control::ReviewComplaint => "answer",
            Control::PublishAssessment => "review",
        }
    }

    /// The refusal's reason code, naming the rule (`reason.<code>` in the catalogue).
    pub fn refusal(self) -> &'static str {
        match self {
            Control::VerifyRectification => "submitter_may_not_verify",
            Control::ConfirmReceipt => "sender_may_not_confirm",
            Control::LiftLadderSuspension => "ladder_suspension_lifts_on_verification",
            Control::TownshipApproval => "declarer_may_not_approve",
            Control::CountyApproval => "township_approver_may_not_approve",
            Control::PublishNotice => "drafter_may_not_publish",
            Control::ConfirmPosting => "poster_may_not_confirm",
            Control::PrecheckAcceptance => "applicant_may_not_precheck",
            Control::AcceptProject => "inspector_may_not_accept",
            Control::DisposeAsset => "registrar_may_not_dispose",
            Control::ReviewEvaluation => "recorder_may_not_review",
            Control::ReviewComplaint => "answerer_may_not_review",
            Control::PublishAssessment => "reviewer_may_not_publish",
        }
    }

    /// Where the rule comes from.
    pub fn source(self) -> &'static str {
        match self {
            Control::LiftLadderSuspension => {
                "seed §4 (suspend payment until rectified); 财会〔2012〕21号 art. 12"
            }
            Control::ConfirmPosting => {
                "seed §3B (mass participation in supervision); 村务监督委员会 (村民委员会组织法 art. 32)"
            }
            _ => "财会〔2012〕21号 art. 12 (incompatible posts separated)",
        }
    }

    /// Refuses `actor` when they took the controlled step (`earlier`). Steps without a person
    /// (imports, the server's own proposals) control nothing.
    pub fn check(self, earlier: Option<i64>, actor: Option<i64>) -> Result<(), DomainError> {
        match (earlier, actor) {
            // The reason names the rule in words; no key or code is shown beside it.
            (Some(e), Some(a)) if e == a => Err(DomainError::invalid("actor", self.refusal(), "")),
            _ => Ok(()),
        }
    }
}

/// Receipt is confirmed at the receiving level: by someone whose own unit is the region that
/// received the money, not by a level above it (which sent it). `units` are the regions the
/// actor holds roles on.
pub fn check_receiving_level<'a>(
    receiving: &str,
    mut units: impl Iterator<Item = &'a str>,
) -> Result<(), DomainError> {
    if units.any(|u| u == receiving) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "actor",
            "only_receiving_level_confirms",
            "",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_control_names_its_step_rule_and_source() {
        for c in Control::ALL {
            assert!(!c.controls().is_empty());
            assert!(c.refusal().len() > 10);
            assert!(c.source().contains("21号") || c.source().contains("seed"));
            assert_eq!(Control::parse(c.key()), Ok(*c));
        }
    }

    proptest! {
        /// The one who took the controlled step is refused, naming the rule; anyone else, and
        /// steps without a person, pass.
        #[test]
        fn the_earlier_actor_is_refused(c in 0..Control::ALL.len(), e in 1i64..50, a in 1i64..50) {
            let c = Control::ALL.get(c).copied().unwrap_or(Control::ConfirmReceipt);
            let r = c.check(Some(e), Some(a));
            if e == a {
                prop_assert_eq!(r, Err(DomainError::invalid("actor", c.refusal(), "")));
            } else {
                prop_assert!(r.is_ok());
            }
            prop_assert!(c.check(None, Some(a)).is_ok());
            prop_assert!(c.check(Some(e), None).is_ok());
        }
    }

    #[test]
    fn receipt_is_confirmed_at_the_receiving_level() {
        let township = "529121100000";
        assert!(check_receiving_level(township, ["529121000000"].into_iter()).is_err());
        assert!(check_receiving_level(township, ["529121100201"].into_iter()).is_err());
        assert!(check_receiving_level(township, ["529121000000", township].into_iter()).is_ok());
    }
}
