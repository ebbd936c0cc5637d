"""Shapes only: domain rules live in programs.services.

The contract names things by stable codes: provinces by administrative code ("12"), regions by
their code within the call's scheme ("honam"), programs, calls and tracks by their codes. Row ids
may appear in output but are never the only way to name a thing.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from consortia.choices import REQUIREMENT_TYPE_CHOICES, DocumentKind
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
    successors = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

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
    organisation_type = serializers.ChoiceField(
        choices=REQUIREMENT_TYPE_CHOICES, help_text="One organisation type, or a group (any_firm …)."
    )

    class Meta:
        model = MemberTypeRequirement
        fields = ["id", "organisation_type", "min_count"]
        read_only_fields = ["id"]
        validators = []


class CodeListField(serializers.ListField):
    """Codes in, codes out: a list of related rows shown by their `code`."""

    child = serializers.CharField(max_length=40)

    def to_representation(self, data) -> list[str]:
        return [o.code for o in data.all()] if hasattr(data, "all") else [getattr(o, "code", o) for o in data]


class KindListField(serializers.ListField):
    def to_representation(self, data) -> list[str]:
        return sorted(d.kind for d in data.all())


class CallIO(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    program = serializers.SlugRelatedField(slug_field="code", queryset=Program.objects.all())
    region_scheme = serializers.PrimaryKeyRelatedField(
        queryset=RegionScheme.objects.all(), required=False, help_text="Default: the default scheme (5+2)."
    )
    parent = serializers.SlugRelatedField(
        slug_field="code", queryset=Call.objects.all(), allow_null=True, required=False
    )
    eligible_regions = CodeListField(help_text='Region codes of the call\'s scheme, e.g. ["honam"].')
    eligible_provinces = CodeListField(
        required=False,
        help_text='Administrative codes in force on the opening date, e.g. ["12"]. Empty: every '
        "province of the eligible regions.",
    )
    required_documents = KindListField(
        child=serializers.ChoiceField(choices=DocumentKind.choices),
        required=False,
        help_text="The document kinds every application must carry.",
    )
    first_budget_year = serializers.IntegerField(read_only=True)
    provinces_in_force = serializers.SerializerMethodField()
    tracks = TrackIO(many=True)
    matching_rules = MatchingRuleIO(many=True, required=False)
    member_requirements = MemberRequirementIO(many=True, required=False)
    guideline_url = serializers.SerializerMethodField()

    class Meta:
        model = Call
        fields = [
            "id",
            "code",
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
            "per_firm_cost_sharing",
            "project_starts_on",
            "first_budget_year",
            "tracks",
            "matching_rules",
            "member_requirements",
            "required_documents",
            "guideline_url",
        ]
        # Uniqueness of the code is the service's check (one error shape).
        extra_kwargs = {"code": {"validators": []}}

    def validate(self, data: dict) -> dict:
        """Region and province codes become rows: regions of the call's scheme, provinces in force
        on its opening date (the provinces a call uses for its whole life)."""
        call = self.instance
        if "region_scheme" not in data and call is None:
            data["region_scheme"] = RegionScheme.objects.filter(is_default=True).first()
        scheme = data.get("region_scheme") or (call.region_scheme if call else None)
        errors: dict[str, list[str]] = {}
        if "eligible_regions" in data:
            codes = data["eligible_regions"]
            found = {r.code: r for r in Region.objects.filter(scheme=scheme, code__in=codes)}
            if missing := [c for c in codes if c not in found]:
                errors["eligible_regions"] = [
                    _("No region with code %(code)s in the scheme.") % {"code": c} for c in missing
                ]
            data["eligible_regions"] = list(found.values())
        if "eligible_provinces" in data:
            opens_at = data.get("opens_at") or (call.opens_at if call else None)
            day = timezone.localdate(opens_at) if opens_at else timezone.localdate()
            codes = data["eligible_provinces"]
            found = {p.code: p for p in Province.objects.in_force_on(day).filter(code__in=codes)}
            if missing := [c for c in codes if c not in found]:
                errors["eligible_provinces"] = [
                    _("No province with code %(code)s is in force on %(day)s.")
                    % {"code": c, "day": day.isoformat()}
                    for c in missing
                ]
            data["eligible_provinces"] = list(found.values())
        if errors:
            raise serializers.ValidationError(errors)
        return data

    def get_provinces_in_force(self, call: Call) -> list[str]:
        return [p.code for p in eligible_provinces(call)]

    def get_guideline_url(self, call: Call) -> str | None:
        if not call.guideline:
            return None
        return f"/calls/{call.pk}/guideline/"


class GuidelineIn(serializers.Serializer):
    guideline = serializers.FileField()
