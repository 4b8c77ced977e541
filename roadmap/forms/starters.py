"""Choosing a starter template: blank, or one of `roadmap/starters/*.toml`."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from roadmap.starters import Starter, choices, get_starter
from roadmap_site.models import Organization


class StarterForm(forms.Form):
    """Rendered by `roadmap/starter_choices.html` (a described radio list), not field by field.

    With `with_year`, it also asks which fiscal year to load into (the new-roadmap form
    asks that itself)."""

    starter = forms.ChoiceField(label="Start from", required=False, choices=choices)
    fiscal_year = forms.IntegerField(
        min_value=2000,
        max_value=2100,
        label="Fiscal year",
        help_text="The calendar year the fiscal year ends in: 2027 for FY27.",
    )

    def __init__(self, *args, org: Organization, with_year: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_year:
            self.fields["fiscal_year"].initial = org.default_fiscal_year(timezone.localdate())
        else:
            del self.fields["fiscal_year"]

    def chosen(self) -> Starter | None:
        slug = self.cleaned_data.get("starter")
        return get_starter(slug) if slug else None
