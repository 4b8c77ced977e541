"""Metric sources: the admin's form, the upload, and the column mapping of a preview."""

from __future__ import annotations

import re
from typing import Any

from celery.schedules import crontab
from django import forms
from django.conf import settings

from measurement import fetch, sources, targets
from measurement.models import Kpi, MetricSource, Program, Schedule, SourceKind
from roadmap_site.models import Organization

SECRET_UNCHANGED = "Leave empty to keep the stored value."  # noqa: S105 (help text)
FIELD_ORDER = [
    "name",
    "kind",
    "target",
    "program",
    "kpi",
    "all_or_nothing",
    "url",
    "header_name",
    "header_value",
    "clear_header",
    "schedule",
    "cron",
    "enabled",
]


class MetricSourceForm(forms.ModelForm):
    target = forms.ChoiceField(label="Writes to", choices=())
    header_value = forms.CharField(
        label="Header value",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="A token or key sent in the header above; stored encrypted, never shown.",
    )
    clear_header = forms.BooleanField(label="Remove the stored credential", required=False)

    def clean_header_name(self) -> str:
        name = self.cleaned_data.get("header_name", "").strip()
        if name and not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name):
            raise forms.ValidationError("A header name is letters, digits and - only.")
        return name

    def clean_header_value(self) -> str:
        value = self.cleaned_data.get("header_value", "")
        if any(c in value for c in "\r\n\x00"):
            raise forms.ValidationError("A header value cannot hold a line break.")
        return value

    # The form's order, once: Meta.fields is it without the two fields the model lacks.
    field_order = FIELD_ORDER

    class Meta:
        model = MetricSource
        fields = [name for name in FIELD_ORDER if name not in ("header_value", "clear_header")]
        labels = {
            "header_name": "Credential header name",
            "kind": "Where rows come from",
            "kpi": "KPI",
        }
        help_texts = {
            "header_name": "Optional, e.g. Authorization or X-Api-Key.",
            "url": "An http:// or https:// address serving CSV or JSON. Moving it to another "
            "scheme, host or port removes the stored credential: give it again.",
            "schedule": "URL sources only: beat runs them on this schedule.",
        }

    def __init__(self, *args: Any, org: Organization, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.instance.org = org
        self.org = org
        self.stored_origin = fetch.origin(self.instance.url) if self.instance.url else None
        self.credential_cleared = False
        self.fields["target"].choices = targets.choices()
        self.fields["program"].queryset = Program.objects.for_org(org).select_related("initiative")
        self.fields["program"].help_text = "For learner activity, eligible learners, surveys."
        self.fields["kpi"].queryset = Kpi.objects.for_org(org)
        self.fields["kpi"].help_text = "For KPI values."
        if self.instance.has_secret:
            self.fields["header_value"].help_text = "A value is set. " + SECRET_UNCHANGED
        else:
            del self.fields["clear_header"]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = MetricSource.objects.for_org(self.org).filter(name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("A source with this name already exists.")
        return name

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        target = targets.TARGETS.get(data.get("target", ""))
        if target and target.needs == "program" and not data.get("program"):
            self.add_error("program", f"Choose the program {target.label.lower()} goes to.")
        if target and target.needs == "kpi" and not data.get("kpi"):
            self.add_error("kpi", "Choose the KPI the values belong to.")
        if data.get("kind") == SourceKind.URL and not data.get("url"):
            self.add_error("url", "Give the address to fetch.")
        if data.get("schedule") and data.get("kind") != SourceKind.URL:
            self.add_error("schedule", "Only a URL source can run on a schedule.")
        if data.get("schedule") == Schedule.CRON:
            self._check_cron(data.get("cron", ""))
        if data.get("header_value") and not data.get("header_name"):
            self.add_error("header_name", "Name the header the value is sent in.")
        return data

    def _check_cron(self, text: str) -> None:
        parts = text.split()
        if len(parts) != 5:
            self.add_error("cron", "Five fields: minute hour day-of-month month day-of-week.")
            return
        minute, hour, dom, month, dow = parts
        try:
            crontab(
                minute=minute, hour=hour, day_of_month=dom, month_of_year=month, day_of_week=dow
            )
        except (ValueError, KeyError) as error:
            self.add_error("cron", f"Not a cron expression Celery understands ({error}).")

    def save(self, commit: bool = True) -> MetricSource:
        source = super().save(commit=False)
        if self.cleaned_data.get("clear_header"):
            source.header_secret = ""
        # The credential was given for one origin; never send it to another.
        moved = self.stored_origin and fetch.origin(source.url or "") != self.stored_origin
        if moved and source.header_secret and not self.cleaned_data.get("header_value"):
            source.header_secret = ""
            self.credential_cleared = True
        if self.cleaned_data.get("header_value"):
            source.header_secret = sources.encrypt_secret(self.cleaned_data["header_value"])
        if source.schedule != Schedule.CRON:
            source.cron = ""
        if commit:
            source.save()
            sources.sync_schedule(source)
        return source


class UploadForm(forms.Form):
    file = forms.FileField(label="CSV or XLSX file")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {settings.IMPORT_MAX_BYTES:,} bytes."
            )
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError("Upload a .csv or .xlsx file.")
        return upload


class MappingForm(forms.Form):
    """One choice per target field: which column of the file feeds it."""

    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, source: MetricSource, header: list[str], **kwargs: Any):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.target = targets.TARGETS[source.target]
        options = [("", "— not in the file —"), *((h, h) for h in header if h)]
        lowered = {h.lower(): h for h in header if h}
        for f in self.target.fields:
            wanted = (source.mapping.get(f.name) or f.name).lower()
            self.fields[f"map_{f.name}"] = forms.ChoiceField(
                label=f.name.replace("_", " ").capitalize() + ("" if f.required else " (optional)"),
                choices=options,
                required=f.required,
                initial=lowered.get(wanted, ""),
                help_text=f.help,
            )

    def mapping(self) -> dict[str, str]:
        return {
            f.name: self.cleaned_data[f"map_{f.name}"]
            for f in self.target.fields
            if self.cleaned_data.get(f"map_{f.name}")
        }
