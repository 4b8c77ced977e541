"""The Plan phase's rows, loaded once and handed to the pure rules of `roadmap.planning`.

`load_plan(roadmap)` reads everything the plan, capacity and timeline pages need in a fixed
number of queries, whatever the roadmap's size; the methods of `PlanData` turn the rows into
the planning dataclasses, call the rules, and map the ids in the answers back to names.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from collections.abc import Sequence as CollectionsSequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import cached_property, partial
from typing import Any, ClassVar, Literal, cast, overload

from django.db import models

from roadmap import planning
from roadmap.models import (
    CapacityEntry,
    Cycle,
    Initiative,
    InitiativeDependency,
    InitiativeStatus,
    Roadmap,
    Sequence,
    SmeAssignment,
    SmeAvailability,
    Stage,
    StageDependency,
    StageKind,
    StageStatus,
    TimeOff,
    WarningAcknowledgement,
    calendar_events,
)
from roadmap.timeline import TimelineRow
from roadmap_site.cache import get_or_build, key
from roadmap_site.models import Person


def day(value: date) -> str:
    """4 Mar 2027."""
    return f"{value.day} {value:%b %Y}"


def days(value: Decimal) -> str:
    """8.00 → "8", 2.50 → "2.5"."""
    return format(value.normalize(), "f")


@dataclass(frozen=True)
class StageShift:
    """The one-click fix of stages left behind by a move: shift them all by `days`, the
    days between the start of the cycle they were planned in and of the initiative's."""

    days: int
    first_start: date  # the first stage's start the offer was made for
    from_cycle: Cycle
    to_cycle: Cycle

    @property
    def label(self) -> str:
        """+91 days, from Q1 FY27 to Q2 FY27."""
        unit = "day" if abs(self.days) == 1 else "days"
        return f"{self.days:+,} {unit}, from {self.from_cycle.name} to {self.to_cycle.name}"


@dataclass(frozen=True)
class PlanWarningView:
    """A warning as the page shows it: its stable key, what it is about, in words."""

    key: str
    category: str  # calendar | sme | dependency | capacity | effort | cycle
    text: str
    initiative: Initiative | None = None
    acknowledgement: WarningAcknowledgement | None = None
    shift: StageShift | None = None  # stages outside the cycle: the offer to shift them

    @property
    def category_label(self) -> str:
        return {
            "calendar": "Business calendar",
            "sme": "SME",
            "dependency": "Dependency",
            "capacity": "Over-allocation",
            "effort": "Effort",
            "cycle": "Cycle",
        }[self.category]


# A warning's key and what puts it in words (`PlanData.warning_sources`).
type WarningSource = tuple[str, Callable[[], PlanWarningView]]


class DescribedWarnings(CollectionsSequence[PlanWarningView]):
    """Some of a plan's warnings, counted without being put in words; described on
    reading (the plan page only counts the open and the acknowledged ones)."""

    def __init__(self, data: PlanData, sources: list[WarningSource]) -> None:
        self.data, self.sources = data, sources

    def __len__(self) -> int:
        return len(self.sources)

    @overload
    def __getitem__(self, index: int) -> PlanWarningView: ...
    @overload
    def __getitem__(self, index: slice) -> list[PlanWarningView]: ...
    def __getitem__(self, index: int | slice) -> PlanWarningView | list[PlanWarningView]:
        if isinstance(index, slice):
            return self.data.describe(self.sources[index])
        return self.data.describe([self.sources[index]])[0]

    def __eq__(self, other: object) -> bool:
        return list(self) == other if isinstance(other, list) else NotImplemented

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class BudgetRow:
    cycle: Cycle | None  # None: initiatives not scheduled in a cycle
    planned: Decimal
    cumulative: Decimal
    left: Decimal | None  # the roadmap's budget minus the running total; None without one

    @property
    def over_budget(self) -> bool:
        return self.left is not None and self.left < 0


@dataclass(frozen=True, slots=True)
class PlanStage:
    """A stage as the Plan pages read it: its columns and its assignee's name, read with
    `values()`. Building 3,000 model instances (and their assignees) was most of a plan
    view after a change; the pages only read these fields."""

    pk: int
    initiative_id: int
    kind: str
    position: int
    start: date
    end: date
    effort_days: Decimal
    status: str
    good_enough: str
    assignee: Person | None  # one instance per person, shared by their stages

    FIELDS: ClassVar[tuple[str, ...]] = (
        "pk", "initiative_id", "kind", "position", "start", "end", "effort_days", "status",
        "good_enough", "assignee_id", "assignee__name",
    )  # fmt: skip

    @property
    def id(self) -> int:
        return self.pk

    @property
    def assignee_id(self) -> int | None:
        return self.assignee.pk if self.assignee is not None else None

    def get_kind_display(self) -> str:
        return StageKind(self.kind).label

    def get_status_display(self) -> str:
        return StageStatus(self.status).label

    def span(self) -> planning.StageSpan:
        return planning.StageSpan.of(self)

    def __reduce__(self):
        # Unpickled through __init__ with positional fields: the default for a frozen
        # dataclass sets each field by name, ten times slower for the 3,000 of a schedule.
        return (PlanStage, tuple(getattr(self, name) for name in self.__slots__))


@dataclass(frozen=True, slots=True)
class PlanLink:
    """A dependency between two stages, read with `values_list()` (2,600 at scale)."""

    pk: int
    predecessor_id: int
    successor_id: int
    kind: ClassVar[Literal["stage", "initiative"]] = StageDependency.kind

    def as_dependency(self) -> planning.Dependency:
        return planning.Dependency(self.predecessor_id, self.successor_id, self.kind)

    def __reduce__(self):
        return (PlanLink, (self.pk, self.predecessor_id, self.successor_id))


def _plan_stages(roadmap: Roadmap) -> list[PlanStage]:
    """The roadmap's stages in the plan's order, one query, no model instances."""
    people: dict[int, Person] = {}
    stages = []
    rows = (
        Stage.objects.for_roadmap(roadmap)
        .order_by("initiative_id", "position", "pk")
        .values_list(*PlanStage.FIELDS)
    )
    for pk, initiative_id, kind, position, start, end, effort, status, good_enough, *who in rows:
        assignee_id, assignee_name = who
        assignee = None
        if assignee_id is not None:
            assignee = people.get(assignee_id)
            if assignee is None:
                assignee = people[assignee_id] = Person(pk=assignee_id, name=assignee_name)
        stages.append(
            PlanStage(
                pk, initiative_id, kind, position, start, end, effort, status, good_enough,
                assignee,
            )
        )  # fmt: skip
    return stages


@dataclass
class PlanData:
    roadmap: Roadmap
    cycles: list[Cycle]
    initiatives: list[Initiative]
    stages: list[PlanStage]
    capacity_entries: list[CapacityEntry]
    time_off: list[TimeOff]
    sme_assignments: list[SmeAssignment]
    availability: list[SmeAvailability]
    stage_dependencies: list[PlanLink]
    initiative_dependencies: list[InitiativeDependency]
    events: list[planning.CalendarEvent]
    acknowledgements: dict[str, WarningAcknowledgement]
    stages_by_initiative: dict[int, list[PlanStage]] = field(default_factory=dict)
    # Set when the rows came from the cached schedule (`load_plan(..., cached=True)`): the
    # rules' answers are cached under it too, instead of under a digest of their inputs.
    schedule_key: str | None = None

    def _rule[T](self, kind: str, rule: Callable[..., T], inputs: Callable[[], dict]) -> T:
        """`rule(**inputs())`: cached under the schedule's key when there is one, else
        remembered under a digest of the inputs."""
        if self.schedule_key is not None:
            return get_or_build(f"{self.schedule_key}:{kind}", lambda: rule(**inputs()))
        return remembered(kind, rule, **inputs())

    # Lookups -----------------------------------------------------------------------------

    @cached_property
    def initiative_by_id(self) -> dict[int, Initiative]:
        return {initiative.pk: initiative for initiative in self.initiatives}

    @cached_property
    def cycle_by_id(self) -> dict[int, Cycle]:
        return {cycle.pk: cycle for cycle in self.cycles}

    @cached_property
    def stage_by_id(self) -> dict[int, PlanStage]:
        return {stage.pk: stage for stage in self.stages}

    @cached_property
    def people(self) -> dict[int, Person]:
        """Everyone the plan names: assignees, owners, the team, SMEs."""
        found: dict[int, Person] = {}
        for stage in self.stages:
            if stage.assignee is not None:
                found[stage.assignee.pk] = stage.assignee
        for initiative in self.initiatives:
            if initiative.owner is not None:
                found[initiative.owner.pk] = initiative.owner
        rows: list[CapacityEntry | TimeOff | SmeAssignment | SmeAvailability] = [
            *self.capacity_entries,
            *self.time_off,
            *self.sme_assignments,
        ]
        for row in rows:
            found[row.person.pk] = row.person
        for row in self.availability:
            found[row.person.pk] = row.person
        return found

    def person_name(self, person_id: int | None) -> str:
        person = self.people.get(person_id) if person_id is not None else None
        return person.name if person else "Unassigned"

    def stage_label(self, stage_id: int) -> str:
        stage = self.stage_by_id[stage_id]
        return f"{self.initiative_by_id[stage.initiative_id].title} · {stage.get_kind_display()}"

    # Planning inputs ---------------------------------------------------------------------

    @cached_property
    def cycle_spans(self) -> list[planning.CycleSpan]:
        return [planning.CycleSpan(c.pk, c.name, c.start, c.end) for c in self.cycles]

    @cached_property
    def stage_spans(self) -> list[planning.StageSpan]:
        return [stage.span() for stage in self.stages]

    @cached_property
    def dependencies(self) -> list[planning.Dependency]:
        return [
            *(dep.as_dependency() for dep in self.stage_dependencies),
            *(dep.as_dependency() for dep in self.initiative_dependencies),
        ]

    @cached_property
    def capacity(self) -> planning.CapacityResult:
        return self._rule(
            "capacity",
            planning.capacity_per_cycle,
            lambda: {
                "stages": self.stage_spans,
                "cycles": self.cycle_spans,
                "capacity": [entry.as_entry() for entry in self.capacity_entries],
                "time_off": [entry.as_time_off() for entry in self.time_off],
            },
        )

    # Warnings ----------------------------------------------------------------------------

    @cached_property
    def warning_sources(self) -> list[WarningSource]:
        """Every warning's key, in the plan's order (over-allocation last), with what puts
        it in words: a page shows 25 of a thousand, so only those are described."""
        found = self._rule(
            "warnings",
            planning.plan_warnings,
            lambda: {
                "stages": self.stage_spans,
                "events": self.events,
                "sme_assignments": [row.as_assignment() for row in self.sme_assignments],
                "availability": [row.as_availability() for row in self.availability],
                "dependencies": self.dependencies,
                "placements": self.placements,
                "cycles": self.cycle_spans,
            },
        )
        sources: list[WarningSource] = [
            (warning.key, partial(self._describe, warning)) for warning in found
        ]
        for load in self.capacity.over_allocated():
            key = f"capacity:person={load.person_id}:cycle={load.cycle_id}"
            sources.append((key, partial(self._describe_load, load)))
        return sources

    def describe(self, sources: Iterable[WarningSource]) -> list[PlanWarningView]:
        """Those warnings (of `warning_sources`) in words, each with its acknowledgement if
        the team gave one."""
        return [
            replace(describe(), acknowledgement=self.acknowledgements.get(key))
            for key, describe in sources
        ]

    @cached_property
    def warnings(self) -> list[PlanWarningView]:
        """Every warning of the plan, over-allocation included, each with its
        acknowledgement if the team gave one."""
        return self.describe(self.warning_sources)

    @property
    def placements(self) -> dict[int, int]:
        """Initiative → its cycle, for those whose stages should follow it (not stopped)."""
        return {
            i.pk: i.cycle_id
            for i in self.initiatives
            if i.cycle_id is not None and i.status != InitiativeStatus.STOPPED
        }

    def shift_offer(self, initiative_id: int) -> StageShift | None:
        """The "shift the stages" the plan offers for the initiative, if any."""
        for warning in self.warnings:
            if (
                warning.shift is not None
                and warning.initiative is not None
                and warning.initiative.pk == initiative_id
            ):
                return warning.shift
        return None

    @property
    def open_warnings(self) -> list[PlanWarningView]:
        return [w for w in self.warnings if w.acknowledgement is None]

    def warnings_for(self, initiative: Initiative) -> list[PlanWarningView]:
        return [w for w in self.warnings if w.initiative and w.initiative.pk == initiative.pk]

    def _describe(self, warning: planning.PlanWarning) -> PlanWarningView:
        match warning:
            case planning.CalendarConflict(rule=planning.CalendarRule.LAUNCH):
                text = (
                    f"“{self.stage_label(warning.stage_id)}” launches during "
                    f"“{warning.event_name}” ({day(warning.start)} to {day(warning.end)}), "
                    "a period to avoid launches."
                )
                return PlanWarningView(
                    warning.key, "calendar", text, self.initiative_by_id[warning.initiative_id]
                )
            case planning.CalendarConflict():
                text = (
                    f"“{self.stage_label(warning.stage_id)}” needs stakeholders during "
                    f"“{warning.event_name}” ({day(warning.start)} to {day(warning.end)}), "
                    "when they are busy."
                )
                return PlanWarningView(
                    warning.key, "calendar", text, self.initiative_by_id[warning.initiative_id]
                )
            case planning.SmeAvailabilityConflict():
                gaps = ", ".join(f"{day(start)} to {day(end)}" for start, end in warning.gaps)
                text = (
                    f"“{self.stage_label(warning.stage_id)}” runs outside the availability of "
                    f"SME {self.person_name(warning.person_id)}: {gaps}."
                )
                return PlanWarningView(
                    warning.key, "sme", text, self.initiative_by_id[warning.initiative_id]
                )
            case planning.NoSmeBeforeBuild():
                title = self.initiative_by_id[warning.initiative_id].title
                why = "its SME is available only later" if warning.has_sme else "no SME is assigned"
                text = (
                    f"No SME is involved in “{title}” before content creation starts on "
                    f"{day(warning.content_start)}: {why}."
                )
                return PlanWarningView(
                    warning.key, "sme", text, self.initiative_by_id[warning.initiative_id]
                )
            case planning.DependencyViolation():
                name = self._dependency_name(warning.kind)
                text = (
                    f"“{name(warning.successor_id)}” starts on {day(warning.successor_start)} "
                    f"but waits for “{name(warning.predecessor_id)}”, which ends on "
                    f"{day(warning.predecessor_end)}."
                )
                return PlanWarningView(
                    warning.key,
                    "dependency",
                    text,
                    self._initiative_of(warning.kind, warning.successor_id),
                )
            case planning.DependencyCycle():
                name = self._dependency_name(warning.kind)
                names = ", ".join(f"“{name(item)}”" for item in warning.ids)
                text = f"These wait for each other in a loop: {names}."
                return PlanWarningView(
                    warning.key,
                    "dependency",
                    text,
                    self._initiative_of(warning.kind, warning.ids[0]),
                )
            case planning.StagesOutsideCycle():
                initiative = self.initiative_by_id[warning.initiative_id]
                cycle = self.cycle_by_id[warning.cycle_id]
                count = len(warning.stage_ids)
                kinds = ", ".join(
                    self.stage_by_id[pk].get_kind_display() for pk in warning.stage_ids
                )
                text = (
                    f"{count} stage{'s' if count > 1 else ''} of “{initiative.title}” "
                    f"fall{'' if count > 1 else 's'} outside its cycle, {cycle.name} "
                    f"({day(cycle.start)} to {day(cycle.end)}): {kinds}. The capacity page "
                    "counts stages in the cycles of their dates."
                )
                shift = None
                if warning.shift_days is not None and warning.planned_in is not None:
                    shift = StageShift(
                        warning.shift_days,
                        warning.first_start,
                        self.cycle_by_id[warning.planned_in],
                        cycle,
                    )
                return PlanWarningView(warning.key, "cycle", text, initiative, shift=shift)
            case planning.HeavyStage():
                text = (
                    f"“{self.stage_label(warning.stage_id)}”: {warning.load.describe()}. "
                    f"Check the estimate or the dates."
                )
                return PlanWarningView(
                    warning.key, "effort", text, self.initiative_by_id[warning.initiative_id]
                )
        raise TypeError(warning)  # pragma: no cover

    def _dependency_name(self, kind: str):
        if kind == "stage":
            return self.stage_label
        return lambda pk: self.initiative_by_id[pk].title

    def _initiative_of(self, kind: str, pk: int) -> Initiative:
        if kind == "stage":
            return self.initiative_by_id[self.stage_by_id[pk].initiative_id]
        return self.initiative_by_id[pk]

    def _describe_load(self, load: planning.PersonCycleLoad) -> PlanWarningView:
        causes = ", ".join(
            f"{self.initiative_by_id[item.initiative_id].title} ({days(item.days)} d)"
            for item in load.initiatives
        )
        text = (
            f"{self.person_name(load.person_id)} is over-allocated in "
            f"{self.cycle_by_id[load.cycle_id].name}: {days(load.planned_days)} days planned, "
            f"{days(load.available_days)} available. Caused by {causes}."
        )
        first = load.initiatives[0].initiative_id if load.initiatives else None
        return PlanWarningView(
            f"capacity:person={load.person_id}:cycle={load.cycle_id}",
            "capacity",
            text,
            self.initiative_by_id.get(first) if first else None,
        )

    # Pages -------------------------------------------------------------------------------

    def sequenced(self) -> list[dict]:
        """Per cycle, the initiatives grouped now / next / later, in their order; then the
        initiatives not scheduled in a cycle."""
        by_cycle: dict[int | None, dict[str, list[Initiative]]] = defaultdict(
            lambda: {value: [] for value in Sequence.values}
        )
        ordered = sorted(self.initiatives, key=lambda i: (i.position, i.pk))
        for initiative in ordered:
            by_cycle[initiative.cycle_id][initiative.sequence].append(initiative)
        entries = []
        for cycle in [*self.cycles, None]:
            groups = by_cycle.get(cycle.pk if cycle else None)
            if cycle is None and not groups:
                continue
            groups = groups or {value: [] for value in Sequence.values}
            entries.append(
                {
                    "cycle": cycle,
                    "groups": [
                        {"sequence": value, "label": label, "initiatives": groups[value]}
                        for value, label in Sequence.choices
                    ],
                    "count": sum(len(items) for items in groups.values()),
                }
            )
        return entries

    def budget_rows(self) -> list[BudgetRow]:
        """Planned budget per cycle (initiatives not stopped), and the running total
        against the roadmap's budget."""
        planned: dict[int | None, Decimal] = defaultdict(Decimal)
        for initiative in self.initiatives:
            if initiative.status != InitiativeStatus.STOPPED and initiative.budget:
                planned[initiative.cycle_id] += initiative.budget
        rows, total = [], Decimal(0)
        budget = self.roadmap.budget
        for cycle in [*self.cycles, None]:
            key = cycle.pk if cycle else None
            if cycle is None and key not in planned:
                continue
            total += planned[key]
            left = None if budget is None else budget - total
            rows.append(BudgetRow(cycle, planned[key], total, left))
        return rows

    def timeline_rows(self, initiatives: list[Initiative]) -> list[TimelineRow]:
        """Each initiative (its stages' span, else its cycle) followed by its stages."""
        rows: list[TimelineRow] = []
        for initiative in initiatives:
            stages = self.stages_by_initiative.get(initiative.pk, [])
            if stages:
                start = min(stage.start for stage in stages)
                end = max(stage.end for stage in stages)
            elif initiative.cycle is not None:
                start, end = initiative.cycle.start, initiative.cycle.end
            else:
                continue
            owner = initiative.owner.name if initiative.owner else ""
            rows.append(
                TimelineRow(
                    "initiative",
                    initiative.pk,
                    initiative.title,
                    start,
                    end,
                    initiative.status,
                    owner,
                )
            )
            rows.extend(
                TimelineRow(
                    "stage",
                    stage.pk,
                    stage.get_kind_display(),
                    stage.start,
                    stage.end,
                    stage.status,
                    stage.assignee.name if stage.assignee else "",
                )
                for stage in stages
            )
        return rows


def load_plan(roadmap: Roadmap, *, cached: bool = False) -> PlanData:
    """Everything the Plan pages read, in 12 queries whatever the roadmap's size.

    `cached`: the schedule (stages, dependencies, capacity, time off, SMEs, the calendar)
    and the rules' answers come from the cache, keyed on the roadmap's `schedule_version`
    and the organisation's `version`, so a view after a write that changed words only
    (a renamed initiative) reads 3 queries and one cache entry instead of 3,000 stages.
    The pages' GETs use it; writes and exports read the rows themselves."""
    org = roadmap.org
    cycles = list(roadmap.cycles.all())
    # Their owner and cycle: the plan pages name nothing else an initiative points to.
    # The cycles are the ones just read (not 500 copies joined in).
    initiatives = list(roadmap.initiatives.select_related("owner"))
    cycle_by_id = {cycle.pk: cycle for cycle in cycles}
    cycle_field = Initiative._meta.get_field("cycle")
    for initiative in initiatives:
        if initiative.cycle_id is None or initiative.cycle_id in cycle_by_id:
            cycle = cycle_by_id.get(initiative.cycle_id) if initiative.cycle_id else None
            cycle_field.set_cached_value(initiative, cycle)
    schedule_key = None
    if cached:
        schedule_key = key(
            "plan-schedule", SCHEDULE_FORMAT, roadmap.pk, roadmap.schedule_version, org.version
        )
        schedule = get_or_build(f"{schedule_key}:rows", lambda: _schedule(roadmap))
    else:
        schedule = _schedule(roadmap)
    by_initiative = schedule.stages_by_initiative
    for initiative in initiatives:
        cast(Any, initiative).plan_stages = by_initiative.get(initiative.pk, [])
    return PlanData(
        roadmap=roadmap,
        cycles=cycles,
        initiatives=initiatives,
        stages=schedule.stages,
        capacity_entries=schedule.capacity_entries,
        time_off=schedule.time_off,
        sme_assignments=schedule.sme_assignments,
        availability=schedule.availability,
        stage_dependencies=schedule.stage_dependencies,
        initiative_dependencies=schedule.initiative_dependencies,
        events=schedule.events,
        acknowledgements={ack.key: ack for ack in roadmap.acknowledgements.select_related("by")},
        stages_by_initiative=by_initiative,
        schedule_key=schedule_key,
    )


# Bump when `Schedule` or what `_schedule` reads changes.
SCHEDULE_FORMAT = 3


@dataclass
class Schedule:
    """The rows the planning rules read: what a change of words leaves alone."""

    stages: list[PlanStage]
    stages_by_initiative: dict[int, list[PlanStage]]
    capacity_entries: list[CapacityEntry]
    time_off: list[TimeOff]
    sme_assignments: list[SmeAssignment]
    availability: list[SmeAvailability]
    stage_dependencies: list[PlanLink]
    initiative_dependencies: list[InitiativeDependency]
    events: list[planning.CalendarEvent]

    def __reduce__(self):
        # Stored as plain columns (dates as ordinals, efforts as text, assignees by id):
        # unpickling 3,000 dataclasses with their dates and decimals took three times as
        # long as building them again from numbers and strings.
        people = {stage.assignee.pk: stage.assignee for stage in self.stages if stage.assignee}
        stages = [
            (stage.pk, stage.initiative_id, stage.kind, stage.position, stage.start.toordinal(),
             stage.end.toordinal(), str(stage.effort_days), stage.status, stage.good_enough,
             stage.assignee.pk if stage.assignee else None)
            for stage in self.stages
        ]  # fmt: skip
        links = [
            (link.pk, link.predecessor_id, link.successor_id) for link in self.stage_dependencies
        ]
        rest = (
            self.capacity_entries, self.time_off, self.sme_assignments, self.availability,
            self.initiative_dependencies, self.events,
        )  # fmt: skip
        return (_unpickle_schedule, (stages, people, links, rest))


def _unpickle_schedule(
    stages: list[tuple], people: dict[int, Person], links: list[tuple], rest: tuple
) -> Schedule:
    ordinal = date.fromordinal
    built = [
        PlanStage(pk, initiative_id, kind, position, ordinal(start), ordinal(end),
                  Decimal(effort), status, good_enough, people.get(assignee_id))
        for (pk, initiative_id, kind, position, start, end, effort, status, good_enough,
             assignee_id) in stages
    ]  # fmt: skip
    by_initiative: dict[int, list[PlanStage]] = defaultdict(list)
    for stage in built:
        by_initiative[stage.initiative_id].append(stage)
    capacity_entries, time_off, sme_assignments, availability, initiative_deps, events = rest
    return Schedule(
        stages=built,
        stages_by_initiative=dict(by_initiative),
        capacity_entries=capacity_entries,
        time_off=time_off,
        sme_assignments=sme_assignments,
        availability=availability,
        stage_dependencies=[PlanLink(*row) for row in links],
        initiative_dependencies=initiative_deps,
        events=events,
    )


def _schedule(roadmap: Roadmap) -> Schedule:
    org = roadmap.org
    stages = _plan_stages(roadmap)
    by_initiative: dict[int, list[PlanStage]] = defaultdict(list)
    for stage in stages:
        by_initiative[stage.initiative_id].append(stage)
    return Schedule(
        stages=stages,
        stages_by_initiative=dict(by_initiative),
        capacity_entries=list(
            CapacityEntry.objects.for_org(org)
            .filter(cycle__roadmap=roadmap)
            .select_related("person")
            .order_by("person__name", "cycle__position")
        ),
        time_off=list(TimeOff.objects.for_org(org).select_related("person")),
        sme_assignments=list(
            SmeAssignment.objects.for_org(org)
            .filter(initiative__roadmap=roadmap)
            .select_related("person")
        ),
        availability=list(SmeAvailability.objects.for_org(org).select_related("person")),
        stage_dependencies=[
            PlanLink(*row)
            for row in StageDependency.objects.for_org(org)
            .filter(successor__initiative__roadmap=roadmap)
            .order_by("pk")
            .values_list("pk", "predecessor_id", "successor_id")
        ],
        initiative_dependencies=list(
            InitiativeDependency.objects.for_org(org).filter(successor__roadmap=roadmap)
        ),
        events=calendar_events(org),
    )


# Bump when a rule of roadmap.planning changes what it answers for the same inputs.
RULES_VERSION = 1


def remembered[T](kind: str, rule: Callable[..., T], **inputs: Any) -> T:
    """`rule(**inputs)`, remembered under a digest of the inputs themselves.

    The rules are pure functions of plain dataclasses holding ids, dates and numbers (no
    names), so the same inputs give the same answer: a change that leaves every scheduling
    field alone (a renamed initiative or person, a new description) reads the answer from
    the cache instead of running the rules over thousands of stages, and any change to a
    date, effort, assignee, dependency, capacity, time off, SME window or calendar event
    makes a new digest. `repr` of the dataclasses, lists and dicts is stable for a run of
    the same rows in the same order (load_plan orders every query)."""
    digest = hashlib.sha256(repr(sorted(inputs.items())).encode()).hexdigest()
    return get_or_build(key("plan-rules", kind, RULES_VERSION, digest), lambda: rule(**inputs))


# A timeline with this many stages or fewer shows them all; a bigger one shows its
# initiatives, each opened on demand.
EXPAND_ALL_UP_TO = 60


@dataclass
class TimelineData:
    """What the timeline draws: every initiative with its stages' span (counted in SQL),
    and the stages and dependencies of the initiatives that are open only."""

    roadmap: Roadmap
    cycles: list[planning.CycleSpan]
    initiatives: list[Initiative]  # with stage_start, stage_end, stage_count
    stages_by_initiative: dict[int, list[Stage]]
    dependencies: list[planning.Dependency]
    events: list[planning.CalendarEvent]
    open_ids: frozenset[int]

    def rows(self) -> list[TimelineRow]:
        """Each initiative (its stages' span, else its cycle), followed by its stages when
        it is open."""
        rows: list[TimelineRow] = []
        for initiative in self.initiatives:
            span = cast(Any, initiative)  # annotated by load_timeline: its stages' span
            if span.stage_count:
                start, end = span.stage_start, span.stage_end
            elif initiative.cycle is not None:
                start, end = initiative.cycle.start, initiative.cycle.end
            else:
                continue
            owner = initiative.owner.name if initiative.owner else ""
            rows.append(
                TimelineRow(
                    "initiative", initiative.pk, initiative.title, start, end,
                    initiative.status, owner,
                )
            )  # fmt: skip
            rows.extend(
                TimelineRow(
                    "stage", stage.pk, stage.get_kind_display(), stage.start, stage.end,
                    stage.status, stage.assignee.name if stage.assignee else "",
                )
                for stage in self.stages_by_initiative.get(initiative.pk, [])
            )  # fmt: skip
        return rows


def load_timeline(
    roadmap: Roadmap, initiatives: models.QuerySet[Initiative], open_ids: Iterable[int] | None
) -> TimelineData:
    """The timeline of `initiatives` (a filtered queryset of the roadmap's) in 7 queries
    whatever the size: stages and their dependencies are read for the open initiatives only.
    `open_ids=None`: all open when there are at most EXPAND_ALL_UP_TO stages, else none."""
    org = roadmap.org
    rows = list(
        initiatives.select_related("owner", "cycle")
        .annotate(
            stage_start=models.Min("stages__start"),
            stage_end=models.Max("stages__end"),
            stage_count=models.Count("stages"),
        )
        # Meta.ordering is not applied to an aggregating query: the same order, said again.
        .order_by(*(Initiative._meta.ordering or []))
    )
    if open_ids is None:
        small = sum(row.stage_count for row in rows) <= EXPAND_ALL_UP_TO
        opened = frozenset(row.pk for row in rows if small)
    else:
        opened = frozenset(open_ids) & {row.pk for row in rows}
    stages = list(
        Stage.objects.filter(initiative__in=opened)
        .select_related("assignee")
        .order_by("initiative_id", "position", "pk")
    )
    by_initiative: dict[int, list[Stage]] = defaultdict(list)
    for stage in stages:
        by_initiative[stage.initiative_id].append(stage)
    shown_stages = [stage.pk for stage in stages]
    return TimelineData(
        roadmap=roadmap,
        cycles=[planning.CycleSpan(c.pk, c.name, c.start, c.end) for c in roadmap.cycles.all()],
        initiatives=cast(list[Initiative], rows),
        stages_by_initiative=dict(by_initiative),
        dependencies=[
            *(
                dep.as_dependency()
                for dep in StageDependency.objects.for_org(org).filter(
                    successor__in=shown_stages, predecessor__in=shown_stages
                )
            ),
            *(
                dep.as_dependency()
                for dep in InitiativeDependency.objects.for_org(org).filter(
                    successor__roadmap=roadmap
                )
            ),
        ],
        events=calendar_events(org),
        open_ids=opened,
    )


__all__ = [
    "EXPAND_ALL_UP_TO",
    "BudgetRow",
    "DescribedWarnings",
    "PlanData",
    "PlanLink",
    "PlanStage",
    "PlanWarningView",
    "StageShift",
    "TimelineData",
    "calendar_events",
    "load_plan",
    "load_timeline",
]
