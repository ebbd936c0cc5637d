"""Shapes only: domain rules (check digits, plan years, matching ratios) live in consortia.services."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.inputs import (
    MAX_COUNT,
    MAX_ROWS,
    MAX_SUMMARY_CHARS,
    MAX_TEXT_CHARS,
    AsciiIntegerField,
    id_field,
    krw_field,
    single_line,
)
from config.schema import ErrorOut
from consortia.budget import budget_sheet
from consortia.choices import KpiIndicator, OrganisationType
from consortia.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationLeadProvince,
    ApplicationPerson,
    BudgetLine,
    CoLeadInvitation,
    Consortium,
    ConsortiumMember,
    DeclaredProject,
    KpiTarget,
    Organisation,
    PlannedMilestone,
)
from consortia.rule_codes import RuleCode
from consortia.selectors import consortia_for
from consortia.services import OFFICER_STEPS
from programs.models import Call, ProjectKind, Province, Track
from programs.selectors import ended_province_message

# --- out ------------------------------------------------------------------------------------


class CalendarYearField(serializers.IntegerField):
    """Plan year 1, 2, 3 in storage; the calendar year (2027 …) of the call's project in the API."""

    def to_representation(self, plan_year: int) -> int:
        return self.context["call"].calendar_year(plan_year)


class OrganisationOut(serializers.ModelSerializer):
    province = serializers.CharField(source="province.code", read_only=True, help_text="Administrative code")
    province_name = serializers.CharField(source="province.name", read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "name_en",
            "type",
            "province",
            "province_name",
            "department",
            "business_number",
        ]


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
    program = serializers.CharField(source="program.code", read_only=True)

    class Meta:
        model = Call
        fields = ["id", "code", "title", "program", "opens_at", "closes_at", "first_budget_year"]


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
    province = serializers.CharField(source="province.code", read_only=True, help_text="Administrative code")
    province_name = serializers.CharField(source="province.name", read_only=True)

    class Meta:
        model = ApplicationLeadProvince
        fields = ["organisation", "province", "province_name", "is_representative"]


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
    year = CalendarYearField(read_only=True)

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


class RatioOut(serializers.Serializer):
    rule = serializers.ChoiceField(choices=RuleCode.choices, source="code")
    description = serializers.CharField(source="rule.describe")
    comparison = serializers.CharField(source="rule.comparison")
    percent_limit = serializers.DecimalField(source="rule.percent", max_digits=6, decimal_places=2)
    numerator_krw = serializers.IntegerField(source="numerator", min_value=0)
    base_krw = serializers.IntegerField(source="base", min_value=0)
    percent = serializers.CharField(help_text="Truncated to basis points: 1 won short never shows the limit.")
    ok = serializers.BooleanField()


class BudgetTotalOut(serializers.Serializer):
    """One plan year's totals and checks, from the same presenter as the rule check (consortia.budget)."""

    year = serializers.IntegerField(source="calendar_year", help_text="Calendar year")
    plan_year = serializers.IntegerField(source="year", min_value=1, max_value=10)
    national_krw = serializers.IntegerField(source="totals.national_krw", min_value=0)
    local_cash_krw = serializers.IntegerField(source="totals.local_cash_krw", min_value=0)
    private_cash_krw = serializers.IntegerField(source="totals.private_cash_krw", min_value=0)
    private_in_kind_krw = serializers.IntegerField(source="totals.private_in_kind_krw", min_value=0)
    total_krw = serializers.IntegerField(source="total", min_value=0)
    national_cap_krw = serializers.IntegerField(source="cap_krw", min_value=0)
    cap_ok = serializers.BooleanField()
    ratios = RatioOut(many=True)


class PersonOut(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name")
    researcher_number = serializers.CharField(source="person.researcher_number")
    person = serializers.IntegerField(source="person_id")

    class Meta:
        model = ApplicationPerson
        fields = ["id", "member", "role", "person", "name", "researcher_number"]


class KpiTargetOut(serializers.ModelSerializer):
    year = CalendarYearField(read_only=True)

    class Meta:
        model = KpiTarget
        fields = ["id", "indicator", "year", "value"]


class MilestoneOut(serializers.ModelSerializer):
    year = CalendarYearField(read_only=True)

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


class ActorOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.SerializerMethodField(help_text='As Koreans write it: "김민지".')

    def get_name(self, user) -> str:
        return user.get_full_name() or user.get_username()


class EventOut(serializers.ModelSerializer):
    actor = ActorOut(read_only=True)

    class Meta:
        model = ApplicationEvent
        fields = ["id", "from_state", "to_state", "actor", "reason", "at"]


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
        sheet = budget_sheet(
            application.budget_lines.all(),
            rules=list(application.call.matching_rules.all()),
            track=application.track,
            call=application.call,
        )
        return BudgetTotalOut(sheet, many=True).data


class InvitationOut(serializers.ModelSerializer):
    consortium = ConsortiumBrief(read_only=True)
    organisation = OrganisationBrief(read_only=True)

    class Meta:
        model = CoLeadInvitation
        fields = ["id", "consortium", "organisation", "state", "created_at", "decided_at"]


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


class RefusalOut(ErrorOut):
    """A refusal by the call's rules: the error shape plus each failure with its rule code."""

    failures = FailureOut(many=True)


# --- in -------------------------------------------------------------------------------------


class OrganisationIn(serializers.Serializer):
    name = serializers.CharField(max_length=120, validators=[single_line])
    name_en = serializers.CharField(max_length=160, required=False, allow_blank=True, default="")
    type = serializers.ChoiceField(choices=OrganisationType.choices)
    province = serializers.CharField(
        max_length=2, help_text='Administrative code of a province in force today, e.g. "12".'
    )
    department = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    # Hyphens allowed: the service normalises and checks the digit.
    business_number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")

    def validate_province(self, code: str) -> Province:
        today = timezone.localdate()
        if province := Province.objects.in_force_on(today).filter(code=code).first():
            return province
        # An ended province (codes are not reused while history keeps them) names its successor.
        if (
            ended := Province.objects.filter(code=code, effective_to__lt=today)
            .order_by("-effective_to")
            .first()
        ):
            raise serializers.ValidationError(ended_province_message(ended, on=today))
        raise serializers.ValidationError(
            _("No province with code %(code)s is in force on %(day)s.")
            % {"code": code, "day": today.isoformat()}
        )


class ConsortiumIn(serializers.Serializer):
    name = serializers.CharField(max_length=160, validators=[single_line])
    representative = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())


class InvitationIn(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())


class MemberIn(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    role = serializers.ChoiceField(choices=ConsortiumMember.Role.choices)
    department = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class MemberPatchIn(serializers.Serializer):
    role = serializers.ChoiceField(choices=ConsortiumMember.Role.choices, required=False)
    department = serializers.CharField(max_length=120, required=False, allow_blank=True)


class RemoveMemberQuery(serializers.Serializer):
    confirm = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Also delete the member's budget lines and researchers in draft applications.",
    )


class ApplicationIn(serializers.Serializer):
    # Only the user's own consortia: another consortium's id reads as "does not exist".
    consortium = serializers.PrimaryKeyRelatedField(queryset=Consortium.objects.none())
    call = serializers.SlugRelatedField(slug_field="code", queryset=Call.objects.all(), help_text="Call code")
    track = serializers.CharField(max_length=40, help_text='Track code within the call, e.g. "leap".')
    title = serializers.CharField(max_length=200, validators=[single_line])
    future_technology = serializers.CharField(max_length=120, required=False, allow_blank=True)
    key_industry = serializers.CharField(max_length=120, required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=MAX_SUMMARY_CHARS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["consortium"].queryset = consortia_for(request.user).prefetch_related(None)

    def validate(self, data: dict) -> dict:
        track = Track.objects.filter(call=data["call"], code=data["track"]).first()
        if track is None:
            raise serializers.ValidationError({"track": [_("The call has no track with this code.")]})
        data["track"] = track
        return data


class ApplicationBasicsIn(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, validators=[single_line])
    future_technology = serializers.CharField(max_length=120, required=False, allow_blank=True)
    key_industry = serializers.CharField(max_length=120, required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=MAX_SUMMARY_CHARS)


YEAR_HELP = "Calendar year of the plan (e.g. 2027), within the track's duration from the call's first year."


class BudgetRowIn(serializers.Serializer):
    member = id_field()
    year = AsciiIntegerField(min_value=2000, max_value=2100, help_text=YEAR_HELP)
    national_krw = krw_field(default=0)
    local_cash_krw = krw_field(default=0)
    private_cash_krw = krw_field(default=0)
    private_in_kind_krw = krw_field(default=0)


class BudgetIn(serializers.Serializer):
    rows = BudgetRowIn(many=True, max_length=MAX_ROWS)


class KpiRowIn(serializers.Serializer):
    indicator = serializers.ChoiceField(choices=KpiIndicator.choices)
    year = AsciiIntegerField(min_value=2000, max_value=2100, help_text=YEAR_HELP)
    value = AsciiIntegerField(min_value=0, max_value=MAX_COUNT)


class KpiTargetsIn(serializers.Serializer):
    rows = KpiRowIn(many=True, max_length=MAX_ROWS)


class MilestoneRowIn(serializers.Serializer):
    year = AsciiIntegerField(min_value=2000, max_value=2100, help_text=YEAR_HELP)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=MAX_TEXT_CHARS
    )


class MilestonesIn(serializers.Serializer):
    rows = MilestoneRowIn(many=True, max_length=MAX_ROWS)


class PersonRowIn(serializers.Serializer):
    member = id_field()
    role = serializers.ChoiceField(choices=ApplicationPerson.Role.choices)
    name = serializers.CharField(max_length=80)
    researcher_number = serializers.CharField(max_length=20)
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class PeopleIn(serializers.Serializer):
    rows = PersonRowIn(many=True, max_length=MAX_ROWS)

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
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_TEXT_CHARS)


class DecideIn(serializers.Serializer):
    step = serializers.ChoiceField(choices=sorted(OFFICER_STEPS))
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_TEXT_CHARS)


class DeclaredProjectOut(serializers.ModelSerializer):
    class Meta:
        model = DeclaredProject
        fields = [
            "id",
            "person",
            "title",
            "kind",
            "as_principal_investigator",
            "with_foreign_partner",
            "starts_on",
            "ends_on",
        ]


class DeclaredProjectIn(serializers.Serializer):
    """An outside national R&D project of a researcher named on the application (3책5공)."""

    person = id_field(help_text="The person id of a researcher on the application.")
    title = serializers.CharField(max_length=200, validators=[single_line])
    kind = serializers.ChoiceField(choices=ProjectKind.choices, default=ProjectKind.RESEARCH)
    as_principal_investigator = serializers.BooleanField(default=False)
    with_foreign_partner = serializers.BooleanField(default=False)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
