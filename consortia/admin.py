"""Officers' views of applications (scoped to their programs' calls), and the other consortia models.

Writes to applications go through consortia.services: the admin shows them read-only and moves
their state only through actions that call decide_application.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from unfold.admin import ModelAdmin, TabularInline

from config.errors import DomainError
from consortia import exports, selectors, services
from consortia import notices as services_notices
from consortia.models import (
    Affiliation,
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationPerson,
    BudgetLine,
    Consortium,
    ConsortiumMember,
    DeclaredProject,
    KpiTarget,
    Notice,
    Organisation,
    OrganisationProvinceChange,
    Person,
    PlannedMilestone,
)
from programs.models import Call, Province, Region
from programs.permissions import is_admin, is_officer

# Stored as the event's reason: data, not UI text, so not translated.
BULK_REASON = "admin bulk action"


def officer(request) -> bool:
    """is_officer(), asked once per request: the admin asks every model admin on every page."""
    if not hasattr(request, "_is_officer"):
        request._is_officer = is_officer(request.user)
    return request._is_officer


def scoped_applications(request) -> QuerySet[Application]:
    """Every application for a superuser; an officer's programs' calls' applications otherwise."""
    qs = Application.objects.all()
    return qs if is_admin(request.user) else qs.filter(call__program__officers=request.user)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4, "cols": 80})
    )


# --- filters ---------------------------------------------------------------------------------


class RegionFilter(admin.SimpleListFilter):
    """The region of the call's scheme holding the representative's province (the list's column)."""

    title = gettext_lazy("region")
    parameter_name = "region"

    def lookups(self, request, model_admin):
        calls = Call.objects.filter(pk__in=scoped_applications(request).values("call_id"))
        regions = list(
            Region.objects.filter(scheme__in=calls.values("region_scheme_id"))
            .select_related("scheme")
            .order_by("scheme__name", "order", "code")
        )
        several = len({r.scheme_id for r in regions}) > 1
        return [(r.pk, f"{r.scheme.name}: {r.name}" if several else r.name) for r in regions]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        # Both joins end at the one chosen region, so no row is repeated.
        return queryset.filter(
            consortium__representative__province__regions=self.value(),
            call__region_scheme__regions=self.value(),
        )


class LeadProvinceFilter(admin.SimpleListFilter):
    """Applications with a lead local government (any, not only the representative) in the province."""

    title = gettext_lazy("province")
    parameter_name = "province"

    def lookups(self, request, model_admin):
        leads = ConsortiumMember.objects.filter(
            role=ConsortiumMember.Role.LEAD_GOVERNMENT,
            consortium__applications__in=scoped_applications(request).values("pk"),
        )
        provinces = Province.objects.filter(pk__in=leads.values("organisation__province_id"))
        return [(p.pk, p.name) for p in provinces.order_by("code", "effective_from")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        leads = ConsortiumMember.objects.filter(
            consortium=OuterRef("consortium_id"),
            role=ConsortiumMember.Role.LEAD_GOVERNMENT,
            organisation__province=self.value(),
        )
        return queryset.filter(Exists(leads))


# --- application inlines: read-only ------------------------------------------------------------


class ReadOnlyInline(TabularInline):
    extra = 0
    can_delete = False
    select_related: tuple[str, ...] = ()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.select_related)

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_view_permission(self, request, obj=None):
        return officer(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BudgetLineInline(ReadOnlyInline):
    model = BudgetLine
    fields = ["year", "member", "national_krw", "local_cash_krw", "private_cash_krw", "private_in_kind_krw"]
    select_related = ("member__organisation",)


class PersonInline(ReadOnlyInline):
    model = ApplicationPerson
    fields = ["role", "person", "member"]
    select_related = ("person", "member__organisation")


class KpiTargetInline(ReadOnlyInline):
    model = KpiTarget
    fields = ["indicator", "year", "value"]


class MilestoneInline(ReadOnlyInline):
    model = PlannedMilestone
    fields = ["year", "title", "description"]


class DocumentInline(ReadOnlyInline):
    model = ApplicationDocument
    # No file link: documents are served only through the portal's permission-checked views.
    fields = ["kind", "original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    select_related = ("uploaded_by",)


class EventInline(ReadOnlyInline):
    model = ApplicationEvent
    fields = ["at", "from_state", "to_state", "actor", "reason"]
    select_related = ("actor",)


# --- applications ------------------------------------------------------------------------------


@admin.register(Application)
class ApplicationAdmin(ModelAdmin):
    list_display = [
        "title",
        "consortium",
        "call",
        "track",
        "representative_province",
        "region",
        "state",
        "submitted_at",
    ]
    list_filter = [
        ("call", admin.RelatedOnlyFieldListFilter),
        ("track", admin.RelatedOnlyFieldListFilter),
        "state",
        RegionFilter,
        LeadProvinceFilter,
    ]
    search_fields = ["title", "consortium__name", "consortium__members__organisation__name"]
    list_select_related = ["call", "track", "consortium__representative__province"]
    fields = [
        "title",
        "call",
        "track",
        "consortium",
        "state",
        "submitted_at",
        "future_technology",
        "key_industry",
        "summary",
        "created_by",
        "created_at",
    ]
    # The state is an FSM-protected field: it moves only through the actions below.
    readonly_fields = fields
    inlines = [
        BudgetLineInline,
        PersonInline,
        KpiTargetInline,
        MilestoneInline,
        DocumentInline,
        EventInline,
    ]
    actions = ["export_xlsx", "start_screening", "start_review", "mark_not_selected"]

    change_list_template = "admin/consortia/application/change_list.html"

    class Media:
        css = {"all": ("css/admin.css",)}

    @admin.display(
        description=gettext_lazy("province"), ordering="consortium__representative__province__code"
    )
    def representative_province(self, obj: Application) -> str:
        return obj.consortium.representative.province.name

    @admin.display(description=gettext_lazy("region"), ordering="region_name")
    def region(self, obj: Application) -> str:
        return obj.region_name or "-"

    def get_queryset(self, request):
        qs = selectors.applications_with_region(super().get_queryset(request))
        return qs if is_admin(request.user) else qs.filter(call__program__officers=request.user)

    def get_urls(self):
        export = path(
            "export/",
            self.admin_site.admin_view(self.export_view),
            name="consortia_application_export",
        )
        return [export, *super().get_urls()]

    # -- permissions: officers read; nobody adds, edits or deletes here ----------------------

    def has_module_permission(self, request):
        return officer(request)

    def has_view_permission(self, request, obj=None):
        # Objects outside get_queryset() are not found at all; this guards the rest.
        return officer(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        # Per application, decide_application checks the officer's program.
        return officer(request)

    # -- export -----------------------------------------------------------------------------

    def _xlsx_response(self, queryset: QuerySet[Application]) -> HttpResponse:
        response = HttpResponse(exports.applications_xlsx(queryset), content_type=exports.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{exports.export_filename()}"'
        return response

    def export_view(self, request):
        """The changelist as it is filtered and searched, as an .xlsx download."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:consortia_application_changelist") + "?e=1")
        return self._xlsx_response(changelist.queryset)

    @admin.action(description=gettext_lazy("Export to Excel (xlsx)"))
    def export_xlsx(self, request, queryset):
        return self._xlsx_response(queryset)

    # -- workflow steps ---------------------------------------------------------------------

    def _decide(self, request, queryset: QuerySet[Application], step: str, reason: str) -> None:
        done = 0
        for pk, title in queryset.values_list("pk", "title"):
            try:
                # One transaction per application: a refused row does not undo the others.
                services.decide_application(actor=request.user, application_id=pk, step=step, reason=reason)
            except DomainError as exc:
                self.message_user(request, f"{title}: {exc.message}", messages.ERROR)
            except PermissionDenied:
                self.message_user(
                    request,
                    _("%(title)s: you may not decide on this application.") % {"title": title},
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(n)d application moved.", "%(n)d applications moved.", done) % {"n": done},
                messages.SUCCESS,
            )

    @admin.action(description=gettext_lazy("Start eligibility screening"), permissions=["decide"])
    def start_screening(self, request, queryset):
        self._decide(request, queryset, "start_screening", BULK_REASON)

    @admin.action(description=gettext_lazy("Start review"), permissions=["decide"])
    def start_review(self, request, queryset):
        self._decide(request, queryset, "start_review", BULK_REASON)

    @admin.action(description=gettext_lazy("Mark as not selected…"), permissions=["decide"])
    def mark_not_selected(self, request, queryset):
        """Asks for the reason on an intermediate page (a decision needs one), then rejects."""
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._decide(request, queryset, "reject", form.cleaned_data["reason"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Mark as not selected"),
            "opts": self.model._meta,
            "form": form,
            "applications": list(queryset.values_list("pk", "title")),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action": "mark_not_selected",
        }
        return TemplateResponse(request, "admin/consortia/application/reason.html", context)


# --- organisations and consortia: officers read the ones in their programs ----------------------


class OfficerReadsAdmin(ModelAdmin):
    """Officers view (get_queryset scopes them), superusers change."""

    def has_module_permission(self, request):
        return officer(request)

    def has_view_permission(self, request, obj=None):
        return officer(request)

    def has_add_permission(self, request):
        return is_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_admin(request.user)


class SuperuserAdmin(ModelAdmin):
    def has_module_permission(self, request):
        return is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_admin(request.user)

    def has_add_permission(self, request):
        return is_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_admin(request.user)


class ReadOnlyAdmin(SuperuserAdmin):
    """Records the system writes (history, mail owed): superusers read them, nobody edits."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(OfficerReadsAdmin):
    list_display = ["name", "department", "type", "province", "business_number"]
    list_filter = ["type", ("province", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "name_en", "business_number"]
    list_select_related = ["province"]
    autocomplete_fields = ["staff"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_admin(request.user):
            return qs
        in_programs = ConsortiumMember.objects.filter(
            organisation=OuterRef("pk"), consortium__applications__call__program__officers=request.user
        )
        return qs.filter(Exists(in_programs))

    def get_readonly_fields(self, request, obj=None):
        # A move keeps its history through services.move_organisations_to_successors.
        return ["province"] if obj else []

    def get_search_results(self, request, queryset, search_term):
        qs, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        digits = re.sub(r"[\s-]", "", search_term)
        if digits.isdigit() and digits != search_term.strip():
            qs |= queryset.filter(business_number__startswith=digits)  # "123-45-67891" as stored
        return qs, may_have_duplicates


class ConsortiumMemberInline(TabularInline):
    model = ConsortiumMember
    extra = 0
    fields = ["organisation", "role", "department"]
    autocomplete_fields = ["organisation"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")

    def has_view_permission(self, request, obj=None):
        return officer(request)

    def has_add_permission(self, request, obj=None):
        return is_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_admin(request.user)


@admin.register(Consortium)
class ConsortiumAdmin(OfficerReadsAdmin):
    list_display = ["name", "representative", "representative_province", "created_at"]
    search_fields = ["name", "representative__name", "members__organisation__name"]
    list_select_related = ["representative__province"]
    autocomplete_fields = ["representative", "contacts"]
    inlines = [ConsortiumMemberInline]

    @admin.display(description=gettext_lazy("province"), ordering="representative__province__code")
    def representative_province(self, obj: Consortium) -> str:
        return obj.representative.province.name

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_admin(request.user):
            return qs
        in_programs = Application.objects.filter(
            consortium=OuterRef("pk"), call__program__officers=request.user
        )
        return qs.filter(Exists(in_programs))


# --- people and system records: superusers only --------------------------------------------------


class AffiliationInline(TabularInline):
    model = Affiliation
    extra = 0
    autocomplete_fields = ["organisation"]


class DeclaredProjectInline(TabularInline):
    model = DeclaredProject
    extra = 0


@admin.register(Person)
class PersonAdmin(SuperuserAdmin):
    list_display = ["name", "researcher_number", "email"]
    search_fields = ["name", "researcher_number", "email"]
    inlines = [AffiliationInline, DeclaredProjectInline]


@admin.register(DeclaredProject)
class DeclaredProjectAdmin(SuperuserAdmin):
    list_display = ["title", "person", "kind", "as_principal_investigator", "starts_on", "ends_on"]
    list_filter = ["kind", "as_principal_investigator", "with_foreign_partner"]
    search_fields = ["title", "person__name", "person__researcher_number"]
    list_select_related = ["person"]
    autocomplete_fields = ["person"]


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    """The outbox, for administrators: what is owed, sent or failed, and why; failed ones resent."""

    list_display = [
        *("kind", "recipient_list", "subject", "status", "attempts", "last_error", "due_at", "sent_at")
    ]
    list_filter = ["status", "kind"]
    search_fields = ["dedupe_key", "subject", "recipients", "application__title"]
    list_select_related = ["application"]
    fields = [
        "kind",
        "dedupe_key",
        "recipient_list",
        "subject",
        "body",
        "application",
        "status",
        "attempts",
        "last_error",
        "due_at",
        "created_at",
        "claimed_at",
        "sent_at",
    ]
    readonly_fields = fields
    actions = ["resend"]

    @admin.display(description=gettext_lazy("recipients"))
    def recipient_list(self, obj: Notice) -> str:
        return ", ".join(obj.recipients or [])

    def has_resend_permission(self, request) -> bool:
        return is_admin(request.user)

    @admin.action(permissions=["resend"], description=gettext_lazy("Resend the selected failed notices"))
    def resend(self, request, queryset):
        count = services_notices.resend_notices(
            actor=request.user, notice_ids=queryset.values_list("pk", flat=True)
        )
        skipped = queryset.count() - count
        self.message_user(
            request,
            ngettext("%(count)d notice queued again.", "%(count)d notices queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d notice was skipped: it is sent or a worker is sending it.",
                    "%(count)d notices were skipped: they are sent or a worker is sending them.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )


@admin.register(OrganisationProvinceChange)
class OrganisationProvinceChangeAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "from_province", "to_province", "effective_on", "at"]
    search_fields = ["organisation__name"]
    list_select_related = ["organisation", "from_province", "to_province"]
