"""Assess: training requests, the public intake, triage decisions and scoring settings."""

from __future__ import annotations

import time as clock
from typing import TYPE_CHECKING

from django import forms
from django.core import signing
from django.core.validators import MaxValueValidator

from measurement.models import Kpi
from roadmap.forms.core import (
    DATE_INPUT,
    org_priorities,
)
from roadmap.models import (
    AssessSettings,
    Cycle,
    Initiative,
    TrainingRequest,
    TrainingRequestState,
)
from roadmap_site.models import Organization, Person

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

if TYPE_CHECKING:
    from django.http import QueryDict

    from strategy.models import Priority


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

    data: QueryDict  # request.POST: `clean` replaces a stale timestamp in a copy

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
        super().clean()
        cleaned = self.cleaned_data
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
        super().clean()
        cleaned = self.cleaned_data
        # The roadmap follows from the cycle; the model's checks need both.
        if cleaned.get("cycle"):
            self.instance.roadmap = cleaned["cycle"].roadmap
        return cleaned

    def initiative_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields or ()}


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
        super().clean()
        cleaned = self.cleaned_data
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
    priority: forms.ModelChoiceField[Priority] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Any priority"
    )
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
