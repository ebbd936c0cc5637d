"""The step-by-step editor of a draft: basics, researchers, KPI targets, milestones, documents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.errors import DomainError
from consortia import forms, services
from consortia.models import (
    ApplicationDocument,
)
from consortia.views._common import (
    _application_or_404,
    _editor,
    _member_label,
    _members,
    _save_rows,
    _saved,
    _unless_draft,
)
from consortia.views.budget import _budget
from consortia.views.review import _review


@login_required
@require_http_methods(["GET", "POST"])
def application_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    application = _application_or_404(request.user, pk)
    if step == "review":
        return _review(request, application)
    if response := _unless_draft(request, application):
        return response
    return {
        "basics": _basics,
        "members": _people,
        "budget": _budget,
        "kpis": _kpis,
        "milestones": _milestones,
        "documents": _documents,
    }[step](request, application)


def _basics(request, application) -> HttpResponse:
    form = forms.BasicsForm(request.POST or None, initial=forms.BasicsForm.initial_from(application))
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.update_application(
                actor=request.user, application_id=application.pk, **form.cleaned_data
            )
        except DomainError as exc:
            errors = forms.apply_domain_errors(form, exc)
        else:
            return _saved(request, application, "basics")
    return _editor(request, application, "basics", "consortia/step_basics.html", form=form, errors=errors)


def _people(request, application) -> HttpResponse:
    members = _members(application.consortium_id)
    kwargs = {"members": [(m.pk, _member_label(m)) for m in members]}
    errors: list[str] = []
    if request.method == "POST":
        formset = forms.PersonFormSet(request.POST, prefix=forms.ROWS_PREFIX, form_kwargs=kwargs)
        errors = _save_rows(request, application, formset, services.set_people)
        if errors is None:
            return _saved(request, application, "members")
    else:
        initial = [
            {
                "member": p.member_id,
                "role": p.role,
                "name": p.person.name,
                "researcher_number": p.person.researcher_number,
                "email": p.person.email,
            }
            for p in application.people.select_related("person").order_by("id")
        ]
        formset = forms.PersonFormSet(initial=initial, prefix=forms.ROWS_PREFIX, form_kwargs=kwargs)
    return _editor(
        request,
        application,
        "members",
        "consortia/step_members.html",
        members=members,
        formset=formset,
        errors=errors,
        locked=False,
    )


# --- KPI targets, milestones, documents ----------------------------------------------------------


def _row_step(request, application, step: str, formset_class, service, initial: list[dict]) -> HttpResponse:
    """A step edited as rows per plan year (KPI targets, milestones): save replaces them all."""
    kwargs = {"years": forms.year_choices(application.track.duration_years)}
    errors: list[str] = []
    if request.method == "POST":
        formset = formset_class(request.POST, prefix=forms.ROWS_PREFIX, form_kwargs=kwargs)
        errors = _save_rows(request, application, formset, service)
        if errors is None:
            return _saved(request, application, step)
    else:
        formset = formset_class(initial=initial, prefix=forms.ROWS_PREFIX, form_kwargs=kwargs)
    return _editor(request, application, step, f"consortia/step_{step}.html", formset=formset, errors=errors)


def _kpis(request, application) -> HttpResponse:
    initial = list(application.kpi_targets.values("indicator", "year", "value"))
    return _row_step(request, application, "kpis", forms.KpiFormSet, services.set_kpi_targets, initial)


def _milestones(request, application) -> HttpResponse:
    initial = list(application.milestones.values("year", "title", "description"))
    return _row_step(
        request, application, "milestones", forms.MilestoneFormSet, services.set_milestones, initial
    )


def _documents(request, application) -> HttpResponse:
    form = forms.DocumentForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.upload_document(
                actor=request.user,
                application_id=application.pk,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except DomainError as exc:
            errors = forms.apply_domain_errors(form, exc)
        else:
            messages.success(request, _("The document was uploaded."))
            return redirect("portal:step", application.pk, "documents")
    return _editor(
        request,
        application,
        "documents",
        "consortia/step_documents.html",
        form=form,
        documents=application.documents.order_by("kind", "uploaded_at"),
        errors=errors,
    )


@login_required
@require_POST
def document_delete(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    application = _application_or_404(request.user, pk)
    document = get_object_or_404(ApplicationDocument, pk=document_pk, application=application)
    try:
        services.delete_document(actor=request.user, document_id=document.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s was deleted.") % {"name": document.original_name})
    return redirect("portal:step", application.pk, "documents")


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    application = _application_or_404(request.user, pk)
    document = get_object_or_404(ApplicationDocument, pk=document_pk, application=application)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
