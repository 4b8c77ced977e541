"""Plan: stages, SMEs, dependencies, capacity, warnings, the timeline filter and feeds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

from django import forms
from django.core.validators import MinValueValidator
from django.db import models, transaction

from roadmap.forms.core import (
    DATE_INPUT,
    JustifiedInitiativeForm,
    org_priorities,
)
from roadmap.models import (
    Approach,
    CalendarFeed,
    CapacityEntry,
    DeliveryMedium,
    Initiative,
    InitiativeStatus,
    Roadmap,
    Sequence,
    SmeAssignment,
    SmeAvailability,
    Stage,
    StageKind,
    TimeOff,
    WarningAcknowledgement,
)
from roadmap_site.forms import PersonSelect
from roadmap_site.models import Organization, Person

if TYPE_CHECKING:
    from roadmap.plan_data import StageShift


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])

    @property
    def up(self) -> bool:
        return self.cleaned_data["direction"] == "up"


def end_not_before_start(form: forms.BaseForm, cleaned: dict) -> None:
    start, end = cleaned.get("start"), cleaned.get("end")
    if start and end and end < start:
        form.add_error("end", "The end must be on or after the start.")


class StageForm(forms.ModelForm):
    class Meta:
        model = Stage
        fields = ["kind", "start", "end", "effort_days", "assignee", "status", "good_enough"]
        labels = {"kind": "Stage"}
        widgets = {
            "start": DATE_INPUT,
            "end": DATE_INPUT,
            "effort_days": forms.NumberInput(attrs={"min": 0, "step": "0.5"}),
            "good_enough": forms.Textarea(attrs={"rows": 2}),
            "assignee": PersonSelect,
        }

    def __init__(self, *args, initiative: Initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.initiative = initiative
        self.instance.org = initiative.org
        self.fields["assignee"].queryset = Person.objects.for_org(initiative.org)
        self.fields["assignee"].empty_label = "Nobody yet"
        self.fields["kind"].choices = [("", "Choose a stage"), *StageKind.choices]
        self.fields["effort_days"].validators.append(MinValueValidator(0))
        if self.instance.pk is None:
            self.instance.position = Stage.next_position(initiative) if initiative.pk else 0

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        end_not_before_start(self, cleaned)
        return cleaned

    def save(self, commit: bool = True) -> Stage:
        stage = super().save(commit=commit)
        if commit:
            stage.initiative.roadmap.touch()
        return stage


class InitiativePlanForm(JustifiedInitiativeForm):
    """How the initiative is made and delivered, its budget and where it sits in its cycle.

    Saved through `Initiative.change`: the budget of a committed initiative is a resource,
    so changing it asks for a justification; the other fields do not."""

    delivery_media = forms.MultipleChoiceField(
        choices=DeliveryMedium.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Delivery media",
        help_text="Choose every medium it uses.",
    )
    justification_help = (
        "Needed to change the budget of a committed initiative; it goes into the change log."
    )

    class Meta:
        model = Initiative
        fields = ["approach", "reuses", "delivery_media", "budget", "sequence"]
        labels = {"budget": "Budget planned"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approach"].choices = [("", "Not decided"), *Approach.choices]
        self.fields["sequence"].choices = Sequence.choices


class SmeForm(forms.Form):
    person = forms.ModelChoiceField(
        queryset=Person.objects.none(), label="SME", widget=PersonSelect
    )
    involved_on = forms.DateField(
        label="First involved on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Empty if not involved yet.",
    )

    def __init__(self, *args, initiative: Initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.for_org(initiative.org).exclude(
            sme_assignments__initiative=initiative
        )
        self.fields["person"].empty_label = "Choose a person"


class SmeInvolvedForm(forms.ModelForm):
    """When an SME was first brought in: SME engagement compares it with the day content
    creation began."""

    class Meta:
        model = SmeAssignment
        fields = ["involved_on"]
        widgets = {"involved_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class InitiativeDependencyForm(forms.Form):
    predecessor = forms.ModelChoiceField(
        queryset=Initiative.objects.none(), label="This initiative waits for"
    )

    def __init__(self, *args, initiative: Initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["predecessor"].queryset = initiative.roadmap.initiatives.exclude(
            pk=initiative.pk
        ).order_by("title")
        self.fields["predecessor"].empty_label = "Choose an initiative"


class StageDependencyForm(forms.Form):
    successor = forms.ModelChoiceField(queryset=Stage.objects.none(), label="Stage")
    predecessor = forms.ModelChoiceField(queryset=Stage.objects.none(), label="waits for")

    def __init__(self, *args, initiative: Initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = initiative.stages.all()
        self.fields["predecessor"].queryset = (
            Stage.objects.for_roadmap(initiative.roadmap)
            .select_related("initiative")
            .order_by("initiative__title", "position")
        )
        self.fields["successor"].label_from_instance = lambda s: s.get_kind_display()
        self.fields["predecessor"].label_from_instance = str

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("successor") and cleaned.get("successor") == cleaned.get("predecessor"):
            self.add_error("predecessor", "A stage cannot wait for itself.")
        return cleaned


class CapacityForm(forms.Form):
    """Days per person (L&D team) and cycle, as one grid: `days_<person>_<cycle>`.

    `for_roadmap` builds it for a roadmap's cycles and the organisation's L&D team; `save`
    writes the whole grid at once.
    """

    @classmethod
    def for_roadmap(cls, roadmap: Roadmap, data=None, *, cycles=None, entries=None) -> CapacityForm:
        """The grid of a roadmap. A page that has loaded the plan passes its `cycles` and
        `entries` so they are not read twice."""
        if cycles is None:
            cycles = roadmap.cycles.all()
        if entries is None:
            entries = CapacityEntry.objects.for_org(roadmap.org).filter(cycle__roadmap=roadmap)
        people = Person.objects.for_org(roadmap.org).filter(is_ld_team=True)
        form = cls(data, people=people, cycles=cycles, entries=entries)
        form.roadmap = roadmap
        return form

    CELL_ERRORS = {
        "invalid": "Enter a number of days, like 12 or 12.5.",
        "min_value": "Days cannot be negative.",
        "max_value": "A cycle has at most 366 days.",
        "max_digits": "A cycle has at most 366 days.",
        "max_whole_digits": "A cycle has at most 366 days.",
        "max_decimal_places": "Use at most one decimal, like 12.5.",
    }

    roadmap: Roadmap | None = None  # set by for_roadmap: its pages are rebuilt after a save

    def __init__(self, *args, people, cycles, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.people, self.cycles = list(people), list(cycles)
        current = {(e.person_id, e.cycle_id): e.days for e in entries}
        for person in self.people:
            for cycle in self.cycles:
                self.fields[self.key(person, cycle)] = forms.DecimalField(
                    label=f"{person.name}, {cycle.name}",
                    required=False,
                    min_value=0,
                    max_value=366,
                    max_digits=5,
                    decimal_places=1,
                    initial=current.get((person.pk, cycle.pk)),
                    error_messages=self.CELL_ERRORS,
                    # Text, not a number input: a browser sends "" for text a number
                    # input cannot read, which the grid would take as "empty the cell".
                    widget=forms.TextInput(
                        attrs={"inputmode": "decimal", "class": "days", "size": 5}
                    ),
                )

    @staticmethod
    def key(person, cycle) -> str:
        return f"days_{person.pk}_{cycle.pk}"

    def grid(self) -> list[tuple[Person, list]]:
        return [
            (person, [self[self.key(person, cycle)] for cycle in self.cycles])
            for person in self.people
        ]

    def values(self):
        """(person, cycle, days or None) for every cell."""
        for person in self.people:
            for cycle in self.cycles:
                yield person, cycle, self.cleaned_data.get(self.key(person, cycle))

    def save(self) -> None:
        """Write the grid in one transaction: a number sets the days of that person and
        cycle, an empty cell removes them. All cells are written or none."""
        if not self.is_valid():
            raise ValueError("The capacity grid has errors; it was not saved.")
        with transaction.atomic():
            if self.roadmap is not None:
                self.roadmap.touch()
            for person, cycle, days in self.values():
                if days is None:
                    CapacityEntry.objects.filter(person=person, cycle=cycle).delete()
                else:
                    CapacityEntry.objects.update_or_create(
                        person=person, cycle=cycle, defaults={"org_id": cycle.org_id, "days": days}
                    )


class TimeOffForm(forms.ModelForm):
    class Meta:
        model = TimeOff
        fields = ["person", "start", "end", "note"]
        widgets = {"start": DATE_INPUT, "end": DATE_INPUT}

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.org = org
        self.fields["person"].queryset = Person.objects.for_org(org).filter(is_ld_team=True)

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        end_not_before_start(self, cleaned)
        return cleaned


class AvailabilityForm(forms.ModelForm):
    class Meta:
        model = SmeAvailability
        fields = ["person", "start", "end", "note"]
        labels = {"person": "SME", "start": "Available from", "end": "Available until"}
        widgets = {"start": DATE_INPUT, "end": DATE_INPUT}

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.org = org
        self.fields["person"].queryset = Person.objects.for_org(org)

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        end_not_before_start(self, cleaned)
        return cleaned


class RoadmapBudgetForm(forms.ModelForm):
    class Meta:
        model = Roadmap
        fields = ["budget"]
        labels = {"budget": "Roadmap budget"}
        widgets = {"budget": forms.NumberInput(attrs={"min": 0, "step": "any"})}


class AcknowledgeForm(forms.Form):
    """Acknowledge one plan warning with a note. One form per open warning on the plan page
    (`for_warning`), so `{{ form }}` renders the hidden key and the labelled note with ids
    of its own. With `keys`, a key that is not a warning of the plan is an error with code
    `unknown` (tampered input: the view answers 400)."""

    key = forms.CharField(max_length=200, widget=forms.HiddenInput)
    note = forms.CharField(
        label="Why it is acceptable",
        max_length=2000,
        error_messages={"required": "Say why the team accepts this warning."},
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, keys: Iterable[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = None if keys is None else set(keys)

    @staticmethod
    def auto_id_for(index: int) -> str:
        return f"ack-{index}-%s"

    @classmethod
    def for_warning(cls, key: str, index: int) -> AcknowledgeForm:
        """The empty form of the `index`-th warning on the page."""
        return cls(initial={"key": key}, auto_id=cls.auto_id_for(index))

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        if self.keys is not None and key not in self.keys:
            raise forms.ValidationError("No such warning on this plan.", code="unknown")
        return key

    def save(self, *, roadmap: Roadmap, by) -> WarningAcknowledgement:
        if not self.is_valid():
            raise ValueError("The acknowledgement has errors; it was not saved.")
        return WarningAcknowledgement.acknowledge(
            roadmap=roadmap, key=self.cleaned_data["key"], note=self.cleaned_data["note"], by=by
        )


class UnacknowledgeForm(forms.Form):
    """Reopen an acknowledged warning (the plan page's "Reopen" button)."""

    key = forms.CharField(max_length=200, widget=forms.HiddenInput)

    @classmethod
    def for_warning(cls, key: str, index: int) -> UnacknowledgeForm:
        return cls(initial={"key": key}, auto_id=f"reopen-{index}-%s")

    def save(self, *, roadmap: Roadmap) -> bool:
        if not self.is_valid():
            raise ValueError("Which warning?")
        return WarningAcknowledgement.reopen(roadmap=roadmap, key=self.cleaned_data["key"])


class ShiftStagesForm(forms.Form):
    """The one-click "Shift the stages by the same amount" of a stages-outside-the-cycle
    warning. The hidden fields carry the offer the page showed (`for_offer`); the form is
    refused when the plan no longer makes that offer (`offer`, from `PlanData.shift_offer`).
    """

    days = forms.IntegerField(widget=forms.HiddenInput)
    first_start = forms.DateField(widget=forms.HiddenInput)
    # Where the button was: the answer goes back there.
    back = forms.ChoiceField(
        choices=[("plan", "plan"), ("initiative", "initiative")],
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, offer: StageShift | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer = offer

    @classmethod
    def for_offer(cls, offer: StageShift, *, back: str) -> ShiftStagesForm:
        return cls(
            initial={"days": offer.days, "first_start": offer.first_start, "back": back},
            offer=offer,
        )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if self.offer is None:
            raise forms.ValidationError(
                "The stages already follow the initiative's cycle: nothing was shifted.",
                code="nothing",
            )
        if cleaned is None or (cleaned["days"], cleaned["first_start"]) != (
            self.offer.days,
            self.offer.first_start,
        ):
            raise forms.ValidationError(
                "The plan changed since the page was shown: nothing was shifted. "
                "Look at the warning again.",
                code="stale",
            )
        return cleaned

    @property
    def is_tampered(self) -> bool:
        """Hidden fields missing or not a number and a date: not a page of ours."""
        return self.is_bound and any(self.has_error(name) for name in self.fields)

    def save(self, *, initiative: Initiative, by) -> int:
        if not self.is_valid():
            raise ValueError("The shift has errors; nothing was shifted.")
        offer = self.offer
        if offer is None:  # is_valid() refuses a form without an offer
            raise ValueError("Nothing to shift.")
        reason = f"Stages shifted by {offer.label}: they follow the initiative's cycle again."
        return initiative.shift_stages(
            days=offer.days, first_start=offer.first_start, by=by, reason=reason
        )


class IdListField(forms.Field):
    """Repeated `name=<id>` values as a list of ints; an empty value opens nothing."""

    widget = forms.MultipleHiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value) -> list[int]:
        values = [v for v in (value or []) if v != ""]
        try:
            ids = [int(v) for v in values]
        except (TypeError, ValueError):
            raise forms.ValidationError("Not a list of ids.", code="invalid") from None
        if any(i < 1 or i > 2**31 for i in ids) or len(ids) > 1000:
            raise forms.ValidationError("Not a list of ids.", code="invalid")
        return sorted(set(ids))


class TimelineFilterForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=Person.objects.none(), required=False)
    priority = forms.ModelChoiceField(queryset=Person.objects.none(), required=False)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *InitiativeStatus.choices], required=False
    )
    colour = forms.ChoiceField(
        choices=[("status", "Status"), ("owner", "Owner")], required=False, label="Colour by"
    )
    # The initiatives opened to show their stages: kept in the address and by the filters.
    open = IdListField()

    def __init__(self, *args, roadmap: Roadmap, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Person.objects.for_org(roadmap.org).filter(is_ld_team=True)
        self.fields["owner"].empty_label = "Any owner"
        self.fields["priority"].queryset = org_priorities(roadmap.org)
        self.fields["priority"].empty_label = "Any priority"

    def filter(self, initiatives: models.QuerySet[Initiative]) -> models.QuerySet[Initiative]:
        if not self.is_valid():
            return initiatives
        owner, priority = self.cleaned_data["owner"], self.cleaned_data["priority"]
        status = self.cleaned_data["status"]
        if owner is not None:
            initiatives = initiatives.filter(owner=owner)
        if priority is not None:
            initiatives = initiatives.filter(priority=priority)
        if status:
            initiatives = initiatives.filter(status=status)
        return initiatives

    @property
    def open_ids(self) -> list[int] | None:
        """The initiatives whose stages are shown; None when the address does not say."""
        if "open" not in self.data or not self.is_valid():
            return None
        return self.cleaned_data["open"]

    @property
    def colour_by(self) -> Literal["status", "owner"]:
        if self.is_valid() and self.cleaned_data["colour"] == "owner":
            return "owner"
        return "status"


class CalendarFeedForm(forms.ModelForm):
    class Meta:
        model = CalendarFeed
        fields = ["label"]
