"""/my/: the user's consortia and applications."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from consortia import selectors

# --- my consortia and applications ---------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    consortia = list(selectors.consortia_for(request.user))
    applications = list(
        selectors.applications_for(request.user).filter(consortium__in=[c.pk for c in consortia])
    )
    totals = selectors.budget_totals_by_year([a.pk for a in applications])
    for application in applications:
        years = totals.get(application.pk, {})
        application.national_total_krw = sum(y["national_krw"] for y in years.values())
        application.plan_total_krw = sum(sum(y.values()) for y in years.values())
    return render(request, "consortia/home.html", {"consortia": consortia, "applications": applications})
