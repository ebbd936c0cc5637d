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
