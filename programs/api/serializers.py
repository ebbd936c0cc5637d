"""Shapes only: domain rules live in programs.services."""

from rest_framework import serializers

from programs.models import (
    Call,
    MatchingRule,
    MemberTypeRequirement,
    Program,
    Province,
    Region,
    RegionScheme,
    Track,
)
from programs.selectors import eligible_provinces


class ProvinceOut(serializers.ModelSerializer):
    successors = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Province
        fields = ["id", "code", "name", "name_en", "effective_from", "effective_to", "successors"]


class RegionOut(serializers.ModelSerializer):
    provinces = ProvinceOut(many=True, read_only=True)

    class Meta:
        model = Region
        fields = ["id", "code", "name", "name_en", "is_capital_area", "provinces"]


class RegionSchemeOut(serializers.ModelSerializer):
    regions = RegionOut(many=True, read_only=True)

    class Meta:
        model = RegionScheme
        fields = ["id", "name", "name_en", "is_default", "regions"]


class ProgramOut(serializers.ModelSerializer):
    class Meta:
        model = Program
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "ministry",
            "description",
            "max_concurrent_projects",
            "max_concurrent_lead",
            "max_concurrent_projects_foreign",
            "max_concurrent_lead_foreign",
            "concurrency_grace_months",
        ]


class TrackIO(serializers.ModelSerializer):
    class Meta:
        model = Track
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "national_cap_per_year_krw",
            "duration_years",
            "min_provinces",
            "quota_per_region",
        ]
        read_only_fields = ["id"]
        # Uniqueness within the call is the service's check (the call may not exist yet).
        validators = []


class MatchingRuleIO(serializers.ModelSerializer):
    description = serializers.CharField(source="describe", read_only=True)

    class Meta:
        model = MatchingRule
        exclude = ["call"]
        read_only_fields = ["id"]
        validators = []


class MemberRequirementIO(serializers.ModelSerializer):
    class Meta:
        model = MemberTypeRequirement
        fields = ["id", "organisation_type", "min_count"]
        read_only_fields = ["id"]
        validators = []


class CallIO(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    program = serializers.PrimaryKeyRelatedField(queryset=Program.objects.all())
    region_scheme = serializers.PrimaryKeyRelatedField(queryset=RegionScheme.objects.all())
    parent = serializers.PrimaryKeyRelatedField(queryset=Call.objects.all(), allow_null=True, required=False)
    eligible_regions = serializers.PrimaryKeyRelatedField(many=True, queryset=Region.objects.all())
    eligible_provinces = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Province.objects.all(), required=False
    )
    provinces_in_force = serializers.SerializerMethodField()
    tracks = TrackIO(many=True)
    matching_rules = MatchingRuleIO(many=True, required=False)
    member_requirements = MemberRequirementIO(many=True, required=False)
    guideline_url = serializers.SerializerMethodField()

    class Meta:
        model = Call
        fields = [
            "id",
            "program",
            "year",
            "title",
            "title_en",
            "description",
            "opens_at",
            "closes_at",
            "status",
            "stage",
            "parent",
            "region_scheme",
            "eligible_regions",
            "eligible_provinces",
            "provinces_in_force",
            "cutoff_score",
            "enforce_concurrency_limit",
            "tracks",
            "matching_rules",
            "member_requirements",
            "guideline_url",
        ]

    def get_provinces_in_force(self, call: Call) -> list[str]:
        return [p.code for p in eligible_provinces(call)]

    def get_guideline_url(self, call: Call) -> str | None:
        if not call.guideline:
            return None
        return f"/calls/{call.pk}/guideline/"


class GuidelineIn(serializers.Serializer):
    guideline = serializers.FileField()
