"""The applicant's evaluation results and objections, in the portal (/my/results/)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from config.errors import DomainError
from evaluations import aggregation, selectors, services


class ObjectionForm(forms.Form):
    text = forms.CharField(label=_("objection"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))


@login_required
@require_http_methods(["GET", "POST"])
def my_results(request: HttpRequest) -> HttpResponse:
    results = list(selectors.applicant_results(request.user))
    rows = []
    for result in results:
        panel_rows = {r.application_id: r for r in selectors.panel_results(result.panel)}
        row = panel_rows.get(result.application_id)
        entry = result.panel.selection.filter(application=result.application_id).first()
        reviewers = []
        if result.panel.disclose_reviewer_names:
            reviewers = sorted(
                str(a.reviewer)
                for a in result.panel.assignments.filter(
                    application=result.application_id, withdrawn_at__isnull=True
                ).select_related("reviewer__user")
            )
        rows.append(
            {
                "result": result,
                "score": aggregation.display(row.score) if row else None,
                "final": aggregation.display(row.final) if row else None,
                "rank": row.rank if row else None,
                "selected": bool(entry and entry.selected),
                "reviewers": reviewers,
                "form": ObjectionForm(prefix=f"r{result.pk}"),
            }
        )
    if request.method == "POST":
        pk = request.POST.get("result", "")
        row = next((r for r in rows if str(r["result"].pk) == pk), None)
        if row is None:
            raise Http404
        form = ObjectionForm(request.POST, prefix=f"r{pk}")
        row["form"] = form
        if form.is_valid():
            try:
                services.file_objection(actor=request.user, result_id=int(pk), text=form.cleaned_data["text"])
            except DomainError as exc:
                form.add_error(None, exc.message)
                for field, errs in exc.fields.items():
                    for e in errs:
                        form.add_error(field if field in form.fields else None, e)
            else:
                messages.success(request, _("Your objection was filed."))
                return redirect("evaluation-results")
    return render(request, "evaluations/my_results.html", {"rows": rows})
