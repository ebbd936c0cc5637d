from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from unfold.admin import ModelAdmin, StackedInline, TabularInline
from unfold.decorators import action
from unfold.forms import BaseDialogForm
from unfold.widgets import UnfoldAdminSplitDateTimeWidget, UnfoldAdminTextareaWidget

from config.errors import DomainError
from programs import selectors, services
from programs.admin_beat import UNFOLD_BEAT_ADMINS
from programs.models import (
    DEFAULT_EXEMPT_KINDS,
    Call,
    ConcurrencyExemption,
    CostShareRate,
    MatchingRule,
    MemberTypeRequirement,
    Program,
    Province,
    ProvinceCorrection,
    ProvinceSuccession,
    Region,
    RegionScheme,
    RequiredDocument,
    Track,
    WorkerHeartbeat,
)
from programs.permissions import is_admin, is_officer, is_officer_of
from programs.selectors import call_rules_locked


class ProvinceSuccessionInline(TabularInline):
    model = ProvinceSuccession
    fk_name = "predecessor"
    extra = 0
    autocomplete_fields = ["successor"]
    verbose_name = _("became")
    verbose_name_plural = _("became (successors)")


class OfficersReadReferenceData:
    """Provinces and region schemes: officers read them (a call's page links to its scheme),
    administrators change them (Django's model permissions)."""

    def has_module_permission(self, request):
        return is_officer(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_officer(request.user) or super().has_view_permission(request, obj)


@admin.register(Province)
class ProvinceAdmin(OfficersReadReferenceData, ModelAdmin):
    """Administrators add a merger or a new code as data: a new row plus succession rows."""

    list_display = ["code", "name", "name_en", "effective_from", "effective_to"]
    list_filter = ["regions__scheme", "regions"]
    search_fields = ["code", "name", "name_en"]
    inlines = [ProvinceSuccessionInline]
    readonly_fields = ["correction_log"]

    @admin.display(description=_("corrections"))
    def correction_log(self, obj: Province) -> str:
        """Every correction with its old and new value (services.correct_province writes them)."""
        rows = obj.corrections.select_related("actor") if obj.pk else []
        return (
            format_html_join(
                mark_safe("<br>"),
                "{} · {} · {}: {} → {}",
                (
                    (
                        timezone.localtime(c.at).strftime("%Y-%m-%d %H:%M"),
                        c.actor,
                        c.field,
                        c.old_value,
                        c.new_value,
                    )
                    for c in rows
                ),
            )
            or "-"
        )

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        # A correction goes through the service, which logs each old and new value.
        services.correct_province(
            actor=request.user,
            province_id=obj.pk,
            **{f: form.cleaned_data[f] for f in form.changed_data if f in services.PROVINCE_FIELDS},
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for succession in form.instance.succeeded_by.select_related("successor"):
            services.inherit_regions(succession.successor)


class RegionInline(StackedInline):
    model = Region
    extra = 0
    filter_horizontal = ["provinces"]


@admin.register(RegionScheme)
class RegionSchemeAdmin(OfficersReadReferenceData, ModelAdmin):
    list_display = ["name", "name_en", "is_default"]
    inlines = [RegionInline]


@admin.register(CostShareRate)
class CostShareRateAdmin(OfficersReadReferenceData, ModelAdmin):
    """The versioned rate table: a law change is a new row with its date, never an edit of the
    rates earlier calls were checked against."""

    list_display = [
        "type_label",
        "effective_from",
        "government_max_percent",
        "own_cash_min_percent",
        "source",
    ]
    list_filter = ["organisation_type"]

    @admin.display(description=_("firm type"), ordering="organisation_type")
    def type_label(self, obj: CostShareRate) -> str:
        from consortia.choices import OrganisationType

        try:
            return str(OrganisationType(obj.organisation_type).label)
        except ValueError:
            return obj.organisation_type


@admin.register(Region)
class RegionAdmin(OfficersReadReferenceData, ModelAdmin):
    list_display = ["name", "scheme", "code", "is_capital_area"]
    list_filter = ["scheme"]
    list_select_related = ["scheme"]
    filter_horizontal = ["provinces"]


class ConcurrencyExemptionInline(TabularInline):
    model = ConcurrencyExemption
    extra = 0


@admin.register(Program)
class ProgramAdmin(ModelAdmin):
    list_display = ["name", "ministry", "code"]
    search_fields = ["name", "name_en", "code"]
    filter_horizontal = ["officers"]
    inlines = [ConcurrencyExemptionInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change and not form.instance.concurrency_exemptions.exists():
            # The decree's exclusions (pre-study, planning, evaluation, ...) are the default.
            ConcurrencyExemption.objects.bulk_create(
                [ConcurrencyExemption(program=form.instance, kind=k) for k in DEFAULT_EXEMPT_KINDS]
            )

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if is_admin(request.user) else qs.filter(officers=request.user)

    def has_module_permission(self, request):
        return is_officer(request.user)

    def has_view_permission(self, request, obj=None):
        return is_officer(request.user) if obj is None else is_officer_of(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return is_admin(request.user)

    def has_add_permission(self, request):
        return is_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_admin(request.user)


class CallChildInline(TabularInline):
    """Tracks and rules: read-only once the call's first application is submitted."""

    extra = 0

    def _editable(self, request, obj) -> bool:
        if obj is None:
            return is_officer(request.user)
        return is_officer_of(request.user, obj.program_id) and not call_rules_locked(obj)

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_view_permission(self, request, obj=None):
        return is_officer(request.user)


class TrackInline(CallChildInline):
    model = Track
    min_num = 1


class MatchingRuleInline(CallChildInline):
    model = MatchingRule


class MemberRequirementInline(CallChildInline):
    model = MemberTypeRequirement


class RequiredDocumentInline(CallChildInline):
    model = RequiredDocument


class CallAdminForm(forms.ModelForm):
    class Meta:
        model = Call
        fields = "__all__"  # noqa: DJ007 (the admin decides which fields it shows)

    def clean(self):
        data = super().clean()
        instance = self.instance
        if instance.pk and call_rules_locked(instance):
            locked = sorted(services.RULE_FIELDS & set(self.changed_data))
            for field in locked:
                self.add_error(field, _("Locked: applications have been submitted."))
        if self.errors:
            return data
        program = data.get("program")
        scheme = data.get("region_scheme")
        if program and scheme and data.get("opens_at") and data.get("closes_at"):
            errors = services.call_errors(
                program=program,
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                stage=data.get("stage") or Call.Stage.SINGLE,
                parent=data.get("parent"),
                region_scheme=scheme,
                eligible_regions=data.get("eligible_regions") or [],
                eligible_provinces=data.get("eligible_provinces") or [],
            )
            for field, messages in errors.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        guideline = data.get("guideline")
        if guideline and "guideline" in self.changed_data:
            try:
                services.check_pdf(guideline, field="guideline")
            except services.InvalidCall as exc:
                for message in exc.fields.get("guideline", [exc.message]):
                    self.add_error("guideline", message)
        return data


class ExtendDeadlineForm(BaseDialogForm):
    closes_at = forms.SplitDateTimeField(label=_("new close time"), widget=UnfoldAdminSplitDateTimeWidget)
    reason = forms.CharField(
        label=_("reason"), max_length=2000, widget=UnfoldAdminTextareaWidget(attrs={"rows": 3})
    )


@admin.register(Call)
class CallAdmin(ModelAdmin):
    form = CallAdminForm
    # Before anyone types: which rules are frozen, since when and why; and the extensions so far.
    change_form_before_template = "admin/programs/call/frozen.html"
    actions_detail = ["extend_deadline"]
    list_display = ["title", "program", "year", "stage", "opens_at", "closes_at", "status"]
    list_filter = ["program", "year", "stage"]
    list_select_related = ["program"]
    search_fields = ["title", "title_en"]
    filter_horizontal = ["eligible_regions", "eligible_provinces"]
    autocomplete_fields = ["parent"]
    inlines = [TrackInline, MatchingRuleInline, MemberRequirementInline, RequiredDocumentInline]

    @admin.display(description=_("status"))
    def status(self, obj: Call) -> str:
        return obj.status_label

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and call_rules_locked(obj):
            # Tracks and rules are inlines, read-only by CallChildInline; these are the call's own.
            own = {f.name for f in Call._meta.get_fields() if not f.one_to_many and not f.auto_created}
            return sorted(services.RULE_FIELDS & own)
        return super().get_readonly_fields(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        call = self.get_queryset(request).filter(pk=object_id).first() if object_id else None
        if call is not None:
            extra_context["frozen"] = selectors.call_freeze(call, services.RULE_FIELDS)
            extra_context["extensions"] = call.deadline_extensions.select_related("actor")
        return super().changeform_view(request, object_id, form_url, extra_context)

    def has_extend_deadline_permission(self, request, object_id=None):
        call = self.get_queryset(request).filter(pk=object_id).first() if object_id else None
        return bool(call and is_officer_of(request.user, call.program_id) and call_rules_locked(call))

    @action(
        description=_("Extend the deadline"),
        url_path="extend-deadline",
        permissions=["extend_deadline"],
        icon="more_time",
        dialog={
            "title": _("Extend the deadline"),
            "description": _(
                "The call's rules are frozen; only its close time moves. The extension is recorded "
                "with its reason and every applicant of this call is told by email."
            ),
            "form_class": ExtendDeadlineForm,
            "form_submit_text": _("Extend the deadline"),
        },
    )
    def extend_deadline(self, request, form, object_id):
        try:
            extension = services.extend_call_deadline(
                actor=request.user,
                call_id=int(object_id),
                closes_at=form.cleaned_data["closes_at"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            details = " ".join(m for ms in exc.fields.values() for m in ms)
            self.message_user(request, f"{exc.message} {details}".strip(), messages.ERROR)
        else:
            self.message_user(
                request,
                _("The deadline is now %(at)s; the applicants are being told.")
                % {"at": timezone.localtime(extension.new_closes_at).strftime("%Y-%m-%d %H:%M")},
                messages.SUCCESS,
            )
        url = reverse("admin:programs_call_change", args=[object_id])
        if request.headers.get("HX-Request"):
            return HttpResponse(headers={"HX-Redirect": url})
        return HttpResponseRedirect(url)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if is_admin(request.user) else qs.filter(program__officers=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "program" and not is_admin(request.user):
            kwargs["queryset"] = Program.objects.filter(officers=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return is_officer(request.user)

    def has_view_permission(self, request, obj=None):
        return is_officer(request.user) if obj is None else is_officer_of(request.user, obj.program_id)

    has_change_permission = has_view_permission
    has_delete_permission = has_view_permission

    def has_add_permission(self, request):
        return is_officer(request.user)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ModelAdmin):
    list_display = ["name", "last_seen_at", "runs"]
    readonly_fields = ["name", "last_seen_at", "runs"]


# --- schedules: administrators manage celery beat's periodic tasks (django-celery-beat) -------
# Not officers: the tasks are the system's own (email recovery, the heartbeat, the province move),
# and one program's officer must not switch them off for every program.


def _superuser_scoped(admin_class):
    """The same admin, for superusers only (not staff given the model permissions either)."""

    class SuperuserAdmin(admin_class):
        def has_module_permission(self, request):
            return is_admin(request.user)

        def has_view_permission(self, request, obj=None):
            return is_admin(request.user)

        has_change_permission = has_view_permission
        has_add_permission = has_module_permission
        has_delete_permission = has_view_permission

    SuperuserAdmin.__name__ = admin_class.__name__
    return SuperuserAdmin


for _model in (PeriodicTask, IntervalSchedule, CrontabSchedule, ClockedSchedule, SolarSchedule):
    _existing = UNFOLD_BEAT_ADMINS[_model]  # unfold's look; the permissions are _officer_scoped's
    admin.site.unregister(_model)
    admin.site.register(_model, _superuser_scoped(_existing))


@admin.register(ProvinceCorrection)
class ProvinceCorrectionAdmin(ModelAdmin):
    """The log of province corrections (old and new values): written by the service, read here."""

    list_display = ["at", "province", "field", "old_value", "new_value", "actor"]
    list_filter = ["field"]
    list_select_related = ["province", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
