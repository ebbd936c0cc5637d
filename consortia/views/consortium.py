"""A consortium's pages: create, members (search, add, register, remove), start an application."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.idempotency import create_once, once_token
from config.errors import DomainError
from consortia import forms, selectors, services
from consortia.choices import OrganisationType
from consortia.models import (
    Application,
    Consortium,
    ConsortiumMember,
    Organisation,
)
from consortia.views._common import SEARCH_LIMIT, _consortium_or_404, _members
from programs.models import Track
from programs.selectors import open_calls


@login_required
@require_http_methods(["GET", "POST"])
def consortium_create(request: HttpRequest) -> HttpResponse:
    form = forms.ConsortiumCreateForm(request.POST or None)
    # Staff of a local government form its consortium: offer only the user's own.
    field = form.fields["representative"]
    field.queryset = field.queryset.filter(
        staff_memberships__user=request.user, staff_memberships__verified_at__isnull=False
    )
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["representative_mode"] == form.NEW:
            # Registering a local government makes the user its staff pending an
            # administrator's verification: the consortium waits for it.
            try:
                government = services.create_organisation(
                    actor=request.user,
                    name=data["new_name"],
                    type=OrganisationType.LOCAL_GOVERNMENT,
                    province=data["new_province"],
                )
            except DomainError as exc:
                errors = forms.apply_domain_errors(
                    form, exc, rename={"name": "new_name", "province": "new_province"}
                )
            else:
                messages.success(
                    request,
                    _(
                        "%(org)s was registered. An administrator will confirm you as its staff; "
                        "then you can form its consortium."
                    )
                    % {"org": government},
                )
                return redirect("portal:home")
        else:

            def create() -> str:
                consortium = services.create_consortium(
                    actor=request.user, name=data["name"], representative=data["representative"]
                )
                return reverse("portal:consortium", args=[consortium.pk])

            try:
                location = create_once(request, create)
            except DomainError as exc:
                errors = forms.apply_domain_errors(form, exc)
            else:
                messages.success(request, _("The consortium was created."))
                return redirect(location)
    return render(
        request,
        "consortia/consortium_new.html",
        {"form": form, "errors": errors, "once": once_token(request)},
    )


def _organisation_search(query: str, consortium: Consortium | None) -> list[Organisation]:
    qs = selectors.organisation_search(query).select_related("province").order_by("name")
    if consortium is not None:
        qs = qs.exclude(memberships__consortium=consortium)
    return list(qs[:SEARCH_LIMIT])


@login_required
@require_GET
def organisation_search(request: HttpRequest) -> HttpResponse:
    """The htmx search beside "add a member": organisations by name or business number."""
    consortium = None
    if (consortium_id := request.GET.get("consortium", "")).isdigit():
        consortium = _consortium_or_404(request.user, int(consortium_id))
    query = request.GET.get("q", "")
    return render(
        request,
        "consortia/_org_results.html",
        {"results": _organisation_search(query, consortium), "q": query, "selected": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def consortium_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consortium = _consortium_or_404(request.user, pk)
    action = request.POST.get("action")
    existing = forms.ExistingMemberForm(request.POST if action == "add_existing" else None, prefix="existing")
    new = forms.NewMemberForm(request.POST if action == "add_new" else None, prefix="new")
    errors: list[str] = []
    if action == "add_existing" and existing.is_valid():
        data = existing.cleaned_data

        def add() -> str:
            services.add_member(
                actor=request.user,
                consortium_id=consortium.pk,
                organisation=data["organisation"],
                role=data["role"],
                department=data["department"],
            )
            return reverse("portal:consortium", args=[consortium.pk])

        try:
            create_once(request, add)
        except DomainError as exc:
            errors = forms.apply_domain_errors(existing, exc)
        else:
            messages.success(request, _("%(org)s was added.") % {"org": data["organisation"]})
            return redirect("portal:consortium", consortium.pk)
    elif action == "add_new" and new.is_valid():
        data = new.cleaned_data

        def register() -> str:
            services.register_member(
                actor=request.user,
                consortium_id=consortium.pk,
                role=data["role"],
                department=data["department"],
                name=data["name"],
                type=data["type"],
                province=data["province"],
                business_number=data["business_number"],
            )
            return reverse("portal:consortium", args=[consortium.pk])

        try:
            create_once(request, register)
        except DomainError as exc:
            errors = forms.apply_domain_errors(new, exc)
        else:
            messages.success(request, _("%(org)s was registered and added.") % {"org": data["name"]})
            return redirect("portal:consortium", consortium.pk)
    elif action and action not in ("add_existing", "add_new"):
        raise Http404
    query = request.POST.get("q", "") if action == "add_existing" else request.GET.get("q", "")
    picked = existing["organisation"].value() if action == "add_existing" else None
    context = {
        "consortium": consortium,
        "members": _members(consortium.pk),
        "applications": consortium.applications.select_related("call", "track").order_by("-created_at"),
        "locked": consortium.applications.exclude(
            state__in=[Application.State.DRAFT, Application.State.WITHDRAWN]
        ).exists(),
        "existing": existing,
        "new": new,
        "action": action,
        "errors": errors,
        "q": query,
        "results": _organisation_search(query, consortium),
        "selected": str(picked or ""),
        "once": once_token(request),
    }
    return render(request, "consortia/consortium_detail.html", context)


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    consortium = _consortium_or_404(request.user, pk)
    member = get_object_or_404(
        ConsortiumMember.objects.select_related("organisation"), pk=member_pk, consortium=consortium
    )
    try:
        services.remove_member(actor=request.user, member_id=member.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(org)s was removed.") % {"org": member.organisation})
    return redirect("portal:consortium", consortium.pk)


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest, pk: int) -> HttpResponse:
    consortium = _consortium_or_404(request.user, pk)
    calls = list(open_calls())
    form = forms.ApplicationStartForm(request.POST or None, calls=calls)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        track: Track = form.cleaned_data["track"]

        def create() -> str:
            application = services.create_application(
                actor=request.user,
                consortium_id=consortium.pk,
                call=track.call,
                track=track,
                title=form.cleaned_data["title"],
            )
            return reverse("portal:step", args=[application.pk, "basics"])

        try:
            location = create_once(request, create)
        except DomainError as exc:
            errors = forms.apply_domain_errors(form, exc)
        else:
            messages.success(request, _("The draft application was created."))
            return redirect(location)
    return render(
        request,
        "consortia/application_new.html",
        {
            "consortium": consortium,
            "form": form,
            "calls": calls,
            "errors": errors,
            "once": once_token(request),
        },
    )
