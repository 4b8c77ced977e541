"""Assess: training requests, the public intake, triage decisions and scoring settings."""

from __future__ import annotations

import hashlib
import secrets
import time as clock
from typing import TYPE_CHECKING

from django import forms
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.validators import MaxValueValidator
from django.db.models import F
from django.template.defaultfilters import pluralize
from django.utils import timezone

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
    TrainingRequestQuerySet,
    TrainingRequestState,
)
from roadmap_site.cache import bump_org, get_or_build, key
from roadmap_site.forms import PersonSelect
from roadmap_site.models import Organization, Person

if TYPE_CHECKING:
    from strategy.models import MaturityAssessment, Theme

# Where a request prefilled from the strategy came from: set on the request, not asked.
SOURCE_FIELDS = ("source", "source_detail")

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
        # A prefill (`initial_from_*`) says where the request comes from.
        for name in SOURCE_FIELDS:
            if name in self.initial:
                setattr(self.instance, name, self.initial[name])
        self.fields["priority"].queryset = org_priorities(org)
        self.fields["priority"].empty_label = "No priority / not sure"

    @staticmethod
    def initial_from_theme(theme: Theme) -> dict:
        """A request from a listening-session theme: its name, the first five quotes with
        who said them, and how many sessions and departments raised it. Give it a theme
        from `Theme.objects.with_mentions()`."""
        mentions = list(theme.mentions.all())
        departments = ", ".join(theme.counts_by_department())
        return {
            "title": theme.name,
            "problem": "\n".join(f"“{m.quote}” ({m.session.person})" for m in mentions[:5]),
            "evidence_kind": "stakeholder",
            "evidence_notes": f"Listening-session theme “{theme.name}”: "
            f"{len(mentions)} session{pluralize(len(mentions))}, "
            f"{departments or 'no department'}.",
            "source": "listening",
            "source_detail": f"Theme: {theme.name}",
        }

    @staticmethod
    def initial_from_suggestion(assessment: MaturityAssessment, key: str) -> dict | None:
        """A request from the suggested next move of one of the assessment's weakest
        dimensions (by its key); None if that dimension has no suggestion."""
        for dimension, level, move in assessment.next_moves():
            if dimension.key == key:
                return {
                    "title": move[:200] or dimension.name,
                    "problem": f"Maturity self-assessment of {assessment.taken_on:%-d %b %Y}: "
                    f"“{dimension.name}” is at level {level.number} ({level.name}). "
                    f"Next move: {move}",
                    "evidence_kind": "stakeholder",
                    "gap": "knowledge",
                    "source": "maturity",
                    "source_detail": f"Maturity: {dimension.name}",
                }
        return None

    def save(self, commit: bool = True, *, by=None) -> TrainingRequest:
        """`by`: the member who enters a new request."""
        if by is not None and self.instance.pk is None:
            self.instance.submitted_by = by
        item = super().save(commit=commit)
        if commit:
            # Share pages list declined and deferred requests; cached pages key on this.
            bump_org(item.org)
        return item


class PublicTrainingRequestForm(forms.ModelForm):
    """The no-account intake form. Spam-resistant without a third party: a honeypot field
    people never see, and a signed, single-use timestamp that refuses forms sent
    implausibly fast or sent twice."""

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

    def __init__(self, *args, org: Organization, show_priorities: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.org = org
        self.instance.source = "public"
        for name in ("requester_name", "requester_email", "requester_department"):
            self.fields[name].required = True
        if show_priorities:
            self.fields["priority"].queryset = current_priorities(org)
            self.fields["priority"].empty_label = "I don't know"
            self.fields["priority"].label = "Which business priority does it serve?"
        else:
            # The priorities' titles are internal unless the organisation chose to show them.
            del self.fields["priority"]
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.initial["started"] = self.stamp()

    def save(self, commit: bool = True) -> TrainingRequest:
        item = super().save(commit=commit)
        if commit:
            bump_org(item.org)  # the organisation's request list has one more
        return item

    @classmethod
    def stamp(cls) -> str:
        # The random part makes every form's stamp unique, so it can be used once.
        value = f"{clock.time()}/{secrets.token_urlsafe(12)}"
        return signing.TimestampSigner(salt=cls.SALT).sign(value)

    def _restamp(self) -> None:
        self.data = self.data.copy()
        self.data["started"] = self.stamp()

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("website"):
            raise forms.ValidationError("This request could not be accepted.", code="spam")
        try:
            started = float(
                signing.TimestampSigner(salt=self.SALT)
                .unsign(self.data.get("started", ""), max_age=self.MAX_AGE)
                .split("/")[0]
            )
        except (signing.BadSignature, ValueError):
            self._restamp()
            raise forms.ValidationError(
                "This form has expired. Please check your answers and send it again.",
                code="expired",
            ) from None
        if clock.time() - started < self.MIN_SECONDS:
            self._restamp()
            raise forms.ValidationError(
                "That was quick! Please check your answers and send the form again.",
                code="too_fast",
            )
        return cleaned

    def full_clean(self) -> None:
        """Claim the stamp last, once everything else is valid: a form with a mistake can be
        corrected and sent again, but a valid form is accepted once (replays get no row)."""
        super().full_clean()
        if not self.is_bound or self._errors:
            return
        key = "intake:stamp:" + hashlib.sha256(str(self.data["started"]).encode()).hexdigest()
        if not cache.add(key, 1, self.MAX_AGE + 60):
            self._restamp()
            self.add_error(
                None,
                forms.ValidationError(
                    "This form was already sent. To send another request, check your "
                    "answers and send the form again.",
                    code="replayed",
                ),
            )


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


# A cycle that has started is not offered; one posted anyway (a stale page, tampering)
# gets this at the field. The model's `defer()` refuses it too.
NOT_A_FUTURE_CYCLE = "Choose a cycle that starts after today."


def future_cycles(org: Organization):
    """The organisation's cycles that start after today, in date order."""
    return org_cycles(org).starting_after(timezone.localdate())


class DeferForm(forms.Form):
    cycle = forms.ModelChoiceField(
        queryset=Cycle.objects.none(),
        label="Defer to",
        help_text="Only cycles that start after today.",
        error_messages={"invalid_choice": NOT_A_FUTURE_CYCLE},
    )
    reason = forms.CharField(
        label="Reason for the requester",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The requester reads this on their status page.",
    )

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = future_cycles(org)
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
            "owner": PersonSelect,
            "accountable": PersonSelect,
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
    # Its errors are shown as one message above the list (`error_sentences`), so each one
    # is a sentence that needs no field name.
    STALE = "Some of the selected requests are gone; reload the list and select again."
    requests = forms.ModelMultipleChoiceField(
        queryset=TrainingRequest.objects.none(),
        error_messages={
            "required": "Select at least one request.",
            "invalid_choice": STALE,
            "invalid_pk_value": STALE,
            "invalid_list": STALE,
        },
    )
    action = forms.ChoiceField(
        choices=ACTIONS,
        error_messages={
            "required": "Choose a decision.",
            "invalid_choice": "Choose one of the decisions offered.",
        },
    )
    cycle = forms.ModelChoiceField(
        queryset=Cycle.objects.none(),
        required=False,
        label="Cycle",
        error_messages={"invalid_choice": NOT_A_FUTURE_CYCLE},
    )
    reason = forms.CharField(required=False, label="Reason for the requesters")

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requests"].queryset = TrainingRequest.objects.for_org(org)
        self.fields["cycle"].queryset = future_cycles(org)
        self.fields["cycle"].label_from_instance = cycle_label

    def error_sentences(self) -> list[str]:
        """Every error as the sentence a person reads, in the order of the fields."""
        return [
            str(message)
            for name in [*self.fields, NON_FIELD_ERRORS]
            for message in self.errors.get(name, [])
        ]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        action = cleaned.get("action")
        if action in ("defer", "decline") and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Write the reason the requesters will read.")
        if action == "defer" and not cleaned.get("cycle") and "cycle" not in self.errors:
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

    @classmethod
    def for_org(cls, org: Organization, data=None) -> TrainingRequestFilterForm:
        """The filters of an organisation's request list: its priorities and the
        departments its requests come from."""
        # Only a request's write changes them, and each bumps the organisation's version.
        departments = get_or_build(
            key("departments", org.pk, org.version),
            lambda: TrainingRequest.objects.for_org(org).departments(),
        )
        return cls(data, org=org, departments=departments)

    def filter(self, requests: TrainingRequestQuerySet) -> TrainingRequestQuerySet:
        """The requests the filters choose; all of them when the filters are invalid."""
        if not self.is_valid():
            return requests
        data = self.cleaned_data
        if data["state"]:
            requests = requests.in_state(data["state"])
        if data["priority"]:
            requests = requests.serving(data["priority"])
        if data["department"]:
            requests = requests.from_department(data["department"])
        return requests

    @property
    def chosen(self) -> tuple:
        """What the filters choose, for a cache key: invalid filters choose everything."""
        if not self.is_valid():
            return ()
        data = self.cleaned_data
        priority = data["priority"].pk if data["priority"] else ""
        return (data["state"], priority, data["department"], self.order)

    @property
    def order(self) -> str:
        """The chosen sort; by score when none or the filters are invalid."""
        if self.is_valid() and self.cleaned_data["sort"]:
            return self.cleaned_data["sort"]
        return "score"

    def in_order(self, requests: TrainingRequestQuerySet) -> TrainingRequestQuerySet:
        """`requests` (annotated with `score_total`) in the chosen order: score (highest
        first, none last, then newest id), newest submitted, or needed soonest (no date
        last)."""
        if self.order == "newest":
            return requests.order_by("-submitted_at", "-pk")
        if self.order == "needed_by":
            return requests.order_by(F("needed_by").asc(nulls_last=True), "-submitted_at", "-pk")
        return requests.order_by(F("score_total").desc(nulls_last=True), "-pk")


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
            "intake_shows_priorities",
            "intake_intro",
        ]
        widgets = {"intake_intro": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            if name.startswith("weight_"):
                self.fields[name].widget.attrs.update({"min": 0, "max": 100})
                self.fields[name].validators.append(MaxValueValidator(100))
