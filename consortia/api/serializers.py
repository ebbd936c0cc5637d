"""Shapes only: domain rules (check digits, plan years, matching ratios) live in consortia.services."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from consortia.choices import KpiIndicator, OrganisationType
from consortia.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationLeadProvince,
    ApplicationPerson,
    BudgetLine,
    Consortium,
    ConsortiumMember,
    KpiTarget,
    Organisation,
    PlannedMilestone,
)
from consortia.rule_codes import RuleCode
from consortia.selectors import consortia_for
from consortia.services import OFFICER_STEPS
from programs.models import Call, Province, Track

# --- out ------------------------------------------------------------------------------------


class ProvinceBrief(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["id", "code", "name", "name_en"]


class OrganisationOut(serializers.ModelSerializer):
    province = ProvinceBrief(read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "name_en", "type", "province", "department", "business_number"]


class MemberOut(serializers.ModelSerializer):
    organisation = OrganisationOut(read_only=True)

    class Meta:
        model = ConsortiumMember
        fields = ["id", "organisation", "role", "department"]


class ConsortiumOut(serializers.ModelSerializer):
    representative = OrganisationOut(read_only=True)
    members = MemberOut(many=True, read_only=True)

    class Meta:
        model = Consortium
        fields = ["id", "name", "representative", "members", "created_at"]


class ConsortiumBrief(serializers.ModelSerializer):
    class Meta:
        model = Consortium
        fields = ["id", "name", "representative"]


class CallBrief(serializers.ModelSerializer):
    class Meta:
        model = Call
        fields = ["id", "title", "program", "opens_at", "closes_at"]


class TrackBrief(serializers.ModelSerializer):
    class Meta:
        model = Track
        fields = ["id", "code", "name", "duration_years", "national_cap_per_year_krw", "min_provinces"]


class OrganisationBrief(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name"]


class LeadProvinceOut(serializers.ModelSerializer):
    """A lead local government's province as the application was submitted under it."""

    organisation = OrganisationBrief(read_only=True)
    province = ProvinceBrief(read_only=True)

    class Meta:
        model = ApplicationLeadProvince
        fields = ["organisation", "province", "is_representative"]


class ApplicationListOut(serializers.ModelSerializer):
    call = CallBrief(read_only=True)
    track = TrackBrief(read_only=True)
    consortium = ConsortiumBrief(read_only=True)
    lead_provinces = LeadProvinceOut(many=True, read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "title",
            "state",
            "call",
            "track",
            "consortium",
            "lead_provinces",
            "submitted_at",
            "created_at",
        ]


class BudgetLineOut(serializers.ModelSerializer):
    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "member",
            "year",
            "national_krw",
            "local_cash_krw",
            "private_cash_krw",
            "private_in_kind_krw",
        ]


class BudgetTotalOut(serializers.Serializer):
    year = serializers.IntegerField()
    national_krw = serializers.IntegerField()
    local_cash_krw = serializers.IntegerField()
    private_cash_krw = serializers.IntegerField()
    private_in_kind_krw = serializers.IntegerField()
    total_krw = serializers.IntegerField()


class PersonOut(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name")
    researcher_number = serializers.CharField(source="person.researcher_number")
    person = serializers.IntegerField(source="person_id")

    class Meta:
        model = ApplicationPerson
        fields = ["id", "member", "role", "person", "name", "researcher_number"]


class KpiTargetOut(serializers.ModelSerializer):
    class Meta:
        model = KpiTarget
        fields = ["id", "indicator", "year", "value"]


class MilestoneOut(serializers.ModelSerializer):
    class Meta:
        model = PlannedMilestone
        fields = ["id", "year", "title", "description"]


class DocumentOut(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ApplicationDocument
        fields = ["id", "kind", "original_name", "content_type", "size", "uploaded_at", "download_url"]

    def get_download_url(self, document: ApplicationDocument) -> str:
        return reverse(
            "api-application-document-download",
            kwargs={"pk": document.application_id, "doc_id": document.pk},
        )


class EventOut(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = ApplicationEvent
        fields = ["id", "from_state", "to_state", "actor", "reason", "at"]

    def get_actor(self, event: ApplicationEvent) -> str:
        return event.actor.get_full_name().strip() or event.actor.get_username()


class ApplicationDetailOut(serializers.ModelSerializer):
    """Everything of one application; `budget_totals` comes from the view (context["totals"])."""

    call = CallBrief(read_only=True)
    track = TrackBrief(read_only=True)
    consortium = ConsortiumBrief(read_only=True)
    members = MemberOut(source="consortium.members", many=True, read_only=True)
    lead_provinces = LeadProvinceOut(many=True, read_only=True)
    budget_lines = BudgetLineOut(many=True, read_only=True)
    budget_totals = serializers.SerializerMethodField()
    people = PersonOut(many=True, read_only=True)
    kpi_targets = KpiTargetOut(many=True, read_only=True)
    milestones = MilestoneOut(many=True, read_only=True)
    documents = DocumentOut(many=True, read_only=True)
    events = EventOut(many=True, read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "title",
            "future_technology",
            "key_industry",
            "summary",
            "state",
            "submitted_at",
            "created_at",
            "call",
            "track",
            "consortium",
            "members",
            "lead_provinces",
            "budget_lines",
            "budget_totals",
            "people",
            "kpi_targets",
            "milestones",
            "documents",
            "events",
        ]

    @extend_schema_field(BudgetTotalOut(many=True))
    def get_budget_totals(self, application: Application) -> list[dict]:
        by_year = self.context.get("totals", {})
        return [
            {"year": year, **sources, "total_krw": sum(sources.values())}
            for year, sources in sorted(by_year.items())
        ]


class FailureOut(serializers.Serializer):
    rule = serializers.ChoiceField(choices=RuleCode.choices, help_text="The stable code of the rule broken.")
    field = serializers.CharField()
    message = serializers.CharField()
    year = serializers.IntegerField(required=False)
    member_id = serializers.IntegerField(required=False)
    person_id = serializers.IntegerField(required=False)


class CheckOut(serializers.Serializer):
    ok = serializers.BooleanField()
    failures = FailureOut(many=True)


class ErrorOut(serializers.Serializer):
    """The one error shape of every 4xx."""

    detail = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class RefusalOut(ErrorOut):
    """A refusal by the call's rules: the error shape plus each failure with its rule code."""

    failures = FailureOut(many=True)


# --- in -------------------------------------------------------------------------------------


class OrganisationIn(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    name_en = serializers.CharField(max_length=160, required=False, allow_blank=True, default="")
    type = serializers.ChoiceField(choices=OrganisationType.choices)
    province = serializers.PrimaryKeyRelatedField(queryset=Province.objects.all())
    department = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    # Hyphens allowed: the service normalises and checks the digit.
    business_number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class ConsortiumIn(serializers.Serializer):
    name = serializers.CharField(max_length=160)
    representative = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())


class MemberIn(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    role = serializers.ChoiceField(choices=ConsortiumMember.Role.choices)
    department = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class ApplicationIn(serializers.Serializer):
    # Only the user's own consortia: another consortium's id reads as "does not exist".
    consortium = serializers.PrimaryKeyRelatedField(queryset=Consortium.objects.none())
    call = serializers.PrimaryKeyRelatedField(queryset=Call.objects.all())
    track = serializers.PrimaryKeyRelatedField(queryset=Track.objects.all())
    title = serializers.CharField(max_length=200)
    future_technology = serializers.CharField(max_length=120, required=False, allow_blank=True)
    key_industry = serializers.CharField(max_length=120, required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["consortium"].queryset = consortia_for(request.user).prefetch_related(None)


class ApplicationBasicsIn(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    future_technology = serializers.CharField(max_length=120, required=False, allow_blank=True)
    key_industry = serializers.CharField(max_length=120, required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True)


class BudgetRowIn(serializers.Serializer):
    member = serializers.IntegerField()
    year = serializers.IntegerField()
    national_krw = serializers.IntegerField(min_value=0, default=0)
    local_cash_krw = serializers.IntegerField(min_value=0, default=0)
    private_cash_krw = serializers.IntegerField(min_value=0, default=0)
    private_in_kind_krw = serializers.IntegerField(min_value=0, default=0)


class BudgetIn(serializers.Serializer):
    rows = BudgetRowIn(many=True)


class KpiRowIn(serializers.Serializer):
    indicator = serializers.ChoiceField(choices=KpiIndicator.choices)
    year = serializers.IntegerField()
    value = serializers.IntegerField(min_value=0)


class KpiTargetsIn(serializers.Serializer):
    rows = KpiRowIn(many=True)


class MilestoneRowIn(serializers.Serializer):
    year = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class MilestonesIn(serializers.Serializer):
    rows = MilestoneRowIn(many=True)


class PersonRowIn(serializers.Serializer):
    member = serializers.IntegerField()
    role = serializers.ChoiceField(choices=ApplicationPerson.Role.choices)
    name = serializers.CharField(max_length=80)
    researcher_number = serializers.CharField(max_length=20)
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class PeopleIn(serializers.Serializer):
    rows = PersonRowIn(many=True)

    def validate_rows(self, rows: list[dict]) -> list[dict]:
        # services.set_people does not check this, and the database's one-role-per-person
        # constraint would turn a repeated number into a 500.
        seen: set[str] = set()
        errors: list[dict] = []
        for row in rows:
            number = row["researcher_number"].strip()
            errors.append(
                {"researcher_number": [_("This researcher is already listed.")]} if number in seen else {}
            )
            seen.add(number)
        if any(errors):
            raise serializers.ValidationError(errors)
        return rows


class DocumentIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ApplicationDocument.Kind.choices)
    file = serializers.FileField()


class WithdrawIn(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DecideIn(serializers.Serializer):
    step = serializers.ChoiceField(choices=sorted(OFFICER_STEPS))
    reason = serializers.CharField(required=False, allow_blank=True, default="")
