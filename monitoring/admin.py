"""Officers' back office for monitoring: milestones and KPI reports (read here, moved through
the services), and the monitoring dashboard: KPI achievement by region and track over years
beside the national 2030 indicators, overdue milestones, and the xlsx export."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from awards.admin import OfficerOnlyAdmin, _program_ids
from config.errors import DomainError
from consortia.choices import KpiIndicator
from consortia.export_jobs import request_export
from consortia.models import Export
from monitoring import selectors, services
from monitoring.indicators import NATIONAL_2030, unit_of
from monitoring.models import KpiReport, KpiRollup, Milestone


@admin.register(Milestone)
class MilestoneAdmin(OfficerOnlyAdmin):
    list_display = ["title", "award", "kind", "due_on", "state"]
    list_filter = ["kind", "state", ("award__program", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "award__title"]
    list_select_related = ["award"]
    actions = ["accept_selected"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        ids = _program_ids(request)
        return qs if ids is None else qs.filter(award__program_id__in=ids)

    def has_accept_permission(self, request):
        return self.has_view_permission(request)

    @admin.action(description=gettext_lazy("Accept selected submitted milestones"), permissions=["accept"])
    def accept_selected(self, request, queryset):
        _decide(request, queryset, lambda pk: services.accept_milestone(actor=request.user, milestone_id=pk))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("dashboard/", view(self.dashboard_view), name="monitoring_dashboard"),
            path("dashboard/export/", view(self.export_view), name="monitoring_export"),
            *super().get_urls(),
        ]

    def dashboard_view(self, request):
        ids = _program_ids(request)
        indicator = request.GET.get("indicator") or KpiIndicator.NEW_JOBS
        if indicator not in KpiIndicator.values:
            indicator = KpiIndicator.NEW_JOBS
        charts = {
            level: _chart(selectors.rollup_rows(program_ids=ids, level=level, indicator=indicator))
            for level in (KpiRollup.Level.REGION, KpiRollup.Level.TRACK)
        }
        context = {
            **self.admin_site.each_context(request),
            "title": _("Monitoring dashboard"),
            "opts": self.model._meta,
            "indicator": indicator,
            "indicator_unit": unit_of(indicator),
            "indicators": KpiIndicator.choices,
            "chart_region": charts[KpiRollup.Level.REGION],
            "chart_track": charts[KpiRollup.Level.TRACK],
            "program_rows": [
                {
                    **r,
                    "achievement_display": "—"
                    if r["year"] > timezone.localdate().year
                    else selectors.format_achievement(r["achievement"]),
                }
                for r in selectors.rollup_rows(program_ids=ids, level=KpiRollup.Level.PROGRAM)
            ],
            "national": _national(ids),
            "overdue": list(selectors.overdue_milestones(program_ids=ids, on=timezone.localdate())[:100]),
            "pending_reports": list(selectors.pending_kpi_reports(program_ids=ids)[:100]),
        }
        return TemplateResponse(request, "admin/monitoring/dashboard.html", context)

    def export_view(self, request):
        """The dashboard's workbook: a job of the export machinery, then its progress page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        export = request_export(actor=request.user, kind=Export.Kind.MONITORING_DASHBOARD)
        return HttpResponseRedirect(reverse("admin:consortia_export_status", args=[export.pk]))


def _decide(request, queryset, run) -> None:
    done = 0
    for pk in queryset.values_list("pk", flat=True)[:500]:
        try:
            run(pk)
            done += 1
        except (DomainError, PermissionDenied) as exc:
            messages.error(request, f"#{pk}: {getattr(exc, 'message', _('not allowed'))}")
    if done:
        messages.success(request, _("%(n)d done.") % {"n": done})


def _chart(rows: list[dict]) -> dict:
    """Achievement (%) per subject over calendar years, for Chart.js (a ratio of sums per point)."""
    # A year that has not begun has nothing to achieve yet: it is left off, not drawn as 0 %.
    this_year = timezone.localdate().year
    years = sorted({r["year"] for r in rows if r["year"] <= this_year})
    subjects = sorted({r["subject"] for r in rows})
    cell = {(r["subject"], r["year"]): r["achievement"] for r in rows}
    return {
        "labels": [str(y) for y in years],
        "datasets": [
            {
                "label": subject,
                "data": [
                    None if cell.get((subject, y)) is None else round(float(cell[(subject, y)]) * 100, 1)
                    for y in years
                ],
            }
            for subject in subjects
        ],
    }


def _national(program_ids: list[int] | None) -> list[dict]:
    """The 2030 indicators beside the program's validated contribution, where we measure one."""
    qs = KpiRollup.objects.filter(level=KpiRollup.Level.PROGRAM)
    if program_ids is not None:
        qs = qs.filter(program_id__in=program_ids)
    totals = dict(qs.values_list("indicator").annotate(total=Sum("actual")).values_list("indicator", "total"))
    return [
        {
            "label": n.label,
            "baseline": n.baseline,
            "target_2030": n.target_2030,
            "contribution": totals.get(n.indicator, 0) if n.indicator else None,
        }
        for n in NATIONAL_2030
    ]


@admin.register(KpiReport)
class KpiReportAdmin(OfficerOnlyAdmin):
    list_display = ["award", "indicator", "year", "value", "state", "reported_at"]
    list_filter = ["state", "indicator", ("award__program", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["award__title"]
    list_select_related = ["award"]
    actions = ["validate_selected"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        ids = _program_ids(request)
        return qs if ids is None else qs.filter(award__program_id__in=ids)

    def has_validate_permission(self, request):
        return self.has_view_permission(request)

    @admin.action(description=gettext_lazy("Validate selected KPI reports"), permissions=["validate"])
    def validate_selected(self, request, queryset):
        _decide(request, queryset, lambda pk: services.validate_kpi(actor=request.user, report_id=pk))
