"""The researchers' outside national R&D projects (3책5공), declared for one application."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.idempotency import create_once, once_token
from config.errors import DomainError
from consortia import forms, services
from consortia.views._common import _application_or_404, _int, _unless_draft


@login_required
@require_http_methods(["GET", "POST"])
def declared_projects(request: HttpRequest, pk: int) -> HttpResponse:
    """The researchers' outside national R&D projects, declared for this application."""
    application = _application_or_404(request.user, pk)
    if response := _unless_draft(request, application):
        return response
    people = list(application.people.select_related("person").order_by("person__name", "id"))
    action = request.POST.get("action")
    form = forms.DeclaredProjectForm(request.POST if action == "add" else None, people=people)
    errors: list[str] = []
    if action == "add" and form.is_valid():

        def declare() -> str:
            data = dict(form.cleaned_data)
            services.declare_project(
                actor=request.user, application_id=application.pk, person_id=data.pop("person"), **data
            )
            return reverse("portal:declared-projects", args=[application.pk])

        try:
            location = create_once(request, declare)
        except DomainError as exc:
            errors = forms.apply_domain_errors(form, exc)
        else:
            messages.success(request, _("The project was declared."))
            return redirect(location)
    elif action == "remove":
        project = get_object_or_404(application.declared_projects.all(), pk=_int(request.POST.get("project")))
        try:
            services.remove_declared_project(actor=request.user, project_id=project.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The declared project was removed."))
        return redirect("portal:declared-projects", application.pk)
    elif action:
        raise Http404
    context = {
        "application": application,
        "people": people,
        "projects": application.declared_projects.select_related("person").order_by(
            "person__name", "ends_on"
        ),
        "form": form,
        "errors": errors,
        "once": once_token(request),
    }
    return render(request, "consortia/declared_projects.html", context)
