"""Learner engagement forms: what counts for a program, one event by hand, eligible
learners for a month, and the overview's filters. They only clean input; the writes are
`measurement.engagement`'s functions, which imports will call too."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django import forms

from measurement.engagement import MAX_ELIGIBLE, MAX_EVENT_TYPE, MAX_LEARNER_KEY
from measurement.models import Program


class ProgramSettingsForm(forms.Form):
    qualifying_events = forms.CharField(
        label="Events that count as active",
        max_length=500,
        help_text="Event types separated by commas, for example: launched, attempted, completed.",
    )
    completion_event = forms.CharField(label="Event that means finished", max_length=MAX_EVENT_TYPE)
    decline_percent = forms.IntegerField(
        label="Alert on a one-month fall larger than (%)",
        min_value=1,
        max_value=100,
        help_text="A share of the month before; a fall two months running alerts too.",
    )

    @classmethod
    def for_program(cls, program: Program, data=None) -> ProgramSettingsForm:
        return cls(
            data,
            initial={
                "qualifying_events": ", ".join(program.qualifying),
                "completion_event": program.completion_event,
                "decline_percent": int(program.decline_share * 100),
            },
        )

    def clean_qualifying_events(self) -> list[str]:
        events = [e.strip() for e in self.cleaned_data["qualifying_events"].split(",")]
        events = [e for e in events if e]
        if not events:
            raise forms.ValidationError("Name at least one event type.")
        if any(len(e) > MAX_EVENT_TYPE for e in events):
            raise forms.ValidationError(f"Each event type is at most {MAX_EVENT_TYPE} characters.")
        return events

    @property
    def decline_share(self) -> Decimal:
        return Decimal(self.cleaned_data["decline_percent"]) / 100


class LearnerEventForm(forms.Form):
    learner_key = forms.CharField(
        label="Learner key",
        max_length=MAX_LEARNER_KEY,
        help_text="A pseudonymous id from the LMS, never a name.",
    )
    event_type = forms.CharField(label="Event type", max_length=MAX_EVENT_TYPE)
    occurred_at = forms.DateTimeField(
        label="When",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text="On the organisation's clock.",
    )


class EligibleForm(forms.Form):
    month = forms.CharField(
        label="Month",
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-05"}),
        help_text="Year and month, for example 2026-05.",
    )
    count = forms.IntegerField(label="Eligible learners", min_value=0, max_value=MAX_ELIGIBLE)

    def clean_month(self) -> date:
        text = self.cleaned_data["month"].strip()
        try:
            return datetime.strptime(text, "%Y-%m").date()  # noqa: DTZ007 (a month, no time)
        except ValueError:
            raise forms.ValidationError("Give a month as year and month: 2026-05.") from None


class EngagementFilterForm(forms.Form):
    q = forms.CharField(label="Program", required=False, max_length=100)
    declining = forms.BooleanField(label="Declining only", required=False)
