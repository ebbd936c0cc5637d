"""Shapes only: the rules live in evaluations.services."""

from __future__ import annotations

from rest_framework import serializers

from evaluations import aggregation
from evaluations.models import (
    AssignmentRun,
    BonusItem,
    Conflict,
    Criterion,
    CriterionScore,
    Objection,
    Panel,
    Result,
    Score,
    Waiver,
)


class CriterionOut(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["code", "name", "max_points", "order"]


class BonusItemOut(serializers.ModelSerializer):
    class Meta:
        model = BonusItem
        fields = ["code", "name", "max_points"]


class PanelOut(serializers.ModelSerializer):
    call = serializers.IntegerField(source="call_id")
    track = serializers.CharField(source="track.code")
    region = serializers.CharField(source="region.code", default=None)
    criteria = CriterionOut(many=True)
    bonus_items = BonusItemOut(many=True)
    tie_break = serializers.CharField(source="tie_break_criterion.code", default=None)

    class Meta:
        model = Panel
        fields = [
            "id",
            "call",
            "track",
            "region",
            "stage",
            "name",
            "aggregation",
            "cutoff_score",
            "cutoff_before_bonus",
            "bonus_cap",
            "tie_break",
            "reviewers_per_application",
            "max_per_reviewer",
            "min_per_reviewer",
            "opens_at",
            "closes_at",
            "closed_at",
            "disclose_reviewer_names",
            "disagreement_threshold",
            "conflict_same_institution",
            "conflict_window_years",
            "conflict_lead_province",
            "criteria",
            "bonus_items",
            "selection_confirmed_at",
            "results_notified_at",
        ]


class RubricRowIn(serializers.Serializer):
    code = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=120, required=False)
    max_points = serializers.DecimalField(max_digits=6, decimal_places=2)


class PanelIn(serializers.Serializer):
    call = serializers.IntegerField()
    track = serializers.SlugField(max_length=40, help_text="The track's code in the call.")
    region = serializers.SlugField(
        max_length=40, required=False, allow_null=True, help_text="A region code of the call's scheme."
    )
    stage = serializers.ChoiceField(choices=Panel.Stage.choices, default=Panel.Stage.WRITTEN)
    name = serializers.CharField(max_length=160)
    aggregation = serializers.ChoiceField(
        choices=Panel.Aggregation.choices, default=Panel.Aggregation.TRIMMED_MEAN
    )
    cutoff_score = serializers.DecimalField(max_digits=6, decimal_places=2, required=False)
    cutoff_before_bonus = serializers.BooleanField(default=True)
    bonus_cap = serializers.DecimalField(max_digits=6, decimal_places=2, default=0)
    tie_break = serializers.SlugField(max_length=40, required=False, allow_null=True)
    reviewers_per_application = serializers.IntegerField(min_value=1, max_value=50, default=5)
    max_per_reviewer = serializers.IntegerField(min_value=1, max_value=500, default=15)
    min_per_reviewer = serializers.IntegerField(min_value=0, max_value=500, default=0)
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    disclose_reviewer_names = serializers.BooleanField(default=True)
    conflict_same_institution = serializers.BooleanField(default=False)
    conflict_window_years = serializers.IntegerField(min_value=0, max_value=20, default=3)
    conflict_lead_province = serializers.BooleanField(default=False)
    criteria = RubricRowIn(many=True, max_length=30)
    bonus_items = RubricRowIn(many=True, required=False, default=list, max_length=30)


class PanelMemberIn(serializers.Serializer):
    reviewer = serializers.IntegerField()
    is_chair = serializers.BooleanField(default=False)


class ConflictOut(serializers.ModelSerializer):
    reviewer_name = serializers.CharField(source="reviewer.__str__")
    waived = serializers.BooleanField()

    class Meta:
        model = Conflict
        fields = ["id", "application", "reviewer", "reviewer_name", "kind", "detail", "waived", "found_at"]


class WaiverIn(serializers.Serializer):
    application = serializers.IntegerField()
    reviewer = serializers.IntegerField()
    reason = serializers.CharField(max_length=2000)


class WaiverOut(serializers.ModelSerializer):
    class Meta:
        model = Waiver
        fields = ["id", "application", "reviewer", "reason", "decided_by", "decided_at"]


class AssignmentIn(serializers.Serializer):
    application = serializers.IntegerField()
    reviewer = serializers.IntegerField()


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class AssignmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    panel = serializers.IntegerField(source="panel_id")
    application = serializers.IntegerField(source="application_id")
    reviewer = serializers.IntegerField(source="reviewer_id")
    withdrawn_at = serializers.DateTimeField()


class RunOut(serializers.ModelSerializer):
    class Meta:
        model = AssignmentRun
        fields = [
            "id",
            "panel",
            "state",
            "progress",
            "message",
            "proposal",
            "explanation",
            "created_at",
            "finished_at",
            "applied_at",
        ]


class CriterionScoreOut(serializers.ModelSerializer):
    criterion = serializers.CharField(source="criterion.code")

    class Meta:
        model = CriterionScore
        fields = ["criterion", "points", "comment"]


class ScoreOut(serializers.ModelSerializer):
    application = serializers.IntegerField(source="assignment.application_id")
    reviewer = serializers.IntegerField(source="assignment.reviewer_id")
    reviewer_name = serializers.CharField(source="assignment.reviewer.__str__")
    items = CriterionScoreOut(many=True)

    class Meta:
        model = Score
        fields = [
            "id",
            "application",
            "reviewer",
            "reviewer_name",
            "state",
            "total",
            "comment",
            "items",
            "submitted_at",
        ]


class ScoreIn(serializers.Serializer):
    points = serializers.DictField(child=serializers.CharField(max_length=20, allow_blank=True))
    comments = serializers.DictField(
        child=serializers.CharField(max_length=2000, allow_blank=True), required=False, default=dict
    )
    comment = serializers.CharField(max_length=4000, required=False, default="", allow_blank=True)


class DeclareIn(serializers.Serializer):
    reason = serializers.CharField(max_length=400)


def _d(value):
    return None if value is None else str(aggregation.display(value))


def result_row(r: aggregation.ApplicationResult) -> dict:
    region = r.extra["region"]
    return {
        "application": r.application_id,
        "title": r.extra["application"].title,
        "region": region.code if region else None,
        "rank": r.rank,
        "totals": [_d(t) for t in r.totals],
        "score": _d(r.score),
        "dropped": [_d(x) for x in r.dropped] if r.dropped else None,
        "bonus": _d(r.bonus),
        "final": _d(r.final),
        "normalised": None if r.normalised is None else round(r.normalised, 3),
        "spread": _d(r.spread),
        "flagged": r.flagged,
        "passes": r.passes,
    }


class ResultRowOut(serializers.Serializer):
    application = serializers.IntegerField()
    title = serializers.CharField()
    region = serializers.CharField(allow_null=True)
    rank = serializers.IntegerField()
    totals = serializers.ListField(child=serializers.CharField())
    score = serializers.CharField(
        allow_null=True, help_text="Aggregated, before the bonus; two decimals half-up."
    )
    dropped = serializers.ListField(child=serializers.CharField(), allow_null=True)
    bonus = serializers.CharField()
    final = serializers.CharField(allow_null=True)
    normalised = serializers.FloatField(allow_null=True, help_text="Mean per-reviewer z-score, shown beside.")
    spread = serializers.CharField(allow_null=True)
    flagged = serializers.BooleanField()
    passes = serializers.BooleanField()
    proposed = serializers.BooleanField(required=False)
    selected = serializers.BooleanField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True)


class SelectionIn(serializers.Serializer):
    selected = serializers.ListField(child=serializers.IntegerField(), max_length=1000)
    reasons = serializers.DictField(
        child=serializers.CharField(max_length=2000, allow_blank=True), required=False, default=dict
    )


class ObjectionOut(serializers.ModelSerializer):
    class Meta:
        model = Objection
        fields = ["id", "result", "text", "filed_at", "answer_due", "answer", "upheld", "answered_at"]


class ResultOut(serializers.ModelSerializer):
    panel_name = serializers.CharField(source="panel.name")
    objections = ObjectionOut(many=True)

    class Meta:
        model = Result
        fields = [
            "id",
            "panel",
            "panel_name",
            "application",
            "notified_at",
            "objection_due",
            "agreement_due",
            "revision_due",
            "objections",
        ]


class ObjectionIn(serializers.Serializer):
    text = serializers.CharField(max_length=4000)


class AnswerIn(serializers.Serializer):
    answer = serializers.CharField(max_length=4000)
    upheld = serializers.BooleanField()
