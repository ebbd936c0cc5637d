"""Forms of the admin case page and the portal: shapes only; services decide."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from awards.models import Grade


class KeyedForm(forms.Form):
    """Carries a one-time key minted when the form is shown: a double submit pays once."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


class CreateAwardForm(KeyedForm):
    application = forms.TypedChoiceField(label=_("selected application"), coerce=int)
    notified_on = forms.DateField(
        label=_("selection notified on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    starts_on = forms.DateField(
        label=_("starts on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    stage_years = forms.CharField(
        label=_("stages (years)"), required=False, help_text=_("e.g. 3+3+4; empty: as the call's duration")
    )

    def __init__(self, *args, applications=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = [
            (a.pk, f"{a.title} — {a.consortium.name}") for a in applications
        ]

    def clean_stage_years(self) -> list[int] | None:
        raw = self.cleaned_data["stage_years"].strip()
        if not raw:
            return None
        try:
            return [int(x) for x in raw.replace(",", "+").split("+")]
        except ValueError:
            raise forms.ValidationError(_("Whole years joined by +, e.g. 3+3+4.")) from None


class DisbursementRequestForm(KeyedForm):
    tranche = forms.TypedChoiceField(label=_("tranche"), coerce=int)
    amount_krw = forms.IntegerField(label=_("amount (won)"), min_value=1, max_value=10**15)
    note = forms.CharField(label=_("note"), required=False, max_length=2000)

    def __init__(self, *args, tranches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tranche"].choices = [(t.pk, str(t)) for t in tranches]


class PayForm(KeyedForm):
    paid_on = forms.DateField(
        label=_("paid on"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(label=_("payment reference"), max_length=80)


class GradeForm(KeyedForm):
    year = forms.IntegerField(label=_("project year graded"), min_value=1, max_value=10)
    kind = forms.ChoiceField(label=_("kind"), choices=Grade.Kind.choices)
    code = forms.ChoiceField(label=_("grade"))
    decision = forms.CharField(label=_("decision"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, scale=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [
            (r.code, f"{r.code} {r.label} ({r.change_percent:+d}%)") for r in scale
        ]
