from __future__ import annotations

from datetime import date

from django import forms

from measurement.forms.kpis import DATE
from measurement.models import Forum, Touchpoint
from roadmap_site.models import Organization, Person


class TouchpointForm(forms.ModelForm):
    """What a person types; `measurement.alignment.record_touchpoint` validates again and
    writes."""

    class Meta:
        model = Touchpoint
        fields = ["date", "stakeholder", "forum", "notes"]
        widgets = {"date": DATE, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.org = org
        self.fields["stakeholder"].queryset = Person.objects.for_org(org).filter(is_senior=True)
        self.fields["stakeholder"].empty_label = "Choose a senior stakeholder"
        self.fields["forum"].choices = [("", "Choose a forum"), *Forum.choices]
        self.fields[
            "stakeholder"
        ].help_text = "Only people marked “senior stakeholder” on the People page are listed."

    def validate_unique(self) -> None:
        """The natural key is the service's business: a repeat updates the notes."""


class QuarterForm(forms.Form):
    """The quarter picker: the first day of one of the recent fiscal quarters."""

    quarter = forms.ChoiceField(label="Quarter")

    def __init__(self, *args, org: Organization, starts: list[date], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [
            (
                start.isoformat(),
                f"{org.fiscal_quarter_label(start)} ({start.day} {start:%b} to "
                f"{org.fiscal_quarter_bounds(start)[1].day} "
                f"{org.fiscal_quarter_bounds(start)[1]:%b %Y})",
            )
            for start in reversed(starts)
        ]

    def day(self) -> date:
        return date.fromisoformat(self.cleaned_data["quarter"])
