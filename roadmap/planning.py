"""The Plan phase as pure functions: effort over time, capacity per cycle, and the warnings.

Nothing here touches the database. Views turn model rows into the frozen dataclasses below
(ids stay ids), call these functions, and map the ids in the answers back to their objects.

Rules shared by every function:

- Date ranges are inclusive at both ends, and `None` as a bound means open-ended. Two ranges
  that only touch (one ends on the day the other starts) overlap: they share that day.
- A working day is Monday to Friday. Public holidays are not modelled; enter them as time off.
- Time off removes the person's working days from their stages and from their capacity.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Literal

ZERO = Decimal(0)
HUNDRED = Decimal(100)
# Effort is kept to the hundredth of a day (or finer when an estimate is finer).
EFFORT_QUANTUM = Decimal("0.01")


# Stage kinds and statuses as plain strings: the model's TextChoices
# (`roadmap.models.StageKind`, `StageStatus`) are the one list and use these values.
NEEDS_ANALYSIS = "needs_analysis"
CONTENT_CREATION = "content_creation"
STAKEHOLDER_ALIGNMENT = "stakeholder_alignment"
DELIVERY = "delivery"
EVALUATION = "evaluation"
REINFORCEMENT = "reinforcement"
NOT_STARTED = "not_started"

# The delivery stage is the launch: learners see the work from then on.
LAUNCH_KINDS = frozenset({DELIVERY})
# Stages that cannot happen without business stakeholders in the room.
STAKEHOLDER_KINDS = frozenset({STAKEHOLDER_ALIGNMENT, DELIVERY})

# Which business events avoid launches or take stakeholders away is the calendar models'
# business (`EventKindRule.avoided_kinds`, `STAKEHOLDER_BUSY_KINDS`): a `CalendarEvent`
# arrives with both flags set.


# Inputs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageSpan:
    id: int
    initiative_id: int
    kind: str
    start: date
    end: date
    effort_days: Decimal = ZERO
    assignee_id: int | None = None
    status: str = NOT_STARTED

    @classmethod
    def of(cls, stage) -> StageSpan:
        """The span of a stage: a model instance or the plan's lean `PlanStage`."""
        return cls(
            id=stage.pk,
            initiative_id=stage.initiative_id,
            kind=stage.kind,
            start=stage.start,
            end=stage.end,
            effort_days=stage.effort_days,
            assignee_id=stage.assignee_id,
            status=stage.status,
        )

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"Stage {self.id} ends before it starts.")
        if self.effort_days < 0:
            raise ValueError(f"Stage {self.id} has negative effort.")


@dataclass(frozen=True)
class CycleSpan:
    id: int
    name: str
    start: date
    end: date


@dataclass(frozen=True)
class TimeOff:
    person_id: int
    start: date
    end: date


@dataclass(frozen=True)
class CapacityEntry:
    """Gross days a person gives to roadmap work in a cycle, before their time off."""

    person_id: int
    cycle_id: int
    days: Decimal


@dataclass(frozen=True)
class Availability:
    """A window in which a person (an SME) is available; either side may be open."""

    person_id: int
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class SmeAssignment:
    initiative_id: int
    person_id: int


@dataclass(frozen=True)
class CalendarEvent:
    id: int
    name: str
    kind: str
    start: date
    end: date
    avoid_launches: bool = False
    needs_stakeholders_conflict: bool = False
    recurs_yearly: bool = False

    def occurrences(self, start: date, end: date) -> Iterator[tuple[date, date]]:
        """The event's dates that overlap [start, end]; yearly events repeat from their
        first year on (29 February falls on the 28th in other years)."""
        if not self.recurs_yearly:
            if overlaps(self.start, self.end, start, end):
                yield self.start, self.end
            return
        length = self.end - self.start
        # A range may catch the tail of the previous year's occurrence.
        for year in range(max(self.start.year, start.year - 1 - length.days // 365), end.year + 1):
            first = _same_day_in_year(self.start, year)
            if overlaps(first, first + length, start, end):
                yield first, first + length


@dataclass(frozen=True)
class Dependency:
    """Finish-to-start: the successor starts only after the predecessor's last day.

    Both ends are of the same kind: two stages, or two initiatives (an initiative's dates are
    those of its stages).
    """

    predecessor_id: int
    successor_id: int
    kind: Literal["stage", "initiative"] = "stage"


# Dates ----------------------------------------------------------------------------------------


def overlaps(
    a_start: date | None, a_end: date | None, b_start: date | None, b_end: date | None
) -> bool:
    """Whether two inclusive date ranges share at least one day; `None` is open-ended.

    Touching ranges overlap: [1 Mar, 5 Mar] and [5 Mar, 9 Mar] share 5 March. Ranges that
    are merely adjacent do not: [1 Mar, 4 Mar] and [5 Mar, 9 Mar].
    """
    starts_in_time = a_start is None or b_end is None or a_start <= b_end
    ends_in_time = b_start is None or a_end is None or b_start <= a_end
    return starts_in_time and ends_in_time


def contains(start: date | None, end: date | None, day: date) -> bool:
    """Whether an inclusive, possibly open-ended range holds `day` (its ends included)."""
    return (start is None or start <= day) and (end is None or day <= end)


def days_between(start: date, end: date) -> Iterator[date]:
    """Every day from start to end, both included."""
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5


def working_days(start: date, end: date) -> int:
    """How many Mondays to Fridays lie between start and end, both included."""
    return sum(1 for day in days_between(start, end) if is_working_day(day))


def time_off_days(time_off: Iterable[TimeOff], person_id: int | None) -> frozenset[date]:
    """The calendar days a person is off (overlapping entries count once)."""
    if person_id is None:
        return frozenset()
    return frozenset(
        day
        for entry in time_off
        if entry.person_id == person_id
        for day in days_between(entry.start, entry.end)
    )


def _same_day_in_year(day: date, year: int) -> date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a common year
        return day.replace(year=year, day=28)


# Effort ---------------------------------------------------------------------------------------


def effort_days_of(stage: StageSpan, time_off: Iterable[TimeOff] = ()) -> list[date]:
    """The days a stage's effort is spread over.

    Its working days minus the assignee's time off. When time off covers every working day,
    its working days anyway (the overload then shows in capacity); when the stage has no
    working day at all (a weekend), its calendar days. Effort is never dropped.
    """
    return _effort_days(stage, time_off_days(time_off, stage.assignee_id))


def _effort_days(stage: StageSpan, off: frozenset[date]) -> list[date]:
    days = list(days_between(stage.start, stage.end))
    working = [day for day in days if is_working_day(day)]
    available = [day for day in working if day not in off]
    return available or working or days


def spread_effort(
    stage: StageSpan, cycles: Sequence[CycleSpan], time_off_for_assignee: Iterable[TimeOff] = ()
) -> dict[int | None, Decimal]:
    """A stage's effort per cycle, in proportion to its effort days (see `effort_days_of`)
    in each cycle.

    Days outside every cycle go under `None`, so the parts always sum exactly to the
    stage's effort. Parts are rounded down to 0.01 day (or the estimate's own precision when
    finer) and the leftover hundredths go one by one to the largest remainders, earliest
    cycle first on a tie. Keys come in date order, `None` last; cycles without a day of the
    stage are left out. Cycles are assumed not to overlap; if they do, the earliest wins.
    """
    off = time_off_days(time_off_for_assignee, stage.assignee_id)
    return _spread(stage, _chronological(cycles), off)


def _spread(
    stage: StageSpan, ordered: Sequence[CycleSpan], off: frozenset[date]
) -> dict[int | None, Decimal]:
    days_per_key: dict[int | None, int] = {}
    for day in _effort_days(stage, off):
        key = _cycle_of(day, ordered)
        days_per_key[key] = days_per_key.get(key, 0) + 1
    keys: list[int | None] = [cycle.id for cycle in ordered if cycle.id in days_per_key]
    if None in days_per_key:
        keys.append(None)
    return _apportion(stage.effort_days, [(key, days_per_key[key]) for key in keys])


def _chronological(cycles: Sequence[CycleSpan]) -> list[CycleSpan]:
    return sorted(cycles, key=lambda cycle: (cycle.start, cycle.end, cycle.id))


def _cycle_of(day: date, ordered: Sequence[CycleSpan]) -> int | None:
    for cycle in ordered:
        if cycle.start <= day <= cycle.end:
            return cycle.id
    return None


def _apportion(total: Decimal, weights: Sequence[tuple[int | None, int]]) -> dict:
    """Split `total` by integer weights with the largest-remainder method, exactly."""
    exponent = total.as_tuple().exponent
    quantum = EFFORT_QUANTUM
    if isinstance(exponent, int):
        quantum = min(quantum, Decimal(1).scaleb(exponent))
    units = int(total / quantum)  # exact: total is a whole number of quanta
    weight_sum = sum(weight for _, weight in weights)
    shares = [units * weight // weight_sum for _, weight in weights]
    remainders = [units * weight % weight_sum for _, weight in weights]
    leftover = units - sum(shares)
    # Biggest remainder first; on a tie the earlier key (weights are in date order).
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:leftover]:
        shares[index] += 1
    return {key: share * quantum for (key, _), share in zip(weights, shares, strict=True)}


# How many people a stage's effort implies --------------------------------------------------

# More than this many people full time on every working day of a stage is not a plan but a
# typo (99,999 person-days over four weeks): the stage form refuses it.
MAX_FULL_TIME_PEOPLE = 20
# More than this many is possible but unusual for an L&D team: the plan warns.
HEAVY_STAGE_PEOPLE = 3


@dataclass(frozen=True)
class StageLoad:
    """What a stage's effort means in people: `effort_days` over `days` days."""

    effort_days: Decimal
    days: int  # its working days; its calendar days when it has none (see `effort_days_of`)
    working: bool  # whether `days` counts working days

    @classmethod
    def of(cls, effort_days: Decimal, start: date, end: date) -> StageLoad:
        working = working_days(start, end)
        if working:
            return cls(effort_days, working, True)
        return cls(effort_days, (end - start).days + 1, False)

    @property
    def people(self) -> Decimal:
        """How many people working full time on each of its days the effort implies."""
        return self.effort_days / self.days

    @property
    def most_effort_days(self) -> int:
        return self.days * MAX_FULL_TIME_PEOPLE

    @property
    def is_possible(self) -> bool:
        return self.effort_days <= self.most_effort_days

    @property
    def is_heavy(self) -> bool:
        return self.people > HEAVY_STAGE_PEOPLE

    def describe(self) -> str:
        """ "99,999 person-days over 20 working days is 5,000 people full time"."""
        unit = "working day" if self.working else "day"
        return (
            f"{number(self.effort_days)} person-days over {self.days:,} "
            f"{unit}{'' if self.days == 1 else 's'} is {number(self.people)} "
            f"{'person' if self.people == 1 else 'people'} full time"
        )


def number(value: Decimal) -> str:
    """A figure as people read it: thousands separated, at most one decimal, no ".0"
    (4999.95 → "5,000", 7.25 → "7.3", 150.00 → "150")."""
    rounded = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        return f"{int(rounded):,}"
    return f"{rounded:,}"


@dataclass(frozen=True)
class HeavyStage:
    """A stage whose effort implies more than `HEAVY_STAGE_PEOPLE` people full time."""

    stage_id: int
    initiative_id: int
    load: StageLoad

    @property
    def key(self) -> str:
        # The estimate and the dates are in the key: a changed estimate is a new warning.
        return (
            f"heavy-stage:stage={self.stage_id}:effort={self.load.effort_days.normalize():f}"
            f":days={self.load.days}"
        )


def heavy_stages(stages: Iterable[StageSpan]) -> list[HeavyStage]:
    found = []
    for stage in stages:
        load = StageLoad.of(stage.effort_days, stage.start, stage.end)
        if load.is_heavy:
            found.append(HeavyStage(stage.id, stage.initiative_id, load))
    return found


# Capacity -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InitiativeLoad:
    initiative_id: int
    days: Decimal


class _Load:
    """What a person's or the team's load in a cycle derive from planned and available days."""

    available_days: Decimal
    planned_days: Decimal

    @property
    def remaining_days(self) -> Decimal:
        return self.available_days - self.planned_days

    @property
    def utilisation(self) -> Decimal | None:
        """Planned ÷ available in percent (one decimal); None when nothing is available."""
        return _percent(self.planned_days, self.available_days)

    @property
    def over_allocated(self) -> bool:
        return self.planned_days > self.available_days


@dataclass(frozen=True)
class PersonCycleLoad(_Load):
    person_id: int
    cycle_id: int
    capacity_days: Decimal  # gross, as entered
    time_off_days: int  # working days off within the cycle
    available_days: Decimal  # capacity minus time off, never below zero
    planned_days: Decimal
    initiatives: tuple[InitiativeLoad, ...]  # the person's work in the cycle, biggest first


@dataclass(frozen=True)
class TeamCycleLoad(_Load):
    cycle_id: int
    capacity_days: Decimal
    available_days: Decimal
    planned_days: Decimal  # everyone's effort, the unassigned included
    unassigned_days: Decimal
    over_allocated_people: tuple[int, ...]


@dataclass(frozen=True)
class CapacityResult:
    cycles: tuple[CycleSpan, ...]  # in date order
    people: tuple[PersonCycleLoad, ...]  # by cycle (date order), then person id
    team: tuple[TeamCycleLoad, ...]  # one per cycle, in date order
    outside_cycles_days: Decimal  # effort on days no cycle covers

    def for_cycle(self, cycle_id: int) -> list[PersonCycleLoad]:
        return [load for load in self.people if load.cycle_id == cycle_id]

    def for_person(self, person_id: int) -> list[PersonCycleLoad]:
        return [load for load in self.people if load.person_id == person_id]

    def over_allocated(self) -> list[PersonCycleLoad]:
        return [load for load in self.people if load.over_allocated]


def capacity_per_cycle(
    *,
    stages: Iterable[StageSpan],
    cycles: Sequence[CycleSpan],
    capacity: Iterable[CapacityEntry] = (),
    time_off: Iterable[TimeOff] = (),
) -> CapacityResult:
    """Planned effort against capacity, per person and per cycle, and for the team.

    Capacity entries are gross: the working days of the person's time off in the cycle are
    subtracted (never below zero). A person with effort but no entry has no capacity there,
    so any effort over-allocates them. Everyone with an entry or effort in a cycle gets a row.
    """
    ordered = _chronological(cycles)
    cycle_ids = {cycle.id for cycle in ordered}
    time_off = list(time_off)
    off_by_person: dict[int, frozenset[date]] = {}

    def days_off(person_id: int) -> frozenset[date]:
        if person_id not in off_by_person:
            off_by_person[person_id] = time_off_days(time_off, person_id)
        return off_by_person[person_id]

    gross: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for entry in capacity:
        if entry.cycle_id in cycle_ids:
            gross[entry.person_id, entry.cycle_id] += entry.days

    # (person, cycle) → initiative → days; person None is unassigned work.
    planned: dict[tuple[int | None, int], dict[int, Decimal]] = defaultdict(
        lambda: defaultdict(Decimal)
    )
    outside = ZERO
    for stage in stages:
        off = days_off(stage.assignee_id) if stage.assignee_id is not None else frozenset()
        for cycle_id, days in _spread(stage, ordered, off).items():
            if cycle_id is None:
                outside += days
            else:
                planned[stage.assignee_id, cycle_id][stage.initiative_id] += days

    people: list[PersonCycleLoad] = []
    team: list[TeamCycleLoad] = []
    for cycle in ordered:
        person_ids = sorted(
            {person for person, cycle_id in gross if cycle_id == cycle.id}
            | {
                person
                for person, cycle_id in planned
                if cycle_id == cycle.id and person is not None
            }
        )
        loads = []
        for person_id in person_ids:
            capacity_days = gross.get((person_id, cycle.id), ZERO)
            off_count = sum(
                1
                for day in days_off(person_id)
                if cycle.start <= day <= cycle.end and is_working_day(day)
            )
            work = planned.get((person_id, cycle.id), {})
            loads.append(
                PersonCycleLoad(
                    person_id=person_id,
                    cycle_id=cycle.id,
                    capacity_days=capacity_days,
                    time_off_days=off_count,
                    available_days=max(ZERO, capacity_days - off_count),
                    planned_days=sum(work.values(), ZERO),
                    initiatives=tuple(
                        InitiativeLoad(initiative_id, days)
                        for initiative_id, days in sorted(
                            work.items(), key=lambda item: (-item[1], item[0])
                        )
                    ),
                )
            )
        people.extend(loads)
        unassigned = sum(planned.get((None, cycle.id), {}).values(), ZERO)
        team.append(
            TeamCycleLoad(
                cycle_id=cycle.id,
                capacity_days=sum((load.capacity_days for load in loads), ZERO),
                available_days=sum((load.available_days for load in loads), ZERO),
                planned_days=sum((load.planned_days for load in loads), ZERO) + unassigned,
                unassigned_days=unassigned,
                over_allocated_people=tuple(
                    load.person_id for load in loads if load.over_allocated
                ),
            )
        )
    return CapacityResult(
        cycles=tuple(ordered), people=tuple(people), team=tuple(team), outside_cycles_days=outside
    )


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if whole <= 0:
        return None
    return (part / whole * HUNDRED).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# Warnings -------------------------------------------------------------------------------------


class CalendarRule(StrEnum):
    LAUNCH = "launch"  # a launch during an event marked "avoid launches"
    STAKEHOLDERS = "stakeholders"  # stakeholders needed while they are busy


@dataclass(frozen=True)
class CalendarConflict:
    rule: CalendarRule
    stage_id: int
    initiative_id: int
    event_id: int
    event_name: str
    start: date  # the days the stage and the event share
    end: date

    @property
    def key(self) -> str:
        return f"calendar-{self.rule}:stage={self.stage_id}:event={self.event_id}"


@dataclass(frozen=True)
class SmeAvailabilityConflict:
    """Content creation has working days outside an assigned SME's availability."""

    stage_id: int
    initiative_id: int
    person_id: int
    gaps: tuple[tuple[date, date], ...]  # uncovered runs, trimmed to working days

    @property
    def key(self) -> str:
        return f"sme-availability:stage={self.stage_id}:person={self.person_id}"


@dataclass(frozen=True)
class NoSmeBeforeBuild:
    """No SME is involved by the day content creation starts."""

    initiative_id: int
    stage_id: int  # the first content creation stage
    content_start: date
    has_sme: bool  # an SME is assigned, but only available later

    @property
    def key(self) -> str:
        return f"sme-before-build:initiative={self.initiative_id}"


@dataclass(frozen=True)
class DependencyViolation:
    kind: Literal["stage", "initiative"]
    predecessor_id: int
    successor_id: int
    predecessor_end: date
    successor_start: date

    @property
    def key(self) -> str:
        return f"dependency:{self.kind}={self.predecessor_id}:{self.kind}={self.successor_id}"


@dataclass(frozen=True)
class DependencyCycle:
    """Items that wait on each other in a loop, so no dates can satisfy them."""

    kind: Literal["stage", "initiative"]
    ids: tuple[int, ...]  # sorted

    @property
    def key(self) -> str:
        return f"dependency-cycle:{self.kind}={','.join(map(str, self.ids))}"


@dataclass(frozen=True)
class StagesOutsideCycle:
    """Stages of an initiative that do not follow its cycle (it moved, they did not)."""

    initiative_id: int
    cycle_id: int
    stage_ids: tuple[int, ...]  # in date order
    first_start: date  # the initiative's first stage starts then
    # The cycle the first stage starts in, and the days from its start to the initiative's
    # cycle's: "shift the stages by the same amount". None when no cycle holds that day.
    planned_in: int | None
    shift_days: int | None

    @property
    def key(self) -> str:
        # Per cycle: moved again, it is a new warning.
        return f"outside-cycle:initiative={self.initiative_id}:cycle={self.cycle_id}"


def stages_outside_cycles(
    stages: Iterable[StageSpan], placements: Mapping[int, int], cycles: Sequence[CycleSpan]
) -> list[StagesOutsideCycle]:
    """(f) Stages outside their initiative's cycle; `placements` maps an initiative to the
    cycle it is in.

    A stage falls outside when it starts before the cycle (work planned for an earlier
    cycle), or, when none of the initiative's stages has a day in the cycle, every stage
    does (planned for a later one). Stages that run on after the cycle, like a delivery or a
    reinforcement after the build, are how plans look and are not warned about.
    """
    ordered = _chronological(cycles)
    by_id = {cycle.id: cycle for cycle in ordered}
    own: dict[int, list[StageSpan]] = defaultdict(list)
    for stage in stages:
        if stage.initiative_id in placements:
            own[stage.initiative_id].append(stage)
    found = []
    for initiative_id, spans in sorted(own.items()):
        cycle = by_id.get(placements[initiative_id])
        if cycle is None:
            continue
        spans.sort(key=lambda stage: (stage.start, stage.id))
        if any(overlaps(s.start, s.end, cycle.start, cycle.end) for s in spans):
            outside = [s for s in spans if s.start < cycle.start]
        else:
            outside = spans
        if not outside:
            continue
        first = spans[0].start
        planned_in = _cycle_of(first, ordered)
        shift = None
        if planned_in is not None and planned_in != cycle.id:
            shift = (cycle.start - by_id[planned_in].start).days
        found.append(
            StagesOutsideCycle(
                initiative_id,
                cycle.id,
                tuple(s.id for s in outside),
                first,
                planned_in,
                shift,
            )
        )
    return found


type PlanWarning = (
    CalendarConflict
    | SmeAvailabilityConflict
    | NoSmeBeforeBuild
    | DependencyViolation
    | DependencyCycle
    | HeavyStage
    | StagesOutsideCycle
)


def calendar_conflicts(
    stages: Iterable[StageSpan], events: Iterable[CalendarEvent]
) -> list[CalendarConflict]:
    """(a) a launch stage overlapping an "avoid launches" event; (b) a stage needing
    stakeholders overlapping an event that takes them away (hiring wave, reviews).

    One warning per stage, event and rule, even when a long stage meets several yearly
    occurrences; it gives the first shared days.
    """
    events = list(events)
    warnings: list[CalendarConflict] = []
    for stage in stages:
        rules = []
        if stage.kind in LAUNCH_KINDS:
            rules.append((CalendarRule.LAUNCH, "avoid_launches"))
        if stage.kind in STAKEHOLDER_KINDS:
            rules.append((CalendarRule.STAKEHOLDERS, "needs_stakeholders_conflict"))
        for event in events:
            flagged = [rule for rule, flag in rules if getattr(event, flag)]
            if not flagged:
                continue
            first = next(event.occurrences(stage.start, stage.end), None)
            if first is None:
                continue
            shared = (max(first[0], stage.start), min(first[1], stage.end))
            warnings.extend(
                CalendarConflict(rule, stage.id, stage.initiative_id, event.id, event.name, *shared)
                for rule in flagged
            )
    return sorted(warnings, key=lambda warning: (warning.start, warning.key))


def sme_conflicts(
    stages: Iterable[StageSpan],
    sme_assignments: Iterable[SmeAssignment],
    availability: Iterable[Availability],
) -> list[SmeAvailabilityConflict | NoSmeBeforeBuild]:
    """(c) content creation outside an assigned SME's availability; (d) no SME involved
    before content creation starts.

    An SME with no availability recorded counts as available at any time (nothing says
    otherwise). Windows are inclusive; several windows add up; a gap of weekend days only is
    not a conflict. An SME is involved before the build when, on or before the first content
    creation day, one of the initiative's SMEs is available (a window starting then or
    earlier, or none recorded) or another stage of the initiative assigned to one of its
    SMEs has started.
    """
    stages = list(stages)
    smes: dict[int, list[int]] = defaultdict(list)
    for assignment in sme_assignments:
        if assignment.person_id not in smes[assignment.initiative_id]:
            smes[assignment.initiative_id].append(assignment.person_id)
    windows: dict[int, list[Availability]] = defaultdict(list)
    for window in availability:
        windows[window.person_id].append(window)

    warnings: list[SmeAvailabilityConflict | NoSmeBeforeBuild] = []
    for stage in stages:
        if stage.kind != CONTENT_CREATION:
            continue
        for person_id in sorted(smes.get(stage.initiative_id, [])):
            gaps = _uncovered(stage.start, stage.end, windows.get(person_id, []))
            if gaps:
                warnings.append(
                    SmeAvailabilityConflict(stage.id, stage.initiative_id, person_id, gaps)
                )

    by_initiative: dict[int, list[StageSpan]] = defaultdict(list)
    for stage in stages:
        by_initiative[stage.initiative_id].append(stage)
    for initiative_id, own in sorted(by_initiative.items()):
        builds = sorted(
            (stage for stage in own if stage.kind == CONTENT_CREATION),
            key=lambda stage: (stage.start, stage.id),
        )
        if not builds:
            continue
        first = builds[0]
        people = smes.get(initiative_id, [])
        available_early = any(
            not windows.get(person_id)
            or any(w.start is None or w.start <= first.start for w in windows[person_id])
            for person_id in people
        )
        working_early = any(
            stage.assignee_id in people
            and stage.kind != CONTENT_CREATION
            and stage.start <= first.start
            for stage in own
        )
        if not (available_early or working_early):
            warnings.append(NoSmeBeforeBuild(initiative_id, first.id, first.start, bool(people)))
    return warnings


def _uncovered(
    start: date, end: date, windows: Sequence[Availability]
) -> tuple[tuple[date, date], ...]:
    if not windows:
        return ()
    gaps: list[tuple[date, date]] = []
    run: list[date] = []
    for day in [*days_between(start, end), None]:
        if day is not None and not any(contains(w.start, w.end, day) for w in windows):
            run.append(day)
            continue
        working = [d for d in run if is_working_day(d)]
        if working:
            gaps.append((working[0], working[-1]))
        run = []
    return tuple(gaps)


def initiative_bounds(stages: Iterable[StageSpan]) -> dict[int, tuple[date, date]]:
    """Each initiative's first and last day, from its stages."""
    bounds: dict[int, tuple[date, date]] = {}
    for stage in stages:
        start, end = bounds.get(stage.initiative_id, (stage.start, stage.end))
        bounds[stage.initiative_id] = (min(start, stage.start), max(end, stage.end))
    return bounds


def dependency_conflicts(
    dependencies: Iterable[Dependency], stages: Iterable[StageSpan]
) -> list[DependencyViolation | DependencyCycle]:
    """(e) a successor starting on or before its predecessor's last day, and loops.

    Finish-to-start with inclusive dates: the successor must start the day after the
    predecessor ends at the earliest, so equal dates are a violation. Dependencies on items
    without dates (unknown ids, initiatives without stages) are skipped. A loop is reported
    once per strongly connected group, a self-dependency included.
    """
    stages = list(stages)
    spans: dict[str, dict[int, tuple[date, date]]] = {
        "stage": {stage.id: (stage.start, stage.end) for stage in stages},
        "initiative": initiative_bounds(stages),
    }
    edges = sorted({(dep.kind, dep.predecessor_id, dep.successor_id) for dep in dependencies})
    warnings: list[DependencyViolation | DependencyCycle] = []
    for kind, before, after in edges:
        if before == after or before not in spans[kind] or after not in spans[kind]:
            continue
        before_end, after_start = spans[kind][before][1], spans[kind][after][0]
        if after_start <= before_end:
            warnings.append(DependencyViolation(kind, before, after, before_end, after_start))
    for kind in ("stage", "initiative"):
        graph: dict[int, set[int]] = defaultdict(set)
        for edge_kind, before, after in edges:
            if edge_kind == kind:
                graph[before].add(after)
                graph.setdefault(after, set())
        for group in _strongly_connected(graph):
            if len(group) > 1 or group[0] in graph[group[0]]:
                warnings.append(DependencyCycle(kind, tuple(group)))
    return warnings


def _strongly_connected(graph: Mapping[int, set[int]]) -> list[list[int]]:
    """Kosaraju's algorithm, iterative so that long chains cannot hit the recursion limit."""
    order: list[int] = []
    seen: set[int] = set()
    for root in sorted(graph):
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(sorted(graph[root])))]
        while stack:
            node, children = stack[-1]
            for child in children:
                if child not in seen:
                    seen.add(child)
                    stack.append((child, iter(sorted(graph[child]))))
                    break
            else:
                stack.pop()
                order.append(node)
    reverse: dict[int, list[int]] = defaultdict(list)
    for node, successors in graph.items():
        for child in successors:
            reverse[child].append(node)
    assigned: set[int] = set()
    groups = []
    for root in reversed(order):
        if root in assigned:
            continue
        assigned.add(root)
        group, pending = [], [root]
        while pending:
            node = pending.pop()
            group.append(node)
            for parent in reverse[node]:
                if parent not in assigned:
                    assigned.add(parent)
                    pending.append(parent)
        groups.append(sorted(group))
    return sorted(groups)


def plan_warnings(
    *,
    stages: Iterable[StageSpan],
    events: Iterable[CalendarEvent] = (),
    sme_assignments: Iterable[SmeAssignment] = (),
    availability: Iterable[Availability] = (),
    dependencies: Iterable[Dependency] = (),
    placements: Mapping[int, int] | None = None,
    cycles: Sequence[CycleSpan] = (),
) -> list[PlanWarning]:
    """Every warning of the plan; capacity has its own view (`capacity_per_cycle`).
    `placements` (initiative → its cycle) and `cycles` feed `stages_outside_cycles`."""
    stages = list(stages)
    return [
        *calendar_conflicts(stages, events),
        *sme_conflicts(stages, sme_assignments, availability),
        *dependency_conflicts(dependencies, stages),
        *heavy_stages(stages),
        *stages_outside_cycles(stages, placements or {}, cycles),
    ]
