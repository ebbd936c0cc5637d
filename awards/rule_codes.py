"""The stable codes of the award rules a refusal names (`failures[].rule` in the error shape).

Integrations key on these codes (an enum in the API schema), so a code never changes meaning;
a new rule gets a new code. Each code is `<area>.<what>`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AwardRule(models.TextChoices):
    IDEMPOTENCY_KEY_REQUIRED = (
        "request.idempotency_key_required",
        _("Money requests carry an Idempotency-Key"),
    )
    STOP_NOT_PENDING = "stop.not_pending", _("Only a notified stop can be confirmed or withdrawn")
    STOP_OBJECTION_PERIOD_RUNNING = (
        "stop.objection_period_running",
        _("A stop is confirmed only after the objection period"),
    )
    STOP_OBJECTION_OPEN = "stop.objection_open", _("A stop waits for the answer to an open objection")
    STOP_REASON_REQUIRED = "stop.reason_required", _("Withdrawing a stop needs its reason")
    OBJECTION_PERIOD_OVER = "objection.period_over", _("An objection is filed within the objection period")
    OBJECTION_ALREADY_FILED = "objection.already_filed", _("One objection per stop notice")
    OBJECTION_TEXT_REQUIRED = "objection.text_required", _("An objection says what it objects to")
    OBJECTION_ALREADY_DECIDED = "objection.already_decided", _("An objection is decided once")
    OBJECTION_ANSWER_REQUIRED = "objection.answer_required", _("A decision on an objection needs its answer")
    OBJECTION_REVISED_GRADE = (
        "objection.revised_grade_invalid",
        _("An upheld objection names a grade of the program's scale that does not stop the award"),
    )
    AGREEMENT_AWARD_STOPPED = "agreement.award_stopped", _("A stopped award takes no agreement")
    AGREEMENT_TOO_LARGE = "agreement.too_large", _("The signed agreement is within the size limit")
    AGREEMENT_NOT_PDF = "agreement.not_pdf", _("The signed agreement is a PDF by its content")
    AGREEMENT_EXTENSION_MISMATCH = (
        "agreement.extension_mismatch",
        _("The file name's extension matches its content"),
    )
    AGREEMENT_SIGNED_ON = (
        "agreement.signed_on_out_of_range",
        _("Signed between the selection notice and today"),
    )
    LEDGER_REASON_REQUIRED = "ledger.reason_required", _("A reversal needs its reason")
    LEDGER_ALREADY_REVERSED = "ledger.already_reversed", _("An entry is reversed at most once")
    LEDGER_IS_REVERSAL = "ledger.is_reversal", _("A reversal is not reversed")
    LEDGER_REVERSAL_OVERDRAWS = (
        "ledger.reversal_overdraws",
        _("A reversal does not leave a tranche below what is committed"),
    )
    AMOUNT_NOT_POSITIVE = "amount.not_positive", _("An amount is one won or more")
    AWARD_STOPPED = "award.stopped", _("No money moves on a stopped award")
    AWARD_NOT_SELECTED = "award.application_not_selected", _("Only a selected application becomes an award")
    AWARD_EXISTS = "award.already_awarded", _("One award per application")
    AWARD_NO_BUDGET = "award.no_budget_plan", _("An award takes its tranches from the budget plan")
    AWARD_STAGES = "award.stages_invalid", _("Stages of whole years cover the plan, at most 10 years")
    DISBURSEMENT_ABOVE_REMAINING = "disbursement.above_remaining", _("Never above what the tranche has left")
    DISBURSEMENT_IN_KIND = "disbursement.in_kind", _("In-kind contributions are recorded, not paid")
    DISBURSEMENT_TRANCHE_CANCELLED = "disbursement.tranche_cancelled", _("No money on a cancelled tranche")
    DISBURSEMENT_NOT_RELEASED = (
        "disbursement.tranche_not_released",
        _("A tranche is paid once a grade releases it"),
    )
    DISBURSEMENT_FUTURE_YEAR = "disbursement.future_year", _("No money for a future year")
    DISBURSEMENT_NOT_REQUESTED = "disbursement.not_requested", _("Only a requested disbursement is approved")
    PAYMENT_REFERENCE_REQUIRED = "payment.reference_required", _("A payment records its reference")
    PAYMENT_IN_FUTURE = "payment.dated_in_future", _("A payment is not dated in the future")
    DISBURSEMENT_NOT_APPROVED = "disbursement.not_approved", _("Only an approved disbursement is paid")
    DISBURSEMENT_REASON_REQUIRED = "disbursement.reason_required", _("A rejection gives its reason")
    DISBURSEMENT_NOT_REJECTABLE = (
        "disbursement.not_rejectable",
        _("Only a requested or approved disbursement is rejected"),
    )
    GRADE_AWARD_STOPPED = "grade.award_stopped", _("A stopped award is not graded")
    GRADE_YEAR_OUTSIDE = "grade.year_outside_award", _("A grade's year lies within the award")
    GRADE_KIND_UNKNOWN = "grade.kind_unknown", _("An annual or a stage evaluation")
    GRADE_STAGE_YEAR = "grade.stage_year", _("A stage evaluation grades the stage's last year")
    GRADE_NOT_ON_SCALE = "grade.not_on_scale", _("A grade of the program's scale")
    GRADE_ALREADY_GRADED = "grade.already_graded", _("One grade per year")
    GRADE_ORDER = "grade.earlier_years_first", _("Years are graded in order")
    CHANGE_AWARD_STOPPED = "change.award_stopped", _("A stopped award takes no change")
    CHANGE_INVALID = "change.invalid", _("An award change whose items hold")
    CHANGE_NOT_PENDING = "change.not_pending", _("Only a change awaiting approval is decided")
    CHANGE_REASON_REQUIRED = "change.reason_required", _("A rejected change gives its reason")
    CHANGE_BUDGET_MOVE = "change.budget_move_invalid", _("Budget moves within one year and source")
    CHANGE_ABOVE_REMAINING = "change.above_remaining", _("A change takes at most what a tranche has left")
    CARRY_OVER_NO_NEXT_YEAR = "carry_over.no_next_year", _("A carry-over goes to the next year's tranche")
    CARRY_OVER_LIMIT = "carry_over.above_limit", _("Carry-over within the program's limit")
    SETTLEMENT_AMOUNT = "settlement.amount_invalid", _("Unspent amounts in whole won, zero or more")
    SETTLEMENT_ALREADY_IN = "settlement.already_submitted", _("A settlement report is submitted once")
    RECOVERY_REASON_REQUIRED = "recovery.reason_required", _("A recovery gives its reason")
    RECOVERY_ABOVE_PAID = "recovery.above_paid", _("At most what was paid is recovered")
    RECOVERY_ALREADY_PAID = "recovery.already_paid", _("A recovery is paid once")
