"""The officers' back office for awards: the case page (tranches, payments, grades, changes,
recoveries, all balances from the ledger), its actions through the services, award creation
from a selected application, and the dashboard (Chart.js as shipped by django-unfold)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.admin import ModelAdmin

from awards import selectors, services
from awards.forms import (
    CarryOverForm,
    CreateAwardForm,
    DecideChangeForm,
    DecideObjectionForm,
    DisbursementRequestForm,
    GradeForm,
    PayForm,
    RecoveryForm,
    RecoveryPaidForm,
    StopForm,
)
from awards.idempotency import run_once
from awards.models import (
    Award,
    AwardChange,
    AwardPolicy,
    Disbursement,
    Grade,
    GradeRule,
    LedgerEntry,
    Recovery,
    StopObjection,
)
from config.errors import DomainError
from config.inputs import is_ascii_digits
from consortia.export_jobs import request_export
from consortia.models import Application, Export
from programs.money import format_krw
from programs.permissions import is_admin, is_officer, officer_program_ids


def _officer(request) -> bool:
    return is_officer(request.user)


def _program_ids(request) -> list[int] | None:
    return officer_program_ids(request.user)


class OfficerOnlyAdmin(ModelAdmin):
    """Officers read (scoped by get_queryset); every write goes through a service."""

    def has_module_permission(self, request):
        return _officer(request)

    def has_view_permission(self, request, obj=None):
        return _officer(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Award)
class AwardAdmin(OfficerOnlyAdmin):
    list_display = ["title", "consortium", "track", "lead_province", "state", "budget", "paid", "remaining"]
    list_filter = [
        ("program", admin.RelatedOnlyFieldListFilter),
        ("call", admin.RelatedOnlyFieldListFilter),
        "state",
    ]
    search_fields = ["title", "consortium__name"]
    list_select_related = ["consortium", "track", "lead_province"]
    change_list_template = "admin/awards/award/change_list.html"

    def get_queryset(self, request):
        qs = selectors.with_balances(super().get_queryset(request))
        ids = _program_ids(request)
        return qs if ids is None else qs.filter(program_id__in=ids)

    @admin.display(description=gettext_lazy("budget"), ordering="budget_krw")
    def budget(self, obj):
        return format_krw(obj.budget_krw)

    @admin.display(description=gettext_lazy("paid"), ordering="paid_krw")
    def paid(self, obj):
        return format_krw(obj.paid_krw)

    @admin.display(description=gettext_lazy("remaining"), ordering="remaining_krw")
    def remaining(self, obj):
        return format_krw(obj.remaining_krw)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("create/", view(self.create_view), name="awards_award_create"),
            path("dashboard/", view(self.dashboard_view), name="awards_dashboard"),
            path("dashboard/export/", view(self.dashboard_export_view), name="awards_dashboard_export"),
            path("<int:pk>/case/", view(self.case_view), name="awards_award_case"),
            path("<int:pk>/request/", view(self.request_view), name="awards_award_request"),
            path("<int:pk>/grade/", view(self.grade_view), name="awards_award_grade"),
            path("<int:pk>/act/<slug:action>/", view(self.act_view), name="awards_award_act"),
            path(
                "disbursement/<int:pk>/approve/", view(self.approve_view), name="awards_disbursement_approve"
            ),
            path("disbursement/<int:pk>/pay/", view(self.pay_view), name="awards_disbursement_pay"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:awards_award_case", args=[object_id]))

    # -- helpers ------------------------------------------------------------------------------

    def _award(self, request, pk: int) -> Award:
        award = get_object_or_404(self.get_queryset(request), pk=pk)
        if not is_admin(request.user) and not award.program.officers.filter(pk=request.user.pk).exists():
            raise PermissionDenied
        return award

    def _run(self, request, form, scope: str, run) -> bool:
        """Runs a service once per form key; domain errors become form errors and messages."""
        try:
            run_once(
                user=request.user,
                key=form.cleaned_data["idempotency_key"],
                scope=scope,
                data={k: str(v) for k, v in form.cleaned_data.items() if k != "idempotency_key"},
                run=lambda: (200, {"ok": run() is not None}),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            for field, errors in exc.fields.items():
                form.add_error(field if field in form.fields else None, errors)
            return False
        except PermissionDenied:
            messages.error(request, _("You may not do this on this award."))
            return False
        return True

    def _case_redirect(self, pk: int):
        return HttpResponseRedirect(reverse("admin:awards_award_case", args=[pk]))

    # -- the case page ------------------------------------------------------------------------

    def case_view(self, request, pk: int, forms: dict | None = None):
        award = self._award(request, pk)
        tranches = list(selectors.tranches_of(award))
        forms = forms or {}
        context = {
            **self.admin_site.each_context(request),
            "title": award.title,
            "opts": self.model._meta,
            "award": award,
            "balances": selectors.award_balances(award.pk),
            "stages": list(award.stages.all()),
            "members": list(award.members.select_related("province")),
            "provinces": list(award.provinces.select_related("province")),
            "years": selectors.year_totals(award),
            "tranches": tranches,
            "disbursements": list(selectors.disbursements_of(award)),
            "grades": list(Grade.objects.filter(award=award)),
            "changes": list(AwardChange.objects.filter(award=award).prefetch_related("items")),
            "objections": list(StopObjection.objects.filter(award=award).select_related("grade")),
            "recoveries": list(Recovery.objects.filter(award=award).select_related("tranche")),
            "request_form": forms.get("request")
            or DisbursementRequestForm(
                tranches=[t for t in tranches if t.released_on and not t.cancelled_on]
            ),
            "grade_form": forms.get("grade")
            or GradeForm(scale=GradeRule.objects.filter(program_id=award.program_id)),
            "pay_form": PayForm(),
            **self._officer_forms(award, tranches, forms),
        }
        return TemplateResponse(request, "admin/awards/award/case.html", context)

    def _officer_forms(self, award: Award, tranches: list, bound: dict) -> dict:
        open_recoveries = [r for r in Recovery.objects.filter(award=award) if r.state != Recovery.State.PAID]
        pending = list(AwardChange.objects.filter(award=award, state=AwardChange.State.PENDING))
        objections = list(StopObjection.objects.filter(award=award, state=StopObjection.State.OPEN))
        released = [t for t in tranches if t.released_on and not t.cancelled_on]
        return {
            "act_forms": [
                (
                    "carry_over",
                    _("Carry over (이월)"),
                    bound.get("carry_over") or CarryOverForm(tranches=released),
                ),
                (
                    "recovery",
                    _("Notify a recovery (환수)"),
                    bound.get("recovery") or RecoveryForm(tranches=released),
                ),
                *(
                    [("recovery_paid", _("Recovery paid"), RecoveryPaidForm(recoveries=open_recoveries))]
                    if open_recoveries
                    else []
                ),
                *(
                    [("decide_change", _("Decide an award change"), DecideChangeForm(changes=pending))]
                    if pending
                    else []
                ),
                *(
                    [
                        (
                            "objection",
                            _("Decide the objection to the stop"),
                            bound.get("objection")
                            or DecideObjectionForm(
                                objections=objections,
                                scale=GradeRule.objects.filter(program_id=award.program_id),
                            ),
                        )
                    ]
                    if objections
                    else []
                ),
                *(
                    [("stop", _("Stop notified"), StopForm())]
                    if award.state == Award.State.STOP_PENDING and not objections
                    else []
                ),
            ]
        }

    def act_view(self, request, pk: int, action: str):
        """The officer's other steps on the case page, each through its service, once per key."""
        award = self._award(request, pk)
        if request.method != "POST":
            return self._case_redirect(pk)
        tranches = list(award.tranches.all())
        actor = request.user
        steps = {
            "carry_over": (
                lambda: CarryOverForm(request.POST, tranches=tranches),
                lambda d: services.carry_over(
                    actor=actor,
                    from_tranche_id=d["from_tranche"],
                    amount_krw=d["amount_krw"],
                    reason=d["reason"],
                ),
            ),
            "recovery": (
                lambda: RecoveryForm(request.POST, tranches=tranches),
                lambda d: services.notify_recovery(
                    actor=actor,
                    tranche_id=d["tranche"],
                    amount_krw=d["amount_krw"],
                    reason=d["reason"],
                    notified_on=d["notified_on"],
                ),
            ),
            "recovery_paid": (
                lambda: RecoveryPaidForm(request.POST, recoveries=Recovery.objects.filter(award=award)),
                lambda d: services.record_recovery_payment(
                    actor=actor, recovery_id=d["recovery"], paid_on=d["paid_on"]
                ),
            ),
            "decide_change": (
                lambda: DecideChangeForm(request.POST, changes=AwardChange.objects.filter(award=award)),
                lambda d: services.decide_change(
                    actor=actor, change_id=d["change"], approve=d["approve"], reason=d["reason"]
                ),
            ),
            "objection": (
                lambda: DecideObjectionForm(
                    request.POST,
                    objections=StopObjection.objects.filter(award=award),
                    scale=GradeRule.objects.filter(program_id=award.program_id),
                ),
                lambda d: services.decide_stop_objection(
                    actor=actor,
                    objection_id=d["objection"],
                    upheld=d["upheld"],
                    answer=d["answer"],
                    revised_code=d["revised_code"],
                ),
            ),
            "stop": (
                lambda: StopForm(request.POST),
                lambda d: (
                    services.confirm_stop(actor=actor, award_id=pk)
                    if d["action"] == "confirm"
                    else services.resume_award(actor=actor, award_id=pk, reason=d["reason"])
                ),
            ),
        }
        if action not in steps:
            return self._case_redirect(pk)
        make_form, step = steps[action]
        form = make_form()
        if form.is_valid() and self._run(
            request, form, f"award:{pk}:{action}", lambda: step(form.cleaned_data)
        ):
            messages.success(request, _("Done."))
            return self._case_redirect(pk)
        return self.case_view(request, pk, forms={action: form})

    def request_view(self, request, pk: int):
        award = self._award(request, pk)
        if request.method != "POST":
            return self._case_redirect(pk)
        form = DisbursementRequestForm(request.POST, tranches=list(award.tranches.all()))
        if form.is_valid() and self._run(
            request,
            form,
            f"award:{pk}:disbursement",
            lambda: services.request_disbursement(
                actor=request.user,
                tranche_id=form.cleaned_data["tranche"],
                amount_krw=form.cleaned_data["amount_krw"],
                note=form.cleaned_data["note"],
            ),
        ):
            messages.success(request, _("Disbursement requested."))
            return self._case_redirect(pk)
        return self.case_view(request, pk, forms={"request": form})

    def grade_view(self, request, pk: int):
        award = self._award(request, pk)
        if request.method != "POST":
            return self._case_redirect(pk)
        form = GradeForm(request.POST, scale=GradeRule.objects.filter(program_id=award.program_id))
        if form.is_valid() and self._run(
            request,
            form,
            f"award:{pk}:grade",
            lambda: services.record_grade(
                actor=request.user,
                award_id=pk,
                year=form.cleaned_data["year"],
                code=form.cleaned_data["code"],
                kind=form.cleaned_data["kind"],
                decision=form.cleaned_data["decision"],
            ),
        ):
            messages.success(request, _("Grade recorded; the next tranche follows the program's rule."))
            return self._case_redirect(pk)
        return self.case_view(request, pk, forms={"grade": form})

    def _disbursement(self, request, pk: int) -> Disbursement:
        d = get_object_or_404(Disbursement.objects.select_related("tranche"), pk=pk)
        self._award(request, d.tranche.award_id)
        return d

    def approve_view(self, request, pk: int):
        d = self._disbursement(request, pk)
        if request.method == "POST":
            try:
                services.approve_disbursement(actor=request.user, disbursement_id=pk)
                messages.success(request, _("Disbursement approved."))
            except DomainError as exc:
                messages.error(request, exc.message)
        return self._case_redirect(d.tranche.award_id)

    def pay_view(self, request, pk: int):
        d = self._disbursement(request, pk)
        if request.method == "POST":
            form = PayForm(request.POST)
            if form.is_valid() and self._run(
                request,
                form,
                f"disbursement:{pk}:pay",
                lambda: services.pay_disbursement(
                    actor=request.user,
                    disbursement_id=pk,
                    paid_on=form.cleaned_data["paid_on"],
                    reference=form.cleaned_data["reference"],
                ),
            ):
                messages.success(request, _("Payment recorded."))
            elif not form.is_valid():
                messages.error(request, _("Enter the payment date and reference."))
        return self._case_redirect(d.tranche.award_id)

    # -- creating an award ---------------------------------------------------------------------

    def create_view(self, request):
        ids = _program_ids(request)
        candidates = Application.objects.filter(state=Application.State.SELECTED).filter(
            ~Exists(Award.objects.filter(application=OuterRef("pk")))
        )
        if ids is not None:
            candidates = candidates.filter(call__program_id__in=ids)
        candidates = list(candidates.select_related("consortium").order_by("title"))
        form = CreateAwardForm(request.POST or None, applications=candidates)
        if request.method == "POST" and form.is_valid():
            created: dict = {}

            def run():
                award = services.create_award(
                    actor=request.user,
                    application_id=form.cleaned_data["application"],
                    notified_on=form.cleaned_data["notified_on"],
                    starts_on=form.cleaned_data["starts_on"],
                    stage_years=form.cleaned_data["stage_years"],
                )
                created["pk"] = award.pk
                return award

            try:
                _status, body, _replayed = run_once(
                    user=request.user,
                    key=form.cleaned_data["idempotency_key"],
                    scope="award:create",
                    data={k: str(v) for k, v in form.cleaned_data.items() if k != "idempotency_key"},
                    run=lambda: (201, {"id": run().pk}),
                )
            except DomainError as exc:
                messages.error(request, exc.message)
                for field, errors in exc.fields.items():
                    form.add_error(field if field in form.fields else None, errors)
            except PermissionDenied:
                messages.error(request, _("You may not create awards in this program."))
            else:
                messages.success(request, _("Award created."))
                return self._case_redirect(body["id"])
        context = {
            **self.admin_site.each_context(request),
            "title": _("Create an award from a selected application"),
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/awards/award/create.html", context)

    # -- dashboard -----------------------------------------------------------------------------

    def _call_id(self, request) -> int | None:
        call_id = request.POST.get("call") or request.GET.get("call")
        return int(call_id) if call_id and is_ascii_digits(call_id) and len(call_id) <= 18 else None

    def _dashboard_data(self, request) -> dict:
        if not _officer(request):
            raise PermissionDenied
        return selectors.dashboard(
            program_ids=_program_ids(request), on=timezone.localdate(), call_id=self._call_id(request)
        )

    def dashboard_export_view(self, request):
        """The dashboard's tables as xlsx: a job of the export machinery, then its progress page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        call_id = self._call_id(request)
        export = request_export(
            actor=request.user,
            kind=Export.Kind.AWARDS_DASHBOARD,
            params={"call_id": call_id} if call_id else {},
        )
        return HttpResponseRedirect(reverse("admin:consortia_export_status", args=[export.pk]))

    def dashboard_view(self, request):
        data = self._dashboard_data(request)
        chart_year = {
            "labels": [str(r["year"]) for r in data["by_year"]],
            "datasets": [
                {"label": _("planned"), "data": [r["awarded_krw"] for r in data["by_year"]]},
                {"label": _("disbursed"), "data": [r["disbursed_krw"] for r in data["by_year"]]},
            ],
        }
        chart_region = {
            "labels": [r["region"] for r in data["by_region"]],
            "datasets": [
                {"label": _("awarded"), "data": [r["awarded_krw"] for r in data["by_region"]]},
                {"label": _("disbursed"), "data": [r["disbursed_krw"] for r in data["by_region"]]},
            ],
        }
        calls = Award.objects.all()
        if (ids := _program_ids(request)) is not None:
            calls = calls.filter(program_id__in=ids)
        context = {
            **self.admin_site.each_context(request),
            "calls": calls.values_list("call_id", "call__title").distinct().order_by("call__title"),
            "call_id": request.GET.get("call", ""),
            "title": _("Awards dashboard"),
            "opts": self.model._meta,
            "data": data,
            "chart_year": chart_year,
            "chart_region": chart_region,
        }
        return TemplateResponse(request, "admin/awards/dashboard.html", context)


@admin.register(Disbursement)
class DisbursementAdmin(OfficerOnlyAdmin):
    list_display = ["tranche", "amount", "state", "requested_at", "paid_on", "reference"]
    list_filter = ["state"]
    list_select_related = ["tranche__award", "tranche__member"]
    actions = ["approve_selected"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        ids = _program_ids(request)
        return qs if ids is None else qs.filter(tranche__award__program_id__in=ids)

    @admin.display(description=gettext_lazy("amount"), ordering="amount_krw")
    def amount(self, obj):
        return format_krw(obj.amount_krw)

    def has_approve_permission(self, request):
        return _officer(request)

    @admin.action(description=gettext_lazy("Approve selected disbursements"), permissions=["approve"])
    def approve_selected(self, request, queryset):
        done = 0
        for pk in queryset.values_list("pk", flat=True):
            try:
                services.approve_disbursement(actor=request.user, disbursement_id=pk)
                done += 1
            except (DomainError, PermissionDenied) as exc:
                messages.error(request, f"#{pk}: {getattr(exc, 'message', _('not allowed'))}")
        if done:
            messages.success(request, _("%(n)d disbursements approved.") % {"n": done})


@admin.register(LedgerEntry)
class LedgerEntryAdmin(OfficerOnlyAdmin):
    list_display = ["at", "award", "tranche", "kind", "bucket", "amount_krw", "reason"]
    list_filter = ["kind", "bucket"]
    list_select_related = ["award", "tranche__member"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        ids = _program_ids(request)
        return qs if ids is None else qs.filter(award__program_id__in=ids)


@admin.register(GradeRule)
class GradeRuleAdmin(ModelAdmin):
    list_display = ["program", "code", "label", "order", "change_percent", "stops"]
    list_filter = ["program"]


@admin.register(AwardPolicy)
class AwardPolicyAdmin(ModelAdmin):
    list_display = ["program", "carry_over_limit_percent", "objection_days", "recovery_days", "demand_days"]
