"""The stable codes of the call's rules: every refusal and every rule-check failure names one.

Integrations key on these codes (they are an enum in the API schema), so a code never changes
meaning; a new rule gets a new code. Each code is `<area>.<what>`; the area is the section of
the application the failure belongs to.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleCode(models.TextChoices):
    CALL_CLOSED = "call.closed", _("The call is not open at this instant")
    CALL_TRACK_MISMATCH = "call.track_mismatch", _("The track is not a track of the call")
    CALL_FIRST_STAGE_REQUIRED = "call.first_stage_required", _("Only consortia selected in the first stage")
    CALL_DUPLICATE = "call.duplicate_application", _("One live application per consortium and call")
    LEAD_REPRESENTATIVE = "lead.representative_not_lead", _("The representative is a lead member")
    LEAD_NOT_LOCAL_GOVERNMENT = "lead.not_local_government", _("A lead member is a local government")
    LEAD_PROVINCE_ENDED = "lead.province_ended", _("A lead's province is not in force on the opening date")
    LEAD_REGION_INELIGIBLE = "lead.region_ineligible", _("A lead's province is not eligible")
    LEAD_MIN_PROVINCES = "lead.min_provinces", _("The track's minimum number of provinces")
    SLOT_PROVINCE_TAKEN = "slot.province_taken", _("One application per province and track")
    MEMBERS_LEAD_INSTITUTION = "members.lead_institution", _("Exactly one lead institution")
    MEMBERS_MIN_TYPE = "members.min_type", _("Member-type minimums of the call")
    MEMBERS_BUSINESS_NUMBER = "members.business_number", _("A firm's business number is valid")
    BUDGET_EMPTY = "budget.empty", _("The budget plan is not empty")
    BUDGET_DURATION = "budget.duration", _("Budget years within the track's duration")
    BUDGET_CAP = "budget.cap", _("The track's cap on national money per year")
    MATCHING_LOCAL_SHARE = "matching.local_share", _("Local matching cash share")
    MATCHING_PRIVATE_SHARE = "matching.private_share", _("Private matching share")
    MATCHING_IN_KIND_CAP = "matching.in_kind_cap", _("Cap on in-kind matching")
    MATCHING_OTHER = "matching.ratio", _("Another matching ratio of the call")
    COST_SHARE_GOVERNMENT = (
        "cost_share.government_share",
        _("A firm's government share within its size's rate"),
    )
    COST_SHARE_OWN_CASH = "cost_share.own_cash", _("A firm's own share in cash at least its size's rate")
    PEOPLE_DIRECTOR = "people.director_missing", _("A project director is named")
    CONCURRENCY_LIMIT = "concurrency.limit", _("At most N projects at once per researcher (3책5공)")
    CONCURRENCY_LEAD_LIMIT = (
        "concurrency.lead_limit",
        _("At most N projects at once as PI"),
    )
    KPIS_YEAR = "kpis.year_missing", _("At least one KPI target in each plan year")
    MILESTONES_YEAR = "milestones.year_missing", _("Milestones in each plan year")
    DOCUMENTS_MISSING = "documents.missing", _("The documents the call requires")


def matching_code(rule) -> str:
    """A matching rule's code, from what it compares (the rules are data of the call)."""
    numerator, lte = set(rule.numerator_sources), rule.comparison == "lte"
    if numerator == {"local_cash"} and not lte:
        return RuleCode.MATCHING_LOCAL_SHARE
    if numerator == {"private_in_kind"} and lte:
        return RuleCode.MATCHING_IN_KIND_CAP
    if numerator and numerator <= {"private_cash", "private_in_kind"} and not lte:
        return RuleCode.MATCHING_PRIVATE_SHARE
    return RuleCode.MATCHING_OTHER
