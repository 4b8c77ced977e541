"""Training requests as a metric-source target (measurement/targets.py).

Registered from `RoadmapConfig.ready`, so measurement never imports the roadmap. Each row
goes through `TrainingRequestForm`, the team's own form, so an import validates exactly
as a person would. A request already there with the same title and requester e-mail is
left as it is (it may have been triaged since): a re-import changes nothing.
"""

from __future__ import annotations

from typing import cast

from django.db import models

from measurement.models import MetricSource
from measurement.targets import Field, Outcome, Refusal, Row, Target, register
from roadmap.forms.assess import TrainingRequestForm
from roadmap.models import TrainingRequest

FIELDS = (
    Field("title", "text"),
    Field("problem", "text"),
    Field("audience", "text", required=False),
    Field("audience_size", "int", required=False),
    Field("needed_by", "date", required=False),
    Field("requester_name", "text", required=False),
    Field("requester_email", "text", required=False),
    Field("requester_department", "text", required=False),
    Field("evidence_kind", "text", required=False, help="metric, stakeholder or none."),
)
DEFAULTS = {
    name: cast("models.Field", TrainingRequest._meta.get_field(name)).get_default()
    for name in ("evidence_kind", "gap", "impact")
}


def write_requests(source: MetricSource, rows: list[Row]) -> Outcome:
    outcome = Outcome()
    titles = {r.values["title"] for r in rows}
    existing = set(
        TrainingRequest.objects.for_org(source.org)
        .filter(title__in=titles)
        .values_list("title", "requester_email")
    )
    for row in rows:
        key = (row.values["title"], (row.values.get("requester_email") or "").lower())
        if key in existing:
            outcome.unchanged += 1
            continue
        data = {f.name: row.values.get(f.name, "") for f in FIELDS}
        # What the team's form asks at triage starts at the model's defaults.
        data.update({name: DEFAULTS[name] for name in DEFAULTS if not data.get(name)})
        data["requester_email"] = key[1]
        form = TrainingRequestForm(data, org=source.org)
        if not form.is_valid():
            for name, errors in form.errors.items():
                outcome.refused.append(
                    Refusal(row.number, " ".join(map(str, errors)), name, str(data.get(name, "")))
                )
            continue
        item = form.save(commit=False)
        item.source_detail = f"Import: {source.name}"[:200]
        item.save()
        existing.add(key)
        outcome.written += 1
    return outcome


def register_target() -> None:
    register(Target(key="requests", label="Training requests", fields=FIELDS, write=write_requests))
