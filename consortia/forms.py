"""Forms of the applicant portal: they check shape only; the services decide the rules.

Row editors (budget, researchers, KPI targets, milestones) are formsets with the prefix
"rows", so a service error keyed "rows.3.year" lands on the fourth form's "year" field.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.errors import DomainError
from config.inputs import (
    MAX_COUNT,
    MAX_KRW,
    MAX_SUMMARY_CHARS,
    MAX_TEXT_CHARS,
    MAX_YEAR,
    is_ascii_digits,
    single_line,
)
from consortia.choices import KpiIndicator, OrganisationType
from consortia.models import (
    Application,
    ApplicationDocument,
    ApplicationPerson,
    ConsortiumMember,
    Organisation,
)
from programs.models import ProjectKind, Province, Track
from programs.selectors import provinces_in_force

ROWS_PREFIX = "rows"
# The database column is a signed 64-bit integer; beyond it is not an amount, it is a typo.
MONEY_FIELDS = ("national_krw", "local_cash_krw", "private_cash_krw", "private_in_kind_krw")


def apply_domain_errors(
    form_or_formset, error: DomainError, rename: dict[str, str] | None = None
) -> list[str]:
    """Puts a DomainError's field messages beside the inputs they name (`rename`: the service's
    field name -> the form's, where they differ).

    Returns the messages that belong to no input (shown above the form), always starting
    with the error's own message.
    """
    general = [error.message]
    for key, messages in error.fields.items():
        form, field = _target(form_or_formset, (rename or {}).get(key, key))
        if form is None:
            general.extend(messages)
            continue
        for message in messages:
            form.add_error(field, message)
    return general


def _target(form_or_formset, key: str):
    if isinstance(form_or_formset, forms.BaseForm):
        if key in form_or_formset.fields:
            return form_or_formset, key
        return form_or_formset, None
    parts = key.split(".")
    if len(parts) >= 2 and parts[0] == ROWS_PREFIX and is_ascii_digits(parts[1]) and len(parts[1]) <= 6:
        index = int(parts[1])
        if index < len(form_or_formset.forms):
            form = form_or_formset.forms[index]
            field = parts[2] if len(parts) > 2 and parts[2] in form.fields else None
            return form, field
    return None, None


# --- inputs -----------------------------------------------------------------------------------


class KrwInput(forms.TextInput):
    """Whole won typed with or without thousands separators; shown with them."""

    input_type = "text"

    def __init__(self, attrs=None):
        base = {"inputmode": "numeric", "autocomplete": "off", "class": "krw", "spellcheck": "false"}
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        return super().format_value(value)


class KrwField(forms.IntegerField):
    """An integer of won; "1,200,000" and "1200000" are the same. Blank means zero."""

    widget = KrwInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_value", MAX_KRW)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace(",", "").replace(" ", "").replace("_", "").removesuffix("원")
            # int() reads "１２３" (full-width) as 123: only ASCII digits are won here.
            if value and not is_ascii_digits(value.removeprefix("-")):
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        value = super().to_python(value)
        return 0 if value is None and not self.required else value

    def widget_attrs(self, widget):
        # IntegerField would add min/max/step attributes that only make sense on type=number.
        return {}


def province_choices_field(**kwargs) -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(
        queryset=provinces_in_force(on=timezone.localdate()), label=_("Province"), **kwargs
    )
    field.label_from_instance = lambda p: p.name
    return field


# --- consortia and members --------------------------------------------------------------------


class ConsortiumCreateForm(forms.Form):
    """A consortium led by an existing local government, or by one registered here."""

    EXISTING, NEW = "existing", "new"

    name = forms.CharField(label=_("Consortium name"), max_length=160, validators=[single_line])
    representative_mode = forms.ChoiceField(
        label=_("Representative local government"),
        choices=[
            (EXISTING, _("Choose a registered local government")),
            (NEW, _("Register a new local government")),
        ],
        initial=EXISTING,
        widget=forms.RadioSelect,
    )
    representative = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(type=OrganisationType.LOCAL_GOVERNMENT).select_related(
            "province"
        ),
        label=_("Local government"),
        required=False,
        empty_label=_("— choose —"),
    )
    new_name = forms.CharField(label=_("Name of the local government"), max_length=120, required=False)
    new_province = forms.ModelChoiceField(queryset=Province.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["representative"].label_from_instance = lambda o: f"{o} · {o.province.name}"
        self.fields["new_province"] = province_choices_field(required=False, empty_label=_("— choose —"))

    def clean(self):
        data = super().clean()
        if data.get("representative_mode") == self.NEW:
            if not data.get("new_name"):
                self.add_error("new_name", _("Required."))
            if not data.get("new_province"):
                self.add_error("new_province", _("Required."))
        elif not data.get("representative"):
            self.add_error("representative", _("Choose a local government."))
        return data


class ExistingMemberForm(forms.Form):
    """Adds a registered organisation, picked from the search results."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        label=_("Organisation"),
        error_messages={"required": _("Search and pick an organisation.")},
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=ConsortiumMember.Role.choices, initial=ConsortiumMember.Role.PARTNER
    )
    department = forms.CharField(label=_("Department"), max_length=120, required=False)


class NewMemberForm(forms.Form):
    """Registers an organisation and adds it in one step."""

    name = forms.CharField(label=_("Organisation name"), max_length=120)
    type = forms.ChoiceField(label=_("Type"), choices=OrganisationType.choices)
    province = forms.ModelChoiceField(queryset=Province.objects.none())
    business_number = forms.CharField(
        label=_("Business registration number"),
        max_length=12,
        required=False,
        help_text=_("10 digits, e.g. 123-45-67891; required for firms."),
    )
    department = forms.CharField(label=_("Department"), max_length=120, required=False)
    role = forms.ChoiceField(
        label=_("Role"), choices=ConsortiumMember.Role.choices, initial=ConsortiumMember.Role.PARTNER
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"] = province_choices_field(empty_label=_("— choose —"))


# --- applications -----------------------------------------------------------------------------


class ApplicationStartForm(forms.Form):
    track = forms.ModelChoiceField(
        queryset=Track.objects.none(), label=_("Call and track"), empty_label=_("— choose —")
    )
    title = forms.CharField(label=_("Project title"), max_length=200, validators=[single_line])

    def __init__(self, *args, calls=(), **kwargs):
        super().__init__(*args, **kwargs)
        ids = [t.pk for c in calls for t in c.tracks.all()]
        self.fields["track"].queryset = Track.objects.filter(pk__in=ids).select_related("call")
        self.fields["track"].label_from_instance = lambda t: f"{t.call.title} — {t.name}"


class BasicsForm(forms.Form):
    title = forms.CharField(label=_("Project title"), max_length=200, validators=[single_line])
    future_technology = forms.CharField(label=_("Future technology"), max_length=120, required=False)
    key_industry = forms.CharField(label=_("Regional key industry"), max_length=120, required=False)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=MAX_SUMMARY_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    @classmethod
    def initial_from(cls, application: Application) -> dict:
        return {name: getattr(application, name) for name in cls.base_fields}


class RowForm(forms.Form):
    """One row of a row editor; every posted row is validated (no silently skipped rows)."""

    def __init__(self, *args, **kwargs):
        kwargs["empty_permitted"] = False
        super().__init__(*args, **kwargs)
        # Row inputs sit under column headers, not beside labels: name them for screen readers.
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", str(field.label))


def row_formset(form_class):
    return forms.formset_factory(form_class, extra=0, can_delete=False)


def year_choices(duration: int, call=None) -> list[tuple[int, str]]:
    """Plan years as values, labelled by calendar year ("2027년") when the call is known."""
    if call is None:
        return [(y, _("Year %(n)d") % {"n": y}) for y in range(1, duration + 1)]
    from consortia.budget import year_label

    return [(y, year_label(call.calendar_year(y))) for y in range(1, duration + 1)]


class BudgetRowForm(RowForm):
    member = forms.TypedChoiceField(coerce=int, label=_("Member"))
    year = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_YEAR)
    national_krw = KrwField(label=_("National grant"))
    local_cash_krw = KrwField(label=_("Local matching cash"))
    private_cash_krw = KrwField(label=_("Private matching cash"))
    private_in_kind_krw = KrwField(label=_("Private matching in kind"))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = members

    def row(self) -> dict:
        data = self.cleaned_data
        return {"member": data["member"], "year": data["year"], **{f: data[f] for f in MONEY_FIELDS}}


class PersonRowForm(RowForm):
    member = forms.TypedChoiceField(coerce=int, label=_("Member"))
    role = forms.ChoiceField(label=_("Role"), choices=ApplicationPerson.Role.choices)
    name = forms.CharField(label=_("Researcher name"), max_length=80)
    researcher_number = forms.CharField(
        label=_("National researcher number"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 9}),
    )
    email = forms.EmailField(label=_("Email"), required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = members

    def row(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("member", "role", "name", "researcher_number", "email")}


class KpiRowForm(RowForm):
    indicator = forms.ChoiceField(label=_("Indicator"), choices=KpiIndicator.choices)
    year = forms.TypedChoiceField(coerce=int, label=_("Year"))
    value = KrwField(label=_("Target"), required=True, max_value=MAX_COUNT)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = years

    def row(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("indicator", "year", "value")}


class MilestoneRowForm(RowForm):
    year = forms.TypedChoiceField(coerce=int, label=_("Year"))
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=MAX_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = years

    def row(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("year", "title", "description")}


BudgetFormSet = row_formset(BudgetRowForm)
PersonFormSet = row_formset(PersonRowForm)
KpiFormSet = row_formset(KpiRowForm)
MilestoneFormSet = row_formset(MilestoneRowForm)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ApplicationDocument.Kind.choices)
    file = forms.FileField(label=_("File"), help_text=_("PDF, HWP, HWPX, DOCX or XLSX."))


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000, required=True
    )


class DeclaredProjectForm(forms.Form):
    """An outside national R&D project of one of the application's researchers (3책5공)."""

    person = forms.TypedChoiceField(label=_("Researcher"), coerce=int)
    title = forms.CharField(label=_("Project title"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Project kind"), choices=ProjectKind.choices, initial=ProjectKind.RESEARCH
    )
    as_principal_investigator = forms.BooleanField(label=_("as principal investigator"), required=False)
    with_foreign_partner = forms.BooleanField(label=_("with a foreign corporation"), required=False)
    starts_on = forms.DateField(label=_("starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("ends on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.person_id, str(p.person)) for p in people]
