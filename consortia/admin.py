"""Officers' views of applications (scoped to their programs' calls), and the other consortia models.

Writes to applications go through consortia.services: the admin shows them read-only and moves
their state only through actions that call decide_application.
"""

from __future__ import annotations

import re

from django import forms
from django.apps import apps as django_apps
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.forms.models import construct_instance
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import action
from unfold.enums import ActionVariant
from unfold.forms import BaseDialogForm
from unfold.widgets import UnfoldAdminTextareaWidget

from config.admin_lists import LargeListAdmin
from config.errors import DomainError
from config.filters import OptionsFieldListFilter, once_per_request
from config.inputs import is_ascii_digits
from consortia import case_file, export_jobs, exports, permissions, selectors, services
from consortia import notices as services_notices
from consortia.business_number import format_business_number
from consortia.documents import PDF
from consortia.models import (
    Affiliation,
    Application,
    ApplicationDocument,
    ApplicationLeadProvince,
    CoLeadInvitation,
    Consortium,
    ConsortiumMember,
    DeclaredProject,
    Export,
    Notice,
    Organisation,
    OrganisationProvinceChange,
    OrganisationStaff,
    Person,
)
from programs.models import Call, Province, Region, Track
from programs.permissions import is_admin, is_officer

# Stored as the event's reason: data, not UI text, so not translated.
BULK_REASON = "admin bulk action"


def officer(request) -> bool:
    """is_officer(), asked once per request: the admin asks every model admin on every page."""
    if not hasattr(request, "_is_officer"):
        request._is_officer = is_officer(request.user)
    return request._is_officer


def officer_calls(request) -> list[Call]:
    """The calls an application of the list can belong to: the officer's programs' (every call for a
    superuser), newest first. Once per request: the call, track and region filters share them."""

    def calls() -> list[Call]:
        qs = (
            Call.objects.all()
            if is_admin(request.user)
            else Call.objects.filter(program__officers=request.user)
        )
        return list(qs.order_by("-opens_at", "id"))

    return once_per_request(request, "officer_calls", calls)


def provinces(request) -> list[Province]:
    """Every province, ended ones too (an application keeps the province it was submitted with)."""
    return once_per_request(
        request, "provinces", lambda: list(Province.objects.order_by("code", "effective_from"))
    )


def officer_tracks(request) -> list[Track]:
    """The tracks of officer_calls(), in their calls' order (Track.Meta.ordering without the join)."""
    calls = {call.pk: i for i, call in enumerate(officer_calls(request))}
    tracks = Track.objects.filter(call_id__in=calls).order_by()
    return sorted(tracks, key=lambda t: (calls[t.call_id], t.pk))


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
        # From the calls' schemes (a small table), not from the applications in scope.
        schemes = {call.region_scheme_id for call in officer_calls(request)}
        regions = list(
            Region.objects.filter(scheme__in=schemes)
            .select_related("scheme")
            .order_by("scheme__name", "order", "code")
        )
        several = len({r.scheme_id for r in regions}) > 1
        return [(r.pk, f"{r.scheme.name}: {r.name}" if several else r.name) for r in regions]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        # lead_province_id: the representative's province as submitted (selectors.applications_with_region).
        return queryset.filter(
            lead_province_id__in=Province.objects.filter(regions=self.value()).values("pk"),
            call__region_scheme__regions=self.value(),
        )


class LeadProvinceFilter(admin.SimpleListFilter):
    """Applications with a lead local government (any, not only the representative) in the province:
    as submitted for submitted applications, today's for drafts."""

    title = gettext_lazy("province")
    parameter_name = "province"

    def lookups(self, request, model_admin):
        # Every province (the provinces the scope's leads hold were a scan of the scope).
        return [(p.pk, str(p)) for p in provinces(request)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        snapshot = ApplicationLeadProvince.objects.filter(application=OuterRef("pk"))
        leads = ConsortiumMember.objects.filter(
            consortium=OuterRef("consortium_id"),
            role=ConsortiumMember.Role.LEAD_GOVERNMENT,
            organisation__province=self.value(),
        )
        return queryset.filter(
            Exists(snapshot.filter(province=self.value())) | (~Exists(snapshot) & Exists(leads))
        )


# --- applications ------------------------------------------------------------------------------


class StepDialogForm(BaseDialogForm):
    """Asks for nothing but a confirmation: the step needs no reason."""


class ReasonDialogForm(BaseDialogForm):
    """Asks for the reason before a decision (selected, not selected)."""

    reason = forms.CharField(
        label=gettext_lazy("reason"),
        max_length=2000,
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 4}),
    )


def _dialog(title, description, form_class, submit) -> dict:
    return {"title": title, "description": description, "form_class": form_class, "form_submit_text": submit}


@admin.register(Application)
class ApplicationAdmin(LargeListAdmin, ModelAdmin):
    # Sized for 1366 px: the call is a filter, the receipt number names the year and track.
    list_display = [
        "receipt",
        "title",
        "consortium",
        "track",
        "representative_province",
        "region",
        "state_label",
        "submitted_at",
    ]
    list_display_links = ["receipt", "title"]
    # Options from the small tables, once per request (not from the applications in scope).
    list_filter = [
        ("call", OptionsFieldListFilter.of(officer_calls)),
        ("track", OptionsFieldListFilter.of(officer_tracks)),
        RegionFilter,
        LeadProvinceFilter,
        "state",
    ]
    list_per_page = 50
    search_fields = ["title", "consortium__name", "receipt_number"]  # members: get_search_results
    search_help_text = gettext_lazy("Title, consortium, member organisation or receipt number")
    list_select_related = ["call", "track", "consortium__representative__province"]
    fields = ["title", "receipt_number", "call", "track", "consortium", "state", "submitted_at"]
    # The state is an FSM-protected field: it moves only through the workflow steps below.
    readonly_fields = fields
    actions = ["export_xlsx", "start_screening", "start_review", "mark_not_selected"]
    actions_detail = [
        "detail_start_screening",
        "detail_start_review",
        "detail_select",
        "detail_reject",
    ]

    change_list_template = "admin/consortia/application/change_list.html"
    change_form_template = "admin/consortia/application/case_file.html"

    @admin.display(description=gettext_lazy("receipt number"), ordering="receipt_number")
    def receipt(self, obj: Application) -> str:
        return obj.receipt_number or "—"

    @admin.display(description=gettext_lazy("state"), ordering="state")
    def state_label(self, obj: Application) -> str:
        return obj.get_state_display()

    @admin.display(description=gettext_lazy("province"), ordering="lead_province_name")
    def representative_province(self, obj: Application) -> str:
        # As submitted: a later move of the government does not rewrite it.
        return obj.lead_province_name

    @admin.display(description=gettext_lazy("region"), ordering="region_name")
    def region(self, obj: Application) -> str:
        return obj.region_name or "-"

    def get_queryset(self, request):
        qs = selectors.applications_with_region(super().get_queryset(request))
        return qs if is_admin(request.user) else qs.filter(call__program__officers=request.user)

    def get_search_results(self, request, queryset, search_term):
        # EXISTS per term instead of joining every member's organisation (search_fields), which
        # multiplied the rows, needed DISTINCT and sorted on disk (issue 18).
        return selectors.search_applications(queryset, search_term), False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("export/", view(self.export_view), name="consortia_application_export"),
            path(
                "<int:object_id>/documents/<int:document_id>/",
                view(self.document_view),
                name="consortia_application_document",
            ),
            *super().get_urls(),
        ]

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

    def _step_possible(self, request, object_id, step: str) -> bool:
        """Shown only when the officer may decide on this application and its state allows the step."""

        def steps() -> list[str]:
            if (case := request.__dict__.get("_case_files", {}).get(str(object_id))) is not None:
                application = case.application  # the page's own row
            elif not is_ascii_digits(str(object_id)):
                return []
            else:
                application = self.get_queryset(request).select_related("call").filter(pk=object_id).first()
            allowed = application is not None and permissions.can_decide(request.user, application)
            return case_file.possible_steps(application) if allowed else []

        return step in once_per_request(request, f"possible_steps:{object_id}", steps)

    def has_detail_start_screening_permission(self, request, object_id=None):
        return self._step_possible(request, object_id, "start_screening")

    def has_detail_start_review_permission(self, request, object_id=None):
        return self._step_possible(request, object_id, "start_review")

    def has_detail_select_permission(self, request, object_id=None):
        return self._step_possible(request, object_id, "select")

    def has_detail_reject_permission(self, request, object_id=None):
        return self._step_possible(request, object_id, "reject")

    # -- the case file ----------------------------------------------------------------------

    def _case_file(self, request, object_id) -> case_file.CaseFile | None:
        """The case file of an application in the user's scope (None outside it), once per request."""
        memo = request.__dict__.setdefault("_case_files", {})
        key = str(object_id)
        if key not in memo:
            try:
                memo[key] = (
                    case_file.case_file(int(key), scope=self.get_queryset(request))
                    if is_ascii_digits(key)
                    else None
                )
            except Application.DoesNotExist:
                memo[key] = None
        return memo[key]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if object_id and (case := self._case_file(request, object_id)) is not None:
            extra_context["case"] = case
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_object(self, request, object_id, from_field=None):
        # The case file's row (scoped, with its relations): the page reads the application once.
        if from_field is None and (case := request.__dict__.get("_case_files", {}).get(str(object_id))):
            return case.application
        return super().get_object(request, object_id, from_field)

    def document_view(self, request, object_id: int, document_id: int):
        """A document of an application in the officer's programs: PDFs open in the browser."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        application = get_object_or_404(self.get_queryset(request), pk=object_id)
        document = get_object_or_404(ApplicationDocument, pk=document_id, application=application)
        return FileResponse(
            document.file.open("rb"),
            as_attachment=document.content_type != PDF,
            filename=document.original_name,
            content_type=document.content_type,
        )

    # -- workflow steps on the page (unfold detail actions, each through decide_application) --

    def _step(self, request, object_id, step: str, reason: str = ""):
        try:
            application = services.decide_application(
                actor=request.user, application_id=int(object_id), step=step, reason=reason
            )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(
                request,
                _("The application is now: %(state)s.") % {"state": application.get_state_display()},
                messages.SUCCESS,
            )
        url = reverse("admin:consortia_application_change", args=[object_id])
        if request.headers.get("HX-Request"):
            return HttpResponse(headers={"HX-Redirect": url})  # the dialog posts through htmx
        return HttpResponseRedirect(url)

    @action(
        description=gettext_lazy("Start eligibility screening"),
        url_path="start-screening",
        permissions=["detail_start_screening"],
        icon="fact_check",
        variant=ActionVariant.PRIMARY,
        dialog=_dialog(
            gettext_lazy("Start eligibility screening"),
            gettext_lazy("The applicants are told that screening has started."),
            StepDialogForm,
            gettext_lazy("Start eligibility screening"),
        ),
    )
    def detail_start_screening(self, request, form, object_id):
        return self._step(request, object_id, "start_screening")

    @action(
        description=gettext_lazy("Start review"),
        url_path="start-review",
        permissions=["detail_start_review"],
        icon="rate_review",
        variant=ActionVariant.PRIMARY,
        dialog=_dialog(
            gettext_lazy("Start review"),
            gettext_lazy("The applicants are told that their application is under review."),
            StepDialogForm,
            gettext_lazy("Start review"),
        ),
    )
    def detail_start_review(self, request, form, object_id):
        return self._step(request, object_id, "start_review")

    @action(
        description=gettext_lazy("Select"),
        url_path="select",
        permissions=["detail_select"],
        icon="verified",
        variant=ActionVariant.SUCCESS,
        dialog=_dialog(
            gettext_lazy("Select"),
            gettext_lazy("The reason is recorded on the timeline; the applicants are told the decision."),
            ReasonDialogForm,
            gettext_lazy("Select"),
        ),
    )
    def detail_select(self, request, form, object_id):
        return self._step(request, object_id, "select", form.cleaned_data["reason"])

    @action(
        description=gettext_lazy("Not selected"),
        url_path="reject",
        permissions=["detail_reject"],
        icon="block",
        variant=ActionVariant.DANGER,
        dialog=_dialog(
            gettext_lazy("Mark as not selected"),
            gettext_lazy("The reason is recorded on the timeline; the applicants are told the decision."),
            ReasonDialogForm,
            gettext_lazy("Mark as not selected"),
        ),
    )
    def detail_reject(self, request, form, object_id):
        return self._step(request, object_id, "reject", form.cleaned_data["reason"])

    # -- export: a job of the export machinery (consortia.export_jobs), its page on ExportAdmin --

    def _start_export(self, request, queryset: QuerySet[Application]):
        export = exports.request_application_export(
            actor=request.user, application_ids=list(queryset.values_list("pk", flat=True))
        )
        return HttpResponseRedirect(reverse("admin:consortia_export_status", args=[export.pk]))

    def export_view(self, request):
        """The changelist as it is filtered and searched, exported by a worker."""
        if not self.has_view_permission(request) or request.method != "POST":
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:consortia_application_changelist") + "?e=1")
        return self._start_export(request, changelist.queryset)

    @admin.action(description=gettext_lazy("Export to Excel (xlsx)"))
    def export_xlsx(self, request, queryset):
        return self._start_export(request, queryset)

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


class _DryRun(Exception):
    pass


class OrganisationAdminForm(forms.ModelForm):
    """Validates by a dry run of the service the API uses (rolled back), so the admin refuses what
    the API refuses (an ended province, a second local government of a province, a known
    business number) beside the field; OrganisationAdmin.save_model then writes through it."""

    class Meta:
        model = Organisation
        fields = list(services.ORGANISATION_FIELDS)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor

    def _post_clean(self):
        # Fill the instance for the admin's log and redirect; the model's checks run in the service.
        opts = self._meta
        self.instance = construct_instance(self, self.instance, opts.fields, opts.exclude)

    def save_through_service(self) -> Organisation:
        data = {f: self.cleaned_data[f] for f in services.ORGANISATION_FIELDS if f in self.cleaned_data}
        if self.instance.pk:
            changes = {f: data[f] for f in self.changed_data if f in data}
            return services.update_organisation(actor=self.actor, organisation_id=self.instance.pk, **changes)
        return services.create_organisation(actor=self.actor, as_staff=False, **data)

    def clean(self):
        data = super().clean()
        if self.errors or self.actor is None:
            return data
        try:
            with transaction.atomic():
                self.save_through_service()
                raise _DryRun
        except _DryRun:
            pass
        except DomainError as exc:
            for field, messages in exc.fields.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
            if not exc.fields:
                self.add_error(None, exc.message)
        return data


class StaffInline(admin.TabularInline):
    """Who works for the organisation; added and verified in "organisation staff" (the service)."""

    model = OrganisationStaff
    fk_name = "organisation"
    extra = 0
    can_delete = False
    fields = readonly_fields = ["user", "added_at", "verified_at", "verified_by"]

    def has_view_permission(self, request, obj=None):
        return is_admin(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(LargeListAdmin, OfficerReadsAdmin):
    form = OrganisationAdminForm
    list_display = ["name", "department", "type", "province", "business_number_display"]
    list_filter = ["type", ("province", OptionsFieldListFilter.of(provinces))]
    search_fields = ["name", "name_en", "business_number"]
    list_select_related = ["province"]
    inlines = [StaffInline]
    # Its pages walk the name index (organisation_name_order); no count: a count of the officer's
    # organisations is a semi-join over every member of every application in scope.
    ordering = ["name", "id"]
    count_window = 0

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return partial_form(form, actor=request.user)

    def save_model(self, request, obj, form, change):
        obj.pk = form.save_through_service().pk

    @admin.display(description=gettext_lazy("business registration number"), ordering="business_number")
    def business_number_display(self, obj: Organisation) -> str:
        return format_business_number(obj.business_number) or "—"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_admin(request.user):
            return qs
        in_programs = ConsortiumMember.objects.filter(
            organisation=OuterRef("pk"), consortium__applications__call__program__officers=request.user
        )
        return qs.filter(Exists(in_programs))

    def get_search_results(self, request, queryset, search_term):
        qs, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        digits = re.sub(r"[\s-]", "", search_term)
        if is_ascii_digits(digits) and digits != search_term.strip():
            qs |= queryset.filter(business_number__startswith=digits)  # "123-45-67891" as stored
        return qs, may_have_duplicates


def partial_form(form_class, **kwargs):
    """The admin instantiates its form itself: bind extra arguments (the acting user) here."""

    class Bound(form_class):
        def __init__(self, *args, **more):
            super().__init__(*args, **{**kwargs, **more})

    Bound.__name__ = form_class.__name__
    return Bound


@admin.register(OrganisationStaff)
class OrganisationStaffAdmin(SuperuserAdmin):
    """An administrator confirms a user's membership of an organisation (services.verify_staff)."""

    list_display = ["user", "organisation", "added_at", "verified_at", "verified_by"]
    list_filter = [("verified_at", admin.EmptyFieldListFilter), "organisation__type"]
    search_fields = ["user__username", "user__name", "user__email", "organisation__name"]
    list_select_related = ["user", "organisation", "verified_by"]
    autocomplete_fields = ["user", "organisation"]
    fields = ["organisation", "user", "verified"]
    actions = ["verify"]

    class Form(forms.ModelForm):
        verified = forms.BooleanField(label=gettext_lazy("verified"), required=False)

        class Meta:
            model = OrganisationStaff
            fields = ["organisation", "user"]

    form = Form

    def has_change_permission(self, request, obj=None):
        return False  # verify with the action; the rows are the service's

    def save_model(self, request, obj, form, change):
        row = services.add_staff(
            actor=request.user,
            organisation=form.cleaned_data["organisation"],
            user=form.cleaned_data["user"],
            verified=form.cleaned_data["verified"],
        )
        obj.pk = row.pk

    @admin.action(description=gettext_lazy("Verify the selected staff"))
    def verify(self, request, queryset):
        done = 0
        for pk in queryset.values_list("pk", flat=True):
            services.verify_staff(actor=request.user, staff_id=pk)
            done += 1
        self.message_user(
            request,
            ngettext("%(n)d staff member verified.", "%(n)d staff members verified.", done) % {"n": done},
            messages.SUCCESS,
        )


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


@admin.register(Export)
class ExportAdmin(ReadOnlyAdmin):
    """Every xlsx export's page (any kind): its progress, polled by htmx, then the file; for the
    user who asked for it (and administrators). The list is for administrators."""

    list_display = [
        "pk",
        "kind",
        "requested_by",
        "status",
        "rows_done",
        "rows_total",
        "created_at",
        "finished_at",
    ]
    list_filter = ["kind", "status"]
    list_select_related = ["requested_by"]

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:export_id>/", view(self.status_view), name="consortia_export_status"),
            path("<int:export_id>/download/", view(self.download_view), name="consortia_export_download"),
            *super().get_urls(),
        ]

    def _export_or_404(self, request, export_id: int) -> Export:
        export = get_object_or_404(Export, pk=export_id)
        if not export_jobs.can_download_export(request.user, export):
            raise Http404  # another user's export: not even its existence
        return export

    def status_view(self, request, export_id: int):
        """The export's progress; htmx polls the fragment until the file is ready or it failed."""
        export = self._export_or_404(request, export_id)
        template = (
            "admin/consortia/export/_progress.html"
            if request.headers.get("HX-Request")
            else "admin/consortia/export/status.html"
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Export to Excel (xlsx): %(kind)s") % {"kind": export.get_kind_display()},
            # The header names the section the export came from (awards, monitoring …).
            "opts": django_apps.get_model(export_jobs.KINDS[export.kind].section)._meta,
            "export": export,
            "back_url": export_jobs.KINDS[export.kind].back_url(export),
        }
        return TemplateResponse(request, template, context)

    def download_view(self, request, export_id: int):
        export = self._export_or_404(request, export_id)
        if export.status != Export.Status.DONE or not export.file:
            raise Http404
        return FileResponse(
            export.file.open("rb"),
            as_attachment=True,
            filename=export.file.name.rsplit("/", 1)[-1],
            content_type=export_jobs.XLSX_CONTENT_TYPE,
        )


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


@admin.register(CoLeadInvitation)
class CoLeadInvitationAdmin(ReadOnlyAdmin):
    """Invitations to co-lead: written by the services when a consortium asks and the government answers."""

    list_display = [
        "consortium",
        "organisation",
        "state",
        "invited_by",
        "created_at",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["state"]
    search_fields = ["consortium__name", "organisation__name"]
    list_select_related = ["consortium", "organisation", "invited_by", "decided_by"]
