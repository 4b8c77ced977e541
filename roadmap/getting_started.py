"""The "Getting started" checklist: the first hour's six steps, each ticked from the data.

strategy → priorities with KPIs → requests → commit → plan → share. Every tick is an
`EXISTS` over the organisation's rows, read in one query whatever their number.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse

from roadmap.models import (
    COMMITTED_STATUSES,
    Initiative,
    Roadmap,
    ShareLink,
    Stage,
    TrainingRequest,
)
from roadmap_site.models import Organization
from strategy.models import CanvasAnswer, Priority, Question


@dataclass(frozen=True)
class Step:
    label: str
    hint: str
    done: bool
    url: str


def checklist(org: Organization) -> list[Step]:
    """The six steps in order, with whether each is done and the page that does it."""
    of_org = {"org": OuterRef("pk")}
    row = (
        Organization.objects.filter(pk=org.pk)
        .annotate(
            vision=Exists(
                CanvasAnswer.objects.filter(**of_org, question=Question.VISION).exclude(text="")
            ),
            priority=Exists(Priority.objects.filter(**of_org, kpi__target__isnull=False)),
            request=Exists(TrainingRequest.objects.filter(**of_org)),
            committed=Exists(Initiative.objects.filter(**of_org, status__in=COMMITTED_STATUSES)),
            stage=Exists(Stage.objects.filter(**of_org)),
            shared=Exists(ShareLink.objects.active().filter(**of_org)),
            roadmap=Subquery(
                Roadmap.objects.filter(**of_org).order_by("-fiscal_year", "pk").values("pk")[:1]
            ),
        )
        .values("vision", "priority", "request", "committed", "stage", "shared", "roadmap")
        .get()
    )
    roadmap = row["roadmap"]
    on_roadmap = (
        (lambda name, anchor="": reverse(name, args=[roadmap]) + anchor)
        if roadmap
        else (lambda name, anchor="": reverse("roadmap:roadmap_create"))
    )
    return [
        Step(
            "Write the strategy",
            "Answer the positioning questions and the vision they lead to.",
            row["vision"],
            reverse("strategy:home"),
        ),
        Step(
            "Set priorities with KPIs",
            "Each business priority with the KPI that shows it closing, and its target.",
            row["priority"],
            reverse("strategy:home"),
        ),
        Step(
            "Collect requests",
            "Add a training request, or share your intake form with the business.",
            row["request"],
            reverse("roadmap:request_list"),
        ),
        Step(
            "Commit initiatives",
            "Commit an initiative with an owner and an accountable business leader.",
            row["committed"],
            on_roadmap("roadmap:roadmap_detail"),
        ),
        Step(
            "Plan the work",
            "Give an initiative its stages: dates, effort and who does them.",
            row["stage"],
            on_roadmap("roadmap:roadmap_plan"),
        ),
        Step(
            "Share the roadmap",
            "Make a read-only link for the business.",
            row["shared"],
            on_roadmap("roadmap:roadmap_share"),
        ),
    ]
