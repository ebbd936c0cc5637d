"""Shapes only: domain rules live in monitoring.services."""

from __future__ import annotations

from rest_framework import serializers

from consortia.choices import KpiIndicator
from monitoring.indicators import unit_of
from monitoring.models import KpiReport, Milestone, MilestoneSubmission
from monitoring.selectors import format_achievement


class AwardMilestoneOut(serializers.ModelSerializer):
    award_title = serializers.CharField(source="award.title", read_only=True)

    class Meta:
        model = Milestone
        fields = [
            "id",
            "award",
            "award_title",
            "kind",
            "sequence",
            "title",
            "due_on",
            "state",
            "submitted_at",
            "decided_at",
        ]


class SubmissionOut(serializers.ModelSerializer):
    class Meta:
        model = MilestoneSubmission
        fields = ["id", "original_name", "content_type", "size", "note", "submitted_at"]


class SubmitIn(serializers.Serializer):
    file = serializers.FileField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class MonitoringReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class KpiReportOut(serializers.ModelSerializer):
    unit = serializers.SerializerMethodField()

    class Meta:
        model = KpiReport
        fields = [
            "id",
            "award",
            "indicator",
            "unit",
            "year",
            "calendar_year",
            "value",
            "evidence_name",
            "note",
            "state",
            "return_reason",
            "reported_at",
            "decided_at",
        ]

    def get_unit(self, obj) -> str:
        return unit_of(obj.indicator)


class KpiReportIn(serializers.Serializer):
    award = serializers.IntegerField()
    indicator = serializers.ChoiceField(choices=KpiIndicator.choices)
    year = serializers.IntegerField(min_value=1, max_value=10)
    value = serializers.IntegerField(min_value=0, max_value=10**15)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    evidence = serializers.FileField(required=False)


class RollupOut(serializers.Serializer):
    program_id = serializers.IntegerField()
    subject_id = serializers.IntegerField()
    subject = serializers.CharField()
    year = serializers.IntegerField()
    indicator = serializers.CharField()
    unit = serializers.SerializerMethodField()
    actual = serializers.IntegerField()
    target = serializers.IntegerField()
    achievement = serializers.SerializerMethodField()

    def get_unit(self, row) -> str:
        return unit_of(row["indicator"])

    def get_achievement(self, row) -> str:
        return format_achievement(row["achievement"])
