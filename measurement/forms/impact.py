"""The impact page's entry forms: a survey response, a benefit line, a cost line, a piece of
evidence. They check the shape of the input; the record_* functions they feed check the rest
(and are what imports will call)."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from measurement.forms.kpis import DATE
from measurement.models import KIRKPATRICK_LEVELS, CostCategory, Kpi
from roadmap_site.models import Organization


def percent(label: str, help_text: str) -> forms.DecimalField:
    """A share typed as a percentage (people think in them); the view divides by 100."""
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=1,
    )


class ResponseForm(forms.Form):
    score = forms.IntegerField(
        min_value=0,
        max_value=10,
        help_text="0 (would not recommend) to 10 (would certainly recommend).",
        error_messages={"invalid": "The score must be a whole number from 0 to 10."},
    )
    responded_on = forms.DateField(label="Answered on", widget=DATE)
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    respondent = forms.CharField(
        label="Respondent key",
        max_length=100,
        required=False,
        help_text="Optional pseudonymous key; the same key and day replaces the earlier answer.",
    )


class BenefitForm(forms.Form):
    description = forms.CharField(max_length=200)
    amount = forms.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal(0))
    source = forms.CharField(max_length=200, help_text="Where the figure comes from.")
    isolation = percent("Isolation (%)", "The share of the benefit the program caused, 0 to 100 %.")
    confidence = percent("Confidence (%)", "How sure the estimate is, 0 to 100 %.")


class CostForm(forms.Form):
    category = forms.ChoiceField(choices=CostCategory.choices)
    description = forms.CharField(max_length=200)
    amount = forms.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal(0))


class EvidenceForm(forms.Form):
    level = forms.TypedChoiceField(choices=KIRKPATRICK_LEVELS, coerce=int)
    summary = forms.CharField(max_length=300, help_text="What was seen or measured, in a line.")
    recorded_on = forms.DateField(label="Recorded on", widget=DATE)
    kpi = forms.ModelChoiceField(queryset=Kpi.objects.none(), required=False, label="KPI")
    link = forms.URLField(required=False, assume_scheme="https")

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["kpi"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Kpi.objects.for_org(org).only("pk", "name", "family")
        field.empty_label = "None"
