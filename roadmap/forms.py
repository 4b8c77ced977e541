from __future__ import annotations

import time as clock
from datetime import date, datetime, time

from django import forms
from django.core import signing
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import transaction
from django.utils import timezone

from measurement.models import Kpi
from roadmap.models import (
    COMMITMENT_FIELDS,
    Approach,
    AssessSettings,
    BusinessEvent,
    CalendarFeed,
    Cycle,
    DeliveryMedium,
    EventKind,
    Initiative,
    InitiativeStatus,
    NotDoing,
    Roadmap,
    Sequence,
    ShareLink,
    SmeAvailability,
    Stage,
    StageKind,
    TimeOff,
    TrainingRequest,
    TrainingRequestState,
    fiscal_year_of,
)
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
            if name in self._meta.fields and name in self.cleaned_data
        }

    def clean(self):
        cleaned = super().clean()
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
            return forms.ModelForm.save(self, commit=commit)
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


# Assess -----------------------------------------------------------------------------------

REQUEST_FIELDS = [
    "title",
    "problem",
    "audience",
    "audience_size",
    "evidence_kind",
    "evidence_metric",
    "evidence_value",
    "evidence_notes",
    "priority",
    "needed_by",
]
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TrainingRequestForm(forms.ModelForm):
    """The team's form: the request, the requester, and the assessment (gap, effort)."""

    class Meta:
        model = TrainingRequest
        fields = [
            *REQUEST_FIELDS,
            "gap",
            "effort_days",
            "impact",
            "requester_name",
            "requester_email",
            "requester_department",
        ]
        labels = {
            "title": "What is asked for",
            "requester_name": "Requester",
            "requester_email": "Requester's e-mail",
            "requester_department": "Department",
        }
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 3}),
            "evidence_notes": forms.Textarea(attrs={"rows": 2}),
            "needed_by": DATE_INPUT,
        }

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.org = org
        self.fields["priority"].queryset = org_priorities(org)
        self.fields["priority"].empty_label = "No priority / not sure"


class PublicTrainingRequestForm(forms.ModelForm):
    """The no-account intake form. Spam-resistant without a third party: a honeypot field
    people never see, and a signed timestamp that refuses forms sent implausibly fast."""

    MIN_SECONDS = 3
    MAX_AGE = 60 * 60 * 6
    SALT = "roadmap.intake"

    website = forms.CharField(required=False, label="Leave this empty")
    started = forms.CharField(widget=forms.HiddenInput)

    class Meta:
        model = TrainingRequest
        fields = ["requester_name", "requester_email", "requester_department", *REQUEST_FIELDS]
        labels = {"title": "What do you ask for?", "problem": "What problem is behind it?"}
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 4}),
            "evidence_notes": forms.Textarea(attrs={"rows": 3}),
            "needed_by": DATE_INPUT,
        }

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.org = org
        self.instance.source = "public"
        for name in ("requester_name", "requester_email", "requester_department"):
            self.fields[name].required = True
        self.fields["priority"].queryset = current_priorities(org)
        self.fields["priority"].empty_label = "I don't know"
        self.fields["priority"].label = "Which business priority does it serve?"
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.initial["started"] = self.stamp()

    @classmethod
    def stamp(cls) -> str:
        return signing.TimestampSigner(salt=cls.SALT).sign(str(clock.time()))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError("This request could not be accepted.", code="spam")
        try:
            started = float(
                signing.TimestampSigner(salt=self.SALT).unsign(
                    self.data.get("started", ""), max_age=self.MAX_AGE
                )
            )
        except (signing.BadSignature, ValueError):
            self.data = self.data.copy()
            self.data["started"] = self.stamp()
            raise forms.ValidationError(
                "This form has expired. Please check your answers and send it again.",
                code="expired",
            ) from None
        if clock.time() - started < self.MIN_SECONDS:
            self.data = self.data.copy()
            self.data["started"] = self.stamp()
            raise forms.ValidationError(
                "That was quick! Please check your answers and send the form again.",
                code="too_fast",
            )
        return cleaned


def current_priorities(org: Organization):
    """The priorities of the organisation's latest strategy, by rank."""
    from strategy.models import Priority, Strategy

    latest = Strategy.objects.for_org(org).order_by("-fiscal_year").first()
    return Priority.objects.for_org(org).filter(strategy=latest).ranked()


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the requester",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="“Here's why we can't prioritize this now.” The requester reads this.",
    )


class DeferForm(forms.Form):
    cycle = forms.ModelChoiceField(queryset=Cycle.objects.none(), label="Defer to")
    reason = forms.CharField(
        label="Reason for the requester",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The requester reads this on their status page.",
    )

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = org_cycles(org)
        self.fields["cycle"].label_from_instance = cycle_label


class DuplicateForm(forms.Form):
    of = forms.ModelChoiceField(queryset=TrainingRequest.objects.none(), label="Duplicate of")

    def __init__(self, *args, request_obj: TrainingRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["of"].queryset = (
            TrainingRequest.objects.for_org(request_obj.org)
            .exclude(pk=request_obj.pk)
            .exclude(state="duplicate")
        )


def org_cycles(org: Organization):
    return Cycle.objects.for_org(org).select_related("roadmap").order_by("start", "roadmap_id")


def cycle_label(cycle: Cycle) -> str:
    return f"{cycle.name} · {cycle.roadmap.title}"


class CommitForm(forms.ModelForm):
    """Commit one or more requests as a new initiative: who does it, who owns the outcome,
    when, with what, at the cost of what, and how we will know."""

    class Meta:
        model = Initiative
        fields = [
            "title",
            "problem",
            "priority",
            "audience",
            "audience_size",
            "cycle",
            "owner",
            "accountable",
            "budget",
            "people",
            "days",
            "tradeoffs",
            "kpi",
        ]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 3}),
            "tradeoffs": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.org = org
        people = Person.objects.for_org(org)
        self.fields["owner"].queryset = people.order_by("-is_ld_team", "name")
        self.fields["accountable"].queryset = people
        self.fields["cycle"].queryset = org_cycles(org)
        self.fields["cycle"].label_from_instance = cycle_label
        self.fields["priority"].queryset = org_priorities(org)
        self.fields["kpi"].queryset = Kpi.objects.for_org(org)
        for name in ("cycle", "owner", "accountable", "problem"):
            self.fields[name].required = True
        self.fields["cycle"].label = "Committed for cycle"
        self.fields["owner"].help_text = "Who does the work (L&D)."
        self.fields["accountable"].help_text = "The business leader who owns the outcome."

    def clean(self):
        cleaned = super().clean()
        # The roadmap follows from the cycle; the model's checks need both.
        if cleaned.get("cycle"):
            self.instance.roadmap = cleaned["cycle"].roadmap
        return cleaned

    def initiative_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class BulkTriageForm(forms.Form):
    ACTIONS = [
        ("assess", "Start assessment"),
        ("defer", "Defer…"),
        ("decline", "Decline…"),
        ("commit", "Commit as one initiative…"),
    ]
    requests = forms.ModelMultipleChoiceField(queryset=TrainingRequest.objects.none())
    action = forms.ChoiceField(choices=ACTIONS)
    cycle = forms.ModelChoiceField(queryset=Cycle.objects.none(), required=False, label="Cycle")
    reason = forms.CharField(required=False, label="Reason for the requesters")

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requests"].queryset = TrainingRequest.objects.for_org(org)
        self.fields["cycle"].queryset = org_cycles(org)
        self.fields["cycle"].label_from_instance = cycle_label

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action in ("defer", "decline") and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Write the reason the requesters will read.")
        if action == "defer" and not cleaned.get("cycle"):
            self.add_error("cycle", "Choose the cycle to defer them to.")
        return cleaned


class TrainingRequestFilterForm(forms.Form):
    SORTS = [
        ("score", "Score, highest first"),
        ("newest", "Newest first"),
        ("needed_by", "Needed soonest"),
    ]
    state = forms.ChoiceField(
        choices=[("", "Any state"), *TrainingRequestState.choices], required=False
    )
    priority = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any priority")
    department = forms.ChoiceField(required=False)
    sort = forms.ChoiceField(choices=SORTS, required=False)

    def __init__(self, *args, org: Organization, departments: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = org_priorities(org)
        self.fields["department"].choices = [("", "Any department")] + [(d, d) for d in departments]


class AssessSettingsForm(forms.ModelForm):
    class Meta:
        model = AssessSettings
        fields = [
            "scoring_model",
            "weight_alignment",
            "weight_evidence",
            "weight_reach",
            "weight_urgency",
            "weight_training_fit",
            "weight_effort",
            "intake_open",
            "intake_intro",
        ]
        widgets = {"intake_intro": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            if name.startswith("weight_"):
                self.fields[name].widget.attrs.update({"min": 0, "max": 100})
                self.fields[name].validators.append(MaxValueValidator(100))


# Align ------------------------------------------------------------------------------------


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
        cleaned = super().clean()
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


# Plan ---------------------------------------------------------------------------------------


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])

    @property
    def up(self) -> bool:
        return self.cleaned_data["direction"] == "up"


def end_not_before_start(form: forms.Form, cleaned: dict) -> None:
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
        cleaned = super().clean()
        end_not_before_start(self, cleaned)
        return cleaned


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
    person = forms.ModelChoiceField(queryset=Person.objects.none(), label="SME")

    def __init__(self, *args, initiative: Initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.for_org(initiative.org).exclude(
            sme_assignments__initiative=initiative
        )
        self.fields["person"].empty_label = "Choose a person"


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
        cleaned = super().clean()
        if cleaned.get("successor") and cleaned.get("successor") == cleaned.get("predecessor"):
            self.add_error("predecessor", "A stage cannot wait for itself.")
        return cleaned


class CapacityForm(forms.Form):
    """Days per person (L&D team) and cycle, as one grid: `days_<person>_<cycle>`."""

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
                    widget=forms.NumberInput(attrs={"step": "0.5", "min": 0, "class": "days"}),
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
        cleaned = super().clean()
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
        cleaned = super().clean()
        end_not_before_start(self, cleaned)
        return cleaned


class RoadmapBudgetForm(forms.ModelForm):
    class Meta:
        model = Roadmap
        fields = ["budget"]
        labels = {"budget": "Roadmap budget"}


class AcknowledgeForm(forms.Form):
    key = forms.CharField(max_length=200, widget=forms.HiddenInput)
    note = forms.CharField(
        label="Why it is acceptable",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class UnacknowledgeForm(forms.Form):
    key = forms.CharField(max_length=200)


class TimelineFilterForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=Person.objects.none(), required=False)
    priority = forms.ModelChoiceField(queryset=Person.objects.none(), required=False)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *InitiativeStatus.choices], required=False
    )
    colour = forms.ChoiceField(
        choices=[("status", "Status"), ("owner", "Owner")], required=False, label="Colour by"
    )

    def __init__(self, *args, roadmap: Roadmap, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Person.objects.for_org(roadmap.org).filter(is_ld_team=True)
        self.fields["owner"].empty_label = "Any owner"
        self.fields["priority"].queryset = org_priorities(roadmap.org)
        self.fields["priority"].empty_label = "Any priority"

    def filter(self, initiatives: list[Initiative]) -> list[Initiative]:
        if not self.is_valid():
            return initiatives
        owner, priority = self.cleaned_data["owner"], self.cleaned_data["priority"]
        status = self.cleaned_data["status"]
        return [
            i
            for i in initiatives
            if (owner is None or i.owner_id == owner.pk)
            and (priority is None or i.priority_id == priority.pk)
            and (not status or i.status == status)
        ]

    @property
    def colour_by(self) -> str:
        if self.is_valid() and self.cleaned_data["colour"] == "owner":
            return "owner"
        return "status"


class CalendarFeedForm(forms.ModelForm):
    class Meta:
        model = CalendarFeed
        fields = ["label"]
