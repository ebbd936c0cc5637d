from django import forms
from django.utils.translation import gettext_lazy as _

from consortia.choices import KpiIndicator


class SubmitMilestoneForm(forms.Form):
    milestone = forms.IntegerField(widget=forms.HiddenInput)
    file = forms.FileField(label=_("file"))
    note = forms.CharField(
        label=_("note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class KpiReportForm(forms.Form):
    indicator = forms.ChoiceField(label=_("indicator"), choices=KpiIndicator.choices)
    year = forms.IntegerField(label=_("project year"), min_value=1, max_value=10)
    value = forms.IntegerField(label=_("actual"), min_value=0, max_value=10**15)
    evidence = forms.FileField(label=_("evidence"), required=False)
    note = forms.CharField(label=_("note"), required=False, max_length=5000)
