"""The applicant's portal for awards, under /my/awards/: tranches, payments, balances,
requests and deadlines of their consortium's awards (officers see them in the admin)."""

from __future__ import annotations

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from awards import selectors, services
from awards.forms import DisbursementRequestForm, StopObjectionForm
from awards.idempotency import run_once
from awards.models import Award, AwardChange, Recovery, StopObjection
from awards.permissions import can_object_to_stop, can_view_award
from config.errors import DomainError


def _visible(user, pk: int) -> Award:
    award = Award.objects.select_related("consortium", "track", "call", "lead_province").filter(pk=pk).first()
    if award is None or not can_view_award(user, award):
        raise Http404
    return award


@login_required
def award_list(request: HttpRequest) -> HttpResponse:
    awards = list(selectors.visible_awards(request.user))
    return TemplateResponse(request, "awards/award_list.html", {"awards": awards})


@login_required
def award_detail(request: HttpRequest, pk: int) -> HttpResponse:
    award = _visible(request.user, pk)
    tranches = list(selectors.tranches_of(award))
    form = DisbursementRequestForm(
        request.POST or None, tranches=[t for t in tranches if t.released_on and not t.cancelled_on]
    )
    if request.method == "POST" and form.is_valid():
        try:
            run_once(
                user=request.user,
                key=form.cleaned_data["idempotency_key"],
                scope=f"award:{pk}:disbursement",
                data={k: str(v) for k, v in form.cleaned_data.items() if k != "idempotency_key"},
                run=lambda: (
                    201,
                    {
                        "id": services.request_disbursement(
                            actor=request.user,
                            tranche_id=form.cleaned_data["tranche"],
                            amount_krw=form.cleaned_data["amount_krw"],
                            note=form.cleaned_data["note"],
                        ).pk
                    },
                ),
            )
        except DomainError as exc:
            for field, errors in exc.fields.items():
                form.add_error(field if field in form.fields else None, errors)
        except PermissionDenied:
            form.add_error(None, _("You may not request money on this award."))
        else:
            messages.success(request, _("Disbursement requested: the program officer will review it."))
            return redirect("awards-portal:award", pk=pk)
    context = {
        "award": award,
        "balances": selectors.award_balances(award.pk),
        "years": selectors.year_totals(award),
        "tranches": tranches,
        "stages": list(award.stages.all()),
        "disbursements": list(selectors.disbursements_of(award)),
        "changes": list(AwardChange.objects.filter(award=award).prefetch_related("items")),
        "recoveries": list(Recovery.objects.filter(award=award)),
        "grades": list(award.grades.all()),
        "objections": list(StopObjection.objects.filter(award=award).select_related("grade")),
        "objection_form": _objection_form(request.user, award),
        "form": form,
    }
    return TemplateResponse(request, "awards/award_detail.html", context)


@login_required
def award_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The award letter as a Korean PDF (applicants and officers of the award)."""
    from awards.letters import award_letter_pdf

    award = _visible(request.user, pk)
    response = HttpResponse(award_letter_pdf(award), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="award-letter-{award.pk}.pdf"'
    return response


class AgreementForm(django_forms.Form):
    file = django_forms.FileField(label=_("signed agreement (PDF)"))
    signed_on = django_forms.DateField(
        label=_("signed on"), widget=django_forms.DateInput(attrs={"type": "date"})
    )


@login_required
def upload_agreement(request: HttpRequest, pk: int) -> HttpResponse:
    """The consortium uploads the signed agreement back (a PDF, checked by content)."""
    award = _visible(request.user, pk)
    form = AgreementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.upload_signed_agreement(
                actor=request.user,
                award_id=award.pk,
                upload=form.cleaned_data["file"],
                signed_on=form.cleaned_data["signed_on"],
            )
        except DomainError as exc:
            for field, errors in exc.fields.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Signed agreement received."))
            return redirect("awards-portal:award", pk=pk)
    return TemplateResponse(request, "awards/agreement.html", {"award": award, "form": form})


def _objection_form(user, award: Award, data=None) -> StopObjectionForm | None:
    """Offered to the consortium's contacts while a notified stop has no objection yet (the
    service decides the rest: the period, one per stop)."""
    if award.state != Award.State.STOP_PENDING or not can_object_to_stop(user, award):
        return None
    if data is None and StopObjection.objects.filter(grade=selectors.current_stop_grade(award)).exists():
        return None
    return StopObjectionForm(data)


@login_required
def file_objection(request: HttpRequest, pk: int) -> HttpResponse:
    """The consortium objects (이의신청) to a notified stop, within the objection period."""
    award = _visible(request.user, pk)
    if request.method != "POST":
        return redirect("awards-portal:award", pk=pk)
    form = _objection_form(request.user, award, request.POST)
    if form is None:
        messages.error(request, _("No objection can be filed on this award now."))
        return redirect("awards-portal:award", pk=pk)
    if form.is_valid():
        try:
            run_once(
                user=request.user,
                key=form.cleaned_data["idempotency_key"],
                scope=f"award:{pk}:objection",
                data={"text": form.cleaned_data["text"]},
                run=lambda: (
                    201,
                    {
                        "id": services.file_stop_objection(
                            actor=request.user, award_id=pk, text=form.cleaned_data["text"]
                        ).pk
                    },
                ),
            )
        except DomainError as exc:
            for field, errors in exc.fields.items():
                form.add_error(field if field in form.fields else None, errors)
        except PermissionDenied:
            form.add_error(None, _("You may not object on this award."))
        else:
            messages.success(
                request, _("Objection filed: the stop waits for the program officer's decision.")
            )
            return redirect("awards-portal:award", pk=pk)
    return TemplateResponse(request, "awards/objection.html", {"award": award, "form": form})
