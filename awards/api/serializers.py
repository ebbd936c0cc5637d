"""Shapes only: domain rules live in awards.services."""

from __future__ import annotations

from rest_framework import serializers

from awards.models import (
    Award,
    AwardChange,
    AwardChangeItem,
    AwardMember,
    AwardStage,
    CarryOver,
    Disbursement,
    Grade,
    LedgerEntry,
    Recovery,
    StopObjection,
    Tranche,
)
from awards.rule_codes import AwardRule
from config.schema import ErrorOut
from programs.money import format_krw


class TrancheOut(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", default="", read_only=True)
    budget_krw = serializers.IntegerField(read_only=True)
    pending_krw = serializers.IntegerField(read_only=True)
    approved_krw = serializers.IntegerField(read_only=True)
    paid_krw = serializers.IntegerField(read_only=True)
    recovered_krw = serializers.IntegerField(read_only=True)
    remaining_krw = serializers.IntegerField(read_only=True)
    remaining_display = serializers.SerializerMethodField()

    class Meta:
        model = Tranche
        fields = [
            "id",
            "year",
            "fiscal_year",
            "source",
            "line",
            "member",
            "member_name",
            "released_on",
            "cancelled_on",
            "budget_krw",
            "pending_krw",
            "approved_krw",
            "paid_krw",
            "recovered_krw",
            "remaining_krw",
            "remaining_display",
        ]

    def get_remaining_display(self, obj) -> str:
        return format_krw(obj.remaining_krw)


class StageOut(serializers.ModelSerializer):
    last_year = serializers.IntegerField(read_only=True)

    class Meta:
        model = AwardStage
        fields = [
            "id",
            "number",
            "first_year",
            "last_year",
            "years",
            "starts_on",
            "ends_on",
            "settlement_due_on",
            "settlement_submitted_on",
            "settlement_unspent_krw",
        ]


class AwardMemberOut(serializers.ModelSerializer):
    province = serializers.CharField(source="province.name", read_only=True)

    class Meta:
        model = AwardMember
        fields = ["id", "organisation", "name", "role", "province", "active"]


class AwardOut(serializers.ModelSerializer):
    program = serializers.CharField(source="program.code", read_only=True)
    consortium_name = serializers.CharField(source="consortium.name", read_only=True)
    lead_province = serializers.CharField(source="lead_province.name", read_only=True)
    budget_krw = serializers.IntegerField(read_only=True)
    paid_krw = serializers.IntegerField(read_only=True)
    remaining_krw = serializers.IntegerField(read_only=True)

    class Meta:
        model = Award
        fields = [
            "id",
            "application",
            "program",
            "call",
            "track",
            "consortium",
            "consortium_name",
            "lead_province",
            "title",
            "state",
            "selection_notified_on",
            "agreement_due_on",
            "signed_on",
            "starts_on",
            "ends_on",
            "stop_notified_on",
            "objection_due_on",
            "stopped_on",
            "budget_krw",
            "paid_krw",
            "remaining_krw",
        ]


class AwardDetailOut(AwardOut):
    stages = StageOut(many=True, read_only=True)
    members = AwardMemberOut(many=True, read_only=True)
    provinces = serializers.SerializerMethodField()
    tranches = serializers.SerializerMethodField()
    years = serializers.SerializerMethodField()

    class Meta(AwardOut.Meta):
        fields = [*AwardOut.Meta.fields, "stages", "members", "provinces", "tranches", "years"]

    def get_provinces(self, obj) -> list[dict]:
        return [
            {"code": p.province.code, "name": p.province.name, "is_lead": p.is_lead}
            for p in obj.provinces.select_related("province")
        ]

    def get_tranches(self, obj) -> list[dict]:
        return TrancheOut(self.context["tranches"], many=True).data

    def get_years(self, obj) -> list[dict]:
        return self.context["years"]


class DisbursementOut(serializers.ModelSerializer):
    tranche_label = serializers.CharField(source="tranche.__str__", read_only=True)

    class Meta:
        model = Disbursement
        fields = [
            "id",
            "tranche",
            "tranche_label",
            "amount_krw",
            "state",
            "note",
            "requested_at",
            "approved_at",
            "paid_on",
            "reference",
            "rejected_reason",
        ]


class LedgerEntryOut(serializers.ModelSerializer):
    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "tranche",
            "kind",
            "bucket",
            "amount_krw",
            "disbursement",
            "grade",
            "reverses",
            "reason",
            "at",
        ]


class GradeOut(serializers.ModelSerializer):
    class Meta:
        model = Grade
        fields = ["id", "kind", "year", "code", "change_percent", "stops", "decision", "decided_at"]


class ChangeItemOut(serializers.ModelSerializer):
    class Meta:
        model = AwardChangeItem
        fields = [
            "id",
            "kind",
            "needs_approval",
            "from_tranche",
            "to_tranche",
            "amount_krw",
            "increases_indirect_costs",
            "new_ends_on",
            "organisation",
            "member",
            "description",
        ]


class ChangeOut(serializers.ModelSerializer):
    items = ChangeItemOut(many=True, read_only=True)

    class Meta:
        model = AwardChange
        fields = ["id", "state", "reason", "filed_at", "decided_at", "decision_reason", "items"]


class CarryOverOut(serializers.ModelSerializer):
    class Meta:
        model = CarryOver
        fields = ["id", "from_tranche", "to_tranche", "amount_krw", "reason", "decided_at"]


class RecoveryOut(serializers.ModelSerializer):
    class Meta:
        model = Recovery
        fields = [
            "id",
            "tranche",
            "amount_krw",
            "reason",
            "state",
            "notified_on",
            "due_on",
            "demand_notified_on",
            "demand_due_on",
            "paid_on",
        ]


class StopObjectionOut(serializers.ModelSerializer):
    grade_year = serializers.IntegerField(source="grade.year", read_only=True)

    class Meta:
        model = StopObjection
        fields = [
            "id",
            "award",
            "grade",
            "grade_year",
            "original_code",
            "state",
            "text",
            "filed_on",
            "filed_at",
            "revised_code",
            "answer",
            "decided_at",
        ]


class AwardFailureOut(serializers.Serializer):
    rule = serializers.ChoiceField(choices=AwardRule.choices, help_text="The stable code of the rule broken.")
    field = serializers.CharField()
    message = serializers.CharField()


class AwardRefusalOut(ErrorOut):
    """A refusal by an award rule: the error shape plus the failure with its rule code."""

    failures = AwardFailureOut(many=True, required=False)


# --- input ---------------------------------------------------------------------------------------


class Krw(serializers.IntegerField):
    """Whole won only: a JSON float, a string or a boolean is refused by shape, and so is an
    amount beyond a quadrillion won (no overflow reaches the database)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_value", 10**15)
        kwargs.setdefault("min_value", -(10**15))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class AwardIn(serializers.Serializer):
    application = serializers.IntegerField()
    notified_on = serializers.DateField()
    starts_on = serializers.DateField(required=False)
    stage_years = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=10), required=False
    )


class DisbursementIn(serializers.Serializer):
    tranche = serializers.IntegerField()
    amount_krw = Krw()
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class PayIn(serializers.Serializer):
    paid_on = serializers.DateField()
    reference = serializers.CharField(max_length=80)


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class GradeIn(serializers.Serializer):
    year = serializers.IntegerField()
    code = serializers.CharField(max_length=10)
    kind = serializers.ChoiceField(choices=Grade.Kind.choices, default=Grade.Kind.ANNUAL)
    decision = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class StopIn(serializers.Serializer):
    action = serializers.ChoiceField(choices=["confirm", "resume"])
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ChangeItemIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AwardChangeItem.Kind.choices)
    from_tranche = serializers.IntegerField(required=False)
    to_tranche = serializers.IntegerField(required=False)
    amount_krw = Krw(required=False)
    increases_indirect_costs = serializers.BooleanField(required=False, default=False)
    new_ends_on = serializers.DateField(required=False)
    organisation = serializers.IntegerField(required=False)
    member = serializers.IntegerField(required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ChangeIn(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)
    items = ChangeItemIn(many=True)


class AwardDecideIn(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class CarryOverIn(serializers.Serializer):
    from_tranche = serializers.IntegerField()
    amount_krw = Krw()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class RecoveryIn(serializers.Serializer):
    tranche = serializers.IntegerField()
    amount_krw = Krw()
    reason = serializers.CharField(max_length=2000)
    notified_on = serializers.DateField(required=False)


class RecoveryPayIn(serializers.Serializer):
    paid_on = serializers.DateField()


class SettlementIn(serializers.Serializer):
    unspent_krw = Krw()


class StopObjectionIn(serializers.Serializer):
    text = serializers.CharField(max_length=4000)


class StopObjectionDecideIn(serializers.Serializer):
    upheld = serializers.BooleanField()
    answer = serializers.CharField(max_length=4000)
    revised_code = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=10,
        default="",
        help_text="Upheld only: the grade of the program's scale that replaces the stop grade.",
    )


class AgreementIn(serializers.Serializer):
    file = serializers.FileField(help_text="The signed agreement: a PDF by its content, named .pdf.")
    signed_on = serializers.DateField()


class ReverseIn(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
