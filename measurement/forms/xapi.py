"""Mapping an xAPI activity id to one of the organisation's programs."""

from __future__ import annotations

from django import forms

from measurement.models import ActivityMapping, Program


class ActivityMappingForm(forms.Form):
    """One activity's program picker. The page has one per activity, so the programs are
    read once and passed in, not queried per form."""

    program = forms.TypedChoiceField(
        label="Counts for program", coerce=int, required=False, empty_value=None
    )

    def __init__(
        self, data=None, *, activity: ActivityMapping, programs: dict[int, Program]
    ) -> None:
        super().__init__(
            data, initial={"program": activity.program_id}, prefix=f"activity-{activity.pk}"
        )
        self.activity = activity
        self.programs = programs
        self.fields["program"].choices = [("", "Not mapped")] + [
            (pk, str(program)) for pk, program in programs.items()
        ]

    def clean_program(self) -> Program | None:
        pk = self.cleaned_data["program"]
        return None if pk is None else self.programs[pk]
