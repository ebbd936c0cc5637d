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
        # In-kind contributions are recorded, never paid: they are not offered.
        self.fields["tranche"].choices = [(t.pk, str(t)) for t in tranches if t.source != "private_in_kind"]


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


class CarryOverForm(KeyedForm):
    from_tranche = forms.TypedChoiceField(label=_("tranche"), coerce=int)
    amount_krw = forms.IntegerField(label=_("amount (won)"), min_value=1, max_value=10**15)
    reason = forms.CharField(label=_("reason"), required=False, max_length=2000)

    def __init__(self, *args, tranches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_tranche"].choices = [(t.pk, str(t)) for t in tranches]


class RecoveryForm(KeyedForm):
    tranche = forms.TypedChoiceField(label=_("tranche"), coerce=int)
    amount_krw = forms.IntegerField(label=_("amount (won)"), min_value=1, max_value=10**15)
    reason = forms.CharField(label=_("reason"), max_length=2000)
    notified_on = forms.DateField(
        label=_("notified on"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, tranches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tranche"].choices = [(t.pk, str(t)) for t in tranches]


class RecoveryPaidForm(KeyedForm):
    recovery = forms.TypedChoiceField(label=_("recovery"), coerce=int)
    paid_on = forms.DateField(
        label=_("paid on"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, recoveries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recovery"].choices = [(r.pk, f"{r.amount_krw:,}원 · {r.reason}") for r in recoveries]


class DecideChangeForm(KeyedForm):
    change = forms.TypedChoiceField(label=_("award change"), coerce=int)
    approve = forms.TypedChoiceField(
        label=_("decision"), coerce=lambda v: v == "yes", choices=[("yes", _("approve")), ("no", _("reject"))]
    )
    reason = forms.CharField(label=_("reason"), required=False, max_length=2000)

    def __init__(self, *args, changes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["change"].choices = [(c.pk, f"{c.filed_at:%Y-%m-%d} · {c.reason}") for c in changes]


class StopForm(KeyedForm):
    action = forms.ChoiceField(
        label=_("after the objection period"),
        choices=[("confirm", _("stop the award")), ("resume", _("objection upheld: resume"))],
    )
    reason = forms.CharField(label=_("reason"), required=False, max_length=2000)


class StopObjectionForm(KeyedForm):
    text = forms.CharField(
        label=_("objection"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Say what you object to in the grade and why; attach nothing here."),
    )


class DecideObjectionForm(KeyedForm):
    objection = forms.TypedChoiceField(label=_("objection to the stop"), coerce=int)
    upheld = forms.TypedChoiceField(
        label=_("decision"),
        coerce=lambda v: v == "yes",
        choices=[("no", _("reject: the stop stands")), ("yes", _("uphold: withdraw the stop"))],
    )
    revised_code = forms.ChoiceField(label=_("revised grade (if upheld)"), required=False)
    answer = forms.CharField(label=_("answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, objections=(), scale=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objection"].choices = [
            (o.pk, f"{o.filed_on:%Y-%m-%d} · {o.original_code} · {o.text[:60]}") for o in objections
        ]
        self.fields["revised_code"].choices = [("", "-")] + [
            (r.code, f"{r.code} {r.label} ({r.change_percent:+d}%)") for r in scale if not r.stops
        ]
