"""The roadmap PDF's options: scope, internal notes, paper size."""

from __future__ import annotations

from django import forms

from roadmap.models import ExportOptions, Paper, Roadmap


class ExportScope:
    WHOLE = "whole"
    CYCLES = "cycles"
    PRIORITIES = "priorities"
    CHOICES = [
        (WHOLE, "The whole roadmap"),
        (CYCLES, "Chosen cycles"),
        (PRIORITIES, "Initiatives serving chosen priorities"),
    ]


class ExportOptionsForm(forms.Form):
    """Every field has a default, so a bare POST (the roadmap page's one-click "Export PDF")
    exports the whole roadmap on A4 without internal notes. Cycles and priorities are
    looked up in this roadmap and its strategy only: another's id is an invalid choice."""

    scope = forms.ChoiceField(
        choices=ExportScope.CHOICES, initial=ExportScope.WHOLE, widget=forms.RadioSelect,
        required=False,
    )  # fmt: skip
    cycles: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="With “Chosen cycles”.",
    )
    priorities: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="With “Initiatives serving chosen priorities”.",
    )
    include_notes = forms.BooleanField(
        label="Include internal notes",
        required=False,
        help_text="The team's notes on accepted plan warnings and on business-calendar "
        "events. Leave out for a document that leaves the team.",
    )
    paper = forms.ChoiceField(
        label="Paper size", choices=Paper.choices, initial=Paper.A4, widget=forms.RadioSelect,
        required=False,
    )  # fmt: skip

    def __init__(self, *args, roadmap: Roadmap, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["cycles"].queryset = roadmap.cycles.all()
        self.fields["priorities"].queryset = roadmap.strategy_priorities()
        self.fields["priorities"].label_from_instance = lambda p: p.capability

    def clean(self):
        super().clean()
        data = self.cleaned_data
        scope = data.get("scope") or ExportScope.WHOLE
        if scope == ExportScope.CYCLES and not data.get("cycles"):
            self.add_error("cycles", "Choose at least one cycle, or export the whole roadmap.")
        if scope == ExportScope.PRIORITIES and not data.get("priorities"):
            self.add_error(
                "priorities", "Choose at least one priority, or export the whole roadmap."
            )
        data["scope"] = scope
        return data

    def options(self) -> ExportOptions:
        data = self.cleaned_data
        scope = data["scope"]
        return ExportOptions(
            cycles=tuple(c.pk for c in data["cycles"]) if scope == ExportScope.CYCLES else (),
            priorities=(
                tuple(p.pk for p in data["priorities"]) if scope == ExportScope.PRIORITIES else ()
            ),
            include_notes=data["include_notes"],
            paper=data.get("paper") or Paper.A4,
        )
