"""Iterate: a decision on an initiative's evidence, and the quarterly review."""

from __future__ import annotations

from datetime import date

from django import forms

from roadmap.models import DecisionKind
from roadmap_site.dates import add_months
from roadmap_site.models import Organization

TEXT_LIMIT = 4000
STALE_EVIDENCE = "The evidence changed since this page was shown: read it again below, then decide."


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(
        label="Decision", choices=DecisionKind.choices, widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why, from the evidence above. The change log keeps it when the "
        "initiative stops.",
    )
    learnings = forms.CharField(
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What we learned",
        help_text="Required to stop: it stays on the roadmap page after the initiative stops.",
    )
    # The fingerprint of the evidence the member read (roadmap.iterate.evidence_digest).
    evidence_digest = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, digest: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.digest = digest
        if not self.is_bound:
            self.initial["evidence_digest"] = digest

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("kind") == DecisionKind.STOP and not cleaned.get("learnings", "").strip():
            self.add_error("learnings", "Write what we learned before stopping it.")
        if "evidence_digest" in cleaned and cleaned["evidence_digest"] != self.digest:
            # The form shows the new evidence with the new fingerprint.
            data = self.data.copy()
            data["evidence_digest"] = self.digest
            self.data = data
            raise forms.ValidationError(STALE_EVIDENCE, code="stale")
        return cleaned


def quarter_choices(org: Organization, today: date) -> list[tuple[str, str]]:
    """The quarter under way and the one before: a review held early in a quarter often
    looks back at the last."""
    current = org.fiscal_quarter_bounds(today)[0]
    previous = add_months(current, -3)
    return [
        (current.isoformat(), f"{org.fiscal_quarter_label(current)} (this quarter)"),
        (previous.isoformat(), f"{org.fiscal_quarter_label(previous)} (last quarter)"),
    ]


class ReviewForm(forms.Form):
    quarter = forms.ChoiceField(label="Quarter reviewed")
    notes = forms.CharField(
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the review concluded, who took part, what happens next.",
    )

    def __init__(self, *args, org: Organization, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = quarter_choices(org, today)

    @property
    def quarter_start(self) -> date:
        return date.fromisoformat(self.cleaned_data["quarter"])
