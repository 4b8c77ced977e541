"""Roadmap and initiative forms, and helpers the phase forms share."""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.utils import timezone

from measurement.models import Kpi
from roadmap.models import (
    COMMITMENT_FIELDS,
    Initiative,
    Roadmap,
)
from roadmap_site.forms import FiscalYearField, PersonSelect
from roadmap_site.models import Organization, Person

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RoadmapForm(forms.ModelForm):
    class Meta:
        model = Roadmap
        fields = ["title", "description"]

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        # The period is fixed once cycles exist, so only a new roadmap picks its year.
        if not self.instance.pk:
            self.fields["fiscal_year"] = FiscalYearField(org=org, today=timezone.localdate())

    def save(self, commit: bool = True, *, created_by=None) -> Roadmap:
        if not commit:  # the caller makes the cycles
            return super().save(commit=False)
        if self.instance.pk:
            roadmap = super().save()
            roadmap.touch()
            return roadmap
        data = self.cleaned_data
        return Roadmap.create_for_year(
            org=self.org,
            title=data["title"],
            description=data["description"],
            fiscal_year=data["fiscal_year"],
            created_by=created_by,
        )


class JustifiedInitiativeForm(forms.ModelForm):
    """Edits of an initiative that go through `Initiative.change`.

    Once the initiative is committed, changing a commitment field (cycle, people, scope,
    resources) asks for a written justification, which lands in the change log with the
    change; the stored row is re-read under a lock so the change is checked and logged
    against what is stored."""

    justification = forms.CharField(
        label="Business justification",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    justification_help = (
        "Needed to change the cycle, owner, accountable leader, scope or resources of a "
        "committed initiative; it goes into the change log."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.was_committed = bool(self.instance.pk) and self.instance.is_committed
        if self.was_committed:
            self.fields["justification"].help_text = self.justification_help
        else:
            del self.fields["justification"]

    def model_changes(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if name in (self._meta.fields or ()) and name in self.cleaned_data
        }

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if self.was_committed and not cleaned.get("justification", "").strip():
            changes = self.model_changes()
            if self.instance.needs_justification(set(changes), changes.get("status")):
                self.add_error(
                    "justification",
                    "This initiative is committed: write the business justification for "
                    "changing its " + ", ".join(changed_labels(changes)) + ".",
                )
        return cleaned

    def save(self, commit: bool = True, *, by=None) -> Initiative:
        with transaction.atomic():
            stored = Initiative.objects.select_for_update().get(pk=self.instance.pk)
            stored.change(
                by=by,
                justification=self.cleaned_data.get("justification", ""),
                **self.model_changes(),
            )
        return stored


class InitiativeForm(JustifiedInitiativeForm):
    """Create and inline-edit. Choices are limited to the roadmap's organisation and
    cycles, so a tampered id from elsewhere is refused as an invalid choice."""

    class Meta:
        model = Initiative
        fields = [
            "title",
            "problem",
            "owner",
            "accountable",
            "cycle",
            "status",
            "priority",
            "kpi",
            "audience",
            "audience_size",
            "budget",
            "people",
            "days",
            "tradeoffs",
        ]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 2}),
            "tradeoffs": forms.Textarea(attrs={"rows": 2}),
            "owner": PersonSelect,
            "accountable": PersonSelect,
        }

    def __init__(self, *args, roadmap: Roadmap, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.roadmap = roadmap
        self.instance.org = roadmap.org
        people = Person.objects.for_org(roadmap.org)
        self.fields["owner"].queryset = people
        self.fields["accountable"].queryset = people
        self.fields["cycle"].queryset = roadmap.cycles.all()
        self.fields["priority"].queryset = org_priorities(roadmap.org)
        self.fields["kpi"].queryset = Kpi.objects.for_org(roadmap.org)
        self.fields["owner"].empty_label = "No owner yet"
        self.fields["accountable"].empty_label = "No accountable leader yet"
        self.fields["cycle"].empty_label = "Not scheduled"
        self.fields["priority"].empty_label = "No priority"
        self.fields["kpi"].empty_label = "No KPI yet"

    def save(self, commit: bool = True, *, by=None) -> Initiative:
        if not self.instance.pk:
            self.instance._history_user = by
            initiative = forms.ModelForm.save(self, commit=commit)
            if commit:
                initiative.roadmap.touch()
            return initiative
        return super().save(commit=commit, by=by)


def changed_labels(changes: dict) -> list[str]:
    labels = []
    for name in changes:
        label = COMMITMENT_FIELDS.get(name) or ("status" if name == "status" else None)
        if label and label not in labels:
            labels.append(label)
    return labels


def org_priorities(org: Organization):
    from strategy.models import Priority

    return (
        Priority.objects.for_org(org)
        .select_related("strategy")
        .order_by("-strategy__fiscal_year", "rank", "pk")
    )
