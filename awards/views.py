"""The applicant's portal for awards, under /my/awards/: tranches, payments, balances,
requests and deadlines of their consortium's awards (officers see them in the admin)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from awards import selectors, services
from awards.forms import DisbursementRequestForm
from awards.idempotency import run_once
from awards.models import Award, AwardChange, Recovery
from awards.permissions import can_view_award
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
        "form": form,
    }
    return TemplateResponse(request, "awards/award_detail.html", context)
