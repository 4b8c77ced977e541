from __future__ import annotations

from django import forms


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label="Note",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What is being done about it, or why it can wait.",
        error_messages={"required": "Say what is being done about it (a short note)."},
    )

    def clean_note(self) -> str:
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError("Say what is being done about it (a short note).")
        return note
