"""Shared by the portal's pages: the steps, lookups within what the user may edit (404 otherwise)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.errors import DomainError
from consortia import forms, permissions
from consortia.models import (
    Application,
    Consortium,
    ConsortiumMember,
)
from programs.models import MoneySource

STEPS = [
    ("basics", gettext_lazy("Basics")),
    ("members", gettext_lazy("Members and researchers")),
    ("budget", gettext_lazy("Budget")),
    ("kpis", gettext_lazy("KPI targets")),
    ("milestones", gettext_lazy("Milestones")),
    ("documents", gettext_lazy("Documents")),
    ("review", gettext_lazy("Review and submit")),
]
STEP_NAMES = [name for name, _label in STEPS]
SOURCE_FIELDS = {s: f"{s}_krw" for s in MoneySource.values}
SEARCH_LIMIT = 20


# --- lookups: only what the user may edit, 404 otherwise ---------------------------------------


def _consortium_or_404(user, pk: int) -> Consortium:
    consortium = get_object_or_404(Consortium.objects.select_related("representative__province"), pk=pk)
    if not permissions.can_edit_consortium(user, consortium):
        raise Http404
    return consortium


def _application_or_404(user, pk: int) -> Application:
    application = get_object_or_404(
        Application.objects.select_related("call__program", "track", "consortium__representative"), pk=pk
    )
    if not permissions.can_edit_application(user, application):
        raise Http404
    return application


def _unless_draft(request: HttpRequest, application: Application) -> HttpResponse | None:
    if application.state == Application.State.DRAFT:
        return None
    messages.info(request, _("Only a draft can be edited; this is the submitted application."))
    return redirect("portal:application", application.pk)


def _members(consortium_id: int) -> list[ConsortiumMember]:
    return list(
        ConsortiumMember.objects.filter(consortium=consortium_id)
        .select_related("organisation__province")
        .order_by("id")
    )


def _member_label(member: ConsortiumMember) -> str:
    return f"{member.organisation} · {member.get_role_display()}"


def _int(value) -> int:
    """A posted amount for live totals: anything that is not whole won counts as zero."""
    text = str(value if value is not None else "").replace(",", "").replace(" ", "").removesuffix("원")
    return int(text) if text.isdigit() else 0


# --- the editor's frame ---------------------------------------------------------------------


def _editor(request, application, step: str, template: str, **context) -> HttpResponse:
    index = STEP_NAMES.index(step)
    context.update(
        application=application,
        steps=STEPS,
        step=step,
        previous_step=STEP_NAMES[index - 1] if index else None,
        next_step=STEP_NAMES[index + 1] if index + 1 < len(STEP_NAMES) else None,
    )
    return render(request, template, context)


def _saved(request, application, step: str) -> HttpResponse:
    messages.success(request, _("Saved."))
    if "continue" in request.POST:
        index = STEP_NAMES.index(step)
        return redirect("portal:step", application.pk, STEP_NAMES[min(index + 1, len(STEP_NAMES) - 1)])
    return redirect("portal:step", application.pk, step)


def _save_rows(request, application, formset, service) -> list[str] | None:
    """Calls the row service; None when saved, else the messages that belong to no input."""
    if not formset.is_valid():
        return [_("Please correct the highlighted fields."), *formset.non_form_errors()]
    try:
        service(actor=request.user, application_id=application.pk, rows=[f.row() for f in formset.forms])
    except DomainError as exc:
        return forms.apply_domain_errors(formset, exc)
    return None
