"""/my/: the user's consortia and applications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from config.errors import DomainError
from config.paging import page_number, page_of
from consortia import selectors, services

# --- my consortia and applications ---------------------------------------------------------------

HOME_PAGE_SIZE = 20


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    # A contact of many consortia (40 and more) pages through both lists; no total is shown,
    # so no page counts its list (config/paging.py).
    applications = page_of(
        selectors.applications_of_contact(request.user),
        page_number(request.GET.get("applications_page")),
        HOME_PAGE_SIZE,
    )
    consortia = page_of(
        selectors.consortia_for(request.user), page_number(request.GET.get("consortia_page")), HOME_PAGE_SIZE
    )
    totals = selectors.budget_totals_by_year([a.pk for a in applications])
    for application in applications:
        years = totals.get(application.pk, {})
        application.national_total_krw = sum(y["national_krw"] for y in years.values())
        application.plan_total_krw = sum(sum(y.values()) for y in years.values())
    return render(
        request,
        "consortia/home.html",
        {
            "consortia": consortia,
            "applications": applications,
            "invitations": list(selectors.pending_invitations_for(request.user)),
        },
    )


@login_required
@require_POST
def invitation_answer(request: HttpRequest, pk: int, answer: str) -> HttpResponse:
    """The invited local government's verified staff accept or decline to co-lead."""
    if answer not in ("accept", "decline"):
        raise Http404
    invitation = get_object_or_404(selectors.pending_invitations_for(request.user), pk=pk)
    try:
        services.answer_co_lead_invitation(
            actor=request.user, invitation_id=invitation.pk, accept=answer == "accept"
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if answer == "accept":
            messages.success(
                request,
                _("%(org)s now co-leads %(consortium)s.")
                % {"org": invitation.organisation, "consortium": invitation.consortium},
            )
        else:
            messages.success(request, _("The invitation was declined."))
    return redirect("portal:home")
