"""The quarterly report page's one form: subscribe a leader to a roadmap's report."""

from __future__ import annotations

from django import forms

from roadmap.models import Roadmap
from roadmap_site.models import Person


class ReportSubscriptionForm(forms.Form):
    person = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        label="Leader",
        empty_label="Choose someone…",
        help_text="People of this organisation with an e-mail address who do not receive it yet.",
        error_messages={"invalid_choice": "Choose someone from the list."},
    )

    def __init__(self, *args, roadmap: Roadmap, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        subscribed = roadmap.report_subscriptions.values("person_id")
        field = self.fields["person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Person.objects.for_org(roadmap.org).exclude(email="").exclude(pk__in=subscribed)
        )
