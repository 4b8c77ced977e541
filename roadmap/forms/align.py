"""Align: what we are not doing and the business calendar."""

from __future__ import annotations

from django import forms

from roadmap.forms.core import DATE_INPUT
from roadmap.models import (
    BusinessEvent,
    EventKind,
    NotDoing,
    Roadmap,
)
from roadmap_site.models import Organization


class NotDoingForm(forms.ModelForm):
    class Meta:
        model = NotDoing
        fields = ["cycle", "title", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, roadmap: Roadmap, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.roadmap = roadmap
        self.instance.org = roadmap.org
        self.fields["cycle"].queryset = roadmap.cycles.all()


class BusinessEventForm(forms.ModelForm):
    class Meta:
        model = BusinessEvent
        fields = ["kind", "name", "start", "end", "recurs_yearly", "notes"]
        widgets = {
            "start": DATE_INPUT,
            "end": DATE_INPUT,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.org = org

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The end must be on or after the start.")
        return cleaned


class AvoidLaunchesForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        choices=EventKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Avoid launching during",
        help_text="The Plan step warns when a launch falls in one of these periods.",
    )
