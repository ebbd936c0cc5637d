"""/my/: the user's consortia and applications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from config.errors import DomainError
from consortia import selectors, services

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
