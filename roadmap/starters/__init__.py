"""Starter templates: a year's strategy, KPIs, requests and roadmap, written as data.

Each `<slug>.toml` beside this module is one template; adding a file adds a choice to the
sign-up, new-organisation and new-roadmap forms. A template holds people as placeholders to
rename, the positioning canvas and vision, priorities with their KPIs, requests (some
triaged), initiatives with owner, accountable leader, tradeoffs and stages, the business
calendar and what the team is not doing.

Dates are written for the fiscal year starting on `[template] year_starts`; loading shifts
every date by the whole months between that start and the chosen fiscal year's start, so a
template loaded any day lands inside the year chosen. The demo organisation loads the
`global-onboarding` template through the same function (`roadmap.demo`).

The roadmap app is at the top of the import chain, so this module may use every app.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import overload

from django.db import IntegrityError, transaction
from django.utils import timezone

from measurement.models import Kpi
from roadmap.models import (
    BusinessEvent,
    Cycle,
    EventKindRule,
    Initiative,
    NotDoing,
    Roadmap,
    Stage,
    TrainingRequest,
)
from roadmap_site.cache import bump_org
from roadmap_site.dates import add_months
from roadmap_site.models import Organization, Person
from strategy.models import Priority, Strategy

TEMPLATE_DIR = Path(__file__).resolve().parent
COMMITTED = ("committed", "in_progress", "delivered")


class StarterConflict(Exception):
    """The organisation already has what the template would create; nothing was written."""


@dataclass(frozen=True)
class Starter:
    slug: str
    data: dict = field(repr=False)

    @property
    def name(self) -> str:
        """What the list of templates calls it."""
        return self.data["template"]["name"]

    @property
    def title(self) -> str:
        """The title of the roadmap it creates."""
        return self.data["template"]["title"]

    @property
    def summary(self) -> str:
        return self.data["template"]["summary"]

    @property
    def contains(self) -> str:
        """What loading it creates, counted from the file so it never drifts."""
        d = self.data
        initiatives = d.get("initiatives", [])
        committed = sum(i.get("status") in COMMITTED for i in initiatives)
        stages = sum(len(i.get("stages", [])) for i in initiatives)
        return (
            f"{len(d.get('priorities', []))} priorities with KPIs, "
            f"{len(initiatives)} initiatives ({committed} committed) with {stages} stages, "
            f"{len(d.get('requests', []))} requests, "
            f"{len(d.get('events', []))} business-calendar events, "
            f"{len(d.get('people', []))} people to rename"
        )


@cache
def starters() -> dict[str, Starter]:
    """Every template in the folder, by slug, in file-name order."""
    found = {}
    for path in sorted(TEMPLATE_DIR.glob("*.toml")):
        with path.open("rb") as file:
            found[path.stem] = Starter(slug=path.stem, data=tomllib.load(file))
    return found


def get_starter(slug: str) -> Starter:
    """The template named `slug`; KeyError when there is none."""
    return starters()[slug]


def choices() -> list[tuple[str, str]]:
    """For a radio list: blank first, then each template."""
    return [("", "Blank")] + [(s.slug, s.name) for s in starters().values()]


def _aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@dataclass
class Loaded:
    strategy: Strategy
    roadmap: Roadmap
    created: dict[str, int]


@transaction.atomic
def load_starter(
    starter: Starter,
    *,
    org: Organization,
    fiscal_year: int,
    by,
    people: dict[str, Person] | None = None,
    roadmap_title: str = "",
) -> Loaded:
    """Load a template into `org` for `fiscal_year`, in one transaction.

    `people` maps a template's person keys to existing people (the demo's cast); the person
    marked `you` becomes the loading user's own person when they have one; everyone else is
    created under the template's placeholder name (or reused if that name exists).

    Raises `StarterConflict`, having written nothing, when the organisation already has a
    strategy for that fiscal year: a template brings its own.
    """
    data, meta = starter.data, starter.data["template"]
    if Strategy.objects.for_org(org).for_year(fiscal_year).exists():
        raise StarterConflict(
            f"{org.name} already has a strategy for FY{fiscal_year % 100:02d}; a template "
            "brings its own. Start blank, or choose another fiscal year."
        )
    start, _end = org.fiscal_year_bounds(fiscal_year)
    reference = meta["year_starts"]
    months = (start.year - reference.year) * 12 + start.month - reference.month

    # Overloads tell mypy that a date stays a date (templates give most dates).
    @overload
    def shift(day: date) -> date: ...
    @overload
    def shift(day: None) -> None: ...
    def shift(day: date | None) -> date | None:
        return add_months(day, months) if day is not None else None

    created: dict[str, int] = {}

    def count(name: str, n: int = 1) -> None:
        created[name] = created.get(name, 0) + n

    # People ---------------------------------------------------------------------------
    people = dict(people or {})
    me = Person.objects.for_org(org).filter(user=by).first() if by is not None else None
    for row in data.get("people", []):
        if row["key"] in people:
            continue
        if row.get("you") and me is not None:
            people[row["key"]] = me
            continue
        people[row["key"]], made = Person.objects.get_or_create(
            org=org,
            name=row["name"],
            defaults={
                "title": row.get("title", ""),
                "department": row.get("department", ""),
                "is_ld_team": row.get("ld_team", False),
            },
        )
        count("people", made)

    # Measurement: KPIs (a KPI of the same name is reused) -------------------------------
    kpis: dict[str, Kpi] = {}
    for row in data.get("kpis", []):
        kpis[row["name"]], made = Kpi.objects.get_or_create(
            org=org,
            name=row["name"],
            defaults={
                "description": row.get("description", ""),
                "family": row["family"],
                "unit": row.get("unit", ""),
                "direction": row["direction"],
                "baseline": _decimal(row.get("baseline")),
                "baseline_date": shift(row.get("baseline_date")),
                "target": _decimal(row.get("target")),
                "target_date": shift(row.get("target_date")),
                "evidence_level": row.get("evidence_level"),
                "owner": people[row["owner"]] if row.get("owner") else None,
            },
        )
        count("kpis", made)

    # Strategy: canvas and priorities -------------------------------------------------
    try:
        strategy = Strategy.start(org=org, fiscal_year=fiscal_year, created_by=by)
    except IntegrityError as error:  # another request loaded one in between
        raise StarterConflict(f"{org.name} already has a strategy for that year.") from error
    count("strategies")
    answers = strategy.answers_by_question()
    for question, texts in data.get("canvas", {}).items():
        answer = answers[question]
        # A list keeps earlier drafts in the answer's history, oldest first.
        for text in texts if isinstance(texts, list) else [texts]:
            answer._history_user = by  # no middleware outside a request to name the author
            answer.revise(text, by=by)
    priorities = Priority.objects.bulk_create(
        Priority(
            org=org,
            strategy=strategy,
            capability=row["capability"],
            problem=row["problem"],
            business_owner=people[row["owner"]],
            kpi=kpis[row["kpi"]] if row.get("kpi") else None,
            rank=rank,
        )
        for rank, row in enumerate(data.get("priorities", []), start=1)
    )
    count("priorities", len(priorities))

    # Roadmap: initiatives and their stages -------------------------------------------
    roadmap = Roadmap.create_for_year(
        org=org,
        title=roadmap_title or meta["title"],
        fiscal_year=fiscal_year,
        description=meta.get("description", ""),
        budget=_decimal(meta.get("budget")),
        created_by=by,
    )
    count("roadmaps")
    cycles: list[Cycle] = list(roadmap.cycles.order_by("position"))
    planned = _aware(shift(meta["planned_on"])) if meta.get("planned_on") else timezone.now()
    initiatives: dict[str, Initiative] = {}
    stages = []
    for position, row in enumerate(data.get("initiatives", [])):
        initiative = Initiative(
            org=org,
            roadmap=roadmap,
            title=row["title"],
            problem=row.get("problem", ""),
            cycle=cycles[row["quarter"] - 1] if row.get("quarter") else None,
            owner=people[row["owner"]] if row.get("owner") else None,
            accountable=people[row["accountable"]] if row.get("accountable") else None,
            status=row.get("status", "proposed"),
            priority=priorities[row["priority"] - 1] if row.get("priority") else None,
            kpi=kpis[row["kpi"]] if row.get("kpi") else None,
            audience=row.get("audience", ""),
            audience_size=row.get("audience_size"),
            budget=_decimal(row.get("budget")),
            people=row.get("people"),
            days=row.get("days"),
            tradeoffs=row.get("tradeoffs", ""),
            approach=row.get("approach", ""),
            reuses=row.get("reuses", ""),
            delivery_media=row.get("media", []),
            sequence=row.get("sequence", "now"),
            position=position,
        )
        initiative._history_date = planned
        initiative._history_user = by
        initiative.save()
        initiatives[initiative.title] = initiative
        stages += [
            Stage(
                org=org,
                initiative=initiative,
                kind=stage["kind"],
                position=n,
                start=shift(stage["start"]),
                end=shift(stage["end"]),
                effort_days=_decimal(stage.get("effort", 0)),
                assignee=people[stage["assignee"]] if stage.get("assignee") else None,
                status=stage.get("status", "not_started"),
                good_enough=stage.get("good_enough", ""),
            )
            for n, stage in enumerate(row.get("stages", []))
        ]
    count("initiatives", len(initiatives))
    count("stages", len(Stage.objects.bulk_create(stages)))

    # Assess: requests, some already decided ------------------------------------------
    requests: dict[str, TrainingRequest] = {}
    # Originals first, so duplicates can point at them.
    for row in sorted(data.get("requests", []), key=lambda r: r["state"] == "duplicate"):
        requester = people[row["requester"]] if row.get("requester") else None
        state = row.get("state", "new")
        decided = row.get("decided")
        requests[row["title"]] = TrainingRequest.objects.create(
            org=org,
            title=row["title"],
            problem=row["problem"],
            audience=row.get("audience", ""),
            audience_size=row.get("audience_size"),
            evidence_kind=row.get("evidence", "none"),
            evidence_metric=row.get("metric", ""),
            evidence_value=row.get("value", ""),
            evidence_notes=row.get("notes", ""),
            priority=priorities[row["priority"] - 1] if row.get("priority") else None,
            needed_by=shift(row.get("needed_by")),
            gap=row.get("gap", "unknown"),
            effort_days=row.get("effort_days"),
            requester_name=requester.name if requester else "",
            requester_email=requester.email if requester else "",
            requester_department=requester.department if requester else "",
            source=row.get("source", "team"),
            submitted_at=_aware(shift(row["submitted"]), 9),
            state=state,
            initiative=initiatives[row["initiative"]] if row.get("initiative") else None,
            deferred_to=cycles[row["deferred_to"] - 1] if row.get("deferred_to") else None,
            duplicate_of=requests[row["duplicate_of"]] if row.get("duplicate_of") else None,
            decision_reason=row.get("reason", ""),
            decided_at=_aware(shift(decided)) if decided else None,
            decided_by=by if state != "new" else None,
        )
    count("requests", len(requests))

    # Align: business calendar and what we are not doing ------------------------------
    for row in data.get("events", []):
        _event, made = BusinessEvent.objects.get_or_create(
            org=org,
            name=row["name"],
            start=shift(row["start"]),
            defaults={
                "kind": row["kind"],
                "end": shift(row["end"]),
                "recurs_yearly": row.get("yearly", True),
                "notes": row.get("notes", ""),
            },
        )
        count("events", made)
    for kind, avoid in data.get("avoid_launches", {}).items():
        EventKindRule.objects.get_or_create(org=org, kind=kind, defaults={"avoid_launches": avoid})
    not_doing = NotDoing.objects.bulk_create(
        NotDoing(
            org=org,
            roadmap=roadmap,
            cycle=cycles[row["quarter"] - 1],
            title=row["title"],
            reason=row["reason"],
            created_by=by,
            created_at=_aware(cycles[row["quarter"] - 1].start),
        )
        for row in data.get("not_doing", [])
    )
    count("not_doing", len(not_doing))
    # People, a strategy, requests and KPIs of the organisation: its cached pages go stale.
    bump_org(org)
    return Loaded(strategy=strategy, roadmap=roadmap, created=created)


@overload
def _decimal(value: None) -> None: ...
@overload
def _decimal(value: float | str | Decimal) -> Decimal: ...
def _decimal(value: float | str | Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))
