"""The applicant's portal pages: an award's milestones (submit an upload with a note) and its
KPI reports (report an actual with evidence), under /my/awards/<id>/."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from awards.models import Award
from config.errors import DomainError
from monitoring import selectors, services
from monitoring.forms import KpiReportForm, SubmitMilestoneForm
from monitoring.indicators import UNIT_LABELS, unit_of
from monitoring.models import KpiReport
from monitoring.permissions import can_report_kpi, can_submit_milestone, can_view_monitoring


def _visible(user, pk: int) -> Award:
    award = Award.objects.select_related("consortium", "program").filter(pk=pk).first()
    if award is None or not can_view_monitoring(user, award):
        raise Http404
    return award


def _apply_errors(form, exc: DomainError) -> None:
    for field, errors in exc.fields.items():
        form.add_error(field if field in form.fields else None, errors)
    if not exc.fields:
        form.add_error(None, exc.message)


@login_required
def milestones(request: HttpRequest, pk: int) -> HttpResponse:
    award = _visible(request.user, pk)
    form = SubmitMilestoneForm()
    if request.method == "POST":
        form = SubmitMilestoneForm(request.POST, request.FILES)
        if form.is_valid():
            milestone_id = form.cleaned_data["milestone"]
            if not award.milestones.filter(pk=milestone_id).exists():
                raise Http404
            try:
                services.submit_milestone(
                    actor=request.user,
                    milestone_id=milestone_id,
                    upload=form.cleaned_data["file"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as exc:
                _apply_errors(form, exc)
            except PermissionDenied:
                form.add_error(None, _("You may not submit for this award."))
            else:
                messages.success(request, _("Submitted: the program officer will review it."))
                return redirect("monitoring-portal:milestones", pk=pk)
    rows = list(selectors.milestones_of(award_id=award.pk)[: selectors.MAX_ROWS])
    context = {
        "award": award,
        "milestones": rows,
        "form": form,
        "can_submit": can_submit_milestone(request.user, award),
    }
    return TemplateResponse(request, "monitoring/milestones.html", context)


@login_required
def kpi_reports(request: HttpRequest, pk: int) -> HttpResponse:
    award = _visible(request.user, pk)
    form = KpiReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_kpi(actor=request.user, award_id=award.pk, **form.cleaned_data)
        except DomainError as exc:
            _apply_errors(form, exc)
        except PermissionDenied:
            form.add_error(None, _("You may not report for this award."))
        else:
            messages.success(request, _("Reported: the program officer will validate it."))
            return redirect("monitoring-portal:kpis", pk=pk)
    reports = list(KpiReport.objects.filter(award=award).order_by("year", "indicator")[: selectors.MAX_ROWS])
    for r in reports:
        r.unit_label = UNIT_LABELS[unit_of(r.indicator)]
    context = {
        "award": award,
        "reports": reports,
        "form": form,
        "can_report": can_report_kpi(request.user, award),
    }
    return TemplateResponse(request, "monitoring/kpi_reports.html", context)
