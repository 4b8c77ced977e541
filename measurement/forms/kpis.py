from __future__ import annotations

from django import forms

from measurement.models import Kpi
from roadmap_site.models import Organization, Person

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class KpiForm(forms.ModelForm):
    class Meta:
        model = Kpi
        fields = [
            "name",
            "description",
            "family",
            "evidence_level",
            "unit",
            "direction",
            "baseline",
            "baseline_date",
            "target",
            "target_date",
            "owner",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "baseline_date": DATE,
            "target_date": DATE,
        }

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.org = org
        self.fields["owner"].queryset = Person.objects.for_org(org)
        self.fields["owner"].empty_label = "No owner yet"
        self.fields["evidence_level"].empty_label = "Not set"

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = Kpi.objects.for_org(self.instance.org).filter(name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("A KPI with this name already exists.")
        return name


class KpiValueForm(forms.Form):
    date = forms.DateField(widget=DATE)
    value = forms.DecimalField(max_digits=16, decimal_places=4)
    segment = forms.CharField(
        max_length=100,
        required=False,
        help_text="Optional: a region, team or cohort. Leave empty for the whole population.",
    )
    note = forms.CharField(max_length=300, required=False)


class KpiValueDownloadForm(forms.Form):
    """Which KPI's values to download: one (from its page) or, left empty, all of them."""

    kpi = forms.ModelChoiceField(queryset=Kpi.objects.none(), required=False)

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpi"].queryset = Kpi.objects.for_org(org)

    def values(self, values):
        """The values of the chosen KPI, or of every KPI (a valid form only)."""
        kpi = self.cleaned_data["kpi"]
        return values.filter(kpi=kpi) if kpi is not None else values
