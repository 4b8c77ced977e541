from __future__ import annotations

from django import forms
from django.utils import timezone

from measurement.models import Direction, Kpi, KpiFamily
from roadmap_site.forms import FiscalYearField, PersonSelect
from roadmap_site.models import Organization, Person
from strategy import maturity
from strategy.models import ListeningSession, Priority, Strategy, Theme

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StrategyForm(forms.Form):
    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        self.fields["fiscal_year"] = FiscalYearField(org=org, today=timezone.localdate())

    def clean_fiscal_year(self) -> int:
        year = self.cleaned_data["fiscal_year"]
        if Strategy.objects.for_org(self.org).for_year(year).exists():
            raise forms.ValidationError("There is already a strategy for this fiscal year.")
        return year


class AnswerForm(forms.Form):
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))


class PriorityForm(forms.ModelForm):
    """A priority, with its KPI chosen from the organisation's or defined on the spot.

    Defining the KPI here keeps the business conversation in one place: the gap, who owns
    it, and the number that will show it closing.
    """

    new_kpi_name = forms.CharField(
        label="…or a new KPI",
        max_length=150,
        required=False,
        help_text="E.g. “Days to full productivity”.",
    )
    new_kpi_unit = forms.CharField(label="Unit", max_length=30, required=False)
    new_kpi_direction = forms.ChoiceField(
        label="Direction", choices=Direction.choices, initial=Direction.HIGHER, required=False
    )
    new_kpi_baseline = forms.DecimalField(
        label="Baseline", max_digits=16, decimal_places=4, required=False
    )
    new_kpi_baseline_date = forms.DateField(label="Baseline date", required=False, widget=DATE)
    new_kpi_target = forms.DecimalField(
        label="Target", max_digits=16, decimal_places=4, required=False
    )
    new_kpi_target_date = forms.DateField(label="Target date", required=False, widget=DATE)

    class Meta:
        model = Priority
        fields = ["capability", "problem", "business_owner", "kpi"]
        widgets = {"problem": forms.Textarea(attrs={"rows": 2}), "business_owner": PersonSelect}

    def __init__(self, *args, strategy: Strategy, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.strategy = strategy
        self.instance.org = strategy.org
        self.fields["business_owner"].queryset = Person.objects.for_org(strategy.org)
        self.fields["business_owner"].empty_label = "Choose the business owner"
        self.fields["kpi"].queryset = Kpi.objects.for_org(strategy.org)
        self.fields["kpi"].empty_label = "No KPI yet"
        self.fields["kpi"].label = "Business KPI"

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        name = (cleaned.get("new_kpi_name") or "").strip()
        if not name:
            return cleaned
        if cleaned.get("kpi"):
            self.add_error("new_kpi_name", "Choose an existing KPI or name a new one, not both.")
        elif Kpi.objects.for_org(self.instance.org).filter(name__iexact=name).exists():
            self.add_error("new_kpi_name", "A KPI with this name exists: choose it above.")
        if (cleaned.get("new_kpi_target") is None) != (cleaned.get("new_kpi_target_date") is None):
            self.add_error("new_kpi_target_date", "A target needs a date, and a date a target.")
        return cleaned

    def save(self, commit: bool = True) -> Priority:
        priority = super().save(commit=False)
        data = self.cleaned_data
        name = (data.get("new_kpi_name") or "").strip()
        if name:
            priority.kpi = Kpi.objects.create(
                org=priority.org,
                name=name,
                family=KpiFamily.BUSINESS_IMPACT,
                unit=data.get("new_kpi_unit") or "",
                direction=data.get("new_kpi_direction") or Direction.HIGHER,
                baseline=data.get("new_kpi_baseline"),
                baseline_date=data.get("new_kpi_baseline_date"),
                target=data.get("new_kpi_target"),
                target_date=data.get("new_kpi_target_date"),
                owner=priority.business_owner,
            )
        if not priority.pk:
            priority.rank = Priority.next_rank(priority.strategy)
        if commit:
            priority.save()
        return priority


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class MaturityForm(forms.Form):
    """One radio group per dimension, each level with its concrete descriptor."""

    taken_on = forms.DateField(label="Date", widget=DATE)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["taken_on"].initial = timezone.localdate()
        for dimension in maturity.DIMENSIONS:
            self.fields[dimension.key] = forms.TypedChoiceField(
                label=dimension.name,
                help_text=dimension.question,
                coerce=int,
                widget=forms.RadioSelect,
                choices=[
                    (level.number, f"{level.name}: {dimension.descriptor(level.number)}")
                    for level in maturity.LEVELS
                ],
            )

    def dimension_fields(self):
        return [self[d.key] for d in maturity.DIMENSIONS]

    def levels(self) -> dict[str, int]:
        return {d.key: self.cleaned_data[d.key] for d in maturity.DIMENSIONS}


class ListeningSessionForm(forms.ModelForm):
    class Meta:
        model = ListeningSession
        fields = ["held_on", "person", "department", "struggling", "evidence", "notes"]
        widgets = {
            "held_on": DATE,
            "person": PersonSelect,
            "struggling": forms.Textarea(attrs={"rows": 3}),
            "evidence": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "department": "Leave empty to use the person's department.",
            "evidence": "Metrics, reports or surveys they have access to.",
        }

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.org = org
        self.fields["person"].queryset = Person.objects.for_org(org)
        self.fields["person"].empty_label = "Choose who you listened to"
        if not self.instance.pk:
            self.fields["held_on"].initial = timezone.localdate()

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        person = cleaned.get("person")
        if person is not None and not cleaned.get("department"):
            cleaned["department"] = person.department
            self.instance.department = person.department
        return cleaned


class ThemeForm(forms.Form):
    """Accept a suggestion (the phrase found in the notes) under a name of the team's choice."""

    name = forms.CharField(max_length=150)
    phrase = forms.CharField(
        max_length=150,
        label="Look for",
        help_text="The words to find in the notes; sessions that mention them are linked.",
    )

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Theme.objects.for_org(self.org).filter(name__iexact=name).exists():
            raise forms.ValidationError("There is already a theme with this name: merge instead.")
        return name


class ThemeRenameForm(forms.ModelForm):
    class Meta:
        model = Theme
        fields = ["name"]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = Theme.objects.for_org(self.instance.org).filter(name__iexact=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("There is already a theme with this name: merge instead.")
        return name


class ThemeMergeForm(forms.Form):
    into = forms.ModelChoiceField(queryset=Theme.objects.none(), label="Merge into")

    def __init__(self, *args, theme: Theme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = Theme.objects.for_org(theme.org).exclude(pk=theme.pk)
