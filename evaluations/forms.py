"""The officers' panel form in the admin: it checks shape and what it can see (the officer's own
calls); evaluations.services.create_panel / update_panel decide the rules and write.

The rubric and the bonus items are formsets (prefixes "criteria" and "bonus_items"), so a
service error keyed "criteria.2.max_points" lands beside the third row's points.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminAutocompleteModelChoiceFieldWidget,
    UnfoldAdminDecimalFieldWidget,
    UnfoldAdminIntegerFieldWidget,
    UnfoldAdminMultipleAutocompleteModelChoiceFieldWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextInputWidget,
    UnfoldBooleanSwitchWidget,
)

from config.errors import DomainError
from config.inputs import is_ascii_digits
from evaluations.models import Panel, Reviewer
from evaluations.services import RUBRIC_TOTAL
from programs.models import Call, Region, Track

LOCAL_DATETIME = "%Y-%m-%dT%H:%M"
POINTS = {"max_digits": 6, "decimal_places": 2}


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker; the value is read in Asia/Seoul (TIME_ZONE)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=UnfoldAdminTextInputWidget().attrs | (attrs or {}), format=LOCAL_DATETIME)


def _datetime_field(label) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, widget=LocalDateTimeInput(), input_formats=[LOCAL_DATETIME, "%Y-%m-%d %H:%M"]
    )


class ReviewerChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Reviewer) -> str:
        return f"{obj} ({obj.affiliation})" if obj.affiliation else str(obj)


class ReviewerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Reviewer) -> str:
        return f"{obj} ({obj.affiliation})" if obj.affiliation else str(obj)


class TrackChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Track) -> str:
        return f"{obj.call.title} · {obj.name}"


class PanelForm(forms.Form):
    """A panel's call, track, region, stage, settings and members (the rubric is beside it)."""

    call = forms.ModelChoiceField(
        label=_("call"), queryset=Call.objects.none(), widget=UnfoldAdminSelectWidget
    )
    track = TrackChoice(label=_("track"), queryset=Track.objects.none(), widget=UnfoldAdminSelectWidget)
    region = forms.ModelChoiceField(
        label=_("region"),
        queryset=Region.objects.none(),
        required=False,
        widget=UnfoldAdminSelectWidget,
        help_text=_("Empty: every region of the track."),
    )
    stage = forms.ChoiceField(label=_("stage"), choices=Panel.Stage.choices, widget=UnfoldAdminSelectWidget)
    name = forms.CharField(label=_("name"), max_length=160, widget=UnfoldAdminTextInputWidget)
    chair = ReviewerChoice(
        label=_("chair"),
        queryset=Reviewer.objects.all(),
        required=False,
        widget=UnfoldAdminAutocompleteModelChoiceFieldWidget,
    )
    members = ReviewerChoices(
        label=_("panel members"),
        queryset=Reviewer.objects.all(),
        required=False,
        widget=UnfoldAdminMultipleAutocompleteModelChoiceFieldWidget,
        help_text=_("Search the reviewer pool by name, affiliation or expertise."),
    )
    aggregation = forms.ChoiceField(
        label=_("aggregation"),
        choices=Panel.Aggregation.choices,
        initial=Panel.Aggregation.TRIMMED_MEAN,
        widget=UnfoldAdminSelectWidget,
    )
    cutoff_score = forms.DecimalField(
        label=_("cut-off score"),
        min_value=0,
        max_value=100,
        required=False,
        widget=UnfoldAdminDecimalFieldWidget,
        help_text=_("Empty: the call's cut-off."),
        **POINTS,
    )
    cutoff_before_bonus = forms.BooleanField(
        label=_("cut-off applies before the bonus"),
        required=False,
        initial=True,
        widget=UnfoldBooleanSwitchWidget,
    )
    bonus_cap = forms.DecimalField(
        label=_("bonus cap"), min_value=0, initial=0, widget=UnfoldAdminDecimalFieldWidget, **POINTS
    )
    tie_break = forms.SlugField(
        label=_("tie-break criterion"),
        max_length=40,
        required=False,
        widget=UnfoldAdminTextInputWidget,
        help_text=_("The code of a criterion of the rubric."),
    )
    reviewers_per_application = forms.IntegerField(
        label=_("reviewers per application (k)"),
        min_value=1,
        max_value=50,
        initial=5,
        widget=UnfoldAdminIntegerFieldWidget,
    )
    max_per_reviewer = forms.IntegerField(
        label=_("applications per reviewer at most (L)"),
        min_value=1,
        max_value=500,
        initial=15,
        widget=UnfoldAdminIntegerFieldWidget,
    )
    min_per_reviewer = forms.IntegerField(
        label=_("applications per reviewer at least"),
        min_value=0,
        max_value=500,
        initial=0,
        widget=UnfoldAdminIntegerFieldWidget,
    )
    opens_at = _datetime_field(_("scoring opens at"))
    closes_at = _datetime_field(_("scoring closes at"))
    disclose_reviewer_names = forms.BooleanField(
        label=_("disclose reviewer names to applicants"),
        required=False,
        initial=True,
        widget=UnfoldBooleanSwitchWidget,
        help_text=_("National default since 2024."),
    )

    SETTINGS = (
        "stage",
        "name",
        "aggregation",
        "cutoff_score",
        "cutoff_before_bonus",
        "bonus_cap",
        "reviewers_per_application",
        "max_per_reviewer",
        "min_per_reviewer",
        "opens_at",
        "closes_at",
        "disclose_reviewer_names",
    )

    def __init__(self, *args, calls: QuerySet[Call], panel: Panel | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.panel = panel
        self.fields["call"].queryset = calls
        self.fields["track"].queryset = Track.objects.filter(call__in=calls).select_related("call")
        self.fields["region"].queryset = Region.objects.filter(
            scheme__in=calls.values("region_scheme")
        ).select_related("scheme")
        url = reverse_lazy("admin:evaluations_panel_reviewer_search")
        for name in ("chair", "members"):
            self.fields[name].widget.attrs["data-ajax--url"] = url
        if panel is not None:
            # Call and track stay: applications, conflicts and assignments hang on them.
            for name in ("call", "track"):
                self.fields[name].disabled = True
        self._limit_reviewer_choices()

    def _limit_reviewer_choices(self) -> None:
        """Only the chosen reviewers are rendered as options (the pool has thousands); the
        autocomplete finds the rest."""
        if self.is_bound:
            chosen = [
                self.data.get(self.add_prefix("chair"), ""),
                *self.data.getlist(self.add_prefix("members")),
            ]
        else:
            chosen = [self.initial.get("chair"), *(self.initial.get("members") or [])]
        ids = [int(v) for v in chosen if is_ascii_digits(str(v or "")) and len(str(v)) <= 18]
        options = [
            (r.pk, self.fields["members"].label_from_instance(r))
            for r in Reviewer.objects.filter(pk__in=ids).select_related("user")
        ]
        self.fields["chair"].widget.choices = [("", "---------"), *options]
        self.fields["members"].widget.choices = options

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        call, track, region = data.get("call"), data.get("track"), data.get("region")
        if call and track and track.call_id != call.pk:
            self.add_error("track", _("Not this call's track."))
        if call and region and region.scheme_id != call.region_scheme_id:
            self.add_error("region", _("Not in the call's scheme."))
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("Scoring must close after it opens."))
        return data

    def settings(self) -> dict[str, Any]:
        out = {name: self.cleaned_data[name] for name in self.SETTINGS}
        if out["cutoff_score"] is None:
            out.pop("cutoff_score")
            if self.panel is not None:
                out["cutoff_score"] = self.cleaned_data["call"].cutoff_score
        out["region"] = self.cleaned_data["region"]
        chair = self.cleaned_data["chair"]
        out["chair"] = chair.pk if chair else None
        out["members"] = [r.pk for r in self.cleaned_data["members"]]
        out["tie_break"] = self.cleaned_data["tie_break"] or None
        return out


class RubricRowForm(forms.Form):
    code = forms.SlugField(label=_("code"), max_length=40, widget=UnfoldAdminTextInputWidget)
    name = forms.CharField(label=_("name"), max_length=120, widget=UnfoldAdminTextInputWidget)
    max_points = forms.DecimalField(
        label=_("points"), min_value=Decimal("0.01"), widget=UnfoldAdminDecimalFieldWidget, **POINTS
    )


class BonusRowForm(RubricRowForm):
    max_points = forms.DecimalField(
        label=_("points at most"), min_value=0, widget=UnfoldAdminDecimalFieldWidget, **POINTS
    )


class _RowsFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict[str, Any]]:
        """The filled rows, in order, as the service takes them."""
        return [
            {
                "code": f.cleaned_data["code"],
                "name": f.cleaned_data["name"],
                "max_points": f.cleaned_data["max_points"],
            }
            for f in self.filled()
        ]

    def filled(self) -> list[forms.Form]:
        return [f for f in self.forms if f.cleaned_data]

    def clean(self) -> None:
        if any(self.errors):
            return
        codes = [f.cleaned_data["code"] for f in self.filled()]
        if len(codes) != len(set(codes)):
            raise forms.ValidationError(_("Each row needs its own code."))


class CriteriaFormSet(_RowsFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors) or self.non_form_errors():
            return
        rows = self.filled()
        if not rows:
            raise forms.ValidationError(_("A rubric needs at least one criterion."))
        total = sum((f.cleaned_data["max_points"] for f in rows), Decimal(0))
        if total != RUBRIC_TOTAL:
            raise forms.ValidationError(
                _("The criteria sum to %(total)s points; they must sum to 100.")
                % {"total": f"{total.normalize():f}"}
            )


def rubric_formsets(data=None, *, panel: Panel | None = None, extra: int = 3):
    criteria = forms.formset_factory(RubricRowForm, formset=CriteriaFormSet, extra=extra, max_num=30)
    bonus = forms.formset_factory(BonusRowForm, formset=_RowsFormSet, extra=2, max_num=30)
    initial_c = initial_b = None
    # Posted rows are compared with nothing: a row emptied by the officer is a row removed.
    if panel is not None and data is None:
        initial_c = [
            {"code": c.code, "name": c.name, "max_points": c.max_points} for c in panel.criteria.all()
        ]
        initial_b = [
            {"code": b.code, "name": b.name, "max_points": b.max_points} for b in panel.bonus_items.all()
        ]
    return (
        criteria(data, prefix="criteria", initial=initial_c),
        bonus(data, prefix="bonus_items", initial=initial_b),
    )


def apply_panel_errors(error: DomainError, form: PanelForm, criteria, bonus) -> list[str]:
    """Puts the service's field messages beside their inputs; returns the rest (shown above)."""
    general = [error.message]
    rows = {"criteria": criteria, "bonus_items": bonus}
    for key, messages in error.fields.items():
        head, _dot, rest = key.partition(".")
        target = None
        if head in rows:
            formset = rows[head]
            index, _dot, field = rest.partition(".")
            filled = formset.filled()
            if is_ascii_digits(index) and len(index) <= 6 and int(index) < len(filled):
                target = filled[int(index)]
                field = field if field in target.fields else None
            else:
                general.extend(messages)
                continue
        elif key in form.fields:
            target, field = form, key
        if target is None:
            general.extend(messages)
            continue
        for message in messages:
            target.add_error(field, message)
    return general
