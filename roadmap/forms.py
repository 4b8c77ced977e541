from __future__ import annotations

from datetime import date, datetime, time

from django import forms
from django.utils import timezone

from roadmap.models import Initiative, Roadmap, ShareLink, fiscal_year_of
from roadmap_site.models import Organization, Person


class RoadmapForm(forms.ModelForm):
    fiscal_year = forms.IntegerField(
        min_value=2000,
        max_value=2100,
        label="Fiscal year",
        help_text="The calendar year the fiscal year ends in: 2027 for FY27.",
    )

    class Meta:
        model = Roadmap
        fields = ["title", "description", "fiscal_year"]

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        if not self.instance.pk:
            self.fields["fiscal_year"].initial = fiscal_year_of(org, timezone.localdate())
        else:
            # The period is fixed once cycles exist; later issues add re-planning.
            del self.fields["fiscal_year"]

    def save(self, *, created_by=None) -> Roadmap:
        if self.instance.pk:
            return super().save()
        data = self.cleaned_data
        return Roadmap.create_for_year(
            org=self.org,
            title=data["title"],
            description=data["description"],
            fiscal_year=data["fiscal_year"],
            created_by=created_by,
        )


class InitiativeForm(forms.ModelForm):
    """Create and inline-edit. Choices are limited to the roadmap's organisation and
    cycles, so a tampered id from elsewhere is refused as an invalid choice."""

    class Meta:
        model = Initiative
        fields = ["title", "problem", "owner", "accountable", "cycle", "status"]
        widgets = {"problem": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, roadmap: Roadmap, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.roadmap = roadmap
        self.instance.org = roadmap.org
        people = Person.objects.for_org(roadmap.org)
        self.fields["owner"].queryset = people
        self.fields["accountable"].queryset = people
        self.fields["cycle"].queryset = roadmap.cycles.all()
        self.fields["owner"].empty_label = "No owner yet"
        self.fields["accountable"].empty_label = "No accountable leader yet"
        self.fields["cycle"].empty_label = "Not scheduled"


class ShareLinkForm(forms.ModelForm):
    expires_on = forms.DateField(
        required=False,
        label="Expires on",
        help_text="Leave empty for a link that works until you revoke it.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = ShareLink
        fields = ["label"]

    def clean_expires_on(self) -> date | None:
        day = self.cleaned_data["expires_on"]
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError("Choose a date after today.")
        return day

    def expires_at(self):
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time.max))
